#!/usr/bin/env bash
# The Debian packages the test suite needs as real servers (never downloaded binaries):
#   chromium    headless browser for the Dagster UI tests and the deploy screenshots;
#   postgresql  the Dagster instance storage of the production-shaped stack (`make prod`, tests/deploy).
# Installs what is missing with apt-get when it can (root, or passwordless sudo); otherwise says what to install
# and returns 0: the tests that need a missing package then skip loudly (CI sets QTICKETS_REQUIRE_* so they fail).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  apt=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt=(sudo -n apt-get)
else
  echo "!! not installed: ${missing[*]} (Debian packages). Install them with: sudo apt-get install ${missing[*]}" >&2
  echo "!! until then the browser and deploy tests are skipped" >&2
  exit 0
fi
echo "==> installing Debian packages: ${missing[*]} (about a minute)"
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
