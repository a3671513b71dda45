"""Every UI string is translated to bokmål and nynorsk (no English left on a Norwegian page)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHOD_MAP = [("civic/**.py", "python"), ("templates/**.html", "jinja2")]


def _not_hidden(dirname: str) -> bool:
    # Babel's default filter also skips folders starting with "_", which would miss templates/*/_partials.
    return not Path(dirname).name.startswith((".", "__pycache__"))


def _source_messages() -> set[str]:
    messages: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHOD_MAP, keywords=KEYWORDS, directory_filter=_not_hidden
    ):
        messages.add(message[0] if isinstance(message, tuple) else message)
    return messages


@pytest.mark.parametrize("locale", ["nb", "nn"])
def test_every_ui_string_is_translated(locale):
    with (ROOT / f"translations/{locale}/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    missing = []
    for message in sorted(_source_messages()):
        entry = catalog.get(message)
        translated = entry is not None and not entry.fuzzy and (
            all(entry.string) if isinstance(entry.string, tuple) else bool(entry.string)
        )
        if not translated:
            missing.append(message)
    assert missing == [], f"{len(missing)} strings lack a {locale} translation, e.g. {missing[:10]}"


def test_partials_are_extracted():
    # This string exists only in templates/accounts/_partials/staff_row.html.
    assert "Role for %(name)s" in _source_messages()
