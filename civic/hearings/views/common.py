"""What every resident-facing hearing view shares: loading a hearing by its public id, the participant cookie."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, abort
from flask_babel import gettext as _
from itsdangerous import BadSignature
from sqlalchemy import select

from civic.consultations.models import Consultation, ConsultationKind, ConsultationState
from civic.core.errors import InvalidInputError
from civic.core.participant_cookie import ParticipantCookie
from civic.extensions import db
from civic.hearings.models import Hearing, Participant
from civic.hearings.participants import find_participant

COOKIE_SALT = "civic-hearing-participant"
COOKIE = ParticipantCookie(prefix="civic_hearing_", salt=COOKIE_SALT)


class ForgedCookieError(InvalidInputError):
    status_code = 400


@dataclass
class PublicHearing:
    hearing: Hearing
    consultation: Consultation


def load_public_hearing(public_id: str) -> PublicHearing:
    """Return the hearing of a public id; 404 while it is a draft or scheduled (it does not exist yet)."""
    row = db.session.execute(
        select(Hearing, Consultation)
        .join(Consultation, Consultation.id == Hearing.consultation_id)
        .where(Consultation.public_id == public_id, Consultation.kind == ConsultationKind.HEARING)
    ).first()
    if row is None or row[1].state in (ConsultationState.DRAFT, ConsultationState.SCHEDULED):
        abort(404, description=_("We could not find this hearing. Check that the address is complete."))
    return PublicHearing(*row)


def cookie_name(hearing: Hearing) -> str:
    return cookie_name_for(hearing.consultation.public_id)


def cookie_name_for(public_id: str) -> str:
    return COOKIE.name(public_id)


def participant_key(hearing: Hearing) -> str | None:
    """Return the participant key in this hearing's signed cookie, None if there is none.

    A cookie whose signature does not verify was forged or made with another key: ForgedCookieError (400).
    Views catch it on posts, show the typed text again with the message and forget the cookie, so the
    next post starts a new participant; on pages that only read, they treat it as no participant.
    """
    return participant_key_for(hearing.consultation.public_id)


def participant_key_for(public_id: str) -> str | None:
    """participant_key for the hearing of a public id."""
    try:
        return COOKIE.read(public_id)
    except BadSignature:
        raise ForgedCookieError(
            _("Your participant cookie for this hearing was not valid, so we have reset it. Send your text again.")
        ) from None


def current_participant(hearing: Hearing) -> Participant | None:
    return find_participant(db.session, hearing.id, participant_key(hearing))


def set_participant_cookie(response: Response, hearing: Hearing, key: str) -> Response:
    """Keep the key in a signed, HttpOnly cookie for this hearing's pages."""
    return set_participant_cookie_for(response, hearing.consultation.public_id, key)


def set_participant_cookie_for(response: Response, public_id: str, key: str) -> Response:
    """set_participant_cookie for the hearing of a public id."""
    return COOKIE.set(response, public_id, key)


def forget_participant_cookie(response: Response, hearing: Hearing) -> Response:
    return COOKIE.forget(response, hearing.consultation.public_id)
