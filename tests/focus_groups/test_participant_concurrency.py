"""Many phones at once: the last seats, votes on one answer, a first answer from two tabs (run on PostgreSQL too)."""

from __future__ import annotations

import threading

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from civic.focus_groups import live
from civic.focus_groups.models import Contribution, ContributionVote, FocusGroupParticipant
from civic.focus_groups.participation import COOKIE_SALT, cookie_name
from tests.fixtures.app import TEST_DATABASE_URI


@pytest.fixture
def app_config(app_config, tmp_path):
    if TEST_DATABASE_URI.startswith("sqlite"):  # threads need a shared database, not one in memory
        return {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fg.sqlite'}"}
    return app_config


def _together(app, jobs):
    """Each job (url, cookie value or None, list of form dicts) posts in order from its own thread."""
    barrier = threading.Barrier(len(jobs))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(url, cookie, forms):
        client = app.test_client()
        if cookie:
            client.set_cookie(*cookie)
        try:
            barrier.wait(timeout=20)
            for form in forms:
                statuses.append(client.post(url, data=form).status_code)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


def _cookie(app, group, key):
    return cookie_name(group.consultation.public_id), URLSafeSerializer(
        app.config["SECRET_KEY"], salt=COOKIE_SALT
    ).dumps(key)


def test_last_seats_go_to_exactly_capacity_newcomers(app, db, create_focus_group):
    group = create_focus_group(capacity=3)
    url = f"/f/{group.consultation.public_id}/join"
    db.session.commit()
    statuses = _together(app, [(url, None, [{}]) for _ in range(8)])
    assert sorted(statuses) == [303] * 3 + [409] * 5
    assert db.session.scalar(select(func.count()).select_from(FocusGroupParticipant)) == 3


def test_concurrent_votes_and_two_tabs_keep_counters_exact(app, db, create_focus_group, create_fg_participant):
    group = create_focus_group()
    live.start_session(db.session, group, actor=None)
    prompt = live.push_prompt(db.session, group, group.prompts[0], actor=None)
    author, _key = create_fg_participant(group)
    answer = Contribution(prompt_id=prompt.id, participant_id=author.id, text="Et svar")
    db.session.add(answer)
    db.session.commit()
    url = f"/f/{group.consultation.public_id}/contributions/{answer.id}/vote"
    plans = [["agree"], ["disagree"], ["pass"], ["agree", "disagree", "pass", "agree"]]
    jobs = []
    for number in range(8):
        _voter, key = create_fg_participant(group)
        jobs.append((url, _cookie(app, group, key), [{"value": v} for v in plans[number % len(plans)]]))
    _twice, key = create_fg_participant(group)
    jobs += [(url, _cookie(app, group, key), [{"value": "agree"}, {"value": "disagree"}])] * 2
    db.session.commit()

    statuses = _together(app, jobs)

    assert set(statuses) == {303}
    db.session.expire_all()
    latest = db.session.scalars(select(ContributionVote.value).where(ContributionVote.contribution_id == answer.id))
    latest = list(latest)
    assert len(latest) == 9  # one current vote per participant, the two tabs included
    row = db.session.get(Contribution, answer.id)
    assert (row.agree_count, row.disagree_count, row.pass_count) == (latest.count(1), latest.count(-1), latest.count(0))


def test_first_answer_from_two_tabs_at_once_is_one_row(app, db, create_focus_group, create_fg_participant):
    group = create_focus_group()
    live.start_session(db.session, group, actor=None)
    prompt = live.push_prompt(db.session, group, group.prompts[0], actor=None)
    _participant, key = create_fg_participant(group)
    db.session.commit()
    url = f"/f/{group.consultation.public_id}/prompts/{prompt.id}/answer"
    cookie = _cookie(app, group, key)
    statuses = _together(app, [(url, cookie, [{"text": f"Fra fane {n}"}]) for n in range(4)])
    assert statuses == [303] * 4
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 1
