"""Data minimisation, proven (eager Celery on the test database): after a complete campaign with a reminder,
neither the database (every table, every column, as text) nor the log output (INFO) holds any resident's
national id, name, street address, e-mail address or phone number. The same search runs against Redis and a
real worker's log in tests/test_celery_campaign_worker.py.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from sqlalchemy import inspect, text

from civic.campaigns import services
from civic.campaigns.models import Campaign, CampaignState
from civic.outreach.models import Invitation
from civic.registry.types import Address, Contact, Person


def personal_values(people: Iterable[Person], contacts: dict[str, Contact], addresses: dict[str, Address]):
    """Yield (what, value) for every personal value of these residents."""
    for person in people:
        yield "national id", person.national_id
        yield "name", f"{person.given_name} {person.family_name}"
        yield "given name", person.given_name
        yield "family name", person.family_name
        address = addresses.get(person.address_key)
        if address is not None:
            yield "street address", address.text
        contact = contacts.get(person.national_id)
        if contact is not None:
            if contact.email:
                yield "e-mail", contact.email
            if contact.mobile:
                yield "phone", contact.mobile
                yield "phone", contact.mobile.removeprefix("+47")


def leaks(haystack: str, values: Iterable[tuple[str, str]], *, ignore: Iterable[str] = ()) -> list[str]:
    """Return what was found, as "kind" only (the value itself is not echoed into the test report)."""
    ignored = set(ignore)
    found = []
    for what, value in values:
        if not value or value in ignored:
            continue
        if re.search(rf"(?<![0-9A-Za-z]){re.escape(value)}(?![0-9A-Za-z])", haystack):
            found.append(what)
    return found


def dump_database(connection) -> str:
    """Every row of every table, every column, as text."""
    parts = []
    for table in inspect(connection).get_table_names():
        for row in connection.execute(text(f'SELECT * FROM "{table}"')):
            parts.append(f"{table}: " + " | ".join("" if v is None else str(v) for v in row))
    return "\n".join(parts)


def test_no_personal_data_in_database_or_logs_after_a_campaign(app, db, make_campaign, small_registry, caplog):
    caplog.set_level(logging.INFO)
    campaign = make_campaign({"age_min": 18, "age_max": 99}, reminder_max=1)
    services.send_now(db.session, campaign, registry=small_registry.bundle())
    db.session.commit()
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.state == CampaignState.SENT
    services.send_reminder(db.session, campaign)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).state == CampaignState.SENT
    assert db.session.query(Invitation).count() > 200

    values = list(
        personal_values(
            small_registry.people,
            small_registry.contacts,
            {a.key: a for a in small_registry.address_points},
        )
    )
    with db.engine.connect() as connection:
        database = dump_database(connection)
    assert "campaign_messages" in database
    assert "outreach_invitations" in database
    assert leaks(database, values) == []
    assert caplog.text, "the run logged something at INFO"
    assert leaks(caplog.text, values) == []


def test_the_search_finds_a_planted_value(small_registry):
    """The search itself must be able to fail."""
    person = small_registry.people[5]
    values = list(personal_values([person], small_registry.contacts, {a.key: a for a in small_registry.address_points}))
    contact = small_registry.contacts[person.national_id]
    assert leaks(f"x {person.national_id} y", values) == ["national id"]
    assert "e-mail" in leaks(f"to: <{contact.email}>", values)
    assert "phone" in leaks(f"ring {contact.mobile.removeprefix('+47')}.", values)
    assert leaks("nothing personal here", values) == []
