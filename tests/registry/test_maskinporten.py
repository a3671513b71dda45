"""Maskinporten JWT grants: the right claims, cached tokens, one fetch under concurrency, nothing secret logged."""

from __future__ import annotations

import logging
import threading
import uuid

import jwt
import pytest

from civic.registry.krr import KrrContactRegister
from civic.registry.maskinporten import MaskinportenClient
from civic.registry.types import RegistryError
from tests.registry.conftest import AUDIENCE, CLIENT_ID, FAST
from tests.registry.fake_http import Reply


def test_grant_claims_and_header(mp_client, rsa_key):
    grant = mp_client.grant("krr:global/kontaktinformasjon.read")
    header = jwt.get_unverified_header(grant)
    assert header["alg"] == "RS256"
    assert header["kid"] == "key-1"
    claims = jwt.decode(grant, rsa_key.public_key(), algorithms=["RS256"], audience=AUDIENCE)
    assert claims["iss"] == CLIENT_ID
    assert claims["scope"] == "krr:global/kontaktinformasjon.read"
    assert claims["exp"] - claims["iat"] == 120
    assert uuid.UUID(claims["jti"]).version == 4
    assert set(claims) == {"aud", "iss", "scope", "iat", "exp", "jti"}
    assert jwt.decode(mp_client.grant("x"), rsa_key.public_key(), algorithms=["RS256"],
                      audience=AUDIENCE)["jti"] != claims["jti"]


def test_token_cached_per_scope(mp_client, fake_maskinporten, server):
    first = mp_client.token("ks:fiks")
    assert mp_client.token("ks:fiks") == first
    assert mp_client.token("krr:global/kontaktinformasjon.read") != first
    assert len(server.requests_to("/token")) == 2
    assert mp_client.token("ks:fiks", refresh=True) != first
    assert len(server.requests_to("/token")) == 3


def test_token_refetched_when_close_to_expiry(mp_client, fake_maskinporten, server):
    fake_maskinporten.expires_in = 60  # within the 60 s safety margin: never reused
    assert mp_client.token("ks:fiks") != mp_client.token("ks:fiks")
    assert len(server.requests_to("/token")) == 2


def test_one_fetch_under_concurrency(mp_client, server):
    tokens = []
    threads = [threading.Thread(target=lambda: tokens.append(mp_client.token("ks:fiks"))) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(tokens)) == 1
    assert len(server.requests_to("/token")) == 1


def test_refused_grant_is_a_safe_error(server, pem, sleeps):
    server.route("POST", "/token")(lambda seen: Reply(400, {"error": "invalid_grant"}))
    client = MaskinportenClient(token_url=f"{server.url}/token", audience=AUDIENCE, client_id=CLIENT_ID,
                                key_id="k", private_key=pem, settings=FAST)
    with pytest.raises(RegistryError, match="HTTP 400"):
        client.token("ks:fiks")
    assert len(server.requests_to("/token")) == 1


def test_token_endpoint_5xx_retried(server, pem, sleeps, fake_maskinporten):
    calls = []
    real = server.routes[("POST", "/token")]

    def flaky(seen):
        calls.append(1)
        return Reply(503) if len(calls) == 1 else real(seen)

    server.route("POST", "/token")(flaky)
    client = MaskinportenClient(token_url=f"{server.url}/token", audience=AUDIENCE, client_id=CLIENT_ID,
                                key_id="k", private_key=pem, settings=FAST)
    assert client.token("ks:fiks") == fake_maskinporten.current
    assert len(calls) == 2
    assert sleeps == [FAST.backoff]


def test_bad_key_is_a_configuration_error():
    with pytest.raises(ValueError, match="PEM"):
        MaskinportenClient(token_url="http://x", audience=AUDIENCE, client_id="c", key_id="k", private_key=b"nope")


def test_tokens_and_assertions_never_logged(server, mp_client, fake_maskinporten, caplog, sleeps):
    """A full KRR call with token fetch, 401 → new token, and a 5xx retry: no secret reaches any log record."""
    state = {"n": 0}

    @server.route("POST", "/krr")
    def krr(seen):
        state["n"] += 1
        if state["n"] == 1:
            return Reply(401)
        if state["n"] == 2:
            return Reply(502)
        assert seen.headers["Authorization"] == f"Bearer {fake_maskinporten.current}"
        return Reply(200, {"personer": []})

    caplog.set_level(logging.DEBUG)
    register = KrrContactRegister(f"{server.url}/krr", mp_client.tokens("krr:global/kontaktinformasjon.read"),
                                  settings=FAST)
    assert register.lookup(["08869230325"])[0].national_id == "08869230325"
    assert len(fake_maskinporten.issued) == 2
    secrets = fake_maskinporten.issued + fake_maskinporten.assertions
    logged = caplog.text + " ".join(repr(r.args) for r in caplog.records)
    assert caplog.records  # the flow did log (retries, token fetches) ...
    for secret in secrets:
        assert secret not in logged  # ... but never a token or an assertion
        assert secret not in repr(mp_client)
    assert "08869230325" not in logged
