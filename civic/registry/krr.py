"""KRR (Kontakt- og reservasjonsregisteret) over HTTP: contact data and reservations for ≤1000 persons per call.

Why: invitations may only go to residents who have not reserved themselves against digital contact, and only to
contact data KRR holds. ``POST {KRR_URL}`` (``/rest/v2/personer``) with ``personidentifikatorer`` and
``inkluderIkkeRegistrerte``; the answer's ``personer[]`` become ``Contact`` records. Phone numbers are normalised to
E.164 (invalid ones count as missing), malformed e-mail addresses likewise; reserved persons keep no contact data.
Persons KRR leaves out of its answer are "not registered". Retry-After from KRR is in seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

import phonenumbers
import requests

from civic.registry.base import CONTACT_BATCH_SIZE, ContactRegister
from civic.registry.http_common import HttpSettings, TokenSource, json_of, new_session, request
from civic.registry.types import Contact, ContactStatus, RegistryError

SERVICE = "KRR"
_STATUSES = {s.value: s for s in ContactStatus}
_LANGUAGES = {"nb", "nn", "en", "se"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def parse_day(value: object) -> date | None:
    """The calendar day of a KRR timestamp such as ``2023-06-29T10:14:52+02`` (or None)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def latest(*values: object) -> date | None:
    days = [d for d in (parse_day(v) for v in values) if d is not None]
    return max(days) if days else None


def normalise_mobile(value: object) -> str | None:
    """E.164 for a valid number (Norwegian if it has no country code), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, "NO")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if _EMAIL.match(value) and len(value) <= 254 else None


def parse_person(entry: object) -> Contact:
    """One ``personer[]`` element as a Contact; RegistryError if it is not a KRR person at all."""
    if not isinstance(entry, dict) or not isinstance(entry.get("personidentifikator"), str):
        raise RegistryError("KRR sent a person without an identifier")
    status = _STATUSES.get(str(entry.get("status", "")).upper(), ContactStatus.NOT_REGISTERED)
    reserved = str(entry.get("reservasjon", "")).upper() == "JA"
    national_id = entry["personidentifikator"]
    if status != ContactStatus.ACTIVE or reserved:
        return Contact(national_id, status, reserved)
    info = entry.get("kontaktinformasjon") or {}
    if not isinstance(info, dict):
        raise RegistryError("KRR sent contact information in an unknown shape")
    email = normalise_email(info.get("epostadresse"))
    mobile = normalise_mobile(info.get("mobiltelefonnummer"))
    language = entry.get("spraak")
    language = language.lower() if isinstance(language, str) and language.lower() in _LANGUAGES else None
    return Contact(
        national_id,
        status,
        reserved,
        email=email,
        email_confirmed_on=latest(info.get("epostadresse_oppdatert"), info.get("epostadresse_sist_verifisert"))
        if email else None,
        mobile=mobile,
        mobile_confirmed_on=latest(info.get("mobiltelefonnummer_oppdatert"),
                                   info.get("mobiltelefonnummer_sist_verifisert")) if mobile else None,
        language=language,
    )


class KrrContactRegister:
    """ContactRegister over KRR's REST API."""

    def __init__(self, url: str, tokens: TokenSource, *, settings: HttpSettings | None = None,
                 session: requests.Session | None = None) -> None:
        self.url, self.tokens = url, tokens
        self.settings = settings or HttpSettings()
        self.session = session or new_session()

    def lookup(self, national_ids: Sequence[str]) -> list[Contact]:
        if len(national_ids) > CONTACT_BATCH_SIZE:
            raise ValueError(f"at most {CONTACT_BATCH_SIZE} ids per KRR lookup")
        if not national_ids:
            return []
        response = request(
            self.session, "POST", self.url, service=SERVICE, settings=self.settings, tokens=self.tokens,
            json_body={"personidentifikatorer": list(national_ids), "inkluderIkkeRegistrerte": True},
        )
        body = json_of(response, SERVICE)
        persons = body.get("personer") if isinstance(body, dict) else None
        if not isinstance(persons, list):
            raise RegistryError("KRR answered without a list of persons")
        found = {c.national_id: c for c in map(parse_person, persons)}
        return [found.get(nid) or Contact(nid, ContactStatus.NOT_REGISTERED, False) for nid in national_ids]


def lookup_in_batches(contacts: ContactRegister, national_ids: Iterable[str]) -> Iterator[list[Contact]]:
    """Look up any number of ids through a ContactRegister, CONTACT_BATCH_SIZE at a time."""
    batch: list[str] = []
    for nid in national_ids:
        batch.append(nid)
        if len(batch) == CONTACT_BATCH_SIZE:
            yield contacts.lookup(batch)
            batch = []
    if batch:
        yield contacts.lookup(batch)
