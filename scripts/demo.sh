#!/usr/bin/env bash
# Runs the example connector pretend-app end to end through its command line: info, then
# credentials, a paged listing followed to its last page, a write and its read-back, and
# the errors a platform sees for bad input. Builds it first; needs cargo, and python3 to read
# the JSON answers.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p pretend-app
app=target/debug/pretend-app
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"   # logs go to ./logs here, not into the checkout
envelope='"auth": {"token": {"token": "demo-token"}}, "settings": {"base_url": "https://pretend.example"}'

show() { printf '\n$ pretend-app %s\n' "$*"; }

show "info   (capabilities)"
"$OLDPWD/$app" info | python3 -c 'import json,sys; print(json.load(sys.stdin)["response"]["capabilities"])'

show "validate_credentials"
"$OLDPWD/$app" validate_credentials --json "{$envelope, \"request\": {}}"

show "list_accounts, 12 to a page, followed to the end"
token=null
page=1
while :; do
  out=$("$OLDPWD/$app" list_accounts --json "{$envelope, \"request\": {}, \"page\": {\"size\": 12, \"token\": $token}}")
  count=$(printf '%s' "$out" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["response"]))')
  token=$(printf '%s' "$out" | python3 -c 'import json,sys; p=json.load(sys.stdin)["page"]; print(json.dumps(p["token"]) if p else "null")')
  echo "page $page: $count accounts, next token $token"
  [ "$token" = null ] && break
  page=$((page + 1))
done

show "create_account (each call is its own process: the tenant starts fresh)"
"$OLDPWD/$app" create_account --json "{$envelope, \"request\": {\"username\": \"new.person\", \"email\": \"new@pretend.example\", \"entitlements\": [{\"entitlement_type\": \"role\", \"integration_specific_id\": \"viewer\"}]}}"

show "list_accounts with a damaged page token"
"$OLDPWD/$app" list_accounts --json "{$envelope, \"request\": {}, \"page\": {\"token\": \"not-a-token\"}}"

show "validate_credentials with a rejected token"
"$OLDPWD/$app" validate_credentials --json '{"auth": {"token": {"token": "bad-token"}}, "settings": {"base_url": "https://pretend.example"}, "request": {}}'

show "a result file instead of stdout"
"$OLDPWD/$app" list_resources --json "{$envelope, \"request\": {}}" --result-file-path result.json.gz
gzip -dc result.json.gz; echo

show "a usage error (exit 2, one line on stderr)"
"$OLDPWD/$app" list_acounts --json '{}' || echo "exit code $?"
