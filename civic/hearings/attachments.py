"""PDF uploads for hearings: the proposal's attachments and the PDF of a formal statement.

A file is accepted only when its name ends in .pdf, its content starts with the PDF signature ``%PDF-``
and it is at most MAX_ATTACHMENT_BYTES. The checks do not trust the browser's content type. Files are
stored in the database with their SHA-256, and always served as downloads (never rendered inline).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.core.errors import InvalidInputError
from civic.hearings.models import MAX_ATTACHMENT_BYTES, Hearing, HearingAttachment

PDF_SIGNATURE = b"%PDF-"
MAX_TITLE_LENGTH = 200
MAX_FILENAME_LENGTH = 200
#: Letters that do not decompose to ASCII (å does: a + ring).
_NORDIC = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O"})


@dataclass(frozen=True)
class CheckedPdf:
    filename: str  # cleaned: safe in a Content-Disposition header
    data: bytes
    size: int
    sha256: str


def read_limited(stream: IO[bytes], limit: int = MAX_ATTACHMENT_BYTES) -> bytes:
    """Read at most ``limit + 1`` bytes, so an oversized file is noticed without holding all of it."""
    return stream.read(limit + 1)


def clean_filename(name: str) -> str:
    """A plain ASCII file name (letters, digits, - _ .) ending in .pdf; "attachment.pdf" if nothing is left."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base.translate(_NORDIC)).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "attachment"
    if not base.lower().endswith(".pdf"):
        base = f"{base}.pdf"
    if len(base) > MAX_FILENAME_LENGTH:
        base = base[: MAX_FILENAME_LENGTH - 4] + ".pdf"
    return base


def check_pdf(filename: str | None, data: bytes | None) -> CheckedPdf:
    """Return the checked file, or raise InvalidInputError with a message that says what is wrong."""
    if not filename or data is None:
        raise InvalidInputError(_("Choose a PDF file."))
    if not filename.lower().endswith(".pdf"):
        raise InvalidInputError(_("Only PDF files can be attached: the file name must end in .pdf."))
    if not data:
        raise InvalidInputError(_("The file is empty. Choose another PDF file."))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidInputError(
            _("The file is too large: at most %(size)s MB.", size=MAX_ATTACHMENT_BYTES // (1024 * 1024))
        )
    if not data.startswith(PDF_SIGNATURE):
        raise InvalidInputError(_("This file is not a PDF, even though its name ends in .pdf. Save it as PDF."))
    return CheckedPdf(
        filename=clean_filename(filename), data=data, size=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


def check_title(title: str | None) -> str:
    """The attachment's title, stripped; InvalidInputError when it is missing or too long."""
    title = (title or "").strip()
    if not title:
        raise InvalidInputError(_("Give the attachment a title."))
    if len(title) > MAX_TITLE_LENGTH:
        raise InvalidInputError(_("The title is too long: at most 200 characters."))
    return title


def add_attachment(session: Session, hearing: Hearing, *, title: str, filename: str | None, data: bytes | None):
    """Check and store a PDF attachment of the proposal; flushes, never commits."""
    title = check_title(title)
    pdf = check_pdf(filename, data)
    attachment = HearingAttachment(
        hearing_id=hearing.id,
        title=title,
        filename=pdf.filename,
        content_type="application/pdf",
        size=pdf.size,
        sha256=pdf.sha256,
        data=pdf.data,
    )
    session.add(attachment)
    session.flush()
    return attachment


def find_attachment(session: Session, hearing: Hearing, attachment_id: int) -> HearingAttachment | None:
    """The hearing's attachment with this id, or None (an id of another hearing is not found)."""
    return session.scalar(
        select(HearingAttachment).where(
            HearingAttachment.id == attachment_id, HearingAttachment.hearing_id == hearing.id
        )
    )


def delete_attachment(session: Session, attachment: HearingAttachment) -> None:
    session.delete(attachment)
    session.flush()
