#!/usr/bin/env bash
# A real SCIM 2.0 server for the scim-connector's end-to-end tests: scim2-server from PyPI,
# in a venv under target/, on a free loopback port, with a random bearer token.
#
#   bash scripts/scim-server.sh start    # install if needed, start, wait until it answers
#   bash scripts/scim-server.sh stop     # stop the server this script started
#   bash scripts/scim-server.sh status   # print the env file and whether it answers
#
# `start` writes target/scim-server.env (or $SCIM_TEST_SERVER_ENV):
#   SCIM_BASE_URL=http://127.0.0.1:PORT/v2
#   SCIM_TOKEN=...
#   SCIM_PID=...
# which examples/scim/tests read. The server keeps its users in memory: each test run
# seeds its own, under a unique prefix.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

version="0.8.3"
venv="$root/target/scim-venv"
env_file="${SCIM_TEST_SERVER_ENV:-$root/target/scim-server.env}"
log_file="$root/target/scim-server.log"
python="${SCIM_PYTHON:-python3}"

die() {
  echo "scim-server.sh: $*" >&2
  exit 1
}

install() {
  if [ -x "$venv/bin/scim2-server" ] &&
    [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("scim2-server"))' 2>/dev/null)" = "$version" ]; then
    return
  fi
  echo "scim-server.sh: installing scim2-server==$version into $venv" >&2
  mkdir -p "$root/target"
  if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv" || die "could not create a venv with $python (Python 3.11 or later is needed; set SCIM_PYTHON)"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "scim2-server==$version" ||
    die "could not install scim2-server==$version into $venv (is PyPI reachable?)"
}

free_port() {
  "$venv/bin/python" - <<'PY'
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}

# Whether the server at $1 answers an authenticated request with token $2.
answers() {
  "$venv/bin/python" - "$1" "$2" <<'PY'
import sys, urllib.request
request = urllib.request.Request(sys.argv[1] + "/Users?count=1", headers={"Authorization": "Bearer " + sys.argv[2]})
try:
    with urllib.request.urlopen(request, timeout=2) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

running_pid() {
  [ -f "$env_file" ] || return 1
  local pid
  pid=$(sed -n 's/^SCIM_PID=//p' "$env_file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  install
  if pid=$(running_pid); then
    # shellcheck disable=SC1090
    . "$env_file"
    if answers "$SCIM_BASE_URL" "$SCIM_TOKEN"; then
      echo "scim-server.sh: already running at $SCIM_BASE_URL (pid $pid)" >&2
      return
    fi
    kill "$pid" 2>/dev/null || true
  fi
  local port token pid base
  token="scim-test-$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')"
  for _attempt in 1 2 3; do
    port=$(free_port)
    base="http://127.0.0.1:$port/v2"
    "$venv/bin/scim2-server" --hostname 127.0.0.1 --port "$port" --bearer-token "$token" </dev/null >"$log_file" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      if answers "$base" "$token"; then
        mkdir -p "$(dirname "$env_file")"
        printf 'SCIM_BASE_URL=%s\nSCIM_TOKEN=%s\nSCIM_PID=%s\n' "$base" "$token" "$pid" >"$env_file.tmp"
        mv "$env_file.tmp" "$env_file"
        echo "scim-server.sh: scim2-server $version at $base (pid $pid), details in $env_file" >&2
        return
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "scim-server.sh: the server did not come up on port $port; retrying" >&2
  done
  cat "$log_file" >&2 || true
  die "scim2-server did not start (log above, in $log_file)"
}

stop() {
  if pid=$(running_pid); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    echo "scim-server.sh: stopped pid $pid" >&2
  fi
  rm -f "$env_file"
}

status() {
  [ -f "$env_file" ] || die "not running (no $env_file)"
  cat "$env_file"
  # shellcheck disable=SC1090
  . "$env_file"
  if answers "$SCIM_BASE_URL" "$SCIM_TOKEN"; then echo "answering"; else die "not answering"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
