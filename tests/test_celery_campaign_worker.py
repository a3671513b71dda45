"""A complete campaign through a real worker on Redis, then the data-minimisation search (issue item 5).

The synthetic Bydel Bjerke registry, e-mail to a local SMTP server and SMS to the outbox, an invitation round
and a reminder round. Afterwards the database (every table and column), the Redis broker database (every key
and value) and the log output (worker and app, INFO) are searched for every matched resident's national id,
name, street address, e-mail address and phone number: none may appear.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest
import redis

from civic.campaigns import services
from civic.campaigns.audience import AudienceCriteria, birth_window
from civic.campaigns.models import Campaign
from civic.extensions import db
from civic.registry.factory import registry_from_config
from civic.registry.types import PopulationQuery
from tests.campaigns.conftest import (
    REDIS_BROKER,
    WORKER_CRITERIA,
    CountingSmtp,
    Worker,
    harness_app,
    seed_campaign,
    start_sending,
    wait_until_sent,
    worker_database,
    worker_env,
)
from tests.campaigns.test_data_minimisation import dump_database, leaks, personal_values

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not REDIS_BROKER, reason="set CIVIC_TEST_CELERY_BROKER (./run test does)"),
]


def _redis_dump(url: str) -> str:
    client = redis.Redis.from_url(url)
    parts = []
    for key in client.scan_iter():
        kind = client.type(key).decode()
        if kind == "string":
            value = client.get(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "set":
            value = client.smembers(key)
        elif kind == "zset":
            value = client.zrange(key, 0, -1, withscores=True)
        else:
            value = kind
        parts.append(f"{key!r}: {value!r}")
    client.close()
    return "\n".join(parts)


def _matched_residents(today: date):
    registry = registry_from_config({})
    criteria = AudienceCriteria.from_json(WORKER_CRITERIA)
    born_from, born_to = birth_window(criteria, today)
    query = PopulationQuery(municipality=registry.addresses.area().municipality, born_from=born_from, born_to=born_to)
    people = [p for batch in registry.population.residents(query) for p in batch]
    contacts = {}
    for start in range(0, len(people), 1000):
        ids = [p.national_id for p in people[start : start + 1000]]
        contacts.update({c.national_id: c for c in registry.contacts.lookup(ids)})
    addresses = {a.key: a for a in registry.addresses.addresses()}
    return people, contacts, addresses


def test_campaign_on_a_real_worker_leaves_no_personal_data(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    client = redis.Redis.from_url(REDIS_BROKER)
    client.flushdb()  # the test's own broker database
    client.close()
    database = worker_database(tmp_path)
    app = harness_app(database, REDIS_BROKER)
    campaign_id = seed_campaign(app, policy="email_then_sms")
    smtp = CountingSmtp().start()
    env = worker_env(database, REDIS_BROKER, tmp_path, CIVIC_EMAIL_TRANSPORT="smtp", CIVIC_SMTP_HOST="127.0.0.1",
                     CIVIC_SMTP_PORT=str(smtp.port))
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        start_sending(app, campaign_id)
        states = wait_until_sent(app, campaign_id, worker)
        with app.app_context():
            services.send_reminder(db.session, db.session.get(Campaign, campaign_id))
            db.session.commit()
            db.session.remove()
        wait_until_sent(app, campaign_id, worker)
    finally:
        worker.stop()
        smtp.stop()
    assert states.get("sent", 0) > 200
    assert sum(smtp.received.values()) > 100

    people, contacts, addresses = _matched_residents(date.today())
    values = list(personal_values(people, contacts, addresses))
    assert len(people) > 250
    with app.app_context():
        with db.engine.connect() as connection:
            dumped = dump_database(connection)
        db.engine.dispose()
    broker = _redis_dump(REDIS_BROKER)
    worker_log = (tmp_path / "worker.log").read_text()
    assert "campaigns.send_batch" in worker_log  # the worker did log at INFO
    assert leaks(dumped, values) == []
    assert leaks(broker, values) == []
    assert leaks(worker_log, values) == []
    # The app's log records in this process; aiosmtpd ("mail.log") is the receiving server, outside civic.
    app_log = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith("mail"))
    assert leaks(app_log, values) == []
    # The receiving server did get the personal data: the search would have found it there.
    assert leaks(b"\n".join(smtp.bodies).decode("utf-8", "replace"), values)
