"""Resident responses: find or create the draft, save raw values, validate the whole survey, submit."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from civic.consultations.models import Consultation
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc
from civic.core.tokens import hash_token, new_token
from civic.outreach.models import Invitation
from civic.surveys.answering import AnswerValue, Parsed, RawValues, field_names, parse_question
from civic.surveys.conditions import visible_question_ids
from civic.surveys.models import Answer, Question, ResponseState, Survey, SurveyResponse, SurveySection
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


def already_sent_message() -> str:
    """Return the message for a public-link response that was already sent."""
    return _("These answers have already been sent. Answers given through a public link cannot be changed.")


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


def check_page(
    section: AnySection, survey: AnySurvey, raw: RawValues, *, preview: bool = False
) -> dict[int, str]:
    """Validate the visible questions of one page; return {question id: message}."""
    visible = _visible(survey, raw, preview=preview, page=section)
    errors: dict[int, str] = {}
    for question in page_questions(section):
        if question.id in visible:
            parsed = parse_question(question, raw)
            if parsed.error:
                errors[question.id] = parsed.error
    return errors


def check_survey(survey: AnySurvey, raw: RawValues) -> SurveyCheck:
    """Validate every visible question on every page."""
    visible = visible_question_ids(survey.questions, raw)
    result = SurveyCheck()
    for number, section in enumerate(survey.sections, start=1):
        for question in page_questions(section):
            if question.id not in visible:
                continue
            parsed: Parsed = parse_question(question, raw)
            if parsed.error:
                result.errors.setdefault(number, {})[question.id] = parsed.error
            elif parsed.value is not None:
                result.answers[question.id] = parsed.value
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


def visible_on_page(
    survey: AnySurvey, section: AnySection, raw: RawValues, *, preview: bool = False
) -> set[int]:
    """Return the ids of the questions of ``section`` to show, given the answers so far."""
    return _visible(survey, raw, preview=preview, page=section) & {q.id for q in page_questions(section)}


def find_personal_link(
    session: Session, token: str
) -> tuple[Invitation, Consultation, Survey | None, SurveyResponse | None] | None:
    """Return the invitation of a personal link with its consultation, survey and response, in one query."""
    row = session.execute(
        select(Invitation, Consultation, Survey, SurveyResponse)
        .join(Consultation, Consultation.id == Invitation.consultation_id)
        .outerjoin(Survey, Survey.consultation_id == Consultation.id)
        .outerjoin(SurveyResponse, SurveyResponse.invitation_id == Invitation.id)
        .where(Invitation.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    invitation, consultation, survey, response = row
    if survey is not None:
        set_committed_value(survey, "consultation", consultation)  # the identity map holds it only weakly
    return invitation, consultation, survey, response


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


def lock_personal_response(
    session: Session, survey: Survey, invitation: Invitation, *, locale: str
) -> SurveyResponse:
    """Create or lock the one response of a personal link in one statement, and return it freshly loaded.

    INSERT … ON CONFLICT (invitation_id) DO UPDATE … RETURNING: the unique invitation_id means a
    concurrent request never makes a second row, and the update takes the row lock (PostgreSQL) or the
    write lock (SQLite) until the transaction ends, as lock_response does for public-link responses.
    """
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = now_utc()
    statement = (
        upsert(SurveyResponse)
        .values(
            survey_id=survey.id,
            invitation_id=invitation.id,
            state=ResponseState.DRAFT.value,
            survey_version=survey.version,
            locale=locale,
            draft_data={},
            age_band="",
            district="",
            household_type="",
            started_at=now,
            updated_at=now,
        )
        .on_conflict_do_update(index_elements=["invitation_id"], set_={"updated_at": now, "locale": locale})
        .returning(SurveyResponse)
    )
    return session.scalars(statement, execution_options={"populate_existing": True}).one()


def find_public_response(session: Session, survey: Survey, draft_key: str | None) -> SurveyResponse | None:
    """Return the public-link response whose draft key the resident's cookie holds."""
    if not draft_key:
        return None
    return session.scalars(
        select(SurveyResponse).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.draft_key_hash == hash_token(draft_key)
        )
    ).first()


def create_public_response(session: Session, survey: Survey, *, locale: str) -> tuple[SurveyResponse, str]:
    """Start a public-link response; return it and the draft key for the cookie (only its hash is stored)."""
    key = new_token()
    response = SurveyResponse(
        survey_id=survey.id, draft_key_hash=hash_token(key), survey_version=survey.version, locale=locale
    )
    session.add(response)
    session.flush()
    return response, key


def lock_response(session: Session, response_id: int) -> SurveyResponse:
    """Lock the response row until the transaction ends and return it freshly loaded.

    PostgreSQL honours FOR UPDATE. SQLite ignores it, so the row is first touched with an UPDATE, which
    takes SQLite's write lock (and on PostgreSQL the same row lock): concurrent submits run one at a time.
    """
    session.execute(
        update(SurveyResponse).where(SurveyResponse.id == response_id).values(updated_at=now_utc()),
        execution_options={"synchronize_session": False},
    )
    return session.scalars(
        select(SurveyResponse)
        .where(SurveyResponse.id == response_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def save_draft(
    session: Session, response: SurveyResponse, survey: AnySurvey, section: AnySection, values: RawValues
) -> dict[str, list[str]]:
    """Replace this page's raw values in the draft, drop values of questions now hidden; return the draft."""
    page_fields: set[str] = set()
    for question in page_questions(section):
        page_fields |= field_names(question)
    draft = {name: list(v) for name, v in (response.draft_data or {}).items() if name not in page_fields}
    draft.update({name: list(v) for name, v in values.items() if v})
    visible = visible_question_ids(survey.questions, draft)
    for question in survey.questions:
        if question.id not in visible:
            for name in field_names(question):
                draft.pop(name, None)
    response.draft_data = draft  # a new dict, so the JSON column is seen as changed
    session.flush()
    return draft


def submit_response(
    session: Session,
    response: SurveyResponse,
    survey: Survey,
    answers: Mapping[int, AnswerValue],
    *,
    invitation: Invitation | None,
    now: datetime | None = None,
) -> SurveyResponse:
    """Store the typed answers (replacing earlier ones), mark the response submitted and copy the segment.

    The caller holds the row lock (lock_response). Public-link responses cannot be submitted twice.
    """
    now = now or now_utc()
    if response.state == ResponseState.SUBMITTED and invitation is None:
        raise StateError(already_sent_message())
    # A bulk DELETE sees rows a concurrent submit committed; the ORM collection might not.
    session.execute(
        delete(Answer).where(Answer.response_id == response.id),
        execution_options={"synchronize_session": False},
    )
    if answers:
        # One Core executemany with identical keys per row: ORM objects (or ORM bulk mode, which groups
        # rows by which values are None) cost more CPU than the statement itself.
        session.execute(
            insert(Answer.__table__),
            [
                {
                    "response_id": response.id,
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
    session.expire(response, ["answers"])
    response.state = ResponseState.SUBMITTED
    response.submitted_at = now
    response.survey_version = survey.version
    if invitation is not None:
        response.age_band = invitation.age_band
        response.district = invitation.district
        response.household_type = invitation.household_type
        invitation.responded_at = now
    session.flush()
    return response


def mark_opened(session: Session, invitation: Invitation, *, now: datetime | None = None) -> None:
    """Record the first visit of a personal link."""
    if invitation.opened_at is None:
        invitation.opened_at = now or now_utc()
        session.flush()
