"""Message content: placeholders, rendering in the organisation's branding, template checks.

Templates are plain text with ``{placeholders}``. They are parsed with :class:`string.Formatter` but never
passed to ``str.format``: only the names below are substituted, with no attribute or index access, so a
template cannot reach into Python objects. ``{when}`` and ``{calendar_link}`` are for focus groups (the session's
date and time, and the public .ics download); for other consultations ``{when}`` reads as the deadline and
``{calendar_link}`` is empty. The HTML e-mail is derived from the text (everything escaped) and
holds no tracking pixel and no remote image other than the municipality's own coat of arms.

SMS segment counting lives in ``civic.campaigns.sms_encoding`` and the default texts in
``civic.campaigns.default_texts``; their names are re-exported here.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from babel.dates import format_datetime as babel_format_datetime
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup
from sqlalchemy import select

from civic.accounts.models import Organisation
from civic.campaigns.default_texts import (
    DEADLINE_PATTERN,
    DEFAULT_TEXTS,
    FOOTER,
    MESSAGE_LANGUAGES,
    OUTCOME_FOOTER,
    default_template,
    default_templates,
    missing_outcome_templates,
)
from civic.campaigns.models import Campaign, CampaignTemplate, ChannelPolicy, MessagePurpose
from civic.campaigns.sms_encoding import (
    GSM_BASIC,
    GSM_EXTENSION,
    GSM_MULTI,
    GSM_SINGLE,
    UCS2_MULTI,
    UCS2_SINGLE,
    SmsInfo,
    sms_info,
)
from civic.consultations.models import Consultation, ConsultationKind
from civic.core.errors import InvalidInputError
from civic.core.i18n import localized
from civic.extensions import db
from civic.focus_groups.calendar import calendar_path, format_when
from civic.focus_groups.models import FocusGroup

PLACEHOLDERS = ("first_name", "title", "link", "deadline", "organisation", "stop_link", "when", "calendar_link")
MAX_SMS_SEGMENTS = 6
MAX_SUBJECT_LENGTH = 200
TIMEZONE = "Europe/Oslo"
#: The accounts blueprint serves the coat of arms here (civic/accounts/views.py ``coat_of_arms``).
COAT_OF_ARMS_PATH = "/manage/branding/{slug}/coat-of-arms"

# --- placeholders ------------------------------------------------------------------------------------------


class TemplateSyntaxError(ValueError):
    """A template that cannot be parsed (a lone brace); the message is translated."""


@dataclass(frozen=True)
class _Piece:
    literal: str
    field: str | None  # a placeholder name, or None after the last literal


def _parse(text: str) -> list[_Piece]:
    """Split a template into literal text and placeholders; unknown or complex fields are reported."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise TemplateSyntaxError(
            _("A curly brace is not closed. Placeholders look like {link}; write {{ or }} for a brace itself.")
        ) from exc
    pieces = []
    for literal, field, spec, conversion in parsed:
        if field is None:
            pieces.append(_Piece(literal, None))
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise TemplateSyntaxError(
                _(
                    "Unknown placeholder %(placeholder)s. You can use: %(allowed)s.",
                    placeholder=shown,
                    allowed=", ".join("{" + name + "}" for name in PLACEHOLDERS),
                )
            )
        pieces.append(_Piece(literal, field))
    return pieces


def unknown_placeholders(text: str) -> list[str]:
    """Return every problem with the placeholders of ``text`` (all unknown ones, not just the first)."""
    problems: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return [_("A curly brace is not closed. Placeholders look like {link}; write {{ or }} for a brace itself.")]
    allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            problems.append(
                _("Unknown placeholder %(placeholder)s. You can use: %(allowed)s.", placeholder=shown, allowed=allowed)
            )
    return problems


def fill(text: str, values: Mapping[str, str]) -> str:
    """Substitute the placeholders of ``text`` (which must be valid) with ``values``."""
    return "".join(piece.literal + (values[piece.field] if piece.field else "") for piece in _parse(text))


def uses_placeholder(text: str, name: str) -> bool:
    try:
        return any(piece.field == name for piece in _parse(text))
    except TemplateSyntaxError:
        return False


def pick_template(campaign: Campaign, purpose: str, language: str) -> CampaignTemplate:
    """Return the template for ``purpose`` in ``language``, else the consultation's default language, else any."""
    candidates = [t for t in campaign.templates if t.purpose == purpose]
    if not candidates:
        raise MissingTemplateError(_("This campaign has no message text for this purpose yet."))
    consultation = db.session.get(Consultation, campaign.consultation_id)
    order = [language, consultation.default_language if consultation else "nb", "nb"]
    for wanted in order:
        for template in candidates:
            if template.language == wanted:
                return template
    return candidates[0]


class MissingTemplateError(InvalidInputError):
    """A campaign has no template for a purpose."""


# --- rendering ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str
    sms: str


def format_deadline(consultation: Consultation, language: str) -> str:
    """Return the closing time in the message language and Oslo time, or a phrase when there is none."""
    footer = FOOTER.get(language, FOOTER["nb"])
    if consultation.closes_at is None:
        return footer["no_deadline"]
    locale = language if language in DEADLINE_PATTERN else "nb"
    return babel_format_datetime(consultation.closes_at, DEADLINE_PATTERN[locale], tzinfo=TIMEZONE, locale=locale)


def coat_of_arms_url(organisation: Organisation, base_url: str) -> str:
    """Return the absolute URL of the organisation's coat of arms, or "" when it has none."""
    if not organisation.coat_of_arms:
        return ""
    return base_url.rstrip("/") + COAT_OF_ARMS_PATH.format(slug=quote(organisation.slug, safe=""))


def focus_group_of(consultation: Consultation) -> FocusGroup | None:
    """Return the focus group of a focus-group consultation (one query), else None."""
    if consultation.kind != ConsultationKind.FOCUS_GROUP or consultation.id is None:
        return None
    return db.session.scalar(select(FocusGroup).where(FocusGroup.consultation_id == consultation.id))


def placeholder_values(
    *,
    organisation: Organisation,
    consultation: Consultation,
    first_name: str,
    link: str,
    stop_link: str,
    language: str,
    focus_group: FocusGroup | None = None,
    base_url: str = "",
) -> dict[str, str]:
    """The placeholders' values; ``focus_group`` (of a focus-group consultation) gives {when} and {calendar_link}."""
    deadline = format_deadline(consultation, language)
    calendar_link = base_url.rstrip("/") + calendar_path(consultation.public_id) if focus_group is not None else ""
    return {
        "first_name": first_name,
        "title": localized(consultation.title, language, consultation.default_language),
        "link": link,
        "deadline": deadline,
        "organisation": organisation.name,
        "stop_link": stop_link,
        "when": format_when(focus_group, consultation, language) if focus_group is not None else deadline,
        "calendar_link": calendar_link,
    }


def render_message(
    template: CampaignTemplate,
    *,
    organisation: Organisation,
    consultation: Consultation,
    first_name: str,
    link: str,
    stop_link: str,
    language: str,
    base_url: str | None = None,
    focus_group: FocusGroup | None = None,
) -> RenderedMessage:
    """Fill the template for one resident: subject, plain text with footer, branded HTML, and the SMS text.

    An outcome message's ``link`` is the public report and its ``stop_link`` is empty: its footer says why the
    resident gets it and that nothing follows, and links the report where other messages link "stop".
    A focus group's ``focus_group`` is looked up when not given (the dispatcher passes the one it loaded once).
    """
    base = base_url if base_url is not None else current_app.config["PUBLIC_BASE_URL"]
    values = placeholder_values(
        organisation=organisation,
        consultation=consultation,
        first_name=first_name,
        link=link,
        stop_link=stop_link,
        language=language,
        focus_group=focus_group if focus_group is not None else focus_group_of(consultation),
        base_url=base,
    )
    outcome = template.purpose == MessagePurpose.OUTCOME
    footers = OUTCOME_FOOTER if outcome else FOOTER
    footer = footers.get(language, footers["nb"])
    subject = " ".join(fill(template.email_subject, values).split())  # no line breaks in a header
    body = fill(template.email_body, values).strip()
    why = footer["why"].replace("{organisation}", organisation.name).replace("{title}", values["title"])
    stop = "" if outcome else footer["stop"].replace("{stop_link}", stop_link) + "\n"
    text = f"{body}\n\n-- \n{organisation.name}\n{why}\n{stop}"
    html = _render_html(
        template.email_body,
        values,
        organisation=organisation,
        subject=subject,
        language=language,
        footer=footer,
        why=why,
        coat_of_arms=coat_of_arms_url(organisation, base),
        footer_link=(values["link"], footer["link_label"]) if outcome else (values["stop_link"], footer["stop_label"]),
    )
    sms = fill(template.sms_body, values).strip()
    return RenderedMessage(subject=subject, text=text, html=html, sms=sms)


def _escape_lines(text: str) -> Markup:
    return Markup("<br>\n").join(text.split("\n"))  # join escapes each line


def _link_html(url: str, label: str | None = None) -> Markup:
    shown = label if label is not None else url
    return Markup('<a href="{}">{}</a>').format(url, shown)


def _paragraphs_html(body: str, values: Mapping[str, str], answer_label: str) -> list[dict[str, Any]]:
    """Turn the template body into paragraphs: a paragraph that is only {link} becomes a button."""
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        pieces = _parse(chunk.strip())
        fields = [p.field for p in pieces if p.field]
        literal = "".join(p.literal for p in pieces).strip()
        if fields == ["link"] and not literal:
            paragraphs.append({"button": values["link"], "label": answer_label})
            continue
        parts: list[Markup] = []
        for piece in pieces:
            parts.append(_escape_lines(piece.literal))
            if piece.field in ("link", "stop_link", "calendar_link") and values[piece.field]:
                parts.append(_link_html(values[piece.field]))
            elif piece.field:
                parts.append(_escape_lines(values[piece.field]))
        paragraphs.append({"html": Markup("").join(parts)})
    return paragraphs


def _render_html(
    body: str,
    values: Mapping[str, str],
    *,
    organisation: Organisation,
    subject: str,
    language: str,
    footer: Mapping[str, str],
    why: str,
    coat_of_arms: str,
    footer_link: tuple[str, str],
) -> str:
    template = current_app.jinja_env.get_template("campaigns/email/message.html")
    return template.render(
        subject=subject,
        language=language if language in MESSAGE_LANGUAGES else "nb",
        paragraphs=_paragraphs_html(body, values, footer["answer"]),
        organisation_name=organisation.name,
        parent_name=organisation.parent_name,
        primary=_colour(organisation.primary_color, "#2a2859"),
        accent=_colour(organisation.accent_color, "#1f42aa"),
        coat_of_arms=coat_of_arms,
        why=why,
        stop_link=footer_link[0],
        stop_label=footer_link[1],
    )


def _colour(value: str, fallback: str) -> str:
    return value if re.fullmatch(r"#[0-9a-fA-F]{6}", value or "") else fallback


# --- validation --------------------------------------------------------------------------------------------

SAMPLE_LINK = "https://civic.example.no/p/" + "x" * 43
SAMPLE_REPORT_LINK = "https://civic.example.no/r/" + "x" * 32 + "?lang=nb"
SAMPLE_CALENDAR_LINK = "https://civic.example.no" + calendar_path("x" * 16)
#: A live session's time as {when} reads it: the longest usual form (weekday, date, start and end).
SAMPLE_WHEN = "onsdag 16. desember 2026 kl. 18:00-19:30"


def sample_values(
    *,
    organisation_name: str = "Bydel Bjerke",
    title: str = "Parkering i Bjerke",
    deadline: str = "1. desember 2026 kl. 23:59",
    purpose: str = MessagePurpose.INVITATION,
    when: str = SAMPLE_WHEN,
) -> dict[str, str]:
    """Values of realistic length, to measure and preview a template without a resident."""
    outcome = purpose == MessagePurpose.OUTCOME
    return {
        "first_name": "Kari",
        "title": title,
        "link": SAMPLE_REPORT_LINK if outcome else SAMPLE_LINK,
        "deadline": deadline,
        "organisation": organisation_name,
        "stop_link": "" if outcome else "https://civic.example.no/stop/" + "x" * 43,
        "when": when,
        "calendar_link": SAMPLE_CALENDAR_LINK,
    }


def _channels(template: CampaignTemplate, channel_policy: str | None) -> tuple[bool, bool]:
    policy = channel_policy
    if policy is None:
        campaign = template.__dict__.get("campaign")  # only when already loaded: no lazy load here
        policy = campaign.channel_policy if campaign is not None else ChannelPolicy.EMAIL_THEN_SMS
    return policy in (ChannelPolicy.EMAIL, ChannelPolicy.EMAIL_THEN_SMS), policy in (
        ChannelPolicy.SMS,
        ChannelPolicy.EMAIL_THEN_SMS,
    )


def validate_template(
    template: CampaignTemplate, *, channel_policy: str | None = None, sample: Mapping[str, str] | None = None
) -> list[str]:
    """Return translated problems: empty texts a channel needs, unknown placeholders, a missing link, long SMS."""
    return [message for _field, message in template_problems(template, channel_policy=channel_policy, sample=sample)]


def template_problems(
    template: CampaignTemplate, *, channel_policy: str | None = None, sample: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Like :func:`validate_template`, each problem with the field it belongs to (for forms)."""
    needs_email, needs_sms = _channels(template, channel_policy)
    outcome = template.purpose == MessagePurpose.OUTCOME
    values = dict(sample or sample_values(purpose=template.purpose))
    problems: list[tuple[str, str]] = []
    fields = (
        ("email_subject", template.email_subject or "", needs_email, _("The e-mail subject is empty.")),
        ("email_body", template.email_body or "", needs_email, _("The e-mail text is empty.")),
        ("sms_body", template.sms_body or "", needs_sms, _("The SMS text is empty.")),
    )
    for name, text, needed, empty_message in fields:
        if not text.strip():
            if needed:
                problems.append((name, empty_message))
            continue
        found = unknown_placeholders(text)
        problems.extend((name, message) for message in found)
        if found:
            continue
        if name == "email_subject" and len(text) > MAX_SUBJECT_LENGTH:
            problems.append((name, _("The subject is too long (at most %(n)s characters).", n=MAX_SUBJECT_LENGTH)))
        if outcome and uses_placeholder(text, "stop_link"):
            problems.append(
                (name, _("Remove {stop_link}: this message goes once, without a personal link, so it has none."))
            )
        if name in ("email_body", "sms_body") and not uses_placeholder(text, "link"):
            problems.append(
                (name, _("The text must contain {link}: the link to the published report."))
                if outcome
                else (name, _("The text must contain {link}: without the personal link the resident cannot respond."))
            )
        if name == "sms_body":
            info = sms_info(fill(text, values))
            if info.segments > MAX_SMS_SEGMENTS:
                problems.append(
                    (
                        name,
                        ngettext(
                            "The SMS is too long: %(segments)s parts with sample values; "
                            "at most %(num)s part is allowed.",
                            "The SMS is too long: %(segments)s parts with sample values; "
                            "at most %(num)s parts are allowed.",
                            MAX_SMS_SEGMENTS,
                            segments=info.segments,
                        ),
                    )
                )
    return problems


__all__ = [
    "COAT_OF_ARMS_PATH",
    "DEADLINE_PATTERN",
    "DEFAULT_TEXTS",
    "FOOTER",
    "GSM_BASIC",
    "GSM_EXTENSION",
    "GSM_MULTI",
    "GSM_SINGLE",
    "MAX_SMS_SEGMENTS",
    "MAX_SUBJECT_LENGTH",
    "MESSAGE_LANGUAGES",
    "OUTCOME_FOOTER",
    "PLACEHOLDERS",
    "SAMPLE_CALENDAR_LINK",
    "SAMPLE_LINK",
    "SAMPLE_REPORT_LINK",
    "SAMPLE_WHEN",
    "TIMEZONE",
    "UCS2_MULTI",
    "UCS2_SINGLE",
    "MissingTemplateError",
    "RenderedMessage",
    "SmsInfo",
    "TemplateSyntaxError",
    "coat_of_arms_url",
    "default_template",
    "default_templates",
    "fill",
    "focus_group_of",
    "format_deadline",
    "missing_outcome_templates",
    "pick_template",
    "placeholder_values",
    "render_message",
    "sample_values",
    "sms_info",
    "template_problems",
    "unknown_placeholders",
    "uses_placeholder",
    "validate_template",
]
