#!/usr/bin/env bash
# The author's tools, the slow way: every `connector-new --auth` choice scaffolded into a
# temp dir and tested offline (one shared target dir), and the SCIM connector's cassette
# recording and `dev crawl` against a real scim2-server.
#
#   bash scripts/tools-test.sh
#
# Starts the SCIM test server with scripts/scim-server.sh unless one answers already, and
# stops it again if it started it.
set -euo pipefail
cd "$(dirname "$0")/.."

export CONNECTOR_NEW_TARGET_DIR="${CONNECTOR_NEW_TARGET_DIR:-$(pwd)/target/scaffold}"
cargo test -p connector-new --test scaffold -- --include-ignored

started=""
if ! bash scripts/scim-server.sh status >/dev/null 2>&1; then
  bash scripts/scim-server.sh start
  started=1
fi
trap 'if [ -n "$started" ]; then bash scripts/scim-server.sh stop; fi' EXIT
cargo test -p scim-connector --test tools -- --include-ignored
