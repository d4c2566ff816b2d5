#!/usr/bin/env python3
"""Peak memory of the SCIM connector's CLI against hostile input, beside the input's size.

Runs the built `scim-connector` binary (path as the first argument) under GNU time
against a loopback upstream that answers every request with one prepared body, and with
hostile envelopes, and prints one line per case: the input size, the peak RSS, their
ratio and the answer's error code. Issue [8] asks that memory stay within a few times the
input; this is how that was measured (bench/hostile_memory.sh builds and runs it).
"""

import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

MB = 1 << 20


class Upstream(http.server.ThreadingHTTPServer):
    """Answers every GET and POST with `self.status` and `self.body`."""

    daemon_threads = True
    status = 200
    body = b"{}"
    content_type = "application/scim+json"


class Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self):
        server = self.server
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(server.status)
        self.send_header("content-type", server.content_type)
        self.send_header("content-length", str(len(server.body)))
        self.end_headers()
        try:
            self.wfile.write(server.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args):
        pass


def scim_page(count, padding):
    users = [
        {
            "id": f"u{index}",
            "userName": f"user{index}@example.com",
            "active": True,
            "displayName": "x" * padding,
        }
        for index in range(count)
    ]
    return json.dumps(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": count,
            "startIndex": 1,
            "itemsPerPage": count,
            "Resources": users,
        }
    ).encode()


def run(binary, args, env=None, stdin=None):
    """Runs the binary under GNU time; returns (peak RSS in bytes, stdout, exit code)."""
    with tempfile.NamedTemporaryFile("r") as report:
        full_env = dict(os.environ, **(env or {}))
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", report.name, binary, *args],
            input=stdin,
            capture_output=True,
            env=full_env,
            check=False,
        )
        peak_kib = int(report.read().strip().splitlines()[-1])
    return peak_kib * 1024, done.stdout, done.returncode


def error_code(stdout):
    try:
        answer = json.loads(stdout)
    except ValueError:
        return f"<not JSON: {stdout[:60]!r}>"
    error = answer.get("error") or {}
    return error.get("error_code") or "ok"


def main():
    binary = sys.argv[1]
    upstream = Upstream(("127.0.0.1", 0), Handler)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{upstream.server_address[1]}/v2"
    envelope = {
        "auth": {"token": {"token": "tok-memory-bench-5d41402a"}},
        "settings": {"base_url": base},
        "request": {},
        "page": {"size": 100},
    }
    small = json.dumps(envelope).encode()
    rows = []

    def case(name, input_bytes, args, env=None, stdin=None):
        peak, stdout, code = run(binary, args, env, stdin)
        ratio = peak / input_bytes if input_bytes else float("nan")
        rows.append((name, input_bytes, peak, ratio, error_code(stdout), code))

    upstream.status, upstream.body = 200, scim_page(2, 10)
    case("baseline: a small page", len(upstream.body), ["list_accounts", "--json-file", "-"],
         stdin=small)

    upstream.status, upstream.body = 500, b"<html>" + b"E" * (60 * MB) + b"</html>"
    upstream.content_type = "text/html"
    case("upstream 500 with a 60 MB body", len(upstream.body),
         ["list_accounts", "--json-file", "-"], stdin=small)
    case("  the same at LUMOS_LOG_LEVEL=DEBUG", len(upstream.body),
         ["list_accounts", "--json-file", "-"],
         env={"LUMOS_LOG_LEVEL": "DEBUG", "LUMOS_LOG_TO_STDOUT": "true"}, stdin=small)

    upstream.status, upstream.body = 200, b'{"Resources": [' + b"1," * (50 * MB) + b"1]}"
    upstream.content_type = "application/scim+json"
    case("upstream 200 with a 100 MB body (past the 64 MB cap)", len(upstream.body),
         ["list_accounts", "--json-file", "-"], stdin=small)

    upstream.body = scim_page(20_000, 1500)
    case(f"upstream 200, a real {len(upstream.body) // MB} MB page", len(upstream.body),
         ["list_accounts", "--json-file", "-"], stdin=small)

    upstream.status, upstream.body = 200, scim_page(2, 10)
    big = dict(envelope, request={"padding": "p" * (50 * MB)})
    big_bytes = json.dumps(big).encode()
    case("a 50 MB request envelope (past the 32 MB cap), INFO", len(big_bytes),
         ["list_accounts", "--json-file", "-"],
         env={"LUMOS_LOG_LEVEL": "INFO", "LUMOS_LOG_TO_STDOUT": "true"}, stdin=big_bytes)
    below = dict(envelope, settings={"base_url": base, "users_endpoint": "/Users",
                                     "padding": "q" * (30 * MB)})
    below_bytes = json.dumps(below).encode()
    case("a 30 MB request envelope (under the cap), INFO", len(below_bytes),
         ["list_accounts", "--json-file", "-"],
         env={"LUMOS_LOG_LEVEL": "INFO", "LUMOS_LOG_TO_STDOUT": "true"}, stdin=below_bytes)

    upstream.shutdown()
    print(f"{'case':58} {'input':>9} {'peak RSS':>9} {'ratio':>6}  answer (exit)")
    for name, input_bytes, peak, ratio, code, status in rows:
        print(f"{name:58} {input_bytes / MB:8.1f}M {peak / MB:8.1f}M {ratio:6.2f}  {code} ({status})")


if __name__ == "__main__":
    main()
