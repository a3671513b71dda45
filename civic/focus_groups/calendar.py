"""The focus group's calendar event (RFC 5545 .ics) and how its time reads in a message or on a page.

A live session is a timed event in UTC (DTSTART/DTEND with ``Z``), so every calendar shows it in its own time
zone; an asynchronous group is an all-day span over the days its guide is open (Oslo dates, DTEND exclusive).
The UID is stable per focus group (its consultation's public id), so a rescheduled session downloaded or
mailed again replaces the event instead of adding a second one; SEQUENCE follows the row's last change.

The texts are content in the resident's language (like the campaign texts), not UI strings: the same event is
rendered by a web request and by the e-mail worker, which has no request locale. Nothing here needs Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from icalendar import Alarm, Calendar, Event

from civic.consultations.models import Consultation
from civic.core.i18n import localized
from civic.core.timeutils import now_utc
from civic.focus_groups.models import FocusGroup, FocusGroupMode

TIMEZONE = "Europe/Oslo"
LANGUAGES = ("nb", "nn", "en")
#: Minutes before a live session that calendars remind the resident.
ALARM_MINUTES = 15
PRODID = "-//civic//focus groups//NO"

#: Babel patterns. Hyphens, not en dashes: the same text goes into SMS, where an en dash forces UCS-2.
_LIVE_START = {"nb": "EEEE d. MMMM y 'kl.' HH:mm", "nn": "EEEE d. MMMM y 'kl.' HH:mm", "en": "EEEE d MMMM y, HH:mm"}
_DAY = {"nb": "d. MMMM", "nn": "d. MMMM", "en": "d MMMM"}
_DAY_YEAR = {"nb": "d. MMMM y", "nn": "d. MMMM y", "en": "d MMMM y"}

TEXTS = {
    "nb": {
        "span": "fra {start} til {end}",
        "unscheduled": "tidspunktet kommer",
        "live": "Digital fokusgruppe fra {organisation}. Samtalen foregår skriftlig på nett: åpne lenken når den "
        "begynner. De andre deltakerne ser deg bare under et tilfeldig navn.",
        "async": "Digital fokusgruppe fra {organisation}. Svar skriftlig på nett når det passer deg mens "
        "fokusgruppen er åpen. De andre deltakerne ser deg bare under et tilfeldig navn.",
        "personal": "Lenken er personlig, så ikke del den med andre.",
        "alarm": "Fokusgruppen begynner om {minutes} minutter: {title}",
        "filename": "fokusgruppe",
    },
    "nn": {
        "span": "frå {start} til {end}",
        "unscheduled": "tidspunktet kjem",
        "live": "Digital fokusgruppe frå {organisation}. Samtalen går føre seg skriftleg på nett: opna lenkja når "
        "han byrjar. Dei andre deltakarane ser deg berre under eit tilfeldig namn.",
        "async": "Digital fokusgruppe frå {organisation}. Svar skriftleg på nett når det passar deg medan "
        "fokusgruppa er open. Dei andre deltakarane ser deg berre under eit tilfeldig namn.",
        "personal": "Lenkja er personleg, så ikkje del ho med andre.",
        "alarm": "Fokusgruppa byrjar om {minutes} minutt: {title}",
        "filename": "fokusgruppe",
    },
    "en": {
        "span": "from {start} to {end}",
        "unscheduled": "time to be announced",
        "live": "Online focus group by {organisation}. The conversation is written, online: open the link when it "
        "starts. Other participants only see you under a random name.",
        "async": "Online focus group by {organisation}. Answer in writing, online, whenever it suits you while the "
        "focus group is open. Other participants only see you under a random name.",
        "personal": "The link is personal, so please do not share it.",
        "alarm": "The focus group starts in {minutes} minutes: {title}",
        "filename": "focus-group",
    },
}


@dataclass(frozen=True)
class Span:
    """When the focus group happens: UTC datetimes (live) or Oslo dates with an exclusive end (asynchronous)."""

    start: datetime | date
    end: datetime | date
    all_day: bool


def _language(language: str) -> str:
    return language if language in LANGUAGES else "nb"


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; they are UTC like everything stored.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _oslo_date(value: datetime) -> date:
    return _utc(value).astimezone(ZoneInfo(TIMEZONE)).date()


def session_span(focus_group: FocusGroup, consultation: Consultation) -> Span | None:
    """Return when the group happens, or None while its time is not set (no start, or no opening date)."""
    if focus_group.mode == FocusGroupMode.ASYNC:
        if consultation.opens_at is None:
            return None
        opens = _utc(consultation.opens_at)
        closes = (
            _utc(consultation.closes_at) if consultation.closes_at else opens + timedelta(days=focus_group.async_days)
        )
        first = _oslo_date(opens)
        # The last day the guide is open; closing at midnight Oslo time leaves that day out.
        last = max(_oslo_date(closes - timedelta(microseconds=1)), first)
        return Span(first, last + timedelta(days=1), all_day=True)
    if focus_group.starts_at is None:
        return None
    start = _utc(focus_group.starts_at)
    return Span(start, start + timedelta(minutes=max(focus_group.duration_minutes or 0, 1)), all_day=False)


def format_when(focus_group: FocusGroup, consultation: Consultation, language: str) -> str:
    """Return the session's time in ``language`` and Oslo time, for messages and pages.

    Live: "tirsdag 1. desember 2026 kl. 18:00-19:30"; asynchronous: "fra 1. desember til 8. desember 2026".
    """
    language = _language(language)
    span = session_span(focus_group, consultation)
    if span is None:
        return TEXTS[language]["unscheduled"]
    if span.all_day:
        last = span.end - timedelta(days=1)
        start_pattern = _DAY_YEAR if span.start.year != last.year else _DAY
        start = format_date(span.start, start_pattern[language], locale=language)
        end = format_date(last, _DAY_YEAR[language], locale=language)
        return TEXTS[language]["span"].format(start=start, end=end)
    start = format_datetime(span.start, _LIVE_START[language], tzinfo=ZoneInfo(TIMEZONE), locale=language)
    end = format_datetime(span.end, "HH:mm", tzinfo=ZoneInfo(TIMEZONE), locale=language)
    return f"{start}-{end}"


def calendar_path(public_id: str) -> str:
    """The public download path (served by views/calendar.py); absolute links prepend the public base URL."""
    return f"/f/{public_id}/calendar.ics"


def calendar_filename(language: str, public_id: str) -> str:
    return f"{TEXTS[_language(language)]['filename']}-{public_id}.ics"


def event_uid(consultation: Consultation, base_url: str) -> str:
    host = urlsplit(base_url).hostname or "civic.localhost"
    return f"focus-group-{consultation.public_id}@{host}"


def build_ics(
    focus_group: FocusGroup,
    consultation: Consultation,
    *,
    organisation_name: str,
    url: str,
    base_url: str,
    language: str,
    personal: bool = False,
    now: datetime | None = None,
) -> bytes | None:
    """Return the .ics for the focus group, or None while its time is not set.

    ``url`` is where the resident joins: the public page for the download, the personal link in an invitation
    (``personal`` then adds a line asking not to share it). METHOD:PUBLISH with no organiser or attendees:
    calendars add the event without asking for a reply that nobody would read.
    """
    span = session_span(focus_group, consultation)
    if span is None:
        return None
    language = _language(language)
    texts = TEXTS[language]
    title = localized(consultation.title, language, consultation.default_language)
    summary = localized(consultation.summary, language, consultation.default_language)
    about = texts["async" if span.all_day else "live"].format(organisation=organisation_name)
    description = "\n\n".join(
        part for part in (summary, about, url, texts["personal"] if personal else "") if part.strip()
    )

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", event_uid(consultation, base_url))
    event.add("dtstamp", _utc(now or now_utc()))
    changed = focus_group.updated_at or focus_group.created_at
    event.add("sequence", int(_utc(changed).timestamp()) // 60 if changed else 0)
    event.add("dtstart", span.start)
    event.add("dtend", span.end)
    event.add("summary", title)
    event.add("description", description)
    event.add("location", url)
    event.add("url", url)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT" if span.all_day else "OPAQUE")
    if not span.all_day:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(minutes=-ALARM_MINUTES))
        alarm.add("description", texts["alarm"].format(minutes=ALARM_MINUTES, title=title))
        event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()
