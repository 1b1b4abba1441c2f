#!/usr/bin/env bash
# The console's tests drive a real Chromium (playwright-core downloads none). A fresh
# machine has none: install Debian's package, so `npm test` needs no manual step.
set -euo pipefail
browser=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$browser" ] && exit 0
echo "offerd: no Chromium at $browser; installing Debian's chromium for the console tests (about a minute)"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "offerd: cannot install it here (needs root and apt-get): install chromium, or set CHROMIUM_PATH" >&2
  exit 1
fi
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
[ -x "$browser" ] || { echo "offerd: chromium installed but not at $browser: set CHROMIUM_PATH" >&2; exit 1; }
