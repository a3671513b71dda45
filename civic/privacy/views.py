"""Residents' own data through their personal link, and the organisation's retention setting."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from civic.accounts.permissions import PLANNERS, staff_required
from civic.core.i18n import current_locale
from civic.core.security import count_wrong_token, refuse_token_guessers
from civic.extensions import db
from civic.privacy import contributions, retention
from civic.privacy.forms import RetentionForm

bp = Blueprint("privacy", __name__)
DATA_PROTECTION_ENDPOINT = "pages.data_protection"


def _not_found() -> NotFound:
    error = NotFound(_("This personal link is not valid. Check that you copied the whole link from your invitation."))
    error.civic_message = True  # type: ignore[attr-defined] - errors_http shows this description
    return error


def _page(token: str, *, status: int = 200, error: str = "") -> Response:
    data = contributions.my_data(db.session, token, locale=current_locale())
    if data is None:
        raise _not_found()
    html = render_template(
        "privacy/my_data.html",
        token=token,
        data=data,
        consultation=data.consultation,
        organisation=data.consultation.organisation,
        just_deleted=request.args.get("deleted") == "1" and data.is_empty,
        error=error,
        data_protection_url=_data_protection_url(),
    )
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"  # the resident's own contributions
    return response


def _data_protection_url() -> str | None:
    # The residents' data-protection page lives in another package; link to it when it is installed.
    return url_for(DATA_PROTECTION_ENDPOINT) if DATA_PROTECTION_ENDPOINT in current_app.view_functions else None


#: A personal link as residents get it in a message, pasted whole or in part: /p/<token>, /h/p/<token>, /f/join/<token>.
_PASTED_LINK = re.compile(r"(?:/p/|/h/p/|/f/join/)?([A-Za-z0-9_-]{20,64})(?:[/?#].*)?$")


def token_from_pasted_link(pasted: str) -> str | None:
    """Return the token of a pasted personal link (or of the bare token), or None when it has none."""
    match = _PASTED_LINK.search(pasted.strip())
    return match.group(1) if match else None


@bp.route("/my-data", methods=["GET", "POST"])
def find_my_data() -> Response | tuple[str, int] | str:
    """Where the data-protection page sends residents: paste the personal link from the invitation, see its data."""
    if request.method == "GET":
        return render_template("privacy/find.html", pasted="", error="")
    refuse_token_guessers()  # a form that takes a token is as open to guessing as a token URL
    pasted = request.form.get("link", "")
    token = token_from_pasted_link(pasted)
    if not pasted.strip():
        error = _("Paste the personal link from your invitation.")
    elif token is None or contributions.find_link(db.session, token) is None:
        count_wrong_token()
        error = _("We could not find this personal link. Check that you copied the whole link from your invitation.")
    else:
        return redirect(url_for(".my_data", token=token), code=303)
    return render_template("privacy/find.html", pasted=pasted, error=error), 422


@bp.get("/p/<token>/my-data")
def my_data(token: str) -> Response:
    return _page(token)


@bp.post("/p/<token>/my-data/delete")
def delete_my_data(token: str) -> Response:
    if contributions.find_link(db.session, token) is None:
        raise _not_found()
    if request.form.get("confirm") != "yes":
        problem = _("Tick the box to confirm that you want to delete what you contributed.")
        return _page(token, status=422, error=problem)
    contributions.delete_my_data(db.session, token)
    db.session.commit()
    return redirect(url_for(".my_data", token=token, deleted="1"), code=303)


@bp.route("/manage/privacy", methods=["GET", "POST"])
@staff_required(*PLANNERS)
def retention_settings() -> Response | str | tuple[str, int]:
    organisation = current_user.organisation
    if request.method == "GET":
        form = RetentionForm(obj=organisation)
    else:
        form = RetentionForm()
        if form.validate_on_submit():
            organisation.free_text_retention_months = form.free_text_retention_months.data
            db.session.commit()
            flash(_("The retention period is saved."), "success")
            return redirect(url_for(".retention_settings"), code=303)
    pending = sorted(retention.candidates(db.session, organisation_id=organisation.id), key=lambda c: c.due_at)
    html = render_template(
        "privacy/retention.html",
        retention_form=form,
        organisation=organisation,
        pending=pending,
        erasures=retention.erasures_of(db.session, organisation.id),
    )
    return html if not form.errors else (html, 422)
