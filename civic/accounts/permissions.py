"""Who may use which staff page: one decorator, roles named at each route."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from civic.accounts.models import Role

F = TypeVar("F", bound=Callable[..., Any])

ALL_STAFF = (Role.ADMIN, Role.PLANNER, Role.MODERATOR, Role.VIEWER)
PLANNERS = (Role.ADMIN, Role.PLANNER)
ADMINS = (Role.ADMIN,)
#: Who may moderate hearings: moderators, and the planners and admins who run them.
MODERATORS = (Role.ADMIN, Role.PLANNER, Role.MODERATOR)


def staff_required(*roles: Role) -> Callable[[F], F]:
    """Require a logged-in staff member with one of ``roles``; 403 otherwise."""
    allowed = set(roles or ALL_STAFF)

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.civic_roles = frozenset(allowed)  # type: ignore[attr-defined] - read by the permission matrix test
        return wrapped  # type: ignore[return-value]

    return decorator


def same_organisation(obj_organisation_id: int) -> None:
    """Staff see only their own organisation's data; others get 404 (not 403) to hide existence."""
    if current_user.organisation_id != obj_organisation_id:
        abort(404)
