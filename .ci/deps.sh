#!/usr/bin/env bash
# Installs the real parts the tests need when they are missing: Debian's
# chromium and redis-server. Needs root (CI and the dev machines run as root).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -eq 0 ]; then
  echo "test deps: chromium and redis-server present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test deps: missing ${need[*]}; install them (apt-get install ${need[*]}) or run as root" >&2
  exit 1
fi
echo "test deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The package starts a system redis on 6379; the tests start their own.
systemctl disable --now redis-server >/dev/null 2>&1 || service redis-server stop >/dev/null 2>&1 || true
