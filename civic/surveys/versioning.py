"""The structural lock: once a version has submitted answers its structure is frozen until a new version."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from civic.accounts.models import StaffUser
from civic.core.errors import InvalidInputError, StateError
from civic.core.timeutils import now_utc
from civic.surveys.models import Answer, Question, ResponseState, Survey, SurveyResponse, SurveyVersion

MAX_REASON_LENGTH = 2000


class StructureLockedError(StateError):
    """The current version has submitted answers, so only texts may change (the view offers a new version)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "People have already answered this version of the survey, so its structure can no longer "
                "change. You can still fix typos in texts. To change the structure, create a new version."
            )
        )


def is_structure_locked(session: Session, survey: Survey) -> bool:
    """Return True if someone submitted a response to the survey's current version."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    SurveyResponse.survey_id == survey.id,
                    SurveyResponse.state == ResponseState.SUBMITTED,
                    SurveyResponse.survey_version == survey.version,
                )
            )
        )
    )


def require_unlocked(session: Session, survey: Survey) -> None:
    """Raise StructureLockedError if the structure of the current version is frozen."""
    if is_structure_locked(session, survey):
        raise StructureLockedError()


def has_answers(session: Session, question: Question) -> bool:
    """Return True if any response (of any version) answered this question."""
    return bool(session.scalar(select(exists().where(Answer.question_id == question.id))))


def create_version(
    session: Session, survey: Survey, *, actor: StaffUser | None, reason: str, now: datetime | None = None
) -> SurveyVersion:
    """Start a new structural version (logged with reason, actor, time) so the structure can change again."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInputError(_("Say why a new version is needed."))
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInputError(_("The reason can be at most %(n)d characters.", n=MAX_REASON_LENGTH))
    if not is_structure_locked(session, survey):
        raise StateError(
            _("No one has answered this version yet, so you can change it without a new version.")
        )
    survey.version += 1
    version = SurveyVersion(
        survey=survey,
        number=survey.version,
        reason=reason,
        created_by_id=actor.id if actor else None,
        created_at=now or now_utc(),
    )
    session.add(version)
    session.flush()
    return version
