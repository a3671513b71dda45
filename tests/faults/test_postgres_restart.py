"""PostgreSQL restarted while residents send the Bjerke-like survey through gunicorn (issue 8, faults).

A private cluster (never the shared server) holds a 12-question survey with personal links; gunicorn serves
civic against it as in production (CSRF on). Residents load the page, press Send, and retry on 503 as a
browser reload or a proxy would. Halfway, PostgreSQL is stopped (fast: open sessions are ended and their
transactions rolled back) and started again. What must hold:

* no 500: while the database is away, each request gets 503 with Retry-After and a page in the resident's
  language saying that what they sent was not stored;
* nothing half-stored: every submitted response has all 12 answers, no answers hang off unsent drafts;
* after retrying, every resident's answers are stored exactly once (one response per personal link);
* the connection pool recovers: after a restart while idle, the next residents get no error at all
  (the pool tests a connection idle for a tenth of a second before use and replaces those the restart killed,
  civic.core.pool_ping, instead of failing a request on each).
"""

from __future__ import annotations

import html
import random
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from civic import create_app
from civic.core import errors_http
from civic.extensions import db
from civic.surveys.models import Answer, ResponseState, SurveyResponse
from tests.benchmarks import seed
from tests.benchmarks.loadgen import CSRF_RE
from tests.benchmarks.serving import Server, ServerSettings
from tests.fixtures.app import TEST_DATABASE_URI

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not TEST_DATABASE_URI.startswith("postgresql"), reason="PostgreSQL pass only (uses a private cluster)"
    ),
]

DURING, AFTER = 40, 12  # residents sending while the database restarts / after an idle restart
CLIENTS = 4
DEADLINE_S = 90
QUESTIONS = 12


@dataclass
class Seen:
    """Every answer the residents got, shared by the client threads."""

    statuses: Counter = field(default_factory=Counter)
    #: (time, method, lang, Retry-After, body) of every 503
    unavailable: list[tuple[float, str, str, str, str]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    acked: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, response: requests.Response, lang: str) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code == 503:
                retry_after = response.headers.get("Retry-After", "")
                self.unavailable.append(
                    (time.monotonic(), response.request.method, lang, retry_after, response.text)
                )
            elif response.status_code not in (200, 303):
                self.unexpected.append(f"{response.status_code} {response.request.method} {response.text[:300]}")


@dataclass
class Resident:
    """One resident's browser: their page, once loaded, holds the form they send (and resend after a 503).

    The session cookie is sent by hand: production marks it Secure, and this client talks plain HTTP on loopback.
    """

    base: str
    token: str
    questions: list
    seen: Seen
    session: requests.Session = field(default_factory=requests.Session)
    body: dict | None = None
    cookie: str = ""
    lang: str = field(init=False)
    url: str = field(init=False)

    def __post_init__(self) -> None:
        self.lang = "en" if int.from_bytes(self.token.encode()[:2], "big") % 3 == 0 else "nb"  # a third read English
        self.session.headers["Accept-Language"] = self.lang
        self.url = f"{self.base}/p/{self.token}/page/1"

    def load(self, deadline: float) -> None:
        """Open the personal link, reloading on 503 (a short wait instead of Retry-After keeps the test quick)."""
        while self.body is None and self._carry_on(deadline):
            page = self.session.get(self.url, timeout=10)
            self.seen.record(page, self.lang)
            if page.status_code == 200:
                match = CSRF_RE.search(page.text)
                assert match, page.text[:500]
                self.body = seed.submit_body(match.group(1), self.questions, random.Random(self.token))
                self.cookie = f"session={page.cookies['session']}"
            else:
                time.sleep(0.25)

    def send(self, deadline: float) -> None:
        """Press Send, and again after each 503, until the receipt."""
        self.load(deadline)
        while self.body is not None and self._carry_on(deadline):
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie}
            sent = self.session.post(self.url, data=self.body, allow_redirects=False, timeout=10, headers=headers)
            self.seen.record(sent, self.lang)
            if sent.status_code == 303 and sent.headers["Location"].endswith(f"/p/{self.token}/done"):
                with self.seen.lock:
                    self.seen.acked.add(self.token)
                return
            time.sleep(0.25)

    def _carry_on(self, deadline: float) -> bool:
        # Something other than the fault stops the resident: the assertions report it.
        return time.monotonic() < deadline and not self.seen.statuses.keys() - {200, 303, 503}


def _residents(
    base: str, tokens: list[str], questions, seen: Seen, deadline: float, pace: float, preload: bool = False
) -> list:
    """CLIENTS threads, each working through its share of ``tokens``.

    With ``preload``, the first half of each share have their page open before anyone sends (residents who
    were filling in the form when the database went away), so an outage that starts once the sending has
    begun always meets a Send; the other half open the link and send, so it meets page loads too.
    """

    def client(share: list[Resident]) -> None:
        if preload:
            for resident in share[: len(share) // 2]:
                resident.load(deadline)
        for resident in share:
            resident.send(deadline)
            time.sleep(pace)

    residents = [Resident(base, token, questions, seen) for token in tokens]
    threads = [
        threading.Thread(target=client, args=(residents[i::CLIENTS],), daemon=True) for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    return threads


def _wait_for_a_refused_send(seen: Seen, within_s: float) -> None:
    """Keep the database away until a Send has met the outage (on a busy machine the first 2 s may not see one)."""
    until = time.monotonic() + within_s
    while time.monotonic() < until:
        with seen.lock:
            if any(method == "POST" for _at, method, *_rest in seen.unavailable):
                return
        time.sleep(0.05)


def _join(threads: list, deadline: float) -> None:
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "residents still waiting at the deadline"


def _expected_messages(url: str) -> dict[str, str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    messages = {}
    for lang in ("nb", "en"):
        with app.test_request_context("/", headers={"Accept-Language": lang}):
            messages[lang] = html.escape(errors_http._messages()[503], quote=False)
    return messages


def _half_stored(url: str) -> int:
    """Answers that belong to a response that was not submitted (a half-stored send)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(Answer)
            .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
            .where(SurveyResponse.state != ResponseState.SUBMITTED)
        )
        db.session.remove()
        db.engine.dispose()
    return count


def _seed(url: str) -> tuple[list, list[str]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    with app.app_context():
        db.create_all()
        survey = seed.seed_survey()
        tokens = seed.seed_invitations(survey.consultation_id, DURING + AFTER)
        questions = list(survey.questions)
        for question in questions:
            _ = question.choices
        db.session.expunge_all()
        db.session.remove()
        db.engine.dispose()
    return questions, tokens


def _wait_healthy(base: str, server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.process.poll() is None, "gunicorn exited"
        try:
            if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.2)
    pytest.fail("gunicorn's workers did not answer /healthz within 30 s")


def test_postgres_restart_during_submissions_loses_nothing_and_stores_once(
    private_postgres, private_redis, tmp_path: Path
):
    pg = private_postgres
    pg.psql("CREATE DATABASE civic_faults")
    url = pg.url("civic_faults")
    questions, tokens = _seed(url)
    during, after = tokens[:DURING], tokens[DURING:]
    env = {
        "CIVIC_SQLALCHEMY_DATABASE_URI": url,
        "CIVIC_SECRET_KEY": secrets.token_hex(32),
        "CIVIC_WEBHOOK_SECRET": secrets.token_hex(32),
        "CIVIC_ENV_NAME": "production",  # as deployed: CSRF on, unsafe settings refused
        "CIVIC_RATELIMIT_ENABLED": "false",
        "CIVIC_CELERY__broker_url": private_redis.url,  # production refuses an embedded broker
    }
    server = Server("wsgi:app", ServerSettings(workers=2, worker_class="sync", threads=1), env,
                    tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{server.port}"
    seen = Seen()
    deadline = time.monotonic() + DEADLINE_S
    try:
        _wait_healthy(base, server)
        # 1. Restart under load: residents keep sending while the server stops, stays down 2 s, starts.
        threads = _residents(base, during, questions, seen, deadline, pace=0.05, preload=True)
        while len(seen.acked) < 8 and time.monotonic() < deadline:
            time.sleep(0.02)
        pg.stop("fast")
        time.sleep(2)
        _wait_for_a_refused_send(seen, within_s=15)
        pg.start()
        _join(threads, deadline)
        during_statuses = Counter(seen.statuses)

        # 2. Restart while idle: every pooled connection is dead, none has been used since.
        pg.stop("fast")
        pg.start()
        restarted = time.monotonic()
        _join(_residents(base, after, questions, seen, deadline, pace=0.0), deadline)
    finally:
        server.stop()
    log = (tmp_path / "gunicorn.log").read_text()

    assert seen.unexpected == [], seen.unexpected[:3]
    assert "Traceback" not in log, log[-3000:]
    assert during_statuses[503] > 0, f"the restart hit no request: {during_statuses}"
    assert any(method == "POST" for _at, method, *_rest in seen.unavailable), "no Send was refused"
    messages = _expected_messages(url)
    for _at, _method, lang, retry_after, body in seen.unavailable:
        assert retry_after.isdigit()
        assert int(retry_after) > 0
        assert messages[lang] in body, body[:500]
        assert f'lang="{lang}"' in body
    assert [at for at, *_rest in seen.unavailable if at > restarted] == [], "the pool did not recover"

    assert seen.acked == set(tokens), "every resident's Send was acknowledged in the end"
    stored = seed.count_stored(url, tokens, QUESTIONS)
    assert stored.submitted_tokens == set(tokens)
    assert stored.submitted == stored.responses == stored.distinct_keys == len(tokens), "once per personal link"
    assert stored.bad_answer_counts == 0
    assert stored.answers == QUESTIONS * len(tokens)
    assert _half_stored(url) == 0
