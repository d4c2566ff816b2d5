#!/usr/bin/env bash
# Side-by-side benchmark of the Rust demo twin against its Python twin on connector-py
# 4.280.0 and against the floor program. See bench/README.md and BENCHMARKS.md.
#
#   bash bench/compare.sh                 # the full run (about 10 minutes on 2 cores)
#   BENCH_QUICK=1 bash bench/compare.sh   # a quick run (under about 3 minutes)
#
# It builds the release binaries (demo-app, bench-floor, loadgen, dispatch-rate), installs
# connector-py 4.280.0 and uvicorn into a venv under target/ (once), GNU time with apt-get
# when it is missing (peak RSS is read with it), checks both sides'
# answers agree, runs every measure alternating the sides, prints the ratios
# (min / median / max), writes the results to target/bench/results.json and draws the chart
# bench/ratios.svg. It exits non-zero when an answer check failed.
#
# Sizing (environment variables, defaults in brackets; BENCH_QUICK=1 lowers them):
#   BENCH_COLD_RUNS [10]        runs of each cold-start command per side
#   BENCH_LIST_RUNS [5]         runs of each list_accounts size per side
#   BENCH_SIZES ["10000 100000"] list_accounts sizes (accounts in one page)
#   BENCH_RATE_RUNS [3]         runs of each rate measure per side
#   BENCH_DISPATCH_SECONDS [2]  time per dispatch-rate run
#   BENCH_HTTP_SECONDS [3]      time per HTTP load run; BENCH_HTTP_REQUESTS [100000] caps it
#   BENCH_CONCURRENCY ["1 16 64"]
#   BENCH_CHART [bench/ratios.svg]  where the chart goes
#   BENCH_SKIP_BUILD=1          use the release binaries already built
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ -n "${BENCH_QUICK:-}" ]; then
  : "${BENCH_COLD_RUNS:=4}" "${BENCH_LIST_RUNS:=3}" "${BENCH_RATE_RUNS:=2}"
  : "${BENCH_DISPATCH_SECONDS:=1}" "${BENCH_HTTP_SECONDS:=2}"
fi
export BENCH_COLD_RUNS BENCH_LIST_RUNS BENCH_SIZES BENCH_RATE_RUNS BENCH_DISPATCH_SECONDS \
  BENCH_HTTP_SECONDS BENCH_HTTP_REQUESTS BENCH_CONCURRENCY BENCH_DISPATCH_CALLS

target_dir=$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
  echo "==> cargo build --release (demo-app, bench-floor, loadgen, dispatch-rate)" >&2
  # Two builds: `--bin demo-app` would narrow the other packages to a bin of that name too.
  cargo build --release --quiet -p connector-sdk-tests --bin demo-app
  cargo build --release --quiet -p bench-floor -p bench-harness
fi
release="$target_dir/release"
for bin in demo-app bench-floor loadgen dispatch-rate; do
  [ -x "$release/$bin" ] || { echo "no binary at $release/$bin" >&2; exit 1; }
done

venv="$target_dir/bench-venv"
if ! "$venv/bin/python" -c 'import importlib.metadata as m, uvicorn; assert m.version("connector-py") == "4.280.0"' 2>/dev/null; then
  echo "==> installing connector-py 4.280.0 and uvicorn into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check connector-py==4.280.0 uvicorn
fi

# Peak RSS is read with GNU time (see bench/measure.py).
if ! /usr/bin/time -f %M true >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing GNU time with apt-get" >&2
    apt-get install -y -qq time >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; }
  fi
  /usr/bin/time -f %M true >/dev/null 2>&1 || { echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 1; }
fi

mkdir -p "$target_dir/bench"
echo "==> measuring (Rust and Python share this machine's $(nproc) cores; the HTTP load generator runs beside the server)" >&2
status=0
python3 bench/measure.py \
  --rust "$release/demo-app" --floor "$release/bench-floor" \
  --dispatch-rate "$release/dispatch-rate" --loadgen "$release/loadgen" \
  --python "$venv/bin/python" --twin "$root/bench/python/demo_twin.py" \
  --out "$target_dir/bench/results.json" || status=$?
python3 bench/chart.py "$target_dir/bench/results.json" "${BENCH_CHART:-bench/ratios.svg}"
echo "==> chart: ${BENCH_CHART:-bench/ratios.svg}" >&2
exit "$status"
