"""Simulated planners: staff accounts, one login each, then browsing a survey's results pages with think time.

Each planner is a thread with its own keep-alive connection and session cookie that walks the results pages as a
person does in a browser: the overview, the question panels htmx loads as they scroll into view (distributions),
the counter the page polls, the written answers page by page and searched, and the same pages narrowed to a
segment. Planners pause between clicks (``think_s``, ±50 %) and briefly between panels coming into view.

All planners run in one child process, forked before the residents' load starts, so that the parent's load
generator is not slowed by them (and stays single-threaded when it forks its own workers). Told to stop, the child
sends back every request's kind, status and latency.
"""

from __future__ import annotations

import http.client
import multiprocessing
import random
import resource
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import insert, select

from civic import create_app
from civic.accounts.models import Role, StaffUser
from civic.accounts.passwords import hash_password
from civic.consultations.models import Consultation
from civic.extensions import db
from civic.surveys.models import Question, QuestionKind, Survey
from tests.benchmarks import loadgen, seed

PASSWORD = "load-test planner passphrase"  # a throwaway account in a throwaway database
KINDS = ("overview", "distribution", "counts", "texts", "search", "segment")
SCROLL, CLICK = "scroll", "click"
SEARCH_WORDS = ("brøyting", "sykkel", "veien", "skole", "parkering")
TIMEOUT_S = 30


@dataclass(frozen=True)
class Step:
    kind: str
    path: str
    partial: bool  # sent as htmx sends it (HX-Request: true) and answered with a fragment
    pause: str  # SCROLL: the next panel comes into view; CLICK: the planner reads, then clicks


def browse_script(survey_id: int, questions: list[Question], rng: random.Random) -> list[Step]:
    """Return one round through the results pages, with this planner's own pages, searches and segment."""
    base = f"/manage/results/{survey_id}"
    text_questions = [q.id for q in questions if q.kind_enum in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)]
    long_text = next(q.id for q in questions if q.kind_enum == QuestionKind.LONG_TEXT)
    district = urlencode({"district": rng.choice(seed.DISTRICTS)})
    narrower = urlencode({"district": rng.choice(seed.DISTRICTS), "age_band": rng.choice(seed.AGE_BANDS)})
    steps = [Step("overview", base, False, SCROLL)]
    steps += [Step("distribution", f"{base}/questions/{q.id}", True, SCROLL) for q in questions]
    steps.append(Step("counts", f"{base}/counts", True, CLICK))
    for page in (1, 2, 3, rng.randint(4, 100)):
        steps.append(Step("texts", f"{base}/questions/{long_text}/texts?page={page}", True, CLICK))
    for word in rng.sample(SEARCH_WORDS, 2):
        question = rng.choice(text_questions)
        steps.append(Step("search", f"{base}/questions/{question}/texts?{urlencode({'q': word})}", True, CLICK))
    steps.append(Step("segment", f"{base}?{district}", False, SCROLL))
    steps += [Step("segment", f"{base}/questions/{q.id}?{district}", True, SCROLL) for q in questions[:4]]
    steps.append(Step("segment", f"{base}?{narrower}", False, CLICK))
    return steps


def seed_planners(url: str, survey_id: int, count: int) -> list[str]:
    """Add ``count`` planner accounts to the survey's organisation; return their e-mail addresses.

    One argon2 hash serves every account: hashing is deliberately slow, and the login still verifies it.
    """
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    with app.app_context():
        organisation_id = db.session.scalar(
            select(Consultation.organisation_id).join(Survey).where(Survey.id == survey_id)
        )
        password_hash = hash_password(PASSWORD)
        emails = [f"planner{i}@load.example" for i in range(count)]
        rows = [
            {
                "organisation_id": organisation_id,
                "email": email,
                "name": f"Planner {i}",
                "role": Role.PLANNER,
                "password_hash": password_hash,
            }
            for i, email in enumerate(emails)
        ]
        db.session.execute(insert(StaffUser), rows)
        db.session.commit()
        db.engine.dispose()
    return emails


def _session_cookie(response: http.client.HTTPResponse) -> str | None:
    match = loadgen.SESSION_RE.search(response.getheader("Set-Cookie") or "")
    return f"session={match[1]}" if match else None


def login(port: int, email: str) -> str:
    """Log in through the form as a browser does (page with CSRF token, then POST); return the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        conn.request("GET", "/manage/login")
        page = conn.getresponse()
        body = page.read().decode("utf-8", "replace")
        cookie, csrf = _session_cookie(page), loadgen.CSRF_RE.search(body)
        if page.status != 200 or not cookie or not csrf:
            raise RuntimeError(f"login page: status {page.status}, no session cookie or CSRF token")
        form = urlencode({"csrf_token": csrf[1], "email": email, "password": PASSWORD})
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", "/manage/login", body=form, headers=headers)
        answer = conn.getresponse()
        answer.read()
        logged_in = _session_cookie(answer)
        if answer.status != 303 or not logged_in:
            raise RuntimeError(f"login of {email} failed: status {answer.status}")
        return logged_in
    finally:
        conn.close()


@dataclass
class PlannerResult:
    """Every planner request: latency per kind of page, statuses, connection errors."""

    latencies: dict[str, list[float]] = field(default_factory=dict)  # seconds, per step kind
    statuses: Counter = field(default_factory=Counter)
    socket_errors: int = 0
    duration_s: float = 0.0
    client_cpu_s: float = 0.0

    @property
    def answered(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    @property
    def errors(self) -> int:
        """Requests that did not get the page: any status but 200, and connection errors or timeouts."""
        return self.answered - self.statuses[200] + self.socket_errors

    @property
    def per_s(self) -> float:
        return self.answered / self.duration_s if self.duration_s else 0.0

    def percentiles_ms(self, kind: str | None = None) -> dict[float, float]:
        values = sorted(
            v for k, items in self.latencies.items() if kind is None or k == kind for v in items
        )
        return {float(p): loadgen._percentile(values, p) * 1000 for p in (*loadgen.PERCENTILES, 100)}


def _browse(
    port: int, cookie: str, steps: list[Step], think_s: float, rng: random.Random, stop: threading.Event
) -> tuple[list[tuple[str, int, float]], int]:
    """Walk the steps round and round until ``stop``; return (kind, status, seconds) per request and errors."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    done: list[tuple[str, int, float]] = []
    errors = 0
    position = 0
    while not stop.is_set():
        step = steps[position % len(steps)]
        position += 1
        headers = {"Cookie": cookie, "HX-Request": "true"} if step.partial else {"Cookie": cookie}
        start = time.perf_counter()
        try:
            conn.request("GET", step.path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            conn.close()  # http.client reconnects on the next request
            errors += 1
            continue
        done.append((step.kind, response.status, time.perf_counter() - start))
        cookie = _session_cookie(response) or cookie  # a browser keeps the refreshed session
        pause = think_s * rng.uniform(0.5, 1.5) if step.pause == CLICK else rng.uniform(0.1, 0.3)
        stop.wait(pause)
    conn.close()
    return done, errors


def _crowd(port: int, cookies: list[str], scripts: list[list[Step]], think_s: float, stop, pipe) -> None:
    """Child process: one thread per planner until ``stop``; then send the merged result through ``pipe``."""
    local_stop = threading.Event()
    outcomes: list[tuple[list[tuple[str, int, float]], int]] = []
    lock = threading.Lock()

    def planner(index: int) -> None:
        outcome = _browse(port, cookies[index], scripts[index], think_s, random.Random(index), local_stop)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=planner, args=(i,)) for i in range(len(cookies))]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    stop.wait()
    local_stop.set()
    for thread in threads:
        thread.join()
    result = PlannerResult(duration_s=time.perf_counter() - start)
    for done, errors in outcomes:
        result.socket_errors += errors
        for kind, status, seconds in done:
            result.latencies.setdefault(kind, []).append(seconds)
            result.statuses[status] += 1
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.client_cpu_s = usage.ru_utime + usage.ru_stime
    pipe.send(result)
    pipe.close()


class PlannerCrowd:
    """The planners' child process: ``start()`` before the residents come, ``stop()`` once they are done."""

    def __init__(self, port: int, cookies: list[str], scripts: list[list[Step]], think_s: float) -> None:
        context = multiprocessing.get_context("fork")
        self._stop = context.Event()
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_crowd, args=(port, cookies, scripts, think_s, self._stop, send), daemon=True
        )
        self._send = send

    def start(self) -> None:
        self._process.start()
        self._send.close()  # the child holds the sending end now

    def stop(self) -> PlannerResult:
        self._stop.set()
        try:
            # A planner may be waiting for a slow page: up to TIMEOUT_S, then the result comes.
            if not self._receive.poll(TIMEOUT_S + 30):
                raise RuntimeError("the planners' process did not report")
            return self._receive.recv()
        finally:
            self._receive.close()
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()


def log_in_planners(
    port: int, emails: list[str], survey_id: int, questions: list[Question], think_s: float
) -> PlannerCrowd:
    """Log every planner in; give each a script starting at a different place, so they spread over the pages."""
    cookies = [login(port, email) for email in emails]
    scripts = []
    for i in range(len(emails)):
        steps = browse_script(survey_id, questions, random.Random(1000 + i))
        offset = i * len(steps) // max(1, len(emails))
        scripts.append(steps[offset:] + steps[:offset])
    return PlannerCrowd(port, cookies, scripts, think_s)
