"""Build the configured registry bundle once per process.

Why: the rest of civic asks for "the registry" and must not care whether it is the bundled synthetic population or
the real national registries over HTTP. Settings come from a plain Mapping (Flask's ``app.config`` or a Celery
worker's config), so this module needs no Flask import. Misconfiguration fails early with a ValueError that names the
missing setting (never its value: some settings are secrets).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from civic.registry.addresses import HttpAddressRegister
from civic.registry.base import Registry
from civic.registry.freg import FregPopulationRegister
from civic.registry.http_common import HttpSettings
from civic.registry.krr import KrrContactRegister
from civic.registry.maskinporten import MaskinportenClient
from civic.registry.synthetic import SIZES, bundle, synthetic_registry

_HTTP_KEYS = (
    "REGISTRY_MUNICIPALITY", "MASKINPORTEN_TOKEN_URL", "MASKINPORTEN_AUDIENCE", "MASKINPORTEN_CLIENT_ID",
    "MASKINPORTEN_KEY_ID", "MASKINPORTEN_PRIVATE_KEY_PATH", "KRR_URL", "KRR_SCOPE", "FREG_URL", "FREG_SCOPE",
    "FIKS_INTEGRATION_ID", "FIKS_INTEGRATION_PASSWORD", "ADDRESS_URL", "ADDRESS_AREA_FILE", "REGISTRY_HTTP_TIMEOUT",
    "REGISTRY_HTTP_ATTEMPTS", "REGISTRY_HTTP_BACKOFF", "REGISTRY_HTTP_MAX_WAIT",
)
_REQUIRED_HTTP = (
    "MASKINPORTEN_TOKEN_URL", "MASKINPORTEN_CLIENT_ID", "MASKINPORTEN_KEY_ID", "MASKINPORTEN_PRIVATE_KEY_PATH",
    "KRR_URL", "FREG_URL", "FIKS_INTEGRATION_ID", "FIKS_INTEGRATION_PASSWORD", "ADDRESS_URL",
)
KRR_SCOPE = "krr:global/kontaktinformasjon.read"
FREG_SCOPE = "ks:fiks"

_cache: dict[tuple, Registry] = {}
_lock = threading.Lock()


def _settings_key(config: Mapping) -> tuple:
    backend = config.get("REGISTRY_BACKEND", "synthetic")
    if backend == "synthetic":
        return (backend, config.get("REGISTRY_SYNTHETIC_SIZE", "bjerke"), config.get("REGISTRY_SYNTHETIC_SEED"))
    return (backend, *(str(config.get(k, "")) for k in _HTTP_KEYS))


def registry_from_config(config: Mapping) -> Registry:
    """The Registry for these settings; built on first use and cached per process."""
    key = _settings_key(config)
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    registry = _build(config)
    with _lock:
        return _cache.setdefault(key, registry)


def clear_cache() -> None:
    """Forget built registries (tests that change settings)."""
    with _lock:
        _cache.clear()


def _build(config: Mapping) -> Registry:
    backend = config.get("REGISTRY_BACKEND", "synthetic")
    if backend == "synthetic":
        size = config.get("REGISTRY_SYNTHETIC_SIZE", "bjerke")
        if size not in SIZES:
            raise ValueError(f"REGISTRY_SYNTHETIC_SIZE must be one of {sorted(SIZES)}, not {size!r}")
        seed = config.get("REGISTRY_SYNTHETIC_SEED")
        return bundle(synthetic_registry(size) if seed is None else synthetic_registry(size, int(seed)))
    if backend == "http":
        return _build_http(config)
    raise ValueError(f"REGISTRY_BACKEND must be 'synthetic' or 'http', not {backend!r}")


def _build_http(config: Mapping) -> Registry:
    missing = [k for k in _REQUIRED_HTTP if not config.get(k)]
    if missing:
        raise ValueError("REGISTRY_BACKEND 'http' needs these settings: " + ", ".join(missing))
    settings = HttpSettings(
        timeout=float(config.get("REGISTRY_HTTP_TIMEOUT", 20.0)),
        attempts=int(config.get("REGISTRY_HTTP_ATTEMPTS", 3)),
        backoff=float(config.get("REGISTRY_HTTP_BACKOFF", 0.5)),
        max_wait=float(config.get("REGISTRY_HTTP_MAX_WAIT", 30.0)),
    )
    try:
        with open(config["MASKINPORTEN_PRIVATE_KEY_PATH"], "rb") as fh:
            private_key = fh.read()
    except OSError as exc:
        raise ValueError("MASKINPORTEN_PRIVATE_KEY_PATH cannot be read") from exc
    maskinporten = MaskinportenClient(
        token_url=config["MASKINPORTEN_TOKEN_URL"],
        audience=config.get("MASKINPORTEN_AUDIENCE") or "https://maskinporten.no/",
        client_id=config["MASKINPORTEN_CLIENT_ID"],
        key_id=config["MASKINPORTEN_KEY_ID"],
        private_key=private_key,
        timeout=settings.timeout,
    )
    municipality = config.get("REGISTRY_MUNICIPALITY") or "0301"
    return Registry(
        population=FregPopulationRegister(
            config["FREG_URL"], maskinporten.tokens(config.get("FREG_SCOPE") or FREG_SCOPE),
            config["FIKS_INTEGRATION_ID"], config["FIKS_INTEGRATION_PASSWORD"], settings=settings,
        ),
        contacts=KrrContactRegister(
            config["KRR_URL"], maskinporten.tokens(config.get("KRR_SCOPE") or KRR_SCOPE), settings=settings
        ),
        addresses=HttpAddressRegister(
            config["ADDRESS_URL"], municipality, area_file=config.get("ADDRESS_AREA_FILE") or "", settings=settings
        ),
    )
