"""Stop words for topic labels, for the six languages civic works in: nb, nn, da, sv, de, en.

Sources and licences:

* nb, da, sv, de, en: the ``stopwordsiso`` package (PyPI, MIT; data from the Stopwords ISO project, MIT), plus a
  short hand-written supplement per language in ``stopwords/<lang>_extra.txt`` (fillers of hearing comments such as
  "bør", "synes", "mener" that the lists lack). Bokmål uses stopwordsiso's "no" list, which is the Snowball Norwegian
  list (BSD-3-Clause) and mixes bokmål and nynorsk forms.
* nn: ``stopwords/nn.txt``, written for civic (no Nynorsk list ships on PyPI); its header says how.

Every list is normalised to the tokens our vectorizers produce (lower case, two or more characters, at least one
letter — see ``TOKEN_PATTERN``): an entry such as "ain't" becomes "ain", single letters disappear. That keeps
scikit-learn's consistency check between stop words and tokenizer quiet and makes the lists exactly what is removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("nb", "nn", "da", "sv", "de", "en")
LANGUAGE_NAMES = {
    "nb": "Norwegian (bokmål)",
    "nn": "Norwegian (nynorsk)",
    "da": "Danish",
    "sv": "Swedish",
    "de": "German",
    "en": "English",
}

# Words of two or more characters with at least one letter: keeps "co2" and "e6", drops "000" and "2024" (numbers
# make poor topic labels) and single letters.
TOKEN_PATTERN = r"(?u)\b(?=\w*[^\W\d_])\w\w+\b"  # noqa: S105 - a regex, not a secret
_TOKEN = re.compile(TOKEN_PATTERN)

_DATA = Path(__file__).with_name("stopwords")
_ISO_CODE = {"nb": "no", "da": "da", "sv": "sv", "de": "de", "en": "en"}  # stopwordsiso's codes


def tokens(text: str) -> list[str]:
    """The tokens of ``text`` as the topic vectorizers see them (lower-cased)."""
    return _TOKEN.findall(text.lower())


def _read_list(path: Path) -> list[str]:
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


def _normalise(words: Iterable[str]) -> frozenset[str]:
    return frozenset(token for word in words for token in tokens(word))


def _load(language: str) -> frozenset[str]:
    if language == "nn":
        return _normalise(_read_list(_DATA / "nn.txt"))
    import stopwordsiso

    words = list(stopwordsiso.stopwords(_ISO_CODE[language]))
    extra = _DATA / f"{language}_extra.txt"
    if extra.exists():
        words += _read_list(extra)
    return _normalise(words)


STOP_WORDS: dict[str, frozenset[str]] = {language: _load(language) for language in LANGUAGES}


@cache
def stop_words_for(languages: frozenset[str] | None = None) -> frozenset[str]:
    """The union of the stop words of ``languages`` (codes outside the six are ignored); all six when None/empty."""
    chosen = [code for code in (languages or ()) if code in STOP_WORDS] or list(LANGUAGES)
    return frozenset().union(*(STOP_WORDS[code] for code in chosen))
