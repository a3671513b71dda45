"""Test-send: a planner sends a draft message text to their own e-mail address and/or a mobile number.

The link in a test message is a sample, not a personal link: no invitation, token or outbox row is created,
and nothing is written to the database. Transport failures are not errors of the request: they come back as
notes for the planner, so the caller decides how to show them.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from email.utils import parseaddr
from typing import Any

from flask_babel import gettext as _

from civic.accounts.models import StaffUser
from civic.campaigns.calendar_attachment import attach_calendar, message_calendar
from civic.campaigns.content import focus_group_of, render_message
from civic.campaigns.models import CampaignTemplate
from civic.consultations.models import Consultation
from civic.outreach.email import (
    EmailPermanentError,
    EmailTransientError,
    build_message,
    email_session_from_config,
)
from civic.outreach.sms import (
    SmsAmbiguousError,
    SmsMessage,
    SmsPermanentError,
    SmsTransientError,
    sms_transport_from_config,
)

#: (level, message): level is a flash category ("success" or "error"), the message is translated.
Note = tuple[str, str]


def send_trial(
    draft: CampaignTemplate,
    *,
    consultation: Consultation,
    planner: StaffUser,
    to_me: bool,
    phone: str,
    config: Mapping[str, Any],
) -> list[Note]:
    """Send ``draft`` to ``planner``'s own address (when ``to_me``) and/or ``phone`` (E.164, "" for none).

    Return one note per attempted send, saying where it went or why it could not be sent.
    """
    base = config["PUBLIC_BASE_URL"].rstrip("/")
    first_name = (planner.name or "").split(" ")[0] or "Test"
    test_token = "test-" + secrets.token_urlsafe(8)
    focus_group = focus_group_of(consultation)
    rendered = render_message(
        draft,
        organisation=planner.organisation,
        consultation=consultation,
        first_name=first_name,
        link=f"{base}/p/{test_token}",
        stop_link=f"{base}/stop/{test_token}",
        language=draft.language,
        focus_group=focus_group,
    )
    notes: list[Note] = []
    if to_me:
        message = build_message(
            to=planner.email,
            subject=_("[Test] %(subject)s", subject=rendered.subject),
            text=rendered.text,
            html=rendered.html,
            mail_from=config["MAIL_FROM"],
        )
        ics = message_calendar(
            focus_group,
            consultation,
            purpose=draft.purpose,
            organisation_name=planner.organisation.name,
            link=f"{base}/p/{test_token}",
            base_url=base,
            language=draft.language,
        )
        if ics is not None:  # the planner sees what residents get, attachment included
            attach_calendar(message, ics, language=draft.language, public_id=consultation.public_id)
        try:
            with email_session_from_config(config) as session:
                envelope = parseaddr(config["MAIL_FROM"])[1] or config["MAIL_FROM"]
                session.send(message, envelope, organisation_id=planner.organisation_id)
            notes.append(("success", _("A test e-mail was sent to %(address)s.", address=planner.email)))
        except (EmailTransientError, EmailPermanentError) as exc:
            notes.append(("error", _("The test e-mail could not be sent (%(reason)s).", reason=exc.reason)))
    if phone:
        try:
            sms_transport_from_config(config).send(
                SmsMessage(
                    ref_id=test_token,
                    to=phone,
                    text=rendered.sms,
                    sender=config["SMS_SENDER"],
                    organisation_id=planner.organisation_id,
                )
            )
            notes.append(("success", _("A test SMS was sent to %(number)s.", number=phone)))
        except (SmsTransientError, SmsPermanentError, SmsAmbiguousError) as exc:
            notes.append(("error", _("The test SMS could not be sent (%(reason)s).", reason=exc.reason)))
    return notes


__all__ = ["Note", "send_trial"]
