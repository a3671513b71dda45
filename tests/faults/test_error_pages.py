"""How infrastructure faults reach the user (civic/core/errors_http.py): the database away is 503 with
Retry-After (retryable), a full disk 507, both in the user's language; other errors are not disguised as them."""

from __future__ import annotations

import errno
import html
import sqlite3

import pytest
from flask import Flask
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from civic.core import errors_http

FAULTS = {
    "db-gone": lambda: OperationalError("SELECT 1", {}, sqlite3.OperationalError("server closed the connection")),
    "pool-empty": lambda: PoolTimeoutError("QueuePool limit of size 5 overflow 10 reached"),
    "db-full": lambda: OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full")),
    "disk-full": lambda: OSError(errno.ENOSPC, "No space left on device"),
    "quota": lambda: OSError(errno.EDQUOT, "Disk quota exceeded"),
    "denied": lambda: OSError(errno.EACCES, "Permission denied"),
    "duplicate": lambda: IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")),
}


@pytest.fixture
def faulty(app: Flask) -> Flask:
    def fail(fault: str):
        raise FAULTS[fault]()

    app.add_url_rule("/test-fault/<fault>", "test_fault", fail)
    return app


def _message(app: Flask, status: int, lang: str) -> str:
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        return html.escape(errors_http._messages()[status], quote=False)


@pytest.mark.parametrize("fault", ["db-gone", "pool-empty"])
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_database_unavailable_is_503_with_retry_after(faulty, client, fault, lang):
    response = client.get(f"/test-fault/{fault}", headers={"Accept-Language": lang})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["Cache-Control"] == "no-store"
    assert _message(faulty, 503, lang) in response.text
    assert f'<html lang="{lang}"' in response.text


def test_htmx_requests_get_the_503_fragment(faulty, htmx_client):
    response = htmx_client.get("/test-fault/db-gone")
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    assert "<html" not in response.text
    assert 'id="error-message"' in response.text


@pytest.mark.parametrize("fault", ["db-full", "disk-full", "quota"])
def test_full_storage_is_507(faulty, client, fault):
    response = client.get(f"/test-fault/{fault}", headers={"Accept-Language": "nn"})
    assert response.status_code == 507
    assert _message(faulty, 507, "nn") in response.text


@pytest.mark.parametrize(("fault", "error"), [("denied", PermissionError), ("duplicate", IntegrityError)])
def test_other_errors_are_not_disguised_as_retryable(faulty, client, fault, error):
    # TESTING propagates unhandled errors; in production they are the 500 page.
    with pytest.raises(error):
        client.get(f"/test-fault/{fault}")


def test_first_visit_of_a_personal_link_while_the_database_goes_away_is_503_not_500(
    client, db, create_survey, create_invitation, monkeypatch
):
    # The first visit marks the link opened and commits after the page is built; when building it fails, that
    # commit must not run (it would raise again on the dead transaction and turn the retryable 503 into a 500).
    from civic.consultations.models import Access
    from civic.outreach.models import Invitation
    from civic.surveys.views import public

    survey = create_survey(access=Access.INVITED)
    invitation, token = create_invitation(survey.consultation)

    def database_gone(*_args, **_kwargs):
        raise FAULTS["db-gone"]()

    monkeypatch.setattr(public, "_render_page", database_gone)
    response = client.get(f"/p/{token}/page/1", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert "Retry-After" in response.headers
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).opened_at is None, "nothing of the failed visit is stored"
