"""Guessing residents' personal-link tokens: unknown tokens get a plain 404, a client that keeps guessing is
refused (429) on every token URL for a while, and tokens are found by their hash, never compared as text."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from civic.core import security
from civic.core.tokens import hash_token, new_token
from civic.extensions import db as flask_db
from civic.outreach.models import InvitationLink
from tests.security.routes import Access, access_of, rules_of

GUESS_LIMIT = int(security.DEFAULT_TOKEN_GUESS_RATE_LIMIT.split()[0])


def _personal_link_rules(app, method: str):
    return [rule for rule in rules_of(app, method) if access_of(app, rule.endpoint) == Access.PERSONAL_LINK]


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_every_personal_link_route_answers_a_wrong_token_with_404(app, public_world):
    checked = []
    for method in ("GET", "POST"):
        for rule in _personal_link_rules(app, method):
            values = {**public_world.values_for(rule), "token": new_token()}
            path = app.url_map.bind("localhost").build(rule.endpoint, values, method=method)
            response = app.test_client().open(path, method=method)
            assert response.status_code == 404, f"{method} {path} -> {response.status_code}"
            checked.append(rule.endpoint)
    assert len(checked) >= 8


def test_guessing_clients_are_refused_on_every_token_url(app, limits_on, public_world, english_ui):
    guesser = _from(app, "203.0.113.50")
    for i in range(GUESS_LIMIT):
        path = ("/p/{}", "/h/p/{}", "/f/join/{}", "/f/observe/{}", "/p/{}/my-data")[i % 5].format(new_token())
        assert guesser.get(path).status_code == 404
    real = public_world.survey["token"]
    refused = guesser.get(f"/p/{real}")
    assert refused.status_code == 429
    assert "Too many links that do not work" in refused.text
    assert guesser.post(f"/p/{new_token()}/page/1", data={}).status_code == 429
    # other residents, and the guesser's other pages, are not affected
    assert _from(app, "198.51.100.7").get(f"/p/{real}").status_code == 200
    assert guesser.get(f"/s/{public_world.survey['public_id']}").status_code == 200


def test_residents_with_a_working_link_are_never_counted(app, limits_on, public_world):
    resident = _from(app, "198.51.100.8")
    real = public_world.survey["token"]
    statuses = {resident.get(f"/p/{real}").status_code for _ in range(GUESS_LIMIT + 5)}
    assert statuses == {200}


def test_tokens_are_looked_up_by_hash_never_compared_as_text(app, db, public_world):
    """The database holds only SHA-256(token), and a request finds the link with an indexed equality lookup on
    that hash: the plain token never reaches a query, so no comparison leaks how much of a guess was right."""
    token = public_world.survey["token"]
    link = db.session.scalar(select(InvitationLink).where(InvitationLink.token_hash == hash_token(token)))
    assert link is not None
    assert any(index.columns.keys() == ["token_hash"] for index in InvitationLink.__table__.indexes) or (
        InvitationLink.__table__.c.token_hash.unique or InvitationLink.__table__.c.token_hash.index
    )
    parameters: list[str] = []

    def capture(conn, cursor, statement, params, context, executemany):
        values = params.values() if isinstance(params, dict) else (params or ())
        parameters.extend(str(v) for v in values)

    engine = flask_db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert app.test_client().get(f"/p/{token}").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert hash_token(token) in parameters
    assert not any(token in value for value in parameters)


def test_plain_tokens_are_stored_nowhere(db, public_world):
    tokens = [public_world.survey["token"], public_world.hearing["token"], public_world.focus_group["token"]]
    tokens.append(public_world.focus_group["observer_token"])
    for table in db.metadata.sorted_tables:
        text_columns = [c for c in table.columns if c.type.python_type is str] if table.columns else []
        for row in db.session.execute(select(*text_columns)) if text_columns else ():
            for value in row:
                assert not any(value and token in value for token in tokens), f"a plain token in {table.name}"


@pytest.mark.parametrize("path", ["/p/" + "x" * 5000, "/h/p/..%2F..%2Fetc", "/f/join/' OR 1=1 --", "/stop/%E2%80%AE"])
def test_malformed_tokens_are_a_plain_404(client, path):
    assert client.get(path).status_code == 404


def test_a_token_with_a_nul_character_is_a_bad_request(client):
    assert client.get("/p/%00").status_code == 400  # refused before any lookup (PostgreSQL cannot hold NUL)
