"""Audience matching on the hand-made fixture registry: exact counts, worked out from its table."""

from __future__ import annotations

import importlib
from datetime import date

import pytest

from civic.campaigns.audience import (
    AudienceCounts,
    AudienceCriteria,
    InvalidCriteria,
    count_audience,
    recipient_language,
    select_recipients,
    validate_criteria,
)
from civic.campaigns.models import ChannelPolicy
from civic.core.errors import DomainError
from tests.campaigns.audience_registry import (
    EMPTY_RING,
    LINDERUD_RING,
    PEOPLE,
    PROTECTED_IDS,
    TODAY,
    fixture_registry,
    national_id,
)

# ``civic.campaigns.audience`` as an attribute of the package is the views module (the package's __init__
# imports ``views.audience`` under that name), so take the service module from the import system.
audience = importlib.import_module("civic.campaigns.audience")
P = ChannelPolicy
REASONS = ("reachable", "reserved", "no_contact", "stale", "not_active", "protected")


def counts_of(criteria: AudienceCriteria, policy: ChannelPolicy = P.EMAIL_THEN_SMS) -> AudienceCounts:
    counts = count_audience(fixture_registry(), criteria, policy, TODAY)
    assert sum(getattr(counts, name) for name in REASONS) == counts.matched, "every resident explained once"
    assert counts.reachable == counts.reachable_email + counts.reachable_sms
    for dimension, values in counts.by_segment.items():
        assert sum(values.values()) == counts.matched - counts.protected, dimension
    return counts


def numbers(counts: AudienceCounts) -> dict[str, int]:
    data = counts.to_json()
    data.pop("by_segment")
    return data


def expect(matched, email=0, sms=0, reserved=0, no_contact=0, stale=0, not_active=0, protected=0) -> dict[str, int]:
    return {
        "matched": matched,
        "reachable": email + sms,
        "reachable_email": email,
        "reachable_sms": sms,
        "reserved": reserved,
        "no_contact": no_contact,
        "stale": stale,
        "not_active": not_active,
        "protected": protected,
    }


# ---------------------------------------------------------------------------------- policies, everyone


def test_everyone_email_then_sms() -> None:
    counts = counts_of(AudienceCriteria())
    assert numbers(counts) == expect(30, email=10, sms=6, reserved=2, no_contact=4, stale=3, not_active=2, protected=3)


def test_everyone_email_only() -> None:
    counts = counts_of(AudienceCriteria(), P.EMAIL)
    assert numbers(counts) == expect(30, email=10, reserved=2, no_contact=9, stale=4, not_active=2, protected=3)


def test_everyone_sms_only() -> None:
    counts = counts_of(AudienceCriteria(), P.SMS)
    assert numbers(counts) == expect(30, sms=9, reserved=2, no_contact=11, stale=3, not_active=2, protected=3)


def test_segments_are_population_of_matched_unprotected_residents() -> None:
    segments = counts_of(AudienceCriteria()).by_segment
    assert segments["age_band"] == {"0-15": 1, "16-29": 8, "30-44": 7, "45-66": 7, "67+": 4}
    assert segments["district"] == {"Årvoll": 8, "Linderud": 9, "Veitvet": 9, "": 1}
    assert segments["household_type"] == {"single": 7, "couple": 6, "family_with_children": 9, "shared": 5}


# ---------------------------------------------------------------------------------- each criterion alone


def test_age_range_uses_exact_birthdays_and_prefilters_the_registry() -> None:
    registry = fixture_registry()
    counts = count_audience(registry, AudienceCriteria(age_min=30, age_max=50), P.EMAIL_THEN_SMS, TODAY)
    assert numbers(counts) == expect(13, email=5, sms=2, reserved=2, not_active=1, protected=3)
    (query,) = registry.population.queries
    assert query.born_to == date(1996, 6, 15)  # 30 today
    assert query.born_from == date(1975, 6, 16)  # 51 tomorrow is still 50 today
    assert query.municipality == "0301"


def test_age_boundaries() -> None:
    assert counts_of(AudienceCriteria(age_max=29)).by_segment["age_band"].get("30-44") is None
    only_29 = counts_of(AudienceCriteria(age_min=29, age_max=29))
    assert only_29.matched == 1
    assert only_29.reachable_email == 1
    only_30 = counts_of(AudienceCriteria(age_min=30, age_max=30))
    assert only_30.matched == 1  # person 15 turns 30 today
    assert counts_of(AudienceCriteria(age_min=67)).matched == 4


def test_polygon() -> None:
    counts = counts_of(AudienceCriteria(polygon=LINDERUD_RING))
    assert numbers(counts) == expect(10, email=3, sms=2, no_contact=2, stale=1, not_active=1, protected=1)
    assert counts.by_segment["district"] == {"Linderud": 9}


def test_sub_district() -> None:
    counts = counts_of(AudienceCriteria(sub_districts=("Veitvet",)))
    assert numbers(counts) == expect(10, email=4, sms=2, reserved=1, no_contact=1, stale=1, protected=1)


def test_several_sub_districts_are_any_of() -> None:
    assert counts_of(AudienceCriteria(sub_districts=("Veitvet", "Linderud"))).matched == 20


def test_street() -> None:
    counts = counts_of(AudienceCriteria(streets=("Årvollveien",)))
    assert numbers(counts) == expect(9, email=2, sms=2, reserved=1, no_contact=1, stale=1, not_active=1, protected=1)
    # Street names are matched without regard to case and spacing.
    assert counts_of(AudienceCriteria(streets=("  årvollVEIEN ",))).matched == 9


def test_children_aged() -> None:
    counts = counts_of(AudienceCriteria(child_age_min=5, child_age_max=12))
    assert numbers(counts) == expect(8, email=3, sms=2, reserved=1, not_active=1, protected=1)
    newborns = counts_of(AudienceCriteria(child_age_min=0, child_age_max=0))
    assert numbers(newborns) == expect(1, protected=1)
    adult_children = counts_of(AudienceCriteria(child_age_min=18))
    assert numbers(adult_children) == expect(1, sms=1)  # person 17, child aged 19


def test_languages_use_krr_language_after_lookup() -> None:
    # Protected residents are not looked up, so the language criterion cannot apply to them: counted anyway.
    assert numbers(counts_of(AudienceCriteria(languages=("nn",)))) == expect(5, sms=2, protected=3)
    assert numbers(counts_of(AudienceCriteria(languages=("en",)))) == expect(5, email=2, protected=3)
    # Missing, Sámi ("se") and unknown languages are written to in bokmål.
    assert counts_of(AudienceCriteria(languages=("nb",))).matched == 26
    assert counts_of(AudienceCriteria(languages=("nn", "en"))).matched == 7


def test_combined_criteria_are_all_of() -> None:
    counts = counts_of(
        AudienceCriteria(age_min=30, age_max=50, sub_districts=("Veitvet",), child_age_min=5, child_age_max=12)
    )
    assert numbers(counts) == expect(4, email=1, sms=1, reserved=1, protected=1)
    polygon_and_age = counts_of(AudienceCriteria(age_min=30, age_max=50, polygon=LINDERUD_RING))
    assert numbers(polygon_and_age) == expect(5, email=3, not_active=1, protected=1)
    nobody = counts_of(AudienceCriteria(polygon=LINDERUD_RING, sub_districts=("Veitvet",)))
    assert nobody.matched == 0
    with_language = counts_of(AudienceCriteria(polygon=LINDERUD_RING, languages=("en",)))
    assert numbers(with_language) == expect(2, email=1, protected=1)


def test_resident_without_address_is_left_out_of_place_criteria() -> None:
    everyone = counts_of(AudienceCriteria())
    all_districts = counts_of(AudienceCriteria(sub_districts=("Årvoll", "Linderud", "Veitvet")))
    assert everyone.matched - all_districts.matched == 1  # person 25 has no known address


# ---------------------------------------------------------------------------------- recipients


def test_select_recipients_matches_counts_and_excludes_protected() -> None:
    selection = select_recipients(fixture_registry(), AudienceCriteria(), P.EMAIL_THEN_SMS, TODAY)
    assert selection.counts.reachable == len(selection.recipients) == 16
    ids = {r.national_id for r in selection.recipients}
    assert not ids & PROTECTED_IDS
    assert len(ids) == 16
    by_id = {r.national_id: r for r in selection.recipients}
    first = by_id[national_id(1)]
    assert (first.channel, first.address, first.first_name) == ("email", "person1@example.no", "Navn1")
    assert (first.language, first.age_band, first.district, first.household_type) == ("nb", "16-29", "Årvoll", "single")
    fallback = by_id[national_id(4)]  # stale e-mail, fresh mobile
    assert (fallback.channel, fallback.address) == ("sms", "+4790000004")
    assert by_id[national_id(3)].language == "nn"
    assert by_id[national_id(8)].language == "en"
    assert by_id[national_id(12)].language == "nb"  # KRR "se"
    assert by_id[national_id(12)].channel == "sms"  # the e-mail address is malformed
    assert by_id[national_id(25)].district == ""


def test_sms_policy_never_picks_email() -> None:
    selection = select_recipients(fixture_registry(), AudienceCriteria(), P.SMS, TODAY)
    assert {r.channel for r in selection.recipients} == {"sms"}
    assert all(r.address.startswith("+47") for r in selection.recipients)


def test_contacts_are_looked_up_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "CONTACT_BATCH_SIZE", 4)
    registry = fixture_registry()
    counts = count_audience(registry, AudienceCriteria(), P.EMAIL_THEN_SMS, TODAY)
    assert counts.reachable == 16
    calls = registry.contacts.calls
    assert all(len(call) <= 4 for call in calls)
    assert sum(len(call) for call in calls) == 27  # every resident except the three protected, once


def test_stale_is_measured_against_today() -> None:
    # 600 days ago is stale today; a year and a half earlier the same data was fresh.
    earlier = date(2025, 1, 1)
    counts = count_audience(fixture_registry(), AudienceCriteria(streets=("Årvollveien",)), P.EMAIL, earlier)
    assert counts.stale == 0


def test_counts_json_roundtrip() -> None:
    counts = counts_of(AudienceCriteria(polygon=LINDERUD_RING))
    data = counts.to_json()
    assert AudienceCounts.from_json(data).to_json() == data
    assert set(data) == {*audience.COUNT_FIELDS, "by_segment"}
    text = repr(data)
    assert not any(p.national_id in text or p.given_name in text for p in PEOPLE)


def test_recipient_language_mapping() -> None:
    assert [recipient_language(x) for x in ("nb", "NN", "en", "se", None, "")] == ["nb", "nn", "en", "nb", "nb", "nb"]


# ---------------------------------------------------------------------------------- criteria and validation


def test_criteria_json_roundtrip() -> None:
    criteria = AudienceCriteria(
        age_min=30, age_max=50, sub_districts=("Veitvet",), polygon=LINDERUD_RING, streets=("Årvollveien",),
        child_age_min=1, child_age_max=5, languages=("nn",),
    )
    assert AudienceCriteria.from_json(criteria.to_json()) == criteria
    assert AudienceCriteria.from_json({}) == AudienceCriteria()
    assert AudienceCriteria.from_json(None) == AudienceCriteria()


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (AudienceCriteria(age_min=50, age_max=30), "The lowest age (50) is above the highest age (30)."),
        (AudienceCriteria(age_min=-1), "Ages must be between 0 and 120."),
        (AudienceCriteria(age_max=121), "Ages must be between 0 and 120."),
        (AudienceCriteria(child_age_min=9, child_age_max=3), "The children's lowest age (9) is above their highest"),
        (AudienceCriteria(child_age_max=200), "Children's ages must be between 0 and 120."),
        (AudienceCriteria(languages=("de",)), "Unknown language: de."),
        (AudienceCriteria(polygon=[[10.8, 59.9], [10.9, 59.9], [10.8, 59.9]]), "at least three different corners"),
        (AudienceCriteria(polygon=[[10.8, 59.9], [10.9, 59.9], [10.9, 60.0], [10.8, 60.0]]), "does not close"),
        (
            AudienceCriteria(polygon=[[10.8, 59.9], [10.9, 60.0], [10.9, 59.9], [10.8, 60.0], [10.8, 59.9]]),
            "edges cross each other",
        ),
        (AudienceCriteria(polygon=[[10.8, 59.9], [10.9, 59.9], [10.9, 99.0], [10.8, 59.9]]), "outside valid"),
    ],
)
def test_invalid_criteria_messages(english_ui, criteria: AudienceCriteria, message: str) -> None:
    with pytest.raises(InvalidCriteria) as caught:
        validate_criteria(criteria)
    assert message in caught.value.message
    assert isinstance(caught.value, DomainError)
    assert caught.value.status_code == 422


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        (AudienceCriteria(polygon=EMPTY_RING), "contains no addresses: it covers nobody"),
        (AudienceCriteria(sub_districts=("Grorud",)), "Unknown sub-district: Grorud."),
        (AudienceCriteria(streets=("Årvollveien", "Storgata")), "No such street in the address register: Storgata."),
    ],
)
def test_criteria_checked_against_the_registry(english_ui, criteria: AudienceCriteria, message: str) -> None:
    validate_criteria(criteria)  # fine on their own
    with pytest.raises(InvalidCriteria) as caught:
        count_audience(fixture_registry(), criteria, P.EMAIL, TODAY)
    assert message in caught.value.message


def test_messages_default_to_bokmal(app) -> None:
    # Needs the bokmål catalog (translations from /work/briefs/translations/audience.json merged and compiled).
    with app.test_request_context(), pytest.raises(InvalidCriteria) as caught:
        validate_criteria(AudienceCriteria(age_min=50, age_max=30))
    assert caught.value.message == "Laveste alder (50) er høyere enn høyeste alder (30)."


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("", True),
        ("[[10.8, 59.9], [10.9, 59.9], [10.9, 60.0], [10.8, 59.9]]", True),
        ('{"type": "Polygon", "coordinates": [[[10.8, 59.9], [10.9, 59.9], [10.9, 60.0], [10.8, 59.9]]]}', True),
        ("[[10.8, 59.9], [10.9]]", False),
        ("10.8 59.9", False),
        ('[["a", "b"], [1, 2], [3, 4]]', False),
        ('{"type": "MultiPolygon", "coordinates": []}', False),
    ],
)
def test_parse_polygon(english_ui, text: str, ok: bool) -> None:
    if ok:
        ring = audience.parse_polygon(text)
        assert ring is None if not text else len(ring) == 4
    else:
        with pytest.raises(InvalidCriteria):
            audience.parse_polygon(text)


def test_from_json_rejects_wrong_types(english_ui) -> None:
    with pytest.raises(InvalidCriteria, match="whole numbers"):
        AudienceCriteria.from_json({"age_min": "thirty"})
    with pytest.raises(InvalidCriteria):
        AudienceCriteria.from_json({"sub_districts": "Veitvet"})


def test_a_resident_repeated_by_the_register_is_counted_once() -> None:
    registry = fixture_registry()
    original = registry.population.residents

    def repeating(query):
        batches = list(original(query))
        yield from batches
        yield batches[0]  # the register sends the first batch again

    registry.population.residents = repeating
    counts = count_audience(registry, AudienceCriteria(), P.EMAIL_THEN_SMS, TODAY)
    assert counts.matched == 30
    assert counts.reachable == 16
