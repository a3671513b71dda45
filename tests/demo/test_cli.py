"""The `flask seed-demo` and `flask demo-info` commands that `./run demo` uses."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from civic.demo import seed
from civic.outreach.links import find_invitation
from civic.outreach.models import Invitation, InvitationLink

LINK = re.compile(r"http://demo\.test(/p/[A-Za-z0-9_-]+)")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _personal_paths(output: str) -> list[str]:
    return LINK.findall(output)


def _invitation_for(db, path: str) -> Invitation | None:
    token = path.removeprefix("/p/")
    return find_invitation(db.session, token)


def test_seed_demo_prints_personal_links_once(db, runner):
    result = runner.invoke(args=["seed-demo", "--base-url", "http://demo.test/"])
    assert result.exit_code == 0, result.output
    assert "1100 submitted responses" in result.output
    paths = _personal_paths(result.output)
    assert len(paths) == 3
    _org, consultation = seed.find_demo(db.session)
    for path in paths:
        invitation = _invitation_for(db, path)
        assert invitation is not None
        assert invitation.consultation_id == consultation.id
        assert all((invitation.district, invitation.age_band, invitation.household_type))
        # Only the hash is stored: the token itself appears nowhere in the table.
        assert db.session.scalar(select(func.count()).where(InvitationLink.token_hash == path[3:])) == 0
    assert f"http://demo.test/s/{consultation.public_id}" in result.output

    again = runner.invoke(args=["seed-demo", "--base-url", "http://demo.test"])
    assert again.exit_code == 0
    assert "already seeded" in again.output
    assert _personal_paths(again.output) == []


def test_demo_info_prints_logins_and_fresh_links_that_resolve(db, runner, client):
    runner.invoke(args=["seed-demo"])
    _org, consultation = seed.find_demo(db.session)
    survey_invitations = (
        select(func.count()).select_from(Invitation).where(Invitation.consultation_id == consultation.id)
    )
    before = db.session.scalar(survey_invitations)

    first = runner.invoke(args=["demo-info", "--base-url", "http://demo.test"])
    second = runner.invoke(args=["demo-info", "--base-url", "http://demo.test"])

    assert first.exit_code == 0, first.output
    for email in ("admin@bjerke.demo", "planner@bjerke.demo", "moderator@bjerke.demo", "viewer@bjerke.demo"):
        assert email in first.output
    assert seed.DEMO_PASSWORD in first.output
    assert "http://demo.test/manage/login" in first.output
    assert f"http://demo.test/s/{consultation.public_id}" in first.output
    paths = _personal_paths(first.output) + _personal_paths(second.output)
    assert len(paths) == len(set(paths)) == 6
    assert db.session.scalar(survey_invitations) == before + 6  # and three each to the live focus group
    for path in paths:
        invitation = _invitation_for(db, path)
        assert invitation is not None
        assert invitation.consultation_id == consultation.id
        assert invitation.responded_at is None


def test_printed_links_open_the_survey(db, runner, client):
    runner.invoke(args=["seed-demo"])
    result = runner.invoke(args=["demo-info", "--base-url", "http://demo.test"])
    _org, consultation = seed.find_demo(db.session)
    public = client.get(f"/s/{consultation.public_id}")
    assert public.status_code == 200
    assert "Parkering og trafikk i Bydel Bjerke" in public.text
    personal = client.get(_personal_paths(result.output)[0])
    assert personal.status_code == 200


def test_demo_info_before_seeding_explains_what_to_do(runner):
    result = runner.invoke(args=["demo-info"])
    assert result.exit_code == 1
    assert "flask seed-demo" in result.output


def test_seed_demo_reset_starts_over(db, runner):
    runner.invoke(args=["seed-demo"])
    _org, first = seed.find_demo(db.session)
    first_public_id = first.public_id

    result = runner.invoke(args=["seed-demo", "--reset"])

    assert result.exit_code == 0, result.output
    _org, consultation = seed.find_demo(db.session)
    assert consultation.public_id != first_public_id
    assert len(_personal_paths(result.output.replace("http://127.0.0.1:5000", "http://demo.test"))) == 3
