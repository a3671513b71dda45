"""A resident's own contributions, found through their personal link: see them, delete them.

Nothing stored joins a resident to what they contributed; only the link's token does, and only the resident holds
it. From the token the platform derives, as the answering flows do, the survey response's key
(core.tokens.response_key_hash) or the hearing or focus-group participant's key (their link_participant_key), so
this page finds exactly what that link contributed, and nothing else.

Deleting keeps every count consistent: a deleted vote leaves the counters of the comment or answer it was cast on,
a deleted survey response leaves the invitation "not answered". Figures frozen in a published report are not
touched (they are aggregates, already suppressed, and the report is a public record).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from civic.consultations.models import Consultation, ConsultationKind
from civic.core.i18n import localized
from civic.core.timeutils import now_utc
from civic.core.tokens import response_key_hash
from civic.focus_groups import participation as focus_group_participation
from civic.focus_groups.models import (
    Contribution,
    ContributionVote,
    FocusGroup,
    FocusGroupParticipant,
    ModeratorAction,
    Prompt,
    PromptKind,
)
from civic.hearings import participants as hearing_participants
from civic.hearings.models import (
    Comment,
    CommentState,
    Flag,
    FormalStatement,
    Hearing,
    Participant,
    VerificationCode,
    Vote,
    VoteEvent,
)
from civic.insight.models import TextEmbedding, TextSource
from civic.outreach.links import find_invitation
from civic.outreach.models import Invitation
from civic.surveys.models import Answer, Question, ResponseState, SurveyResponse

#: How a vote reads on the page; the view translates these keys.
VOTE_KEYS = {1: "agree", 0: "pass", -1: "disagree"}
_COUNTERS = {1: "agree_count", 0: "pass_count", -1: "disagree_count"}


@dataclass
class Entry:
    """One thing the resident contributed: what it answered or concerned, and what they said."""

    about: str
    value: str
    vote: str = ""  # a VOTE_KEYS value for votes


@dataclass
class MyData:
    """What one personal link contributed to its consultation."""

    consultation: Consultation
    answers: list[Entry] = field(default_factory=list)  # survey answers, comments, focus-group answers
    votes: list[Entry] = field(default_factory=list)
    #: Survey only: a draft was saved but not sent.
    has_draft: bool = False
    #: Hearing only: formal statements, which are signed public records and are not deleted here.
    statements: list[Entry] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.answers or self.votes or self.has_draft)


def find_link(session: Session, token: str) -> tuple[Invitation, Consultation] | None:
    """Return the invitation and consultation of a personal link, or None when the token is unknown."""
    invitation = find_invitation(session, token)
    if invitation is None:
        return None
    return invitation, session.get_one(Consultation, invitation.consultation_id)


# --- surveys -----------------------------------------------------------------------------------------------


def _survey_response(session: Session, token: str) -> SurveyResponse | None:
    return session.scalar(select(SurveyResponse).where(SurveyResponse.draft_key_hash == response_key_hash(token)))


def _describe_answer(question: Question, answer: Answer, locale: str) -> str:
    labels = {c.key: localized(c.label, locale) for c in question.choices}
    parts = [labels.get(key, str(key)) for key in answer.choice_keys]
    if answer.text:
        parts.append(answer.text)
    if answer.number is not None:
        parts.append(f"{answer.number:g}")
    if answer.date_value is not None:
        parts.append(answer.date_value.strftime("%d.%m.%Y"))
    if answer.lat is not None and answer.lon is not None:
        parts.append(f"{answer.lat:.5f}, {answer.lon:.5f}")
    return ", ".join(parts)


def _survey_data(session: Session, data: MyData, token: str, locale: str) -> None:
    response = _survey_response(session, token)
    if response is None:
        return
    data.has_draft = response.state == ResponseState.DRAFT and bool(response.draft_data)
    rows = session.execute(
        select(Answer, Question)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == response.id)
        .order_by(Question.position, Question.id)
    ).all()
    for answer, question in rows:
        value = _describe_answer(question, answer, locale)
        if value:
            data.answers.append(Entry(localized(question.text, locale), value))


def _delete_survey(session: Session, invitation: Invitation, token: str) -> None:
    response = _survey_response(session, token)
    if response is None:
        return
    answers = select(Answer.id).where(Answer.response_id == response.id)
    session.execute(
        delete(TextEmbedding).where(
            TextEmbedding.source == TextSource.SURVEY_ANSWER, TextEmbedding.source_id.in_(answers)
        )
    )
    session.execute(delete(Answer).where(Answer.response_id == response.id))
    if response.state == ResponseState.SUBMITTED:
        # No response exists any more: the invitation is not answered (response rates stay true), and the
        # resident may answer again. Only the holder of the token can make this join, and only now.
        invitation.responded_at = None
    session.delete(response)


# --- hearings ----------------------------------------------------------------------------------------------


def _hearing_participant(session: Session, consultation: Consultation, token: str) -> Participant | None:
    hearing_id = session.scalar(select(Hearing.id).where(Hearing.consultation_id == consultation.id))
    if hearing_id is None:
        return None
    return hearing_participants.find_participant(session, hearing_id, hearing_participants.link_participant_key(token))


def _excerpt(text: str, length: int = 120) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _hearing_data(session: Session, data: MyData, token: str) -> None:
    participant = _hearing_participant(session, data.consultation, token)
    if participant is None:
        return
    for comment in session.scalars(
        select(Comment).where(Comment.participant_id == participant.id, Comment.body != "").order_by(Comment.id)
    ):
        data.answers.append(Entry("", comment.body))
    for vote, body in session.execute(
        select(Vote, Comment.body)
        .join(Comment, Comment.id == Vote.comment_id)
        .where(Vote.participant_id == participant.id)
        .order_by(Vote.id)
    ):
        data.votes.append(Entry(_excerpt(body), "", VOTE_KEYS[vote.value]))
    for statement in session.scalars(select(FormalStatement).where(FormalStatement.participant_id == participant.id)):
        data.statements.append(Entry(statement.signer_name, _excerpt(statement.body)))


def _delete_hearing(session: Session, consultation: Consultation, token: str, now: datetime) -> None:
    participant = _hearing_participant(session, consultation, token)
    if participant is None:
        return
    pid = participant.id
    # Votes first: each leaves the counters of the comment it was cast on.
    for comment_id, value in session.execute(
        select(Vote.comment_id, Vote.value).where(Vote.participant_id == pid)
    ).all():
        counter = Comment.__table__.c[_COUNTERS[value]]
        session.execute(update(Comment).where(Comment.id == comment_id).values({counter: counter - 1}))
    session.execute(delete(Vote).where(Vote.participant_id == pid))
    session.execute(delete(VoteEvent).where(VoteEvent.participant_id == pid))
    session.execute(delete(Flag).where(Flag.participant_id == pid))
    session.execute(delete(VerificationCode).where(VerificationCode.participant_id == pid))
    # Comments keep their row (replies by others keep their place, as when an author deletes one) but lose
    # their text; "deleted" keeps them out of the page and the analysis.
    mine = select(Comment.id).where(Comment.participant_id == pid)
    session.execute(
        delete(TextEmbedding).where(
            TextEmbedding.source == TextSource.HEARING_COMMENT, TextEmbedding.source_id.in_(mine)
        )
    )
    session.execute(
        update(Comment)
        .where(Comment.participant_id == pid, Comment.state != CommentState.DELETED)
        .values(state=CommentState.DELETED, deleted_at=now)
    )
    session.execute(update(Comment).where(Comment.participant_id == pid).values(body="", hold_reasons=[]))


# --- focus groups ------------------------------------------------------------------------------------------


def _focus_group_participant(
    session: Session, consultation: Consultation, token: str
) -> tuple[FocusGroup, FocusGroupParticipant] | None:
    group = session.scalar(select(FocusGroup).where(FocusGroup.consultation_id == consultation.id))
    if group is None:
        return None
    key = focus_group_participation.link_participant_key(token)
    participant = focus_group_participation.find_participant(session, group.id, key)
    return None if participant is None else (group, participant)


def _describe_contribution(prompt: Prompt, contribution: Contribution, locale: str) -> str:
    kind = PromptKind(prompt.kind)
    if kind == PromptKind.OPEN:
        return contribution.text
    if kind == PromptKind.STATEMENTS:
        return "; ".join(
            f"{localized(statement, locale)}: {VOTE_KEYS.get(vote, '')}"
            for statement, vote in zip(prompt.statements, contribution.choices, strict=False)
        )
    labels = [localized(option, locale) for option in prompt.options]
    picked = [labels[i] for i in contribution.choices if isinstance(i, int) and 0 <= i < len(labels)]
    if kind == PromptKind.RANKING:
        return ", ".join(f"{n}. {label}" for n, label in enumerate(picked, start=1))
    return ", ".join(picked)


def _focus_group_data(session: Session, data: MyData, token: str, locale: str) -> None:
    found = _focus_group_participant(session, data.consultation, token)
    if found is None:
        return
    _group, participant = found
    for contribution, prompt in session.execute(
        select(Contribution, Prompt)
        .join(Prompt, Prompt.id == Contribution.prompt_id)
        .where(Contribution.participant_id == participant.id)
        .order_by(Prompt.position, Prompt.id)
    ):
        value = _describe_contribution(prompt, contribution, locale)
        if value:
            data.answers.append(Entry(localized(prompt.text, locale), value))
    for vote, text in session.execute(
        select(ContributionVote, Contribution.text)
        .join(Contribution, Contribution.id == ContributionVote.contribution_id)
        .where(ContributionVote.participant_id == participant.id)
        .order_by(ContributionVote.id)
    ):
        data.votes.append(Entry(_excerpt(text), "", VOTE_KEYS[vote.value]))


def _delete_focus_group(session: Session, consultation: Consultation, token: str) -> None:
    found = _focus_group_participant(session, consultation, token)
    if found is None:
        return
    group, participant = found
    pid = participant.id
    for contribution_id, value in session.execute(
        select(ContributionVote.contribution_id, ContributionVote.value).where(ContributionVote.participant_id == pid)
    ).all():
        counter = Contribution.__table__.c[_COUNTERS[value]]
        session.execute(update(Contribution).where(Contribution.id == contribution_id).values({counter: counter - 1}))
    session.execute(delete(ContributionVote).where(ContributionVote.participant_id == pid))
    mine = select(Contribution.id).where(Contribution.participant_id == pid)
    # Others' votes on these answers go with them; the moderator's log keeps its entry without the answer.
    session.execute(delete(ContributionVote).where(ContributionVote.contribution_id.in_(mine)))
    session.execute(
        update(ModeratorAction).where(ModeratorAction.contribution_id.in_(mine)).values(contribution_id=None)
    )
    session.execute(
        delete(TextEmbedding).where(
            TextEmbedding.source == TextSource.FOCUS_GROUP_ANSWER, TextEmbedding.source_id.in_(mine)
        )
    )
    session.execute(delete(Contribution).where(Contribution.participant_id == pid))
    group.version += 1  # live pages poll the version: they drop the deleted answers at once


# --- the two use cases -------------------------------------------------------------------------------------


def my_data(session: Session, token: str, *, locale: str) -> MyData | None:
    """Return what this personal link contributed, or None when the token is unknown."""
    found = find_link(session, token)
    if found is None:
        return None
    _invitation, consultation = found
    data = MyData(consultation)
    kind = ConsultationKind(consultation.kind)
    if kind == ConsultationKind.SURVEY:
        _survey_data(session, data, token, locale)
    elif kind == ConsultationKind.HEARING:
        _hearing_data(session, data, token)
    else:
        _focus_group_data(session, data, token, locale)
    return data


def delete_my_data(session: Session, token: str, *, now: datetime | None = None) -> bool:
    """Delete what this personal link contributed; return False when the token is unknown. Flushes, never commits.

    Safe to repeat: a second call finds nothing left to delete.
    """
    found = find_link(session, token)
    if found is None:
        return False
    invitation, consultation = found
    now = now or now_utc()
    kind = ConsultationKind(consultation.kind)
    if kind == ConsultationKind.SURVEY:
        _delete_survey(session, invitation, token)
    elif kind == ConsultationKind.HEARING:
        _delete_hearing(session, consultation, token, now)
    else:
        _delete_focus_group(session, consultation, token)
    session.flush()
    session.expire_all()
    return True
