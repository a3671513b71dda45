"""Benchmark a campaign send: from "send" until a local SMTP server has accepted every message.

    .venv/bin/python -m tests.benchmarks.bench_dispatch [--messages N] [--pool solo|prefork] [--registry bjerke|oslo]

A fresh PostgreSQL database (civic_bench_dispatch) gets the schema, an open survey and a campaign (e-mail only) whose
age range is widened until about N residents of the synthetic registry are reachable by e-mail. A real Celery
worker on Redis (solo, or prefork with 2 processes) sends it to an aiosmtpd server running in its own process
(so it does not compete for the GIL with this one), which counts accepted messages. The clock runs from the
commit that starts the campaign until the server has accepted them all. The baseline is a plain smtplib
loop over one connection sending the same number of messages of the same size to the same server, in the
same run. The last line printed holds the figures as key=value pairs. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import smtplib
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import redis
from aiosmtpd.controller import Controller

from civic.campaigns.audience import AudienceCriteria, count_audience
from civic.campaigns.models import ChannelPolicy
from civic.registry.factory import registry_from_config
from tests.benchmarks.seed import database_url, recreate_database
from tests.campaigns.conftest import (
    Worker,
    campaign_snapshot,
    free_port,
    harness_app,
    seed_campaign,
    start_sending,
    worker_env,
)

GOALS = {"seconds_6000": 60.0, "per_s_sustained": 200.0}
BROKER = "redis://127.0.0.1:6379/12"
RATE_STORAGE = "redis://127.0.0.1:6379/11"


def _smtp_server(port: int, counter, ready) -> None:
    """Run in a child process: accept mail, count it, discard it."""
    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            with counter.get_lock():
                counter.value += len(envelope.rcpt_tos)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    asyncio.run(asyncio.sleep(10**6))


class SmtpProcess:
    def __init__(self) -> None:
        self.port = free_port()
        self.counter = multiprocessing.Value("i", 0)
        ready = multiprocessing.Event()
        self.process = multiprocessing.Process(target=_smtp_server, args=(self.port, self.counter, ready), daemon=True)
        self.process.start()
        if not ready.wait(20):
            raise RuntimeError("the SMTP server did not start")

    @property
    def count(self) -> int:
        return self.counter.value

    def reset(self) -> None:
        with self.counter.get_lock():
            self.counter.value = 0

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


def criteria_for(n: int, size: str) -> tuple[dict, int]:
    """Widen an age range from 18 until at least ``n`` residents are reachable by e-mail."""
    registry = registry_from_config({"REGISTRY_SYNTHETIC_SIZE": size})
    today = date.today()
    reachable = 0
    for age_max in range(18, 100):
        criteria = {"age_min": 18, "age_max": age_max}
        reachable = count_audience(registry, AudienceCriteria.from_json(criteria), ChannelPolicy.EMAIL, today).reachable
        if reachable >= n:
            return criteria, reachable
    return {"age_min": 18, "age_max": 99}, reachable


def wait_ready(log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and "ready." in log.read_text():
            return
        time.sleep(0.2)
    raise RuntimeError(f"the worker did not start; see {log}")


def run_campaign(args, smtp: SmtpProcess, logdir: Path) -> dict:
    url = database_url(args.database)
    recreate_database(args.database)
    criteria, reachable = criteria_for(args.messages, args.registry)
    config = {"REGISTRY_SYNTHETIC_SIZE": args.registry}
    app = harness_app(url, BROKER, **config)
    campaign_id = seed_campaign(app, policy="email", criteria=criteria)
    for db_url in (BROKER, RATE_STORAGE):
        client = redis.Redis.from_url(db_url)
        client.flushdb()
        client.close()
    log = logdir / f"worker-{args.pool}.log"
    log.unlink(missing_ok=True)
    env = worker_env(
        url, BROKER, logdir, CIVIC_EMAIL_TRANSPORT="smtp", CIVIC_SMTP_HOST="127.0.0.1",
        CIVIC_SMTP_PORT=str(smtp.port), CIVIC_REGISTRY_SYNTHETIC_SIZE=args.registry,
        CIVIC_SEND_RATE_STORAGE_URI=RATE_STORAGE,
    )
    worker = Worker(env, log, pool=args.pool).start()
    try:
        wait_ready(log)
        smtp.reset()
        started = time.perf_counter()
        start_sending(app, campaign_id)
        deadline = started + args.timeout
        while smtp.count < reachable and time.perf_counter() < deadline:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        accepted = smtp.count
        state, states = campaign_snapshot(app, campaign_id)
        time.sleep(1.5)  # let the last commits land before counting
        state, states = campaign_snapshot(app, campaign_id)
    finally:
        worker.stop()
    return {"seconds": elapsed, "accepted": accepted, "expected": reachable, "states": states, "state": state}


def run_baseline(n: int, smtp: SmtpProcess) -> float:
    """A plain smtplib loop over one connection: the same number of messages of about the same size."""
    body = ("Hei!\n\nBydel Bjerke vil gjerne høre hva du mener. " * 12).encode()
    smtp.reset()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", smtp.port) as client:
        for i in range(n):
            message = (
                f"From: noreply@civic.localhost\r\nTo: r{i}@example.no\r\nSubject: Invitasjon\r\n"
                f"Message-ID: <b{i}@civic.localhost>\r\n\r\n"
            ).encode() + body
            client.sendmail("bounce@civic.localhost", [f"r{i}@example.no"], message)
    while smtp.count < n:
        time.sleep(0.01)
    return time.perf_counter() - started


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=6000)
    parser.add_argument("--registry", choices=("bjerke", "oslo"), default=None)
    parser.add_argument("--pool", choices=("solo", "prefork"), default="solo")
    parser.add_argument("--database", default="civic_bench_dispatch", help="PostgreSQL database, dropped and recreated")
    parser.add_argument("--timeout", type=float, default=None, help="give up after this many seconds")
    args = parser.parse_args(argv)
    args.registry = args.registry or ("oslo" if args.messages > 20_000 else "bjerke")
    args.timeout = args.timeout or max(180.0, args.messages / 50)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logdir = Path(tempfile.gettempdir()) / "civic-bench"
    logdir.mkdir(exist_ok=True)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    smtp = SmtpProcess()
    try:
        result = run_campaign(args, smtp, logdir)
        baseline = run_baseline(result["expected"], smtp)
    finally:
        smtp.stop()
    n = result["expected"]
    per_s = result["accepted"] / result["seconds"] if result["seconds"] else 0.0
    base_per_s = n / baseline if baseline else 0.0
    duplicates = max(0, result["accepted"] - n)
    print(
        f"\ncivic dispatch benchmark — {n} e-mails ({args.registry}), worker pool {args.pool}, "
        f"{os.cpu_count()} CPUs, load average at start {load}"
    )
    print(f"campaign: {result['accepted']}/{n} accepted by the SMTP server in {result['seconds']:.1f} s "
          f"({per_s:.0f}/s); campaign {result['state']}, messages {result['states']}")
    print(f"baseline smtplib loop: {n} in {baseline:.1f} s ({base_per_s:.0f}/s)")
    ratio = per_s / base_per_s if base_per_s else 0.0
    goal = GOALS["seconds_6000"] * n / 6000 if n <= 20_000 else n / GOALS["per_s_sustained"]
    met = result["seconds"] <= goal and result["accepted"] >= n
    print(f"goal: all {n} within {goal:.0f} s: {'met' if met else 'NOT met'}")
    print(
        f"messages={n} accepted={result['accepted']} duplicates={duplicates} seconds={result['seconds']:.1f} "
        f"per_s={per_s:.1f} baseline_seconds={baseline:.1f} baseline_per_s={base_per_s:.1f} ratio={ratio:.3f} "
        f"pool={args.pool} registry={args.registry}"
    )
    return 0 if result["accepted"] >= n and duplicates == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
