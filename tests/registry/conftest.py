"""Fixtures for the registry adapter tests: an RSA key, fake servers, a fake Maskinporten, no real sleeping."""

from __future__ import annotations

import threading
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from civic.registry import freg, http_common, maskinporten
from civic.registry.http_common import HttpSettings
from civic.registry.maskinporten import MaskinportenClient
from tests.registry.fake_http import FakeServer, Reply

FAST = HttpSettings(timeout=5, attempts=3, backoff=0.01, max_wait=5)
CLIENT_ID = "civic-test-client"
AUDIENCE = "https://test.maskinporten.no/"


@pytest.fixture(scope="session")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def pem(rsa_key) -> bytes:
    return rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Record waits instead of sleeping (shared policy, Maskinporten retries and FREG polling)."""
    waits: list[float] = []
    for module in (http_common, freg, maskinporten):
        monkeypatch.setattr(module, "sleep", waits.append)
    return waits


@pytest.fixture
def server():
    with FakeServer() as fake:
        yield fake


class FakeMaskinporten:
    """Checks each JWT grant like Maskinporten would and hands out numbered tokens."""

    def __init__(self, server: FakeServer, public_key, expires_in: int = 120) -> None:
        self.issued: list[str] = []
        self.assertions: list[str] = []
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.public_key = public_key
        server.route("POST", "/token")(self.handle)

    def handle(self, seen) -> Reply:
        from urllib.parse import parse_qs

        form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
        assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        claims = jwt.decode(form["assertion"], self.public_key, algorithms=["RS256"], audience=AUDIENCE)
        assert claims["iss"] == CLIENT_ID
        assert claims["exp"] - claims["iat"] == 120
        uuid.UUID(claims["jti"])
        with self.lock:
            self.assertions.append(form["assertion"])
            token = f"mp-token-{uuid.uuid4().hex}-{claims['scope']}"
            self.issued.append(token)
        return Reply(200, {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in,
                           "scope": claims["scope"]})

    @property
    def current(self) -> str:
        return self.issued[-1]


@pytest.fixture
def fake_maskinporten(server, rsa_key) -> FakeMaskinporten:
    return FakeMaskinporten(server, rsa_key.public_key())


@pytest.fixture
def mp_client(server, pem, fake_maskinporten) -> MaskinportenClient:
    return MaskinportenClient(token_url=f"{server.url}/token", audience=AUDIENCE, client_id=CLIENT_ID,
                              key_id="key-1", private_key=pem, settings=FAST)
