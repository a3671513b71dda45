"""Redis (the Celery broker) restarted while a campaign is being sent (issue 8, faults).

A private redis-server without persistence is the broker of a real worker sending a campaign of about 300
e-mails to a counting SMTP server. Mid-send it is killed and started again on the same port: every queued
send_batch task, every unacknowledged one and the worker's connections are gone, as after a crash.

The policy (civic/campaigns/dispatch.py) that must hold: the outbox rows in the database, not the broker, say
what is owed. A batch sends a message only after committing its claim (pending → sending), so

* no message is lost: messages whose batch vanished with the broker stay ``pending``; the sweep (beat, every
  minute; sent here every 2 s) sees the round stalled for CAMPAIGN_STALLED_SECONDS and plans it again;
* no one gets a message twice: a message already sent is never claimed again; a message found ``sending``
  when its batch comes back is ``unknown`` and not resent (at most once). A broker restart kills no worker, so
  the batch in flight finishes its message: at most that one message may end ``unknown``.
"""

from __future__ import annotations

import time

import pytest
from celery import Celery
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
    worker_database,
    worker_env,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.celery_worker,
    pytest.mark.skipif(not REDIS_BROKER, reason="the Redis pass only (CIVIC_TEST_CELERY_BROKER; ./run test sets it)"),
]

DOWN_SECONDS = 2
STALLED_SECONDS = 3


def _message_ids(app, campaign_id: int) -> int:
    with app.app_context():
        count = len(db.session.scalars(select(OutboundMessage.id).where(OutboundMessage.campaign_id == campaign_id))
                    .all())
        db.session.remove()
        return count


def test_redis_restart_mid_campaign_loses_no_message_and_sends_none_twice(private_redis, tmp_path):
    database, broker = worker_database(tmp_path), private_redis.url
    app = harness_app(database, broker)
    campaign_id = seed_campaign(app, policy="email")
    smtp = CountingSmtp().start()
    env = worker_env(
        database, broker, tmp_path, CIVIC_EMAIL_TRANSPORT="smtp", CIVIC_SMTP_HOST="127.0.0.1",
        CIVIC_SMTP_PORT=str(smtp.port), CIVIC_EMAIL_SEND_RATE="20/second",  # slow enough to restart mid-batch
        CIVIC_CAMPAIGN_STALLED_SECONDS=str(STALLED_SECONDS),
    )
    worker = Worker(env, tmp_path / "worker.log").start()
    beat = Celery(broker=broker)
    try:
        start_sending(app, campaign_id)
        deadline = time.monotonic() + 60
        while sum(smtp.received.values()) < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
        private_redis.kill()  # every queued and unacknowledged batch is gone with it
        sent_before_restart = sum(smtp.received.values())
        time.sleep(DOWN_SECONDS)
        private_redis.start()

        state, states = campaign_snapshot(app, campaign_id)
        deadline = time.monotonic() + 90
        last_sweep = 0.0
        while state != "sent" and time.monotonic() < deadline:
            assert worker.process.poll() is None, (tmp_path / "worker.log").read_text()[-4000:]
            if time.monotonic() - last_sweep > 2:
                beat.send_task("campaigns.sweep")  # what beat does every minute
                last_sweep = time.monotonic()
            time.sleep(0.3)
            state, states = campaign_snapshot(app, campaign_id)
    finally:
        beat.close()
        worker.stop()
        smtp.stop()
    log = (tmp_path / "worker.log").read_text()
    assert state == "sent", f"campaign not sent in time: {states}\n{log[-4000:]}"

    total = _message_ids(app, campaign_id)
    assert total > 200
    assert 0 < sent_before_restart < total, "the broker went away mid-send"
    assert "planning it again" in log, "the lost batches came back through the sweep"
    assert set(smtp.received.values()) == {1}, "nobody gets a message twice"
    unknown = states.get("unknown", 0)
    assert unknown <= 1, "at most the message in flight"
    assert states.get("sent", 0) + unknown == total, f"no message lost or failed: {states}"
    assert len(smtp.received) >= total - unknown
