"""Hypothesis strategies for fuzzing forms, and the checks every fuzzed answer must pass.

A form is fuzzed with the field names its page really renders (some left out, some unknown added) and values
that are arbitrary unicode, oversized, lists, or known nasties (scripts, formulas, NUL, right-to-left marks).
The app must answer each with a status below 500, and no page may show a submitted script unescaped.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

SCRIPT = "<script>alert('civic')</script>"
IMAGE_ONERROR = '"><img src=x onerror=alert(1)>'
#: What a stored script looks like when the page does NOT escape it.
UNESCAPED = ("<script>alert(", "<img src=x onerror=")

NASTY = [
    SCRIPT,
    IMAGE_ONERROR,
    "javascript:alert(1)",
    "=HYPERLINK(\"http://evil.example\")",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "😀" * 300,
    "Ø" * 20_000,  # past every length limit
    "x" * 120_000,  # larger than any text field, still under the request size limit
    "",
    " ",
    "-1",
    "0",
    "99999999999999999999999",
    "NaN",
    "1e308",
    "../../etc/passwd",
    "' OR 1=1 --",
    "{{ 7*7 }}",
    "%(name)s",
    "\r\n\r\n",
]

values = st.one_of(st.text(max_size=300), st.sampled_from(NASTY))
field_values = st.one_of(values, st.lists(values, min_size=2, max_size=4))

#: Bounded so the whole security suite stays quick; deterministic so CI runs the same examples every time.
FUZZ_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def form_data(known_names: list[str], baseline: dict | None = None) -> st.SearchStrategy[dict]:
    """Dicts over the form's own field names and a few unknown ones, on top of a ``baseline`` that the form
    accepts (some of whose fields are dropped), so fuzzed values also reach the database, not only the checks."""
    baseline = baseline or {}
    names = st.one_of(st.sampled_from(sorted({*known_names, *baseline}) or ["field"]), st.text(min_size=1, max_size=40))
    fuzzed = st.dictionaries(names, field_values, max_size=len(known_names) + 3)
    dropped = st.sets(st.sampled_from(sorted(baseline))) if baseline else st.just(set())
    return st.tuples(dropped, fuzzed).map(
        lambda pair: {**{k: v for k, v in baseline.items() if k not in pair[0]}, **pair[1]}
    )


FIELD_NAME = re.compile(r"""<(?:input|textarea|select|button)\b[^>]*\bname=["']([^"']+)["']""", re.I)


def field_names(page: str) -> list[str]:
    """The names of the form fields a page renders (without the CSRF token)."""
    return sorted({name for name in FIELD_NAME.findall(page) if name != "csrf_token"})


def assert_no_server_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what} -> {response.status_code}"


def assert_escaped(page: str, what: str) -> None:
    for raw in UNESCAPED:
        assert raw not in page, f"{what} shows a submitted {raw!r} unescaped"
