"""A tiny hand-made registry (30 residents on 6 addresses) for exact audience counts.

Today is TODAY; each resident's age, address, household, children, protection and KRR record are chosen so
that every count in tests/campaigns/test_audience_service.py can be worked out by hand from the table below.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from civic.registry.base import CONTACT_BATCH_SIZE, Registry
from civic.registry.types import (
    Address,
    AreaInfo,
    Contact,
    ContactStatus,
    HouseholdType,
    Person,
    PopulationQuery,
    RegistryError,
)

TODAY = date(2026, 6, 15)
FRESH = TODAY - timedelta(days=30)
STALE = TODAY - timedelta(days=600)

H = HouseholdType
ADDRESSES = [
    Address("0301-1001-1", "Årvollveien", 1, "", "0590", 59.940, 10.800, "Årvoll"),
    Address("0301-1001-3", "Årvollveien", 3, "", "0590", 59.940, 10.810, "Årvoll"),
    Address("0301-1002-2", "Linderudsletta", 2, "", "0594", 59.940, 10.840, "Linderud"),
    Address("0301-1002-4", "Linderudsletta", 4, "", "0594", 59.940, 10.850, "Linderud"),
    Address("0301-1003-5", "Veitvetveien", 5, "", "0596", 59.950, 10.840, "Veitvet"),
    Address("0301-1003-7", "Veitvetveien", 7, "", "0596", 59.950, 10.850, "Veitvet"),
]
A1, A2, A3, A4, A5, A6 = (a.key for a in ADDRESSES)
OUTLINE = {
    "type": "Polygon",
    "coordinates": [[[10.79, 59.93], [10.86, 59.93], [10.86, 59.96], [10.79, 59.96], [10.79, 59.93]]],
}
#: A ring around A3 and A4 (Linderudsletta) only.
LINDERUD_RING = [[10.835, 59.935], [10.855, 59.935], [10.855, 59.945], [10.835, 59.945], [10.835, 59.935]]
#: A ring in the district with no address inside.
EMPTY_RING = [[10.82, 59.952], [10.83, 59.952], [10.83, 59.958], [10.82, 59.958], [10.82, 59.952]]

# n, age (or birth date), address, household, children's ages, protected, KRR kind, KRR language
ROWS: list[tuple] = [
    (1, 25, A1, H.SINGLE, (), False, "both", "nb"),
    (2, 34, A1, H.FAMILY_WITH_CHILDREN, (3, 7), False, "email", "nb"),
    (3, 36, A1, H.FAMILY_WITH_CHILDREN, (3, 7), False, "sms", "nn"),
    (4, 70, A2, H.COUPLE, (), False, "email_stale_sms", "nb"),
    (5, 68, A2, H.COUPLE, (), False, "stale", "nb"),
    (6, 45, A2, H.SINGLE, (), False, "reserved", "nb"),
    (7, 17, A2, H.SHARED, (), False, "none", None),
    (8, 40, A3, H.FAMILY_WITH_CHILDREN, (12,), False, "both", "en"),
    (9, 41, A3, H.FAMILY_WITH_CHILDREN, (12,), False, "deleted", "nb"),
    (10, 22, A3, H.SHARED, (), False, "notreg", None),
    (11, 23, A3, H.SHARED, (), False, "bad_phone", "nb"),
    (12, 55, A4, H.COUPLE, (), False, "bad_email_sms", "se"),
    (13, 52, A4, H.COUPLE, (), False, "email_stale", "nb"),
    (14, 33, A4, H.FAMILY_WITH_CHILDREN, (0, 16), True, "both", "nb"),
    (15, date(1996, 6, 15), A4, H.SINGLE, (), False, "email", "nb"),  # turns 30 today
    (16, date(1996, 6, 16), A5, H.SINGLE, (), False, "email", "nb"),  # 29 until tomorrow
    (17, 61, A5, H.FAMILY_WITH_CHILDREN, (19,), False, "sms", "nn"),
    (18, 39, A5, H.FAMILY_WITH_CHILDREN, (5,), False, "email", "nb"),
    (19, 38, A5, H.FAMILY_WITH_CHILDREN, (5,), True, "none", None),
    (20, 80, A6, H.SINGLE, (), False, "sms_stale", "nb"),
    (21, 27, A6, H.SHARED, (), False, "both", "en"),
    (22, 28, A6, H.SHARED, (), False, "email", "zz"),
    (23, 47, A6, H.FAMILY_WITH_CHILDREN, (10, 14), False, "reserved", "nb"),
    (24, 46, A6, H.FAMILY_WITH_CHILDREN, (10, 14), False, "email_stale_sms", "nb"),
    (25, 19, "", H.SINGLE, (), False, "email", "nb"),
    (26, 90, A1, H.SINGLE, (), False, "deleted", "nb"),
    (27, 35, A3, H.COUPLE, (), False, "email_sms_stale", "nb"),
    (28, 64, A4, H.COUPLE, (), False, "sms", "nb"),
    (29, 12, A5, H.FAMILY_WITH_CHILDREN, (), False, "none", None),
    (30, 44, A2, H.SINGLE, (), True, "none", None),
]


def national_id(n: int) -> str:
    return f"010190{n:05d}"


def _born(age_or_date: int | date) -> date:
    return age_or_date if isinstance(age_or_date, date) else date(TODAY.year - age_or_date, 1, 10)


def _contact(n: int, kind: str, language: str | None) -> Contact | None:
    nid = national_id(n)
    email, mobile = f"person{n}@example.no", f"+47{90000000 + n}"
    active = ContactStatus.ACTIVE
    if kind == "none":
        return None
    if kind == "notreg":
        return Contact(nid, ContactStatus.NOT_REGISTERED, False)
    if kind == "deleted":
        return Contact(nid, ContactStatus.DELETED, False, email, FRESH, mobile, FRESH, language)
    if kind == "reserved":
        return Contact(nid, active, True, email, FRESH, mobile, FRESH, language)
    shapes = {
        "both": (email, FRESH, mobile, FRESH),
        "email": (email, FRESH, None, None),
        "sms": (None, None, mobile, FRESH),
        "email_stale_sms": (email, STALE, mobile, FRESH),
        "stale": (email, STALE, mobile, STALE),
        "email_stale": (email, STALE, None, None),
        "sms_stale": (None, None, mobile, STALE),
        "bad_phone": (None, None, "+4712", FRESH),
        "bad_email_sms": ("not-an-address", FRESH, mobile, FRESH),
        "email_sms_stale": (email, FRESH, mobile, STALE),
    }
    e, e_on, m, m_on = shapes[kind]
    return Contact(nid, active, False, e, e_on, m, m_on, language)


PEOPLE = [
    Person(
        national_id=national_id(n),
        given_name=f"Navn{n}",
        family_name=f"Etternavn{n}",
        birth_date=_born(age),
        address_key=address,
        household_type=household,
        children_birth_dates=tuple(date(TODAY.year - c, 3, 1) for c in children),
        protected=protected,
    )
    for n, age, address, household, children, protected, _kind, _lang in ROWS
]
CONTACTS = {national_id(n): _contact(n, kind, lang) for n, *_, kind, lang in ROWS}
PROTECTED_IDS = {p.national_id for p in PEOPLE if p.protected}


@dataclass
class FakePopulation:
    batch_size: int = 7
    queries: list[PopulationQuery] = field(default_factory=list)
    fail: bool = False

    def residents(self, query: PopulationQuery) -> Iterator[list[Person]]:
        if self.fail:
            raise RegistryError("Folkeregisteret svarte ikke.")
        self.queries.append(query)
        people = [
            p
            for p in PEOPLE
            if (query.born_from is None or p.birth_date >= query.born_from)
            and (query.born_to is None or p.birth_date <= query.born_to)
        ]
        for start in range(0, len(people), self.batch_size):
            yield people[start : start + self.batch_size]


@dataclass
class FakeContacts:
    calls: list[list[str]] = field(default_factory=list)

    def lookup(self, national_ids: Sequence[str]) -> list[Contact]:
        assert len(national_ids) <= CONTACT_BATCH_SIZE
        assert not PROTECTED_IDS & set(national_ids), "protected residents must never be looked up"
        self.calls.append(list(national_ids))
        return [c for nid in national_ids if (c := CONTACTS.get(nid)) is not None]


class FakeAddresses:
    def addresses(self) -> list[Address]:
        return list(ADDRESSES)

    def area(self) -> AreaInfo:
        return AreaInfo("Bydel Test", "0301", OUTLINE, ("Linderud", "Veitvet", "Årvoll"))


def fixture_registry() -> Registry:
    return Registry(population=FakePopulation(), contacts=FakeContacts(), addresses=FakeAddresses())
