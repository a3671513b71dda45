"""The calendar event (RFC 5545) of a focus group and its public download route."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar

from civic.consultations.models import ConsultationState
from civic.extensions import db
from civic.focus_groups.calendar import build_ics, format_when, session_span
from civic.focus_groups.models import FocusGroupMode

START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # 18:00 in Oslo (winter time)


def _event(ics: bytes):
    calendar = Calendar.from_ical(ics)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return calendar, events[0]


def _ics(group, **kwargs):
    values = {
        "organisation_name": "Bydel Bjerke",
        "url": "https://civic.example.no/f/x",
        "base_url": "https://civic.example.no",
        "language": "nb",
    }
    return build_ics(group, group.consultation, **{**values, **kwargs})


def test_live_event_is_utc_with_a_stable_uid(app, create_focus_group):
    group = create_focus_group(starts_at=START, duration_minutes=90)
    ics = _ics(group)
    calendar, event = _event(ics)
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["VERSION"] == "2.0"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=90)
    assert b"DTSTART:20261201T170000Z" in ics  # UTC, no floating time and no VTIMEZONE needed
    assert str(event["SUMMARY"]) == "Bilfrie gater rundt skolene"
    assert str(event["URL"]) == "https://civic.example.no/f/x"
    assert "https://civic.example.no/f/x" in str(event["DESCRIPTION"])
    assert "Bydel Bjerke" in str(event["DESCRIPTION"])
    assert str(event["UID"]) == f"focus-group-{group.consultation.public_id}@civic.example.no"
    assert list(event.walk("VALARM"))  # a reminder before a live session
    # Rescheduling keeps the UID, so calendars replace the event instead of adding a second one.
    group.starts_at = START + timedelta(days=1)
    db.session.flush()
    _cal, moved = _event(_ics(group))
    assert moved["UID"] == event["UID"]
    assert moved.decoded("DTSTART") == START + timedelta(days=1)
    assert ics.endswith(b"\r\n")
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))  # CRLF lines folded at 75 octets


def test_event_in_english_and_personal_note(app, create_focus_group):
    group = create_focus_group(starts_at=START)
    _cal, event = _event(_ics(group, language="en", personal=True))
    assert str(event["SUMMARY"]) == "Car-free streets around the schools"
    assert "please do not share it" in str(event["DESCRIPTION"])
    _cal, event = _event(_ics(group, language="xx"))  # unknown language: bokmål
    assert str(event["SUMMARY"]) == "Bilfrie gater rundt skolene"


def test_async_group_is_an_all_day_span(app, create_focus_group):
    group = create_focus_group(mode=FocusGroupMode.ASYNC, async_days=7)
    consultation = group.consultation
    consultation.opens_at = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    consultation.closes_at = datetime(2026, 12, 7, 23, 0, tzinfo=UTC)  # midnight Oslo: the 7th is the last day
    db.session.flush()
    ics = _ics(group)
    _cal, event = _event(ics)
    assert event.decoded("DTSTART") == date(2026, 12, 1)
    assert event.decoded("DTEND") == date(2026, 12, 8)  # exclusive
    assert b"DTSTART;VALUE=DATE:20261201" in ics
    assert not list(event.walk("VALARM"))
    assert format_when(group, consultation, "nb") == "fra 1. desember til 7. desember 2026"
    assert format_when(group, consultation, "en") == "from 1 December to 7 December 2026"


def test_when_reads_in_oslo_time(app, create_focus_group):
    group = create_focus_group(starts_at=START, duration_minutes=90)
    assert format_when(group, group.consultation, "nb") == "tirsdag 1. desember 2026 kl. 18:00-19:30"
    assert format_when(group, group.consultation, "nn") == "tysdag 1. desember 2026 kl. 18:00-19:30"
    assert format_when(group, group.consultation, "en") == "Tuesday 1 December 2026, 18:00-19:30"


def test_no_time_no_event(app, create_focus_group):
    group = create_focus_group(starts_at=START)
    group.starts_at = None
    db.session.flush()
    assert session_span(group, group.consultation) is None
    assert _ics(group) is None
    assert format_when(group, group.consultation, "en") == "time to be announced"


def test_download_route(app, client, create_focus_group):
    group = create_focus_group(starts_at=START)
    public_id = group.consultation.public_id
    response = client.get(f"/f/{public_id}/calendar.ics?lang=en")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == f'attachment; filename="focus-group-{public_id}.ics"'
    _cal, event = _event(response.data)
    assert str(event["URL"]).endswith(f"/f/{public_id}")
    assert str(event["SUMMARY"]) == "Car-free streets around the schools"


def test_download_route_not_found(app, client, create_focus_group):
    assert client.get("/f/nope/calendar.ics").status_code == 404
    draft = create_focus_group(state=ConsultationState.DRAFT, starts_at=START)
    response = client.get(f"/f/{draft.consultation.public_id}/calendar.ics")
    assert response.status_code == 404
    assert b"could not find this focus group" in response.data
    unscheduled = create_focus_group(mode=FocusGroupMode.ASYNC, state=ConsultationState.SCHEDULED)
    unscheduled.consultation.opens_at = None
    db.session.commit()
    response = client.get(f"/f/{unscheduled.consultation.public_id}/calendar.ics")
    assert response.status_code == 404
    assert b"no date yet" in response.data
