"""Fiks folkeregister over HTTP: extract → batches (404 = not ready) → bulk lookup with a minimal part list."""

from __future__ import annotations

from datetime import date

import pytest

from civic.registry.freg import PARTS, FregPopulationRegister, birth_date_from_id
from civic.registry.types import HouseholdType, PopulationQuery, RegistryError
from tests.registry.conftest import FAST
from tests.registry.fake_http import Reply

ROLE = "/folkeregister/api/v1/rolle-123"


class Tokens:
    def __init__(self) -> None:
        self.n = 0

    def get(self, refresh: bool = False) -> str:
        self.n += refresh
        return f"fiks-{self.n}"


def document(nid: str, born: str, *, street_code="12345", number="7", letter="b", protected="ugradert",
             children=(), civil="ugift", name=("Kari", "Nordmann")) -> dict:
    return {
        "identifikasjonsnummer": [{"foedselsEllerDNummer": nid, "erGjeldende": True}],
        "navn": [{"fornavn": "Gammel", "etternavn": "Navn", "erGjeldende": False},
                 {"fornavn": name[0], "etternavn": name[1], "erGjeldende": True}],
        "foedsel": [{"foedselsdato": born, "foedselsaar": born[:4], "erGjeldende": True}],
        "bostedsadresse": [
            {"erGjeldende": False, "vegadresse": {"kommunenummer": "0301", "adressekode": "99999",
                                                  "adressenummer": {"husnummer": "1"}}},
            {"erGjeldende": True, "vegadresse": {"kommunenummer": "0301", "adressenavn": "Årvollveien",
                                                 "adressekode": street_code,
                                                 "adressenummer": {"husnummer": number, "husbokstav": letter},
                                                 "poststed": {"postnummer": "0590", "poststedsnavn": "OSLO"}}},
        ],
        "adressebeskyttelse": [{"graderingsnivaa": protected, "erGjeldende": True}],
        "familierelasjon": [{"relatertPerson": c, "relatertPersonsRolle": "barn", "minRolleForPerson": "mor",
                             "erGjeldende": True} for c in children],
        "sivilstand": [{"sivilstand": civil, "erGjeldende": True}],
    }


PEOPLE = {
    "08869230325": document("08869230325", "1992-06-08"),
    "15857512345": document("15857512345", "1975-05-15", children=("01911550123", "01890050123"), civil="gift"),
    "20868012345": document("20868012345", "1980-06-20", civil="gift", protected="strengtFortrolig"),
    "01911550123": document("01911550123", "2015-11-01"),
    "05896012345": document("05896012345", "1960-09-05", letter=None, number="12"),
}


@pytest.fixture
def freg(server):
    return FregPopulationRegister(f"{server.url}{ROLE}", Tokens(), "integration-id", "integration-secret",
                                  settings=FAST, poll_interval=0.01, max_polls=5)


def serve_extract(server, batches: list[list[str]], not_ready: int = 1):
    state = {"polls": 0}

    @server.route("POST", f"{ROLE}/v1/uttrekk/tilpasset")
    def start(seen):
        return Reply(200, {"jobbId": "job-42"})

    for n in range(len(batches) + 1):
        @server.route("GET", f"{ROLE}/v1/uttrekk/job-42/batch/{n}")
        def batch(seen, n=n):
            if n == 0 and state["polls"] < not_ready:
                state["polls"] += 1
                return Reply(404, {"kode": "FREG-404", "melding": "ikke ferdig"})
            if n == len(batches):
                return Reply(200, {})
            return Reply(200, {"foedselsEllerDNummer": batches[n], "dokumentidentifikator": ["x"] * len(batches[n])})

    @server.route("POST", f"{ROLE}/v1/personer/bulkoppslag")
    def bulk(seen):
        ids = seen.json()["foedselsEllerDNummer"]
        return Reply(200, {"dokumenter": [{"foedselsEllerDNummer": i, "folkeregisterperson": PEOPLE[i]}
                                          for i in ids if i in PEOPLE]})


def test_extract_flow(server, freg, sleeps):
    serve_extract(server, [["08869230325", "15857512345"], ["20868012345", "01911550123", "05896012345"]])
    batches = list(freg.residents(PopulationQuery("0301", date(1960, 1, 1), date(2016, 12, 31))))
    people = {p.national_id: p for b in batches for p in b}
    assert set(people) == set(PEOPLE)

    start = server.requests_to(f"{ROLE}/v1/uttrekk/tilpasset")[0]
    assert start.json() == {"personstatustyper": ["bosatt"], "kommunenummer": {"bostedskommunenummer": "0301"},
                            "foedselsaarFraOgMed": 1960, "foedselsaarTilOgMed": 2016}
    assert start.headers["Authorization"] == "Bearer fiks-0"
    assert start.headers["IntegrasjonId"] == "integration-id"
    assert start.headers["IntegrasjonPassord"] == "integration-secret"
    assert len(sleeps) == 1  # batch 0 was not ready once
    bulk = server.requests_to(f"{ROLE}/v1/personer/bulkoppslag")
    assert len(bulk) == 2
    assert all(b.query["part"] == list(PARTS) for b in bulk)
    assert set(PARTS) <= {"navn", "foedsel", "bostedsadresse", "adressebeskyttelse", "familierelasjon", "sivilstand"}

    kari = people["08869230325"]
    assert (kari.given_name, kari.family_name, kari.birth_date) == ("Kari", "Nordmann", date(1992, 6, 8))
    assert kari.address_key == "0301-12345-7B"
    assert kari.household_type == HouseholdType.SINGLE
    assert not kari.protected
    parent = people["15857512345"]
    assert parent.household_type == HouseholdType.FAMILY_WITH_CHILDREN
    assert parent.children_birth_dates == (date(2015, 11, 1),)  # the adult child (born 2000) is not counted
    assert people["20868012345"].protected
    assert people["20868012345"].household_type == HouseholdType.COUPLE
    assert people["01911550123"].household_type == HouseholdType.FAMILY_WITH_CHILDREN
    assert people["05896012345"].address_key == "0301-12345-12"


def test_exact_birth_window_applied_locally(server, freg, sleeps):
    serve_extract(server, [list(PEOPLE)], not_ready=0)
    people = [p for b in freg.residents(PopulationQuery("0301", date(1975, 5, 16), date(1992, 6, 8))) for p in b]
    assert {p.national_id for p in people} == {"20868012345", "08869230325"}


def test_bulk_chunks_of_1000(server, freg, sleeps):
    ids = [f"{n:011d}" for n in range(2300)]
    serve_extract(server, [ids], not_ready=0)
    assert list(freg.residents(PopulationQuery("0301"))) == []
    sizes = [len(s.json()["foedselsEllerDNummer"]) for s in server.requests_to(f"{ROLE}/v1/personer/bulkoppslag")]
    assert sizes == [1000, 1000, 300]
    start = server.requests_to(f"{ROLE}/v1/uttrekk/tilpasset")[0].json()
    assert "foedselsaarFraOgMed" not in start


def test_429_retry_after_is_milliseconds(server, freg, sleeps):
    serve_extract(server, [["08869230325"]], not_ready=0)
    real = server.routes[("POST", f"{ROLE}/v1/uttrekk/tilpasset")]
    calls = []

    def limited(seen):
        calls.append(1)
        return Reply(429, {"kode": "FREG-429"}, {"Retry-After": "250"}) if len(calls) == 1 else real(seen)

    server.route("POST", f"{ROLE}/v1/uttrekk/tilpasset")(limited)
    assert [p.national_id for b in freg.residents(PopulationQuery("0301")) for p in b] == ["08869230325"]
    assert sleeps == [0.25]


def test_401_new_token(server, freg, sleeps):
    serve_extract(server, [["08869230325"]], not_ready=0)
    real = server.routes[("POST", f"{ROLE}/v1/personer/bulkoppslag")]

    def auth(seen):
        return Reply(401) if seen.headers["Authorization"] == "Bearer fiks-0" else real(seen)

    server.route("POST", f"{ROLE}/v1/personer/bulkoppslag")(auth)
    assert len(list(freg.residents(PopulationQuery("0301")))) == 1


def test_extract_never_ready(server, freg, sleeps):
    serve_extract(server, [["08869230325"]], not_ready=100)
    with pytest.raises(RegistryError, match="not ready"):
        list(freg.residents(PopulationQuery("0301")))
    assert len(sleeps) == 5


def test_extract_error_and_malformed(server, freg, sleeps):
    serve_extract(server, [["08869230325"]], not_ready=0)
    server.route("GET", f"{ROLE}/v1/uttrekk/job-42/batch/0")(lambda s: Reply(200, {"feilmelding": "feil"}))
    with pytest.raises(RegistryError):
        list(freg.residents(PopulationQuery("0301")))
    server.route("GET", f"{ROLE}/v1/uttrekk/job-42/batch/0")(lambda s: Reply(200, "<html>"))
    with pytest.raises(RegistryError, match="not JSON"):
        list(freg.residents(PopulationQuery("0301")))
    server.route("POST", f"{ROLE}/v1/uttrekk/tilpasset")(lambda s: Reply(200, {"status": "ok"}))
    with pytest.raises(RegistryError, match="did not start"):
        list(freg.residents(PopulationQuery("0301")))


def test_5xx_forever(server, freg, sleeps):
    server.route("POST", f"{ROLE}/v1/uttrekk/tilpasset")(lambda s: Reply(503))
    with pytest.raises(RegistryError, match="503"):
        list(freg.residents(PopulationQuery("0301")))
    assert len(server.requests_to(f"{ROLE}/v1/uttrekk/tilpasset")) == FAST.attempts


@pytest.mark.parametrize(("nid", "born"), [
    ("08869230325", date(1992, 6, 8)),  # synthetic (month + 80)
    ("01010112345", date(1901, 1, 1)),
    ("01010150012", date(2001, 1, 1)),
    ("41010112345", date(1901, 1, 1)),  # d-nummer
    ("01415090012", date(1950, 1, 1)),  # H-number (month + 40), individnummer 900+
])
def test_birth_date_from_id(nid, born):
    assert birth_date_from_id(nid) == born


def test_birth_date_from_bad_id():
    assert birth_date_from_id("123") is None
    assert birth_date_from_id("31029912345") is None
