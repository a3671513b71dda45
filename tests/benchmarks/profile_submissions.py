"""Profile one resident's page load and submission in-process (no gunicorn), to see where the time goes.

    .venv/bin/python -m tests.benchmarks.profile_submissions [--residents N] [--sort tottime|cumulative]

Uses the benchmark's database, survey and answers (CSRF on), counts SQL statements per request and
prints cProfile's top entries for the POSTs.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import re
import time
from collections import Counter

from sqlalchemy import event

from civic import create_app
from civic.extensions import db
from tests.benchmarks import seed
from tests.benchmarks.serving import database_backends, process_cpu

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--profiler", choices=("cprofile", "pyinstrument"), default="cprofile")
    parser.add_argument("--sort", default="tottime", help="cProfile sort key")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--database", default="civic_bench_profile")
    args = parser.parse_args()

    prepared = seed.prepare(args.database, args.residents + 10)
    app = create_app({"SQLALCHEMY_DATABASE_URI": prepared.url, "SECRET_KEY": "profile", "RATELIMIT_ENABLED": False})
    statements: Counter = Counter()
    current = {"phase": "setup"}
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(conn, cursor, statement, parameters, context, executemany) -> None:
            statements[current["phase"]] += 1
            statements[(current["phase"], statement.split()[0])] += 1

    rng = random.Random(1)
    client_pages = []
    get_cpu = 0.0
    for token in prepared.tokens:  # page loads: one client (cookie jar) per resident
        client = app.test_client()
        current["phase"] = "get"
        started = time.process_time()
        page = client.get(f"/p/{token}/page/1")
        get_cpu += time.process_time() - started
        assert page.status_code == 200, page.status_code
        client_pages.append((client, token, CSRF_RE.search(page.get_data(as_text=True))[1]))
    # Includes the first loads, which compile templates and fill caches.
    print(f"page loads: {get_cpu / len(prepared.tokens) * 1000:.2f} ms CPU each in this process (all, incl. first)")
    warm, rest = client_pages[:10], client_pages[10:]
    timed, measured = rest[: len(rest) // 2], rest[len(rest) // 2 :]

    def post(client, token, csrf) -> None:
        body = seed.submit_body(csrf, prepared.questions, rng)
        response = client.post(f"/p/{token}/page/1", data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:2000])

    current["phase"] = "warm"
    for item in warm:
        post(*item)
    current["phase"] = "post"
    backends = database_backends(args.database)
    db_cpu = sum(process_cpu(pid) for pid in backends)
    start, cpu = time.perf_counter(), time.process_time()
    for item in timed:
        post(*item)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    db_cpu = sum(process_cpu(pid) for pid in backends) - db_cpu
    print(
        f"{len(timed)} submissions without profiler: {elapsed / len(timed) * 1000:.1f} ms each "
        f"({cpu / len(timed) * 1000:.2f} ms CPU in this process, "
        f"{db_cpu / len(timed) * 1000:.2f} ms in PostgreSQL; the rest is waiting)"
    )
    profiler = _profiler(args.profiler)
    profiler.start()
    for item in measured:
        post(*item)
    profiler.stop()
    n = len(timed) + len(measured)
    gets = len(prepared.tokens)
    print(f"SQL statements per page load: {statements['get'] / gets:.1f}; per submission: {statements['post'] / n:.1f}")
    for (phase, verb), count in sorted((k, v) for k, v in statements.items() if isinstance(k, tuple)):
        if phase in ("get", "post"):
            print(f"  {phase} {verb}: {count / (gets if phase == 'get' else n):.1f}")
    profiler.report(args.sort, args.top)


class _CProfile:
    def __init__(self) -> None:
        self.profile = cProfile.Profile(time.process_time)  # CPU time: waits on PostgreSQL do not count

    def start(self) -> None:
        self.profile.enable()

    def stop(self) -> None:
        self.profile.disable()

    def report(self, sort: str, top: int) -> None:
        pstats.Stats(self.profile).sort_stats(sort).print_stats(top)


class _Pyinstrument:
    """pyinstrument (pip install pyinstrument into the venv; not a project dependency)."""

    def __init__(self) -> None:
        from pyinstrument import Profiler

        self.profile = Profiler(interval=0.0005)

    def start(self) -> None:
        self.profile.start()

    def stop(self) -> None:
        self.profile.stop()

    def report(self, sort: str, top: int) -> None:
        print(self.profile.output_text(unicode=True, color=False, show_all=False))


def _profiler(name: str):
    return _Pyinstrument() if name == "pyinstrument" else _CProfile()


if __name__ == "__main__":
    main()
