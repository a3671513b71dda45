"""KRR over HTTP: request shape, answer parsing, batching and the shared failure policy."""

from __future__ import annotations

from datetime import date

import pytest

from civic.registry.krr import KrrContactRegister, lookup_in_batches, normalise_mobile
from civic.registry.types import ContactStatus, RegistryError
from tests.registry.conftest import FAST
from tests.registry.fake_http import Reply


class StaticTokens:
    def __init__(self) -> None:
        self.n = 0

    def get(self, refresh: bool = False) -> str:
        if refresh:
            self.n += 1
        return f"token-{self.n}"


PERSONS = [
    {"personidentifikator": "01010112345", "reservasjon": "NEI", "status": "AKTIV", "varslingsstatus": "KAN_VARSLES",
     "kontaktinformasjon": {"epostadresse": "kari.nordmann123@example.com",
                            "epostadresse_oppdatert": "2023-06-29T10:14:52+02",
                            "epostadresse_sist_verifisert": "2025-11-02T08:00:00+01",
                            "mobiltelefonnummer": "912 34 567", "mobiltelefonnummer_oppdatert": "2022-01-01T00:00:00Z"},
     "spraak": "nn"},
    {"personidentifikator": "02020212345", "reservasjon": "JA", "status": "AKTIV",
     "kontaktinformasjon": {"epostadresse": "reservert@example.com"}},
    {"personidentifikator": "03030312345", "reservasjon": "NEI", "status": "IKKE_REGISTRERT"},
    {"personidentifikator": "04040412345", "reservasjon": "NEI", "status": "AKTIV",
     "kontaktinformasjon": {"epostadresse": "not an address", "mobiltelefonnummer": "+47 4212345"}, "spraak": "xx"},
    {"personidentifikator": "06060612345", "reservasjon": "NEI", "status": "SLETTET"},
]


@pytest.fixture
def krr(server):
    return KrrContactRegister(f"{server.url}/rest/v2/personer", StaticTokens(), settings=FAST)


def test_request_and_parsing(server, krr):
    @server.route("POST", "/rest/v2/personer")
    def answer(seen):
        return Reply(200, {"personer": PERSONS})

    ids = ["01010112345", "02020212345", "03030312345", "04040412345", "05050512345", "06060612345"]
    contacts = krr.lookup(ids)
    seen = server.requests_to("/rest/v2/personer")[0]
    assert seen.json() == {"personidentifikatorer": ids, "inkluderIkkeRegistrerte": True}
    assert seen.headers["Authorization"] == "Bearer token-0"
    assert seen.headers["Content-Type"] == "application/json"
    assert [c.national_id for c in contacts] == ids
    kari, reserved, unregistered, broken, missing, deleted = contacts
    assert kari.status == ContactStatus.ACTIVE
    assert kari.usable()
    assert kari.email == "kari.nordmann123@example.com"
    assert kari.email_confirmed_on == date(2025, 11, 2)  # later of oppdatert and sist_verifisert
    assert kari.mobile == "+4791234567"
    assert kari.mobile_confirmed_on == date(2022, 1, 1)
    assert kari.language == "nn"
    assert kari.email_fresh(date(2026, 3, 1))
    assert not kari.mobile_fresh(date(2026, 3, 1))
    assert reserved.reserved
    assert reserved.email is None
    assert not reserved.usable()
    assert unregistered.status == ContactStatus.NOT_REGISTERED
    assert broken.email is None
    assert broken.mobile is None
    assert broken.language is None
    assert missing.status == ContactStatus.NOT_REGISTERED
    assert deleted.status == ContactStatus.DELETED


def test_phone_normalisation():
    assert normalise_mobile("+47 912 34 567") == "+4791234567"
    assert normalise_mobile("0047 91234567") == "+4791234567"
    assert normalise_mobile("91234567") == "+4791234567"
    assert normalise_mobile("1234") is None
    assert normalise_mobile("abc") is None
    assert normalise_mobile(None) is None


def test_batches_of_at_most_1000(server, krr):
    @server.route("POST", "/rest/v2/personer")
    def answer(seen):
        ids = seen.json()["personidentifikatorer"]
        return Reply(200, {"personer": [{"personidentifikator": i, "reservasjon": "NEI", "status": "AKTIV",
                                         "kontaktinformasjon": {"mobiltelefonnummer": "+4791234567"}} for i in ids]})

    ids = [f"{n:011d}" for n in range(2500)]
    contacts = [c for batch in lookup_in_batches(krr, ids) for c in batch]
    sizes = [len(s.json()["personidentifikatorer"]) for s in server.requests_to("/rest/v2/personer")]
    assert sizes == [1000, 1000, 500]
    assert [c.national_id for c in contacts] == ids
    with pytest.raises(ValueError):
        krr.lookup(ids[:1001])
    assert krr.lookup([]) == []


def test_401_fetches_a_new_token_once(server, krr):
    @server.route("POST", "/rest/v2/personer")
    def answer(seen):
        if seen.headers["Authorization"] == "Bearer token-0":
            return Reply(401)
        return Reply(200, {"personer": []})

    assert krr.lookup(["01010112345"])[0].status == ContactStatus.NOT_REGISTERED
    auth = [s.headers["Authorization"] for s in server.requests_to("/rest/v2/personer")]
    assert auth == ["Bearer token-0", "Bearer token-1"]


def test_401_twice_fails(server, krr):
    server.route("POST", "/rest/v2/personer")(lambda seen: Reply(401))
    with pytest.raises(RegistryError, match="401"):
        krr.lookup(["01010112345"])
    assert len(server.requests_to("/rest/v2/personer")) == 2


def test_429_waits_retry_after_seconds(server, krr, sleeps):
    calls = []

    @server.route("POST", "/rest/v2/personer")
    def answer(seen):
        calls.append(1)
        return Reply(429, {}, {"Retry-After": "2"}) if len(calls) == 1 else Reply(200, {"personer": []})

    krr.lookup(["01010112345"])
    assert sleeps == [2.0]


def test_429_too_long_or_forever_fails(server, krr, sleeps):
    server.route("POST", "/rest/v2/personer")(lambda seen: Reply(429, {}, {"Retry-After": "3600"}))
    with pytest.raises(RegistryError, match="429"):
        krr.lookup(["01010112345"])
    assert sleeps == []
    server.route("POST", "/rest/v2/personer")(lambda seen: Reply(429, {}, {"Retry-After": "1"}))
    with pytest.raises(RegistryError, match="429"):
        krr.lookup(["01010112345"])
    assert sleeps == [1.0, 1.0]


def test_5xx_then_success(server, krr, sleeps):
    calls = []

    @server.route("POST", "/rest/v2/personer")
    def answer(seen):
        calls.append(1)
        return Reply(503) if len(calls) < 3 else Reply(200, {"personer": PERSONS[:1]})

    assert krr.lookup(["01010112345"])[0].usable()
    assert sleeps == [FAST.backoff, FAST.backoff * 2]


def test_5xx_forever_is_a_registry_error_without_personal_data(server, krr, sleeps):
    server.route("POST", "/rest/v2/personer")(lambda seen: Reply(500, {"melding": "01010112345 failed"}))
    with pytest.raises(RegistryError) as err:
        krr.lookup(["01010112345"])
    assert len(server.requests_to("/rest/v2/personer")) == FAST.attempts
    assert "01010112345" not in str(err.value)
    assert "500" in str(err.value)


@pytest.mark.parametrize("body", ["{not json", '{"noPersons": []}', '{"personer": [42]}', "[]"])
def test_malformed_answers(server, krr, body):
    server.route("POST", "/rest/v2/personer")(lambda seen: Reply(200, body))
    with pytest.raises(RegistryError):
        krr.lookup(["01010112345"])


def test_other_4xx_not_retried(server, krr):
    server.route("POST", "/rest/v2/personer")(lambda seen: Reply(400, {"melding": "bad"}))
    with pytest.raises(RegistryError, match="400"):
        krr.lookup(["01010112345"])
    assert len(server.requests_to("/rest/v2/personer")) == 1


def test_unreachable_server(sleeps):
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    register = KrrContactRegister(f"http://127.0.0.1:{port}/rest/v2/personer", StaticTokens(), settings=FAST)
    with pytest.raises(RegistryError, match="could not be reached"):
        register.lookup(["01010112345"])
    assert len(sleeps) == FAST.attempts - 1
