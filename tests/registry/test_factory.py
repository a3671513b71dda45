"""registry_from_config: cached per settings, both backends, clear errors for misconfiguration."""

from __future__ import annotations

import pytest

from civic.registry import factory
from civic.registry.addresses import HttpAddressRegister
from civic.registry.freg import FregPopulationRegister
from civic.registry.krr import KrrContactRegister
from civic.registry.synthetic import synthetic_registry


@pytest.fixture(autouse=True)
def _fresh():
    factory.clear_cache()
    yield
    factory.clear_cache()


def test_synthetic_default_and_cache():
    first = factory.registry_from_config({"REGISTRY_BACKEND": "synthetic", "REGISTRY_SYNTHETIC_SIZE": "bjerke"})
    assert factory.registry_from_config({}) is first
    assert first.population is synthetic_registry("bjerke")
    assert first.contacts is first.population
    assert first.addresses is first.population
    other = factory.registry_from_config({"REGISTRY_SYNTHETIC_SEED": 5})
    assert other is not first
    assert other.population.seed == 5


@pytest.mark.parametrize(("config", "message"), [
    ({"REGISTRY_SYNTHETIC_SIZE": "bergen"}, "REGISTRY_SYNTHETIC_SIZE"),
    ({"REGISTRY_BACKEND": "ldap"}, "REGISTRY_BACKEND"),
    ({"REGISTRY_BACKEND": "http"}, "KRR_URL"),
])
def test_misconfiguration(config, message):
    with pytest.raises(ValueError, match=message):
        factory.registry_from_config(config)


def http_config(tmp_path, pem) -> dict:
    key = tmp_path / "key.pem"
    key.write_bytes(pem)
    return {
        "REGISTRY_BACKEND": "http", "REGISTRY_MUNICIPALITY": "0301",
        "MASKINPORTEN_TOKEN_URL": "http://127.0.0.1:9/token", "MASKINPORTEN_AUDIENCE": "https://test.maskinporten.no/",
        "MASKINPORTEN_CLIENT_ID": "client", "MASKINPORTEN_KEY_ID": "kid", "MASKINPORTEN_PRIVATE_KEY_PATH": str(key),
        "KRR_URL": "http://127.0.0.1:9/rest/v2/personer", "FREG_URL": "http://127.0.0.1:9/folkeregister/api/v1/r",
        "FIKS_INTEGRATION_ID": "id", "FIKS_INTEGRATION_PASSWORD": "secret-password",
        "ADDRESS_URL": "http://127.0.0.1:9/adresser/v1", "ADDRESS_AREA_FILE": "",
    }


def test_http_backend(tmp_path, pem):
    config = http_config(tmp_path, pem)
    registry = factory.registry_from_config(config)
    assert isinstance(registry.population, FregPopulationRegister)
    assert isinstance(registry.contacts, KrrContactRegister)
    assert isinstance(registry.addresses, HttpAddressRegister)
    assert registry.contacts.tokens.scope == "krr:global/kontaktinformasjon.read"
    assert registry.population.tokens.scope == "ks:fiks"
    assert registry.contacts.tokens.client is registry.population.tokens.client  # one token cache
    assert factory.registry_from_config(dict(config)) is registry
    assert "secret-password" not in repr(registry)


def test_http_backend_bad_key(tmp_path, pem):
    config = http_config(tmp_path, pem)
    config["MASKINPORTEN_PRIVATE_KEY_PATH"] = str(tmp_path / "missing.pem")
    with pytest.raises(ValueError, match="MASKINPORTEN_PRIVATE_KEY_PATH"):
        factory.registry_from_config(config)
