#!/usr/bin/env bash
# The whole test suite, from a clone with nothing beside it: formatting, lints, every Rust
# test (the ones `#[ignore]`d for needing the SCIM or OAuth test server or a browser
# included, with those servers started on loopback), and, only when the protocol folder is
# there, its wirecheck against the example connectors. Installs what it needs: under target/
# the pinned connector-py wheel for the spec check, scim2-server (PyPI), oauth2-mock-server
# (npm), pyyaml and jsonschema; Debian's chromium and chromium-driver once (apt-get, as
# root). Leaves nothing running, and ends by saying what it skipped.
#
#   CONNECTOR_PROTOCOL_DIR   the protocol folder holding wirecheck.py (default ../shared/protocol);
#                            when it has no wirecheck.py, the wirecheck steps are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# Where cargo puts the binaries the wirecheck runs.
bin_dir="${CARGO_TARGET_DIR:-$root/target}/debug"

step() { printf '\n==> %s\n' "$*"; }
# One run from a clone: incremental caches would only cost disk (gigabytes) and time.
export CARGO_INCREMENTAL=0
# The workspace's [profile.dev] (line tables only) for the builds that do not read it:
# trybuild's UI-case project (1.9 GB of full debug info otherwise).
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
# The free disk where target/ lives, said before the build and again at the end (a full
# disk shows up as failing nested builds: the scaffold's crates, trybuild's cases).
disk() { df -h "$root" | awk 'NR == 2 {print "disk: " $4 " free of " $2 " at " $6}'; }
skipped=()

protocol="${CONNECTOR_PROTOCOL_DIR:-$root/../shared/protocol}"
wirecheck="$protocol/wirecheck.py"
if [ -f "$wirecheck" ]; then
  wirecheck=$(cd "$(dirname "$wirecheck")" && pwd)/wirecheck.py
else
  wirecheck=""
fi

wire_dir=""
cleanup() {
  disk || true
  bash "$root/scripts/scim-server.sh" stop || true
  bash "$root/scripts/oauth-server.sh" stop || true
  if [ -n "$wire_dir" ]; then rm -rf "$wire_dir"; fi
}
trap cleanup EXIT

venv="$root/target/tools-venv"
step "Python tools (venv under target/tools-venv: pyyaml for the generator)"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check pyyaml

step "spec check: the pinned connector-py 4.280.0 spec, and every generated file up to date with it"
PYTHON="$venv/bin/python" bash tools/fetch-spec.sh
"$venv/bin/python" tools/gen_models.py --check

step "SCIM test server (scim2-server 0.8.3 under target/scim-venv, on loopback)"
bash scripts/scim-server.sh start

step "OAuth test server (oauth2-mock-server 9.3.0 from npm under target/oauth-server, on loopback)"
bash scripts/oauth-server.sh start

step "browser for the dev console's test (Debian's chromium and chromium-driver, installed once)"
bash scripts/browser-test.sh install

step "cargo fmt --check"
disk
# A full run needs about 8 GB under target/. With less free, the build caches of earlier
# runs (ours only: target/debug, the scaffold's and trybuild's targets) go first.
free_kib=$(df -Pk "$root" | awk 'NR == 2 {print $4}')
if [ "${free_kib:-0}" -lt $((12 * 1024 * 1024)) ]; then
  echo "disk: under 12 GB free, removing the earlier runs' build caches under target/"
  rm -rf "${CARGO_TARGET_DIR:-$root/target}/debug" "${CARGO_TARGET_DIR:-$root/target}/tests" \
    "$root/target/scaffold"
  disk
fi
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test, the tests that need the SCIM and OAuth test servers and the browser included"
# The scaffold's slow test builds each generated crate here, sharing one target dir.
export CONNECTOR_NEW_TARGET_DIR="$root/target/scaffold"
cargo test --workspace --quiet --no-fail-fast -- --include-ignored 2>&1 | tee target/cargo-test.log

if [ -n "$wirecheck" ]; then
  step "wirecheck: running $wirecheck"
  "$venv/bin/pip" install --quiet --disable-pip-version-check jsonschema
  wire_dir=$(mktemp -d)

  step "wirecheck: pretend-app"
  (cd "$wire_dir" && "$venv/bin/python" "$wirecheck" --quiet -- "$bin_dir/pretend-app")

  step "wirecheck: scim-connector (against the SCIM test server)"
  # shellcheck disable=SC1091
  . "$root/target/scim-server.env"
  (cd "$wire_dir" && "$venv/bin/python" "$wirecheck" --quiet \
    --settings "{\"base_url\": \"$SCIM_BASE_URL\"}" \
    --auth "{\"auth\": {\"token\": {\"token\": \"$SCIM_TOKEN\"}}}" \
    -- "$bin_dir/scim-connector")
else
  step "wirecheck: skipped, no wirecheck.py in $protocol (set CONNECTOR_PROTOCOL_DIR to the protocol folder to run it)"
  skipped+=("wirecheck (no wirecheck.py in $protocol)")
fi

step "all tests passed"
if [ ${#skipped[@]} -eq 0 ]; then
  echo "skipped: nothing"
else
  for what in "${skipped[@]}"; do echo "skipped: $what"; done
fi
