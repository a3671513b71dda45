"""Use cases for staff accounts and organisations. Services flush; views commit."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, Role, StaffUser
from civic.accounts.passwords import hash_password, needs_rehash, verify_password
from civic.core.errors import InvalidInputError
from civic.core.timeutils import now_utc

MIN_PASSWORD_LENGTH = 12


def find_staff_by_email(session: Session, email: str) -> StaffUser | None:
    """Return the staff member with this e-mail (case-insensitive)."""
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower()))


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    """Return the active staff member whose credentials match, or None (same work either way)."""
    user = find_staff_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now_utc()
    session.flush()
    return user


def validate_new_password(password: str) -> None:
    """Raise InvalidInputError if the password is too weak."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(_("The password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))


def set_password(session: Session, user: StaffUser, password: str) -> None:
    """Set a new password and end the user's other sessions and reset links."""
    validate_new_password(password)
    user.password_hash = hash_password(password)
    user.session_generation += 1
    session.flush()


def create_staff(
    session: Session, organisation: Organisation, *, email: str, name: str, role: Role, password: str
) -> StaffUser:
    """Create a staff account in ``organisation``."""
    if find_staff_by_email(session, email) is not None:
        raise InvalidInputError(_("A staff account with this e-mail address already exists."))
    validate_new_password(password)
    user = StaffUser(
        organisation=organisation,
        email=email.strip().lower(),
        name=name.strip(),
        role=role,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user
