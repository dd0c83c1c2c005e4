"""HTTP load for a fixed time: wrk or ab from the system's packages, parsed into one shape.

``make bench`` needs wrk (Debian's ``wrk``) or ab (``apache2-utils``); a small
Python generator (threads, one connection each) stands in only where asked
(``--tool python``: the smoke test in ``make test``, on machines without either).
"""

import http.client
import math
import re
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

TOOLS = ("wrk", "ab")
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class LoadResult:
    tool: str
    seconds: float
    requests: int
    requests_per_second: float
    p50_ms: float | None  # None when no request completed
    p99_ms: float | None
    errors: int  # non-2xx/3xx answers, failed connections and timeouts

    def as_dict(self) -> dict:
        return asdict(self)


def find_tool(preferred: str = "auto") -> str:
    """The load generator to use: ``preferred`` if installed, else wrk, else ab."""
    if preferred == "python":
        return "python"
    candidates = TOOLS if preferred == "auto" else (preferred,)
    for tool in candidates:
        if shutil.which(tool):
            return tool
    wanted = " or ".join(candidates)
    raise RuntimeError(
        f"No load generator: install {wanted} (Debian: sudo apt-get install wrk, "
        "or apache2-utils for ab)."
    )


def tool_version(tool: str) -> str:
    if tool == "python":
        return "built-in Python generator"
    command = [tool, "-v"] if tool == "wrk" else [tool, "-V"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    first = (result.stdout or result.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0].strip() if first else tool


def run_load(tool: str, url: str, *, seconds: float, connections: int, threads: int) -> LoadResult:
    """Load ``url`` for ``seconds`` (whole seconds, at least one: wrk and ab count so)."""
    seconds = max(1, math.ceil(seconds))
    if tool == "wrk":
        return _wrk(url, seconds=seconds, connections=connections, threads=threads)
    if tool == "ab":
        return _ab(url, seconds=seconds, connections=connections)
    return _python(url, seconds=seconds, connections=connections)


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str, seconds: float) -> LoadResult:
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", output, re.M))
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in ([\d.]+)(\w+)", output, re.M)
    if not (rate and total and "50" in percentiles and "99" in percentiles):
        raise ValueError(f"cannot read wrk's output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    requests = int(total.group(1))
    return LoadResult(
        tool="wrk",
        seconds=round(_duration_ms(total.group(2) + total.group(3)) / 1000, 2),
        requests=requests,
        requests_per_second=round(float(rate.group(1)), 1),
        p50_ms=round(_duration_ms(percentiles["50"]), 2) if requests else None,
        p99_ms=round(_duration_ms(percentiles["99"]), 2) if requests else None,
        errors=errors,
    )


def _wrk(url: str, *, seconds: float, connections: int, threads: int) -> LoadResult:
    command = [
        "wrk",
        f"-t{max(1, min(threads, connections))}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "--latency",
        url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(result.stdout, seconds)


def parse_ab(output: str) -> LoadResult:
    rate = re.search(r"^Requests per second:\s+([\d.]+)", output, re.M)
    complete = re.search(r"^Complete requests:\s+(\d+)", output, re.M)
    taken = re.search(r"^Time taken for tests:\s+([\d.]+)", output, re.M)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\d+)", output, re.M))
    if not (rate and complete and taken and "50" in percentiles and "99" in percentiles):
        raise ValueError(f"cannot read ab's output:\n{output}")
    failed = re.search(r"^Failed requests:\s+(\d+)", output, re.M)
    non_2xx = re.search(r"^Non-2xx responses:\s+(\d+)", output, re.M)
    return LoadResult(
        tool="ab",
        seconds=round(float(taken.group(1)), 2),
        requests=int(complete.group(1)),
        requests_per_second=round(float(rate.group(1)), 1),
        p50_ms=float(percentiles["50"]),
        p99_ms=float(percentiles["99"]),
        errors=sum(int(m.group(1)) for m in (failed, non_2xx) if m),
    )


def _ab(url: str, *, seconds: float, connections: int) -> LoadResult:
    # -t stops after the time limit; -n only has to be large enough never to stop first.
    command = ["ab", "-q", "-l", "-s", "30", "-t", str(seconds), "-n", "10000000"]
    command += ["-c", str(connections), url]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_ab(result.stdout)


def _python(url: str, *, seconds: float, connections: int) -> LoadResult:
    """Closed-loop load from threads, one HTTP/1.1 connection each (reopened when closed)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        mine, failed = [], 0
        connection = None
        while time.perf_counter() < deadline:
            if connection is None:
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            started = time.perf_counter()
            try:
                connection.request("GET", target)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = None
                continue
            mine.append((time.perf_counter() - started) * 1000)
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    if not latencies:
        raise RuntimeError(f"no answer from {url}")
    return LoadResult(
        tool="python",
        seconds=round(elapsed, 2),
        requests=len(latencies),
        requests_per_second=round(len(latencies) / elapsed, 1),
        p50_ms=round(statistics.median(latencies), 2),
        p99_ms=round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 2),
        errors=errors,
    )


def combine(results: list[LoadResult]) -> LoadResult:
    """One result from consecutive runs of the same URL: their total rate; the median of
    their medians and the worst of their 99th percentiles (percentiles do not add up)."""
    answered = [result for result in results if result.requests]
    requests = sum(result.requests for result in results)
    seconds = sum(result.seconds for result in results)
    return LoadResult(
        tool=results[0].tool,
        seconds=round(seconds, 2),
        requests=requests,
        requests_per_second=round(requests / seconds, 1) if seconds else 0.0,
        p50_ms=round(statistics.median(r.p50_ms for r in answered), 2) if answered else None,
        p99_ms=max(r.p99_ms for r in answered) if answered else None,
        errors=sum(result.errors for result in results),
    )
