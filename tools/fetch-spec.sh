#!/usr/bin/env bash
# Fetches the protocol spec: downloads the pinned connector-py wheel from PyPI into
# target/spec/, checks its sha256 against tools/spec-pin.env, and extracts the
# openapi.yaml it ships to target/spec/openapi.yaml (the generator's default input).
# Idempotent: when the checked wheel is already there it only re-verifies its hash and
# the extracted copy. Needs a Python with pip ($PYTHON, default python3) and network to PyPI
# on the first run only.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tools/spec-pin.env
. tools/spec-pin.env

python=${PYTHON:-python3}
dir=target/spec
wheel="$dir/$CONNECTOR_PY_WHEEL"
spec="$dir/openapi.yaml"
mkdir -p "$dir"

sha256_of() {
  "$python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
}

if [ -f "$wheel" ] && [ "$(sha256_of "$wheel")" != "$CONNECTOR_PY_WHEEL_SHA256" ]; then
  echo "fetch-spec: $wheel does not match the pinned sha256; downloading it again" >&2
  rm -f "$wheel" "$spec"
fi

if [ ! -f "$wheel" ]; then
  echo "fetch-spec: downloading connector-py==$CONNECTOR_PY_VERSION from PyPI" >&2
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest "$dir" "connector-py==$CONNECTOR_PY_VERSION"
  actual=$(sha256_of "$wheel")
  if [ "$actual" != "$CONNECTOR_PY_WHEEL_SHA256" ]; then
    echo "fetch-spec: sha256 mismatch for $CONNECTOR_PY_WHEEL: expected $CONNECTOR_PY_WHEEL_SHA256, got $actual" >&2
    rm -f "$wheel"
    exit 1
  fi
fi

# Extracted every run (a fraction of a second), rewritten only when it differs from the
# wheel's copy, so a hand edit of target/spec/openapi.yaml never survives a fetch.
"$python" - "$wheel" "$CONNECTOR_PY_SPEC_MEMBER" "$spec" <<'PY'
import os, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as zf:
    data = zf.read(member)
if not os.path.exists(out) or open(out, "rb").read() != data:
    tmp = out + ".part"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, out)
PY
echo "fetch-spec: $spec (connector-py $CONNECTOR_PY_VERSION)" >&2
