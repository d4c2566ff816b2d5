#!/usr/bin/env bash
# Startup cost of a connector binary: builds pretend-app in release, then times
#   pretend-app info
#   pretend-app validate_credentials --json '<small envelope>'
# with hyperfine when it is installed (installing it with apt-get when missing and
# running as root), else with a plain loop of N runs timed with `date +%s%N`.
# Prints the mean wall time of one run in milliseconds for each. No assertions.
#
#   bench/startup.sh            # N=200 runs (hyperfine: at least 200 runs, 20 warm-ups)
#   N=50 bench/startup.sh
#   BENCH_NO_HYPERFINE=1 bench/startup.sh   # force the plain loop
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
N=${N:-200}

echo "==> cargo build --release -p pretend-app" >&2
cargo build --release --quiet -p pretend-app --bin pretend-app
target_dir=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target_dir/release/pretend-app"
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }

# Run where the default ./logs may be created, away from the work tree.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
unset LUMOS_LOG_LEVEL LUMOS_LOG_DIRECTORY LUMOS_LOG_TO_STDOUT || true

envelope='{"auth":{"token":{"token":"bench-token"}},"settings":{"base_url":"https://pretend.example"},"request":{}}'
# The check that the call works at all, before timing it.
case "$("$bin" validate_credentials --json "$envelope")" in
  *'"valid":true'*) ;;
  *) echo "validate_credentials did not answer valid:true" >&2; exit 1 ;;
esac
"$bin" info >/dev/null

if [ -z "${BENCH_NO_HYPERFINE:-}" ] && ! command -v hyperfine >/dev/null 2>&1 \
  && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing hyperfine with apt-get" >&2
  (apt-get install -y -qq hyperfine >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq hyperfine >/dev/null 2>&1; }) \
    || echo "hyperfine could not be installed; using a plain loop" >&2
fi

if [ -z "${BENCH_NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then
  echo "==> hyperfine $(hyperfine --version | awk '{print $2}'), $N+ runs each" >&2
  json="$work/hyperfine.json"
  # --shell=none splits the command like a shell: the envelope is single-quoted so its
  # double quotes survive (else the timed call would be a bad_request).
  shown=$(hyperfine --shell=none --runs 1 --show-output \
    "$bin validate_credentials --json '$envelope'" 2>&1)
  case "$shown" in
    *'"valid":true'*) ;;
    *) echo "hyperfine does not pass the envelope intact: $shown" >&2; exit 1 ;;
  esac
  hyperfine --shell=none --warmup 20 --min-runs "$N" --export-json "$json" \
    --command-name info "$bin info" \
    --command-name validate_credentials "$bin validate_credentials --json '$envelope'" >&2
  python3 - "$json" <<'PY'
import json, sys
for result in json.load(open(sys.argv[1]))["results"]:
    print(f'{result["command"]}: mean {result["mean"] * 1000:.2f} ms '
          f'(stddev {result["stddev"] * 1000:.2f} ms, min {result["min"] * 1000:.2f} ms, '
          f'{len(result["times"])} runs, hyperfine)')
PY
else
  echo "==> plain loop, $N runs each" >&2
  time_loop() {
    local name=$1; shift
    local start end
    for _ in 1 2 3 4 5; do "$@" >/dev/null; done
    start=$(date +%s%N)
    for ((i = 0; i < N; i++)); do "$@" >/dev/null; done
    end=$(date +%s%N)
    awk -v name="$name" -v ns=$((end - start)) -v n="$N" \
      'BEGIN { printf "%s: mean %.2f ms (%d runs, plain loop)\n", name, ns / n / 1e6, n }'
  }
  time_loop info "$bin" info
  time_loop validate_credentials "$bin" validate_credentials --json "$envelope"
fi
