"""Organisations, staff accounts, roles and login."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from civic.accounts import views, views_manage
from civic.accounts.models import StaffUser
from civic.accounts.permissions import ADMINS
from civic.core.menu import add_menu_entry, menu_for
from civic.extensions import db, login_manager


def load_user(user_id: str) -> StaffUser | None:
    """Load the staff member from the session; a changed password invalidates old sessions."""
    try:
        raw_id, generation = user_id.split(":")
        user = db.session.get(StaffUser, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or not user.is_active or str(user.session_generation) != generation:
        return None
    return user


def register(app: Flask) -> None:
    """Wire the blueprints, the admin menu entries and Flask-Login."""
    login_manager.user_loader(load_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    # Flashed messages are stored in the session cookie: flash a plain string in the current language.
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"
    app.register_blueprint(views.bp)
    app.register_blueprint(views_manage.bp)
    add_menu_entry(app, "accounts_manage.staff_list", lambda: _("Staff"), ADMINS)
    add_menu_entry(app, "accounts_manage.organisation", lambda: _("Organisation"), ADMINS)

    @app.context_processor
    def _staff_menu() -> dict[str, object]:
        return {
            "staff_menu": lambda: menu_for(app, current_user.role) if current_user.is_authenticated else []
        }
