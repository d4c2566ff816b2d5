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
trap 'rm -rf "$wire_dir"' EXIT
(cd "$wire_dir" && "$venv/bin/python" "$shared/wirecheck.py" --quiet -- "$root/target/debug/pretend-app")

step "all tests passed"
