"""Every staff route × method × role, read from the URL map, so new routes are checked without new tests.

A /manage route is either a public staff page (PUBLIC_STAFF_PAGES) or wrapped in ``staff_required``,
whose ``civic_roles`` says who may use it. Anonymous visitors must be sent to the login page, other
roles get 403, allowed roles must get neither 403 nor a crash, and staff of another organisation must
not see that objects exist (404).
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from werkzeug.routing import Rule

from analysis.opinion import compute_opinion_groups
from civic import create_app
from civic.accounts.models import Organisation, Role, StaffUser
from civic.accounts.passwords import hash_password
from civic.campaigns.models import Campaign, CampaignTemplate
from civic.campaigns.tokens import new_salt
from civic.core.timeutils import now_utc
from civic.focus_groups import groups as focus_groups
from civic.focus_groups.models import Contribution, FocusGroupParticipant, Prompt, PromptKind
from civic.hearings.models import Comment, CommentState, FormalStatement, HearingAttachment
from civic.insight.models import AnalysisRun, RunKind, RunStatus, TopicEdit
from civic.outreach.email import OutboxTransport, build_message
from civic.surveys.models import Answer, ResponseState, SurveyResponse, SurveyVersion

#: /manage endpoints that anyone may reach: logging in and out, password links, the public coat of arms.
PUBLIC_STAFF_PAGES = frozenset(
    {
        "accounts.login",
        "accounts.logout",
        "accounts.forgot_password",
        "accounts.reset_password",
        "accounts.coat_of_arms",
    }
)
#: URL parameters naming an object of one organisation (another organisation's staff must get 404).
OBJECT_PARAMETERS = frozenset(
    {
        "consultation_id",
        "campaign_id",
        "survey_id",
        "section_id",
        "question_id",
        "choice_id",
        "response_id",
        "user_id",
        "version_id",
        "token",
        "public_id",
        "attachment_id",
        "comment_id",
        "statement_id",
        "run_id",
        "edit_id",
        "prompt_id",
        "contribution_id",
    }
)
#: Parameters that are not objects: a page number in the survey preview, a campaign template's purpose and language.
PLAIN_PARAMETERS = {"n": 1, "purpose": "invitation", "language": "nb", "topic_key": "t0"}
ROLES = ("anonymous", *(role.value for role in Role))
METHODS = ("GET", "POST")
_HASH = hash_password("matrix password, never used to log in")


def _manage_rules() -> list[tuple[Rule, str]]:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "WTF_CSRF_ENABLED": False})
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/manage")]
    return [
        (rule, method)
        for rule in sorted(rules, key=lambda r: (r.rule, r.endpoint))
        if rule.endpoint not in PUBLIC_STAFF_PAGES
        for method in METHODS
        if method in (rule.methods or ())
    ]


RULES = _manage_rules()


def _rule_id(rule: Rule, method: str) -> str:
    return f"{method} {rule.rule}"


@dataclass
class World:
    organisation: Organisation
    users: dict[str, StaffUser]
    stranger: StaffUser  # an admin of another organisation
    values: dict[str, Any]
    #: Hearing routes name the hearing's consultation (not the survey's) and the hearing's objects.
    hearing_values: dict[str, Any]
    #: Focus-group routes name the focus group's consultation, a prompt of its guide and an answer to it.
    focus_group_values: dict[str, Any]

    def values_for(self, rule: Rule) -> dict[str, Any]:
        if rule.endpoint.startswith("focus_groups_"):
            return {**self.values, **self.focus_group_values}
        # Insight pages other than the survey segments work on the hearing (topics, runs, opinion groups).
        on_hearing = rule.endpoint.startswith(("hearings_", "insight_")) and not rule.endpoint.startswith(
            "insight_segments"
        )
        return {**self.values, **self.hearing_values} if on_hearing else self.values


def _staff(db, organisation: Organisation, role: Role, email: str) -> StaffUser:
    user = StaffUser(organisation=organisation, email=email, name=f"Matrix {role}", role=role, password_hash=_HASH)
    db.session.add(user)
    return user


def _hearing_values(db, create_hearing, create_participant, create_comment) -> dict[str, Any]:
    hearing = create_hearing()
    participant, _key = create_participant(hearing)
    comment = create_comment(hearing, participant, "Matrix comment", state=CommentState.PENDING)
    statement = FormalStatement(hearing_id=hearing.id, signer_name="Matrix", body="Matrix statement " * 3)
    pdf = b"%PDF-1.4 matrix"
    attachment = HearingAttachment(
        hearing_id=hearing.id, title="Kart", filename="kart.pdf", size=len(pdf), sha256="0" * 64, data=pdf
    )
    db.session.add_all([statement, attachment])
    db.session.commit()
    return {
        "consultation_id": hearing.consultation_id,
        "comment_id": comment.id,
        "statement_id": statement.id,
        "attachment_id": attachment.id,
        **_insight_runs(db, hearing, participant),
    }


def _focus_group_values(db, organisation: Organisation) -> dict[str, Any]:
    """A live focus group (consultation open, session scheduled) with a pending open prompt and one answer."""
    group = focus_groups.create_focus_group(
        db.session, organisation, actor=None, title={"nb": "Matrix-fokusgruppe"}, starts_at=now_utc()
    )
    group.consultation.state = "open"
    prompt = Prompt(focus_group_id=group.id, position=0, kind=PromptKind.OPEN, text={"nb": "Hva mener du?"})
    participant = FocusGroupParticipant(focus_group_id=group.id, key_hash="f" * 64, pseudonym="Deltaker 1")
    db.session.add_all([prompt, participant])
    db.session.flush()
    contribution = Contribution(prompt_id=prompt.id, participant_id=participant.id, text="Matrix answer")
    db.session.add(contribution)
    db.session.commit()
    return {"consultation_id": group.consultation_id, "prompt_id": prompt.id, "contribution_id": contribution.id}


#: Comments of the hearing's topic run: four in topic 0 (enough to split), one in topic 1.
INSIGHT_TEXTS = (
    "Parkering for beboere er viktig",
    "Beboerparkering koster for mye",
    "Sykkelveien er for smal",
    "Trygg sykkelvei til skolen",
    "Lekeplassen trenger nye husker",
)


def _insight_runs(db, hearing, participant) -> dict[str, Any]:
    """Finished topic and opinion-group runs of the hearing and one topic edit (insight endpoints need them)."""
    comments = [
        Comment(hearing_id=hearing.id, participant_id=participant.id, body=text, state=CommentState.PUBLISHED)
        for text in INSIGHT_TEXTS
    ]
    db.session.add_all(comments)
    db.session.flush()
    documents = [["hearing_comment", c.id] for c in comments]
    topics = [
        {"topic_id": 0, "size": 4, "label": "parkering, sykkel", "words": [["parkering", 0.5]], "representative": [0]},
        {"topic_id": 1, "size": 1, "label": "lekeplass", "words": [["lekeplass", 0.5]], "representative": [4]},
    ]
    done = {"status": RunStatus.DONE.value, "progress": 100, "stage": "done", "finished_at": now_utc()}
    topic_run = AnalysisRun(
        consultation_id=hearing.consultation_id,
        kind=RunKind.TOPICS.value,
        params={"n_topics": 2, "embedder": "none", "seed": 0},
        result={
            "status": "ok",
            "assignments": [0, 0, 0, 0, 1],
            "topics": topics,
            "documents": documents,
            "embedder": "none",
            "warnings": [],
            "settings": {},
        },
        **done,
    )
    groups_run = AnalysisRun(
        consultation_id=hearing.consultation_id,
        kind=RunKind.OPINION_GROUPS.value,
        params={"seed": 0},
        result=copy.deepcopy(_opinion_result(tuple(str(c.id) for c in comments))),
        **done,
    )
    edit = TopicEdit(consultation_id=hearing.consultation_id, action="hide", anchor=[documents[4]], payload={})
    db.session.add_all([topic_run, groups_run, edit])
    db.session.commit()
    return {"run_id": topic_run.id, "edit_id": edit.id}


@functools.cache
def _opinion_result(comment_ids: tuple[str, ...]) -> dict[str, Any]:
    """A real opinion-group result: twelve synthetic voters in two camps on the hearing's comments (computed once:
    every world has the same ids)."""
    votes = [
        (f"p{p}", cid, (1 if (p < 6) == (j % 2 == 0) else -1)) for p in range(12) for j, cid in enumerate(comment_ids)
    ]
    return compute_opinion_groups(votes, comment_ids=comment_ids).to_dict()


@pytest.fixture
def world(
    app, db, organisation, create_organisation, create_survey, create_hearing, create_participant, create_comment
) -> World:
    """One organisation with one staff member per role, a survey with a response, and an e-mail."""
    users = {role.value: _staff(db, organisation, role, f"matrix-{role}@bjerke.example") for role in Role}
    other = create_organisation(slug="alna", name="Bydel Alna")
    stranger = _staff(db, other, Role.ADMIN, "matrix-admin@alna.example")
    survey = create_survey()
    question = next(q for q in survey.questions if q.choices)
    response = SurveyResponse(
        survey_id=survey.id,
        state=ResponseState.SUBMITTED,
        submitted_at=now_utc(),
        survey_version=survey.version,
    )
    response.answers = [Answer(question_id=question.id, choice_keys=[question.choices[0].key])]
    version = SurveyVersion(survey=survey, number=survey.version + 1, reason="matrix")
    db.session.add_all([response, version])
    db.session.commit()
    campaign = Campaign(
        organisation_id=organisation.id,
        consultation_id=survey.consultation_id,
        name="Matrix campaign",
        token_salt=new_salt(),
        templates=[CampaignTemplate(purpose="invitation", language="nb", email_subject="Hei", email_body="{link}")],
    )
    db.session.add(campaign)
    db.session.commit()

    folder = Path(app.config["OUTBOX_FOLDER"])
    message = build_message(to=users["viewer"].email, subject="Matrix", text="Hei", mail_from="m@bjerke.example")
    OutboxTransport(folder).send(message, organisation_id=organisation.id)
    outbox_key = next(folder.glob("*.eml")).stem

    values = {
        "consultation_id": survey.consultation_id,
        "campaign_id": campaign.id,
        "survey_id": survey.id,
        "section_id": question.section_id,
        "question_id": question.id,
        "choice_id": question.choices[0].id,
        "response_id": response.id,
        "user_id": users["viewer"].id,  # not the admin: an admin may not demote or deactivate themself
        "version_id": version.id,
        "token": outbox_key,
        "public_id": survey.consultation.public_id,
        **PLAIN_PARAMETERS,
    }
    hearing_values = _hearing_values(db, create_hearing, create_participant, create_comment)
    values.update({name: value for name, value in hearing_values.items() if name != "consultation_id"})
    focus_group_values = _focus_group_values(db, organisation)
    return World(organisation, users, stranger, values, hearing_values, focus_group_values)


def _path(app, rule: Rule, method: str, values: dict[str, Any]) -> str:
    unknown = sorted(set(rule.arguments) - set(values))
    if unknown:
        pytest.fail(
            f"{rule.rule} ({rule.endpoint}) uses URL parameter(s) {unknown} that the permission matrix "
            "does not know: extend the world's values in tests/test_permission_matrix.py (and "
            "OBJECT_PARAMETERS if they name an object), or use one of the agreed names."
        )
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments}, method=method)


def _client_as(app, user: StaffUser | None):
    client = app.test_client()
    if user is not None:
        # Set the Flask-Login session directly: this test is about authorisation, not the login form.
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client


def _request(client, method: str, path: str, what: str):
    try:
        return client.open(path, method=method, data={})
    except Exception as exc:
        pytest.fail(f"{what} raised {type(exc).__name__}: {exc} (a 500 in production)")


def test_every_manage_route_is_public_or_staff_only(app):
    missing = [
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/manage")
        and rule.endpoint not in PUBLIC_STAFF_PAGES
        and not getattr(app.view_functions[rule.endpoint], "civic_roles", None)
    ]
    assert missing == [], "decorate with @staff_required(...) or add to PUBLIC_STAFF_PAGES"


def test_allowlist_has_no_stale_entries(app):
    assert set(app.view_functions) >= PUBLIC_STAFF_PAGES


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("rule", "method"), [pytest.param(r, m, id=_rule_id(r, m)) for r, m in RULES])
def test_role_matrix(app, world, rule, method, role):
    roles = getattr(app.view_functions[rule.endpoint], "civic_roles", None)
    assert roles, f"{rule.endpoint} is neither public nor @staff_required"
    path = _path(app, rule, method, world.values_for(rule))
    user = world.users.get(role)
    response = _request(_client_as(app, user), method, path, f"{method} {path} as {role}")
    status = response.status_code
    if user is None:
        assert status in (401, 403) or (status == 302 and response.headers["Location"].startswith("/manage/login")), (
            f"anonymous {method} {path} got {status}"
        )
    elif role not in roles:
        assert status == 403, f"{role} {method} {path} got {status}, expected 403"
    else:
        assert status not in (401, 403, 500), f"{role} {method} {path} got {status}"
        assert not (status == 302 and response.headers["Location"].startswith("/manage/login"))


OBJECT_RULES = [(r, m) for r, m in RULES if set(r.arguments) & OBJECT_PARAMETERS]


@pytest.mark.parametrize(("rule", "method"), [pytest.param(r, m, id=_rule_id(r, m)) for r, m in OBJECT_RULES])
def test_other_organisation_gets_404(app, world, rule, method):
    roles = app.view_functions[rule.endpoint].civic_roles
    path = _path(app, rule, method, world.values_for(rule))
    response = _request(_client_as(app, world.stranger), method, path, f"{method} {path} as another organisation")
    expected = 404 if Role.ADMIN in roles else 403
    assert response.status_code == expected, f"{method} {path} as another organisation's admin"
