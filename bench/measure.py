"""Runs the side-by-side measurements of bench/compare.sh and prints their ratios.

Every measure runs each side on the same input, alternating the sides run after run, and
reports each side's median and the min / median / max of the per-pair ratios. Wall time
is taken around each child process, peak RSS comes from GNU time's getrusage of that child
(see ``run``), so the measuring Python process itself is never counted. Before timing anything it checks
that the sides answer alike: the Rust and Python connectors JSON-equal (page tokens and
``raised_in`` aside), the floor program byte-equal to the Rust connector.

Stdlib only. Called by bench/compare.sh with the paths of what it built and installed;
run ``python3 bench/measure.py --help`` for the arguments, and see bench/README.md for the
environment variables that size the run.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

GNU_TIME = os.environ.get("BENCH_GNU_TIME", "/usr/bin/time")

ENVELOPE = {
    "auth": {"token": {"token": "bench-token"}},
    "settings": {"base_url": "https://demo.example.com"},
    "request": {},
}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def envelope(page: dict | None = None) -> str:
    value = dict(ENVELOPE)
    if page is not None:
        value["page"] = page
    return json.dumps(value, separators=(",", ":"))


class Run:
    """One finished child process: wall seconds, peak RSS in MiB, exit code, stdout."""

    def __init__(self, seconds: float, rss_mib: float, code: int, stdout: bytes):
        self.seconds = seconds
        self.rss_mib = rss_mib
        self.code = code
        self.stdout = stdout


def run(argv: list[str], env: dict[str, str], cwd: str) -> Run:
    """Runs argv twice to completion with stdout into a file: once timed, once for its peak RSS.

    The wall time is taken here around a run of the command alone. The peak RSS comes from
    a second run under GNU time (``/usr/bin/time -f %M``), not from this process's own
    wait4: Linux carries the high-water RSS of the process that forked over into the exec'd
    child, so a child forked straight from this (large) Python process would report this
    process's RSS. GNU time is small, so what it reports is the command's own; but starting
    it costs about 0.9 ms, which would be most of a 2 ms command's time, hence the two runs.
    The timed run's output and exit code are the ones returned.
    """
    with tempfile.TemporaryFile(dir=cwd) as out, tempfile.NamedTemporaryFile(dir=cwd, mode="r") as rss:
        start = time.perf_counter()
        child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        code = child.wait()
        seconds = time.perf_counter() - start
        subprocess.run([GNU_TIME, "-o", rss.name, "-f", "%M", *argv], env=env, cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        lines = rss.read().split()
        kib = float(lines[-1]) if lines and lines[-1].isdigit() else float("nan")
        out.seek(0)
        return Run(seconds, kib / 1024.0, code, out.read())


def spread(values: list[float]) -> dict:
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def normalised(answer: bytes) -> object:
    """An answer as JSON with the page token and ``raised_in`` set aside."""
    value = json.loads(answer)
    if isinstance(value, dict):
        if isinstance(value.get("page"), dict) and "token" in value["page"]:
            value["page"]["token"] = "<token>"
        if isinstance(value.get("error"), dict) and "raised_in" in value["error"]:
            value["error"]["raised_in"] = "<raised_in>"
    return value


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.rust = args.rust
        self.python = [args.python, args.twin]
        self.floor = args.floor
        self.dispatch_rate = args.dispatch_rate
        self.loadgen = args.loadgen
        self.work = tempfile.mkdtemp(prefix="connector-bench-")
        base = {k: v for k, v in os.environ.items() if not k.startswith("LUMOS_")}
        base.pop("DEMO_ACCOUNTS", None)
        # The SDK clamps page sizes to 10,000 by default (a documented, raisable limit); the
        # one-page listings ask for up to 100,000, as the reference answers them.
        base["CONNECTOR_SDK_MAX_PAGE_SIZE"] = "1000000"
        self.env = base
        self.results: list[dict] = []
        self.failures: list[str] = []

    def env_with(self, **extra: str) -> dict[str, str]:
        env = dict(self.env)
        env.update(extra)
        return env

    # Checks -----------------------------------------------------------------

    def check_equal(self, what: str, rust: bytes, python: bytes) -> None:
        try:
            same = normalised(rust) == normalised(python)
        except ValueError as err:
            same = False
            print(f"  {what}: not JSON ({err})")
        print(f"  check {what}: Rust and Python answers JSON-equal: {'yes' if same else 'NO'}")
        if not same:
            self.failures.append(f"{what}: answers differ")

    def check_answers(self, sizes: list[int]) -> None:
        print("== checks (before timing)")
        rust = run([self.rust, "info"], self.env, self.work)
        python = run([*self.python, "info"], self.env, self.work)
        self.check_equal("info", rust.stdout, python.stdout)
        cases = [
            ("validate_credentials", {}, None),
            ("list_accounts page 1 of 5", {"DEMO_ACCOUNTS": "5"}, None),
            ("list_accounts of 5 in one page", {"DEMO_ACCOUNTS": "5"}, {"size": 5}),
        ]
        for what, extra, page in cases:
            capability = what.split()[0]
            argv = [capability, "--json", envelope(page)]
            rust = run([self.rust, *argv], self.env_with(**extra), self.work)
            python = run([*self.python, *argv], self.env_with(**extra), self.work)
            self.check_equal(what, rust.stdout, python.stdout)
        for size in sizes:
            argv = ["list_accounts", "--json", envelope({"size": size})]
            env = self.env_with(DEMO_ACCOUNTS=str(size))
            rust = run([self.rust, *argv], env, self.work)
            python = run([*self.python, *argv], env, self.work)
            floor = run([self.floor, *argv], env, self.work)
            self.check_equal(f"list_accounts of {size} in one page", rust.stdout, python.stdout)
            same = rust.stdout == floor.stdout and rust.code == 0 and floor.code == 0
            print(f"  check list_accounts of {size}: floor byte-equal to Rust: {'yes' if same else 'NO'}")
            if not same:
                self.failures.append(f"floor of {size}: bytes differ")

    # Paired process runs ----------------------------------------------------

    def paired(self, name: str, sides: dict[str, list[str]], env: dict[str, str], runs: int,
               ratios: list[tuple[str, str]]) -> None:
        """Runs each side `runs` times, alternating (rotating the starting side each round)."""
        samples: dict[str, list[Run]] = {side: [] for side in sides}
        order = list(sides)
        for round_ in range(runs):
            for side in order[round_ % len(order):] + order[: round_ % len(order)]:
                result = run(sides[side], env, self.work)
                if result.code != 0:
                    self.failures.append(f"{name}: {side} exited {result.code}")
                samples[side].append(result)
        entry = {"measure": name, "runs": runs, "sides": {}, "ratios": []}
        print(f"== {name} ({runs} runs each, alternating)")
        for side, results in samples.items():
            seconds = spread([r.seconds * 1000 for r in results])
            rss = spread([r.rss_mib for r in results])
            entry["sides"][side] = {"ms": seconds, "rss_mib": rss}
            print(f"  {side:>7}: median {seconds['median']:9.1f} ms  (min {seconds['min']:.1f}, max {seconds['max']:.1f}),"
                  f"  peak RSS median {rss['median']:6.1f} MiB")
        for slow, fast in ratios:
            for unit, pick in (("time", lambda r: r.seconds), ("memory", lambda r: r.rss_mib)):
                values = [pick(a) / pick(b) for a, b in zip(samples[slow], samples[fast])]
                ratio = spread(values)
                entry["ratios"].append({"of": slow, "to": fast, "unit": unit, **ratio})
                print(f"  {slow}/{fast} {unit}: min {ratio['min']:.2f}x  median {ratio['median']:.2f}x  max {ratio['max']:.2f}x")
        self.results.append(entry)

    def cold_start(self, runs: int) -> None:
        self.paired("CLI cold start: info", {"python": [*self.python, "info"], "rust": [self.rust, "info"]},
                    self.env, runs, [("python", "rust")])
        argv = ["validate_credentials", "--json", envelope()]
        self.paired("CLI cold start: validate_credentials",
                    {"python": [*self.python, *argv], "rust": [self.rust, *argv]},
                    self.env, runs, [("python", "rust")])

    def listing(self, size: int, runs: int) -> None:
        argv = ["list_accounts", "--json", envelope({"size": size})]
        self.paired(f"list_accounts of {size:,} in one page",
                    {"python": [*self.python, *argv], "rust": [self.rust, *argv], "floor": [self.floor, *argv]},
                    self.env_with(DEMO_ACCOUNTS=str(size)), runs, [("python", "rust"), ("rust", "floor")])

    # Rates ------------------------------------------------------------------

    def rate(self, argv: list[str], key: str) -> float:
        result = run(argv, self.env, self.work)
        if result.code != 0:
            raise SystemExit(f"{argv[0]} failed (exit {result.code})")
        return json.loads(result.stdout)[key]

    def rates(self, name: str, sides: dict[str, list[str]], key: str, runs: int, unit: str) -> None:
        samples: dict[str, list[float]] = {side: [] for side in sides}
        for _ in range(runs):
            for side, argv in sides.items():
                samples[side].append(self.rate(argv, key))
        entry = {"measure": name, "runs": runs, "sides": {}, "ratios": []}
        print(f"== {name} ({runs} runs each, alternating)")
        for side, values in samples.items():
            entry["sides"][side] = {unit: spread(values)}
            print(f"  {side:>7}: median {statistics.median(values):12,.0f} {unit}  (min {min(values):,.0f}, max {max(values):,.0f})")
        if len(sides) == 2:
            fast, slow = list(sides)
            ratio = spread([a / b for a, b in zip(samples[fast], samples[slow])])
            entry["ratios"].append({"of": fast, "to": slow, "unit": unit, **ratio})
            print(f"  {fast}/{slow}: min {ratio['min']:.1f}x  median {ratio['median']:.1f}x  max {ratio['max']:.1f}x")
        self.results.append(entry)

    def dispatch(self, runs: int, seconds: float) -> None:
        calls = str(env_int("BENCH_DISPATCH_CALLS", 1_000_000))
        self.rates("in-process dispatch of validate_credentials",
                   {"rust": [self.dispatch_rate, "--calls", calls, "--seconds", str(seconds)],
                    "python": [*self.python, "--dispatch-rate", calls, str(seconds)]},
                   "calls_per_second", runs, "calls/s")

    # HTTP -------------------------------------------------------------------

    def serve(self, argv: list[str], port: int) -> subprocess.Popen | None:
        log = open(os.path.join(self.work, f"server-{port}.log"), "wb")
        server = subprocess.Popen([*argv, "--port", str(port)], env=self.env, cwd=self.work,
                                  stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                return None
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return server
            except OSError:
                time.sleep(0.2)
        server.kill()
        server.wait()
        return None

    def post(self, port: int, capability: str, body: str) -> bytes:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/{capability}", data=body.encode(),
                                         headers={"content-type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.read()

    def http(self, concurrencies: list[int], runs: int, seconds: float, requests: int) -> None:
        servers = {"python": ([*self.python, "dev", "http-server"], free_port())}
        has_http = subprocess.run([self.rust, "dev", "http-server", "--help"], env=self.env, cwd=self.work,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
        if has_http:
            servers["rust"] = ([self.rust, "dev", "http-server"], free_port())
        else:
            print("== HTTP rust side: skipped: no HTTP mode (`demo-app dev http-server --help` fails)")
        started: dict[str, tuple[subprocess.Popen, int]] = {}
        try:
            for side, (argv, port) in servers.items():
                server = self.serve(argv, port)
                if server is None:
                    self.failures.append(f"HTTP: the {side} server did not start")
                    continue
                started[side] = (server, port)
            body = envelope()
            answers = {side: self.post(port, "validate_credentials", body) for side, (_, port) in started.items()}
            if len(answers) == 2:
                self.check_equal("HTTP validate_credentials", answers["rust"], answers["python"])
            for concurrency in concurrencies:
                sides = {
                    side: [self.loadgen, "--url", f"http://127.0.0.1:{port}/validate_credentials", "--body", body,
                           "--expect", '"valid":true', "--concurrency", str(concurrency),
                           "--requests", str(requests), "--seconds", str(seconds)]
                    for side, (_, port) in sorted(started.items(), key=lambda item: item[0] != "rust")
                }
                self.rates(f"HTTP validate_credentials at concurrency {concurrency} (server and load generator share 2 cores)",
                           sides, "requests_per_second", runs, "req/s")
        finally:
            for server, _ in started.values():
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        with open("/proc/cpuinfo") as cpu:
            for line in cpu:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as mem:
            kib = int(mem.readline().split(":", 1)[1].split()[0])
            info["memory"] = f"{kib / 1024 / 1024:.1f} GiB"
        info["load_average_at_start"] = os.getloadavg()
    except OSError:
        pass
    return info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rust", required=True, help="the demo twin's release binary")
    parser.add_argument("--python", required=True, help="the venv's python")
    parser.add_argument("--twin", required=True, help="bench/python/demo_twin.py")
    parser.add_argument("--floor", required=True, help="the floor program's release binary")
    parser.add_argument("--dispatch-rate", required=True, help="the dispatch-rate release binary")
    parser.add_argument("--loadgen", required=True, help="the load generator's release binary")
    parser.add_argument("--out", required=True, help="where the results JSON goes")
    args = parser.parse_args()
    bench = Bench(args)
    try:
        return measure(bench, args)
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)


def measure(bench: Bench, args: argparse.Namespace) -> int:
    sizes = [int(size) for size in os.environ.get("BENCH_SIZES", "10000 100000").split()]
    started = time.time()
    meta = machine()
    bench.check_answers(sizes)
    bench.cold_start(env_int("BENCH_COLD_RUNS", 10))
    for size in sizes:
        bench.listing(size, env_int("BENCH_LIST_RUNS", 5))
    bench.dispatch(env_int("BENCH_RATE_RUNS", 3), env_float("BENCH_DISPATCH_SECONDS", 2))
    concurrencies = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1 16 64").split()]
    bench.http(concurrencies, env_int("BENCH_RATE_RUNS", 3), env_float("BENCH_HTTP_SECONDS", 3),
               env_int("BENCH_HTTP_REQUESTS", 100_000))
    meta["seconds"] = time.time() - started
    with open(args.out, "w") as out:
        json.dump({"machine": meta, "results": bench.results, "failures": bench.failures}, out, indent=1)
    print(f"== done in {meta['seconds']:.0f} s; results in {args.out}")
    for failure in bench.failures:
        print(f"FAILED: {failure}")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
