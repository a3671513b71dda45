"""The three registry interfaces and the bundle the rest of civic uses."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from civic.registry.types import Address, AreaInfo, Contact, Person, PopulationQuery

#: KRR answers at most 1000 persons per request; callers batch by this.
CONTACT_BATCH_SIZE = 1000


class PopulationRegister(Protocol):
    """Folkeregisteret (through Fiks): residents matching an extract query, in batches."""

    def residents(self, query: PopulationQuery) -> Iterator[list[Person]]: ...


class ContactRegister(Protocol):
    """KRR: contact data and reservations for at most CONTACT_BATCH_SIZE persons per call."""

    def lookup(self, national_ids: Sequence[str]) -> list[Contact]: ...


class AddressRegister(Protocol):
    """The cadastre's address points for the organisation's area, and the area itself."""

    def addresses(self) -> list[Address]: ...

    def area(self) -> AreaInfo: ...


@dataclass(frozen=True)
class Registry:
    """What a campaign needs: people, their contact data, and where they live."""

    population: PopulationRegister
    contacts: ContactRegister
    addresses: AddressRegister
