#!/usr/bin/env bash
# System packages beyond PostgreSQL/PostGIS (provision-db.sh installs those).
#   scripts/system-deps.sh            what the test suite needs: Chromium for browser tests, GDAL
#                                     for the OGC API client tests, Java for ODK Validate (and a
#                                     JDK for the conformance harness's JavaRosa driver), and
#                                     everything the app itself needs (below)
#   scripts/system-deps.sh --runtime  what the app needs: libturbojpeg, with which JPEG photos
#                                     are stripped of their metadata losslessly (without it they
#                                     are decoded and re-encoded, slower and with a little loss),
#                                     pgBackRest, which takes the database backups, and
#                                     Pango, HarfBuzz and Noto fonts for the briefs' PDFs
# The suite also gets promtool (checks /metrics) and caddy (the log test runs deploy/Caddyfile),
# taken out of Debian's `prometheus` and `caddy` packages without installing them: installing
# either package would start a server.
set -euo pipefail
need=()
compgen -G "/usr/lib/*/libturbojpeg.so.0" >/dev/null || need+=(libturbojpeg0)
command -v pgbackrest >/dev/null || need+=(pgbackrest)
# Briefs (WeasyPrint): Pango/HarfBuzz, and fonts with Arabic script (Noto Naskh Arabic) for
# Dari and Pashto.
compgen -G "/usr/lib/*/libpangoft2-1.0.so.0" >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b)
compgen -G "/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf" >/dev/null || need+=(fonts-noto-core)
if [[ "${1:-}" != "--runtime" ]]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v ogrinfo >/dev/null || need+=(gdal-bin)
  command -v java >/dev/null || need+=(default-jre-headless)
  # javac: the conformance harness compiles its JavaRosa driver (tests/js/odk/javarosa/Fill.java)
  command -v javac >/dev/null || need+=(default-jdk-headless)
  command -v pdftotext >/dev/null || need+=(poppler-utils)  # the briefs' PDF tests
fi
extract=()  # Debian package:binary, for the suite only
if [[ "${1:-}" != "--runtime" ]]; then
  command -v promtool >/dev/null || extract+=(prometheus:promtool)
  command -v caddy >/dev/null || extract+=(caddy:caddy)
fi
[[ ${#need[@]} -eq 0 && ${#extract[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "[system] missing: ${need[*]}. Run as root: apt-get install -y ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
if [[ ${#need[@]} -gt 0 ]]; then
  echo "[system] installing ${need[*]} with apt (once)" >&2
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
for wanted in "${extract[@]}"; do
  package="${wanted%%:*}" binary="${wanted#*:}"
  echo "[system] $binary from Debian's $package package (once)" >&2
  workdir=$(mktemp -d)
  chmod 755 "$workdir"  # apt-get download runs as _apt
  ( cd "$workdir" && apt-get download -qq "$package" >/dev/null 2>&1 \
      && dpkg-deb -x "${package}"_*.deb root \
      && install -m 0755 "root/usr/bin/$binary" "/usr/local/bin/$binary" ) \
    || echo "[system] $binary unavailable: the tests that use it fail under CI, else skip" >&2
  rm -rf "$workdir"
done
