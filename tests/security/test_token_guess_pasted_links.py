"""The "find my data" form takes a personal link typed or pasted by the resident: guessing there counts against
the same limit as guessing token URLs (civic.core.security)."""

from __future__ import annotations

from civic.core import security
from civic.core.tokens import new_token

GUESS_LIMIT = int(security.DEFAULT_TOKEN_GUESS_RATE_LIMIT.split()[0])


def test_pasted_links_count_as_guesses(app, limits_on, public_world):
    guesser = app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "203.0.113.60"
    for _ in range(GUESS_LIMIT):
        assert guesser.post("/my-data", data={"link": f"http://localhost/p/{new_token()}"}).status_code == 422
    real = public_world.survey["token"]
    assert guesser.post("/my-data", data={"link": f"http://localhost/p/{real}"}).status_code == 429
    assert guesser.get(f"/p/{real}").status_code == 429  # one limit for token URLs and pasted links
    resident = app.test_client()
    resident.environ_base["REMOTE_ADDR"] = "198.51.100.61"
    assert resident.post("/my-data", data={"link": f"http://localhost/p/{real}"}).status_code == 303
