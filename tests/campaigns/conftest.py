"""Shared campaign fixtures: a small deterministic registry, an open survey consultation, a ready campaign.

``small_registry`` is a few hundred residents whose names, ids and contact data are known to the test (so the
data-minimisation tests can search for every one of them). It is installed in the registry factory's cache
under its own size name, so every module that calls ``registry_from_config`` gets it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from civic import create_app
from civic.accounts.models import Organisation
from civic.campaigns import services
from civic.campaigns.models import Campaign, CampaignState, ChannelPolicy, OutboundMessage
from civic.campaigns.services import create_campaign
from civic.config import BaseConfig, TestingConfig
from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.core.timeutils import now_utc
from civic.extensions import db
from civic.registry import factory
from civic.registry.base import Registry
from civic.registry.types import (
    Address,
    AreaInfo,
    Contact,
    ContactStatus,
    HouseholdType,
    Person,
    PopulationQuery,
)

SMALL_SIZE = "dispatch-test-small"
TODAY = date.today()
SUB_DISTRICTS = ("Årvoll", "Linderud", "Veitvet")
HOUSEHOLDS = tuple(HouseholdType)


@dataclass
class SmallRegistry:
    """Population, contact and address register in one object; every resident is listed in ``people``."""

    people: list[Person] = field(default_factory=list)
    contacts: dict[str, Contact] = field(default_factory=dict)
    address_points: list[Address] = field(default_factory=list)

    def residents(self, query: PopulationQuery) -> Iterator[list[Person]]:
        chosen = [
            p
            for p in self.people
            if (query.born_from is None or p.birth_date >= query.born_from)
            and (query.born_to is None or p.birth_date <= query.born_to)
        ]
        for start in range(0, len(chosen), 100):
            yield chosen[start : start + 100]

    def lookup(self, national_ids: Sequence[str]) -> list[Contact]:
        assert len(national_ids) <= 1000
        return [self.contacts[i] for i in national_ids if i in self.contacts]

    def addresses(self) -> list[Address]:
        return self.address_points

    def area(self) -> AreaInfo:
        ring = [[10.78, 59.92], [10.86, 59.92], [10.86, 59.96], [10.78, 59.96], [10.78, 59.92]]
        return AreaInfo(
            name="Testbydel", municipality="0301", outline={"type": "Polygon", "coordinates": [ring]},
            sub_districts=SUB_DISTRICTS,
        )

    def bundle(self) -> Registry:
        return Registry(population=self, contacts=self, addresses=self)

    def address_text(self, person: Person) -> str:
        point = next(a for a in self.address_points if a.key == person.address_key)
        return point.text


def build_small_registry(size: int = 300) -> SmallRegistry:
    """Deterministic residents aged 18..77; mostly reachable by e-mail, some by SMS only, some not at all."""
    registry = SmallRegistry()
    for i in range(30):
        registry.address_points.append(
            Address(
                key=f"0301-1234-{i + 1}", street="Prøvegata", number=i + 1, letter="", postcode="0590",
                lat=59.93 + i * 0.001, lon=10.80 + i * 0.001, sub_district=SUB_DISTRICTS[i % 3],
            )
        )
    fresh = TODAY - timedelta(days=100)
    stale = TODAY - timedelta(days=800)
    for i in range(size):
        national_id = f"{1 + i % 2}{i:010d}"
        age = 18 + (i * 7) % 60
        person = Person(
            national_id=national_id,
            given_name=f"Fornavn{i:03d}x",
            family_name=f"Etternavn{i:03d}y",
            birth_date=date(TODAY.year - age - 1, 6 + i % 6, 1 + i % 27),
            address_key=registry.address_points[i % 30].key,
            household_type=HOUSEHOLDS[i % 4],
            protected=(i % 97 == 96),
        )
        registry.people.append(person)
        kind = i % 10
        registry.contacts[national_id] = Contact(
            national_id=national_id,
            status=ContactStatus.NOT_REGISTERED if kind == 9 else ContactStatus.ACTIVE,
            reserved=kind == 8,
            email=None if kind in (6, 7) else f"beboer{i:03d}@epost.example",
            email_confirmed_on=stale if kind == 5 else fresh,
            mobile=f"+479{i:07d}",
            mobile_confirmed_on=stale if kind == 7 else fresh,
            language=("nb", "nn", "en")[i % 3],
        )
    return registry


@pytest.fixture
def small_registry(app, monkeypatch) -> SmallRegistry:
    """The small registry, served by registry_from_config for this test's app."""
    registry = build_small_registry()
    monkeypatch.setitem(app.config, "REGISTRY_SYNTHETIC_SIZE", SMALL_SIZE)
    monkeypatch.setitem(factory._cache, ("synthetic", SMALL_SIZE, None), registry.bundle())
    return registry


@pytest.fixture
def consultation(create_survey):
    """An open survey consultation (nb + en)."""
    return create_survey(state=ConsultationState.OPEN).consultation


@pytest.fixture
def make_campaign(db, organisation, consultation, small_registry) -> Callable[..., Campaign]:
    """Create a campaign for ``consultation`` with audience criteria (default: everyone aged 18–99)."""

    def _make(criteria: dict | None = None, policy: str = ChannelPolicy.EMAIL_THEN_SMS, **settings) -> Campaign:
        campaign = create_campaign(
            db.session, organisation, actor=None, name="Parkering", consultation_id=consultation.id,
            channel_policy=policy,
        )
        campaign.criteria = criteria if criteria is not None else {"age_min": 18, "age_max": 99}
        for key, value in settings.items():
            setattr(campaign, key, value)
        db.session.commit()
        return campaign

    return _make


# --- real worker processes (fault, data-minimisation and worker tests) -----------------------------------

REDIS_BROKER = os.environ.get("CIVIC_TEST_CELERY_BROKER")
TEST_DATABASE = os.environ.get("CIVIC_TEST_DATABASE_URI", "")
ROOT = Path(__file__).resolve().parents[2]
#: About 300 residents of the synthetic Bydel Bjerke.
WORKER_CRITERIA = {"age_min": 20, "age_max": 21}


class CountingSmtp:
    """An aiosmtpd server that counts every accepted message per recipient (the ground truth of sends)."""

    def __init__(self, port: int | None = None) -> None:
        self.received: Counter[str] = Counter()
        self.bodies: list[bytes] = []
        self.port = port or free_port()
        self.controller: Controller | None = None
        counter = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                for rcpt in envelope.rcpt_tos:
                    counter.received[rcpt] += 1
                counter.bodies.append(envelope.content)
                return "250 OK"

        self.handler = Handler()

    def start(self) -> CountingSmtp:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Apps built by harness_app in the running test; their database connections are closed after it.
_harness_apps: list = []


def harness_app(database_url: str, broker_url: str, **config):
    """An app in the test process that publishes to the real broker (not eager), like the web process."""
    base = {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}
    celery = {**BaseConfig.CELERY, "broker_url": broker_url, "task_always_eager": False}
    app = create_app({**base, "SQLALCHEMY_DATABASE_URI": database_url, "CELERY": celery, **config})
    _harness_apps.append(app)
    return app


@pytest.fixture(autouse=True)
def _close_harness_apps() -> Iterator[None]:
    """Dispose harness apps' engines, or their open PostgreSQL connections surface as warnings in later tests."""
    yield
    while _harness_apps:
        with _harness_apps.pop().app_context():
            db.session.remove()
            db.engine.dispose()


def worker_database(tmp_path: Path) -> str:
    return TEST_DATABASE if TEST_DATABASE.startswith("postgresql") else f"sqlite:///{tmp_path / 'civic.sqlite'}"


def worker_broker(tmp_path: Path) -> str:
    return REDIS_BROKER or f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"


@dataclass
class Worker:
    """A Celery worker process configured from the environment only, as in deployment."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    pool: str = "solo"

    def start(self) -> Worker:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "civic.worker:celery", "worker", "--pool", self.pool,
                 "--concurrency", "2", "--loglevel", "info", "--without-heartbeat", "--without-gossip",
                 "--without-mingle"],
                cwd=ROOT, env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def worker_env(database_url: str, broker_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "CIVIC_SQLALCHEMY_DATABASE_URI": database_url,
        "CIVIC_CELERY__broker_url": broker_url,
        "CIVIC_SECRET_KEY": TestingConfig.SECRET_KEY,
        "CIVIC_OUTBOX_FOLDER": str(tmp_path / "outbox"),
        "CIVIC_SMS_OUTBOX_FOLDER": str(tmp_path / "outbox-sms"),
        "CIVIC_CAMPAIGN_RETRY_BACKOFF": "0.5",
        "CIVIC_CAMPAIGN_RETRY_BACKOFF_MAX": "3",
        "CIVIC_CAMPAIGN_RETRY_BUDGET": "40",
    }
    env.update(extra)
    return env


def seed_campaign(app, *, policy: str = "email", criteria: dict | None = None) -> int:
    """A fresh schema with an organisation, an open survey and a draft campaign; returns its id."""
    with app.app_context():
        db.drop_all()
        db.create_all()
        organisation = Organisation(slug="bjerke", name="Bydel Bjerke")
        consultation = Consultation(
            organisation=organisation, public_id="worker-campaign", kind=ConsultationKind.SURVEY,
            state=ConsultationState.OPEN, title={"nb": "Parkering i Bjerke"}, languages=["nb"],
        )
        db.session.add(consultation)
        db.session.commit()
        campaign = create_campaign(
            db.session, organisation, actor=None, name="Worker", consultation_id=consultation.id,
            channel_policy=policy,
        )
        campaign.criteria = criteria or WORKER_CRITERIA
        db.session.commit()
        campaign_id = campaign.id
        db.session.remove()
        return campaign_id


def start_sending(app, campaign_id: int) -> None:
    """What "Send now" does: the round is published to the broker after the commit."""
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        services.begin_sending(db.session, campaign, now=now_utc())
        db.session.commit()
        db.session.remove()


def campaign_snapshot(app, campaign_id: int) -> tuple[str, dict[str, int]]:
    with app.app_context():
        state = db.session.get(Campaign, campaign_id).state
        rows = db.session.execute(
            select(OutboundMessage.state, func.count())
            .where(OutboundMessage.campaign_id == campaign_id)
            .group_by(OutboundMessage.state)
        ).all()
        db.session.remove()
        return state, {s: n for s, n in rows}


def wait_until_sent(app, campaign_id: int, worker: Worker, timeout: float = 60) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state, states = campaign_snapshot(app, campaign_id)
        if state == CampaignState.SENT:
            return states
        if worker.process is not None:
            assert worker.process.poll() is None, worker.log.read_text()[-4000:]
        time.sleep(0.5)
    pytest.fail(f"campaign not sent in {timeout} s: {campaign_snapshot(app, campaign_id)}\n"
                + worker.log.read_text()[-4000:])
