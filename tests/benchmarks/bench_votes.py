"""Benchmark agree/disagree/pass votes through gunicorn on PostgreSQL, next to a one-row baseline; and the
server-side render time of a section page with 2,000 comments.

    .venv/bin/python -m tests.benchmarks.bench_votes [--requests N] [--concurrency C] [--duration S]

A fresh database (civic_bench) gets the schema, an open hearing with 200 published comments in one section
(the ones voted on), 2,000 in another (the page render), and voters (participants with known keys). gunicorn
serves civic on a loopback port with CSRF on. Each voter loads "vote on statements" once (GET: session cookie
+ CSRF token), then the voters post their votes (POST /h/<id>/comments/<c>/vote, no JavaScript: 303), each
with its own participant cookie, on comments drawn at random. Warm-up votes go first; the main phase changes
some of them (a changed vote) and casts new ones. The same gunicorn settings then serve baseline_app.py (one
row per request) at the same concurrency. Finally the database is checked: every acknowledged vote (303
whose Location names voter, comment and value) must be the stored current vote, the history must hold one
event per acknowledged cast, and every comment's counters must equal its current votes.
The last line printed holds the figures as key=value pairs. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from itsdangerous import URLSafeSerializer
from sqlalchemy import func, insert, select

from civic import create_app
from civic.accounts.models import Organisation
from civic.consultations.models import ConsultationState
from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token, new_token
from civic.extensions import db
from civic.hearings import services
from civic.hearings.models import Comment, CommentState, Participant, Vote, VoteEvent
from civic.hearings.views.common import COOKIE_SALT, cookie_name_for
from tests.benchmarks import bench_submissions as bs
from tests.benchmarks import loadgen, seed, serving
from tests.benchmarks.loadgen import Request, Result

GOALS = {"votes_per_s": 500, "p95_ms": 100, "page_ms": 150}
VOTED_COMMENTS = 200
PAGE_COMMENTS = 2000
VOTES_PER_VOTER = 5
NAMES = {1: "agree", -1: "disagree", 0: "pass"}
DOCUMENT = (
    "Forslag om boligsoneparkering.\n\n# Stemmer\n\nKommentarer å stemme på.\n\n# Mange kommentarer\n\nEn lang side.\n"
)


@dataclass
class Prepared:
    url: str
    secret: str
    public_id: str
    hearing_id: int
    page_section_id: int
    voters: list[tuple[int, str]]  # (participant id, key)
    comment_ids: list[int]


def prepare(name: str, voter_count: int) -> Prepared:
    seed.recreate_database(name)
    url = seed.database_url(name)
    secret = secrets.token_hex(32)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "SECRET_KEY": secret})
    with app.app_context(), app.test_request_context():
        db.create_all()
        organisation = Organisation(slug="bench", name="Bydel Bench", parent_name="Oslo kommune")
        db.session.add(organisation)
        db.session.flush()
        hearing = services.create_hearing(
            db.session, organisation, actor=None, title={"nb": "Parkering i Bjerke"}, document=DOCUMENT
        )
        hearing.consultation.state = ConsultationState.OPEN
        db.session.flush()
        voted_section, page_section = hearing.sections[0].id, hearing.sections[1].id
        keys = [new_token() for _ in range(voter_count + 1)]
        rows = [
            {"hearing_id": hearing.id, "key_hash": hash_token(k), "pseudonym": f"Deltaker {i}", "created_at": now_utc()}
            for i, k in enumerate(keys)
        ]
        ids = db.session.scalars(
            insert(Participant).returning(Participant.id, sort_by_parameter_order=True), rows
        ).all()
        author = ids[0]
        comments = [
            {
                "hearing_id": hearing.id,
                "section_id": section,
                "participant_id": author,
                "body": f"Kommentar {i}: beboerkortet bør koste mindre, og gjesteparkering må være mulig.",
                "state": CommentState.PUBLISHED,
                "hold_reasons": [],
                "created_at": now_utc(),
            }
            for section, count in ((voted_section, VOTED_COMMENTS), (page_section, PAGE_COMMENTS))
            for i in range(count)
        ]
        comment_ids = db.session.scalars(
            insert(Comment).returning(Comment.id, sort_by_parameter_order=True), comments
        ).all()
        db.session.commit()
        prepared = Prepared(
            url,
            secret,
            hearing.consultation.public_id,
            hearing.id,
            page_section,
            list(zip(ids[1:], keys[1:], strict=True)),
            list(comment_ids[:VOTED_COMMENTS]),
        )
        db.engine.dispose()
    return prepared


@dataclass(frozen=True)
class Cast:
    voter: int  # index into prepared.voters
    comment_id: int
    value: int


def plan_votes(prepared: Prepared, warm_voters: int, rng: random.Random) -> tuple[list[Cast], list[Cast]]:
    """Warm-up casts of the first voters, then main casts: new ones, and the warm-up pairs with a new value."""
    warm, main = [], []
    for index in range(len(prepared.voters)):
        for comment_id in rng.sample(prepared.comment_ids, VOTES_PER_VOTER):
            cast = Cast(index, comment_id, rng.choice((1, -1, 0)))
            if index < warm_voters:
                warm.append(cast)
                main.append(Cast(index, comment_id, rng.choice([v for v in (1, -1, 0) if v != cast.value])))
            else:
                main.append(cast)
    rng.shuffle(main)
    return warm, main


def vote_requests(prepared: Prepared, casts: list[Cast], pairs: list[tuple[str, str]]) -> list[Request]:
    signer = URLSafeSerializer(prepared.secret, salt=COOKIE_SALT)
    cookie_name = cookie_name_for(prepared.public_id)
    out = []
    for i, cast in enumerate(casts):
        session, csrf = pairs[cast.voter % len(pairs)] if pairs else ("", "")
        participant_cookie = signer.dumps(prepared.voters[cast.voter][1])
        ack = f"/h/{prepared.public_id}/vote?ack={cast.voter}x{cast.comment_id}x{cast.value}x{i}"
        body = urlencode({"csrf_token": csrf, "value": NAMES[cast.value], "next": ack})
        cookie = f"session={session}; {cookie_name}={participant_cookie}"
        out.append(Request("POST", f"/h/{prepared.public_id}/comments/{cast.comment_id}/vote", cookie, body))
    return out


def acked(result: Result) -> list[tuple[int, int, int]]:
    found = []
    for location in result.locations:
        if "ack=" in location:
            voter, comment_id, value, _i = location.split("ack=", 1)[1].split("x")
            found.append((int(voter), int(comment_id), int(value)))
    return found


def run_civic(args, prepared: Prepared, settings: serving.ServerSettings, logdir: Path) -> dict:
    env = {
        "CIVIC_SQLALCHEMY_DATABASE_URI": prepared.url,
        "CIVIC_SECRET_KEY": prepared.secret,
        "CIVIC_WEBHOOK_SECRET": secrets.token_hex(32),
        "CIVIC_ENV_NAME": "production",
        "CIVIC_CELERY__broker_url": "redis://127.0.0.1:6379/11",  # production refuses the embedded broker
        "CIVIC_RATELIMIT_ENABLED": "false",
    }
    warm, main = plan_votes(prepared, args.warmup, random.Random(7))
    main = main[: args.requests]
    server = serving.Server("wsgi:app", settings, env, logdir / "gunicorn-civic-votes.log")
    try:
        loads = [Request("GET", f"/h/{prepared.public_id}/vote") for _ in range(min(len(prepared.voters), 400))]
        warm_get = loadgen.run_python(server.port, loads[: settings.workers * 4], settings.workers, args.duration)
        get, get_cpu = serving.measured(
            lambda: loadgen.run(args.client, server.port, loads, args.concurrency, args.duration), server, args.database
        )
        pairs = warm_get.captured + get.captured
        if not pairs:
            raise RuntimeError("no page load gave a session cookie and CSRF token; see the gunicorn log")
        warm_post = loadgen.run_python(
            server.port, vote_requests(prepared, warm, pairs), settings.workers, args.duration
        )
        posts = vote_requests(prepared, main, pairs)
        post, post_cpu = serving.measured(
            lambda: loadgen.run(args.client, server.port, posts, args.concurrency, args.duration), server, args.database
        )
    finally:
        server.stop()
    return {"get": get, "get_cpu": get_cpu, "warm_post": warm_post, "post": post, "post_cpu": post_cpu}


def check_stored(prepared: Prepared, civic: dict) -> dict:
    """Compare what was acknowledged with what the database holds."""
    engine_app = create_app({"SQLALCHEMY_DATABASE_URI": prepared.url, "TESTING": False, "SECRET_KEY": prepared.secret})
    with engine_app.app_context():
        s = db.session
        current = {(p, c): v for p, c, v in s.execute(select(Vote.participant_id, Vote.comment_id, Vote.value))}
        events = s.scalar(select(func.count()).select_from(VoteEvent))
        per_comment = {
            cid: (a, d, p)
            for cid, a, d, p in s.execute(
                select(Comment.id, Comment.agree_count, Comment.disagree_count, Comment.pass_count).where(
                    Comment.id.in_(prepared.comment_ids)
                )
            )
        }
        db.engine.dispose()
    expected_counts = {cid: [0, 0, 0] for cid in prepared.comment_ids}
    for (_p, cid), value in current.items():
        expected_counts[cid][{1: 0, -1: 1, 0: 2}[value]] += 1
    bad_counters = sum(1 for cid, counts in per_comment.items() if list(counts) != expected_counts[cid])
    main_acked, warm_acked = acked(civic["post"]), acked(civic["warm_post"])
    final = {(v, c): value for v, c, value in warm_acked}
    final.update({(v, c): value for v, c, value in main_acked})  # main casts come after every warm-up one
    lost = sum(1 for (v, c), value in final.items() if current.get((prepared.voters[v][0], c)) != value)
    acknowledged = len(main_acked) + len(warm_acked)
    return {
        "lost": lost + max(0, acknowledged - events),
        "events": events,
        "acknowledged": acknowledged,
        "votes": len(current),
        "bad_counters": bad_counters,
    }


def page_render(prepared: Prepared, renders: int) -> dict:
    """Median server-side time of GET /h/<id>/s/<section> (2,000 comments, paged), in process, after a warm-up."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": prepared.url, "TESTING": False, "SECRET_KEY": prepared.secret})
    path = f"/h/{prepared.public_id}/s/{prepared.page_section_id}"
    out: dict = {"path": path}
    with app.app_context():
        client = app.test_client()
        for sort in ("", "?sort=divisive"):
            first = client.get(path + sort)
            if first.status_code != 200:
                out[sort or "default"] = (first.status_code, 0.0, 0.0)
                continue
            times = []
            for _ in range(renders):
                start = time.perf_counter()
                response = client.get(path + sort)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            out[sort or "default"] = (200, statistics.median(times), max(times))
        db.engine.dispose()
    return out


def report(args, settings, civic: dict, base: dict, stored: dict, page: dict) -> int:
    post, bpost = civic["post"], base["post"]
    ok = post.count(303)
    per_s = ok / post.duration_s if post.duration_s else 0.0
    base_per_s = bpost.count(303) / bpost.duration_s if bpost.duration_s else 0.0
    base_lost = max(0, bpost.count(303) + base["warm"] - base["rows"])
    page_status, page_ms, page_max = page.get("default", (0, 0.0, 0.0))
    div_status, div_ms, _div_max = page.get("?sort=divisive", (0, 0.0, 0.0))
    figures = {
        "votes_per_s": round(per_s, 1),
        "p50_ms": round(post.percentiles_ms.get(50.0, 0.0), 1),
        "p95_ms": round(post.percentiles_ms.get(95.0, 0.0), 1),
        "p99_ms": round(post.percentiles_ms.get(99.0, 0.0), 1),
        "baseline_per_s": round(base_per_s, 1),
        "baseline_p95_ms": round(bpost.percentiles_ms.get(95.0, 0.0), 1),
        "ratio": round(per_s / base_per_s, 3) if base_per_s else 0.0,
        "lost": stored["lost"] + base_lost,
        "bad_counters": stored["bad_counters"],
        "errors": (post.answered - ok) + post.socket_errors + (bpost.answered - bpost.count(303)) + bpost.socket_errors,
        "web_us": round(civic["post_cpu"].server_s / max(1, post.answered) * 1e6),
        "db_us": round(civic["post_cpu"].database_s / max(1, post.answered) * 1e6),
        "page_ms": round(page_ms, 1) if page_status == 200 else f"unavailable({page_status})",
        "page_divisive_ms": round(div_ms, 1) if div_status == 200 else f"unavailable({div_status})",
        "workers": settings.workers,
        "concurrency": args.concurrency,
        "client": args.client,
    }
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\ncivic vote benchmark — gunicorn {settings.label()}, client {args.client}, concurrency "
        f"{args.concurrency}, {len(post.locations)} votes measured, {os.cpu_count()} CPUs, "
        f"load average at start {args.load_before}, at end {load}"
    )
    print(
        f"{'phase':<22}{'count':>7}{'req/s':>9}{'p50ms':>8}{'p95ms':>8}{'p99ms':>8}{'maxms':>8}"
        f"{'cpu':>7}{'web µs':>8}{'db µs':>8}{'cli µs':>8}  statuses"
    )
    print(bs._row("statement page (GET)", civic["get"], civic["get_cpu"]))
    print(bs._row("vote (POST)", post, civic["post_cpu"]))
    print(bs._row("baseline insert", bpost, base["cpu"]))
    print(
        f"\nstored: {stored['votes']} current votes, {stored['events']} vote events for {stored['acknowledged']} "
        f"acknowledged casts (incl. warm-up); counters off on {stored['bad_counters']} comments; "
        f"baseline rows {base['rows']}"
    )
    if page_status == 200:
        print(
            f"section page with {PAGE_COMMENTS} comments ({page['path']}): median {page_ms:.1f} ms, max "
            f"{page_max:.1f} ms over {args.renders} server-side renders; sort=divisive median {div_ms:.1f} ms"
        )
    else:
        print(f"section page {page['path']}: not measured (status {page_status}: the view is not there yet)")
    verdicts = [
        ("votes/s", figures["votes_per_s"] >= GOALS["votes_per_s"], f">= {GOALS['votes_per_s']}"),
        ("p95", figures["p95_ms"] <= GOALS["p95_ms"], f"<= {GOALS['p95_ms']} ms"),
        ("lost", figures["lost"] == 0 and figures["bad_counters"] == 0, "== 0"),
        ("section page", page_status == 200 and page_ms <= GOALS["page_ms"], f"<= {GOALS['page_ms']} ms"),
    ]
    print("goals: " + "; ".join(f"{n} {g}: {'met' if ok else 'NOT met'}" for n, ok, g in verdicts))
    keys = (
        "votes_per_s", "p50_ms", "p95_ms", "p99_ms", "baseline_per_s", "baseline_p95_ms", "ratio", "lost",
        "bad_counters", "errors", "web_us", "db_us", "page_ms", "page_divisive_ms", "workers", "concurrency",
    )  # fmt: skip
    print(" ".join(f"{k}={figures[k]}" for k in keys))
    return 0 if figures["lost"] == 0 and figures["bad_counters"] == 0 else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000, help="votes in the measured phase")
    parser.add_argument("--concurrency", type=int, default=16, help="simultaneous connections")
    parser.add_argument("--duration", type=int, default=30, help="time limit of each load phase, seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--client", choices=("wrk", "python"), default=None)
    parser.add_argument("--database", default="civic_bench", help="PostgreSQL database, dropped and recreated")
    parser.add_argument("--warmup", type=int, default=20, help="voters whose votes go first (and change later)")
    parser.add_argument("--renders", type=int, default=30, help="section page renders to time")
    parser.add_argument("--skip-page", action="store_true", help="do not time the section page")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or not 1 <= args.duration <= 120:
        parser.error("--requests and --concurrency must be positive, --duration 1..120")
    if args.client is None:
        args.client = "wrk" if loadgen.ensure_wrk() else "python"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    settings = serving.ServerSettings(args.workers, args.worker_class, args.threads)
    logdir = Path(tempfile.gettempdir()) / "civic-bench"
    logdir.mkdir(exist_ok=True)
    voters = args.requests // VOTES_PER_VOTER + args.warmup + 1
    print(f"preparing {args.database}: hearing, {VOTED_COMMENTS}+{PAGE_COMMENTS} comments, {voters} voters…")
    prepared = prepare(args.database, voters)
    civic = run_civic(args, prepared, settings, logdir)
    base = bs.run_baseline(args, seed.Prepared(prepared.url, 0, [], [], []), settings, logdir)
    stored = check_stored(prepared, civic)
    page = {"path": "-"} if args.skip_page else page_render(prepared, args.renders)
    return report(args, settings, civic, base, stored, page)


if __name__ == "__main__":
    sys.exit(main())
