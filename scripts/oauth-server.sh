#!/usr/bin/env bash
# A real OAuth 2 server for the oauth-example's end-to-end tests: oauth2-mock-server from
# the npm registry, installed under target/, on a free loopback port.
#
#   bash scripts/oauth-server.sh start    # install if needed, start, wait until it answers
#   bash scripts/oauth-server.sh stop     # stop the server this script started
#   bash scripts/oauth-server.sh status   # print the env file and whether it answers
#
# `start` writes target/oauth-server.env (or $OAUTH_TEST_SERVER_ENV):
#   OAUTH_ISSUER_URL=http://127.0.0.1:PORT
#   OAUTH_PID=...
# which examples/oauth-example/tests/e2e.rs reads. The server issues signed JWTs for any
# client and answers /authorize with a redirect carrying a code (it checks PKCE on the
# exchange).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

version="9.3.0"
prefix="$root/target/oauth-server"
bin="$prefix/node_modules/.bin/oauth2-mock-server"
env_file="${OAUTH_TEST_SERVER_ENV:-$root/target/oauth-server.env}"
log_file="$root/target/oauth-server.log"

die() {
  echo "oauth-server.sh: $*" >&2
  exit 1
}

install() {
  command -v node >/dev/null && command -v npm >/dev/null ||
    die "node and npm are needed (apt-get install nodejs npm)"
  if [ -x "$bin" ] &&
    [ "$(node -p "require('$prefix/node_modules/oauth2-mock-server/package.json').version" 2>/dev/null)" = "$version" ]; then
    return
  fi
  echo "oauth-server.sh: installing oauth2-mock-server@$version into $prefix" >&2
  mkdir -p "$prefix"
  (cd "$prefix" && npm install --silent --no-audit --no-fund "oauth2-mock-server@$version") ||
    die "could not install oauth2-mock-server@$version (is the npm registry reachable?)"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# Whether the server at $1 answers its discovery document.
answers() {
  node -e 'fetch(process.argv[1]+"/.well-known/openid-configuration").then(r=>process.exit(r.ok?0:1),()=>process.exit(1));' "$1"
}

running_pid() {
  [ -f "$env_file" ] || return 1
  local pid
  pid=$(sed -n 's/^OAUTH_PID=//p' "$env_file")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  install
  if pid=$(running_pid); then
    # shellcheck disable=SC1090
    . "$env_file"
    if answers "$OAUTH_ISSUER_URL"; then
      echo "oauth-server.sh: already running at $OAUTH_ISSUER_URL (pid $pid)" >&2
      return
    fi
    kill "$pid" 2>/dev/null || true
  fi
  local port pid base
  for _attempt in 1 2 3; do
    port=$(free_port)
    base="http://127.0.0.1:$port"
    "$bin" -a 127.0.0.1 -p "$port" </dev/null >"$log_file" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      if answers "$base"; then
        mkdir -p "$(dirname "$env_file")"
        printf 'OAUTH_ISSUER_URL=%s\nOAUTH_PID=%s\n' "$base" "$pid" >"$env_file.tmp"
        mv "$env_file.tmp" "$env_file"
        echo "oauth-server.sh: oauth2-mock-server $version at $base (pid $pid), details in $env_file" >&2
        return
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "oauth-server.sh: the server did not come up on port $port; retrying" >&2
  done
  cat "$log_file" >&2 || true
  die "oauth2-mock-server did not start (log above, in $log_file)"
}

stop() {
  if pid=$(running_pid); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    echo "oauth-server.sh: stopped pid $pid" >&2
  fi
  rm -f "$env_file"
}

status() {
  [ -f "$env_file" ] || die "not running (no $env_file)"
  cat "$env_file"
  # shellcheck disable=SC1090
  . "$env_file"
  if answers "$OAUTH_ISSUER_URL"; then echo "answering"; else die "not answering"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
