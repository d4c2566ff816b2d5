#!/usr/bin/env bash
# The whole test suite, from a fresh clone: formatting, lints, every Rust test, and the
# protocol's wirecheck against the example connectors. Installs what it needs (a Python
# venv with the wirecheck's dependencies) under target/, and leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

step "Python tools (venv under target/tools-venv)"
venv="$root/target/tools-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check pyyaml jsonschema

step "SCIM test server (scim2-server 0.8.3 under target/scim-venv, on loopback)"
wire_dir=""
cleanup() {
  bash "$root/scripts/scim-server.sh" stop || true
  if [ -n "$wire_dir" ]; then rm -rf "$wire_dir"; fi
}
trap cleanup EXIT
bash scripts/scim-server.sh start

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --workspace --quiet 2>&1 | tee target/cargo-test.log

step "wirecheck: pretend-app"
shared="${CONNECTOR_PROTOCOL_DIR:-$root/../shared/protocol}"
if [ ! -f "$shared/wirecheck.py" ]; then
  echo "wirecheck.py not found at $shared (set CONNECTOR_PROTOCOL_DIR to the protocol folder)" >&2
  exit 1
fi
wire_dir=$(mktemp -d)
(cd "$wire_dir" && "$venv/bin/python" "$shared/wirecheck.py" --quiet -- "$root/target/debug/pretend-app")

step "wirecheck: scim-connector (against the SCIM test server)"
# shellcheck disable=SC1091
. "$root/target/scim-server.env"
(cd "$wire_dir" && "$venv/bin/python" "$shared/wirecheck.py" --quiet \
  --settings "{\"base_url\": \"$SCIM_BASE_URL\"}" \
  --auth "{\"auth\": {\"token\": {\"token\": \"$SCIM_TOKEN\"}}}" \
  -- "$root/target/debug/scim-connector")

step "all tests passed"
