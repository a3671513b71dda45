"""Use cases for staff accounts: login with lock-out, passwords, staff management (flush, never commit)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import Organisation, Role, StaffUser
from civic.accounts.passwords import hash_password, needs_rehash, verify_password
from civic.core.errors import DomainError, InvalidInputError, NotAllowedError, StateError
from civic.core.timeutils import now_utc
from civic.core.tokens import new_token

MIN_PASSWORD_LENGTH = 12
MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)


class AccountLockedError(DomainError):
    """Too many failed logins: the account refuses every password for a while."""

    status_code = 429


def find_staff_by_email(session: Session, email: str) -> StaffUser | None:
    """Return the staff member with this e-mail (case-insensitive)."""
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower()))


def authenticate(
    session: Session, email: str, password: str, *, now: datetime | None = None
) -> StaffUser | None:
    """Return the active staff member whose credentials match, or None (same work either way).

    Raises AccountLockedError while the account is locked, and on the failure that locks it.
    """
    now = now or now_utc()
    user = find_staff_by_email(session, email)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        # Checked before the password, so a locked account is no password oracle.
        raise AccountLockedError(_locked_message(user.locked_until, now))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not user.is_active:
        return None
    if not ok:
        _record_failed_login(user, now)
        session.flush()
        if user.locked_until is not None:
            raise AccountLockedError(_locked_message(user.locked_until, now))
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    _clear_failed_logins(user)
    session.flush()
    return user


def _record_failed_login(user: StaffUser, now: datetime) -> None:
    window_start = user.first_failed_login_at
    if window_start is None or now - window_start > FAILED_LOGIN_WINDOW:
        user.failed_login_count = 1
        user.first_failed_login_at = now
    else:
        user.failed_login_count += 1
    if user.failed_login_count >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCK_DURATION
        user.failed_login_count = 0
        user.first_failed_login_at = None


def _clear_failed_logins(user: StaffUser) -> None:
    user.failed_login_count = 0
    user.first_failed_login_at = None
    user.locked_until = None


def _locked_message(locked_until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
    return _(
        "Too many failed attempts: this account is locked for %(minutes)d more minutes. "
        "Try again later, or reset your password.",
        minutes=minutes,
    )


def validate_new_password(password: str) -> None:
    """Raise InvalidInputError if the password is too weak."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(_("The password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))


def set_password(session: Session, user: StaffUser, password: str) -> None:
    """Set a new password, end the user's other sessions and reset links, and lift a lock."""
    validate_new_password(password)
    user.password_hash = hash_password(password)
    user.session_generation += 1
    _clear_failed_logins(user)
    session.flush()


def end_sessions(session: Session, user: StaffUser) -> None:
    """Make every session cookie issued to ``user`` so far worthless (on logout: a copied cookie dies with it)."""
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
        role=Role(role),
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user


def add_staff(
    session: Session, organisation: Organisation, *, email: str, name: str, role: Role
) -> StaffUser:
    """Create a staff account without a usable password; the person sets one through an e-mailed link."""
    # A hash of a random secret (not a marker like "!") keeps login timing the same as for other accounts.
    return create_staff(session, organisation, email=email, name=name, role=role, password=new_token())


def staff_of(session: Session, organisation_id: int) -> list[StaffUser]:
    """Return the organisation's staff, active first, then by name."""
    return list(
        session.scalars(
            select(StaffUser)
            .where(StaffUser.organisation_id == organisation_id)
            .order_by(StaffUser.is_active.desc(), func.lower(StaffUser.name), StaffUser.id)
        )
    )


def change_role(session: Session, user: StaffUser, role: Role, *, actor: StaffUser) -> StaffUser:
    """Give ``user`` another role; admins cannot demote themselves or the last active admin."""
    role = Role(role)
    if role == user.role:
        return user
    if user.role == Role.ADMIN:
        if user.id == actor.id:
            raise NotAllowedError(_("You cannot take away your own admin role. Ask another admin."))
        _ensure_another_active_admin(session, user)
    user.role = role
    session.flush()
    return user


def set_active(session: Session, user: StaffUser, active: bool, *, actor: StaffUser) -> StaffUser:
    """Deactivate or reactivate ``user``; deactivation ends their sessions and links at once."""
    if active == user.is_active:
        return user
    if not active:
        if user.id == actor.id:
            raise NotAllowedError(_("You cannot deactivate your own account."))
        if user.role == Role.ADMIN:
            _ensure_another_active_admin(session, user)
        # Bumped so that old session cookies stay dead even after a later reactivation.
        user.session_generation += 1
    user.is_active = active
    session.flush()
    return user


def _ensure_another_active_admin(session: Session, user: StaffUser) -> None:
    # Row locks (PostgreSQL) stop two admins from removing each other at the same moment.
    admins = session.scalars(
        select(StaffUser.id)
        .where(
            StaffUser.organisation_id == user.organisation_id,
            StaffUser.role == Role.ADMIN,
            StaffUser.is_active.is_(True),
        )
        .with_for_update()
    ).all()
    if not set(admins) - {user.id}:
        raise StateError(
            _("%(name)s is the last active admin. Make someone else admin first.", name=user.name)
        )
