"""Builder pages: page and fragments, no-JS forms, bad input, the structural lock, other organisations."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.accounts.models import Role
from civic.consultations.models import ConsultationState
from civic.surveys.conditions import question_order
from civic.surveys.models import Answer, Question, ResponseState, Survey, SurveyResponse, SurveyVersion

# These tests assert the English messages.
pytestmark = pytest.mark.usefixtures("english_ui")


@pytest.fixture
def survey(create_survey, logged_in_planner) -> Survey:
    return create_survey(state=ConsultationState.DRAFT)


def url(survey, rest=""):
    return f"/manage/surveys/{survey.id}{rest}"


def lock(db, survey):
    db.session.add(
        SurveyResponse(survey_id=survey.id, state=ResponseState.SUBMITTED, survey_version=survey.version)
    )
    db.session.commit()


def assert_fragment(response, root_id):
    assert "<html" not in response.text
    assert f'id="{root_id}"' in response.text
    assert "HX-Request" in response.headers.get("Vary", "")


def test_builder_page_and_fragment(client, htmx_client, survey):
    page = client.get(url(survey))
    assert page.status_code == 200
    assert "<html" in page.text
    assert "Does your household have a car?" in page.text  # the English UI shows the English text
    assert f'href="/manage/surveys/{survey.id}/preview"' in page.text
    assert f'href="/manage/results/{survey.id}"' in page.text
    assert "sortable.min.js" in page.text
    assert "js/builder.js" in page.text
    assert 'value="up"' in page.text
    assert 'value="down"' in page.text
    assert "HX-Request" in page.headers["Vary"]
    fragment = htmx_client.get(url(survey))
    assert fragment.status_code == 200
    assert_fragment(fragment, "builder-sections")


def test_section_and_editor_fragments(client, htmx_client, survey):
    section = survey.sections[0]
    assert_fragment(htmx_client.get(url(survey, f"/sections/{section.id}")), f"section-{section.id}")
    question = question_order(survey)[1]
    page = client.get(url(survey, f"/questions/{question.id}"))
    assert page.status_code == 200
    assert "<html" in page.text
    assert "Beboerparkering" in page.text
    assert_fragment(htmx_client.get(url(survey, f"/questions/{question.id}")), f"question-{question.id}")


def test_viewer_may_not_use_the_builder(client, auth, create_staff, survey):
    auth.logout()
    auth.login(create_staff(Role.VIEWER))
    assert client.get(url(survey)).status_code == 403


def test_other_organisation_gets_404(client, auth, create_organisation, create_staff, survey):
    other = create_organisation(slug="grorud", name="Bydel Grorud")
    auth.logout()
    auth.login(create_staff(Role.PLANNER, email="planner@grorud.example", org=other))
    question = question_order(survey)[0]
    assert client.get(url(survey)).status_code == 404
    assert client.get(url(survey, f"/questions/{question.id}")).status_code == 404
    assert client.post(url(survey, f"/questions/{question.id}/delete")).status_code == 404
    assert client.post(url(survey, "/duplicate")).status_code == 404
    assert (
        client.post(
            url(survey, f"/questions/{question.id}/choices/{question.choices[0].id}/delete")
        ).status_code
        == 404
    )


def test_ids_from_another_survey_are_404(client, create_survey, survey):
    other = create_survey()
    foreign = question_order(other)[0]
    assert client.get(url(survey, f"/questions/{foreign.id}")).status_code == 404
    assert client.get(url(survey, f"/sections/{other.sections[0].id}")).status_code == 404
    own = question_order(survey)[0]
    assert (
        client.post(url(survey, f"/questions/{own.id}/choices/{foreign.choices[0].id}/delete")).status_code
        == 404
    )


def test_add_question_without_js_goes_to_its_editor(db, client, survey):
    section = survey.sections[0]
    prefix = f"new-question-{section.id}-"
    response = client.post(
        url(survey, f"/sections/{section.id}/questions"),
        data={prefix + "kind": "number", prefix + "text_nb": "Hvor gammel er du?"},
    )
    assert response.status_code == 303
    question = db.session.scalars(
        select(Question).where(Question.text["nb"].as_string() == "Hvor gammel er du?")
    ).one()
    assert response.headers["Location"] == url(survey, f"/questions/{question.id}")
    assert question.kind == "number"
    assert question.settings == {"min": None, "max": None, "integer": False}


def test_add_question_with_htmx_returns_section_with_editor_open(htmx_client, survey):
    section = survey.sections[0]
    prefix = f"new-question-{section.id}-"
    response = htmx_client.post(
        url(survey, f"/sections/{section.id}/questions"),
        data={prefix + "kind": "multiple_choice", prefix + "text_nb": "Hva liker du?"},
    )
    assert response.status_code == 200
    assert_fragment(response, f"section-{section.id}")
    assert "builder-question editor" in response.text
    assert "Add a choice" in response.text


@pytest.mark.parametrize("partial", [False, True])
def test_add_question_bad_input_is_422_and_keeps_values(db, client, htmx_client, survey, partial):
    section = survey.sections[0]
    prefix = f"new-question-{section.id}-"
    before = db.session.scalars(select(Question)).all().__len__()
    poster = htmx_client if partial else client
    response = poster.post(
        url(survey, f"/sections/{section.id}/questions"),
        data={prefix + "kind": "scale", prefix + "text_nb": " ", prefix + "text_en": ""},
    )
    assert response.status_code == 422
    assert "Write the question." in response.text
    assert '<option selected value="scale">' in response.text
    assert ("<html" in response.text) is not partial
    too_long = "Keep this " * 101
    response = poster.post(
        url(survey, f"/sections/{section.id}/questions"),
        data={prefix + "kind": "date", prefix + "text_en": too_long},
    )
    assert response.status_code == 422
    assert f'value="{too_long}"' in response.text
    assert '<option selected value="date">' in response.text
    assert db.session.scalars(select(Question)).all().__len__() == before


def test_update_question_settings_and_texts(db, client, survey):
    scale = question_order(survey)[2]
    p = f"question-{scale.id}-"
    response = client.post(
        url(survey, f"/questions/{scale.id}"),
        data={
            p + "kind": "scale",
            p + "text_nb": "Hvor lett?",
            p + "text_en": "How easy?",
            p + "help_nb": "Tenk på i går",
            p + "is_required": "y",
            p + "scale_min": "0",
            p + "scale_max": "10",
            p + "min_label_nb": "Umulig",
            p + "max_label_nb": "Lett",
        },
    )
    assert response.status_code == 303
    db.session.refresh(scale)
    assert scale.text == {"nb": "Hvor lett?", "en": "How easy?"}
    assert scale.help_text == {"nb": "Tenk på i går"}
    assert scale.settings == {"min": 0, "max": 10, "min_label": {"nb": "Umulig"}, "max_label": {"nb": "Lett"}}


@pytest.mark.parametrize("partial", [False, True])
def test_invalid_settings_are_422_next_to_the_field_with_values_kept(
    db, client, htmx_client, survey, partial
):
    scale = question_order(survey)[2]
    p = f"question-{scale.id}-"
    response = (htmx_client if partial else client).post(
        url(survey, f"/questions/{scale.id}"),
        data={
            p + "kind": "scale",
            p + "text_nb": "Endret tekst",
            p + "scale_min": "7",
            p + "scale_max": "3",
        },
    )
    assert response.status_code == 422
    assert "The highest value must be greater than the lowest." in response.text
    assert f'id="{p}scale_max-field"' in response.text.split("The highest value")[0]
    assert 'value="Endret tekst"' in response.text
    assert 'value="7"' in response.text
    db.session.refresh(scale)
    assert scale.text["nb"] == "Hvor lett er det å finne parkering?"
    assert scale.settings["max"] == 5


def test_number_field_that_is_not_a_number_is_422(client, survey):
    number = question_order(survey)[5]
    p = f"question-{number.id}-"
    response = client.post(
        url(survey, f"/questions/{number.id}"),
        data={p + "kind": "number", p + "text_nb": "x", p + "number_min": "mange"},
    )
    assert response.status_code == 422
    assert 'value="mange"' in response.text


def test_move_question_buttons_without_js_and_with_htmx(db, client, htmx_client, survey):
    section = survey.sections[1]
    text, long_text = question_order(survey)[3:5]
    response = client.post(url(survey, f"/questions/{long_text.id}/move"), data={"direction": "up"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#question-{long_text.id}")
    db.session.expire_all()
    assert [q.id for q in section.questions[:2]] == [long_text.id, text.id]
    fragment = htmx_client.post(url(survey, f"/questions/{long_text.id}/move"), data={"direction": "down"})
    assert_fragment(fragment, f"section-{section.id}")
    db.session.expire_all()
    assert [q.id for q in section.questions[:2]] == [text.id, long_text.id]
    assert (
        client.post(
            url(survey, f"/questions/{long_text.id}/move"), data={"direction": "sideways"}
        ).status_code
        == 400
    )


def test_drag_order_for_questions_sections_and_choices(db, htmx_client, survey):
    section = survey.sections[1]
    ids = [q.id for q in section.questions]
    response = htmx_client.post(
        url(survey, f"/sections/{section.id}/questions/order"),
        data={"order": ",".join(map(str, [ids[1], ids[0], *ids[2:]]))},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert [q.id for q in section.questions][:2] == [ids[1], ids[0]]
    ranking = question_order(survey)[7]
    choice_ids = [c.id for c in ranking.choices]
    response = htmx_client.post(
        url(survey, f"/questions/{ranking.id}/choices/order"),
        data={"order": ",".join(map(str, choice_ids[::-1]))},
    )
    assert_fragment(response, f"question-{ranking.id}")
    db.session.expire_all()
    assert [c.id for c in ranking.choices] == choice_ids[::-1]
    bad = htmx_client.post(url(survey, "/sections/order"), data={"order": "1,x"})
    assert bad.status_code == 400
    # Moving section 2 first would put a conditional question before its source question.
    refused = htmx_client.post(
        url(survey, "/sections/order"), data={"order": f"{survey.sections[1].id},{survey.sections[0].id}"}
    )
    assert refused.status_code == 409
    assert "must come after" in refused.text


def test_sections_add_rename_move_delete(db, client, htmx_client, survey):
    response = htmx_client.post(url(survey, "/sections"), data={"new-section-title_nb": "Til slutt"})
    assert_fragment(response, "builder-sections")
    db.session.expire_all()
    new = survey.sections[-1]
    assert new.title == {"nb": "Til slutt"}
    response = client.post(
        url(survey, f"/sections/{new.id}"),
        data={f"section-{new.id}-title_nb": "Avslutning", f"section-{new.id}-description_en": "Bye"},
    )
    assert response.status_code == 303
    db.session.refresh(new)
    assert new.title == {"nb": "Avslutning"}
    assert new.description == {"en": "Bye"}
    assert client.post(url(survey, f"/sections/{new.id}/move"), data={"direction": "up"}).status_code == 303
    db.session.expire_all()
    assert survey.sections[1].id == new.id
    assert client.post(url(survey, f"/sections/{new.id}/delete")).status_code == 303
    db.session.expire_all()
    assert len(survey.sections) == 2
    refused = client.post(url(survey, f"/sections/{survey.sections[0].id}/delete"))
    assert refused.status_code == 409
    assert "Only empty sections" in refused.text


def test_choices_add_edit_move_delete(db, client, htmx_client, survey):
    ranking = question_order(survey)[7]
    response = htmx_client.post(
        url(survey, f"/questions/{ranking.id}/choices"), data={f"new-choice-{ranking.id}-label_nb": "Gatelys"}
    )
    assert_fragment(response, f"question-{ranking.id}")
    db.session.expire_all()
    new = ranking.choices[-1]
    assert new.label == {"nb": "Gatelys"}
    assert new.key.startswith("c")
    assert len(new.key) > 3
    empty = client.post(
        url(survey, f"/questions/{ranking.id}/choices"), data={f"new-choice-{ranking.id}-label_nb": ""}
    )
    assert empty.status_code == 422
    assert "Write the text of the choice." in empty.text
    edit = client.post(
        url(survey, f"/questions/{ranking.id}/choices/{new.id}"),
        data={f"choice-{new.id}-label_nb": "Gatelys om natta"},
    )
    assert edit.status_code == 303
    assert (
        client.post(
            url(survey, f"/questions/{ranking.id}/choices/{new.id}/move"), data={"direction": "up"}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert ranking.choices[2].id == new.id
    assert new.label == {"nb": "Gatelys om natta"}
    assert client.post(url(survey, f"/questions/{ranking.id}/choices/{new.id}/delete")).status_code == 303
    db.session.expire_all()
    assert new.id not in [c.id for c in ranking.choices]


def test_condition_form(db, client, htmx_client, survey):
    questions = question_order(survey)
    text, multiple = questions[3], questions[1]
    form = client.get(url(survey, f"/questions/{text.id}"))
    assert f'value="{multiple.id}:c2"' in form.text
    field = f"condition-{text.id}-choices"
    response = client.post(
        url(survey, f"/questions/{text.id}/condition"), data={field: [f"{multiple.id}:c2"]}
    )
    assert response.status_code == 303
    db.session.refresh(text)
    assert (text.condition_question_id, text.condition_choice_keys) == (multiple.id, ["c2"])
    mixed = htmx_client.post(
        url(survey, f"/questions/{text.id}/condition"),
        data={field: [f"{multiple.id}:c2", f"{questions[0].id}:c1"]},
    )
    assert mixed.status_code == 422
    assert "one question only" in mixed.text
    later = questions[7]
    bad = client.post(
        url(survey, f"/questions/{questions[1].id}/condition"),
        data={f"condition-{questions[1].id}-choices": [f"{later.id}:c1"]},
    )
    assert bad.status_code == 422
    assert client.post(url(survey, f"/questions/{text.id}/condition"), data={}).status_code == 303
    db.session.refresh(text)
    assert text.condition_question_id is None


def test_delete_question_and_refused_delete(db, client, htmx_client, survey):
    questions = question_order(survey)
    response = htmx_client.post(url(survey, f"/questions/{questions[3].id}/delete"))
    assert_fragment(response, f"section-{questions[3].section_id}")
    assert db.session.get(Question, questions[3].id) is None
    refused = client.post(url(survey, f"/questions/{questions[0].id}/delete"))
    assert refused.status_code == 409
    assert "depends on this question" in refused.text
    assert db.session.get(Question, questions[0].id) is not None


@pytest.mark.parametrize("partial", [False, True])
def test_locked_structure_is_409_with_new_version_offer(db, client, htmx_client, survey, partial):
    lock(db, survey)
    section = survey.sections[0]
    prefix = f"new-question-{section.id}-"
    response = (htmx_client if partial else client).post(
        url(survey, f"/sections/{section.id}/questions"),
        data={prefix + "kind": "date", prefix + "text_nb": "Når?"},
    )
    assert response.status_code == 409
    assert "create a new version" in response.text
    assert "Create a new version" in response.text
    assert ("<html" in response.text) is not partial
    assert not any(q.text == {"nb": "Når?"} for q in db.session.scalars(select(Question)))


def test_locked_page_hides_structure_controls_but_allows_typo_fixes(db, client, survey):
    lock(db, survey)
    page = client.get(url(survey))
    assert 'id="new-version"' in page.text
    assert "Add a question" not in page.text
    assert 'value="up"' not in page.text
    single = question_order(survey)[0]
    p = f"question-{single.id}-"
    data = {
        p + "kind": "single_choice",
        p + "text_nb": "Har dere bil?",
        p + "is_required": "y",
        p + "has_other": "y",
    }
    assert client.post(url(survey, f"/questions/{single.id}"), data=data).status_code == 303
    db.session.refresh(single)
    assert single.text == {"nb": "Har dere bil?"}
    data[p + "kind"] = "multiple_choice"
    refused = client.post(url(survey, f"/questions/{single.id}"), data=data)
    assert refused.status_code == 409
    assert 'value="Har dere bil?"' in refused.text
    db.session.refresh(single)
    assert single.kind == "single_choice"


def test_create_version_then_delete_answered_question_archives_it(
    db, client, htmx_client, survey, logged_in_planner
):
    lock(db, survey)
    empty = htmx_client.post(url(survey, "/versions"), data={"version-reason": ""})
    assert empty.status_code == 422
    assert "Say why a new version is needed." in empty.text
    assert_fragment(empty, "builder-versions")
    response = client.post(url(survey, "/versions"), data={"version-reason": "Nytt spørsmål om sykkel"})
    assert response.status_code == 303
    version = db.session.scalars(select(SurveyVersion)).one()
    assert (version.number, version.created_by_id) == (2, logged_in_planner.id)
    db.session.refresh(survey)
    assert survey.version == 2
    page = client.get(url(survey))
    assert "Nytt spørsmål om sykkel" in page.text
    assert "Version history" in page.text
    assert "Add a question" in page.text
    text = question_order(survey)[3]
    response_id = db.session.scalars(select(SurveyResponse.id)).first()
    db.session.add(Answer(response_id=response_id, question_id=text.id, text="Storgata"))
    db.session.commit()
    assert client.post(url(survey, f"/questions/{text.id}/delete")).status_code == 303
    db.session.refresh(text)
    assert text.is_archived
    assert client.get(url(survey, f"/questions/{text.id}")).status_code == 404


def test_duplicate_creates_a_draft_copy(db, client, survey):
    response = client.post(url(survey, "/duplicate"))
    assert response.status_code == 303
    copy = db.session.scalars(select(Survey).where(Survey.id != survey.id)).one()
    assert response.headers["Location"] == f"/manage/surveys/{copy.id}"
    assert copy.consultation.state == "draft"
    assert len(copy.questions) == len(survey.questions)
    # The title exists only in bokmål, so the prefix is bokmål too (translated per language).
    assert copy.consultation.title == {"nb": "Kopi av " + survey.consultation.title["nb"]}
    assert "Kopi av" in client.get(response.headers["Location"]).text
