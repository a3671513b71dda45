"""Login and logout for staff."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from civic.accounts import services
from civic.accounts.forms import LoginForm
from civic.accounts.models import Organisation
from civic.core.urls import safe_local_path
from civic.extensions import db, limiter

bp = Blueprint("accounts", __name__, url_prefix="/manage")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> Response | str:
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            db.session.rollback()
            form.password.errors.append(_("Wrong e-mail address or password."))
        else:
            db.session.commit()
            session.clear()  # a fresh session on login: no fixation
            session.permanent = True
            login_user(user)
            return redirect(safe_local_path(request.args.get("next"), url_for("consultations.manage_list")), code=303)
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"), code=303)


@bp.get("/branding/<slug>/coat-of-arms")
def coat_of_arms(slug: str) -> Response:
    """Serve an organisation's uploaded coat of arms (public: resident pages show it)."""
    organisation = db.first_or_404(select(Organisation).where(Organisation.slug == slug))
    if not organisation.coat_of_arms:
        abort(404)
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], organisation.coat_of_arms, max_age=3600)
