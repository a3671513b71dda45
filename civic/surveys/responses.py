"""Resident responses: find or create the draft, save raw values, validate the whole survey, submit."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from civic.consultations.models import Consultation
from civic.core.driver_sql import DriverStatement
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc
from civic.outreach.models import Invitation, coarse_day
from civic.surveys.answering import AnswerValue, Parsed, RawValues, field_names, parse_question
from civic.surveys.conditions import visible_question_ids
from civic.surveys.locking import LockedResponse
from civic.surveys.models import Answer, Question, ResponseState, Survey, SurveyResponse, SurveySection
from civic.surveys.personal_links import PersonalLink
from civic.surveys.structure import QuestionShape, SectionShape, SurveyShape

#: The checks below read either ORM objects or their cached plain copies (surveys.structure).
AnySurvey = Survey | SurveyShape
AnySection = SurveySection | SectionShape
AnyQuestion = Question | QuestionShape

log = logging.getLogger(__name__)

#: Form fields that are not answers: CSRF token, button pressed, honeypot, ids of the questions shown.
CONTROL_FIELDS = frozenset({"csrf_token", "action", "website", "shown"})


@dataclass
class SurveyCheck:
    """The outcome of validating a whole response: typed answers, and errors per page number."""

    answers: dict[int, AnswerValue] = field(default_factory=dict)
    errors: dict[int, dict[int, str]] = field(default_factory=dict)  # page → {question id: message}

    @property
    def first_page_with_errors(self) -> int | None:
        return min(self.errors) if self.errors else None


#: Parsed values of the posted page, by question id: parsed once, read again by the page and survey checks.
ParsedPage = dict[int, Parsed]


def already_sent_message() -> str:
    """Return the message for a public-link response that was already sent."""
    return _("These answers have already been sent. Answers given through a public link cannot be changed.")


def answered_through_other_link_message() -> str:
    """Return the message for a personal link whose invitation was answered through another of its links."""
    return _(
        "You have already answered through the link in an earlier message. "
        "Open that link to see or change your answers."
    )


def page_questions(section: AnySection) -> list[AnyQuestion]:
    """Return the active questions of one page."""
    return [q for q in section.questions if not q.is_archived]


def clean_page_values(section: AnySection, form: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Keep the posted values of this page's questions; refuse fields the page never offered."""
    allowed: set[str] = set()
    for question in page_questions(section):
        allowed |= field_names(question)
    unknown = set(form) - allowed - CONTROL_FIELDS
    if unknown:
        raise InvalidInputError(
            _("The form contained answers to questions that are not on this page. Nothing was saved.")
        )
    return {name: [v for v in values if v != ""] for name, values in form.items() if name in allowed}


def parse_page(section: AnySection, values: RawValues) -> ParsedPage:
    """Parse every active question of the posted page; raise TamperedInputError for impossible values.

    The result stands for these questions in the draft too: save_draft copies exactly these fields.
    """
    return {question.id: parse_question(question, values) for question in page_questions(section)}


def check_page(
    section: AnySection,
    survey: AnySurvey,
    raw: RawValues,
    *,
    preview: bool = False,
    parsed: ParsedPage | None = None,
) -> dict[int, str]:
    """Validate the visible questions of one page; return {question id: message}.

    ``parsed`` holds parse_page's results for this page's values, which ``raw`` must hold unchanged.
    """
    visible = _visible(survey, raw, preview=preview, page=section)
    known = parsed or {}
    errors: dict[int, str] = {}
    for question in page_questions(section):
        if question.id in visible:
            outcome = known.get(question.id) or parse_question(question, raw)
            if outcome.error:
                errors[question.id] = outcome.error
    return errors


def check_survey(survey: AnySurvey, raw: RawValues, *, parsed: ParsedPage | None = None) -> SurveyCheck:
    """Validate every visible question on every page (``parsed`` as for check_page)."""
    visible = visible_question_ids(survey.questions, raw)
    known = parsed or {}
    result = SurveyCheck()
    for number, section in enumerate(survey.sections, start=1):
        for question in page_questions(section):
            if question.id not in visible:
                continue
            parsed_question: Parsed = known.get(question.id) or parse_question(question, raw)
            if parsed_question.error:
                result.errors.setdefault(number, {})[question.id] = parsed_question.error
            elif parsed_question.value is not None:
                result.answers[question.id] = parsed_question.value
    return result


def _visible(survey: AnySurvey, raw: RawValues, *, preview: bool, page: AnySection | None) -> set[int]:
    visible = visible_question_ids(survey.questions, raw)
    if preview and page is not None:
        # Nothing is stored in a preview, so answers from earlier pages are unknown: show those questions.
        on_page = {q.id for q in page_questions(page)}
        for question in page_questions(page):
            if question.condition_question_id and question.condition_question_id not in on_page:
                visible.add(question.id)
    return visible


def visible_on_page(survey: AnySurvey, section: AnySection, raw: RawValues, *, preview: bool = False) -> set[int]:
    """Return the ids of the questions of ``section`` to show, given the answers so far."""
    return _visible(survey, raw, preview=preview, page=section) & {q.id for q in page_questions(section)}


def find_public_survey(session: Session, public_id: str) -> tuple[Consultation | None, Survey | None]:
    """Return the consultation of a public link and its survey, in one query."""
    row = session.execute(
        select(Consultation, Survey)
        .outerjoin(Survey, Survey.consultation_id == Consultation.id)
        .where(Consultation.public_id == public_id)
    ).first()
    if row is None:
        return None, None
    consultation, survey = row
    if survey is not None:
        set_committed_value(survey, "consultation", consultation)  # the identity map holds it only weakly
    return consultation, survey


_RESPONSES = SurveyResponse.__table__
_ANSWERS = Answer.__table__
_INVITATIONS = Invitation.__table__
_UPDATE_RESPONSE = update(_RESPONSES).where(_RESPONSES.c.id == bindparam("response_id"))
# The first submit through any of an invitation's links marks it responded; through another link it then
# finds responded_at set and is refused: one response per invitation without the response naming it.
_MARK_RESPONDED = (
    update(_INVITATIONS)
    .where(_INVITATIONS.c.id == bindparam("invitation_id"), _INVITATIONS.c.responded_at.is_(None))
    .values(responded_at=bindparam("responded_at"))
)
# What a submit writes into the response; every value has its own parameter, named like its column.
_SUBMITTED_COLUMNS = (
    "draft_data",
    "locale",
    "state",
    "submitted_at",
    "survey_version",
    "updated_at",
    "age_band",
    "district",
    "household_type",
)
# PostgreSQL: a first personal-link submit marks the invitation, updates the response and inserts its answers
# in one statement (one round trip): the response is updated only if the invitation's UPDATE matched, and the
# answers are inserted only for a response that was updated. It returns how many responses it updated (0: refused).
_FIRST_SUBMIT_PERSONAL_PG = DriverStatement(
    text(
        "WITH responded AS ("
        " UPDATE outreach_invitations SET responded_at = :inv_responded_at"
        " WHERE id = :inv_id AND responded_at IS NULL RETURNING id"
        "), submitted AS ("
        " UPDATE survey_responses SET draft_data = :draft_data, locale = :locale, state = :state,"
        " submitted_at = :submitted_at, survey_version = :survey_version, updated_at = :updated_at,"
        " age_band = :age_band, district = :district, household_type = :household_type"
        " WHERE id = :response_id AND EXISTS (SELECT 1 FROM responded) RETURNING id"
        "), answered AS ("
        " INSERT INTO survey_answers (response_id, question_id, choice_keys, text, number, date_value, lat, lon)"
        " SELECT submitted.id, r.question_id, r.choice_keys, r.text, r.number, r.date_value, r.lat, r.lon"
        " FROM submitted, json_to_recordset(CAST(:rows AS json)) AS r(question_id integer, choice_keys json,"
        " text text, number double precision, date_value date, lat double precision, lon double precision)"
        ") SELECT count(*) FROM submitted"
    ).bindparams(
        bindparam("draft_data", type_=SurveyResponse.draft_data.type),
        bindparam("submitted_at", type_=SurveyResponse.submitted_at.type),
        bindparam("updated_at", type_=SurveyResponse.updated_at.type),
        bindparam("inv_responded_at", type_=Invitation.responded_at.type),
    )
)
# The statements above and below name the tables and columns; these fail loudly if a model is renamed.
assert (_RESPONSES.name, _INVITATIONS.name) == ("survey_responses", "outreach_invitations")
assert set(_SUBMITTED_COLUMNS) <= set(_RESPONSES.c.keys())
_INSERT_ANSWERS = insert(_ANSWERS)
_DELETE_ANSWERS = delete(_ANSWERS).where(_ANSWERS.c.response_id == bindparam("response_id"))


# PostgreSQL: every answer in one statement with one JSON parameter. Measured against the executemany
# below (12 pipelined inserts): about half the Python CPU and a quarter less PostgreSQL CPU per submission.
_INSERT_ANSWERS_PG = text(
    "INSERT INTO survey_answers (response_id, question_id, choice_keys, text, number, date_value, lat, lon) "
    "SELECT :response_id, r.question_id, r.choice_keys, r.text, r.number, r.date_value, r.lat, r.lon "
    "FROM json_to_recordset(CAST(:rows AS json)) AS r(question_id integer, choice_keys json, text text, "
    "number double precision, date_value date, lat double precision, lon double precision)"
)
assert _ANSWERS.name == "survey_answers"  # the statements above name the table


def _answer_rows_json(answers: Mapping[int, AnswerValue]) -> str:
    """The answers as the JSON array json_to_recordset reads (PostgreSQL)."""
    return json.dumps(
        [
            {
                "question_id": question_id,
                "choice_keys": list(value.choice_keys),
                "text": value.text,
                "number": value.number,
                "date_value": value.date_value.isoformat() if value.date_value else None,
                "lat": value.lat,
                "lon": value.lon,
            }
            for question_id, value in answers.items()
        ]
    )


def _insert_answers(connection: Any, response_id: int, answers: Mapping[int, AnswerValue]) -> None:
    if not answers:
        return
    if connection.dialect.name == "postgresql":
        connection.execute(_INSERT_ANSWERS_PG, {"response_id": response_id, "rows": _answer_rows_json(answers)})
        return
    # Elsewhere one Core executemany with identical keys per row: ORM objects (or ORM bulk mode, which
    # groups rows by which values are None) cost more CPU than the statement itself, and a multi-row
    # VALUES insert costs more to build.
    connection.execute(
        _INSERT_ANSWERS,
        [
            {
                "response_id": response_id,
                "question_id": question_id,
                "choice_keys": list(value.choice_keys),
                "text": value.text,
                "number": value.number,
                "date_value": value.date_value,
                "lat": value.lat,
                "lon": value.lon,
            }
            for question_id, value in answers.items()
        ],
    )


def merge_draft(saved: RawValues, survey: AnySurvey, section: AnySection, values: RawValues) -> dict[str, list[str]]:
    """Return the saved draft with this page's raw values replaced and values of now hidden questions dropped."""
    page_fields: set[str] = set()
    for question in page_questions(section):
        page_fields |= field_names(question)
    draft = {name: list(v) for name, v in saved.items() if name not in page_fields}
    draft.update({name: list(v) for name, v in values.items() if v})
    visible = visible_question_ids(survey.questions, draft)
    for question in survey.questions:
        if question.id not in visible:
            for name in field_names(question):
                draft.pop(name, None)
    return draft


def save_draft(session: Session, response: LockedResponse, draft: RawValues, *, locale: str) -> None:
    """Store the draft of a locked response (one UPDATE); the caller commits."""
    session.connection().execute(
        _UPDATE_RESPONSE,
        {"response_id": response.id, "draft_data": dict(draft), "locale": locale, "updated_at": now_utc()},
    )
    response.draft_data = dict(draft)


def submit_response(
    session: Session,
    response: LockedResponse,
    survey_version: int,
    answers: Mapping[int, AnswerValue],
    *,
    personal: PersonalLink | None,
    draft: RawValues,
    locale: str,
    now: datetime | None = None,
) -> LockedResponse:
    """Store the typed answers (replacing earlier ones), the draft, and mark the response submitted.

    One UPDATE writes the draft, the state and the segment copied from the personal link's invitation. The caller
    holds the row lock (personal_links.lock_personal_link or locking.lock_response), so ``response.state`` is
    current: a response never submitted has no answers to delete (answers are written only here). Public-link
    responses cannot be submitted twice. A personal link's first submit marks its invitation responded, and is
    refused (StateError, nothing written) if another link of the same invitation was answered first.
    """
    now = now or now_utc()
    was_submitted = response.state == ResponseState.SUBMITTED
    if was_submitted and personal is None:
        raise StateError(already_sent_message())
    connection = session.connection()
    values: dict[str, Any] = {
        "response_id": response.id,
        "draft_data": dict(draft),
        "locale": locale,
        "state": ResponseState.SUBMITTED.value,
        "submitted_at": now,
        "survey_version": survey_version,
        "updated_at": now,
    }
    if personal is not None:
        values.update(age_band=personal.age_band, district=personal.district, household_type=personal.household_type)
    if personal is not None and not was_submitted:
        _first_personal_submit(connection, values, personal.invitation_id, coarse_day(now), answers)
    else:
        if was_submitted:
            connection.execute(_DELETE_ANSWERS, {"response_id": response.id})
        connection.execute(_UPDATE_RESPONSE, values)
        _insert_answers(connection, response.id, answers)
    response.state = ResponseState.SUBMITTED.value
    response.draft_data = dict(draft)
    return response


def _first_personal_submit(
    connection: Any, values: dict[str, Any], invitation_id: int, day: datetime, answers: Mapping[int, AnswerValue]
) -> None:
    """Mark the invitation responded, the response submitted and store its answers, or refuse (nothing written)
    if another link of the invitation answered first."""
    if connection.dialect.name == "postgresql":
        parameters = {name: values[name] for name in _SUBMITTED_COLUMNS}
        parameters.update(
            response_id=values["response_id"],
            inv_id=invitation_id,
            inv_responded_at=day,
            rows=_answer_rows_json(answers),
        )
        row = _FIRST_SUBMIT_PERSONAL_PG.first(connection, parameters)
        if row is None or row[0] != 1:
            raise StateError(answered_through_other_link_message())
        return
    if connection.execute(_MARK_RESPONDED, {"invitation_id": invitation_id, "responded_at": day}).rowcount != 1:
        raise StateError(answered_through_other_link_message())
    connection.execute(_UPDATE_RESPONSE, values)
    _insert_answers(connection, values["response_id"], answers)


def mark_opened(session: Session, invitation: Invitation, *, now: datetime | None = None) -> None:
    """Record the day of the first visit of a personal link (the day only: see Invitation.opened_at)."""
    if invitation.opened_at is None:
        invitation.opened_at = coarse_day(now or now_utc())
        session.flush()
