"""Hearing use cases for planners: create a hearing, set its proposal (split into sections), its settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, StaffUser
from civic.consultations.models import Access, Consultation, ConsultationKind
from civic.consultations.services import create_consultation
from civic.core.errors import InvalidInputError
from civic.hearings.document import Document, DocumentError, parse_document, section_text
from civic.hearings.models import Comment, CommentState, Hearing, HearingSection, ModerationMode


def document_error_message(error: DocumentError) -> str:
    """The planner's message for a document that cannot be split into sections, in their language."""
    messages = {
        "empty": _("Write or paste the proposal."),
        "too_long": _("The proposal is too long: at most 200,000 characters. Attach long documents as PDF."),
        "no_sections": _(
            "The proposal needs headings (lines starting with # or ##) so residents can comment section by section."
        ),
        "too_many_sections": _("The proposal has more than 200 sections. Use fewer headings."),
        "empty_heading": _("A heading has no text. Write a heading or remove the # signs."),
    }
    return messages.get(error.code, error.message)


def parse_or_explain(markdown: str) -> Document:
    """Parse a proposal, or raise InvalidInputError with a message for the planner."""
    try:
        return parse_document(markdown)
    except DocumentError as exc:
        raise InvalidInputError(document_error_message(exc)) from None


def create_hearing(
    session: Session,
    organisation: Organisation,
    *,
    actor: StaffUser | None,
    title: dict[str, str],
    document: str,
    summary: dict[str, str] | None = None,
    languages: list[str] | None = None,
    access: Access = Access.PUBLIC,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    moderation_mode: ModerationMode = ModerationMode.POST,
    verification_offered: bool = True,
) -> Hearing:
    """Create a draft hearing consultation with its proposal split into sections; flushes, never commits."""
    parsed = parse_or_explain(document)
    consultation = create_consultation(
        session,
        organisation,
        actor=actor,
        kind=ConsultationKind.HEARING,
        title=title,
        summary=summary,
        languages=languages,
        access=access,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    hearing = Hearing(
        consultation=consultation,
        document=document,
        moderation_mode=moderation_mode,
        verification_offered=verification_offered,
    )
    session.add(hearing)
    session.flush()
    _replace_sections(session, hearing, parsed)
    return hearing


def set_document(session: Session, hearing: Hearing, document: str) -> Hearing:
    """Replace the proposal and its sections; flushes.

    Sections keep their ids where their number stays the same, so comments stay on "their" section.
    Comments on a section that no longer exists move to the whole document, and the planner is told so
    by the returned count (see sections_losing_comments for the warning before saving).
    """
    parsed = parse_or_explain(document)
    hearing.document = document
    _replace_sections(session, hearing, parsed)
    return hearing


def sections_losing_comments(session: Session, hearing: Hearing, document: str) -> list[HearingSection]:
    """Sections with comments that the new document would remove (to warn the planner before saving)."""
    parsed = parse_or_explain(document)
    kept = {section.number for section in parsed.sections}
    with_comments = set(session.scalars(select(Comment.section_id).where(Comment.hearing_id == hearing.id).distinct()))
    return [s for s in hearing.sections if s.number not in kept and s.id in with_comments]


def _replace_sections(session: Session, hearing: Hearing, parsed: Document) -> None:
    existing = {section.number: section for section in hearing.sections}
    wanted = {section.number for section in parsed.sections}
    removed = [section for number, section in existing.items() if number not in wanted]
    if removed:
        session.execute(
            update(Comment)
            .where(Comment.section_id.in_([s.id for s in removed]))
            .values(section_id=None)
            .execution_options(synchronize_session=False)
        )
        for section in removed:
            hearing.sections.remove(section)
        session.flush()
    # Park positions out of the way first: (hearing_id, position) is unique and sections may move.
    for offset, section in enumerate(hearing.sections):
        section.position = 100_000 + offset
    session.flush()
    for position, parsed_section in enumerate(parsed.sections):
        values: dict[str, Any] = {
            "position": position,
            "number": parsed_section.number,
            "anchor": parsed_section.anchor,
            "heading": parsed_section.heading,
            "level": parsed_section.level,
            "html": parsed_section.html,
            "text": section_text(parsed_section),
        }
        section = existing.get(parsed_section.number)
        if section is None or section in removed:
            hearing.sections.append(HearingSection(**values))
        else:
            for name, value in values.items():
                setattr(section, name, value)
    session.flush()
    hearing.sections.sort(key=lambda s: s.position)


def find_hearing(session: Session, consultation: Consultation) -> Hearing | None:
    return session.scalar(select(Hearing).where(Hearing.consultation_id == consultation.id))


def comment_counts_by_section(session: Session, hearing_id: int) -> dict[int | None, int]:
    """Published comments and replies per section id (None: on the whole document)."""
    rows = session.execute(
        select(Comment.section_id, func.count())
        .where(Comment.hearing_id == hearing_id, Comment.state == CommentState.PUBLISHED)
        .group_by(Comment.section_id)
    ).all()
    return dict(rows)
