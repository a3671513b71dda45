"""Benchmark complete survey submissions through gunicorn against PostgreSQL, next to a one-row baseline.

    .venv/bin/python -m tests.benchmarks.bench_submissions [--requests N] [--concurrency C] [--rounds R]

A fresh database (civic_bench) gets the schema, a 12-question one-page survey and N personal-link
invitations. gunicorn serves civic on a free loopback port with CSRF on, and a second gunicorn with the
same settings serves baseline_app.py. Each simulated resident loads the page once (GET: session cookie +
CSRF token); then, in R rounds (5), 1/R of the residents press Send (POST /p/<token>/page/1, each with
its own token and session) and right after that the baseline takes three times as many one-row inserts
(about as long), at the same concurrency. The ratio is all rounds' submissions per second over all rounds'
baseline inserts per second. Finally the database is counted: every acknowledged submission (303 to
/p/<token>/done) must have a submitted response with 12 answers, and every acknowledged insert its row.
The last line printed holds the figures as key=value pairs. Everything stays on 127.0.0.1.

Besides requests per second, each phase reports the CPU time per request of the gunicorn processes (web
µs) and of the PostgreSQL backends serving the database (db µs), read from /proc. They move less than
throughput with other load on the machine, but they drift too where the cores are shared with other tenants;
to compare code changes, count instructions (tests.benchmarks.count_instructions).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from tests.benchmarks import baseline_app, loadgen, seed
from tests.benchmarks.loadgen import Request, Result
from tests.benchmarks.serving import CpuUse, Server, ServerSettings, measured

GOALS = {"submissions_per_s": 300, "p95_ms": 150, "ratio": 0.4}


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


def civic_env(prepared) -> dict[str, str]:
    return {
        "CIVIC_SQLALCHEMY_DATABASE_URI": prepared.url,
        "CIVIC_SECRET_KEY": secrets.token_hex(32),
        "CIVIC_WEBHOOK_SECRET": secrets.token_hex(32),
        "CIVIC_ENV_NAME": "production",  # validate_config refuses unsafe settings, e.g. CSRF off
        "CIVIC_CELERY__broker_url": "redis://127.0.0.1:6379/11",  # production refuses the embedded broker
        "CIVIC_RATELIMIT_ENABLED": "false",
    }


BASELINE_BODY = "note=" + "x" * 40


def baseline_inserts(prefix: str, count: int) -> list[Request]:
    return [Request("POST", f"/insert/{prefix}{i}", "", BASELINE_BODY) for i in range(count)]


def start_baseline(args, prepared, settings: ServerSettings, logdir: Path) -> Server:
    """Create the baseline's table, start its gunicorn and warm it up (not measured)."""
    baseline_app.create_table(prepared.url)
    env = {"BENCH_BASELINE_DATABASE_URI": prepared.url}
    server = Server("tests.benchmarks.baseline_app:app", settings, env, logdir / "gunicorn-baseline.log")
    loadgen.run_python(server.port, baseline_inserts("warm", args.warmup), settings.workers, args.duration)
    return server


def run_baseline(args, prepared, settings: ServerSettings, logdir: Path) -> dict:
    """One phase of args.requests baseline inserts (bench_votes compares against it)."""
    server = start_baseline(args, prepared, settings, logdir)
    requests = baseline_inserts("b", args.requests)
    try:
        post, cpu = measured(
            lambda: loadgen.run(args.client, server.port, requests, args.concurrency, args.duration),
            server,
            args.database,
        )
    finally:
        server.stop()
    rows = baseline_app.count_rows(prepared.url)
    return {"post": post, "cpu": cpu, "rows": rows, "warm": args.warmup}


@dataclass
class Round:
    """One civic submission phase and the baseline phase right after it."""

    post: Result
    post_cpu: CpuUse
    base: Result
    base_cpu: CpuUse

    @property
    def ratio(self) -> float:
        base_per_s = self.base.count(303) / self.base.duration_s if self.base.duration_s else 0.0
        per_s = self.post.count(303) / self.post.duration_s if self.post.duration_s else 0.0
        return per_s / base_per_s if base_per_s else 0.0


def _batches(items: list, count: int) -> list[list]:
    size = -(-len(items) // count)
    return [items[i : i + size] for i in range(0, len(items), size)]


def run_rounds(args, prepared, settings: ServerSettings, logdir: Path) -> dict:
    """Load all pages, then alternate civic submissions and baseline inserts in args.rounds rounds.

    This machine's speed drifts by tens of per cent within seconds (other tenants); one civic phase and
    one baseline phase a minute apart made the ratio swing from 0.34 to 0.45 between runs. Alternating
    short phases, with both servers up all along, exposes both to the same drift.
    """
    rng = random.Random(12)
    warm, main = prepared.tokens[: args.warmup], prepared.tokens[args.warmup :]
    civic = Server("wsgi:app", settings, civic_env(prepared), logdir / "gunicorn-civic.log")
    base = None
    try:
        base = start_baseline(args, prepared, settings, logdir)
        # Warm-up: every worker imports lazily and compiles its templates on first use.
        warm_get = loadgen.run_python(civic.port, page_loads(warm), settings.workers, args.duration)
        warm_post = loadgen.run_python(
            civic.port, submissions(warm, warm_get.captured, prepared, rng), settings.workers, args.duration
        )
        get, get_cpu = measured(
            lambda: loadgen.run(args.client, civic.port, page_loads(main), args.concurrency, args.duration),
            civic,
            args.database,
        )
        if len(get.captured) < get.answered:
            missing = get.answered - len(get.captured)
            print(f"warning: {missing} page loads gave no session cookie + CSRF token", file=sys.stderr)
        # Residents whose page load failed have no session: they cannot press Send.
        posts = submissions(main, get.captured, prepared, rng)
        rounds = []
        for number, batch in enumerate(_batches(posts, args.rounds)):
            inserts = baseline_inserts(f"r{number}-", round(len(batch) * args.baseline_factor))
            post, post_cpu = measured(
                lambda batch=batch: loadgen.run(args.client, civic.port, batch, args.concurrency, args.duration),
                civic,
                args.database,
            )
            done, done_cpu = measured(
                lambda inserts=inserts: loadgen.run(args.client, base.port, inserts, args.concurrency, args.duration),
                base,
                args.database,
            )
            rounds.append(Round(post, post_cpu, done, done_cpu))
    finally:
        civic.stop()
        if base is not None:
            base.stop()
    return {
        "warm_post": warm_post,
        "get": get,
        "get_cpu": get_cpu,
        "rounds": rounds,
        "post": loadgen.combine([r.post for r in rounds]),
        "post_cpu": _sum_cpu([r.post_cpu for r in rounds]),
        "base": loadgen.combine([r.base for r in rounds]),
        "base_cpu": _sum_cpu([r.base_cpu for r in rounds]),
        "base_rows": baseline_app.count_rows(prepared.url),
        "posted_tokens": main[: len(posts)],
    }


def _sum_cpu(parts: list[CpuUse]) -> CpuUse:
    """Add up phases' CPU; the busy share is the mean, weighted alike (the phases last about as long)."""
    n = max(1, len(parts))
    return CpuUse(
        sum(p.busy_share for p in parts) / n, sum(p.server_s for p in parts), sum(p.database_s for p in parts)
    )


def _figures(run: dict, stored: seed.Stored, settings, args) -> dict:
    post, bpost = run["post"], run["base"]
    acked = acked_tokens(post) | acked_tokens(run["warm_post"])
    ok = post.count(303)
    per_s = ok / post.duration_s if post.duration_s else 0.0
    base_per_s = bpost.count(303) / bpost.duration_s if bpost.duration_s else 0.0
    lost = len(acked - stored.submitted_tokens) + max(0, bpost.count(303) + args.warmup - run["base_rows"])
    errors = (post.answered - ok) + post.socket_errors + (bpost.answered - bpost.count(303)) + bpost.socket_errors
    ratios = [r.ratio for r in run["rounds"]]
    return {
        "submissions_per_s": round(per_s, 1),
        "p50_ms": round(post.percentiles_ms.get(50.0, 0.0), 1),
        "p95_ms": round(post.percentiles_ms.get(95.0, 0.0), 1),
        "p99_ms": round(post.percentiles_ms.get(99.0, 0.0), 1),
        "baseline_per_s": round(base_per_s, 1),
        "baseline_p95_ms": round(bpost.percentiles_ms.get(95.0, 0.0), 1),
        "ratio": round(per_s / base_per_s, 3) if base_per_s else 0.0,
        "ratio_min": round(min(ratios), 3),
        "ratio_max": round(max(ratios), 3),
        "lost": lost,
        "errors": errors,
        "duplicates": (stored.responses - stored.distinct_keys) + stored.bad_answer_counts,
        "web_us": round(run["post_cpu"].server_s / max(1, post.answered) * 1e6),
        "db_us": round(run["post_cpu"].database_s / max(1, post.answered) * 1e6),
        "baseline_web_us": round(run["base_cpu"].server_s / max(1, bpost.answered) * 1e6),
        "baseline_db_us": round(run["base_cpu"].database_s / max(1, bpost.answered) * 1e6),
        "workers": settings.workers,
        "worker_class": settings.worker_class,
        "concurrency": args.concurrency,
        "rounds": len(ratios),
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


def report(run: dict, stored: seed.Stored, figures: dict, settings, args) -> None:
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
    print(_row("page load (GET)", run["get"], run["get_cpu"]))
    rounds = run["rounds"]
    for number, r in enumerate(rounds, 1):
        print(_row(f" {number}. submission", r.post, r.post_cpu))
        print(_row(f" {number}. baseline", r.base, r.base_cpu) + f"  ratio {r.ratio:.3f}")
    print(_row(f"submission (POST) ×{len(rounds)}", run["post"], run["post_cpu"]))
    print(_row(f"baseline insert ×{len(rounds)}", run["base"], run["base_cpu"]))
    print(
        "(cpu = whole machine busy during the phase; CPU per request of: web = gunicorn processes, "
        "db = PostgreSQL backends of the database, cli = load generator; the totals' latency percentiles are "
        "the worst round's, since wrk reports percentiles, not each latency)"
    )
    unsent = run["post"].sent - run["post"].answered
    if unsent or run["get"].sent > run["get"].answered:
        print(
            f"time limit of {args.duration} s reached: {run['get'].sent - run['get'].answered} "
            f"page loads and {unsent} submissions not made (not errors)"
        )
    acked = len(acked_tokens(run["post"]) | acked_tokens(run["warm_post"]))
    print(
        f"\nstored: {stored.submitted} submitted responses ({stored.responses} in all), "
        f"{stored.answers} answers; "
        f"acknowledged submissions (303, incl. {args.warmup} warm-up): {acked}; "
        f"baseline rows {run['base_rows']} for {run['base'].count(303) + args.warmup} acknowledged"
    )
    print(
        f"lost={figures['lost']} (acknowledged but not stored), duplicates={figures['duplicates']} "
        f"(second response for one link, or a response without exactly 12 answers), "
        f"unacknowledged rows={stored.submitted - acked}"
    )
    print(
        f"ratio {figures['ratio']} = all rounds' submissions/s over all rounds' baseline inserts/s; "
        f"single rounds {figures['ratio_min']}–{figures['ratio_max']}"
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
        "ratio_min",
        "ratio_max",
        "rounds",
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
    parser.add_argument("--rounds", type=int, default=5, help="alternations of civic and baseline phases")
    parser.add_argument(
        "--baseline-factor",
        type=float,
        default=3.0,
        help="baseline inserts per civic submission in a round (3: both phases last about as long)",
    )
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or not 1 <= args.duration <= 120:
        parser.error("--requests and --concurrency must be positive, --duration 1..120")
    if not 1 <= args.rounds <= args.requests or args.baseline_factor <= 0:
        parser.error("--rounds must be 1..--requests and --baseline-factor positive")
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
    run = run_rounds(args, prepared, settings, logdir)
    stored = seed.count_stored(prepared.url, prepared.tokens, expected_answers=len(prepared.questions))
    figures = _figures(run, stored, settings, args)
    report(run, stored, figures, settings, args)
    return 0 if figures["lost"] == 0 and figures["duplicates"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
