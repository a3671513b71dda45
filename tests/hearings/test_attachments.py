"""The proposal's PDF attachments: the checks (service) and the planner's upload, list, download and delete."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from sqlalchemy import func, select

from civic.accounts.models import Role
from civic.core.errors import InvalidInputError
from civic.hearings.attachments import add_attachment, check_pdf, check_title, clean_filename
from civic.hearings.models import MAX_ATTACHMENT_BYTES, HearingAttachment

PDF = b"%PDF-1.4\n% kart over sone B1\n%%EOF\n"


@pytest.fixture(autouse=True)
def english(client):
    """Read the pages in English (the default is bokmål), so messages can be matched as written."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(HearingAttachment))


def _url(hearing, suffix: str = "") -> str:
    return f"/manage/hearings/{hearing.consultation_id}/attachments{suffix}"


def _upload(client, hearing, *, title="Kart over sone B1", data=PDF, filename="kart.pdf"):
    form = {"title": title}
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)
    return client.post(_url(hearing), data=form, content_type="multipart/form-data")


# --- checks ---------------------------------------------------------------------------------------------


def test_check_pdf_accepts_a_pdf_and_hashes_it():
    checked = check_pdf("Kart over sone B1 (ny).PDF", PDF)
    assert checked.size == len(PDF)
    assert checked.sha256 == hashlib.sha256(PDF).hexdigest()
    assert checked.filename == "Kart_over_sone_B1_ny_.PDF"


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        (None, None, "Choose a PDF file."),
        ("kart.docx", PDF, "the file name must end in .pdf"),
        ("kart.pdf", b"", "The file is empty"),
        ("kart.pdf", b"<html><script>alert(1)</script></html>", "This file is not a PDF"),
        ("kart.pdf", b" %PDF-1.4 leading space", "This file is not a PDF"),
        ("kart.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES, "The file is too large: at most 10 MB."),
    ],
)
def test_check_pdf_refuses_with_a_specific_message(filename, data, message):
    with pytest.raises(InvalidInputError) as caught:
        check_pdf(filename, data)
    assert message in caught.value.message
    assert caught.value.status_code == 422


def test_a_pdf_of_exactly_the_limit_is_accepted():
    data = b"%PDF-" + b"0" * (MAX_ATTACHMENT_BYTES - 5)
    assert check_pdf("stor.pdf", data).size == MAX_ATTACHMENT_BYTES


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ('C:\\Users\\kari\\"uttalelse".pdf', "uttalelse_.pdf"),
        ("Høring – Årvoll.pdf", "Horing_Arvoll.pdf"),
        ("....pdf", "pdf.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_clean_filename_is_safe_for_headers(name, expected):
    assert clean_filename(name) == expected


def test_title_is_required_and_limited():
    with pytest.raises(InvalidInputError, match="Give the attachment a title"):
        check_title("   ")
    with pytest.raises(InvalidInputError, match="too long"):
        check_title("x" * 201)
    assert check_title("  Kart ") == "Kart"


def test_add_attachment_stores_the_checked_file(db, create_hearing):
    hearing = create_hearing()
    attachment = add_attachment(db.session, hearing, title="Kart", filename="kart.pdf", data=PDF)
    db.session.commit()
    assert (attachment.size, attachment.sha256, attachment.data) == (len(PDF), hashlib.sha256(PDF).hexdigest(), PDF)
    assert attachment.content_type == "application/pdf"


# --- pages -------------------------------------------------------------------------------------------------


def test_upload_list_download_and_delete(client, auth, planner, db, create_hearing):
    hearing = create_hearing()
    auth.login(planner)
    response = _upload(client, hearing)
    assert response.status_code == 303
    attachment = db.session.scalars(select(HearingAttachment)).one()
    page = client.get(_url(hearing))
    assert "Kart over sone B1" in page.text
    assert "kart.pdf" in page.text
    detail = client.get(f"/manage/hearings/{hearing.consultation_id}")
    assert "Kart over sone B1" in detail.text
    download = client.get(_url(hearing, f"/{attachment.id}"))
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Disposition"] == 'attachment; filename="kart.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # Residents get it from the public page too.
    public = client.get(f"/h/{hearing.consultation.public_id}/attachments/{attachment.id}")
    assert public.status_code == 200
    assert public.data == PDF
    deleted = client.post(_url(hearing, f"/{attachment.id}/delete"))
    assert deleted.status_code == 303
    assert _count(db) == 0
    assert client.post(_url(hearing, f"/{attachment.id}/delete")).status_code == 404


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"title": ""}, "Give the attachment a title."),
        ({"data": None}, "Choose a PDF file."),
        ({"filename": "kart.png"}, "the file name must end in .pdf"),
        ({"data": b"\x89PNG\r\n\x1a\n not a pdf"}, "This file is not a PDF"),
    ],
)
def test_bad_uploads_are_refused_with_a_message(client, auth, planner, db, create_hearing, values, message):
    hearing = create_hearing()
    auth.login(planner)
    response = _upload(client, hearing, **values)
    assert response.status_code == 422
    assert message in response.text
    if values.get("title") is None:
        assert 'value="Kart over sone B1"' in response.text  # the typed title is kept
    assert _count(db) == 0


def test_a_too_big_upload_gets_a_message_not_a_413(client, auth, planner, db, create_hearing):
    hearing = create_hearing()
    auth.login(planner)
    response = _upload(client, hearing, data=b"%PDF-1.4\n" + b"0" * MAX_ATTACHMENT_BYTES)
    response.request.environ["wsgi.input"].close()  # the test client spools a large body and leaves it open
    assert response.status_code == 422
    assert "The file is too large" in response.text
    assert _count(db) == 0


def test_attachment_of_another_hearing_is_not_found(client, auth, planner, db, create_hearing):
    hearing, other = create_hearing(), create_hearing()
    attachment = add_attachment(db.session, other, title="Kart", filename="kart.pdf", data=PDF)
    db.session.commit()
    auth.login(planner)
    assert client.get(_url(hearing, f"/{attachment.id}")).status_code == 404
    assert client.post(_url(hearing, f"/{attachment.id}/delete")).status_code == 404
    assert _count(db) == 1


def test_viewers_cannot_upload_or_delete(client, auth, create_staff, db, create_hearing):
    hearing = create_hearing()
    attachment = add_attachment(db.session, hearing, title="Kart", filename="kart.pdf", data=PDF)
    db.session.commit()
    auth.login(create_staff(Role.VIEWER))
    assert _upload(client, hearing).status_code == 403
    assert client.post(_url(hearing, f"/{attachment.id}/delete")).status_code == 403
    assert client.get(_url(hearing, f"/{attachment.id}")).status_code == 200  # they may read it
    assert _count(db) == 1


def test_another_organisations_staff_get_404(client, auth, create_staff, create_organisation, db, create_hearing):
    hearing = create_hearing()
    attachment = add_attachment(db.session, hearing, title="Kart", filename="kart.pdf", data=PDF)
    db.session.commit()
    other = create_organisation(slug="alna", name="Bydel Alna")
    auth.login(create_staff(Role.ADMIN, email="admin@alna.example", org=other))
    assert client.get(_url(hearing)).status_code == 404
    assert _upload(client, hearing).status_code == 404
    assert client.get(_url(hearing, f"/{attachment.id}")).status_code == 404
    assert client.post(_url(hearing, f"/{attachment.id}/delete")).status_code == 404
    assert _count(db) == 1


def test_uploads_above_the_apps_request_limit_pass_the_csrf_check(app, client, auth, planner, db, create_hearing):
    """CSRF protection reads the form before the view; the larger upload limit must already apply then."""
    hearing = create_hearing()
    auth.login(planner)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get(_url(hearing))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    data = b"%PDF-1.4\n" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = client.post(
        _url(hearing),
        data={"csrf_token": token, "title": "Stort kart", "file": (io.BytesIO(data), "kart.pdf")},
        content_type="multipart/form-data",
    )
    response.request.environ["wsgi.input"].close()
    assert response.status_code == 303
    assert db.session.scalars(select(HearingAttachment)).one().size == len(data)
    # Other staff pages keep the app's limit.
    settings = client.post(
        f"/manage/hearings/{hearing.consultation_id}/settings",
        data={"csrf_token": token, "moderation_mode": "post", "house_rules_nb": "x" * (4 * 1024 * 1024 + 10)},
    )
    assert settings.status_code == 413
