"""Folkeregisteret through Fiks folkeregister: tailored extract → id batches → bulk lookup with a minimal ``part``.

Why: a municipality reaches the population register through KS Fiks (Maskinporten scope ``ks:fiks`` plus the Fiks
integration's id and password headers). The extract can only filter by municipality, birth years and status, so the
exact birth-date window is applied here; everything else (area, streets, children's ages) is filtered by the caller
in memory. Only the parts targeting needs are requested. Person documents hold lists of versions; the current one
(``erGjeldende``) is used. Children's birth dates come from their identity numbers (no extra lookup: minors are
assumed to live with the parent). Retry-After from Fiks/Skatteetaten is in milliseconds.
The bulk answer's wrapper (``dokumenter[].folkeregisterperson``) is inferred from client code; bare person
documents are accepted too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

import requests

from civic.registry.http_common import HttpSettings, TokenSource, json_of, new_session, request, sleep
from civic.registry.types import HouseholdType, Person, PopulationQuery, RegistryError

log = logging.getLogger(__name__)

SERVICE = "Folkeregisteret"
BULK_SIZE = 1000
PARTS = ("navn", "foedsel", "bostedsadresse", "adressebeskyttelse", "familierelasjon", "sivilstand")
_COUPLED = {"gift", "registrertpartner"}


def birth_date_from_id(national_id: str) -> date | None:
    """The birth date encoded in a fødselsnummer / d-nummer (also H-numbers and Tenor's synthetic +80 months)."""
    if len(national_id) != 11 or not national_id.isdigit():
        return None
    day, month, yy, individ = int(national_id[:2]), int(national_id[2:4]), int(national_id[4:6]), int(national_id[6:9])
    if day > 40:
        day -= 40  # d-nummer
    for offset in (80, 40):  # synthetic (Tenor), H-number
        if month > offset:
            month -= offset
            break
    if individ < 500:
        year = 1900 + yy
    elif individ < 750 and yy >= 54:
        year = 1800 + yy
    elif yy < 40:
        year = 2000 + yy
    elif individ >= 900:
        year = 1900 + yy
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def current(document: dict, name: str) -> dict | None:
    """The current version (``erGjeldende``) of a list-valued person property."""
    versions = document.get(name)
    if isinstance(versions, dict):
        return versions
    if not isinstance(versions, list):
        return None
    valid = [v for v in versions if isinstance(v, dict)]
    return next((v for v in valid if v.get("erGjeldende")), valid[0] if len(valid) == 1 else None)


def address_key(vegadresse: dict | None) -> str:
    """``<kommunenummer>-<adressekode 5 digits>-<husnummer><husbokstav>``, the same key as the address register."""
    if not isinstance(vegadresse, dict):
        return ""
    number = vegadresse.get("adressenummer") or {}
    try:
        code = int(vegadresse["adressekode"])
        house = int(number["husnummer"])
    except (KeyError, TypeError, ValueError):
        return ""
    letter = str(number.get("husbokstav") or "").upper()
    return f"{vegadresse.get('kommunenummer', '')}-{code:05d}-{house}{letter}"


def parse_person(document: dict, today: date) -> Person | None:
    """A Person from a person document, or None if it lacks an identity number or birth date."""
    national_id = document.get("foedselsEllerDNummer") or (current(document, "identifikasjonsnummer") or {}).get(
        "foedselsEllerDNummer")
    if not isinstance(national_id, str):
        return None
    birth = current(document, "foedsel") or {}
    try:
        birth_date = date.fromisoformat(str(birth.get("foedselsdato")))
    except ValueError:
        birth_date = birth_date_from_id(national_id)
    if birth_date is None:
        return None
    name = current(document, "navn") or {}
    given = " ".join(x for x in (name.get("fornavn"), name.get("mellomnavn")) if isinstance(x, str) and x)
    address = current(document, "bostedsadresse") or {}
    protection = current(document, "adressebeskyttelse") or {}
    protected = str(protection.get("graderingsnivaa") or "ugradert") != "ugradert"
    children = []
    for relation in document.get("familierelasjon") or []:
        if isinstance(relation, dict) and relation.get("erGjeldende", True) and \
                relation.get("relatertPersonsRolle") == "barn":
            born = birth_date_from_id(str(relation.get("relatertPerson", "")))
            if born is not None and _age(born, today) < 18:
                children.append(born)
    civil = str((current(document, "sivilstand") or {}).get("sivilstand") or "").lower()
    if children or _age(birth_date, today) < 18:
        household = HouseholdType.FAMILY_WITH_CHILDREN
    elif civil in _COUPLED:
        household = HouseholdType.COUPLE
    else:
        household = HouseholdType.SINGLE
    return Person(
        national_id=national_id,
        given_name=given,
        family_name=str(name.get("etternavn") or ""),
        birth_date=birth_date,
        address_key=address_key(address.get("vegadresse")),
        household_type=household,
        children_birth_dates=tuple(sorted(children)),
        protected=protected,
    )


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class FregPopulationRegister:
    """PopulationRegister over Fiks folkeregister (``FREG_URL`` = .../folkeregister/api/v1/<rolle-id>)."""

    def __init__(self, base_url: str, tokens: TokenSource, integration_id: str, integration_password: str, *,
                 settings: HttpSettings | None = None, session: requests.Session | None = None,
                 poll_interval: float = 2.0, max_polls: int = 150) -> None:
        self.base_url = base_url.rstrip("/")
        self.tokens = tokens
        self._headers = {"IntegrasjonId": integration_id, "IntegrasjonPassord": integration_password}
        self.settings = settings or HttpSettings()
        self.session = session or new_session()
        self.poll_interval, self.max_polls = poll_interval, max_polls

    def __repr__(self) -> str:
        return f"FregPopulationRegister(base_url={self.base_url!r})"

    def _call(self, method: str, path: str, **kwargs) -> requests.Response:
        return request(self.session, method, f"{self.base_url}{path}", service=SERVICE, settings=self.settings,
                       tokens=self.tokens, headers=self._headers, retry_after_unit="ms", **kwargs)

    def residents(self, query: PopulationQuery) -> Iterator[list[Person]]:
        job = self._start_extract(query)
        today = date.today()
        for ids in self._batches(job):
            for start in range(0, len(ids), BULK_SIZE):
                people = [p for p in self._bulk(ids[start:start + BULK_SIZE], today) if _wanted(p, query)]
                if people:
                    yield people

    def _start_extract(self, query: PopulationQuery) -> str:
        body: dict = {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": query.municipality}}
        if query.born_from is not None:
            body["foedselsaarFraOgMed"] = query.born_from.year
        if query.born_to is not None:
            body["foedselsaarTilOgMed"] = query.born_to.year
        answer = json_of(self._call("POST", "/v1/uttrekk/tilpasset", json_body=body), SERVICE)
        job = answer.get("jobbId") if isinstance(answer, dict) else None
        if not isinstance(job, str | int) or not str(job):
            raise RegistryError("Folkeregisteret did not start the extract")
        return str(job)

    def _batches(self, job: str) -> Iterator[list[str]]:
        polls = 0
        n = 0
        while True:
            response = self._call("GET", f"/v1/uttrekk/{job}/batch/{n}", accept=(404,))
            if response.status_code == 404:
                polls += 1
                if polls > self.max_polls:
                    raise RegistryError("Folkeregisteret's extract was not ready in time")
                sleep(self.poll_interval)
                continue
            batch = json_of(response, SERVICE)
            if not isinstance(batch, dict):
                raise RegistryError("Folkeregisteret sent an extract batch in an unknown shape")
            if batch.get("feilmelding"):
                raise RegistryError("Folkeregisteret reported an error in the extract")
            if not batch:
                return
            ids = batch.get("foedselsEllerDNummer")
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise RegistryError("Folkeregisteret sent an extract batch without identity numbers")
            yield ids
            n += 1

    def _bulk(self, ids: list[str], today: date) -> list[Person]:
        response = self._call("POST", "/v1/personer/bulkoppslag", params=[("part", p) for p in PARTS],
                              json_body={"foedselsEllerDNummer": ids})
        answer = json_of(response, SERVICE)
        documents = answer.get("dokumenter") if isinstance(answer, dict) else answer
        if not isinstance(documents, list):
            raise RegistryError("Folkeregisteret sent a bulk answer in an unknown shape")
        people = []
        for entry in documents:
            if not isinstance(entry, dict):
                raise RegistryError("Folkeregisteret sent a person in an unknown shape")
            document = entry.get("folkeregisterperson", entry)
            if "foedselsEllerDNummer" in entry and isinstance(document, dict):
                document = {**document, "foedselsEllerDNummer": entry["foedselsEllerDNummer"]}
            person = parse_person(document, today) if isinstance(document, dict) else None
            if person is not None:
                people.append(person)
        skipped = len(documents) - len(people)
        if skipped:
            log.warning("Folkeregisteret: %d person documents without identity number or birth date skipped", skipped)
        return people


def _wanted(person: Person, query: PopulationQuery) -> bool:
    if query.born_from is not None and person.birth_date < query.born_from:
        return False
    return query.born_to is None or person.birth_date <= query.born_to
