"""The outbox viewer: admins read the e-mail the "outbox" transport wrote instead of sending."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user

from civic.accounts.permissions import ADMINS, staff_required
from civic.outreach.email import list_outbox, read_outbox_message
from civic.outreach.sms import list_sms_outbox

bp = Blueprint("outreach", __name__, url_prefix="/manage/outbox")


def _outbox_folder() -> str:
    # With real sending there is no outbox to show.
    if current_app.config["EMAIL_TRANSPORT"] != "outbox":
        abort(404)
    return current_app.config["OUTBOX_FOLDER"]


@bp.get("/")
@staff_required(*ADMINS)
def outbox() -> str:
    messages = list_outbox(_outbox_folder(), current_user.organisation_id)
    return render_template("outreach/outbox.html", messages=messages)


@bp.get("/sms")
@staff_required(*ADMINS)
def sms_outbox() -> str:
    # The SMS outbox exists only while SMS_TRANSPORT is "outbox" (the demo); a real gateway has none.
    if current_app.config["SMS_TRANSPORT"] != "outbox":
        abort(404)
    messages = list_sms_outbox(current_app.config["SMS_OUTBOX_FOLDER"], current_user.organisation_id)
    return render_template("outreach/sms_outbox.html", messages=messages)


@bp.get("/<token>")
@staff_required(*ADMINS)
def outbox_message(token: str) -> str:
    message = read_outbox_message(_outbox_folder(), token, current_user.organisation_id)
    if message is None:
        abort(404)
    return render_template("outreach/outbox_message.html", message=message)
