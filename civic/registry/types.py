"""Plain records the registry adapters return. Personal data: keep in memory only, never persist or log."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta

#: Digdir's 18-month rule: contact data not updated or verified since is "stale" (eForvaltningsforskriften §32).
FRESHNESS = timedelta(days=548)


class HouseholdType(enum.StrEnum):
    """Coarse household segment; the only household fact an invitation may carry."""

    SINGLE = "single"
    COUPLE = "couple"
    FAMILY_WITH_CHILDREN = "family_with_children"
    SHARED = "shared"  # several adults who are not a couple (students, flatmates, adult children)


#: Coarse age bands an invitation may carry (the same bands the survey reports use).
AGE_BANDS = ("0-15", "16-29", "30-44", "45-66", "67+")


def age_band(age: int) -> str:
    """Return the coarse band for an age in whole years."""
    if age < 16:
        return "0-15"
    if age < 30:
        return "16-29"
    if age < 45:
        return "30-44"
    if age < 67:
        return "45-66"
    return "67+"


class ContactStatus(enum.StrEnum):
    """KRR ``status``."""

    ACTIVE = "AKTIV"
    DELETED = "SLETTET"
    NOT_REGISTERED = "IKKE_REGISTRERT"


@dataclass(frozen=True, slots=True)
class Address:
    """An official address point (cadastre). Not personal data; may be cached."""

    key: str  # "<kommunenummer>-<adressekode>-<husnummer><bokstav>", the join key with the population register
    street: str
    number: int
    letter: str
    postcode: str
    lat: float
    lon: float
    sub_district: str  # delbydel / grunnkrets area name, e.g. "Årvoll"

    @property
    def text(self) -> str:
        return f"{self.street} {self.number}{self.letter}"


@dataclass(frozen=True, slots=True)
class Person:
    """A resident as the population register describes them, reduced to what targeting needs."""

    national_id: str  # fødselsnummer / d-nummer
    given_name: str
    family_name: str
    birth_date: date
    address_key: str  # Address.key of the bostedsadresse; "" if unknown
    household_type: HouseholdType
    children_birth_dates: tuple[date, ...] = ()  # children living in the same household
    #: adressebeskyttelse fortrolig / strengt fortrolig: never targeted by place, never located.
    protected: bool = False

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


@dataclass(frozen=True, slots=True)
class Contact:
    """One KRR answer, reduced to what sending needs."""

    national_id: str
    status: ContactStatus
    reserved: bool
    email: str | None = None
    email_confirmed_on: date | None = None  # the later of epostadresse_oppdatert and _sist_verifisert
    mobile: str | None = None  # E.164, e.g. "+4791234567"
    mobile_confirmed_on: date | None = None
    language: str | None = None  # spraak: "nb", "nn", "en", "se"

    def usable(self) -> bool:
        return self.status == ContactStatus.ACTIVE and not self.reserved

    def email_fresh(self, today: date) -> bool:
        return bool(self.email) and self.email_confirmed_on is not None and today - self.email_confirmed_on <= FRESHNESS

    def mobile_fresh(self, today: date) -> bool:
        return (
            bool(self.mobile) and self.mobile_confirmed_on is not None and today - self.mobile_confirmed_on <= FRESHNESS
        )


@dataclass(frozen=True, slots=True)
class PopulationQuery:
    """The pre-filters the population register's extract API supports (Fiks: kommune and birth years)."""

    municipality: str  # kommunenummer, e.g. "0301" for Oslo
    born_from: date | None = None  # inclusive
    born_to: date | None = None  # inclusive


@dataclass(frozen=True)
class AreaInfo:
    """The organisation's area for the map: outline and named sub-districts (GeoJSON, lon/lat, EPSG:4326)."""

    name: str
    municipality: str
    outline: dict  # GeoJSON Polygon or MultiPolygon geometry
    sub_districts: tuple[str, ...] = field(default=())


class RegistryError(Exception):
    """A registry could not answer usefully (after retries). The message is safe to show and log."""
