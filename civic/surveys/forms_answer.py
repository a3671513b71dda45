"""What the answer pages need to render: the three ways in (public, personal, preview) and question items."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from civic.consultations.models import Consultation
from civic.core.i18n import current_locale, localized
from civic.extensions import db
from civic.outreach.models import Invitation
from civic.surveys import answering
from civic.surveys.answering import RawValues, field_name
from civic.surveys.locking import LockedResponse
from civic.surveys.models import (
    TEXT_KINDS,
    Question,
    QuestionKind,
    Survey,
    SurveyResponse,
)
from civic.surveys.personal_links import PersonalLink, find_link_response
from civic.surveys.responses import page_questions
from civic.surveys.structure import (
    ChoiceShape,
    QuestionShape,
    SectionShape,
    SurveyShape,
    structure_for,
    survey_structure,
)

PUBLIC, PERSONAL, PREVIEW = "public", "personal", "preview"
DRAFT_SALT = "civic-survey-draft"


class Flow:
    """How the resident (or planner) reached the survey, and the URLs that follow from it.

    A post through a personal link starts from ``link`` alone (plain values of one Core query): the
    survey, its consultation, the invitation and the response are loaded as ORM objects only when read,
    e.g. to render a page again with errors. Every other way in starts from the ORM objects.
    """

    def __init__(
        self,
        mode: str,
        survey: Survey | None = None,
        invitation: Invitation | None = None,
        token: str | None = None,
        response: SurveyResponse | LockedResponse | None = None,
        link: PersonalLink | None = None,
    ) -> None:
        if survey is None and (link is None or link.survey_id is None):
            raise ValueError("a flow needs a survey or a personal link to one")
        self.mode = mode
        self.token = token
        self.link = link
        self._survey = survey
        self._invitation = invitation
        self._response = response
        self._response_loaded = response is not None or link is None
        self._shape: SurveyShape | None = None

    @property
    def survey(self) -> Survey:
        if self._survey is None:
            assert self.link is not None
            assert self.link.survey_id is not None
            self._survey = db.session.get_one(Survey, self.link.survey_id)
        return self._survey

    @property
    def invitation(self) -> Invitation | None:
        if self._invitation is None and self.link is not None:
            self._invitation = db.session.get_one(Invitation, self.link.invitation_id)
        return self._invitation

    @property
    def response(self) -> SurveyResponse | LockedResponse | None:
        """The response as loaded with the link; once a post locks the row, its locked values."""
        if not self._response_loaded:
            assert self.link is not None
            self._response = find_link_response(db.session, self.link)
            self._response_loaded = True
        return self._response

    @response.setter
    def response(self, value: SurveyResponse | LockedResponse | None) -> None:
        self._response = value
        self._response_loaded = True

    @property
    def survey_id(self) -> int:
        if self.link is not None and self.link.survey_id is not None:
            return self.link.survey_id
        return self.survey.id

    @property
    def survey_version(self) -> int:
        if self.link is not None and self.link.survey_version is not None:
            return self.link.survey_version
        return self.survey.version

    def structure(self) -> SurveyShape:
        """Return the survey's cached structure and texts (from a link's structure key without loading the survey)."""
        if self._shape is None:
            if self.link is not None and self.link.survey_id is not None and self.link.structure_key:
                self._shape = structure_for(db.session, self.link.survey_id, self.link.structure_key)
            else:
                self._shape = survey_structure(self.survey)
        return self._shape

    def is_accepting_responses(self) -> bool:
        if self.link is not None:
            # The link carries the consultation's state and closing time: the model's rule applies as is.
            return Consultation.is_accepting_responses(self.link)  # type: ignore[arg-type]
        return self.consultation.is_accepting_responses()

    @property
    def consultation(self) -> Consultation:
        return self.survey.consultation

    @property
    def page_count(self) -> int:
        return len(self.structure().sections)

    def section(self, number: int) -> SectionShape | None:
        """Return page ``number`` (1-based), or None if there is no such page."""
        return self.structure().sections[number - 1] if 1 <= number <= self.page_count else None

    def landing_url(self) -> str:
        if self.mode == PUBLIC:
            return url_for("surveys.public_landing", public_id=self.consultation.public_id)
        if self.mode == PERSONAL:
            return url_for("surveys.personal_landing", token=self.token)
        return url_for("surveys.preview", survey_id=self.survey.id)

    def page_url(self, number: int) -> str:
        if self.mode == PUBLIC:
            return url_for("surveys.public_page", public_id=self.consultation.public_id, n=number)
        if self.mode == PERSONAL:
            return url_for("surveys.personal_page", token=self.token, n=number)
        return url_for("surveys.preview_page", survey_id=self.survey.id, n=number)

    def receipt_url(self) -> str:
        if self.mode == PUBLIC:
            return url_for("surveys.public_receipt", public_id=self.consultation.public_id)
        if self.mode == PERSONAL:
            return url_for("surveys.personal_receipt", token=self.token)
        return url_for("surveys.preview", survey_id=self.survey.id)

    @property
    def is_submitted(self) -> bool:
        return self.response is not None and self.response.state == "submitted"


@dataclass
class QuestionItem:
    """One question as rendered on a page."""

    question: QuestionShape
    hidden: bool
    error: str | None
    condition_note: str
    hint: str
    choices: list[ChoiceShape]

    @property
    def described_by(self) -> str:
        q = self.question
        ids = [
            f"q{q.id}-help" if localized(q.help_text, current_locale()) else "",
            f"q{q.id}-note" if self.condition_note else "",
            f"q{q.id}-hint" if self.hint else "",
            f"q{q.id}-error" if self.error else "",
        ]
        return " ".join(i for i in ids if i)

    @property
    def focus_id(self) -> str:
        return answering.first_error_target(self.question)


def build_items(section: SectionShape, visible: set[int], raw: RawValues, errors: dict[int, str]) -> list[QuestionItem]:
    """Return the questions to render; hidden same-page conditionals stay in the markup for the script."""
    on_page = {q.id for q in page_questions(section)}
    items = []
    for question in page_questions(section):
        same_page_condition = question.condition_question_id in on_page
        if question.id not in visible and not same_page_condition:
            continue  # its condition depends on an earlier page and is not met: not asked at all
        items.append(
            QuestionItem(
                question=question,
                hidden=question.id not in visible,
                error=errors.get(question.id),
                condition_note=_condition_note(question, section) if same_page_condition else "",
                hint=question_hint(question),
                choices=_ordered_choices(question, raw),
            )
        )
    return items


def _condition_note(question: QuestionShape, section: SectionShape) -> str:
    parent = next(q for q in section.questions if q.id == question.condition_question_id)
    labels = [
        f"“{localized(c.label, current_locale())}”" for c in parent.choices if c.key in question.condition_choice_keys
    ]
    return _(
        "Answer this only if you chose %(choices)s in “%(question)s”.",
        choices=_(" or ").join(labels),
        question=localized(parent.text, current_locale()),
    )


def question_hint(question: Question | QuestionShape) -> str:
    """Return the short rule shown under a question (limits the resident should know before typing)."""
    kind = question.kind_enum
    settings = question.settings or {}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        low, high = int(settings.get("min_choices") or 0), settings.get("max_choices")
        if high is not None and low > 0:
            return _("Choose from %(min)d to %(max)d options.", min=low, max=int(high))
        if high is not None:
            return _("Choose up to %(max)d options.", max=int(high))
        return _("Choose at least %(min)d options.", min=low) if low > 1 else _("Choose all that apply.")
    if kind in TEXT_KINDS:
        return _("At most %(max)d characters.", max=answering.text_max_length(question))
    if kind == QuestionKind.NUMBER:
        low_n, high_n, integer = answering.number_bounds(question)
        return answering.number_rule(low_n, high_n, integer)
    if kind == QuestionKind.DATE:
        low_d, high_d = answering.date_bounds(question)
        if low_d and high_d:
            return _(
                "A date from %(min)s to %(max)s.",
                min=low_d.strftime(answering.DATE_DISPLAY),
                max=high_d.strftime(answering.DATE_DISPLAY),
            )
        return ""
    if kind == QuestionKind.RANKING:
        return _("Give each item a position, from 1 (most important) to %(n)d.", n=len(question.choices))
    if kind == QuestionKind.MAP_POINT:
        return _("Click the map to mark the place, or type its latitude and longitude.")
    return ""


def _ordered_choices(question: Any, raw: RawValues) -> list[Any]:
    """Return the choices (ORM or cached); for ranking, in the order the resident gave (unranked last)."""
    if question.kind_enum != QuestionKind.RANKING:
        return list(question.choices)

    def position(choice: Any) -> int:
        values = raw.get(field_name(question, choice.key), [])
        return int(values[0]) if values and values[0].isdigit() else 10_000 + choice.position

    return sorted(question.choices, key=position)


def describe_values(survey: Survey, raw: RawValues) -> list[tuple[str, str]]:
    """Return (question text, what was typed) pairs so a resident can copy answers that could not be sent."""
    locale = current_locale()
    kept = []
    for question in survey.questions:
        labels = {c.key: localized(c.label, locale) for c in question.choices}
        parts: list[str] = []
        for name in sorted(answering.field_names(question)):
            for value in raw.get(name, []):
                parts.append(labels.get(value, value) if name == field_name(question) else value)
        if question.kind_enum == QuestionKind.RANKING:
            ranked = _ordered_choices(question, raw)
            parts = [localized(c.label, locale) for c in ranked if raw.get(field_name(question, c.key))]
        if parts:
            kept.append((localized(question.text, locale), ", ".join(parts)))
    return kept


def geojson_url(slug: str) -> str:
    """Return the URL of the organisation's area outline, falling back to Bjerke for the demo."""
    static = Path(current_app.static_folder or "")
    name = f"geo/{slug}.geojson" if (static / "geo" / f"{slug}.geojson").is_file() else "geo/bjerke.geojson"
    return url_for("static", filename=name)


# --- the public-link draft cookie and the rate-limit key ---------------------------------------------------


def _cookie_name(survey: Survey) -> str:
    return f"civic_draft_{survey.id}"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=DRAFT_SALT)


def draft_key_from_cookie(survey: Survey) -> str | None:
    """Return the draft key of ``survey`` from the resident's signed cookie; None if absent or tampered."""
    raw = request.cookies.get(_cookie_name(survey))
    if not raw:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    return data.get("k") if isinstance(data, dict) and data.get("s") == survey.id else None


def set_draft_cookie(response: Response, flow: Flow, key: str) -> None:
    """Keep the draft key in a signed, HTTP-only cookie scoped to this survey's public pages."""
    response.set_cookie(
        _cookie_name(flow.survey),
        _serializer().dumps({"s": flow.survey.id, "k": key}),
        max_age=60 * 60 * 24 * 120,
        path=f"/s/{flow.consultation.public_id}",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def client_key() -> str:
    """Key the rate limit on a keyed hash of the address, so not even the limiter's store holds it."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, get_remote_address().encode(), hashlib.sha256).hexdigest()
