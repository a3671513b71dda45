"""Every resident form fuzzed with hypothesis: survey pages (public and personal link), hearing comments, votes and
formal statements, focus-group answers and votes. Never a 500, and what residents typed is escaped wherever it is
shown again: on their own page, to other residents, and on the staff pages (moderation, transcript, results)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer

from civic.accounts.models import Role
from civic.focus_groups import live
from civic.focus_groups.models import Contribution, PromptKind
from civic.focus_groups.participation import COOKIE_SALT, cookie_name
from tests.focus_groups.conftest import create_fg_participant, create_focus_group  # noqa: F401 (fixtures)
from tests.security.fuzzing import (
    FUZZ_SETTINGS,
    SCRIPT,
    assert_escaped,
    assert_no_server_error,
    field_names,
    form_data,
)
from tests.test_permission_matrix import _client_as

FG_GUIDE = [(PromptKind.OPEN, "Hva synes du om bilfrie gater?")]


@dataclass
class Form:
    page: str  # where the form is shown (its field names are read from there)
    actions: list[str]  # where it posts
    shown_on: list[str]  # pages (the resident's own first) that show what was posted
    baseline: dict[str, str] = field(default_factory=dict)  # an answer the form accepts, for the fuzzer to vary


@dataclass
class FuzzWorld:
    forms: dict[str, Form]
    resident: object  # the test client that holds the resident's cookies
    staff: object
    staff_pages: list[str]


@pytest.fixture
def fuzz_world(
    app, db, create_staff, create_survey, create_invitation, create_hearing, create_participant, create_comment,
    create_focus_group, create_fg_participant,  # noqa: F811
) -> FuzzWorld:
    survey = create_survey()
    _invitation, token = create_invitation(survey.consultation, age_band="30-44")
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    comment = create_comment(hearing, author, "Et innspill å stemme på")
    group = create_focus_group(prompts=FG_GUIDE)
    live.start_session(db.session, group, actor=None)
    live.push_prompt(db.session, group, group.prompts[0], actor=None)
    other, _other_key = create_fg_participant(group)
    other_answer = Contribution(prompt_id=group.prompts[0].id, participant_id=other.id, text="Et svar å stemme på")
    db.session.add(other_answer)
    db.session.commit()
    _participant, key = create_fg_participant(group)
    resident = app.test_client()
    fg_cookie = URLSafeSerializer(app.config["SECRET_KEY"], salt=COOKIE_SALT).dumps(key)
    resident.set_cookie(cookie_name(group.consultation.public_id), fg_cookie)
    s, h, f = survey.consultation.public_id, hearing.consultation.public_id, group.consultation.public_id
    survey_pages = [f"/s/{s}/page/{n}" for n in (1, 2, 3)]
    personal_pages = [f"/p/{token}/page/{n}" for n in (1, 2, 3)]
    statement = {"signer_name": "Kari", "body": "Vi støtter forslaget, men vil ha flere plasser. " * 2, "confirm": "y"}
    forms = {
        "survey (public link)": Form(survey_pages[0], survey_pages, survey_pages, {"action": "next"}),
        "survey (personal link)": Form(personal_pages[0], personal_pages, personal_pages, {"action": "next"}),
        "hearing comment": Form(
            f"/h/{h}",
            [f"/h/{h}/comments", f"/h/{h}/comments/{comment.id}/edit"],
            [f"/h/{h}"],
            {"body": "Bra forslag", "accept_rules": "1"},
        ),
        "hearing vote": Form(
            f"/h/{h}",
            [f"/h/{h}/comments/{comment.id}/vote", f"/h/{h}/vote"],
            [f"/h/{h}", f"/h/{h}/vote"],
            {"value": "agree", "comment_id": str(comment.id)},
        ),
        "hearing flag": Form(
            f"/h/{h}", [f"/h/{h}/comments/{comment.id}/flag"], [f"/h/{h}"], {"reason": "other", "note": "Spam"}
        ),
        "formal statement": Form(f"/h/{h}/statements", [f"/h/{h}/statements"], [f"/h/{h}/statements"], statement),
        "focus-group answer": Form(
            f"/f/{f}", [f"/f/{f}/prompts/{group.prompts[0].id}/answer"], [f"/f/{f}"], {"text": "Enig"}
        ),
        "focus-group vote": Form(
            f"/f/{f}", [f"/f/{f}/contributions/{other_answer.id}/vote"], [f"/f/{f}"], {"value": "agree", "step": "0"}
        ),
    }
    staff = _client_as(app, create_staff(Role.ADMIN, email="fuzz-admin@bjerke.example"))
    staff_pages = [
        f"/manage/hearings/{hearing.consultation_id}/moderation",
        f"/manage/focus-groups/{group.consultation_id}/transcript",
        f"/manage/focus-groups/{group.consultation_id}/console",
        f"/manage/results/{survey.id}",
        *(f"/manage/results/{survey.id}/questions/{q.id}/texts" for q in survey.questions if "text" in q.kind),
    ]
    return FuzzWorld(forms, resident, staff, staff_pages)


@pytest.mark.parametrize(
    "form_name",
    [
        "survey (public link)",
        "survey (personal link)",
        "hearing comment",
        "hearing vote",
        "hearing flag",
        "formal statement",
        "focus-group answer",
        "focus-group vote",
    ],
)
def test_resident_form_survives_fuzzing(fuzz_world, form_name):
    form = fuzz_world.forms[form_name]
    client = fuzz_world.resident
    page = client.get(form.page)
    assert page.status_code == 200, form.page
    names = field_names(page.text)

    @FUZZ_SETTINGS
    @given(action=st.sampled_from(form.actions), data=form_data(names, form.baseline), htmx=st.booleans())
    def post_anything(action, data, htmx):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.post(action, data=data, headers=headers)
        assert_no_server_error(response, f"POST {action} {data!r}"[:500])
        assert_escaped(response.get_data(as_text=True), f"the answer to POST {action}")

    post_anything()
    for path in form.shown_on:
        shown = client.get(path)
        assert_no_server_error(shown, f"GET {path} after fuzzing")
        assert_escaped(shown.get_data(as_text=True), path)
    for path in fuzz_world.staff_pages:
        shown = fuzz_world.staff.get(path)
        assert_no_server_error(shown, f"GET {path} after fuzzing")
        assert_escaped(shown.get_data(as_text=True), path)


def test_stored_scripts_are_shown_as_text(app, fuzz_world):
    """A script that IS stored (a valid comment, answer) comes back escaped, to residents and to staff."""
    client = fuzz_world.resident
    hearing = fuzz_world.forms["hearing comment"]
    posted = client.post(hearing.actions[0], data={"body": f"Bra forslag {SCRIPT}", "accept_rules": "1"})
    assert posted.status_code in (200, 303)
    answer = fuzz_world.forms["focus-group answer"]
    assert client.post(answer.actions[0], data={"text": f"Enig {SCRIPT}"}).status_code in (200, 303)
    escaped = "&lt;script&gt;alert("
    for path in (hearing.shown_on[0], answer.shown_on[0]):
        page = client.get(path).get_data(as_text=True)
        assert_escaped(page, path)
    seen_by_staff = [path for path in fuzz_world.staff_pages if escaped in fuzz_world.staff.get(path).text]
    assert any("moderation" in path for path in seen_by_staff) or escaped in client.get(hearing.shown_on[0]).text
    assert any("transcript" in path for path in seen_by_staff)
    for path in fuzz_world.staff_pages:
        assert_escaped(fuzz_world.staff.get(path).get_data(as_text=True), path)


def test_nul_characters_are_refused_everywhere(fuzz_world, english_ui):
    """PostgreSQL cannot store a NUL in text: every form and URL refuses it with a clear 400 before any view."""
    client = fuzz_world.resident
    for name, form in fuzz_world.forms.items():
        for action in form.actions:
            for key in form.baseline or {"text": ""}:
                data = {**form.baseline, key: f"Bra\x00{form.baseline.get(key, '')}"}
                response = client.post(action, data=data)
                assert response.status_code == 400, f"{name}: POST {action} with NUL in {key}"
                assert "cannot be stored (NUL)" in response.text
    for path in ("/s/%00", "/r/%00/data.csv", "/reports/%00", "/h/x%00y", "/?q=%00"):
        assert client.get(path).status_code == 400, path
