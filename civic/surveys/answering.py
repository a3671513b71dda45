"""Validate the raw form values of one question into a typed answer, following surveys.question_types.

Pure functions: no database, no request. Raw values are ``{field name: [strings]}`` as posted (and as
kept in ``SurveyResponse.draft_data``). Values a form could never produce (an unknown choice key, a
ranking position outside 1..n, a second value for a radio button) raise ``TamperedInputError``;
ordinary mistakes come back as a translated message for the resident.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from civic.core.errors import InvalidInputError
from civic.surveys.models import Question, QuestionKind

RawValues = Mapping[str, list[str]]

#: No single posted value may be longer than this, whatever a question allows (oversized input is refused).
HARD_MAX_CHARS = 20_000
OTHER_TEXT_MAX = 200
PLACE_TEXT_MAX = 500
# Norway including Svalbard-free mainland margins: a point outside is a typo, not a place in the municipality.
LAT_RANGE = (57.5, 71.5)
LON_RANGE = (4.0, 31.5)
DATE_DISPLAY = "%d.%m.%Y"


class TamperedInputError(InvalidInputError):
    """The form sent something it cannot have offered; nothing is stored."""


@dataclass
class AnswerValue:
    """The typed value of one answer, mirroring the columns of ``Answer``."""

    choice_keys: list[str] = field(default_factory=list)
    text: str | None = None
    number: float | None = None
    date_value: date | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class Parsed:
    """The outcome for one question: a value (None if unanswered) or an error message."""

    value: AnswerValue | None = None
    error: str | None = None


def field_name(question: Question, part: str = "") -> str:
    """Return the form field name of ``question`` (or of one of its parts)."""
    return f"q{question.id}-{part}" if part else f"q{question.id}"


def field_names(question: Question) -> frozenset[str]:
    """Return every form field name a question may post (cached structures hold them ready)."""
    ready = getattr(question, "fields", None)
    if ready is not None:
        return ready
    kind = question.kind_enum
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        return frozenset({field_name(question), field_name(question, "other")})
    if kind == QuestionKind.RANKING:
        return frozenset(field_name(question, c.key) for c in question.choices)
    if kind == QuestionKind.MAP_POINT:
        return frozenset({field_name(question, "lat"), field_name(question, "lon"), field_name(question, "text")})
    return frozenset({field_name(question)})


def first_error_target(question: Question) -> str:
    """Return the id of the element an error summary link should focus."""
    kind = question.kind_enum
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.SCALE):
        return f"{field_name(question)}-0"
    if kind == QuestionKind.RANKING:
        return field_name(question, question.choices[0].key) if question.choices else field_name(question)
    if kind == QuestionKind.MAP_POINT:
        return field_name(question, "lat")
    return field_name(question)


def parse_question(question: Question, raw: RawValues) -> Parsed:
    """Validate the raw values of ``question``; raise TamperedInputError for impossible input."""
    for name in field_names(question):
        for value in raw.get(name, []):
            if len(value) > HARD_MAX_CHARS:
                raise TamperedInputError(_("An answer was far too long. Nothing was saved."))
    parser = _PARSERS[question.kind_enum]
    parsed = parser(question, raw)
    if parsed.error is None and parsed.value is None and question.is_required:
        return Parsed(error=_required_message(question.kind_enum))
    return parsed


def _single(raw: RawValues, name: str) -> str:
    values = raw.get(name, [])
    if len(values) > 1:
        raise TamperedInputError(_("The form was changed in a way that is not possible. Nothing was saved."))
    return values[0].strip() if values else ""


def _unknown_choice() -> TamperedInputError:
    return TamperedInputError(_("The form contained an option that does not exist. Nothing was saved."))


def _other_text(question: Question, raw: RawValues, chosen: list[str]) -> tuple[str | None, str | None]:
    """Return (other text, error) for choice questions with an "other, please specify" option."""
    other_keys = {c.key for c in question.choices if c.is_other}
    text = _normalise_text(_single(raw, field_name(question, "other")))
    if not other_keys.intersection(chosen):
        return None, None  # the text of an unchosen "other" is ignored
    if not text:
        return None, _("Describe your other answer.")
    if len(text) > OTHER_TEXT_MAX:
        return None, _too_long(OTHER_TEXT_MAX, len(text))
    return text, None


def _parse_single_choice(question: Question, raw: RawValues) -> Parsed:
    key = _single(raw, field_name(question))
    if not key:
        return Parsed()
    if key not in {c.key for c in question.choices}:
        raise _unknown_choice()
    text, error = _other_text(question, raw, [key])
    return Parsed(error=error) if error else Parsed(AnswerValue(choice_keys=[key], text=text))


def _parse_multiple_choice(question: Question, raw: RawValues) -> Parsed:
    keys = [k.strip() for k in raw.get(field_name(question), []) if k.strip()]
    if not keys:
        return Parsed()
    known = [c.key for c in question.choices]
    if not set(keys) <= set(known) or len(set(keys)) != len(keys):
        raise _unknown_choice()
    settings = question.settings or {}
    min_choices = int(settings.get("min_choices") or 0)
    max_choices = settings.get("max_choices")
    if len(keys) < min_choices:
        return Parsed(
            error=ngettext("Choose at least %(num)d option.", "Choose at least %(num)d options.", min_choices)
        )
    if max_choices is not None and len(keys) > int(max_choices):
        return Parsed(
            error=ngettext("Choose at most %(num)d option.", "Choose at most %(num)d options.", int(max_choices))
        )
    text, error = _other_text(question, raw, keys)
    ordered = [k for k in known if k in keys]  # store in the survey's order, not the browser's
    return Parsed(error=error) if error else Parsed(AnswerValue(choice_keys=ordered, text=text))


def scale_bounds(question: Question) -> tuple[int, int]:
    """Return the (min, max) points of a scale question."""
    settings = question.settings or {}
    low = settings.get("min")
    high = settings.get("max")
    return (1 if low is None else int(low)), (5 if high is None else int(high))


def _parse_scale(question: Question, raw: RawValues) -> Parsed:
    value = _single(raw, field_name(question))
    if not value:
        return Parsed()
    low, high = scale_bounds(question)
    if not re.fullmatch(r"-?\d+", value) or not low <= int(value) <= high:
        raise _unknown_choice()
    return Parsed(AnswerValue(number=float(int(value))))


def _normalise_text(value: str) -> str:
    # Browsers send CRLF; count a line break as one character, as the maxlength attribute does.
    return value.replace("\r\n", "\n").strip()


def text_max_length(question: Question) -> int:
    """Return the character limit of a text question."""
    default = 200 if question.kind_enum == QuestionKind.SHORT_TEXT else 2000
    return int((question.settings or {}).get("max_length") or default)


def _too_long(limit: int, actual: int) -> str:
    return _("Write at most %(limit)d characters (you wrote %(actual)d).", limit=limit, actual=actual)


def _parse_text(question: Question, raw: RawValues) -> Parsed:
    text = _normalise_text(_single(raw, field_name(question)))
    if question.kind_enum == QuestionKind.SHORT_TEXT:
        text = " ".join(text.split())  # a one-line answer: no line breaks or runs of spaces
    if not text:
        return Parsed()
    limit = text_max_length(question)
    if len(text) > limit:
        return Parsed(error=_too_long(limit, len(text)))
    return Parsed(AnswerValue(text=text))


def parse_decimal(value: str) -> float | None:
    """Read a number typed the Norwegian way ("2,5", "1 000") or the English way; None if it is not one."""
    cleaned = value.replace("\u00a0", "").replace(" ", "").replace(",", ".").replace("\u2212", "-")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)", cleaned):
        return None
    number = float(cleaned)
    return number if math.isfinite(number) else None


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def number_bounds(question: Question) -> tuple[float | None, float | None, bool]:
    """Return (min, max, integer only) of a number question."""
    settings = question.settings or {}
    low, high = settings.get("min"), settings.get("max")
    return (
        None if low is None else float(low),
        None if high is None else float(high),
        bool(settings.get("integer", False)),
    )


def number_rule(low: float | None, high: float | None, integer: bool) -> str:
    if low is not None and high is not None:
        if integer:
            return _(
                "Enter a whole number between %(min)s and %(max)s.",
                min=_format_number(low),
                max=_format_number(high),
            )
        return _("Enter a number between %(min)s and %(max)s.", min=_format_number(low), max=_format_number(high))
    if low is not None:
        if integer:
            return _("Enter a whole number of at least %(min)s.", min=_format_number(low))
        return _("Enter a number of at least %(min)s.", min=_format_number(low))
    if high is not None:
        if integer:
            return _("Enter a whole number of at most %(max)s.", max=_format_number(high))
        return _("Enter a number of at most %(max)s.", max=_format_number(high))
    return _("Enter a whole number.") if integer else _("Enter a number, for example 12 or 2,5.")


def _parse_number(question: Question, raw: RawValues) -> Parsed:
    value = _single(raw, field_name(question))
    if not value:
        return Parsed()
    low, high, integer = number_bounds(question)
    number = parse_decimal(value)
    if (
        number is None
        or (integer and not number.is_integer())
        or (low is not None and number < low)
        or (high is not None and number > high)
        or abs(number) > 1e15  # beyond what a float stores exactly
    ):
        return Parsed(error=number_rule(low, high, integer))
    return Parsed(AnswerValue(number=number))


def parse_date(value: str) -> date | None:
    """Read an ISO date (what date inputs send) or a Norwegian dd.mm.yyyy date; None if neither."""
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    local = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", value)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if local:
            return date(int(local[3]), int(local[2]), int(local[1]))
    except ValueError:
        return None
    return None


def date_bounds(question: Question) -> tuple[date | None, date | None]:
    """Return the (earliest, latest) allowed dates of a date question."""
    settings = question.settings or {}
    low, high = settings.get("min_date"), settings.get("max_date")
    return (date.fromisoformat(low) if low else None, date.fromisoformat(high) if high else None)


def _parse_date(question: Question, raw: RawValues) -> Parsed:
    value = _single(raw, field_name(question))
    if not value:
        return Parsed()
    parsed = parse_date(value)
    if parsed is None:
        return Parsed(error=_("Enter a real date, for example 17.05.2024."))
    low, high = date_bounds(question)
    if (low and parsed < low) or (high and parsed > high):
        if low and high:
            message = _(
                "The date must be between %(min)s and %(max)s.",
                min=low.strftime(DATE_DISPLAY),
                max=high.strftime(DATE_DISPLAY),
            )
        elif low:
            message = _("The date must be on or after %(min)s.", min=low.strftime(DATE_DISPLAY))
        else:
            message = _("The date must be on or before %(max)s.", max=high.strftime(DATE_DISPLAY))  # type: ignore[union-attr]
        return Parsed(error=message)
    return Parsed(AnswerValue(date_value=parsed))


def _parse_ranking(question: Question, raw: RawValues) -> Parsed:
    keys = [c.key for c in question.choices]
    positions: dict[str, int] = {}
    for key in keys:
        value = _single(raw, field_name(question, key))
        if not value:
            continue
        if not value.isdigit() or not 1 <= int(value) <= len(keys):
            raise _unknown_choice()
        positions[key] = int(value)
    if not positions:
        return Parsed()
    if len(positions) < len(keys):
        return Parsed(error=_("Give every item a position."))
    if sorted(positions.values()) != list(range(1, len(keys) + 1)):
        return Parsed(error=_("Use each position only once."))
    return Parsed(AnswerValue(choice_keys=sorted(keys, key=positions.__getitem__)))


def _parse_map_point(question: Question, raw: RawValues) -> Parsed:
    lat_raw = _single(raw, field_name(question, "lat"))
    lon_raw = _single(raw, field_name(question, "lon"))
    text = _normalise_text(_single(raw, field_name(question, "text")))
    if len(text) > PLACE_TEXT_MAX:
        return Parsed(error=_too_long(PLACE_TEXT_MAX, len(text)))
    if not lat_raw and not lon_raw:
        if question.is_required:
            return Parsed(error=_required_message(QuestionKind.MAP_POINT))
        return Parsed(AnswerValue(text=text)) if text else Parsed()
    lat, lon = parse_decimal(lat_raw), parse_decimal(lon_raw)
    if lat is None or lon is None:
        return Parsed(error=_("Enter both latitude and longitude, for example 59.94 and 10.81."))
    if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
        return Parsed(
            error=_(
                "The place must be in Norway: latitude between %(lat_min)s and %(lat_max)s, "
                "longitude between %(lon_min)s and %(lon_max)s.",
                lat_min=LAT_RANGE[0],
                lat_max=LAT_RANGE[1],
                lon_min=LON_RANGE[0],
                lon_max=LON_RANGE[1],
            )
        )
    return Parsed(AnswerValue(lat=round(lat, 6), lon=round(lon, 6), text=text or None))


def _required_message(kind: QuestionKind) -> str:
    messages = {
        QuestionKind.SINGLE_CHOICE: _("Choose an answer."),
        QuestionKind.MULTIPLE_CHOICE: _("Choose at least one option."),
        QuestionKind.SCALE: _("Choose a point on the scale."),
        QuestionKind.SHORT_TEXT: _("Write an answer."),
        QuestionKind.LONG_TEXT: _("Write an answer."),
        QuestionKind.NUMBER: _("Enter a number."),
        QuestionKind.DATE: _("Enter a date."),
        QuestionKind.RANKING: _("Put all the items in order."),
        QuestionKind.MAP_POINT: _("Mark a place on the map or enter its coordinates."),
    }
    return messages[kind]


_PARSERS = {
    QuestionKind.SINGLE_CHOICE: _parse_single_choice,
    QuestionKind.MULTIPLE_CHOICE: _parse_multiple_choice,
    QuestionKind.SCALE: _parse_scale,
    QuestionKind.SHORT_TEXT: _parse_text,
    QuestionKind.LONG_TEXT: _parse_text,
    QuestionKind.NUMBER: _parse_number,
    QuestionKind.DATE: _parse_date,
    QuestionKind.RANKING: _parse_ranking,
    QuestionKind.MAP_POINT: _parse_map_point,
}
