"""Admins edit their organisation's branding: readable colours and a coat of arms checked by content."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.test import EnvironBuilder

from civic.accounts.branding import contrast_ratio

PAGE = "/manage/organisation"


def _image(fmt: str = "PNG", size: tuple[int, int] = (40, 48), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt, **save)
    return out.getvalue()


def _form(**overrides) -> dict:
    data = {
        "name": "Bydel Bjerke",
        "parent_name": "Oslo kommune",
        "contact_email": "post@bjerke.example",
        "primary_color": "#2a2859",
        "accent_color": "#1f42aa",
    }
    data.update(overrides)
    return data


def _upload(client, content: bytes, filename: str = "vapen.png", **fields):
    data = _form(**fields)
    data["coat_of_arms"] = (io.BytesIO(content), filename)
    # Built by hand so the encoded body (a temporary file above 500 KB) can be closed afterwards.
    builder = EnvironBuilder(path=PAGE, method="POST", data=data)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def test_contrast_ratio_matches_wcag():
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#ffffff", "#767676") == pytest.approx(4.54, abs=0.01)  # the classic AA grey


def test_page_shows_current_values(client, logged_in_admin):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert 'value="Bydel Bjerke"' in response.text
    assert 'value="#2a2859"' in response.text


def test_planner_cannot_edit_branding(client, logged_in_planner):
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data=_form(name="Hijacked")).status_code == 403


def test_save_texts_and_colours(client, logged_in_admin, organisation, db):
    response = client.post(
        PAGE, data=_form(name="Bydel Bjerke (ny)", primary_color="#003366", accent_color="#AA0000")
    )
    assert response.status_code == 303
    db.session.refresh(organisation)
    assert organisation.name == "Bydel Bjerke (ny)"
    assert (organisation.primary_color, organisation.accent_color) == ("#003366", "#aa0000")
    assert organisation.contact_email == "post@bjerke.example"


@pytest.mark.parametrize("field", ["primary_color", "accent_color"])
def test_malformed_colour_is_refused_and_input_kept(client, logged_in_admin, organisation, db, field):
    response = client.post(PAGE, data=_form(name="Typed name", **{field: "red"}))
    assert response.status_code == 422
    assert "six hexadecimal digits" in response.text
    assert 'value="Typed name"' in response.text
    db.session.refresh(organisation)
    assert organisation.name == "Bydel Bjerke"


def test_primary_colour_must_carry_white_text(client, logged_in_admin):
    response = client.post(PAGE, data=_form(primary_color="#ffdd00", name="Typed name"))
    assert response.status_code == 422
    assert "at least 4.5:1" in response.text
    assert 'value="Typed name"' in response.text
    assert 'value="#ffdd00"' in response.text


def test_png_upload_is_stored_under_a_random_name_and_served(client, logged_in_admin, organisation, db, app):
    response = _upload(client, _image("PNG"), "../../etc/vapen.png")
    assert response.status_code == 303
    db.session.refresh(organisation)
    stored = organisation.coat_of_arms
    assert stored.startswith("coat-of-arms-")
    assert stored.endswith(".png")
    assert "vapen" not in stored
    assert (Path(app.config["UPLOAD_FOLDER"]) / stored).is_file()
    served = client.get(f"/manage/branding/{organisation.slug}/coat-of-arms")
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    served.close()


def test_replacing_the_image_removes_the_old_file(client, logged_in_admin, organisation, db, app):
    _upload(client, _image("PNG"))
    db.session.refresh(organisation)
    first = organisation.coat_of_arms
    assert _upload(client, _image("JPEG"), "vapen.jpeg").status_code == 303
    db.session.refresh(organisation)
    assert organisation.coat_of_arms.endswith(".jpg")
    assert organisation.coat_of_arms != first
    assert not (Path(app.config["UPLOAD_FOLDER"]) / first).exists()


def test_content_decides_not_the_extension(client, logged_in_admin, organisation, db):
    assert _upload(client, _image("JPEG"), "looks-like.png").status_code == 303
    db.session.refresh(organisation)
    assert organisation.coat_of_arms.endswith(".jpg")


def test_trailing_data_is_dropped_by_reencoding(client, logged_in_admin, organisation, db, app):
    payload = _image("PNG") + b"<script>alert(1)</script>"
    assert _upload(client, payload).status_code == 303
    db.session.refresh(organisation)
    assert b"<script>" not in (Path(app.config["UPLOAD_FOLDER"]) / organisation.coat_of_arms).read_bytes()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "vapen.png", "Only PNG and JPEG"),
        (_image("GIF"), "vapen.gif", "Only PNG and JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "vapen.png", "could not be read"),
        (_image("PNG", (1001, 20)), "vapen.png", "at most 1000×1000"),
        (_image("PNG") + b"\0" * (1024 * 1024), "vapen.png", "larger than 1 MB"),
    ],
    ids=["svg", "gif", "broken-png", "too-wide", "too-heavy"],
)
def test_bad_uploads_are_refused_and_other_fields_kept(
    client, logged_in_admin, organisation, db, app, content, filename, message
):
    response = _upload(client, content, filename, name="Typed name", primary_color="#003366")
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Typed name"' in response.text
    assert 'value="#003366"' in response.text
    db.session.refresh(organisation)
    assert organisation.coat_of_arms == ""
    assert organisation.name == "Bydel Bjerke"
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or list(folder.iterdir()) == []


def test_resident_page_header_uses_the_coat_of_arms(client, logged_in_admin, organisation, db):
    _upload(client, _image("PNG"))
    page = client.get(PAGE).text
    assert f"/manage/branding/{organisation.slug}/coat-of-arms" in page
