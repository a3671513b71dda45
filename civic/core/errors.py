"""Domain errors raised by services and mapped to HTTP status codes in one place."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; the message is shown to the user (already translated)."""

    status_code = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowedError(DomainError):
    """The actor may not do this."""

    status_code = 403


class StateError(DomainError):
    """The object is in a state that does not allow this."""

    status_code = 409


class GoneError(DomainError):
    """The thing existed but is no longer available (e.g. a closed survey)."""

    status_code = 410


class InvalidInputError(DomainError):
    """Input that passed form parsing but breaks a domain rule."""

    status_code = 422
