#!/usr/bin/env bash
# Makes sure Chromium is installed for the browser tests of @entity/plugin-http (headless
# Chromium driven by playwright-core, which never downloads a browser of its own here):
#
#   bash scripts/ensure-chromium.sh
#
# Quick and idempotent: when the binary is there it does nothing. Otherwise, on Debian/Ubuntu,
# installs Debian's `chromium` package with apt-get (as root, or through sudo).
#
# Environment (optional):
#   ENTITY_CHROMIUM (/usr/bin/chromium)  the binary the tests launch; another path is only
#                                        checked, never installed.
# Tested by plugins/http/test/ensure-chromium-script.test.ts.
set -euo pipefail

CHROMIUM="${ENTITY_CHROMIUM:-/usr/bin/chromium}"

log() { echo "ensure-chromium: $*" >&2; }
fail() { echo "ensure-chromium: ERROR: $*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else fail "needs root for: $*"; fi; }

[ -x "$CHROMIUM" ] && exit 0
[ "$CHROMIUM" = /usr/bin/chromium ] ||
  fail "ENTITY_CHROMIUM=$CHROMIUM is not an executable; point it at a Chromium binary, or unset it to use Debian's /usr/bin/chromium"
command -v apt-get >/dev/null 2>&1 ||
  fail "Chromium is missing at $CHROMIUM and apt-get is not available: install Chromium and set ENTITY_CHROMIUM to its path"

# Several helpers/CI steps may run this at once: one at a time, and the second finds it installed.
exec 9>"/tmp/entity-ensure-chromium.lock"
flock 9
[ -x "$CHROMIUM" ] && exit 0

log "Chromium is missing; installing Debian's package (apt-get install chromium)"
as_root apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >&2
[ -x "$CHROMIUM" ] || fail "apt-get installed chromium but $CHROMIUM is still missing"
log "ready: $CHROMIUM"
