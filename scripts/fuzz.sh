#!/usr/bin/env bash
# Runs each cargo-fuzz target under fuzz/ for a fixed time (FUZZ_SECONDS, default 120).
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`); says so and exits
# 0 without fuzzing when either is missing. Not part of the test command (scripts/test-all.sh).
# A crash leaves its input under fuzz/artifacts/<target>/: turn it into a plain regression
# test (tests/tests/properties.rs or beside the code) before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-120}"
if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: no nightly toolchain installed (rustup toolchain install nightly); not fuzzing"
    exit 0
fi
if ! cargo +nightly fuzz --help >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is not installed (cargo install cargo-fuzz); not fuzzing"
    exit 0
fi
echo "fuzz.sh: $(cargo +nightly --version), ${seconds}s per target"
for target in $(cargo +nightly fuzz list); do
    echo "fuzz.sh: fuzzing $target"
    cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=1048576
done
echo "fuzz.sh: no crash"
