"""What the planner's hearing pages share: loading a hearing of the staff member's organisation, optional links."""

from __future__ import annotations

from typing import Any

from flask import abort, request, url_for
from werkzeug.routing import BuildError

from civic.accounts.permissions import same_organisation
from civic.consultations.models import Consultation, ConsultationKind
from civic.extensions import db
from civic.hearings import services
from civic.hearings.models import MAX_ATTACHMENT_BYTES, Hearing

#: Uploads may be larger than the app's general request limit (a PDF of up to MAX_ATTACHMENT_BYTES plus the form).
UPLOAD_REQUEST_LIMIT = MAX_ATTACHMENT_BYTES + 512 * 1024


def load_hearing(consultation_id: int) -> Hearing:
    """The hearing of a consultation of the current staff member's organisation; 404 otherwise."""
    consultation = db.get_or_404(Consultation, consultation_id)
    same_organisation(consultation.organisation_id)
    if consultation.kind != ConsultationKind.HEARING:
        abort(404)
    hearing = services.find_hearing(db.session, consultation)
    if hearing is None:
        abort(404)
    return hearing


def optional_url(endpoint: str, **values: Any) -> str | None:
    """url_for, or None when the endpoint does not exist (a page another part of the app may not provide)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def public_url(hearing: Hearing) -> str:
    """The residents' address of the hearing, absolute, to copy into letters and posts."""
    path = optional_url("hearings_public.hearing", public_id=hearing.consultation.public_id)
    return request.url_root.rstrip("/") + (path or f"/h/{hearing.consultation.public_id}")


def allow_large_upload(endpoints: set[str]) -> Any:
    """A url_value_preprocessor raising the request size limit for the upload endpoints.

    It runs before every before_request hook (CSRF reads the form there), so the larger limit is in place
    before the body is parsed. Other endpoints keep the app's MAX_CONTENT_LENGTH.
    """

    def preprocess(endpoint: str | None, values: dict[str, Any] | None) -> None:
        if endpoint in endpoints and request.method == "POST":
            request.max_content_length = UPLOAD_REQUEST_LIMIT

    return preprocess
