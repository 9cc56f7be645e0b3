#!/usr/bin/env bash
# System packages the test suite needs beyond PostgreSQL/PostGIS (provision-db.sh installs those):
# Chromium for browser tests, GDAL for the OGC API client tests, Java for ODK Validate.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v ogrinfo >/dev/null || need+=(gdal-bin)
command -v java >/dev/null || need+=(default-jre-headless)
[[ ${#need[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "[system] missing: ${need[*]}. Run as root: apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "[system] installing ${need[*]} with apt (once)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || true
apt-get install -y -qq "${need[@]}" >/dev/null
