"""The bundled synthetic registry: deterministic, realistic, consistent with its own geography, and safe."""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import phonenumbers
import pytest
import shapely
from shapely.geometry import shape

from civic.registry.synthetic import SyntheticRegistry, fnr_is_valid
from civic.registry.types import ContactStatus, HouseholdType, PopulationQuery

TODAY = date(2026, 3, 1)


@pytest.fixture(scope="module")
def reg() -> SyntheticRegistry:
    return SyntheticRegistry("bjerke", today=TODAY)


@pytest.fixture(scope="module")
def people(reg):
    return reg.persons()


@pytest.fixture(scope="module")
def contacts(reg):
    return list(reg.all_contacts())


def test_deterministic(reg):
    again = SyntheticRegistry("bjerke", today=TODAY)
    assert [p for p in again.persons()[:500]] == reg.persons()[:500]
    assert list(again.all_contacts())[:500] == list(reg.all_contacts())[:500]
    assert again.addresses() == reg.addresses()
    later = SyntheticRegistry("bjerke", today=date(2026, 9, 30))
    assert [p.national_id for p in later.persons()] == [p.national_id for p in reg.persons()]  # stable over days
    other = SyntheticRegistry("bjerke", seed=7, today=TODAY)
    assert other.persons()[0] != reg.persons()[0]


def test_size_and_unique_valid_synthetic_ids(people):
    assert 30_000 <= len(people) <= 36_000
    ids = [p.national_id for p in people]
    assert len(set(ids)) == len(ids)
    assert all(fnr_is_valid(i) for i in ids)
    # Tenor convention: month + 80, so never a real fødselsnummer
    assert all(81 <= int(i[2:4]) <= 92 for i in ids)
    for p in people[:2000]:
        assert (int(p.national_id[:2]), int(p.national_id[2:4]) - 80) == (p.birth_date.day, p.birth_date.month)


def test_fnr_validator_rejects_bad_checksums():
    assert fnr_is_valid("08869230325")
    assert not fnr_is_valid("08869230326")
    assert not fnr_is_valid("0886923032")
    assert not fnr_is_valid("0886923032x")


def test_age_pyramid_and_households(people):
    ages = np.array([p.age_on(TODAY) for p in people])
    assert 0.17 <= np.mean(ages < 18) <= 0.27
    assert 0.07 <= np.mean(ages >= 67) <= 0.16
    assert 0.25 <= np.mean((ages >= 25) & (ages < 45)) <= 0.45
    assert ages.max() < 105
    kinds = Counter(p.household_type for p in people)
    assert set(kinds) == set(HouseholdType)
    parents = [p for p in people if p.children_birth_dates]
    assert parents
    for p in parents[:500]:
        assert p.household_type == HouseholdType.FAMILY_WITH_CHILDREN
        assert p.age_on(TODAY) >= 18
        assert all(0 <= (TODAY - b).days / 365.25 < 18 for b in p.children_birth_dates)
        assert all(b > p.birth_date for b in p.children_birth_dates)
    # every child of a parent is itself a resident at the same address
    by_address: dict[str, set[date]] = {}
    for p in people:
        by_address.setdefault(p.address_key, set()).add(p.birth_date)
    for p in parents[:500]:
        assert set(p.children_birth_dates) <= by_address[p.address_key]


def test_contact_shares(people, contacts):
    adults = [c for p, c in zip(people, contacts, strict=True) if p.age_on(TODAY) >= 18]
    n = len(adults)
    usable = sum(c.usable() and bool(c.email or c.mobile) for c in adults) / n
    reserved = sum(c.reserved for c in adults) / n
    no_contact = sum(not c.reserved and not (c.status == ContactStatus.ACTIVE and (c.email or c.mobile))
                     for c in adults) / n
    assert 0.94 <= usable <= 0.96
    assert 0.01 <= reserved <= 0.02
    assert 0.025 <= no_contact <= 0.045
    with_email = [c for c in adults if c.email]
    with_mobile = [c for c in adults if c.mobile]
    stale_email = sum(not c.email_fresh(TODAY) for c in with_email) / len(with_email)
    stale_mobile = sum(not c.mobile_fresh(TODAY) for c in with_mobile) / len(with_mobile)
    assert 0.05 <= stale_email <= 0.13
    assert 0.03 <= stale_mobile <= 0.10
    languages = Counter(c.language for c in adults if c.status == ContactStatus.ACTIVE)
    assert languages["nb"] / n > 0.75
    assert languages["nn"] > 0
    assert languages["en"] > 0
    assert languages["se"] > 0


def test_contact_values_are_safe_and_valid(contacts):
    emails = [c.email for c in contacts if c.email]
    mobiles = [c.mobile for c in contacts if c.mobile]
    assert len(set(emails)) == len(emails)
    assert len(set(mobiles)) == len(mobiles)
    domains = {e.rsplit("@", 1)[1] for e in emails}
    assert domains <= {"example.com", "example.net", "example.org", "eksempel.example"}
    assert all(e.isascii() for e in emails)
    for m in mobiles[:3000]:
        parsed = phonenumbers.parse(m)
        assert phonenumbers.is_valid_number(parsed)
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
        assert m == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def test_protected_share(people):
    share = sum(p.protected for p in people) / len(people)
    assert 0.0005 <= share <= 0.005


def test_children_mostly_not_in_krr(people, contacts):
    kids = [c for p, c in zip(people, contacts, strict=True) if p.age_on(TODAY) < 13]
    assert sum(c.status == ContactStatus.NOT_REGISTERED for c in kids) / len(kids) > 0.85


def test_geography_consistent(reg, people):
    area = reg.area()
    outline = shape(area.outline)
    assert area.municipality == "0301"
    assert set(area.sub_districts) == {"Årvoll", "Linderud", "Veitvet", "Risløkka", "Tonsenhagen", "Økern"}
    minx, miny, maxx, maxy = outline.bounds
    assert minx >= 10.78
    assert maxx <= 10.85
    assert miny >= 59.925
    assert maxy <= 59.955
    addresses = reg.addresses()
    assert 2_000 <= len(addresses) <= 5_000
    lon = np.array([a.lon for a in addresses])
    lat = np.array([a.lat for a in addresses])
    assert shapely.contains_xy(outline, lon, lat).all()
    cells = {name: shape(g) for name, g in reg.sub_district_polygons().items()}
    for a in addresses:
        assert cells[a.sub_district].buffer(1e-9).contains(shapely.Point(a.lon, a.lat)), a.key
        assert a.postcode.startswith("05")
        assert len(a.postcode) == 4
    assert len(Counter(a.sub_district for a in addresses)) == 6
    keys = [a.key for a in addresses]
    assert len(set(keys)) == len(keys)
    assert all(k.startswith("0301-") for k in keys)
    streets = {a.street for a in addresses}
    assert 40 <= len(streets) <= 80
    assert {"Trondheimsveien", "Årvollveien", "Veitvetveien"} <= streets
    known = set(keys)
    assert all(p.address_key in known for p in people)


def test_prefilters(reg, people):
    assert list(reg.residents(PopulationQuery("4601"))) == []
    born_from, born_to = date(1980, 1, 1), date(1989, 12, 31)
    batches = list(reg.residents(PopulationQuery("0301", born_from, born_to)))
    assert all(len(b) <= 5000 for b in batches)
    got = {p.national_id for b in batches for p in b}
    expected = {p.national_id for p in people if born_from <= p.birth_date <= born_to}
    assert got == expected
    assert got
    everyone = [p for b in reg.residents(PopulationQuery("0301")) for p in b]
    assert len(everyone) == len(people)
    only_from = {p.national_id for b in reg.residents(PopulationQuery("0301", born_from=date(2010, 1, 1))) for p in b}
    assert only_from == {p.national_id for p in people if p.birth_date >= date(2010, 1, 1)}


def test_lookup(reg, people):
    ids = [p.national_id for p in people[:1000]]
    contacts = reg.lookup(ids)
    assert [c.national_id for c in contacts] == ids
    with pytest.raises(ValueError):
        reg.lookup([p.national_id for p in people[:1001]])
    unknown = reg.lookup(["01010112345"])[0]
    assert unknown.status == ContactStatus.NOT_REGISTERED
    assert not unknown.email


@pytest.mark.slow
def test_oslo_population():
    reg = SyntheticRegistry("oslo", today=TODAY)
    assert 690_000 <= len(reg.national_id) <= 710_000
    assert len(np.unique(reg.national_id)) == len(reg.national_id)
    area = reg.area()
    assert len(area.sub_districts) == 15
    sample = reg.addresses()[::50]
    outline = shape(area.outline)
    assert shapely.contains_xy(outline, [a.lon for a in sample], [a.lat for a in sample]).all()
    batch = next(reg.residents(PopulationQuery("0301", date(1990, 1, 1), date(1990, 12, 31))))
    assert all(p.birth_date.year == 1990 for p in batch)
