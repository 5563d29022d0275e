"""Web figures: requests per second for POST /api/diagnose, and the page-to-result time.

The server is `rejection-diagnosis serve` itself (one uvicorn worker, the bundled rules) in
its own process on a free loopback port. The load comes from wrk (Debian's package) when it
is installed, for a bounded time; else from this process over httpx2 keep-alive connections,
a bounded number of requests (the client's own cost then lowers the figure). For comparison, the same cases diagnosed in
process (the floor the HTTP layer adds to). With --browser, the median time from opening
the start page to seeing the result in headless Chromium, answering as the browser test
does, over the three scenarios of tests/test_web_browser.py.

Run: python benchmarks/web.py [--seconds 5] [--requests 3000] [--connections 1 4] [--browser]
     [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx  # the client Starlette's test client also uses (the dev extra)
import yaml

import rejection_diagnosis as rd

CASES: list[dict[str, Any]] = [
    {"posting_reposted": True, "interview_felt_great": True, "days_to_rejection": 21},
    {"hiring_freeze_announced": True, "posting_taken_down": True},
    {"stated_reason": "internal_candidate", "internal_candidate_mentioned": True},
    {"interviewer_raised_concern": True, "stated_reason": "skill_gap", "days_to_rejection": 3},
    {},
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def server() -> Iterator[str]:
    """`rejection-diagnosis serve` on a free loopback port, stopped afterwards."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "rejection_diagnosis", "serve",
                                "--host", "127.0.0.1", "--port", str(port)],
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/api/vocabulary", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def requests_per_second(url: str, total: int, connections: int) -> float:
    """``total`` POST /api/diagnose over ``connections`` keep-alive connections."""
    per = total // connections

    def run(offset: int) -> None:
        with httpx.Client(base_url=url) as http:
            for i in range(per):
                response = http.post("/api/diagnose",
                                     json={"observations": CASES[(i + offset) % len(CASES)]})
                response.raise_for_status()

    with ThreadPoolExecutor(connections) as pool:
        started = time.perf_counter()
        list(pool.map(run, range(connections)))
        elapsed = time.perf_counter() - started
    return per * connections / elapsed


def wrk_requests_per_second(url: str, seconds: int, connections: int) -> float:
    """wrk's requests/s for POST /api/diagnose with the first case, for ``seconds``."""
    import json

    body = json.dumps({"observations": CASES[0]})
    script = (f"wrk.method = 'POST'\nwrk.body = {json.dumps(body)}\n"
              "wrk.headers['Content-Type'] = 'application/json'\n")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s",
                               handle.name, url + "/api/diagnose"],
                              capture_output=True, text=True, check=True, timeout=seconds + 60)
    finally:
        os.unlink(handle.name)
    if "Non-2xx" in done.stdout:
        raise RuntimeError(f"wrk saw errors:\n{done.stdout}")
    found = re.search(r"Requests/sec:\s+([0-9.]+)", done.stdout)
    if found is None:
        raise RuntimeError(f"no figure in wrk's output:\n{done.stdout}")
    return float(found.group(1))


def in_process(total: int) -> float:
    kb = rd.load_rules()
    started = time.perf_counter()
    for i in range(total):
        kb.diagnose(CASES[i % len(CASES)]).to_dict()
    return total / (time.perf_counter() - started)


def browser_times(runs: int) -> list[float]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from test_web_browser import CHOSEN, SCENARIOS
    from web_server import chromium, consult, live_server

    scenarios = {s["name"]: s for s in yaml.safe_load(SCENARIOS.read_text())["scenarios"]}
    times: list[float] = []
    with live_server() as url, chromium() as driver:
        for _ in range(runs):
            for name in CHOSEN:
                case = scenarios[name]
                times.append(consult(driver, url, case["observations"], case.get("story", "")))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="wrk's duration per figure")
    parser.add_argument("--requests", type=int, default=3000, help="without wrk")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    parser.add_argument("--runs", type=int, default=1, help="browser rounds of three scenarios")
    parser.add_argument("--quick", action="store_true", help="a short run (for the tests)")
    args = parser.parse_args()
    total = 100 if args.quick else min(args.requests, 100_000)
    print(f"rejection-diagnosis {rd.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    print(f"in process: {in_process(total):,.0f} diagnoses/s (diagnose + to_dict)")
    use_wrk = shutil.which("wrk") is not None and not args.quick
    with server() as url:
        requests_per_second(url, 50, 1)  # warm-up
        for n in args.connections:
            if use_wrk:
                rate = wrk_requests_per_second(url, min(args.seconds, 60), n)
                how = f"wrk, {min(args.seconds, 60)} s"
            else:
                rate = requests_per_second(url, total, n)
                how = f"httpx2, {total} requests"
            print(f"POST /api/diagnose, 1 worker, {n} connection{'s' * (n > 1)}: "
                  f"{rate:,.0f} requests/s ({how})")
    if args.browser:
        times = browser_times(args.runs)
        print(f"page to result in Chromium: median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}, {len(times)} consultations)")


if __name__ == "__main__":
    main()
