#!/usr/bin/env bash
# Release check of an on-prem connector binary (not part of the everyday tests: two full
# LTO builds take minutes). Builds pretend-app with the workspace's `connector` profile
# (fat LTO, one codegen unit, stripped, panics still unwind) and again as a static glibc
# build (crt-static, explicit --target so build scripts and proc macros stay dynamic);
# copies each binary alone into an empty directory and runs its `info` and a listing there
# with a bare environment (no library path, no cargo); checks with `file`/`ldd` that the
# static one needs no shared library; prints sizes and start-up times (a plain loop: the
# times include the shell's fork/exec, about 0.3 ms; bench/startup.sh uses hyperfine).
#
#   bash scripts/release-check.sh          (CARGO_BUILD_JOBS, RUSTFLAGS are honoured)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
triple=x86_64-unknown-linux-gnu
runs=${RELEASE_CHECK_RUNS:-20}

step() { printf '\n==> %s\n' "$*" >&2; }
fail() { printf 'release-check: %s\n' "$*" >&2; exit 1; }

step "cargo build --profile connector -p pretend-app"
cargo build --quiet --profile connector -p pretend-app
dynamic="$target_dir/connector/pretend-app"

step "static glibc build: RUSTFLAGS=+crt-static --target $triple"
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
  cargo build --quiet --profile connector --target "$triple" -p pretend-app
static="$target_dir/$triple/connector/pretend-app"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

envelope='{"auth": {"token": {"token": "release-check"}}, "settings": {"base_url": "https://pretend.example"}, "request": {}}'

# check NAME BINARY: runs `info` and `list_accounts` from an empty directory, bare env.
check() {
  local name=$1 binary=$2 dir="$work/$1"
  mkdir -p "$dir"
  cp "$binary" "$dir/main"
  local run=(env -i "$dir/main")
  cd "$dir"
  "${run[@]}" info | grep -q '"app_id":"pretend_app"' || fail "$name: info did not answer"
  "${run[@]}" list_accounts --json "$envelope" | grep -q '"response":\[' \
    || fail "$name: list_accounts did not answer"
  if file "$dir/main" | grep -q 'not stripped'; then fail "$name: not stripped"; fi

  local size started ended info_us list_us
  size=$(stat -c %s "$dir/main")
  started=$(date +%s%N)
  for _ in $(seq "$runs"); do "${run[@]}" info >/dev/null; done
  ended=$(date +%s%N)
  info_us=$(( (ended - started) / runs / 1000 ))
  started=$(date +%s%N)
  for _ in $(seq "$runs"); do "${run[@]}" list_accounts --json "$envelope" >/dev/null; done
  ended=$(date +%s%N)
  list_us=$(( (ended - started) / runs / 1000 ))
  awk -v n="$name" -v s="$size" -v i="$info_us" -v l="$list_us" -v r="$runs" 'BEGIN {
    printf "%-8s size %.2f MiB (%d bytes)   start-up: info %.1f ms, list_accounts %.1f ms (mean of %d runs)\n",
      n, s / 1048576, s, i / 1000, l / 1000, r }'
  cd "$root"
}

step "checks (from an empty directory, env -i)"
ldd "$dynamic" | sed 's/^/  dynamic needs: /' >&2
file "$static" | grep -q 'static' || fail "the crt-static build is not statically linked: $(file "$static")"
if ldd "$static" 2>&1 | grep -q '=>'; then fail "ldd lists shared libraries for the static build"; fi
echo "  static: $(file -b "$static" | cut -d, -f1-5)" >&2
check dynamic "$dynamic"
check static "$static"
