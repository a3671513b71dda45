"""The per-process structure cache: every builder edit reaches the next resident request."""

from __future__ import annotations

import pytest

from civic.consultations.models import ConsultationState
from civic.surveys import builder, conditions, duplication, versioning
from civic.surveys.models import QuestionKind, ResponseState, SurveyResponse
from civic.surveys.structure import survey_structure
from tests.surveys.answer_helpers import page1, qs


@pytest.fixture(autouse=True)
def request_context(app):
    """Services translate their messages, and the locale selector reads the request."""
    with app.test_request_context("/"):
        yield


@pytest.fixture
def survey(create_survey):
    return create_survey()


def url(survey, n=1):
    return f"/s/{survey.consultation.public_id}/page/{n}?lang=en"


def _update(db, question, **changes):
    fields = {
        "text": question.text,
        "help_text": question.help_text,
        "is_required": question.is_required,
        "kind": question.kind,
        "settings": dict(question.settings),
        "has_other": any(c.is_other for c in question.choices),
    }
    fields.update(changes)
    builder.update_question(db.session, question, **fields)
    db.session.commit()


def test_question_edit_shows_on_the_next_resident_page(app, db, survey):
    question = qs(survey)[0]
    first = app.test_client()
    assert first.post(url(survey), data=page1(survey)).status_code == 303  # the structure is now cached
    _update(db, question, text={"nb": "Har du tilgang til bil?"})
    page = app.test_client().get(url(survey))
    assert "Har du tilgang til bil?" in page.text
    assert "Har husstanden din bil?" not in page.text


def test_section_and_choice_text_edits_show_on_the_next_resident_page(app, db, survey):
    """Pages are rendered from the cached structure, texts included: text edits renew its key too."""
    assert app.test_client().get(url(survey)).status_code == 200  # the structure is now cached
    section, choice = survey.sections[0], qs(survey)[0].choices[0]
    builder.update_section(db.session, section, title={"nb": "Om bilen din"}, description={"nb": "Fem spørsmål."})
    builder.update_choice(db.session, choice, label={"nb": "Ja, én eller flere"})
    db.session.commit()
    page = app.test_client().get(url(survey)).text
    assert "Om bilen din" in page
    assert "Fem spørsmål." in page
    assert "Ja, én eller flere" in page


def test_setting_change_applies_to_the_next_submission(app, db, survey):
    multiple = qs(survey)[1]
    two = page1(survey, **{f"q{multiple.id}": ["c1", "c2"]})
    assert app.test_client().post(url(survey), data=two).status_code == 303
    _update(db, multiple, settings={"min_choices": 0, "max_choices": 1})
    response = app.test_client().post(url(survey), data=two)
    assert response.status_code == 422
    assert "Choose at most 1 option." in response.text


def test_required_change_applies_to_the_next_submission(app, db, survey):
    multiple = qs(survey)[1]
    without = page1(survey)
    del without[f"q{multiple.id}"]
    assert app.test_client().post(url(survey), data=without).status_code == 303
    _update(db, multiple, is_required=True)
    response = app.test_client().post(url(survey), data=without)
    assert response.status_code == 422
    assert "Choose at least one option." in response.text


def test_added_and_deleted_choices_apply_to_the_next_submission(app, db, survey):
    single = qs(survey)[0]
    assert app.test_client().post(url(survey), data=page1(survey)).status_code == 303
    added = builder.add_choice(db.session, single, label={"nb": "Delebil"})
    db.session.commit()
    assert app.test_client().post(url(survey), data=page1(survey, **{f"q{single.id}": added.key})).status_code == 303
    builder.delete_choice(db.session, next(c for c in single.choices if c.key == "c2"))
    db.session.commit()
    refused = app.test_client().post(url(survey), data=page1(survey, **{f"q{single.id}": "c2"}))
    assert refused.status_code == 422
    assert "option that does not exist" in refused.text


def test_new_question_is_validated_on_the_next_submission(app, db, survey):
    assert app.test_client().post(url(survey), data=page1(survey)).status_code == 303
    added = builder.add_question(
        db.session, survey.sections[0], kind=QuestionKind.NUMBER, text={"nb": "Alder?"}, is_required=True
    )
    db.session.commit()
    response = app.test_client().post(url(survey), data=page1(survey))
    assert response.status_code == 422
    assert "Enter a number." in response.text
    ok = app.test_client().post(url(survey), data=page1(survey, **{f"q{added.id}": "42"}))
    assert ok.status_code == 303


def test_every_kind_of_edit_renews_the_structure_key(db, create_survey):
    survey = create_survey(state=ConsultationState.DRAFT)
    questions = qs(survey)
    keys = [survey_structure(survey).structure_key]

    def renewed() -> None:
        db.session.commit()
        shape = survey_structure(survey)
        assert shape.structure_key == survey.structure_key
        assert shape.structure_key not in keys
        keys.append(shape.structure_key)

    builder.update_section(db.session, survey.sections[0], title={"nb": "Ny tittel"}, description={})
    renewed()
    section = builder.add_section(db.session, survey, title={"nb": "Tredje"})
    renewed()
    builder.delete_section(db.session, section)
    renewed()
    builder.move_question(db.session, questions[4], -1)
    renewed()
    choice = builder.add_choice(db.session, questions[1], label={"nb": "Ny"})
    renewed()
    builder.update_choice(db.session, choice, label={"nb": "Nyere"})
    renewed()
    builder.delete_choice(db.session, choice)
    renewed()
    conditions.set_condition(db.session, questions[2], source_id=questions[0].id, choice_keys=["c1"])
    renewed()
    builder.delete_question(db.session, questions[6])
    renewed()
    questions[5].is_required = not questions[5].is_required  # a direct ORM edit counts too
    renewed()
    assert survey_structure(survey) is survey_structure(survey)  # unchanged: served from the cache


def test_new_version_renews_the_key_and_copies_get_their_own(db, create_survey, planner):
    survey = create_survey()
    before = survey_structure(survey)
    db.session.add(SurveyResponse(survey_id=survey.id, state=ResponseState.SUBMITTED, survey_version=survey.version))
    db.session.commit()
    versioning.create_version(db.session, survey, actor=planner, reason="Nytt spørsmål")
    db.session.commit()
    assert survey_structure(survey).structure_key != before.structure_key
    copy = duplication.duplicate_survey(db.session, survey, actor=planner)
    db.session.commit()
    assert copy.structure_key != survey.structure_key
    assert [q.id for q in survey_structure(copy).questions] == [q.id for q in copy.questions]


def test_cached_structure_mirrors_the_survey_and_cannot_be_changed(db, survey):
    shape = survey_structure(survey)
    assert [s.id for s in shape.sections] == [s.id for s in survey.sections]
    assert [q.id for q in shape.questions] == [q.id for q in survey.questions]
    assert [dict(s.title) for s in shape.sections] == [s.title for s in survey.sections]
    for cached, question in zip(shape.questions, survey.questions, strict=True):
        assert cached.kind_enum == question.kind_enum
        assert dict(cached.settings) == question.settings
        assert dict(cached.text) == question.text
        assert [c.key for c in cached.choices] == [c.key for c in question.choices]
        assert [dict(c.label) for c in cached.choices] == [c.label for c in question.choices]
    with pytest.raises(TypeError):
        shape.questions[1].settings["max_choices"] = 9  # type: ignore[index]
    with pytest.raises(AttributeError):
        shape.questions[1].is_required = True  # type: ignore[misc]
