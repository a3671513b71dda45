"""Builder services: structure edits, settings, conditions, the structural lock, versions, duplication."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from civic.consultations.models import Consultation, ConsultationState
from civic.core.errors import InvalidInputError, StateError
from civic.surveys import builder, conditions, duplication, versioning
from civic.surveys.builder_settings import SettingsError, clean_settings, default_settings
from civic.surveys.models import (
    Answer,
    Question,
    QuestionChoice,
    QuestionKind,
    ResponseState,
    Survey,
    SurveyResponse,
    SurveyVersion,
)
from civic.surveys.versioning import StructureLockedError

# These tests assert the English messages.
pytestmark = pytest.mark.usefixtures("english_ui")

K = QuestionKind


def submit(db, survey, *, version=None, state=ResponseState.SUBMITTED, answer_to=()):
    response = SurveyResponse(survey_id=survey.id, state=state, survey_version=version or survey.version)
    response.answers = [Answer(question_id=q.id, choice_keys=["c1"]) for q in answer_to]
    db.session.add(response)
    db.session.commit()
    return response


@pytest.fixture(autouse=True)
def request_context(app):
    """Services translate their messages, and the locale selector reads the request."""
    with app.test_request_context("/"):
        yield


@pytest.fixture
def survey(create_survey) -> Survey:
    return create_survey(state=ConsultationState.DRAFT)


def qs(survey):
    return conditions.question_order(survey)


# --- creation and sections -----------------------------------------------------------------------------


def test_create_survey_consultation_has_one_empty_section(db, organisation, planner):
    survey = builder.create_survey_consultation(
        db.session, organisation, actor=planner, title={"nb": "Ny"}, languages=["nb"]
    )
    assert survey.consultation.kind == "survey"
    assert survey.consultation.state == "draft"
    assert [s.position for s in survey.sections] == [0]
    assert survey.sections[0].questions == []


def test_sections_add_rename_reorder_and_delete_empty(db, survey):
    first, second = survey.sections
    third = builder.add_section(db.session, survey, title={"nb": "  Tredje ", "en": ""})
    assert third.position == 2
    assert third.title == {"nb": "Tredje"}
    builder.update_section(db.session, third, title={"nb": "Slutt"}, description={"nb": "Takk"})
    assert third.title == {"nb": "Slutt"}
    assert third.description == {"nb": "Takk"}
    assert builder.move_section(db.session, third, -1) is True
    assert [s.id for s in survey.sections] == [first.id, third.id, second.id]
    assert builder.move_section(db.session, first, -1) is False
    builder.reorder_sections(db.session, survey, [third.id, first.id, second.id])
    assert [s.position for s in sorted(survey.sections, key=lambda s: s.position)] == [0, 1, 2]
    assert survey.sections[0] is third
    builder.delete_section(db.session, third)
    assert [s.id for s in survey.sections] == [first.id, second.id]
    assert [s.position for s in survey.sections] == [0, 1]


def test_reorder_sections_with_wrong_ids_is_refused(db, survey):
    with pytest.raises(InvalidInputError):
        builder.reorder_sections(db.session, survey, [survey.sections[0].id])


def test_section_with_questions_or_last_section_cannot_be_deleted(db, survey):
    with pytest.raises(StateError, match="Only empty sections"):
        builder.delete_section(db.session, survey.sections[0])
    lone = builder.create_survey_consultation(
        db.session, survey.consultation.organisation, actor=None, title={"nb": "x"}
    )
    with pytest.raises(StateError, match="at least one section"):
        builder.delete_section(db.session, lone.sections[0])


def test_section_reorder_that_breaks_a_condition_is_refused(db, survey):
    first, second = survey.sections  # question 6 (section 2) depends on question 1 (section 1)
    with pytest.raises(StateError, match="must come after"):
        builder.move_section(db.session, second, -1)
    db.session.rollback()
    assert [s.id for s in sorted(survey.sections, key=lambda s: s.position)] == [first.id, second.id]


# --- questions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(QuestionKind))
def test_add_question_of_every_kind_gets_default_settings(db, survey, kind):
    section = survey.sections[1]
    question = builder.add_question(db.session, section, kind=kind, text={"nb": "Ny?", "en": " "})
    assert question.kind == kind
    assert question.text == {"nb": "Ny?"}
    assert question.settings == default_settings(kind)
    assert question.position == 6
    assert section.questions[-1] is question
    assert clean_settings(kind, question.settings) == question.settings


def test_add_question_needs_kind_and_text(db, survey):
    with pytest.raises(InvalidInputError, match="question type"):
        builder.add_question(db.session, survey.sections[0], kind="essay", text={"nb": "x"})
    with pytest.raises(InvalidInputError, match="Write the question"):
        builder.add_question(db.session, survey.sections[0], kind=K.SCALE, text={"nb": "  "})


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
    return builder.update_question(db.session, question, **fields)


def test_update_question_texts_required_and_settings(db, survey):
    scale = qs(survey)[2]
    _update(
        db,
        scale,
        text={"nb": "Ny tekst"},
        help_text={"nb": "Hjelp"},
        is_required=False,
        settings={"min": 0, "max": 10, "min_label": {"nb": "Lite"}, "max_label": {"nb": "Mye"}},
    )
    assert scale.text == {"nb": "Ny tekst"}
    assert scale.help_text == {"nb": "Hjelp"}
    assert not scale.is_required
    assert scale.settings == {"min": 0, "max": 10, "min_label": {"nb": "Lite"}, "max_label": {"nb": "Mye"}}


@pytest.mark.parametrize(
    ("kind", "settings", "field"),
    [
        (K.MULTIPLE_CHOICE, {"min_choices": 3, "max_choices": 2}, "max_choices"),
        (K.MULTIPLE_CHOICE, {"min_choices": -1, "max_choices": None}, "min_choices"),
        (K.MULTIPLE_CHOICE, {"min_choices": 0, "max_choices": 0}, "max_choices"),
        (K.SCALE, {"min": 5, "max": 5}, "max"),
        (K.SCALE, {"min": 1, "max": None}, "max"),
        (K.SCALE, {"min": 0, "max": 20}, "max"),
        (K.SCALE, {"min": -10, "max": 10}, "max"),
        (K.SHORT_TEXT, {"max_length": 0}, "max_length"),
        (K.SHORT_TEXT, {"max_length": 501}, "max_length"),
        (K.LONG_TEXT, {"max_length": None}, "max_length"),
        (K.NUMBER, {"min": 10, "max": 1}, "max"),
        (K.NUMBER, {"min": 0.5, "max": 3, "integer": True}, "min"),
        (K.NUMBER, {"min": "a", "max": None}, "min"),
        (K.DATE, {"min_date": "2030-01-02", "max_date": "2030-01-01"}, "max_date"),
        (K.DATE, {"min_date": "2030-13-01"}, "min_date"),
    ],
)
def test_invalid_settings_are_refused_with_the_field(kind, settings, field):
    with pytest.raises(SettingsError) as info:
        clean_settings(kind, settings)
    assert info.value.field == field
    assert info.value.status_code == 422


def test_valid_settings_are_normalised():
    assert clean_settings(K.NUMBER, {"min": 1.0, "max": 2.5, "integer": False, "junk": 1}) == {
        "min": 1,
        "max": 2.5,
        "integer": False,
    }
    assert clean_settings(K.MULTIPLE_CHOICE, {"min_choices": None, "max_choices": 2}) == {
        "min_choices": 0,
        "max_choices": 2,
    }
    assert clean_settings(K.DATE, {"min_date": "2030-01-01", "max_date": ""}) == {
        "min_date": "2030-01-01",
        "max_date": None,
    }
    assert clean_settings(K.MAP_POINT, {"anything": 1}) == {}


def test_invalid_settings_leave_the_question_unchanged(db, survey):
    scale = qs(survey)[2]
    with pytest.raises(SettingsError):
        _update(db, scale, settings={"min": 5, "max": 1})
    db.session.rollback()
    assert db.session.get(Question, scale.id).settings["max"] == 5


def test_changing_kind_resets_settings_and_drops_choices(db, survey):
    multiple = qs(survey)[1]
    _update(db, multiple, kind=K.SHORT_TEXT, settings={"max_length": 5})
    assert multiple.kind == K.SHORT_TEXT
    assert multiple.settings == {"max_length": 200}
    assert multiple.choices == []


def test_changing_kind_of_a_condition_source_is_refused(db, survey):
    source = qs(survey)[0]  # question 6 depends on it
    with pytest.raises(StateError, match="depends on this question"):
        _update(db, source, kind=K.LONG_TEXT)


def test_other_choice_only_for_single_choice_and_toggles(db, survey):
    single = qs(survey)[0]
    assert [c.is_other for c in single.choices] == [False, False, True]
    _update(db, single, has_other=False)
    assert [c.key for c in single.choices] == ["c1", "c2"]
    _update(db, single, has_other=True)
    other = single.choices[-1]
    assert other.is_other
    assert other.key not in {"c1", "c2", "other"}
    assert other.label == {"nb": "Annet", "en": "Other"}  # the survey's languages only
    multiple = qs(survey)[1]
    _update(db, multiple, has_other=True)
    assert not any(c.is_other for c in multiple.choices)


def test_move_and_reorder_questions(db, survey):
    section = survey.sections[1]
    text, long_text, number = qs(survey)[3:6]
    assert builder.move_question(db.session, long_text, -1) is True
    assert [q.id for q in section.questions[:3]] == [long_text.id, text.id, number.id]
    assert builder.move_question(db.session, long_text, -1) is False
    ids = [q.id for q in section.questions]
    builder.reorder_questions(db.session, section, list(reversed(ids)))
    assert [q.id for q in section.questions] == list(reversed(ids))
    assert [q.position for q in section.questions] == list(range(len(ids)))


def test_question_move_that_breaks_a_condition_is_refused(db, survey):
    _single, multiple = qs(survey)[:2]
    number = qs(survey)[5]
    number.condition_question_id = multiple.id
    number.condition_choice_keys = ["c1"]
    number.section = multiple.section
    number.position = 10
    db.session.commit()
    builder.move_question(db.session, number, -1)  # still after question 2: fine
    with pytest.raises(StateError, match="must come after"):
        builder.move_question(db.session, multiple, 1)


def test_delete_question_without_answers_removes_it(db, survey):
    text = qs(survey)[3]
    assert builder.delete_question(db.session, text) is False
    db.session.commit()
    assert db.session.get(Question, text.id) is None
    assert [q.position for q in survey.sections[1].questions] == list(range(5))


def test_delete_condition_source_is_refused(db, survey):
    with pytest.raises(StateError, match="depends on this question"):
        builder.delete_question(db.session, qs(survey)[0])


# --- choices -------------------------------------------------------------------------------------------


def test_choices_add_edit_move_delete_with_fresh_keys(db, survey):
    ranking = qs(survey)[7]
    new = builder.add_choice(db.session, ranking, label={"nb": "Sykkelvei"})
    assert new.position == 3
    assert new.key not in {"c1", "c2", "c3"}
    builder.update_choice(db.session, new, label={"nb": "Sykkelveier"})
    assert new.label == {"nb": "Sykkelveier"}
    assert builder.move_choice(db.session, new, -1) is True
    assert [c.key for c in ranking.choices][2:] == [new.key, "c3"]
    builder.delete_choice(db.session, new)
    again = builder.add_choice(db.session, ranking, label={"nb": "Sykkelvei"})
    assert again.key != new.key  # a deleted key is never reused
    builder.reorder_choices(db.session, ranking, [c.id for c in reversed(ranking.choices)])
    assert [c.position for c in ranking.choices] == [0, 1, 2, 3]
    assert ranking.choices[0] is again


def test_new_choice_goes_before_other(db, survey):
    single = qs(survey)[0]
    new = builder.add_choice(db.session, single, label={"nb": "Vet ikke"})
    assert [c.key for c in single.choices] == ["c1", "c2", new.key, "other"]


def test_choice_rules(db, survey):
    single, scale = qs(survey)[0], qs(survey)[2]
    with pytest.raises(StateError, match="Only choice questions"):
        builder.add_choice(db.session, scale, label={"nb": "x"})
    with pytest.raises(InvalidInputError):
        builder.add_choice(db.session, single, label={"nb": ""})
    with pytest.raises(StateError, match="display condition uses this choice"):
        builder.delete_choice(db.session, single.choices[0])  # "c1" drives question 6


# --- conditions ----------------------------------------------------------------------------------------


def test_condition_on_earlier_choice_question(db, survey):
    questions = qs(survey)
    conditions.set_condition(db.session, questions[3], source_id=questions[1].id, choice_keys=["c3", "c1"])
    assert questions[3].condition_question_id == questions[1].id
    assert sorted(questions[3].condition_choice_keys) == ["c1", "c3"]
    conditions.set_condition(db.session, questions[3], source_id=None, choice_keys=[])
    assert questions[3].condition_question_id is None
    assert questions[3].condition_choice_keys == []


@pytest.mark.parametrize(
    ("target", "source", "keys", "message"),
    [
        (1, 1, ["c1"], "earlier"),  # itself
        (1, 4, ["c1"], "earlier"),  # a later question
        (3, 2, ["c1"], "single or multiple choice"),  # a scale
        (8, 7, ["c1"], "single or multiple choice"),  # ranking cannot drive conditions
        (3, 0, ["c9"], "belong to the question"),
    ],
)
def test_invalid_conditions_are_refused(db, survey, target, source, keys, message):
    questions = qs(survey)
    with pytest.raises(InvalidInputError, match=message):
        conditions.set_condition(
            db.session, questions[target], source_id=questions[source].id, choice_keys=keys
        )


def test_condition_on_another_surveys_question_is_refused(db, survey, create_survey):
    other = create_survey()
    with pytest.raises(InvalidInputError, match="earlier"):
        conditions.set_condition(db.session, qs(survey)[3], source_id=qs(other)[0].id, choice_keys=["c1"])


# --- structural lock and versions ---------------------------------------------------------------------


def test_draft_or_old_version_responses_do_not_lock(db, survey):
    submit(db, survey, state=ResponseState.DRAFT)
    submit(db, survey, version=survey.version + 5)
    assert not versioning.is_structure_locked(db.session, survey)
    submit(db, survey)
    assert versioning.is_structure_locked(db.session, survey)


STRUCTURAL_CHANGES = {
    "add section": lambda db, s, q: builder.add_section(db.session, s, title={"nb": "x"}),
    "delete section": lambda db, s, q: builder.delete_section(db.session, s.sections[1]),
    "move section": lambda db, s, q: builder.move_section(db.session, s.sections[0], 1),
    "reorder sections": lambda db, s, q: builder.reorder_sections(
        db.session, s, [x.id for x in s.sections][::-1]
    ),
    "add question": lambda db, s, q: builder.add_question(
        db.session, s.sections[0], kind=K.DATE, text={"nb": "x"}
    ),
    "delete question": lambda db, s, q: builder.delete_question(db.session, q[3]),
    "move question": lambda db, s, q: builder.move_question(db.session, q[4], -1),
    "reorder questions": lambda db, s, q: builder.reorder_questions(
        db.session, s.sections[1], [x.id for x in s.sections[1].questions][::-1]
    ),
    "change kind": lambda db, s, q: _update(db, q[3], kind=K.LONG_TEXT),
    "change settings": lambda db, s, q: _update(db, q[3], settings={"max_length": 90}),
    "change required": lambda db, s, q: _update(db, q[3], is_required=True),
    "remove other": lambda db, s, q: _update(db, q[0], has_other=False),
    "set condition": lambda db, s, q: conditions.set_condition(
        db.session, q[4], source_id=q[0].id, choice_keys=["c2"]
    ),
    "add choice": lambda db, s, q: builder.add_choice(db.session, q[7], label={"nb": "x"}),
    "delete choice": lambda db, s, q: builder.delete_choice(db.session, q[7].choices[0]),
    "move choice": lambda db, s, q: builder.move_choice(db.session, q[7].choices[0], 1),
    "reorder choices": lambda db, s, q: builder.reorder_choices(
        db.session, q[7], [c.id for c in q[7].choices][::-1]
    ),
}


@pytest.mark.parametrize("change", list(STRUCTURAL_CHANGES))
def test_structural_changes_are_refused_once_answered(db, survey, change):
    submit(db, survey)
    with pytest.raises(StructureLockedError) as info:
        STRUCTURAL_CHANGES[change](db, survey, qs(survey))
    assert info.value.status_code == 409
    assert "create a new version" in info.value.message


def test_typo_fixes_stay_allowed_when_locked(db, survey):
    submit(db, survey)
    questions = qs(survey)
    _update(
        db,
        questions[2],
        text={"nb": "Rettet"},
        help_text={"nb": "Hjelp"},
        settings={**questions[2].settings, "min_label": {"nb": "Veldig vanskelig"}},
    )
    builder.update_choice(db.session, questions[0].choices[0], label={"nb": "Ja!"})
    builder.update_section(db.session, survey.sections[0], title={"nb": "Ny tittel"}, description={})
    # Unchanged orders are no-ops, not refused.
    builder.reorder_choices(db.session, questions[7], [c.id for c in questions[7].choices])
    db.session.commit()
    assert questions[2].text == {"nb": "Rettet"}
    assert questions[2].settings["min_label"] == {"nb": "Veldig vanskelig"}
    assert questions[0].choices[0].label == {"nb": "Ja!"}


def test_new_version_logs_and_unlocks_then_archives_answered_questions(db, survey, planner):
    text = qs(survey)[3]
    submit(db, survey, answer_to=[text])
    with pytest.raises(InvalidInputError):
        versioning.create_version(db.session, survey, actor=planner, reason="  ")
    version = versioning.create_version(db.session, survey, actor=planner, reason="Nytt spørsmål om sykkel")
    db.session.commit()
    assert survey.version == 2
    assert (version.number, version.reason, version.created_by_id) == (
        2,
        "Nytt spørsmål om sykkel",
        planner.id,
    )
    assert version.created_at is not None
    assert not versioning.is_structure_locked(db.session, survey)
    assert builder.delete_question(db.session, text) is True
    db.session.commit()
    assert db.session.get(Question, text.id).is_archived
    assert text not in survey.questions
    assert survey.sections[1].questions[-1] is text  # archived questions go last


def test_section_with_only_archived_questions_is_kept(db, survey, planner):
    section = builder.add_section(db.session, survey, title={"nb": "Ekstra"})
    question = builder.add_question(db.session, section, kind=K.SHORT_TEXT, text={"nb": "Hva?"})
    db.session.commit()
    submit(db, survey, answer_to=[question])
    versioning.create_version(db.session, survey, actor=planner, reason="Fjerner ekstra")
    assert builder.delete_question(db.session, question) is True
    with pytest.raises(StateError, match="archived"):
        builder.delete_section(db.session, section)


def test_new_version_without_answers_is_refused(db, survey, planner):
    with pytest.raises(StateError, match="without a new version"):
        versioning.create_version(db.session, survey, actor=planner, reason="why not")
    assert db.session.scalars(select(SurveyVersion)).all() == []


# --- duplication ---------------------------------------------------------------------------------------


def test_duplicate_copies_structure_and_repoints_conditions(db, survey, planner):
    submit(db, survey, answer_to=[qs(survey)[0]])
    archived = qs(survey)[4]
    archived.is_archived = True
    db.session.commit()
    copy = duplication.duplicate_survey(db.session, survey, actor=planner)
    db.session.commit()
    assert copy.id != survey.id
    assert copy.version == 1
    consultation = copy.consultation
    assert consultation.state == ConsultationState.DRAFT
    assert consultation.public_id != survey.consultation.public_id
    # Each language's title gets the prefix in that language (bokmål falls back to English until translated).
    assert consultation.title["nb"] != "Parkering i Bjerke"
    assert "Parkering i Bjerke" in consultation.title["nb"]
    assert duplication.copy_title({"en": "Parking"}) == {"en": "Copy of Parking"}
    assert consultation.languages == ["nb", "en"]
    original, copied = qs(survey), qs(copy)
    assert [q.kind for q in copied] == [q.kind for q in original]
    assert [q.text for q in copied] == [q.text for q in original]
    assert [len(s.questions) for s in copy.sections] == [3, 5]
    assert all(c.id != o.id for c, o in zip(copied, original, strict=True))
    assert [[c.key for c in q.choices] for q in copied] == [[c.key for c in q.choices] for q in original]
    assert copied[2].settings == original[2].settings
    assert copied[2].settings is not original[2].settings
    dependent = next(q for q in copied if q.condition_question_id)
    assert dependent.condition_question_id == copied[0].id
    assert dependent.condition_choice_keys == ["c1"]
    assert db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == copy.id)).all() == []
    assert db.session.scalars(select(Consultation)).all().__len__() == 2
    assert db.session.scalars(select(QuestionChoice)).all().__len__() == 2 * sum(
        len(q.choices) for q in original
    )
    assert not any(q.text == archived.text for q in copied)  # archived questions are not copied
