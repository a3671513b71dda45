"""Screening of a resident's comment: should it be held for a moderator before it is shown?

Why: hearing comments are published, and residents sometimes paste their own or a neighbour's national identity
number, phone number or e-mail address, or post links and the same text many times. None of this is rejected:
the comment is held and a moderator decides. So the detectors aim for few false positives (a held comment costs a
moderator's time and delays the resident) while catching the common ways these things are written in Norwegian.

Everything here is pure: the caller passes the participant's recent texts and post times in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from typing import Literal

import phonenumbers

from civic.registry.synthetic import fnr_is_valid

FindingKind = Literal["national_id", "phone", "email", "link"]
#: Reason codes in the order ``hold_reasons`` returns them.
REASONS = ("personal_data", "link", "repeat", "burst")
PERSONAL_DATA_KINDS = frozenset({"national_id", "phone", "email"})
REPEAT_MIN_CHARS = 20
REPEAT_SIMILARITY = 0.9


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int  # character offsets into the screened text, end exclusive
    end: int


# 11 digits, optionally written "DDMMYY NNNNN" with one space, and not part of a longer number.
_NATIONAL_ID = re.compile(r"(?<!\d)(\d{6})[ \u00a0]?(\d{5})(?!\d)")
# Conservative: a local part and a domain of word characters (so æøå count), ending in a letter-only TLD.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]*\w@\w[\w-]*(?:\.[\w-]+)*\.[^\W\d_]{2,}\b")
_URL_TAIL = r"(?:[/?#][^\s<>\"]*)?"
_LINK = re.compile(
    "|".join(
        [
            r"https?://[^\s<>\"]+",
            r"(?<![\w@.-])www\.[\w-]+(?:\.[\w-]+)+" + _URL_TAIL,
            # Bare domains only with the common TLDs, all lower or all upper case: "bydelen.No mer…" (a missing space
            # after a full stop) is not a domain, and "kl.10" / "ca.5" never match because the TLD must be letters.
            # The first label must hold a letter, so "side 3.no" is not a domain either.
            r"(?<![\w@.-])(?=[\w-]*[^\W\d_])[\w-]+(?:\.[\w-]+)*\.(?:no|com|org|net|io|NO|COM|ORG|NET|IO)(?![\w-])"
            + _URL_TAIL,
        ]
    )
)
_TRAILING_PUNCTUATION = ".,;:!?)]}»\"'"


def _plausible_birth_date(digits: str) -> bool:
    """DDMM of an identity number, allowing the variants whose checksum is computed the same way.

    ``fnr_is_valid`` checks only the two mod-11 digits, which D-numbers (day + 40), H-numbers (month + 40) and
    Tenor's synthetic test numbers (month + 80) pass unchanged, so no normalisation is needed for them. The date
    check is added here to keep false positives down: about one random 11-digit number in 120 passes the checksum
    (bank account numbers are also 11 digits), far fewer also start with a possible day and month.
    """
    day, month = int(digits[:2]), int(digits[2:4])
    day = day - 40 if day > 40 else day
    month = month - 80 if month > 80 else month - 40 if month > 40 else month
    return 1 <= day <= 31 and 1 <= month <= 12


def _national_ids(text: str) -> list[Finding]:
    found = []
    for match in _NATIONAL_ID.finditer(text):
        digits = match.group(1) + match.group(2)
        if fnr_is_valid(digits) and _plausible_birth_date(digits):
            found.append(Finding("national_id", match.start(), match.end()))
    return found


def _phones(text: str) -> list[Finding]:
    # Leniency VALID: the number must be a real, assigned Norwegian range (8 digits, right prefixes), so prices,
    # years, times ("kl. 1800", "0730") and postcodes are not matched.
    matcher = phonenumbers.PhoneNumberMatcher(text, "NO", leniency=phonenumbers.Leniency.VALID)
    return [Finding("phone", match.start, match.end) for match in matcher]


def _emails(text: str) -> list[Finding]:
    return [Finding("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]


def _links(text: str) -> list[Finding]:
    found = []
    for match in _LINK.finditer(text):
        # "se www.oslo.kommune.no/parkering." - the full stop ends the sentence, not the address.
        end = match.end()
        while end > match.start() and text[end - 1] in _TRAILING_PUNCTUATION:
            end -= 1
        found.append(Finding("link", match.start(), end))
    return found


def screen_text(text: str) -> list[Finding]:
    """Personal data and links in a comment, sorted by position, without overlaps.

    Where findings overlap the earlier detector in this order wins: national id, e-mail, link, phone (an e-mail
    address also contains a domain; a URL may contain eight digits that look like a phone number).
    """
    accepted: list[Finding] = []
    for finding in [*_national_ids(text), *_emails(text), *_links(text), *_phones(text)]:
        if all(finding.end <= other.start or finding.start >= other.end for other in accepted):
            accepted.append(finding)
    return sorted(accepted, key=lambda f: (f.start, f.end))


def normalise(text: str) -> str:
    """Case-folded, punctuation and symbols removed, whitespace collapsed: what "the same comment" compares."""
    kept = (" " if unicodedata.category(ch)[0] in {"P", "S"} else ch for ch in text.casefold())
    return " ".join("".join(kept).split())


def is_repeat(text: str, recent_texts_by_same_participant: Sequence[str]) -> bool:
    """Is ``text`` the same as, or (for texts of 20+ characters) at least 90 % similar to, a recent text?"""
    current = normalise(text)
    if not current:
        return False
    for earlier in map(normalise, recent_texts_by_same_participant):
        if current == earlier:
            return True
        if min(len(current), len(earlier)) < REPEAT_MIN_CHARS:
            continue
        matcher = SequenceMatcher(None, current, earlier, autojunk=False)
        # The quick ratios are upper bounds of ratio(); they skip the quadratic comparison for clearly different
        # texts, which is most of them.
        if (
            matcher.real_quick_ratio() >= REPEAT_SIMILARITY
            and matcher.quick_ratio() >= REPEAT_SIMILARITY
            and matcher.ratio() >= REPEAT_SIMILARITY
        ):
            return True
    return False


def is_burst(
    recent_post_times: Sequence[datetime],
    now: datetime,
    limit: int = 5,
    window: timedelta = timedelta(minutes=2),
) -> bool:
    """Has the participant already posted ``limit`` or more times within ``window`` before ``now``?

    ``recent_post_times`` are the participant's earlier posts, not the one being screened, so with the defaults
    five comments in two minutes are shown and the sixth is held. Times after ``now`` (clock skew between
    workers) count as inside the window rather than being ignored.
    """
    since = now - window
    return sum(1 for posted in recent_post_times if posted > since) >= limit


def hold_reasons(
    text: str,
    recent_texts: Sequence[str],
    recent_post_times: Sequence[datetime],
    now: datetime,
) -> list[str]:
    """Why the comment must wait for a moderator, as reason codes in the order of ``REASONS``; [] to publish."""
    kinds = {finding.kind for finding in screen_text(text)}
    reasons = {
        "personal_data": bool(kinds & PERSONAL_DATA_KINDS),
        "link": "link" in kinds,
        "repeat": is_repeat(text, recent_texts),
        "burst": is_burst(recent_post_times, now),
    }
    return [reason for reason in REASONS if reasons[reason]]
