"""Polis conversations: planners import an export as a closed hearing; staff download a hearing as a Polis export.

The import takes comments.csv, votes.csv, participants-votes.csv (and summary.csv) as separate file fields or
as one ZIP. A bad file gives a message naming the file and line. The export has two variants: the Polis
format, verbatim (for Polis and for importing again), and a spreadsheet-safe one whose free-text cells are
neutralised against formula injection (see civic/hearings/polis_io.py for why they are separate).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from civic.accounts.permissions import ALL_STAFF, PLANNERS, staff_required
from civic.core.errors import DomainError, InvalidInputError
from civic.core.htmx import hx_redirect
from civic.extensions import db
from civic.hearings import polis_format, polis_io
from civic.hearings.polis_format import PolisFormatError, read_conversation
from civic.hearings.views.moderate import load_hearing

bp = Blueprint("hearings_polis", __name__, url_prefix="/manage/hearings")

#: The largest upload (all files together, or the ZIP); the unpacked files are limited by polis_format.
UPLOAD_LIMIT = 25 * 1024 * 1024
MAX_TITLE = 200
#: Form field → the export file it holds.
FILE_FIELDS = (
    ("comments", polis_format.COMMENTS_FILE),
    ("votes", polis_format.VOTES_FILE),
    ("participants", polis_format.PARTICIPANTS_FILE),
    ("summary", polis_format.SUMMARY_FILE),
)


@bp.record_once
def _install_upload_limit(state: BlueprintSetupState) -> None:
    # First of all before_request functions: CSRFProtect reads (and so size-checks) the form before any view runs.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _raise_upload_limit)


def _raise_upload_limit() -> None:
    """Allow a Polis-sized upload on the import form, and only for staff who may import."""
    if (
        request.endpoint == "hearings_polis.import_conversation"
        and request.method == "POST"
        and current_user.is_authenticated
        and current_user.role in PLANNERS
    ):
        request.max_content_length = UPLOAD_LIMIT


def format_error_message(error: PolisFormatError) -> str:
    """The planner's message for a file that is not a usable Polis export: which file, which line, what."""
    problems = {
        "missing_file": _("the file is missing. Upload at least comments.csv and votes.csv, or a ZIP with them."),
        "missing_column": _("a required column is missing (%(detail)s)."),
        "bad_value": _("a value is not valid (%(detail)s)."),
        "unknown_comment": _("a vote refers to a comment that comments.csv does not have (%(detail)s)."),
        "too_large": _("the export is too large (%(detail)s)."),
        "bad_zip": _("the ZIP file cannot be read (%(detail)s)."),
    }
    problem = problems.get(error.code, "%(detail)s") % {"detail": error.message}
    if error.file and error.line is not None:
        return _("%(file)s, line %(line)d: %(problem)s", file=error.file, line=error.line, problem=problem)
    if error.file:
        return _("%(file)s: %(problem)s", file=error.file, problem=problem)
    return problem


def _form(status: int = 200, *, error: str | None = None, title: str = "") -> tuple[str, int]:
    return render_template(
        "hearings/polis_import.html",
        error=error,
        title=title,
        file_fields=FILE_FIELDS,
        upload_limit_mb=UPLOAD_LIMIT // (1024 * 1024),
    ), status


def _uploaded_files() -> dict[str, bytes]:
    try:
        return _read_uploads()
    finally:
        for upload in request.files.values():
            upload.close()  # large uploads are spooled to temporary files; free them now


def _read_uploads() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    archive = request.files.get("archive")
    if archive is not None and archive.filename:
        files.update(polis_io.files_from_zip(archive.read()))
    for field, name in FILE_FIELDS:
        upload = request.files.get(field)
        if upload is not None and upload.filename:
            files[name] = upload.read()  # a separate file wins over the same file in the ZIP
    return files


@bp.route("/import", methods=["GET", "POST"])
@staff_required(*PLANNERS)
def import_conversation() -> Response | tuple[str, int]:
    if request.method == "GET":
        return _form()
    try:
        title = request.form.get("title", "").strip()
        files = _uploaded_files()
    except RequestEntityTooLarge:
        return _form(
            413, error=_("The upload is too large: at most %(size)d MB in all.", size=UPLOAD_LIMIT // (1024 * 1024))
        )
    except PolisFormatError as exc:
        return _form(422, error=format_error_message(exc), title=request.form.get("title", ""))
    if not files:
        return _form(422, error=_("Choose the export files, or one ZIP file with them."), title=title)
    if len(title) > MAX_TITLE:
        return _form(422, error=_("The title is too long: at most 200 characters."), title=title)
    try:
        conversation = read_conversation(files)
    except PolisFormatError as exc:
        return _form(422, error=format_error_message(exc), title=title)
    if not title and not conversation.topic:
        return _form(422, error=_("Write a title: this export has no topic in summary.csv."), title=title)
    try:
        hearing = polis_io.import_conversation(
            db.session, current_user.organisation, current_user, conversation, title or conversation.topic or ""
        )
    except DomainError as exc:
        db.session.rollback()
        return _form(exc.status_code if isinstance(exc, InvalidInputError) else 422, error=exc.message, title=title)
    db.session.commit()
    flash(
        _(
            "Imported %(comments)d comments and %(votes)d votes as a closed hearing.",
            comments=len(conversation.comments),
            votes=len(conversation.votes),
        ),
        "success",
    )
    endpoint = (
        "hearings_manage.detail"
        if "hearings_manage.detail" in current_app.view_functions
        else "hearings_moderate.queue"
    )
    return hx_redirect(url_for(endpoint, consultation_id=hearing.consultation_id))


@bp.get("/<int:consultation_id>/export.zip")
@staff_required(*ALL_STAFF)
def export(consultation_id: int) -> Response:
    """The hearing as a Polis export; ?spreadsheet=1 neutralises text that a spreadsheet would run as a formula."""
    _consultation, hearing = load_hearing(consultation_id)
    spreadsheet_safe = request.args.get("spreadsheet") == "1"
    data = polis_io.export_zip(db.session, hearing, spreadsheet_safe=spreadsheet_safe)
    response = Response(data, mimetype="application/zip")
    filename = polis_io.export_filename(hearing, spreadsheet_safe=spreadsheet_safe)
    response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
