"""Benchmark complete survey submissions through gunicorn against PostgreSQL, next to a one-row baseline.

    .venv/bin/python -m tests.benchmarks.bench_submissions [--requests N] [--concurrency C] [--duration S]

A fresh database (civic_bench) gets the schema, a 12-question one-page survey and N personal-link
invitations. gunicorn serves civic on a free loopback port with CSRF on; each simulated resident loads
the page once (GET: session cookie + CSRF token), then all residents press Send (POST
/p/<token>/page/1), each with its own token and session. The same gunicorn settings then serve
baseline_app.py, hit with N one-row inserts at the same concurrency. Finally the database is counted:
every acknowledged submission (303 to /p/<token>/done) must have a submitted response with 12 answers.
The last line printed holds the figures as key=value pairs. Everything stays on 127.0.0.1.

Besides requests per second, each phase reports the CPU time per request of the gunicorn processes (web
µs) and of the PostgreSQL backends serving the database (db µs), read from /proc. They change much less
than throughput with other load on the machine (~10-15 % up on a busy one), so they are the figures to
compare between code changes.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from tests.benchmarks import baseline_app, loadgen, seed
from tests.benchmarks.loadgen import Request, Result

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
GOALS = {"submissions_per_s": 300, "p95_ms": 150, "ratio": 0.4}


@dataclass
class ServerSettings:
    workers: int
    worker_class: str
    threads: int

    def args(self) -> list[str]:
        args = ["-w", str(self.workers), "-k", self.worker_class]
        return [*args, "--threads", str(self.threads)] if self.worker_class == "gthread" else args

    def label(self) -> str:
        if self.worker_class == "gthread":
            return f"{self.workers}x{self.worker_class}({self.threads} threads)"
        return f"{self.workers}x{self.worker_class}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn master this benchmark started, stopped by its own pid."""

    def __init__(self, app: str, settings: ServerSettings, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        command = [str(GUNICORN), *settings.args(), "-b", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), app]
        self.log = log.open("w")
        self.process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT
        )
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within 30 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def _cpu_busy() -> tuple[int, int]:
    """Return (busy, total) jiffies of the whole machine from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    """Return the CPU seconds (user + system) ``pid`` has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _database_backends(database: str) -> list[int]:
    """Return the pids of the PostgreSQL backends connected to ``database`` (the server is local)."""
    if not database.replace("_", "").isalnum():
        raise ValueError(f"unsafe database name {database!r}")
    out = subprocess.run(
        [
            "psql",
            "-h",
            seed.PG_HOST,
            "-p",
            str(seed.PG_PORT),
            "-U",
            seed.PG_USER,
            "-d",
            "postgres",
            "-Atc",
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}' AND pid <> pg_backend_pid()",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(x) for x in out.stdout.split()]


@dataclass
class CpuUse:
    """CPU seconds a phase cost: the whole machine's busy share, the web server, the database backends."""

    busy_share: float
    server_s: float
    database_s: float


def measured(phase, server: Server, database: str):
    """Run ``phase()``; return (its result, CpuUse of the machine, the gunicorn processes and PostgreSQL).

    Server and database CPU seconds per request do not depend on what else the machine runs (other than
    through caches), unlike requests per second: they are the figures to compare between code changes.
    """

    def snapshot() -> tuple[dict[int, float], dict[int, float]]:
        web = [server.process.pid, *_children(server.process.pid)]
        return {p: _process_cpu(p) for p in web}, {p: _process_cpu(p) for p in _database_backends(database)}

    web0, db0 = snapshot()
    busy0, total0 = _cpu_busy()
    result = phase()
    busy1, total1 = _cpu_busy()
    web1, db1 = snapshot()
    used = CpuUse(
        (busy1 - busy0) / max(1, total1 - total0),
        sum(cpu - web0.get(pid, 0.0) for pid, cpu in web1.items()),
        sum(cpu - db0.get(pid, 0.0) for pid, cpu in db1.items()),
    )
    return result, used


def page_loads(tokens: list[str]) -> list[Request]:
    return [Request("GET", f"/p/{t}/page/1") for t in tokens]


def submissions(tokens: list[str], pairs: list[tuple[str, str]], prepared, rng) -> list[Request]:
    """Return one Send per token, each with the cookie and CSRF token of a different page load."""
    return [
        Request("POST", f"/p/{t}/page/1", f"session={cookie}", seed.submit_body(csrf, prepared.questions, rng))
        for t, (cookie, csrf) in zip(tokens, pairs, strict=False)
    ]


def acked_tokens(result: Result) -> set[str]:
    """Return the tokens whose submission was answered with the redirect to the receipt."""
    return {unquote(loc.split("/p/", 1)[1].split("/", 1)[0]) for loc in result.locations if "/done" in loc}


def run_civic(args, prepared, settings: ServerSettings, logdir: Path) -> dict:
    env = {
        "CIVIC_SQLALCHEMY_DATABASE_URI": prepared.url,
        "CIVIC_SECRET_KEY": secrets.token_hex(32),
        "CIVIC_WEBHOOK_SECRET": secrets.token_hex(32),
        "CIVIC_ENV_NAME": "production",  # validate_config refuses unsafe settings, e.g. CSRF off
        "CIVIC_CELERY__broker_url": "redis://127.0.0.1:6379/11",  # production refuses the embedded broker
        "CIVIC_RATELIMIT_ENABLED": "false",
    }
    rng = random.Random(12)
    warm, main = prepared.tokens[: args.warmup], prepared.tokens[args.warmup :]
    server = Server("wsgi:app", settings, env, logdir / "gunicorn-civic.log")
    try:
        # Warm-up: every worker imports lazily and compiles its templates on first use.
        warm_get = loadgen.run_python(server.port, page_loads(warm), settings.workers, args.duration)
        warm_post = loadgen.run_python(
            server.port, submissions(warm, warm_get.captured, prepared, rng), settings.workers, args.duration
        )
        get, get_cpu = measured(
            lambda: loadgen.run(args.client, server.port, page_loads(main), args.concurrency, args.duration),
            server,
            args.database,
        )
        if len(get.captured) < get.answered:
            missing = get.answered - len(get.captured)
            print(f"warning: {missing} page loads gave no session cookie + CSRF token", file=sys.stderr)
        # Residents whose page load failed have no session: they cannot press Send.
        posts = submissions(main, get.captured, prepared, rng)
        post, post_cpu = measured(
            lambda: loadgen.run(args.client, server.port, posts, args.concurrency, args.duration),
            server,
            args.database,
        )
    finally:
        server.stop()
    return {
        "warm_post": warm_post,
        "get": get,
        "get_cpu": get_cpu,
        "post": post,
        "post_cpu": post_cpu,
        "posted_tokens": main[: len(posts)],
    }


def run_baseline(args, prepared, settings: ServerSettings, logdir: Path) -> dict:
    baseline_app.create_table(prepared.url)
    env = {"BENCH_BASELINE_DATABASE_URI": prepared.url}
    server = Server("tests.benchmarks.baseline_app:app", settings, env, logdir / "gunicorn-baseline.log")
    body = "note=" + "x" * 40
    try:
        warm = [Request("POST", f"/insert/warm{i}", "", body) for i in range(args.warmup)]
        loadgen.run_python(server.port, warm, settings.workers, args.duration)
        requests = [Request("POST", f"/insert/b{i}", "", body) for i in range(args.requests)]
        post, cpu = measured(
            lambda: loadgen.run(args.client, server.port, requests, args.concurrency, args.duration),
            server,
            args.database,
        )
    finally:
        server.stop()
    rows = baseline_app.count_rows(prepared.url)
    return {"post": post, "cpu": cpu, "rows": rows, "warm": len(warm)}


def _figures(civic: dict, base: dict, stored: seed.Stored, settings, args) -> dict:
    post, bpost = civic["post"], base["post"]
    acked = acked_tokens(post) | acked_tokens(civic["warm_post"])
    ok = post.count(303)
    per_s = ok / post.duration_s if post.duration_s else 0.0
    base_per_s = bpost.count(303) / bpost.duration_s if bpost.duration_s else 0.0
    lost = len(acked - stored.submitted_tokens) + max(0, bpost.count(303) + base["warm"] - base["rows"])
    errors = (post.answered - ok) + post.socket_errors + (bpost.answered - bpost.count(303)) + bpost.socket_errors
    return {
        "submissions_per_s": round(per_s, 1),
        "p50_ms": round(post.percentiles_ms.get(50.0, 0.0), 1),
        "p95_ms": round(post.percentiles_ms.get(95.0, 0.0), 1),
        "p99_ms": round(post.percentiles_ms.get(99.0, 0.0), 1),
        "baseline_per_s": round(base_per_s, 1),
        "baseline_p95_ms": round(bpost.percentiles_ms.get(95.0, 0.0), 1),
        "ratio": round(per_s / base_per_s, 3) if base_per_s else 0.0,
        "lost": lost,
        "errors": errors,
        "duplicates": (stored.responses - stored.distinct_keys) + stored.bad_answer_counts,
        "web_us": round(civic["post_cpu"].server_s / max(1, post.answered) * 1e6),
        "db_us": round(civic["post_cpu"].database_s / max(1, post.answered) * 1e6),
        "baseline_web_us": round(base["cpu"].server_s / max(1, bpost.answered) * 1e6),
        "baseline_db_us": round(base["cpu"].database_s / max(1, bpost.answered) * 1e6),
        "workers": settings.workers,
        "worker_class": settings.worker_class,
        "concurrency": args.concurrency,
        "client": args.client,
    }


def _row(name: str, r: Result, cpu: CpuUse) -> str:
    p50, p95, p99, top = (r.percentiles_ms.get(q, 0.0) for q in (50.0, 95.0, 99.0, 100.0))
    statuses = ",".join(f"{code}:{n}" for code, n in sorted(r.statuses.items())) or "-"
    n = max(1, r.answered)
    client_us = r.client_cpu_s / n * 1e6
    return (
        f"{name:<22}{r.answered:>7}{r.per_s:>9.1f}{p50:>8.1f}{p95:>8.1f}{p99:>8.1f}{top:>8.1f}"
        f"{cpu.busy_share * 100:>6.0f}%{cpu.server_s / n * 1e6:>8.0f}{cpu.database_s / n * 1e6:>8.0f}"
        f"{client_us:>8.0f}  {statuses}"
    )


def report(civic: dict, base: dict, stored: seed.Stored, figures: dict, settings, args) -> None:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\ncivic submission benchmark — gunicorn {settings.label()}, client {args.client}, "
        f"concurrency {args.concurrency}, {args.requests} residents, {os.cpu_count()} CPUs, "
        f"load average at start {args.load_before}, at end {load}"
    )
    print(
        f"{'phase':<22}{'count':>7}{'req/s':>9}{'p50ms':>8}{'p95ms':>8}{'p99ms':>8}{'maxms':>8}"
        f"{'cpu':>7}{'web µs':>8}{'db µs':>8}{'cli µs':>8}  statuses"
    )
    print(_row("page load (GET)", civic["get"], civic["get_cpu"]))
    print(_row("submission (POST)", civic["post"], civic["post_cpu"]))
    print(_row("baseline insert", base["post"], base["cpu"]))
    print(
        "(cpu = whole machine busy during the phase; CPU per request of: web = gunicorn processes, "
        "db = PostgreSQL backends of the database, cli = load generator)"
    )
    unsent = civic["post"].sent - civic["post"].answered
    if unsent or civic["get"].sent > civic["get"].answered:
        print(
            f"time limit of {args.duration} s reached: {civic['get'].sent - civic['get'].answered} "
            f"page loads and {unsent} submissions not made (not errors)"
        )
    acked = len(acked_tokens(civic["post"]) | acked_tokens(civic["warm_post"]))
    print(
        f"\nstored: {stored.submitted} submitted responses ({stored.responses} in all), "
        f"{stored.answers} answers; "
        f"acknowledged submissions (303, incl. {args.warmup} warm-up): {acked}; "
        f"baseline rows {base['rows']} for {base['post'].count(303) + base['warm']} acknowledged"
    )
    print(
        f"lost={figures['lost']} (acknowledged but not stored), duplicates={figures['duplicates']} "
        f"(second response for one link, or a response without exactly 12 answers), "
        f"unacknowledged rows={stored.submitted - acked}"
    )
    verdicts = [
        (
            "submissions/s",
            figures["submissions_per_s"] >= GOALS["submissions_per_s"],
            f">= {GOALS['submissions_per_s']}",
        ),
        ("p95", figures["p95_ms"] <= GOALS["p95_ms"], f"<= {GOALS['p95_ms']} ms"),
        ("ratio", figures["ratio"] >= GOALS["ratio"], f">= {GOALS['ratio']}"),
        ("lost", figures["lost"] == 0, "== 0"),
    ]
    print("goals: " + "; ".join(f"{name} {goal}: {'met' if ok else 'NOT met'}" for name, ok, goal in verdicts))
    keys = (
        "submissions_per_s",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "baseline_per_s",
        "baseline_p95_ms",
        "ratio",
        "lost",
        "errors",
        "workers",
        "concurrency",
        "web_us",
        "db_us",
        "baseline_web_us",
        "baseline_db_us",
    )
    print(" ".join(f"{k}={figures[k]}" for k in keys))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="residents (= submissions) per run")
    parser.add_argument("--concurrency", type=int, default=16, help="simultaneous connections")
    parser.add_argument("--duration", type=int, default=30, help="time limit of each load phase, seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2 measured best here)")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--client", choices=("wrk", "python"), default=None, help="load generator (wrk if present)")
    parser.add_argument("--database", default="civic_bench", help="PostgreSQL database, dropped and recreated")
    parser.add_argument("--warmup", type=int, default=60, help="warm-up residents, not measured")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or not 1 <= args.duration <= 120:
        parser.error("--requests and --concurrency must be positive, --duration 1..120")
    if args.client is None:
        args.client = "wrk" if loadgen.ensure_wrk() else "python"
    elif args.client == "wrk" and not loadgen.ensure_wrk():
        parser.error("wrk is not installed (apt-get install wrk)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # Other work on the machine skews the figures: show how busy it was.
    args.load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    settings = ServerSettings(args.workers, args.worker_class, args.threads)
    logdir = Path(tempfile.gettempdir()) / "civic-bench"
    logdir.mkdir(exist_ok=True)
    print(f"preparing {args.database}: schema, 12-question survey, {args.requests + args.warmup} invitations…")
    prepared = seed.prepare(args.database, args.requests + args.warmup)
    civic = run_civic(args, prepared, settings, logdir)
    base = run_baseline(args, prepared, settings, logdir)
    stored = seed.count_stored(prepared.url, prepared.tokens, expected_answers=len(prepared.questions))
    figures = _figures(civic, base, stored, settings, args)
    report(civic, base, stored, figures, settings, args)
    return 0 if figures["lost"] == 0 and figures["duplicates"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
