"""Staff login and logout, password links, and the public coat of arms."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from civic.accounts import password_links, services
from civic.accounts.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from civic.accounts.mail import send_password_link
from civic.accounts.models import Organisation
from civic.core.errors import DomainError
from civic.core.urls import safe_local_path
from civic.extensions import db, limiter

bp = Blueprint("accounts", __name__, url_prefix="/manage")

DEFAULT_RESET_RATE_LIMIT = "5 per 15 minutes"
DEFAULT_RESET_PER_ADDRESS_LIMIT = "3 per hour"


def _reset_rate_limit() -> str:
    return current_app.config.get("PASSWORD_RESET_RATE_LIMIT", DEFAULT_RESET_RATE_LIMIT)


def _reset_address_limit() -> str:
    return current_app.config.get("PASSWORD_RESET_PER_ADDRESS_LIMIT", DEFAULT_RESET_PER_ADDRESS_LIMIT)


def _submitted_address() -> str:
    # Keyed on what was typed, whether or not an account exists: stops mail-bombing one colleague.
    return "reset:" + (request.form.get("email") or "").strip().lower()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> Response | str | tuple[str, int]:
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(db.session, form.email.data, form.password.data)
        except services.AccountLockedError as exc:
            db.session.commit()  # keep the lock that this attempt may have started
            error = exc.message
            return render_template("accounts/login.html", form=form, error=error), exc.status_code
        db.session.commit()  # stores the failed-attempt counter, or the login time
        if user is None:
            form.password.errors.append(_("Wrong e-mail address or password."))
        else:
            session.clear()  # a fresh session on login: no fixation
            session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME of inactivity
            login_user(user)
            return redirect(
                safe_local_path(request.args.get("next"), url_for("consultations.manage_list")), code=303
            )
    return render_template("accounts/login.html", form=form, error=error)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        # The session lives in a signed cookie, which logging out cannot recall: a copy taken earlier would still
        # work. Ending the account's sessions makes every such copy worthless (other devices log in again).
        services.end_sessions(db.session, current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"), code=303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_rate_limit, methods=["POST"])
@limiter.limit(_reset_address_limit, methods=["POST"], key_func=_submitted_address)
def forgot_password() -> Response | tuple[str, int]:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_staff_by_email(db.session, form.email.data)
        if user is not None and user.is_active:
            send_password_link(user, password_links.LinkPurpose.RESET)
        db.session.commit()  # the e-mail task is dispatched after this commit
        # The same answer whether or not the account exists, so nobody can probe for staff addresses.
        flash(
            _(
                "If a staff account uses %(email)s, we have sent it a link to choose a new password. "
                "The link works for one hour.",
                email=form.email.data.strip(),
            ),
            "info",
        )
        return redirect(url_for("accounts.login"), code=303)
    status = 422 if form.errors else 200
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def reset_password(token: str) -> Response:
    try:
        user = password_links.load_user(db.session, current_app.config["SECRET_KEY"], token)
    except DomainError as exc:
        return _no_store(render_template("accounts/link_invalid.html", message=exc.message), exc.status_code)
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.set_password(db.session, user, form.password.data)
        except DomainError as exc:
            db.session.rollback()
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Your new password is saved. You can log in with it now."), "success")
            return redirect(url_for("accounts.login"), code=303)
    if form.errors:
        status = 422
    return _no_store(
        render_template(
            "accounts/reset_password.html", form=form, user=user, min_length=services.MIN_PASSWORD_LENGTH
        ),
        status,
    )


def _no_store(body: str, status: int) -> Response:
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"  # the token is in the URL; keep the page out of caches
    return response


@bp.get("/branding/<slug>/coat-of-arms")
def coat_of_arms(slug: str) -> Response:
    """Serve an organisation's uploaded coat of arms (public: resident pages show it)."""
    organisation = db.first_or_404(select(Organisation).where(Organisation.slug == slug))
    if not organisation.coat_of_arms:
        abort(404)
    return send_from_directory(current_app.config["UPLOAD_FOLDER"], organisation.coat_of_arms, max_age=3600)
