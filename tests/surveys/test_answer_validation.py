"""Validation of submitted values for every question kind, per the settings contract in question_types."""

from __future__ import annotations

from datetime import date

import pytest

from civic.surveys.answering import TamperedInputError, parse_question
from civic.surveys.models import Question, QuestionChoice, QuestionKind


def make(kind: QuestionKind, *, settings=None, required=False, choices=(), other=False) -> Question:
    question = Question(id=7, kind=kind, settings=settings or {}, is_required=required, text={"nb": "Q"})
    question.choices = [QuestionChoice(key=k, position=i, label={"nb": k}) for i, k in enumerate(choices)]
    if other:
        question.choices.append(
            QuestionChoice(key="other", position=len(choices), label={"nb": "Annet"}, is_other=True)
        )
    return question


@pytest.fixture(autouse=True)
def _context(app):
    """Messages are translated, so validation runs inside a request (English for readable asserts)."""
    with app.test_request_context("/?lang=en"):
        yield


def parse(question, **values):
    return parse_question(
        question, {k.replace("_", "-"): v if isinstance(v, list) else [v] for k, v in values.items()}
    )


# --- single choice -------------------------------------------------------------------------------------


def test_single_choice_accepts_a_known_key():
    assert parse(make(QuestionKind.SINGLE_CHOICE, choices=["a", "b"]), q7="b").value.choice_keys == ["b"]


def test_single_choice_refuses_unknown_key_as_tampering():
    with pytest.raises(TamperedInputError):
        parse(make(QuestionKind.SINGLE_CHOICE, choices=["a"]), q7="zzz")


def test_single_choice_refuses_two_values():
    with pytest.raises(TamperedInputError):
        parse(make(QuestionKind.SINGLE_CHOICE, choices=["a", "b"]), q7=["a", "b"])


def test_required_single_choice_needs_an_answer():
    assert parse(make(QuestionKind.SINGLE_CHOICE, choices=["a"], required=True)).error == "Choose an answer."
    assert parse(make(QuestionKind.SINGLE_CHOICE, choices=["a"])).value is None


def test_other_needs_its_text_and_keeps_it():
    question = make(QuestionKind.SINGLE_CHOICE, choices=["a"], other=True)
    assert parse(question, q7="other").error == "Describe your other answer."
    value = parse(question, q7="other", q7_other="  Sykkel ").value
    assert value.choice_keys == ["other"]
    assert value.text == "Sykkel"
    assert parse(question, q7="a", q7_other="ignored").value.text is None


# --- multiple choice -----------------------------------------------------------------------------------


def test_multiple_choice_min_and_max():
    question = make(
        QuestionKind.MULTIPLE_CHOICE, choices=["a", "b", "c"], settings={"min_choices": 2, "max_choices": 2}
    )
    assert parse(question, q7=["a"]).error == "Choose at least 2 options."
    assert parse(question, q7=["a", "b", "c"]).error == "Choose at most 2 options."
    assert parse(question, q7=["c", "a"]).value.choice_keys == ["a", "c"]  # stored in the survey's order


def test_multiple_choice_singular_message():
    question = make(QuestionKind.MULTIPLE_CHOICE, choices=["a", "b"], settings={"max_choices": 1})
    assert parse(question, q7=["a", "b"]).error == "Choose at most 1 option."


def test_multiple_choice_unknown_or_duplicate_key_is_tampering():
    question = make(QuestionKind.MULTIPLE_CHOICE, choices=["a", "b"])
    with pytest.raises(TamperedInputError):
        parse(question, q7=["a", "x"])
    with pytest.raises(TamperedInputError):
        parse(question, q7=["a", "a"])


def test_multiple_choice_optional_may_be_empty_even_with_a_minimum():
    question = make(QuestionKind.MULTIPLE_CHOICE, choices=["a", "b"], settings={"min_choices": 1})
    assert parse(question).value is None
    assert parse(question).error is None


# --- scale ---------------------------------------------------------------------------------------------


def test_scale_defaults_and_bounds():
    question = make(QuestionKind.SCALE)
    assert parse(question, q7="5").value.number == 5
    with pytest.raises(TamperedInputError):
        parse(question, q7="6")
    with pytest.raises(TamperedInputError):
        parse(question, q7="three")
    assert parse(make(QuestionKind.SCALE, settings={"min": 0, "max": 10}), q7="0").value.number == 0


# --- text ----------------------------------------------------------------------------------------------


def test_short_text_length_message_counts_characters():
    question = make(QuestionKind.SHORT_TEXT, settings={"max_length": 80})
    assert parse(question, q7="x" * 95).error == "Write at most 80 characters (you wrote 95)."
    assert parse(question, q7="  Refstadveien  ").value.text == "Refstadveien"


def test_short_text_default_limit_is_200():
    question = make(QuestionKind.SHORT_TEXT)
    assert parse(question, q7="x" * 200).value is not None
    assert parse(question, q7="x" * 201).error == "Write at most 200 characters (you wrote 201)."


def test_long_text_counts_a_line_break_as_one_character():
    question = make(QuestionKind.LONG_TEXT, settings={"max_length": 5})
    assert parse(question, q7="ab\r\ncd").value.text == "ab\ncd"
    assert parse(make(QuestionKind.LONG_TEXT), q7="x" * 2001).error.startswith("Write at most 2000")


def test_required_text_refuses_only_spaces():
    assert parse(make(QuestionKind.LONG_TEXT, required=True), q7="   ").error == "Write an answer."


def test_absurdly_long_value_is_refused_outright():
    with pytest.raises(TamperedInputError):
        parse(make(QuestionKind.LONG_TEXT), q7="x" * 20_001)


# --- number --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [("0", 0), ("10", 10), ("3", 3), (" 4 ", 4)])
def test_integer_in_range(typed, expected):
    question = make(QuestionKind.NUMBER, settings={"min": 0, "max": 10, "integer": True})
    assert parse(question, q7=typed).value.number == expected


@pytest.mark.parametrize("typed", ["-1", "11", "2.5", "2,5", "abc", "1e3", "nan", "inf"])
def test_integer_out_of_range_or_not_whole(typed):
    question = make(QuestionKind.NUMBER, settings={"min": 0, "max": 10, "integer": True})
    assert parse(question, q7=typed).error == "Enter a whole number between 0 and 10."


def test_decimal_number_accepts_norwegian_comma():
    question = make(QuestionKind.NUMBER, settings={"min": 0, "max": None})
    assert parse(question, q7="2,5").value.number == 2.5
    assert parse(question, q7="-1").error == "Enter a number of at least 0."
    assert parse(make(QuestionKind.NUMBER), q7="1 000").value.number == 1000


# --- date ----------------------------------------------------------------------------------------------


def test_date_iso_and_norwegian_formats():
    question = make(QuestionKind.DATE, settings={"min_date": "1950-01-01", "max_date": "2030-12-31"})
    assert parse(question, q7="2020-05-17").value.date_value == date(2020, 5, 17)
    assert parse(question, q7="17.05.2020").value.date_value == date(2020, 5, 17)


@pytest.mark.parametrize("typed", ["1949-12-31", "2031-01-01"])
def test_date_outside_window(typed):
    question = make(QuestionKind.DATE, settings={"min_date": "1950-01-01", "max_date": "2030-12-31"})
    assert parse(question, q7=typed).error == "The date must be between 01.01.1950 and 31.12.2030."


@pytest.mark.parametrize("typed", ["2020-02-30", "tomorrow", "31/31/2020"])
def test_date_not_a_date(typed):
    assert parse(make(QuestionKind.DATE), q7=typed).error.startswith("Enter a real date")


# --- ranking -------------------------------------------------------------------------------------------


def test_ranking_must_be_a_permutation():
    question = make(QuestionKind.RANKING, choices=["a", "b", "c"])
    assert parse(question, q7_a="2", q7_b="3", q7_c="1").value.choice_keys == ["c", "a", "b"]
    assert parse(question, q7_a="1", q7_b="1", q7_c="2").error == "Use each position only once."
    assert parse(question, q7_a="1", q7_b="2").error == "Give every item a position."
    assert parse(question).value is None


def test_ranking_position_out_of_range_is_tampering():
    with pytest.raises(TamperedInputError):
        parse(make(QuestionKind.RANKING, choices=["a", "b"]), q7_a="3", q7_b="1")


def test_required_ranking():
    assert (
        parse(make(QuestionKind.RANKING, choices=["a"], required=True)).error == "Put all the items in order."
    )


# --- map point -----------------------------------------------------------------------------------------


def test_map_point_inside_norway():
    value = parse(make(QuestionKind.MAP_POINT), q7_lat="59,94", q7_lon="10.815", q7_text="Ved skolen").value
    assert (value.lat, value.lon, value.text) == (59.94, 10.815, "Ved skolen")


@pytest.mark.parametrize(("lat", "lon"), [("48.85", "2.35"), ("59.9", "40"), ("95", "10")])
def test_map_point_outside_norway(lat, lon):
    assert parse(make(QuestionKind.MAP_POINT), q7_lat=lat, q7_lon=lon).error.startswith(
        "The place must be in Norway"
    )


def test_map_point_needs_both_coordinates():
    error = parse(make(QuestionKind.MAP_POINT), q7_lat="59.9").error
    assert error.startswith("Enter both latitude and longitude")


def test_map_point_description_alone_is_kept_when_optional():
    assert parse(make(QuestionKind.MAP_POINT), q7_text="Krysset ved Rema").value.text == "Krysset ved Rema"
    assert parse(make(QuestionKind.MAP_POINT, required=True), q7_text="x").error.startswith("Mark a place")
