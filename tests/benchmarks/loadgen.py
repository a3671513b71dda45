"""Two load generators with one interface: wrk (C, Debian package) and a multi-process http.client one.

Each sends every prepared request exactly once over ``concurrency`` connections, within a time limit,
and reports status counts, per-request latency percentiles, redirect targets (which name the token),
captured session cookies + CSRF tokens, and its own CPU time (to judge how much it disturbs the server).
"""

from __future__ import annotations

import http.client
import math
import multiprocessing
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

LUA_SCRIPT = Path(__file__).with_name("requests.lua")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SESSION_RE = re.compile(r"session=([^;]+)")
PERCENTILES = (50, 90, 95, 99)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    cookie: str = ""
    body: str = ""


@dataclass
class Result:
    """What one phase of load produced."""

    sent: int = 0
    answered: int = 0
    statuses: Counter = field(default_factory=Counter)
    socket_errors: int = 0
    locations: list[str] = field(default_factory=list)
    captured: list[tuple[str, str]] = field(default_factory=list)
    percentiles_ms: dict[float, float] = field(default_factory=dict)
    mean_ms: float = 0.0
    duration_s: float = 0.0
    client_cpu_s: float = 0.0

    @property
    def per_s(self) -> float:
        return self.answered / self.duration_s if self.duration_s else 0.0

    def count(self, *codes: int) -> int:
        return sum(self.statuses[c] for c in codes)


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def ensure_wrk() -> bool:
    """Install wrk from Debian if it is missing and we may (root); return whether it is there."""
    if have_wrk():
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], capture_output=True, check=False)
    return have_wrk()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    port: int, requests: list[Request], concurrency: int, duration_s: int, threads: int = 1
) -> Result:
    """Send the requests with wrk and the Lua script; connections = concurrency."""
    with tempfile.TemporaryDirectory(prefix="civic-bench-") as tmp:
        plan, out = Path(tmp, "requests.tsv"), Path(tmp, "out.tsv")
        plan.write_text("".join(f"{r.method}\t{r.path}\t{r.cookie}\t{r.body}\n" for r in requests))
        env = {**os.environ, "BENCH_WRK_OUT": str(out), "BENCH_WRK_THREADS": str(threads)}
        command = [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(max(concurrency, threads)),
            "-d",
            f"{duration_s}s",
            "--timeout",
            "30s",
            "-s",
            str(LUA_SCRIPT),
            f"http://127.0.0.1:{port}",
            "--",
            str(plan),
        ]
        before = _children_cpu()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        markers = [Path(f"{out}.done{i}") for i in range(threads)]
        deadline = time.monotonic() + duration_s + 60
        while process.poll() is None and not all(m.exists() for m in markers):
            if time.monotonic() > deadline:
                process.kill()
                break
            time.sleep(0.05)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # wrk then joins its threads and runs done()
        _, stderr = process.communicate(timeout=60)
        if process.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed ({process.returncode}): {stderr.decode(errors='replace')}")
        result = _read_wrk_output(out.read_text())
        result.client_cpu_s = _children_cpu() - before
    result.sent = len(requests)
    return result


def _read_wrk_output(text: str) -> Result:
    result = Result()
    for line in text.splitlines():
        kind, *rest = line.split("\t")
        if kind == "summary":
            _, answered, *errors = (int(x) for x in rest)  # wrk's own duration is always the full -d
            result.answered = answered
            # errors = connect, read, write, status (>= 400, already in statuses), timeout
            result.socket_errors = errors[0] + errors[1] + errors[2] + errors[4]
        elif kind == "latency":
            if rest[0] == "mean":
                result.mean_ms = int(rest[1]) / 1000
            else:
                result.percentiles_ms[float(rest[0])] = int(rest[1]) / 1000
        elif kind == "elapsed":
            result.duration_s = int(rest[0]) / 1e6
        elif kind == "status":
            result.statuses[int(rest[0])] += int(rest[1])
        elif kind == "ack":
            result.locations.append(rest[0])
        elif kind == "cap":
            result.captured.append((rest[0], rest[1]))
    return result


# --- the Python alternative ------------------------------------------------------------------------------


def _worker(args: tuple[int, list[Request], int, float]) -> dict:
    """Run ``connections`` threads in this process, each with its own keep-alive connection."""
    port, requests, connections, deadline = args
    lock = threading.Lock()
    queue = list(reversed(requests))
    out: dict = {"latencies": [], "statuses": Counter(), "locations": [], "captured": [], "errors": 0}

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    break
                req = queue.pop()
            headers = {"Cookie": req.cookie} if req.cookie else {}
            if req.method == "POST":
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            start = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=req.body or None, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                with lock:
                    out["errors"] += 1
                continue
            elapsed = time.perf_counter() - start
            with lock:
                out["latencies"].append(elapsed)
                out["statuses"][response.status] += 1
                if location := response.getheader("Location"):
                    out["locations"].append(location)
                cookie = SESSION_RE.search(response.getheader("Set-Cookie") or "")
                csrf = CSRF_RE.search(body.decode("utf-8", "replace")) if cookie else None
                if cookie and csrf:
                    out["captured"].append((cookie[1], csrf[1]))
        conn.close()

    workers = [threading.Thread(target=run) for _ in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu"] = usage.ru_utime + usage.ru_stime
    return out


def run_python(
    port: int, requests: list[Request], concurrency: int, duration_s: int, processes: int = 2
) -> Result:
    """Send the requests from ``processes`` processes sharing ``concurrency`` keep-alive connections."""
    processes = max(1, min(processes, concurrency))
    deadline = time.monotonic() + duration_s
    shares = [concurrency // processes + (1 if i < concurrency % processes else 0) for i in range(processes)]
    jobs = [(port, requests[i::processes], shares[i], deadline) for i in range(processes)]
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    with context.Pool(processes, maxtasksperchild=1) as pool:
        parts = pool.map(_worker, jobs, chunksize=1)
    result = Result(duration_s=time.perf_counter() - start, sent=len(requests))
    latencies: list[float] = []
    for part in parts:
        latencies.extend(part["latencies"])
        result.statuses.update(part["statuses"])
        result.locations.extend(part["locations"])
        result.captured.extend(part["captured"])
        result.socket_errors += part["errors"]
        result.client_cpu_s += part["cpu"]
    result.answered = len(latencies)
    latencies.sort()
    for p in (*PERCENTILES, 100):
        result.percentiles_ms[float(p)] = _percentile(latencies, p) * 1000
    result.mean_ms = sum(latencies) / len(latencies) * 1000 if latencies else 0.0
    return result


def _percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(values)))
    return values[min(rank, len(values)) - 1]


def run(client: str, port: int, requests: list[Request], concurrency: int, duration_s: int) -> Result:
    """Dispatch to the chosen generator ("wrk" or "python")."""
    if client == "wrk":
        return run_wrk(port, requests, concurrency, duration_s)
    return run_python(port, requests, concurrency, duration_s)


def combine(parts: list[Result]) -> Result:
    """Add up phases of load: counts, answers and time. Percentiles are the worst phase's (wrk reports
    percentiles, not each latency, so they cannot be pooled); the mean is weighted by answers."""
    total = Result()
    for part in parts:
        total.sent += part.sent
        total.answered += part.answered
        total.statuses.update(part.statuses)
        total.socket_errors += part.socket_errors
        total.locations.extend(part.locations)
        total.captured.extend(part.captured)
        total.duration_s += part.duration_s
        total.client_cpu_s += part.client_cpu_s
        for p, ms in part.percentiles_ms.items():
            total.percentiles_ms[p] = max(total.percentiles_ms.get(p, 0.0), ms)
    if total.answered:
        total.mean_ms = sum(p.mean_ms * p.answered for p in parts) / total.answered
    return total
