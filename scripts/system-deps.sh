#!/usr/bin/env bash
# System packages beyond PostgreSQL/PostGIS (provision-db.sh installs those).
#   scripts/system-deps.sh            what the test suite needs: Chromium for browser tests, GDAL
#                                     for the OGC API client tests, Java for ODK Validate, and
#                                     everything the app itself needs (below)
#   scripts/system-deps.sh --runtime  what the app needs: libturbojpeg, with which JPEG photos
#                                     are stripped of their metadata losslessly (without it they
#                                     are decoded and re-encoded, slower and with a little loss)
set -euo pipefail
need=()
compgen -G "/usr/lib/*/libturbojpeg.so.0" >/dev/null || need+=(libturbojpeg0)
if [[ "${1:-}" != "--runtime" ]]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v ogrinfo >/dev/null || need+=(gdal-bin)
  command -v java >/dev/null || need+=(default-jre-headless)
fi
[[ ${#need[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "[system] missing: ${need[*]}. Run as root: apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "[system] installing ${need[*]} with apt (once)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq "${need[@]}" >/dev/null
