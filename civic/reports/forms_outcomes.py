"""The "you said, we did" form: a text per topic and language, the decision per language, and its date.

The topics come from the report's snapshot, so the form class is made per report (:func:`outcomes_form`). Field
names carry the topic key hex-encoded: keys come from the analysis and need not be valid HTML names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import Length, Optional

from civic.core.i18n import LANGUAGE_NAMES
from civic.core.timeutils import now_utc
from civic.reports.models import Report

LOCAL_ZONE = ZoneInfo("Europe/Oslo")
MAX_TEXT = 5_000


def topic_field(key: str, language: str) -> str:
    return f"topic_{key.encode('utf-8').hex()}_{language}"


def decision_field(language: str) -> str:
    return f"decision_{language}"


class OutcomesForm(FlaskForm):
    """Base class; :func:`outcomes_form` adds the text fields of one report."""

    decided_on = DateField(_l("Date of the decision"), validators=[Optional()])
    topic_keys: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    def validate(self, extra_validators: Any = None) -> bool:
        """Also: a date when anything is written, and not a date in the future."""
        ok = super().validate(extra_validators)
        if self.decided_on.errors:
            self.decided_on.errors = [_l("Enter the date as a date, for example 2026-11-24.")]
            return False
        written = any(self.decision_texts().values()) or any(
            text for texts in self.topic_texts().values() for text in texts.values()
        )
        today = now_utc().astimezone(LOCAL_ZONE).date()
        if written and self.decided_on.data is None:
            self.decided_on.errors = [_l("Enter the date the decision was taken.")]
            ok = False
        elif self.decided_on.data is not None and self.decided_on.data > today:
            self.decided_on.errors = [_l("The decision date cannot be in the future.")]
            ok = False
        return ok

    def topic_texts(self) -> dict[str, dict[str, str]]:
        return {
            key: {lang: (self[topic_field(key, lang)].data or "").strip() for lang in self.languages}
            for key in self.topic_keys
        }

    def decision_texts(self) -> dict[str, str]:
        return {lang: (self[decision_field(lang)].data or "").strip() for lang in self.languages}

    def decided_at(self) -> datetime | None:
        """The decision date as midnight in Oslo, in UTC (shown as that date again in Norwegian time)."""
        day: date | None = self.decided_on.data
        if day is None:
            return None
        return datetime(day.year, day.month, day.day, tzinfo=LOCAL_ZONE).astimezone(UTC)

    def fill_from(self, report: Report, texts: dict[str, dict[str, str]]) -> None:
        """Show what is stored: ``texts`` are the answers per topic key."""
        for key in self.topic_keys:
            for lang in self.languages:
                self[topic_field(key, lang)].data = texts.get(key, {}).get(lang, "")
        for lang in self.languages:
            self[decision_field(lang)].data = (report.decision or {}).get(lang, "")
        if report.decided_at is not None:
            self.decided_on.data = report.decided_at.astimezone(LOCAL_ZONE).date()


def outcomes_form(topic_keys: Sequence[str], languages: Sequence[str], **kwargs: Any) -> OutcomesForm:
    """Return the form for these topics and languages (bound to the request's form data when it has any)."""

    class _Form(OutcomesForm):
        pass

    for key in topic_keys:
        for lang in languages:
            setattr(
                _Form,
                topic_field(key, lang),
                TextAreaField(
                    _l("What was done (%(language)s)", language=LANGUAGE_NAMES.get(lang, lang)),
                    validators=[Optional(), Length(max=MAX_TEXT)],
                ),
            )
    for lang in languages:
        setattr(
            _Form,
            decision_field(lang),
            TextAreaField(
                _l("The decision (%(language)s)", language=LANGUAGE_NAMES.get(lang, lang)),
                validators=[Optional(), Length(max=MAX_TEXT)],
            ),
        )
    _Form.topic_keys = tuple(topic_keys)
    _Form.languages = tuple(languages)
    return _Form(**kwargs)
