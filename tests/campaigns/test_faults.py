"""Faults with a real worker process: SMTP down for a while, an SMS gateway answering 429 and 500, a killed worker.

In the end every recipient got exactly one message (counted by the receiving server), or, for the worker
killed mid-send, at most the message in flight is counted as unknown, and nobody got one twice.
The broker is Redis when CIVIC_TEST_CELERY_BROKER is set, else the embedded SQLite broker.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from civic.campaigns.models import OutboundMessage
from civic.extensions import db
from tests.campaigns.conftest import (
    REDIS_BROKER,
    CountingSmtp,
    Worker,
    campaign_snapshot,
    harness_app,
    seed_campaign,
    start_sending,
    wait_until_sent,
    worker_broker,
    worker_database,
    worker_env,
)
from tests.outreach.test_sms import FakeLink, ok, respond

pytestmark = [pytest.mark.slow, pytest.mark.celery_worker]


def _sent_count(app, campaign_id: int) -> int:
    with app.app_context():
        n = len(db.session.scalars(select(OutboundMessage.id).where(OutboundMessage.campaign_id == campaign_id)).all())
        db.session.remove()
        return n


def test_smtp_server_down_for_a_while_then_all_delivered_once(tmp_path):
    database, broker = worker_database(tmp_path), worker_broker(tmp_path)
    app = harness_app(database, broker)
    campaign_id = seed_campaign(app, policy="email")
    smtp = CountingSmtp()  # not started yet: connections are refused
    worker = Worker(worker_env(database, broker, tmp_path, CIVIC_EMAIL_TRANSPORT="smtp", CIVIC_SMTP_HOST="127.0.0.1",
                               CIVIC_SMTP_PORT=str(smtp.port)), tmp_path / "worker.log").start()
    try:
        start_sending(app, campaign_id)
        time.sleep(4)  # the worker plans the round and fails to connect a few times
        assert sum(smtp.received.values()) == 0
        smtp.start()
        states = wait_until_sent(app, campaign_id, worker, timeout=50)
    finally:
        worker.stop()
        smtp.stop()
    total = _sent_count(app, campaign_id)
    assert total > 200
    assert states == {"sent": total}
    assert len(smtp.received) == total
    assert set(smtp.received.values()) == {1}
    assert "retry" in (tmp_path / "worker.log").read_text().lower()


def test_sms_gateway_answering_429_and_500_then_all_sent_once(tmp_path):
    database, broker = worker_database(tmp_path), worker_broker(tmp_path)
    app = harness_app(database, broker)
    campaign_id = seed_campaign(app, policy="sms")
    link = FakeLink()
    # A burst of refusals, the kind a gateway gives under load: nothing is accepted meanwhile.
    link.replies = [respond(429, {}, {"Retry-After": "1"})] * 5 + [respond(500)] * 5
    accepted: list[str] = []

    def accept(handler, body):
        accepted.append(body["refId"])
        ok()(handler, body)

    link.replies += [accept] * 100 + [respond(503)] * 3 + [respond(429, {}, {"Retry-After": "0"})] * 2
    link.replies += [accept] * 1000
    link.thread.start()
    env = worker_env(
        database, broker, tmp_path, CIVIC_SMS_TRANSPORT="link", CIVIC_SMS_LINK_URL=link.url,
        CIVIC_SMS_LINK_USERNAME="civic", CIVIC_SMS_LINK_PASSWORD="secret", CIVIC_SMS_LINK_PLATFORM_ID="SMS",
        CIVIC_SMS_LINK_PLATFORM_PARTNER_ID="4711",
    )
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        start_sending(app, campaign_id)
        states = wait_until_sent(app, campaign_id, worker, timeout=55)
    finally:
        worker.stop()
        link.server.shutdown()
        link.server.server_close()
    total = _sent_count(app, campaign_id)
    assert states == {"sent": total}
    # Every message was accepted exactly once; refused requests were retried.
    assert len(link.requests) >= total + 15
    assert len(accepted) == len(set(accepted)) == total
    with app.app_context():
        refs = set(db.session.scalars(select(OutboundMessage.provider_ref)))
        db.session.remove()
    assert len(refs) == total


@pytest.mark.skipif(not REDIS_BROKER, reason="a killed worker's task returns through Redis's visibility timeout")
def test_worker_killed_mid_campaign_then_restarted(tmp_path):
    database, broker = worker_database(tmp_path), worker_broker(tmp_path)
    app = harness_app(database, broker)
    campaign_id = seed_campaign(app, policy="email")
    smtp = CountingSmtp().start()
    env = worker_env(
        database, broker, tmp_path, CIVIC_EMAIL_TRANSPORT="smtp", CIVIC_SMTP_HOST="127.0.0.1",
        CIVIC_SMTP_PORT=str(smtp.port), CIVIC_EMAIL_SEND_RATE="40/second",  # slow enough to kill it mid-send
        CIVIC_CELERY__broker_transport_options='{"visibility_timeout": 4}',
    )
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        start_sending(app, campaign_id)
        deadline = time.monotonic() + 30
        while sum(smtp.received.values()) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.kill()  # SIGKILL mid-batch: no chance to acknowledge or clean up
        killed_at = sum(smtp.received.values())
        time.sleep(5)  # past the visibility timeout: the unacknowledged batches come back
        worker = Worker(env, tmp_path / "worker.log").start()
        states = wait_until_sent(app, campaign_id, worker, timeout=50)
    finally:
        worker.stop()
        smtp.stop()
    total = _sent_count(app, campaign_id)
    assert 0 < killed_at < total
    assert set(smtp.received.values()) == {1}, "nobody gets a message twice"
    unknown = states.get("unknown", 0)
    assert unknown <= 1, "at most the message in flight when the worker died"
    assert states.get("sent", 0) + unknown == total
    assert len(smtp.received) >= total - unknown
    assert campaign_snapshot(app, campaign_id)[0] == "sent"

