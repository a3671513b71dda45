"""Formal statements (høringsuttalelser): residents and organisations submit a signed statement, optionally with
a PDF; a moderator publishes it (views/moderate.py), and only then is it listed on the hearing's statements page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from civic.core.errors import InvalidInputError
from civic.core.timeutils import now_utc
from civic.hearings.attachments import check_pdf
from civic.hearings.models import FormalStatement, Hearing, Participant, StatementState
from civic.hearings.participants import check_can_contribute

MIN_BODY_LENGTH = 20
MAX_BODY_LENGTH = 20_000
MAX_NAME_LENGTH = 200


class StatementInputError(InvalidInputError):
    """Bad input in one field of the statement form; ``field`` names it so the form can show the message there."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class UploadedPdf:
    filename: str
    data: bytes


def submit_statement(
    session: Session,
    hearing: Hearing,
    participant: Participant | None,
    *,
    signer_name: str,
    organisation_name: str = "",
    body: str,
    confirmed: bool,
    pdf: UploadedPdf | None = None,
    now: datetime | None = None,
) -> FormalStatement:
    """Store a statement as PENDING (a moderator publishes it); flushes, never commits.

    Raises StateError (closed hearing), NotAllowedError (invited-only hearing without a personal link) or
    StatementInputError naming the field that needs another look. Nothing is stored when it raises.
    """
    check_can_contribute(hearing.consultation, participant, now=now)
    signer_name = (signer_name or "").strip()
    organisation_name = (organisation_name or "").strip()
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()  # browsers send CRLF
    if not signer_name:
        raise StatementInputError("signer_name", _("Write your name. Formal statements are signed."))
    if len(signer_name) > MAX_NAME_LENGTH:
        raise StatementInputError("signer_name", _("The name is too long: at most 200 characters."))
    if len(organisation_name) > MAX_NAME_LENGTH:
        raise StatementInputError(
            "organisation_name", _("The organisation's name is too long: at most 200 characters.")
        )
    if len(body) < MIN_BODY_LENGTH:
        raise StatementInputError(
            "body", _("Write your statement: at least %(count)d characters.", count=MIN_BODY_LENGTH)
        )
    if len(body) > MAX_BODY_LENGTH:
        raise StatementInputError(
            "body",
            _(
                "The statement is too long: at most %(count)s characters. Attach a longer text as PDF.",
                count=f"{MAX_BODY_LENGTH:,}".replace(",", "\u00a0"),
            ),
        )
    checked = None
    if pdf is not None and pdf.filename:
        try:
            checked = check_pdf(pdf.filename, pdf.data)
        except InvalidInputError as exc:
            raise StatementInputError("pdf", exc.message) from None
    if not confirmed:
        raise StatementInputError(
            "confirm", _("Confirm that the statement is yours, or that you may submit it for the organisation.")
        )
    statement = FormalStatement(
        hearing_id=hearing.id,
        participant_id=participant.id if participant is not None else None,
        signer_name=signer_name,
        organisation_name=organisation_name,
        body=body,
        state=StatementState.PENDING,
        submitted_at=now or now_utc(),
    )
    if checked is not None:
        statement.attachment_filename = checked.filename
        statement.attachment_size = checked.size
        statement.attachment_sha256 = checked.sha256
        statement.attachment_data = checked.data
    session.add(statement)
    session.flush()
    return statement


def list_published(session: Session, hearing: Hearing) -> list[FormalStatement]:
    """Published statements, oldest first (the order they were submitted in); without the PDF bytes."""
    return list(
        session.scalars(
            select(FormalStatement)
            .options(defer(FormalStatement.attachment_data))
            .where(FormalStatement.hearing_id == hearing.id, FormalStatement.state == StatementState.PUBLISHED)
            .order_by(FormalStatement.submitted_at, FormalStatement.id)
        )
    )


def find_published(session: Session, hearing: Hearing, statement_id: int) -> FormalStatement | None:
    return session.scalar(
        select(FormalStatement).where(
            FormalStatement.id == statement_id,
            FormalStatement.hearing_id == hearing.id,
            FormalStatement.state == StatementState.PUBLISHED,
        )
    )
