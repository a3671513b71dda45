"""Formal statements: submitting (service and form), the published list, the PDF download, bad input, XSS."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from civic.consultations.models import Access, ConsultationState
from civic.core.errors import NotAllowedError, StateError
from civic.hearings.models import MAX_ATTACHMENT_BYTES, FormalStatement, StatementState

# Not ``from civic.hearings import statements``: the package's __init__ binds that name to views.statements.
from civic.hearings.statements import StatementInputError, UploadedPdf, list_published, submit_statement

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BODY = "Vi i Årvoll velforening støtter forslaget, men ber om flere korttidsplasser ved senteret."

XSS_PAYLOADS = (
    '<script>alert("xss-script")</script>',
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(2)>',
    '<a href="javascript:alert(3)">klikk</a>',
    "[lenke](javascript:alert(4))",
)


class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            url = (value or "").strip().lower().replace("\t", "").replace("\n", "")
            if name in ("href", "src", "action", "formaction", "xlink:href") and url.startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not (src.startswith("/static/") or src.startswith("/vendor")):
                self.problems.append(f"<script src={src!r}>")
            self.in_script = True
        if tag in ("svg", "img", "iframe", "object", "embed"):
            self.problems.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problems.append("inline script")


def assert_inert(html: str) -> None:
    """No script elements but the app's own, no on* attributes, no javascript: URLs, no svg/img from payloads."""
    scan = _Scan()
    scan.feed(html)
    assert scan.problems == [], scan.problems
    assert "xss-script" not in html or "&lt;script&gt;" in html


@pytest.fixture(autouse=True)
def english(client):
    """Read the pages in English (the default is bokmål), so messages can be matched as written."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def _url(hearing) -> str:
    return f"/h/{hearing.consultation.public_id}/statements"


def _data(**values) -> dict:
    data = {"signer_name": "Kari Nordmann", "organisation_name": "Årvoll velforening", "body": BODY, "confirm": "y"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(FormalStatement))


# --- service ----------------------------------------------------------------------------------------------


def test_service_stores_a_pending_statement_with_the_pdf(db, create_hearing):
    hearing = create_hearing()
    statement = submit_statement(
        db.session,
        hearing,
        None,
        signer_name="  Kari Nordmann ",
        organisation_name="",
        body=BODY,
        confirmed=True,
        pdf=UploadedPdf("Uttalelse Årvoll.pdf", PDF),
    )
    db.session.commit()
    assert statement.state == StatementState.PENDING
    assert statement.signer_name == "Kari Nordmann"
    assert statement.attachment_filename == "Uttalelse_Arvoll.pdf"
    assert statement.attachment_size == len(PDF)
    assert len(statement.attachment_sha256) == 64
    assert list_published(db.session, hearing) == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"signer_name": "   "}, "signer_name"),
        ({"signer_name": "x" * 201}, "signer_name"),
        ({"organisation_name": "x" * 201}, "organisation_name"),
        ({"body": "For kort."}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"confirmed": False}, "confirm"),
        ({"pdf": UploadedPdf("a.pdf", b"<html>not a pdf</html>")}, "pdf"),
        ({"pdf": UploadedPdf("a.docx", PDF)}, "pdf"),
        ({"pdf": UploadedPdf("a.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES)}, "pdf"),
    ],
)
def test_service_names_the_field_that_needs_another_look(db, create_hearing, values, field):
    hearing = create_hearing()
    arguments = {"signer_name": "Kari", "organisation_name": "", "body": BODY, "confirmed": True, **values}
    with pytest.raises(StatementInputError) as caught:
        submit_statement(db.session, hearing, None, **arguments)
    assert caught.value.field == field
    assert caught.value.status_code == 422
    assert _count(db) == 0


def test_service_refuses_closed_and_invited_only_hearings(db, create_hearing, create_participant):
    closed = create_hearing(state=ConsultationState.CLOSED)
    with pytest.raises(StateError):
        submit_statement(db.session, closed, None, signer_name="Kari", body=BODY, confirmed=True)
    invited = create_hearing(access=Access.INVITED)
    participant, _key = create_participant(invited)  # a cookie participant, not from a personal link
    with pytest.raises(NotAllowedError):
        submit_statement(db.session, invited, participant, signer_name="Kari", body=BODY, confirmed=True)
    participant.invited = True
    submit_statement(db.session, invited, participant, signer_name="Kari", body=BODY, confirmed=True)
    assert _count(db) == 1


# --- pages ------------------------------------------------------------------------------------------------


def test_submit_shows_a_receipt_and_waits_for_review(client, db, create_hearing):
    hearing = create_hearing()
    response = client.post(_url(hearing), data=_data())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(_url(hearing))
    receipt = client.get(_url(hearing))
    assert receipt.status_code == 200
    assert "Thank you, your statement has been received" in receipt.text
    assert "A moderator reads it before it is published" in receipt.text
    statement = db.session.scalars(select(FormalStatement)).one()
    assert statement.state == StatementState.PENDING
    # The next visit shows the list again, without the pending statement.
    page = client.get(_url(hearing))
    assert "Thank you" not in page.text
    assert "Årvoll velforening" not in page.text
    assert "No statements have been published yet." in page.text


def test_htmx_submit_redirects_with_hx_redirect(client, create_hearing):
    hearing = create_hearing()
    response = client.post(_url(hearing), data=_data(), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].endswith(_url(hearing))


def test_published_statements_are_listed_with_signer_organisation_date_and_pdf(
    client, db, create_hearing, create_participant
):
    hearing = create_hearing()
    statement = submit_statement(
        db.session,
        hearing,
        None,
        signer_name="Kari Nordmann",
        organisation_name="Årvoll velforening",
        body=BODY + "\r\n\r\nAndre avsnitt.\r\nNy linje.",
        confirmed=True,
        pdf=UploadedPdf("uttalelse.pdf", PDF),
    )
    pending = submit_statement(
        db.session,
        hearing,
        None,
        signer_name="Ola Venter",
        body="Denne er ikke lest ennå, så den vises ikke.",
        confirmed=True,
    )
    statement.state = StatementState.PUBLISHED
    db.session.commit()
    page = client.get(_url(hearing))
    assert page.status_code == 200
    text = page.text
    assert "Kari Nordmann" in text
    assert "Årvoll velforening" in text
    assert "<p>Andre avsnitt.<br>Ny linje.</p>" in text
    assert "Ola Venter" not in text
    link = f"{_url(hearing)}/{statement.id}/attachment"
    assert link in text
    download = client.get(link)
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # Pending statements, statements without a PDF and other hearings' statements are not found.
    assert client.get(f"{_url(hearing)}/{pending.id}/attachment").status_code == 404
    other = create_hearing()
    assert client.get(f"{_url(other)}/{statement.id}/attachment").status_code == 404


def test_rejected_statement_attachment_is_not_served(client, db, create_hearing):
    hearing = create_hearing()
    statement = submit_statement(
        db.session, hearing, None, signer_name="Kari", body=BODY, confirmed=True,
        pdf=UploadedPdf("u.pdf", PDF),
    )  # fmt: skip
    statement.state = StatementState.REJECTED
    db.session.commit()
    assert client.get(f"{_url(hearing)}/{statement.id}/attachment").status_code == 404


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"signer_name": ""}, "Write your name"),
        ({"body": "Kort."}, "at least 20 characters"),
        ({"body": "y" * 20_001}, "The statement is too long"),
        ({"confirm": None}, "Confirm that the statement is yours"),
    ],
)
def test_bad_input_keeps_everything_typed(client, db, create_hearing, values, message):
    hearing = create_hearing()
    data = _data(**values)
    response = client.post(_url(hearing), data=data)
    assert response.status_code == 422
    assert message in response.text
    for name in ("signer_name", "organisation_name"):
        if data.get(name):
            assert f'value="{data[name]}"' in response.text
    assert data["body"][:200] in response.text
    assert _count(db) == 0


def test_a_file_that_is_not_a_pdf_is_refused(client, db, create_hearing):
    hearing = create_hearing()
    data = _data(pdf=(io.BytesIO(b"MZ\x90\x00 not a pdf"), "uttalelse.pdf"))
    response = client.post(_url(hearing), data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "This file is not a PDF" in response.text
    assert BODY in response.text
    assert _count(db) == 0


def test_a_too_big_pdf_gets_a_message_not_a_413(client, db, create_hearing):
    hearing = create_hearing()
    big = b"%PDF-1.4\n" + b"0" * MAX_ATTACHMENT_BYTES
    response = client.post(
        _url(hearing), data=_data(pdf=(io.BytesIO(big), "stor.pdf")), content_type="multipart/form-data"
    )
    # Werkzeug's test client spools a large body to a temporary file it does not close itself.
    response.request.environ["wsgi.input"].close()
    assert response.status_code == 422
    assert "The file is too large" in response.text
    assert BODY in response.text
    assert _count(db) == 0


def test_closed_hearing_says_so_and_keeps_the_text(client, db, create_hearing):
    hearing = create_hearing(state=ConsultationState.CLOSED)
    page = client.get(_url(hearing))
    assert page.status_code == 200
    assert "This hearing is closed" in page.text
    assert "<textarea" not in page.text
    response = client.post(_url(hearing), data=_data())
    assert response.status_code == 409
    assert "This hearing is closed" in response.text
    assert BODY in response.text
    assert _count(db) == 0


def test_invited_only_hearing_needs_the_personal_link(client, db, create_hearing):
    hearing = create_hearing(access=Access.INVITED)
    response = client.post(_url(hearing), data=_data())
    assert response.status_code == 403
    assert "Only invited residents" in response.text
    assert _count(db) == 0


def test_draft_hearing_is_not_found(client, create_hearing):
    hearing = create_hearing(state=ConsultationState.DRAFT)
    assert client.get(_url(hearing)).status_code == 404
    assert client.post(_url(hearing), data=_data()).status_code == 404


def test_forged_participant_cookie_does_not_break_the_form(client, db, create_hearing):
    from civic.hearings.views.common import cookie_name

    hearing = create_hearing()
    client.set_cookie(cookie_name(hearing), "forged.value")
    assert client.get(_url(hearing)).status_code == 200
    response = client.post(_url(hearing), data=_data())
    assert response.status_code == 303
    assert _count(db) == 1


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_in_name_organisation_and_body_renders_inert(client, db, create_hearing, payload):
    hearing = create_hearing()
    response = client.post(
        _url(hearing), data=_data(signer_name=payload, organisation_name=payload, body=f"{payload} {BODY}")
    )
    assert response.status_code == 303
    statement = db.session.scalars(select(FormalStatement)).one()
    statement.state = StatementState.PUBLISHED
    db.session.commit()
    page = client.get(_url(hearing))
    assert page.status_code == 200
    assert_inert(page.text)
    # Bad input re-renders the typed payload; it must stay inert there too.
    again = client.post(_url(hearing), data=_data(signer_name=payload, organisation_name=payload, confirm=None))
    assert again.status_code == 422
    assert_inert(again.text)


@pytest.mark.parametrize(
    "html",
    [
        "<p><script>alert(1)</script></p>",
        '<img src="x" onerror="alert(1)">',
        '<a href=" JavaScript:alert(1)">x</a>',
        '<div onmouseover="alert(1)">x</div>',
    ],
)
def test_the_inert_check_catches_live_payloads(html):
    with pytest.raises(AssertionError):
        assert_inert(html)
