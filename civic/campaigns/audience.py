"""Who a campaign reaches: matching audience criteria against the registries, and the counts that explain it.

The criteria themselves, their validation and the address index live in ``civic.campaigns.audience_criteria``;
they are re-exported here, so ``from civic.campaigns.audience import AudienceCriteria, validate_criteria`` works.

The municipality keeps criteria and aggregate counts, never people. Matching runs in memory:

1. The population register is asked only for the age window (``PopulationQuery.born_from/born_to``), so
   the registry filters cheaply; birth dates are checked again here because some registries filter by year.
2. Place criteria (polygon, sub-districts, streets) are turned once into a set of address keys over the
   cadastre's address points (vectorised ``shapely.contains_xy`` on cached numpy arrays), so each resident
   costs one set lookup.
3. Households with children aged x–y are checked on ``Person.children_birth_dates``.
4. The remaining residents are looked up in KRR in batches of ``CONTACT_BATCH_SIZE``; the preferred-language
   criterion is applied to the KRR language (missing or unknown languages count as bokmål, the language we
   would write in), then reachability follows the campaign's channel policy.

All given criteria must hold (AND); within a list (sub-districts, streets, languages) any item is enough (OR).

**Protected residents** (``adressebeskyttelse``, ``Person.protected``) are never contacted and never located:
they are not looked up in KRR, get no recipient record and no segment, and appear in one aggregate number
only, ``protected`` (the planner sees 1–4 as "fewer than 5"). They are excluded from every send. Since
they are not looked up in KRR, the language criterion does not apply to them.

Every matched resident is explained exactly once:
``matched == reachable + reserved + no_contact + stale + not_active + protected``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import phonenumbers

from civic.campaigns.audience_criteria import (
    INDEX_MAX_AGE_S,
    LANGUAGES,
    MAX_AGE,
    MAX_POLYGON_POINTS,
    MAX_STREETS,
    MIN_AGE,
    AddressIndex,
    AudienceCriteria,
    InvalidCriteria,
    address_index,
    area_geojson,
    parse_polygon,
    validate_criteria,
)
from civic.campaigns.models import ChannelPolicy
from civic.registry.base import CONTACT_BATCH_SIZE, Registry
from civic.registry.types import Contact, ContactStatus, Person, PopulationQuery, age_band

#: The aggregate numbers AudienceCounts carries, in the order the preview lists them.
COUNT_FIELDS = (
    "matched",
    "reachable",
    "reachable_email",
    "reachable_sms",
    "reserved",
    "no_contact",
    "stale",
    "not_active",
    "protected",
)
SEGMENT_DIMENSIONS = ("age_band", "district", "household_type")

_EMAIL_RE = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\".]{2,}$")
_NORWEGIAN_MOBILE_RE = re.compile(r"^\+47[49]\d{7}$")


# --------------------------------------------------------------------------------------------- matching


@dataclass(frozen=True, slots=True)
class Recipient:
    """One resident to message. Exists in memory and in transient task payloads only."""

    national_id: str
    first_name: str
    channel: str  # "email" | "sms"
    address: str  # e-mail address or E.164 phone number
    language: str  # "nb" | "nn" | "en"
    age_band: str
    district: str
    household_type: str


@dataclass
class AudienceCounts:
    """Aggregate numbers only. ``by_segment`` counts matched residents who are not protected."""

    matched: int = 0
    reachable: int = 0
    reachable_email: int = 0
    reachable_sms: int = 0
    reserved: int = 0
    no_contact: int = 0
    stale: int = 0
    not_active: int = 0
    protected: int = 0
    by_segment: dict[str, dict[str, int]] = field(default_factory=lambda: {d: {} for d in SEGMENT_DIMENSIONS})

    @property
    def not_reached(self) -> int:
        return self.reserved + self.no_contact + self.stale + self.not_active + self.protected

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in COUNT_FIELDS}
        data["by_segment"] = {dim: dict(sorted(values.items())) for dim, values in self.by_segment.items()}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AudienceCounts:
        counts = cls(**{name: int(data.get(name, 0)) for name in COUNT_FIELDS})
        for dim, values in (data.get("by_segment") or {}).items():
            counts.by_segment[dim] = {str(k): int(v) for k, v in values.items()}
        return counts


@dataclass
class AudienceSelection:
    recipients: list[Recipient]
    counts: AudienceCounts


def count_audience(
    registry: Registry, criteria: AudienceCriteria, policy: ChannelPolicy, today: date
) -> AudienceCounts:
    """Count who the criteria match and how many of them the policy reaches (no recipient list is kept)."""
    counts = AudienceCounts()
    for _recipient in _match(registry, criteria, ChannelPolicy(policy), today, counts, keep=False):
        pass
    return counts


def select_recipients(
    registry: Registry, criteria: AudienceCriteria, policy: ChannelPolicy, today: date
) -> AudienceSelection:
    """Return the reachable residents (in memory only) and the counts that explain everyone else."""
    counts = AudienceCounts()
    recipients = list(_match(registry, criteria, ChannelPolicy(policy), today, counts, keep=True))
    return AudienceSelection(recipients=recipients, counts=counts)


def birth_window(criteria: AudienceCriteria, today: date) -> tuple[date | None, date | None]:
    """Return (born_from, born_to), inclusive, for residents aged age_min–age_max on ``today``."""
    born_to = _years_before(today, criteria.age_min) if criteria.age_min is not None else None
    born_from = (
        _years_before(today, criteria.age_max + 1) + timedelta(days=1) if criteria.age_max is not None else None
    )
    return born_from, born_to


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year: a person born 1 March turns that age on 1 March
        return day.replace(year=day.year - years, month=2, day=28)


def _match(
    registry: Registry,
    criteria: AudienceCriteria,
    policy: ChannelPolicy,
    today: date,
    counts: AudienceCounts,
    *,
    keep: bool,
) -> Iterator[Recipient]:
    validate_criteria(criteria, registry)
    index = address_index(registry.addresses)
    place = index.place_keys(criteria)
    born_from, born_to = birth_window(criteria, today)
    low = born_from or date.min
    high = born_to or date.max
    child_window = _child_window(criteria, today)
    municipality = registry.addresses.area().municipality
    query = PopulationQuery(municipality=municipality, born_from=born_from, born_to=born_to)

    pending: list[Person] = []
    seen: set[str] = set()  # a register that repeats a resident across batches must not count them twice
    for batch in registry.population.residents(query):
        for person in batch:
            if not low <= person.birth_date <= high:
                continue
            if place is not None and person.address_key not in place:
                continue
            if child_window is not None:
                c_low, c_high = child_window
                if not any(c_low <= born <= c_high for born in person.children_birth_dates):
                    continue
            if person.national_id in seen:
                continue
            seen.add(person.national_id)
            if person.protected:
                counts.protected += 1
                counts.matched += 1
                continue
            pending.append(person)
            if len(pending) >= CONTACT_BATCH_SIZE:
                yield from _reach(registry, pending, criteria, policy, today, index, counts, keep)
                pending = []
    if pending:
        yield from _reach(registry, pending, criteria, policy, today, index, counts, keep)


def _child_window(criteria: AudienceCriteria, today: date) -> tuple[date, date] | None:
    if not criteria.has_children:
        return None
    low_age = criteria.child_age_min if criteria.child_age_min is not None else MIN_AGE
    high_age = criteria.child_age_max if criteria.child_age_max is not None else MAX_AGE
    return _years_before(today, high_age + 1) + timedelta(days=1), _years_before(today, low_age)


def _reach(
    registry: Registry,
    people: list[Person],
    criteria: AudienceCriteria,
    policy: ChannelPolicy,
    today: date,
    index: AddressIndex,
    counts: AudienceCounts,
    keep: bool,
) -> Iterator[Recipient]:
    answers = registry.contacts.lookup([person.national_id for person in people])
    contacts = {contact.national_id: contact for contact in answers}
    languages = set(criteria.languages)
    segments = counts.by_segment
    age_bands, districts, households = segments["age_band"], segments["district"], segments["household_type"]
    for person in people:
        contact = contacts.get(person.national_id)
        language = recipient_language(contact.language if contact is not None else None)
        if languages and language not in languages:
            continue
        counts.matched += 1
        band = age_band(person.age_on(today))
        district = index.district(person.address_key)
        household = str(person.household_type)
        age_bands[band] = age_bands.get(band, 0) + 1
        districts[district] = districts.get(district, 0) + 1
        households[household] = households.get(household, 0) + 1
        outcome = reachability(contact, policy, today)
        if outcome[0] != "reachable":
            setattr(counts, outcome[0], getattr(counts, outcome[0]) + 1)
            continue
        channel, address = outcome[1], outcome[2]
        counts.reachable += 1
        if channel == "email":
            counts.reachable_email += 1
        else:
            counts.reachable_sms += 1
        if keep:
            yield Recipient(
                national_id=person.national_id,
                first_name=person.given_name,
                channel=channel,
                address=address,
                language=language,
                age_band=band,
                district=district,
                household_type=household,
            )


def recipient_language(spraak: str | None) -> str:
    """Map KRR ``spraak`` to a message language: nb, nn or en; anything else is bokmål."""
    code = (spraak or "").strip().lower()
    return code if code in LANGUAGES else "nb"


def valid_email(value: str | None) -> bool:
    return bool(value) and len(value) <= 254 and _EMAIL_RE.match(value) is not None  # type: ignore[arg-type]


def valid_mobile(value: str | None) -> bool:
    """An E.164 number that can receive SMS (Norwegian mobiles fast; others through phonenumbers)."""
    if not value:
        return False
    if _NORWEGIAN_MOBILE_RE.match(value):
        return True
    if not value.startswith("+") or value.startswith("+47"):
        return False
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def reachability(contact: Contact | None, policy: ChannelPolicy, today: date) -> tuple[str, str, str]:
    """Return ("reachable", channel, address) or (reason, "", "") with reason one of the count fields.

    Order: no KRR entry or IKKE_REGISTRERT → no_contact; SLETTET → not_active; reserved → reserved; then the
    policy's channels: a fresh valid address → reachable; a valid but stale one (> 18 months) → stale;
    otherwise (missing or malformed addresses) → no_contact.
    """
    if contact is None or contact.status == ContactStatus.NOT_REGISTERED:
        return ("no_contact", "", "")
    if contact.status == ContactStatus.DELETED:
        return ("not_active", "", "")
    if contact.status != ContactStatus.ACTIVE:
        return ("no_contact", "", "")
    if contact.reserved:
        return ("reserved", "", "")
    email_ok = policy in (ChannelPolicy.EMAIL, ChannelPolicy.EMAIL_THEN_SMS) and valid_email(contact.email)
    sms_ok = policy in (ChannelPolicy.SMS, ChannelPolicy.EMAIL_THEN_SMS) and valid_mobile(contact.mobile)
    if email_ok and contact.email_fresh(today):
        return ("reachable", "email", contact.email or "")
    if sms_ok and contact.mobile_fresh(today):
        return ("reachable", "sms", contact.mobile or "")
    if email_ok or sms_ok:
        return ("stale", "", "")
    return ("no_contact", "", "")


def segment_totals(counts: AudienceCounts) -> dict[str, int]:
    """Sum of each segment dimension (equals matched − protected)."""
    return {dim: sum(values.values()) for dim, values in counts.by_segment.items()}


__all__ = [
    "COUNT_FIELDS",
    "INDEX_MAX_AGE_S",
    "LANGUAGES",
    "MAX_AGE",
    "MAX_POLYGON_POINTS",
    "MAX_STREETS",
    "MIN_AGE",
    "SEGMENT_DIMENSIONS",
    "AddressIndex",
    "AudienceCounts",
    "AudienceCriteria",
    "AudienceSelection",
    "InvalidCriteria",
    "Recipient",
    "address_index",
    "area_geojson",
    "birth_window",
    "count_audience",
    "parse_polygon",
    "reachability",
    "recipient_language",
    "segment_totals",
    "select_recipients",
    "valid_email",
    "valid_mobile",
    "validate_criteria",
]
