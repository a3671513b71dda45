"""Disk full while storing an upload: a clear message in the user's language, the form kept, nothing half-stored.

Two places store uploads. The coat of arms (organisation branding) is a file in UPLOAD_FOLDER with its name in
the organisation's row; a hearing's PDF attachments live in the database. The file system's full disk is
simulated where the bytes are written (half the file lands, then ENOSPC), the database's by the driver error
PostgreSQL (SQLSTATE 53100, disk_full) or SQLite (SQLITE_FULL) raises. Either way the answer is 507 with the
form as typed, and neither a file without its row nor a row pointing at a missing file is left behind.
"""

from __future__ import annotations

import errno
import html
import io
import sqlite3
from pathlib import Path

import psycopg.errors
import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from civic.accounts.models import Organisation, Role
from civic.core import errors_http
from civic.hearings.models import FormalStatement, HearingAttachment

ORGANISATION_PAGE = "/manage/organisation"
PDF = b"%PDF-1.4\n% kart over sone B1\n%%EOF\n"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 48), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _branding_form(name: str, image: bytes | None = None) -> dict:
    data = {
        "name": name,
        "parent_name": "Oslo kommune",
        "contact_email": "post@bjerke.example",
        "primary_color": "#2a2859",
        "accent_color": "#1f42aa",
    }
    if image is not None:
        data["coat_of_arms"] = (io.BytesIO(image), "vapen.png")
    return data


def _message(app: Flask, lang: str) -> str:
    """The storage-full message as the app says it in ``lang`` (escaped as the page shows it)."""
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        return html.escape(errors_http.storage_full_message(), quote=False)


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def admin_client(client, auth, create_staff):
    auth.login(create_staff(Role.ADMIN))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nn"  # the user's language: nynorsk
    return client


def database_full_on(db, table: str) -> None:
    """Make the next INSERT or UPDATE of ``table`` fail as the database server does when its disk is full."""
    engine = db.engine

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")) and f" {table}" in statement:
            if engine.dialect.name == "postgresql":
                original = psycopg.errors.DiskFull('could not extend file "base/16384/16999": No space left on device')
            else:
                original = sqlite3.OperationalError("database or disk is full")
            raise OperationalError(statement, parameters, original)

    event.listen(engine, "before_cursor_execute", refuse)
    return lambda: event.remove(engine, "before_cursor_execute", refuse)


def test_coat_of_arms_on_a_full_disk_keeps_the_form_and_the_old_image(app, admin_client, organisation, db,
                                                                      monkeypatch):
    folder = Path(app.config["UPLOAD_FOLDER"])
    first = admin_client.post(ORGANISATION_PAGE, data=_branding_form("Bydel Bjerke", _png()))
    assert first.status_code == 303
    db.session.refresh(organisation)
    old_image = organisation.coat_of_arms
    assert _files(folder) == [old_image]

    def write_half(self: Path, data: bytes) -> int:
        with self.open("wb") as handle:
            handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", write_half)
    response = admin_client.post(ORGANISATION_PAGE, data=_branding_form("Bydel Bjerke (nytt namn)", _png()))

    assert response.status_code == 507
    assert _message(app, "nn") in response.text
    assert '<html lang="nn"' in response.text
    assert 'value="Bydel Bjerke (nytt namn)"' in response.text, "what the admin typed is shown again"
    db.session.expire_all()
    stored = db.session.get(Organisation, organisation.id)
    assert (stored.name, stored.coat_of_arms) == ("Bydel Bjerke", old_image), "nothing of the failed save"
    assert _files(folder) == [old_image], "no half-written file is left"
    served = admin_client.get(f"/manage/branding/{organisation.slug}/coat-of-arms")
    assert served.status_code == 200, served.text[:2000]
    assert served.data == (folder / old_image).read_bytes(), "residents still see the complete old image"
    served.close()


def test_coat_of_arms_when_the_database_is_full_leaves_no_orphan_file(app, admin_client, organisation, db):
    folder = Path(app.config["UPLOAD_FOLDER"])
    restore = database_full_on(db, "organisations")
    try:
        response = admin_client.post(ORGANISATION_PAGE, data=_branding_form("Bydel Bjerke (nytt namn)", _png()))
    finally:
        restore()
    assert response.status_code == 507
    assert _message(app, "nn") in response.text
    assert 'value="Bydel Bjerke (nytt namn)"' in response.text
    db.session.expire_all()
    stored = db.session.get(Organisation, organisation.id)
    assert (stored.name, stored.coat_of_arms) == ("Bydel Bjerke", "")
    assert _files(folder) == [], "the image written before the failed commit is removed"


def test_hearing_attachment_when_the_database_is_full(app, client, auth, planner, db, create_hearing):
    hearing = create_hearing()
    auth.login(planner)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nb"
    restore = database_full_on(db, "hearing_attachments")
    try:
        response = client.post(
            f"/manage/hearings/{hearing.consultation_id}/attachments",
            data={"title": "Kart over sone B1", "file": (io.BytesIO(PDF), "kart.pdf")},
            content_type="multipart/form-data",
        )
    finally:
        restore()
    assert response.status_code == 507
    assert _message(app, "nb") in response.text
    assert '<html lang="nb"' in response.text
    assert 'value="Kart over sone B1"' in response.text, "the title typed is kept"
    assert db.session.scalar(select(func.count()).select_from(HearingAttachment)) == 0
    # Room again: the same upload goes through.
    again = client.post(
        f"/manage/hearings/{hearing.consultation_id}/attachments",
        data={"title": "Kart over sone B1", "file": (io.BytesIO(PDF), "kart.pdf")},
        content_type="multipart/form-data",
    )
    assert again.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(HearingAttachment)) == 1


def test_resident_statement_with_pdf_when_the_database_is_full(app, client, db, create_hearing):
    hearing = create_hearing()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nn"
    body = "Vi i Årvoll velforening støttar forslaget, men ber om fleire korttidsplassar ved senteret."
    form = {"signer_name": "Kari Nordmann", "organisation_name": "Årvoll velforening", "body": body,
            "confirm": "y", "pdf": (io.BytesIO(PDF), "uttale.pdf")}
    restore = database_full_on(db, "hearing_statements")
    try:
        response = client.post(f"/h/{hearing.consultation.public_id}/statements", data=form,
                               content_type="multipart/form-data")
    finally:
        restore()
    assert response.status_code == 507
    assert _message(app, "nn") in response.text
    assert html.escape(body, quote=False) in response.text, "the statement comes back as written"
    assert 'value="Kari Nordmann"' in response.text
    assert db.session.scalar(select(func.count()).select_from(FormalStatement)) == 0
