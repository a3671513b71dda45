"""Benchmark a live focus group: N simulated phones polling /live through gunicorn on PostgreSQL, and SSE instead.

    .venv/bin/python -m tests.benchmarks.bench_focus_group [--participants 300] [--pushes 3] [--gap 35]
        [--think-min 5 --think-max 30] [--worker-class gthread|sync] [--no-sse] [--app-root OTHER_CHECKOUT]

A fresh database (civic_after_bench) gets the schema, a live public focus group with a guide of open questions
and polls, and N participants with known keys (signed cookies, as their browsers would hold). gunicorn serves
civic on a loopback port with CSRF on (2 sync workers by default, as `run` starts it; --worker-class gthread to
compare: on a quiet machine both met the goals, also with a burst of answers; with the machine busy, 2 sync workers
fell behind first). Every
phone (a coroutine, see live_clients.py) loads the group's page once (session cookie + CSRF token) and then polls
``/f/<public_id>/live?v=<version>`` every second, as the page's htmx does; a 200 brings the new stage, and a phone
that sees a new prompt answers it after "typing" for 5–30 s (POST …/answer, as htmx sends it).

Phases: (1) idle — nobody changes anything for ``--idle`` s: the pure cost of polling (req/s, CPU of gunicorn and
of PostgreSQL per second and per poll); (2) session — the moderator (in this process, through civic.focus_groups.live
and a commit, as the console's route does) starts the session and pushes ``--pushes`` prompts ``--gap`` s apart;
for each push: the time until 95 % (and all) of the phones had the new version, and the answer POST latencies.
(3) SSE — the alternative: tests/benchmarks/sse_probe_app.py under gunicorn gthread with one thread per
participant; the same N phones hold an event stream; idle CPU, RSS and push → 95 % delivery are measured the same
way. Peak RSS is sampled from /proc for the gunicorn master and workers. The last line holds key=value figures.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import random
import resource
import secrets
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import URLSafeSerializer

from civic.focus_groups.models import PromptKind
from civic.focus_groups.participation import COOKIE_SALT, cookie_name
from tests.benchmarks import serving
from tests.benchmarks.focus_group_seed import Moderator, Prepared, prepare
from tests.benchmarks.live_clients import Phone, SseStats, Stats, percentile, sse_listener

GOALS = {"push_p95_s": 2.0, "answer_p95_ms": 200}


class RssSampler:
    """Peak resident memory of a gunicorn master and its workers (summed), sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _rss_kb(self, pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            return 0
        return 0

    def current_kb(self) -> int:
        return sum(self._rss_kb(p) for p in [self.pid, *serving.children(self.pid)])

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak_kb = max(self.peak_kb, self.current_kb())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024


def _cpu(server: serving.Server, database: str) -> tuple[float, float]:
    web = sum(serving.process_cpu(p) for p in [server.process.pid, *serving.children(server.process.pid)])
    return web, sum(serving.process_cpu(p) for p in serving.database_backends(database))


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def delivery(seen: list[tuple[int, int, float]], version: int, pushed_at: float, phones: int) -> dict[str, float]:
    """How long after ``pushed_at`` each phone first had ``version`` (or newer): p95 of all phones, max, missed."""
    first: dict[int, float] = {}
    for phone, seen_version, at in seen:
        if seen_version >= version and at >= pushed_at and phone not in first:
            first[phone] = at - pushed_at
    delays = list(first.values()) + [float("inf")] * (phones - len(first))
    return {
        "p50": percentile(delays, 50),
        "p95": percentile(delays, 95),
        "max": max(delays) if delays else 0.0,
        "missed": phones - len(first),
    }


async def polling_session(args, prepared: Prepared, server: serving.Server) -> dict:
    """Phases 1 and 2 on civic: idle polling, then the moderated session with answers."""
    stats = Stats()
    signer = URLSafeSerializer(prepared.secret, salt=COOKIE_SALT)
    name = cookie_name(prepared.public_id)
    rng = random.Random(5)

    def answer_form(index: int, prompt_id: int) -> dict[str, str]:
        if prepared.prompt_kinds[prompt_id] == PromptKind.SINGLE_CHOICE:
            return {"choice": str(index % 3)}
        return {"text": f"Svar {index}: tryggere skolevei og mindre trafikk rundt skolen ({prompt_id})."}

    phones = [
        Phone(
            i,
            server.port,
            prepared.public_id,
            f"{name}={signer.dumps(key)}",
            args.interval,
            (args.think_min, args.think_max),
            answer_form,
            stats,
            random.Random(rng.random()),
        )
        for i, key in enumerate(prepared.keys)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(p.run(stop)) for p in phones]
    loop = asyncio.get_running_loop()
    moderator = Moderator(prepared)
    deadline = time.monotonic() + 120
    while stats.joined + stats.errors < len(phones) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(args.interval * 3)  # every phone polls at its own phase now

    web0, db0 = _cpu(server, args.database)
    client0, polls0, wall0 = _self_cpu(), stats.polls, time.monotonic()
    await asyncio.sleep(args.idle)
    web1, db1 = _cpu(server, args.database)
    idle_wall = time.monotonic() - wall0
    idle = {
        "polls": stats.polls - polls0,
        "wall_s": idle_wall,
        "web_s": web1 - web0,
        "db_s": db1 - db0,
        "client_s": _self_cpu() - client0,
        "latency_p95_ms": percentile(stats.poll_latencies[polls0:], 95) * 1000,
    }

    pushes: list[tuple[int, float]] = [await loop.run_in_executor(None, moderator.start)]
    answers_before = len(stats.answer_latencies)
    session_start = time.monotonic()
    for index in range(args.pushes):
        await asyncio.sleep(args.gap)
        pushes.append(await loop.run_in_executor(None, moderator.push, index % len(prepared.prompt_ids)))
    await asyncio.sleep(args.gap)
    web2, db2 = _cpu(server, args.database)
    session_wall = time.monotonic() - session_start
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "stats": stats,
        "idle": idle,
        "pushes": [delivery(stats.seen, v, at, len(phones)) for v, at in pushes],
        "answers": stats.answer_latencies[answers_before:],
        "session": {"wall_s": session_wall, "web_s": web2 - web1, "db_s": db2 - db1},
        "stored_answers": await loop.run_in_executor(None, moderator.answers),
    }


async def sse_session(args, prepared: Prepared, server: serving.Server) -> dict:
    """Phase 3: the same phones each hold an SSE stream; idle cost, then pushes."""
    stats = SseStats()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    moderator = Moderator(prepared)
    path = f"/sse/{prepared.public_id}?v=0"
    tasks = []
    for i in range(len(prepared.keys)):
        tasks.append(asyncio.create_task(sse_listener(i, server.port, path, stats, stop)))
        if i % 20 == 19:
            await asyncio.sleep(0.05)
    await asyncio.sleep(3)
    web0, db0 = _cpu(server, args.database)
    wall0 = time.monotonic()
    await asyncio.sleep(args.idle)
    web1, db1 = _cpu(server, args.database)
    idle = {"wall_s": time.monotonic() - wall0, "web_s": web1 - web0, "db_s": db1 - db0}
    pushes = []
    for _ in range(args.pushes):
        pushes.append(await loop.run_in_executor(None, moderator.bump))
        await asyncio.sleep(3)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "connected": stats.connected,
        "errors": stats.errors,
        "idle": idle,
        "pushes": [delivery(stats.seen, v, at, len(prepared.keys)) for v, at in pushes],
    }


@dataclass
class SseSettings(serving.ServerSettings):
    """gthread with a thread (and an accepted connection) per participant a worker may hold."""

    def args(self) -> list[str]:
        return [*super().args(), "--worker-connections", str(self.threads)]


def _env(prepared: Prepared) -> dict[str, str]:
    return {
        "CIVIC_SQLALCHEMY_DATABASE_URI": prepared.url,
        "CIVIC_SECRET_KEY": prepared.secret,
        "CIVIC_WEBHOOK_SECRET": secrets.token_hex(32),
        "CIVIC_ENV_NAME": "production",  # validate_config refuses unsafe settings, e.g. CSRF off
        "CIVIC_CELERY__broker_url": "redis://127.0.0.1:6379/11",  # production refuses the embedded broker
        "CIVIC_RATELIMIT_ENABLED": "false",
        "BENCH_SSE_DATABASE_URI": prepared.url,
    }


def warm_up(port: int, path: str, requests: int) -> None:
    """Wait until the workers answer (they import civic after the port is open), and let each render once."""
    deadline = time.monotonic() + 120
    done = 0
    while done < requests:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
        except OSError:
            status = 0
        if status == 200:
            done += 1
        elif time.monotonic() > deadline:
            raise RuntimeError(f"{path} did not answer 200 within 120 s")
        else:
            time.sleep(0.5)


def run_polling(args, prepared: Prepared, logdir: Path) -> dict:
    settings = serving.ServerSettings(args.workers, args.worker_class, args.threads)
    server = serving.Server("wsgi:app", settings, _env(prepared), logdir / "gunicorn-focus-group.log")
    rss = RssSampler(server.process.pid)
    try:
        warm_up(server.port, f"/f/{prepared.public_id}", args.workers * 4)
        rss_before = rss.current_kb() / 1024
        result = asyncio.run(polling_session(args, prepared, server))
    finally:
        result_rss = rss.stop()
        server.stop()
    result["peak_rss_mb"] = result_rss
    result["rss_before_mb"] = rss_before
    result["settings"] = settings
    return result


def run_sse(args, prepared: Prepared, logdir: Path) -> dict:
    workers = 2
    threads = -(-len(prepared.keys) // workers) + 16
    settings = SseSettings(workers, "gthread", threads)
    server = serving.Server("tests.benchmarks.sse_probe_app:app", settings, _env(prepared), logdir / "gunicorn-sse.log")
    rss = RssSampler(server.process.pid)
    try:
        time.sleep(2)  # the workers import the small app
        rss_before = rss.current_kb() / 1024
        result = asyncio.run(sse_session(args, prepared, server))
    finally:
        result_rss = rss.stop()
        server.stop()
    result["peak_rss_mb"] = result_rss
    result["rss_before_mb"] = rss_before
    result["settings"] = settings
    return result


def _pct(seconds: float, wall: float) -> float:
    """CPU seconds per wall second, as % of one core."""
    return round(seconds / wall * 100, 1) if wall else 0.0


def figures(args, polling: dict, sse: dict | None) -> dict:
    idle, session, stats = polling["idle"], polling["session"], polling["stats"]
    pushes = polling["pushes"][1:] or polling["pushes"]  # the start is a change too, but pushes are the goal
    answers = polling["answers"]
    found = {
        "participants": args.participants,
        "joined": stats.joined,
        "server": polling["settings"].label(),
        "idle_polls_per_s": round(idle["polls"] / idle["wall_s"], 1),
        "idle_web_cpu_pct": _pct(idle["web_s"], idle["wall_s"]),
        "idle_db_cpu_pct": _pct(idle["db_s"], idle["wall_s"]),
        "web_us_per_poll": round(idle["web_s"] / max(1, idle["polls"]) * 1e6),
        "db_us_per_poll": round(idle["db_s"] / max(1, idle["polls"]) * 1e6),
        "poll_p95_ms": round(idle["latency_p95_ms"], 1),
        "client_cpu_pct": _pct(idle["client_s"], idle["wall_s"]),
        "push_p50_s": round(max(p["p50"] for p in pushes), 2),
        "push_p95_s": round(max(p["p95"] for p in pushes), 2),
        "push_max_s": round(max(p["max"] for p in pushes), 2),
        "push_missed": sum(p["missed"] for p in pushes),
        "answers": len(answers),
        "answers_ok": stats.answer_statuses.get(200, 0),
        "answers_stored": polling["stored_answers"],
        "answer_p50_ms": round(percentile(answers, 50) * 1000, 1),
        "answer_p95_ms": round(percentile(answers, 95) * 1000, 1),
        "session_web_cpu_pct": _pct(session["web_s"], session["wall_s"]),
        "session_db_cpu_pct": _pct(session["db_s"], session["wall_s"]),
        "web_cpu_s": round(idle["web_s"] + session["web_s"], 1),
        "peak_rss_mb": round(polling["peak_rss_mb"], 1),
        "rss_growth_mb": round(polling["peak_rss_mb"] - polling["rss_before_mb"], 1),
        "errors": stats.errors + sum(n for s, n in stats.poll_statuses.items() if s not in (200, 204)),
    }
    if sse is not None:
        sse_pushes = sse["pushes"]
        found.update(
            {
                "sse_server": sse["settings"].label(),
                "sse_connected": sse["connected"],
                "sse_idle_web_cpu_pct": _pct(sse["idle"]["web_s"], sse["idle"]["wall_s"]),
                "sse_idle_db_cpu_pct": _pct(sse["idle"]["db_s"], sse["idle"]["wall_s"]),
                "sse_push_p95_s": round(max(p["p95"] for p in sse_pushes), 2),
                "sse_push_missed": sum(p["missed"] for p in sse_pushes),
                "sse_peak_rss_mb": round(sse["peak_rss_mb"], 1),
                "sse_rss_growth_mb": round(sse["peak_rss_mb"] - sse["rss_before_mb"], 1),
                "sse_errors": sse["errors"],
            }
        )
    return found


def report(args, polling: dict, sse: dict | None, found: dict) -> None:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    stats = polling["stats"]
    print(
        f"\ncivic focus-group benchmark — {args.participants} phones polling every {args.interval:g} s, gunicorn "
        f"{found['server']}, {os.cpu_count()} CPUs, load average at start {args.load_before}, at end {load}"
    )
    print(
        f"idle ({args.idle:g} s, nothing changes): {found['idle_polls_per_s']} polls/s answered "
        f"(p95 {found['poll_p95_ms']} ms); gunicorn {found['idle_web_cpu_pct']} % of a core "
        f"({found['web_us_per_poll']} µs/poll), PostgreSQL {found['idle_db_cpu_pct']} % "
        f"({found['db_us_per_poll']} µs/poll); load generator {found['client_cpu_pct']} %"
    )
    print(
        f"session ({args.pushes} pushes {args.gap:g} s apart, phones answer after {args.think_min:g}–"
        f"{args.think_max:g} s):"
    )
    for n, push in enumerate(polling["pushes"]):
        name = "start" if n == 0 else f"push {n}"
        print(
            f"  {name:<8} phones with the new version: 50 % after {push['p50']:.2f} s, 95 % after "
            f"{push['p95']:.2f} s, all after {push['max']:.2f} s (missed {push['missed']})"
        )
    statuses = ",".join(f"{s}:{n}" for s, n in sorted(stats.answer_statuses.items()))
    print(
        f"  answers: {found['answers']} posted ({statuses}), {found['answers_stored']} stored; p50 "
        f"{found['answer_p50_ms']} ms, p95 {found['answer_p95_ms']} ms; gunicorn {found['session_web_cpu_pct']} % "
        f"of a core, PostgreSQL {found['session_db_cpu_pct']} %"
    )
    polls = ",".join(f"{s}:{n}" for s, n in sorted(stats.poll_statuses.items()))
    print(
        f"  polls in all: {stats.polls} ({polls}); errors {found['errors']}; peak RSS of gunicorn "
        f"(master + workers) {found['peak_rss_mb']} MB"
    )
    if sse is not None:
        print(
            f"SSE instead (gunicorn {found['sse_server']}, one thread per open stream): {found['sse_connected']} "
            f"streams held; idle gunicorn {found['sse_idle_web_cpu_pct']} % of a core, PostgreSQL "
            f"{found['sse_idle_db_cpu_pct']} %; push → 95 % in {found['sse_push_p95_s']} s "
            f"(missed {found['sse_push_missed']}); peak RSS {found['sse_peak_rss_mb']} MB of a minimal app, "
            f"{found['sse_rss_growth_mb']} MB more with the streams open; errors {found['sse_errors']}"
        )
    verdicts = [
        ("push → 95 %", found["push_p95_s"] <= GOALS["push_p95_s"], f"<= {GOALS['push_p95_s']} s"),
        ("answer p95", found["answer_p95_ms"] <= GOALS["answer_p95_ms"], f"<= {GOALS['answer_p95_ms']} ms"),
        ("answers stored", found["answers_stored"] == found["answers_ok"], "== acknowledged"),
    ]
    print("goals: " + "; ".join(f"{name} {goal}: {'met' if ok else 'NOT met'}" for name, ok, goal in verdicts))
    print(" ".join(f"{k}={v}" for k, v in found.items() if k not in ("server", "sse_server")))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between a phone's polls (the page: 1)")
    parser.add_argument("--idle", type=float, default=15, help="seconds of polling with no change")
    parser.add_argument("--pushes", type=int, default=3)
    parser.add_argument("--gap", type=float, default=35, help="seconds between pushes")
    # Answers come 5–30 s after a push (reading, typing); --think-min 2 --think-max 8 --gap 12 is a burst test.
    parser.add_argument("--think-min", type=float, default=5, help="earliest answer after a push, seconds")
    parser.add_argument("--think-max", type=float, default=30, help="latest answer after a push, seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--no-sse", action="store_true", help="skip the SSE comparison")
    parser.add_argument(
        "--app-root", default=None, help="serve civic from another checkout (compare a change; same .venv)"
    )
    parser.add_argument("--database", default="civic_after_bench", help="PostgreSQL database, dropped and recreated")
    args = parser.parse_args(argv)
    if not 1 <= args.participants <= 990 or args.interval <= 0 or args.pushes < 1:
        parser.error("--participants 1..990, --interval > 0, --pushes >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    logdir = Path(tempfile.gettempdir()) / "civic-bench-focus-group"
    logdir.mkdir(exist_ok=True)
    print(f"preparing {args.database}: schema, a live focus group, {args.participants} participants…")
    if args.app_root:
        serving.ROOT = Path(args.app_root).resolve()  # gunicorn --chdir: that checkout's civic is imported
    prepared = prepare(args.database, args.participants)
    polling = run_polling(args, prepared, logdir)
    sse = None if args.no_sse else run_sse(args, prepared, logdir)
    found = figures(args, polling, sse)
    report(args, polling, sse, found)
    return 0 if found["answers_stored"] == found["answers_ok"] and found["joined"] == args.participants else 1


if __name__ == "__main__":
    sys.exit(main())
