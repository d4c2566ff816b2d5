#!/usr/bin/env bash
# The dev console's browser test: installs Debian's chromium and chromium-driver when they
# are missing (with apt-get, only as root; otherwise says what to install) and runs the
# ignored test tests/tests/serve_console.rs, which drives headless chromium through
# chromedriver against a server on loopback.
#
#   bash scripts/browser-test.sh            # install if missing, then run the browser tests
#   bash scripts/browser-test.sh install    # only install (scripts/test-all.sh runs the tests)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing chromium and chromium-driver (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "The console's browser test needs Debian's chromium and chromium-driver:" >&2
    echo "  sudo apt-get install chromium chromium-driver" >&2
    exit 1
  fi
fi

if [ "${1:-}" = install ]; then
  exit 0
fi

CHROMIUM="$(command -v chromium)" CHROMEDRIVER="$(command -v chromedriver)" \
  cargo test -p connector-sdk-tests --test serve_console -- --ignored "$@"
