"""Default and validated ``Question.settings`` per kind (the contract in civic.surveys.question_types)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from civic.core.errors import InvalidInputError
from civic.surveys.models import QuestionKind

K = QuestionKind
#: Settings that are texts: fixing them is a typo fix, allowed even when the structure is locked.
TEXT_SETTINGS = frozenset({"min_label", "max_label"})
TEXT_LENGTH_LIMITS = {K.SHORT_TEXT: 500, K.LONG_TEXT: 10000}
SCALE_BOUNDS = (-10, 10)
MAX_SCALE_POINTS = 11


class SettingsError(InvalidInputError):
    """A setting breaks a rule; ``field`` names the settings key so the form can show it in place."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def default_settings(kind: QuestionKind | str) -> dict[str, Any]:
    """Return the settings a new question of ``kind`` starts with."""
    kind = K(kind)
    if kind == K.MULTIPLE_CHOICE:
        return {"min_choices": 0, "max_choices": None}
    if kind == K.SCALE:
        return {"min": 1, "max": 5, "min_label": {}, "max_label": {}}
    if kind == K.SHORT_TEXT:
        return {"max_length": 200}
    if kind == K.LONG_TEXT:
        return {"max_length": 2000}
    if kind == K.NUMBER:
        return {"min": None, "max": None, "integer": False}
    if kind == K.DATE:
        return {"min_date": None, "max_date": None}
    return {}


def structural_part(settings: dict[str, Any]) -> dict[str, Any]:
    """Return the settings without their text labels (what the structural lock protects)."""
    return {key: value for key, value in (settings or {}).items() if key not in TEXT_SETTINGS}


def clean_settings(kind: QuestionKind | str, raw: dict[str, Any]) -> dict[str, Any]:
    """Return ``raw`` reduced to the keys of ``kind`` with defaults filled in; raise SettingsError if bad."""
    kind = K(kind)
    settings = default_settings(kind)
    for key in settings:
        if key in raw:
            settings[key] = raw[key]
    if kind == K.MULTIPLE_CHOICE:
        _check_choice_limits(settings)
    elif kind == K.SCALE:
        _check_scale(settings)
    elif kind in TEXT_LENGTH_LIMITS:
        _check_max_length(kind, settings)
    elif kind == K.NUMBER:
        _check_number(settings)
    elif kind == K.DATE:
        _check_dates(settings)
    return settings


def _int(settings: dict[str, Any], key: str, *, allow_none: bool) -> int | None:
    value = settings.get(key)
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise SettingsError(key, _("Enter a whole number."))
    settings[key] = int(value)
    return int(value)


def _required_int(settings: dict[str, Any], key: str) -> int:
    value = _int(settings, key, allow_none=False)
    if value is None:  # _int already refuses None here; this narrows the type
        raise SettingsError(key, _("Enter a whole number."))
    return value


def _check_choice_limits(settings: dict[str, Any]) -> None:
    low = _int(settings, "min_choices", allow_none=True) or 0
    settings["min_choices"] = low
    high = _int(settings, "max_choices", allow_none=True)
    if low < 0:
        raise SettingsError("min_choices", _("The minimum cannot be negative."))
    if high is not None and high < 1:
        raise SettingsError("max_choices", _("The maximum must be at least 1, or empty for no limit."))
    if high is not None and low > high:
        raise SettingsError("max_choices", _("The maximum must be at least the minimum."))


def _check_scale(settings: dict[str, Any]) -> None:
    low = _required_int(settings, "min")
    high = _required_int(settings, "max")
    for key, value in (("min", low), ("max", high)):
        if not SCALE_BOUNDS[0] <= value <= SCALE_BOUNDS[1]:
            raise SettingsError(
                key, _("Use a value from %(low)d to %(high)d.", low=SCALE_BOUNDS[0], high=SCALE_BOUNDS[1])
            )
    if high <= low:
        raise SettingsError("max", _("The highest value must be greater than the lowest."))
    if high - low + 1 > MAX_SCALE_POINTS:
        raise SettingsError("max", _("A scale can have at most %(n)d points.", n=MAX_SCALE_POINTS))
    for key in TEXT_SETTINGS:
        labels = settings.get(key) or {}
        if not isinstance(labels, dict):
            raise SettingsError(key, _("Enter a text."))
        settings[key] = {lang: str(text).strip() for lang, text in labels.items() if str(text or "").strip()}


def _check_max_length(kind: QuestionKind, settings: dict[str, Any]) -> None:
    value = _required_int(settings, "max_length")
    limit = TEXT_LENGTH_LIMITS[kind]
    if not 1 <= value <= limit:
        raise SettingsError("max_length", _("Use a length from 1 to %(n)d characters.", n=limit))


def _check_number(settings: dict[str, Any]) -> None:
    for key in ("min", "max"):
        value = settings.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise SettingsError(key, _("Enter a number."))
        if isinstance(value, float) and value.is_integer():
            settings[key] = int(value)
    settings["integer"] = bool(settings.get("integer"))
    low, high = settings["min"], settings["max"]
    if low is not None and high is not None and low > high:
        raise SettingsError("max", _("The maximum must be at least the minimum."))
    if settings["integer"]:
        for key in ("min", "max"):
            if settings[key] is not None and int(settings[key]) != settings[key]:
                raise SettingsError(key, _("Whole numbers only: the limit must be a whole number too."))


def _check_dates(settings: dict[str, Any]) -> None:
    parsed: dict[str, date | None] = {}
    for key in ("min_date", "max_date"):
        value = settings.get(key)
        if isinstance(value, date):
            value = value.isoformat()
        if value in (None, ""):
            settings[key] = None
            parsed[key] = None
            continue
        try:
            parsed[key] = date.fromisoformat(str(value))
        except ValueError:
            raise SettingsError(key, _("Enter a date as YYYY-MM-DD.")) from None
        settings[key] = parsed[key].isoformat()  # type: ignore[union-attr]
    low, high = parsed["min_date"], parsed["max_date"]
    if low and high and low > high:
        raise SettingsError("max_date", _("The latest date must be on or after the earliest date."))
