"""The calendar event attached to invitations and reminders of live focus groups (and to their test-sends).

The attached event joins through the message's own link (the personal link), unlike the public download, so a
resident can join from the calendar entry at the session's time without looking for the e-mail.
"""

from __future__ import annotations

from email.message import EmailMessage

from civic.campaigns.models import MessagePurpose
from civic.consultations.models import Consultation
from civic.focus_groups.calendar import build_ics, calendar_filename
from civic.focus_groups.models import FocusGroup, FocusGroupMode


def message_calendar(
    focus_group: FocusGroup | None,
    consultation: Consultation,
    *,
    purpose: str,
    organisation_name: str,
    link: str,
    base_url: str,
    language: str,
) -> bytes | None:
    """Return the .ics for an invitation or reminder of a live focus group; None for anything else.

    Asynchronous groups get none (a week-long all-day event clutters a calendar; {calendar_link} offers it), and
    outcome messages are about a decision, not a session.
    """
    if focus_group is None or focus_group.mode != FocusGroupMode.LIVE or purpose == MessagePurpose.OUTCOME:
        return None
    return build_ics(
        focus_group,
        consultation,
        organisation_name=organisation_name,
        url=link,
        base_url=base_url,
        language=language,
        personal=True,
    )


def attach_calendar(message: EmailMessage, ics: bytes, *, language: str, public_id: str) -> None:
    """Attach the event; the message becomes multipart/mixed around its text and HTML alternatives.

    ``method=PUBLISH`` in the content type matches the calendar's METHOD, so mail clients offer "add to calendar"
    rather than an RSVP.
    """
    message.add_attachment(
        ics,
        maintype="text",
        subtype="calendar",
        filename=calendar_filename(language, public_id),
        params={"method": "PUBLISH", "charset": "utf-8"},
    )
