"""The synthetic residents and answers: deterministic, valid, varied and correlated with segments."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from statistics import mean

import pytest

from civic.demo import free_text, responses
from civic.demo.survey_questions import SECTIONS

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
OPENS = NOW - timedelta(days=10)
SPECS = {slug: (kind, extra) for section in SECTIONS for slug, kind, _text, extra in section["questions"]}

# Words that only one topic uses: topic modelling must be able to find these groups again.
TOPIC_MARKERS = {
    "commuters": r"pendl",
    "resident_fee": r"beboerparkering|bebuarparkering|resident parking",
    "trades_care": r"håndverk|handverk|hjemmetjenest|hjemmesykepleie|heimeteneste|home care|tradespeople",
    "charging": r"lad(e|ing|ar)|charg",
    "school_route": r"skolevei|skuleveg|school route|fartsdump|fartsgrense",
    "snow": r"brøyt|snow|snø",
    "car_free": r"bilfri|car-free|gågate|byliv|sommergate",
    "transit": r"kollektiv|bussen|buss |public transport|ruter",
    "bikes": r"sykkel|sykl|bicycle|bike",
    "through_traffic": r"gjennomkjør|gjennomkøyr|through traffic|tungtrafikk|støy|lastebil|navigasjon",
}


@pytest.fixture(scope="module")
def generated():
    return responses.generate(now=NOW, opens_at=OPENS)


@pytest.fixture(scope="module")
def submitted(generated):
    return [g for g in generated if g.state == "submitted"]


def test_generation_is_deterministic(generated):
    again = responses.generate(now=NOW, opens_at=OPENS)
    assert [(g.resident, g.answers, g.submitted_at) for g in again] == [
        (g.resident, g.answers, g.submitted_at) for g in generated
    ]


def test_residents_and_answers_do_not_depend_on_the_clock(generated):
    later = responses.generate(now=NOW + timedelta(hours=7, minutes=13), opens_at=OPENS + timedelta(hours=7))

    def shape(items):
        return [(g.resident, sorted(g.answers)) for g in items]

    assert shape(later) == shape(generated)


def test_about_1100_submitted_over_ten_days_and_60_drafts(generated, submitted):
    assert len(submitted) == 1100
    assert sum(1 for g in generated if g.state == "draft") == 60
    assert all(OPENS <= g.started_at <= g.submitted_at <= NOW for g in submitted)
    days = Counter((g.submitted_at - OPENS).days for g in submitted)
    assert set(days) == set(range(10)), "responses arrive on every day the survey has been open"
    assert days[0] > days[3], "launch day brings more answers than an ordinary day"


def test_every_resident_has_all_segments(generated):
    for g in generated:
        assert g.resident.age_band in responses.AGE_BANDS
        assert g.resident.district in free_text.DISTRICTS
        assert g.resident.household_type in responses.HOUSEHOLDS
        assert g.resident.locale in ("nb", "nn", "en")
    assert {g.resident.district for g in generated} == set(free_text.DISTRICTS)


def test_conditional_questions_are_answered_only_when_shown(submitted):
    conditional = {slug: extra["condition"] for slug, (_kind, extra) in SPECS.items() if "condition" in extra}
    assert conditional, "the survey has display conditions"
    shown = Counter()
    for g in submitted:
        for slug, (source, keys) in conditional.items():
            visible = bool(set(g.answers[source]["choice_keys"]) & set(keys))
            if not visible:
                assert slug not in g.answers, f"{slug} answered although hidden"
            else:
                shown[slug] += slug in g.answers
    assert all(shown[slug] > 300 for slug in conditional)
    assert not any(
        "car_count" in g.answers for g in submitted if g.answers["has_car"]["choice_keys"] != ["yes"]
    )


def test_answers_fit_their_question_settings(submitted):
    for g in submitted:
        for slug, (_kind, extra) in SPECS.items():
            if extra.get("required"):
                assert slug in g.answers, f"required {slug} missing"
        for slug, value in g.answers.items():
            kind, extra = SPECS[slug]
            settings = extra.get("settings", {})
            keys = [c[0] for c in extra.get("choices", [])]
            if kind == "single_choice":
                assert len(value["choice_keys"]) == 1
                assert value["choice_keys"][0] in keys
                is_other = value["choice_keys"] == ["other"]
                assert bool(value.get("text")) == is_other
            elif kind == "multiple_choice":
                chosen = value["choice_keys"]
                assert set(chosen) <= set(keys)
                assert len(set(chosen)) == len(chosen)
                assert settings["min_choices"] <= len(chosen) <= settings["max_choices"]
                assert len(chosen) >= 1
            elif kind == "ranking":
                assert sorted(value["choice_keys"]) == sorted(keys)
            elif kind in ("scale", "number"):
                assert settings["min"] <= value["number"] <= settings["max"]
                assert value["number"] == int(value["number"])
            elif kind == "date":
                assert (
                    datetime.fromisoformat(settings["min_date"]).date() <= value["date_value"] <= NOW.date()
                )
            elif kind == "map_point":
                assert responses.LAT_RANGE[0] <= value["lat"] <= responses.LAT_RANGE[1]
                assert responses.LON_RANGE[0] <= value["lon"] <= responses.LON_RANGE[1]
            else:
                assert 0 < len(value["text"]) <= settings["max_length"]
                assert value["text"] == value["text"].strip()


def test_long_texts_are_varied_and_mostly_distinct(submitted):
    texts = [g.answers["comments"]["text"] for g in submitted if "comments" in g.answers]
    assert len(texts) >= 1000
    assert len(set(texts)) >= 800
    short = sum(1 for t in texts if len(t) < 25)
    assert 30 <= short <= 200, "some residents just write 'nei' or 'ingen kommentar'"
    assert max(len(t) for t in texts) > 250
    assert min(len(t) for t in texts) <= 3
    lengths = Counter(len(t) // 100 for t in texts)
    assert len(lengths) >= 3, "answers have different lengths"


def test_long_texts_carry_real_topics(submitted):
    texts = [g.answers["comments"]["text"].lower() for g in submitted if "comments" in g.answers]
    for topic, pattern in TOPIC_MARKERS.items():
        hits = sum(1 for t in texts if re.search(pattern, t))
        assert hits >= 40, f"topic {topic} appears in only {hits} texts"


def test_some_texts_are_nynorsk_and_english(submitted):
    by_locale = defaultdict(list)
    for g in submitted:
        if "comments" in g.answers:
            by_locale[g.resident.locale].append(g.answers["comments"]["text"].lower())
    assert 30 <= len(by_locale["nn"]) <= 120
    assert 30 <= len(by_locale["en"]) <= 120
    assert sum(bool(re.search(r"\b(ikkje|eg|kvar|vi treng|dei)\b", t)) for t in by_locale["nn"]) > 15
    assert sum(bool(re.search(r"\b(the|we|is)\b", t)) for t in by_locale["en"]) > 15


def test_template_pools_are_rich_enough():
    from civic.demo.free_text_nb import TOPICS_NB

    assert len(TOPICS_NB) >= 8
    for topic, templates in TOPICS_NB.items():
        assert len(set(templates)) >= 15, topic


def _mean_rank(group, key):
    return mean(g.answers["priorities"]["choice_keys"].index(key) for g in group)


def test_answers_correlate_with_segments(submitted):
    families = [g for g in submitted if g.resident.family]
    others = [g for g in submitted if not g.resident.family]
    seniors = [g for g in submitted if g.resident.senior]
    young = [g for g in submitted if g.resident.young]
    assert _mean_rank(families, "school_route") + 0.8 < _mean_rank(others, "school_route")
    assert _mean_rank(seniors, "snow") + 0.8 < _mean_rank(young, "snow")
    ease = defaultdict(list)
    for g in submitted:
        ease[g.resident.district].append(g.answers["parking_ease"]["number"])
    assert mean(ease["Økern"]) + 0.8 < mean(ease["Veitvet"]), "commuters make parking hard near Økern"
    car_fee = [g.answers["annual_fee"]["number"] for g in submitted if "annual_fee" in g.answers]
    assert 1000 < mean(car_fee) < 3500


def test_map_points_cluster_around_hot_spots(submitted):
    points = [g.answers["problem_spot"] for g in submitted if "problem_spot" in g.answers]
    assert 500 < len(points) < 900
    near = 0
    for p in points:
        if any(
            abs(p["lat"] - lat) < 0.003 and abs(p["lon"] - lon) < 0.005
            for (lat, lon), _d, _n in responses.HOT_SPOTS
        ):
            near += 1
    assert near / len(points) > 0.75
