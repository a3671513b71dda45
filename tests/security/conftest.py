"""A world in which every route of the app can be reached: the permission matrix's staff world plus the public
objects residents and readers reach (a survey, hearing and focus group with personal links, a published report).

``csrf_on`` and ``limits_on`` switch on, for one test, what the other tests switch off (as production has it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from civic.accounts import password_links
from civic.focus_groups.models import FocusGroup
from civic.focus_groups.observers import create_observer_link
from civic.hearings.models import FormalStatement, Hearing, HearingAttachment
from tests.reports.public.conftest import create_closed_survey, published  # noqa: F401 (fixtures)
from tests.security.routes import build_path
from tests.test_permission_matrix import World, world  # noqa: F401 (fixture)


@pytest.fixture
def app_config(app_config, request):
    """Per test: CSRF protection and rate limits on, as in production, when the test asks for them."""
    if "csrf_on" in request.fixturenames:
        app_config = {**app_config, "WTF_CSRF_ENABLED": True}
    if "limits_on" in request.fixturenames:
        app_config = {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    return app_config


@pytest.fixture
def csrf_on(app: Flask) -> None:
    assert app.config["WTF_CSRF_ENABLED"] is True


@pytest.fixture
def limits_on(app: Flask) -> None:
    from civic.extensions import limiter

    assert limiter.enabled
    limiter.reset()  # the memory storage outlives the app; start every test from zero


@dataclass
class PublicWorld:
    """Sample URL values per group of endpoints (each group names its own consultation's public id)."""

    staff: World
    survey: dict[str, Any]
    hearing: dict[str, Any]
    focus_group: dict[str, Any]
    report: dict[str, Any]
    other: dict[str, Any]

    def values_for(self, rule: Rule) -> dict[str, Any]:
        endpoint = rule.endpoint
        if rule.rule.startswith("/manage") and endpoint not in self.other["staff_sign_in"]:
            return self.staff.values_for(rule)
        for prefix, values in (
            ("surveys.", self.survey),
            ("campaign_public.", self.survey),
            ("privacy.", self.survey),
            ("hearings_", self.hearing),
            ("focus_groups_", self.focus_group),
            ("reports_", self.report),
        ):
            if endpoint.startswith(prefix):
                if endpoint.startswith("focus_groups_console.observe_public"):
                    return {**self.other, **values, "token": values["observer_token"]}
                return {**self.other, **values}
        return self.other

    def path(self, app: Flask, rule: Rule) -> str:
        return build_path(app, rule, self.values_for(rule))


def _hearing_values(db, hearing: Hearing, create_invitation, create_participant, create_comment) -> dict[str, Any]:
    participant, _key = create_participant(hearing)
    comment = create_comment(hearing, participant, "Et offentlig innspill")
    statement = FormalStatement(hearing_id=hearing.id, signer_name="Velforeningen", body="Vi støtter forslaget. " * 3)
    pdf = b"%PDF-1.4 security"
    attachment = HearingAttachment(
        hearing_id=hearing.id, title="Kart", filename="kart.pdf", size=len(pdf), sha256="0" * 64, data=pdf
    )
    db.session.add_all([statement, attachment])
    db.session.commit()
    _invitation, token = create_invitation(hearing.consultation)
    return {
        "public_id": hearing.consultation.public_id,
        "section_id": hearing.sections[1].id,
        "comment_id": comment.id,
        "statement_id": statement.id,
        "attachment_id": attachment.id,
        "token": token,
    }


def _focus_group_values(db, staff: World, create_invitation) -> dict[str, Any]:
    consultation_id = staff.focus_group_values["consultation_id"]
    group = db.session.query(FocusGroup).filter_by(consultation_id=consultation_id).one()
    _invitation, token = create_invitation(group.consultation)
    observer_token = create_observer_link(db.session, group)
    db.session.commit()
    return {
        "public_id": group.consultation.public_id,
        "prompt_id": staff.focus_group_values["prompt_id"],
        "contribution_id": staff.focus_group_values["contribution_id"],
        "token": token,
        "observer_token": observer_token,
    }


@pytest.fixture
def public_world(
    app, db, world, published, create_survey, create_invitation, create_hearing, create_participant, create_comment  # noqa: F811
) -> PublicWorld:
    survey = create_survey()
    _invitation, survey_token = create_invitation(survey.consultation, age_band="30-44", district="Årvoll")
    hearing = create_hearing()
    planner = world.users["planner"]
    return PublicWorld(
        staff=world,
        survey={"public_id": survey.consultation.public_id, "token": survey_token, "n": 1},
        hearing=_hearing_values(db, hearing, create_invitation, create_participant, create_comment),
        focus_group=_focus_group_values(db, world, create_invitation),
        report={"public_id": published.consultation.public_id, "fmt": "csv"},
        other={
            "slug": world.organisation.slug,
            "filename": "css/civic.css",
            "name": "htmx.min.js",
            "token": password_links.make_token(app.config["SECRET_KEY"], planner),
            "staff_sign_in": frozenset({"accounts.reset_password", "accounts.login", "accounts.coat_of_arms"}),
        },
    )
