"""Residents answer the survey while planners browse its results: gunicorn + PostgreSQL on this machine, loopback only.

    .venv/bin/python -m tests.load.survey_load [--residents 10000] [--planners 50] [--think 3] [--minutes 10]

The submission benchmark's machinery does the work (tests/benchmarks: seed.py builds a fresh database with the
12-question one-page survey and a personal link per resident, bench_submissions.py starts gunicorn with the same
settings and reads CPU from /proc, loadgen.py with requests.lua drives wrk). On top of it:

1. ``--planners`` planner accounts log in through the login form (CSRF on) and, from a child process, browse the
   results pages until the residents are done: overview, the per-question distributions as htmx loads them, the
   live counter, the written answers paged and searched, and the same narrowed to a segment, pausing ``--think``
   seconds (±50 %) between clicks.
2. Meanwhile ``--residents`` residents, each with their own personal link, open the survey (page load: session and
   CSRF token) and then press Send with a complete answer (``--concurrency`` connections, as fast as the server takes
   them), all within ``--minutes``.
3. The database is counted: every Send answered 303 → /p/<token>/done must be exactly one submitted response with
   12 answers for that link, and nothing else may be stored.

The last line printed holds the figures as key=value pairs; the exit status is 0 only if every answer was stored
exactly once, no request failed and every resident was served within the time limit.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.benchmarks import loadgen, seed
from tests.benchmarks.bench_submissions import acked_tokens, page_loads, submissions
from tests.benchmarks.loadgen import Result
from tests.benchmarks.serving import CpuUse, Server, ServerSettings, measured
from tests.load import planners
from tests.load.planners import PlannerResult

WARMUP_LIMIT_S = 60


@dataclass
class LoadOptions:
    residents: int = 10_000
    planners: int = 50
    think_s: float = 3.0
    minutes: float = 10.0
    concurrency: int = 16
    workers: int = 2
    client: str = "wrk"
    database: str = "civic_load"
    warmup: int = 60


def server_env(database_url: str) -> dict[str, str]:
    """The submission benchmark's production settings (CSRF on, rate limits off: every client is 127.0.0.1)."""
    return {
        "CIVIC_SQLALCHEMY_DATABASE_URI": database_url,
        "CIVIC_SECRET_KEY": secrets.token_hex(32),
        "CIVIC_WEBHOOK_SECRET": secrets.token_hex(32),
        "CIVIC_ENV_NAME": "production",
        "CIVIC_RATELIMIT_ENABLED": "false",
        # Production refuses the embedded broker. Nothing here queues a task; the URL only has to be a real one.
        "CIVIC_CELERY__broker_url": "redis://127.0.0.1:6379/11",
    }


@dataclass
class LoadOutcome:
    options: LoadOptions
    warm_get: Result
    warm_post: Result
    get: Result
    post: Result
    planners: PlannerResult
    cpu: CpuUse
    elapsed_s: float  # first resident page load to last Send answered
    stored: seed.Stored
    loadavg: dict[str, str] = field(default_factory=dict)

    @property
    def acked(self) -> set[str]:
        return acked_tokens(self.post) | acked_tokens(self.warm_post)

    @property
    def client_303(self) -> int:
        return self.post.count(303) + self.warm_post.count(303)

    @property
    def lost(self) -> int:
        return len(self.acked - self.stored.submitted_tokens)

    @property
    def unacknowledged(self) -> int:
        """Stored submissions whose resident never got the receipt (e.g. a timeout after the commit)."""
        return self.stored.submitted - len(self.acked)

    @property
    def duplicates(self) -> int:
        """A second response for one link, or a submitted response without exactly one row per question."""
        return (self.stored.responses - self.stored.distinct_keys) + self.stored.bad_answer_counts

    @property
    def exactly_once(self) -> bool:
        return (
            self.lost == 0
            and self.duplicates == 0
            and self.unacknowledged == 0
            and self.stored.submitted == self.client_303 == len(self.acked)
        )

    @property
    def resident_errors(self) -> int:
        """Residents' requests that failed: page loads not 200, Sends not 303, connection errors and timeouts."""
        gets = (self.warm_get, self.get)
        posts = (self.warm_post, self.post)
        return sum(r.answered - r.count(200) + r.socket_errors for r in gets) + sum(
            r.answered - r.count(303) + r.socket_errors for r in posts
        )

    @property
    def resident_requests(self) -> int:
        return sum(r.answered + r.socket_errors for r in (self.warm_get, self.get, self.warm_post, self.post))

    @property
    def unserved(self) -> int:
        """Residents who could not send their answer within the time limit (not loaded, not sent, or failed)."""
        return self.options.residents - self.post.count(303)

    @property
    def error_rate(self) -> float:
        requests = self.resident_requests + self.planners.answered + self.planners.socket_errors
        return (self.resident_errors + self.planners.errors) / max(1, requests)

    @property
    def passed(self) -> bool:
        return self.exactly_once and self.resident_errors == 0 and self.planners.errors == 0 and self.unserved == 0

    def figures(self) -> dict[str, object]:
        get, post, crowd = self.get.percentiles_ms, self.post.percentiles_ms, self.planners.percentiles_ms()
        elapsed = max(self.elapsed_s, 1e-9)
        return {
            "residents": self.options.residents,
            "planners": self.options.planners,
            "stored": self.stored.submitted,
            "acked_303": self.client_303,
            "lost": self.lost,
            "duplicates": self.duplicates,
            "unacknowledged": self.unacknowledged,
            "unserved": self.unserved,
            "errors": self.resident_errors + self.planners.errors,
            "error_rate": round(self.error_rate, 5),
            "elapsed_s": round(self.elapsed_s, 1),
            "residents_per_s": round(self.post.count(303) / elapsed, 1),
            "submissions_per_s": round(self.post.count(303) / max(self.post.duration_s, 1e-9), 1),
            "page_p50_ms": round(get.get(50.0, 0.0), 1),
            "page_p95_ms": round(get.get(95.0, 0.0), 1),
            "page_p99_ms": round(get.get(99.0, 0.0), 1),
            "send_p50_ms": round(post.get(50.0, 0.0), 1),
            "send_p95_ms": round(post.get(95.0, 0.0), 1),
            "send_p99_ms": round(post.get(99.0, 0.0), 1),
            "planner_requests": self.planners.answered,
            "planner_per_s": round(self.planners.per_s, 1),
            "planner_p50_ms": round(crowd[50.0], 1),
            "planner_p95_ms": round(crowd[95.0], 1),
            "planner_p99_ms": round(crowd[99.0], 1),
            "web_cpu_pct": round(self.cpu.server_s / elapsed * 100),
            "db_cpu_pct": round(self.cpu.database_s / elapsed * 100),
            "machine_busy_pct": round(self.cpu.busy_share * 100),
            "loadavg_start": self.loadavg.get("start", ""),
            "loadavg_end": self.loadavg.get("end", ""),
            "client": self.options.client,
        }


def _loadavg() -> str:
    """The 1, 5 and 15 minute load averages from /proc/loadavg, joined with "/" to stay one key=value token."""
    return "/".join(Path("/proc/loadavg").read_text().split()[:3])


def _residents(options: LoadOptions, port: int, prepared: seed.Prepared, tokens: list[str]) -> tuple:
    """Every resident opens the survey, then every resident presses Send; both within the time limit."""
    deadline = time.monotonic() + options.minutes * 60

    def remaining() -> int:
        return max(1, int(deadline - time.monotonic()))

    start = time.perf_counter()
    get = loadgen.run(options.client, port, page_loads(tokens), options.concurrency, remaining())
    # Residents whose page load failed have no session and CSRF token: they cannot press Send.
    posts = submissions(tokens, get.captured, prepared, random.Random(21))
    post = loadgen.run(options.client, port, posts, options.concurrency, remaining())
    return get, post, time.perf_counter() - start


def run_load(options: LoadOptions, log_dir: Path | None = None) -> LoadOutcome:
    """Prepare the database, start gunicorn, run residents and planners together, count what was stored."""
    log_dir = log_dir or Path(tempfile.gettempdir()) / "civic-load"
    log_dir.mkdir(parents=True, exist_ok=True)
    loadavg = {"start": _loadavg()}
    prepared = seed.prepare(options.database, options.residents + options.warmup)
    emails = planners.seed_planners(prepared.url, prepared.survey_id, options.planners)
    warm_tokens, resident_tokens = prepared.tokens[: options.warmup], prepared.tokens[options.warmup :]
    settings = ServerSettings(options.workers, "sync", threads=1)
    server = Server("wsgi:app", settings, server_env(prepared.url), log_dir / "gunicorn-load.log")
    try:
        # Warm-up (stored and counted, not timed): each worker imports lazily and compiles templates on first use.
        warm_get = loadgen.run_python(server.port, page_loads(warm_tokens), options.workers, WARMUP_LIMIT_S)
        warm_posts = submissions(warm_tokens, warm_get.captured, prepared, random.Random(12))
        warm_post = loadgen.run_python(server.port, warm_posts, options.workers, WARMUP_LIMIT_S)
        crowd = planners.log_in_planners(
            server.port, emails, prepared.survey_id, prepared.questions, options.think_s
        )
        crowd.start()
        try:
            (get, post, elapsed), cpu = measured(
                lambda: _residents(options, server.port, prepared, resident_tokens), server, options.database
            )
        finally:
            planner_result = crowd.stop()
    finally:
        server.stop()
    loadavg["end"] = _loadavg()
    stored = seed.count_stored(prepared.url, prepared.tokens, expected_answers=len(prepared.questions))
    return LoadOutcome(
        options, warm_get, warm_post, get, post, planner_result, cpu, elapsed, stored, loadavg
    )


def _row(name: str, count: int, per_s: float, percentiles: dict[float, float], statuses: str) -> str:
    p50, p95, p99, top = (percentiles.get(q, 0.0) for q in (50.0, 95.0, 99.0, 100.0))
    return f"{name:<26}{count:>7}{per_s:>9.1f}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{top:>9.1f}  {statuses}"


def _statuses(counter) -> str:
    return ",".join(f"{code}:{n}" for code, n in sorted(counter.items())) or "-"


def report(outcome: LoadOutcome) -> None:
    options, figures, crowd = outcome.options, outcome.figures(), outcome.planners
    print(
        f"\ncivic load — {options.residents} residents (+{options.warmup} warm-up) and {options.planners} planners "
        f"(think {options.think_s:g} s), gunicorn {options.workers} sync workers, PostgreSQL, client "
        f"{options.client} with {options.concurrency} connections, {os.cpu_count()} CPUs; "
        f"load average {outcome.loadavg['start']} at start, {outcome.loadavg['end']} at end"
    )
    print(f"{'requests':<26}{'count':>7}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses")
    for name, result in (("resident page load (GET)", outcome.get), ("resident Send (POST)", outcome.post)):
        print(_row(name, result.answered, result.per_s, result.percentiles_ms, _statuses(result.statuses)))
    print(_row("planners, all pages", crowd.answered, crowd.per_s, crowd.percentiles_ms(), _statuses(crowd.statuses)))
    for kind in planners.KINDS:
        count = len(crowd.latencies.get(kind, []))
        print(_row(f"  {kind}", count, count / max(crowd.duration_s, 1e-9), crowd.percentiles_ms(kind), ""))
    print(
        f"residents served in {outcome.elapsed_s:.1f} s (limit {options.minutes:g} min): "
        f"{figures['residents_per_s']} residents/s; CPU over that time: gunicorn {figures['web_cpu_pct']} % of a "
        f"core, PostgreSQL {figures['db_cpu_pct']} %, whole machine busy {figures['machine_busy_pct']} %"
    )
    print(
        f"stored {outcome.stored.submitted} submitted responses ({outcome.stored.responses} in all, "
        f"{outcome.stored.answers} answers) for {outcome.client_303} Sends answered 303 "
        f"({len(outcome.acked)} distinct links): lost={outcome.lost} duplicates={outcome.duplicates} "
        f"unacknowledged={outcome.unacknowledged} → exactly once: {'yes' if outcome.exactly_once else 'NO'}"
    )
    if outcome.unacknowledged:
        print(
            "(unacknowledged: stored once, but the client never read the 303, e.g. Sends in flight when the time "
            "limit stopped the load generator)"
        )
    print(
        f"errors: residents {outcome.resident_errors}, planners {crowd.errors} (socket {crowd.socket_errors}); "
        f"error rate {outcome.error_rate:.5f}; residents not served in time: {outcome.unserved}"
    )
    print(" ".join(f"{key}={value}" for key, value in figures.items()))


def parse_args(argv: list[str] | None = None) -> LoadOptions:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=10_000, help="residents who each answer once")
    parser.add_argument("--planners", type=int, default=50, help="planners browsing results meanwhile")
    parser.add_argument("--think", type=float, default=3.0, help="planners' mean seconds between clicks")
    parser.add_argument("--minutes", type=float, default=10.0, help="time limit for serving every resident")
    parser.add_argument("--concurrency", type=int, default=16, help="residents' simultaneous connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (as the benchmark)")
    parser.add_argument("--client", choices=("wrk", "python"), default=None, help="load generator (wrk if present)")
    parser.add_argument("--database", default="civic_load", help="PostgreSQL database, dropped and recreated")
    parser.add_argument("--warmup", type=int, default=60, help="warm-up residents (stored, not timed)")
    args = parser.parse_args(argv)
    if min(args.residents, args.planners, args.concurrency, args.workers) < 1 or args.warmup < 0:
        parser.error("--residents, --planners, --concurrency and --workers must be positive")
    if not 0 < args.minutes <= 30 or not 0 <= args.think <= 60:
        parser.error("--minutes must be in (0, 30] and --think in [0, 60]: the load is bounded in time")
    if args.client is None:
        args.client = "wrk" if loadgen.ensure_wrk() else "python"
    elif args.client == "wrk" and not loadgen.ensure_wrk():
        parser.error("wrk is not installed (apt-get install wrk)")
    return LoadOptions(
        residents=args.residents,
        planners=args.planners,
        think_s=args.think,
        minutes=args.minutes,
        concurrency=args.concurrency,
        workers=args.workers,
        client=args.client,
        database=args.database,
        warmup=args.warmup,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    links = options.residents + options.warmup
    print(f"preparing {options.database}: the survey, {links} personal links, {options.planners} planners…")
    outcome = run_load(options)
    report(outcome)
    return 0 if outcome.passed else 1


if __name__ == "__main__":
    sys.exit(main())
