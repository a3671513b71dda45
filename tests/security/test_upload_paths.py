"""Path traversal: uploaded file names never choose where a file goes or what a download is called, and the
routes that serve files from disk (coat of arms, static, vendored libraries) cannot reach outside their folder."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from civic.hearings.attachments import clean_filename
from civic.hearings.models import FormalStatement, HearingAttachment
from tests.test_permission_matrix import _client_as

EVIL_NAMES = [
    "../../../../tmp/owned.pdf",
    "..\\..\\..\\windows\\owned.pdf",
    "/etc/passwd.pdf",
    "evil\r\nSet-Cookie: owned=1.pdf",
    'quote".pdf',
    "....//....//owned.pdf",
    "\x00.pdf",
    "kart ø/../../x.pdf",
]
#: Names a multipart body can carry as they are (the test client, like a browser, escapes quotes and line breaks).
HTTP_NAMES = [name for name in EVIL_NAMES if not any(ch in name for ch in '"\r\n')]
PDF = b"%PDF-1.4\n% test\n"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#2a2859").save(buffer, format="PNG")
    return buffer.getvalue()


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def _safe_download_name(header: str) -> bool:
    name = re.search(r'filename="([^"]*)"', header) or re.search(r"filename=([^;]+)", header)
    value = name.group(1) if name else ""
    return bool(value) and not re.search(r"[/\\\r\n\x00]|\.\.", value)


@pytest.mark.parametrize("evil", HTTP_NAMES)
def test_coat_of_arms_upload_ignores_the_file_name(app, db, public_world, tmp_path, evil):
    admin = _client_as(app, public_world.staff.users["admin"])
    uploads = Path(app.config["UPLOAD_FOLDER"])
    before_outside = _files_under(tmp_path) - _files_under(uploads)
    form = {
        "name": "Bydel Bjerke",
        "parent_name": "Oslo kommune",
        "contact_email": "",
        "primary_color": "#2a2859",
        "accent_color": "#1f42aa",
        "coat_of_arms": (io.BytesIO(_png()), evil.replace(".pdf", ".png")),
    }
    response = admin.post("/manage/organisation", data=form, content_type="multipart/form-data")
    assert response.status_code == 303
    organisation = public_world.staff.organisation
    db.session.refresh(organisation)
    assert re.fullmatch(r"coat-of-arms-[0-9a-f]{32}\.(png|jpe?g)", organisation.coat_of_arms)
    assert (uploads / organisation.coat_of_arms).is_file()
    assert _files_under(tmp_path) - _files_under(uploads) == before_outside  # nothing written outside uploads


@pytest.mark.parametrize("stored", ["../outside.txt", "../../outside.txt", "/etc/hostname", "..%2Foutside.txt"])
def test_served_coat_of_arms_cannot_leave_the_upload_folder(app, db, client, organisation, tmp_path, stored):
    (tmp_path / "outside.txt").write_text("secret outside the upload folder")
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)
    organisation.coat_of_arms = stored  # as if the database had been tampered with
    db.session.commit()
    response = client.get(f"/manage/branding/{organisation.slug}/coat-of-arms")
    assert response.status_code == 404
    assert b"secret" not in response.get_data()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../pyproject.toml",
        "/static/%2e%2e/pyproject.toml",
        "/static/..%2fpyproject.toml",
        "/static/css/../../pyproject.toml",
        "/static/%2e%2e%2f%2e%2e%2fetc/passwd",
        "/vendor/../../pyproject.toml",
        "/vendor/..%2f..%2fpyproject.toml",
        "/vendor/%2e%2e/package.json",
        "/vendor//etc/passwd",
    ],
)
def test_static_files_stay_in_their_folders(client, path):
    response = client.get(path)
    body = response.get_data()
    response.close()
    assert response.status_code in (404, 308, 400)
    assert b"[project]" not in body
    assert b"root:" not in body


@pytest.mark.parametrize("evil", EVIL_NAMES)
def test_clean_filename_keeps_only_a_plain_name(evil):
    name = clean_filename(evil)
    assert re.fullmatch(r"[A-Za-z0-9._-]+\.pdf", name), name
    assert ".." not in name


@pytest.mark.parametrize("evil", HTTP_NAMES)
def test_hearing_attachment_names_are_cleaned(app, db, public_world, evil):
    planner = _client_as(app, public_world.staff.users["planner"])
    before = db.session.query(HearingAttachment).count()
    consultation_id = public_world.staff.hearing_values["consultation_id"]
    response = planner.post(
        f"/manage/hearings/{consultation_id}/attachments",
        data={"title": "Kart", "file": (io.BytesIO(PDF), evil)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 303)
    assert db.session.query(HearingAttachment).count() == before + 1
    for attachment in db.session.query(HearingAttachment).all():
        assert re.fullmatch(r"[A-Za-z0-9._-]+\.pdf", attachment.filename), attachment.filename
        assert ".." not in attachment.filename
        download = planner.get(f"/manage/hearings/{consultation_id}/attachments/{attachment.id}")
        if download.status_code == 200:
            assert _safe_download_name(download.headers["Content-Disposition"])


@pytest.mark.parametrize("evil", HTTP_NAMES)
def test_residents_statement_pdf_names_are_cleaned(app, db, client, public_world, evil):
    public_id = public_world.hearing["public_id"]
    form = {
        "signer_name": "Kari Nordmann",
        "organisation_name": "",
        "body": "Vi mener at forslaget bør endres slik at beboere får plass. " * 2,
        "confirm": "y",
        "pdf": (io.BytesIO(PDF), evil),
    }
    response = client.post(f"/h/{public_id}/statements", data=form, content_type="multipart/form-data")
    assert response.status_code < 500
    with_pdf = db.session.query(FormalStatement).filter(FormalStatement.attachment_filename != "").all()
    assert with_pdf, f"the statement was not stored ({response.status_code}): the name check would be vacuous"
    for statement in with_pdf:
        assert re.fullmatch(r"[A-Za-z0-9._-]+\.pdf", statement.attachment_filename), statement.attachment_filename
