#!/usr/bin/env bash
# Runs before `npm test` (its `pretest`, after ensure-redis.ts): provisions headless Chromium for
# the browser test (test/integration/browser.test.ts), Debian's `chromium` package, at
# /usr/bin/chromium (or wherever CHROMIUM points). Installs it with apt-get when it is missing and
# this is Debian as root; otherwise stops at once with the one command to run. Never skips the test.
set -euo pipefail
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  exit 0
fi
if [ -n "${CHROMIUM:-}" ]; then
  echo "CHROMIUM=$CHROMIUM is not an executable: point it at a Chromium, or unset it to use Debian's chromium" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -f /etc/debian_version ]; then
  echo "ensure-chromium: installing Debian's chromium package for the browser test" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [ -x "$chromium" ] && exit 0
  echo "ensure-chromium: apt-get installed chromium, but $chromium is still missing" >&2
  exit 1
fi
echo "The browser test needs Chromium at $chromium. Install it with:  sudo apt-get install -y chromium" >&2
echo "(elsewhere than Debian: set CHROMIUM to a Chromium or Chrome executable)" >&2
exit 1
