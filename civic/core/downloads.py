"""File downloads for staff exports: CSV and XLSX attachments that no cache keeps."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from flask import Response

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(body: bytes | str | Iterable[bytes] | Iterable[str], *, mimetype: str, filename: str) -> Response:
    """A download named ``filename``; exports hold residents' answers, so ``no-store``."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def xlsx_attachment(write: Callable[[IO[bytes]], None], *, filename: str) -> Response:
    """Stream a workbook that ``write`` produces.

    A ZIP cannot be written front to back, so the workbook goes to a temporary file (spooled to disk beyond
    8 MB) that is then streamed out and closed.
    """
    target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - closed by _stream_file
    write(target)
    size = target.tell()
    target.seek(0)
    response = attachment(_stream_file(target), mimetype=XLSX_MIMETYPE, filename=filename)
    response.headers["Content-Length"] = str(size)
    return response


def _stream_file(target: IO[bytes], block: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := target.read(block):
            yield chunk
    finally:
        target.close()
