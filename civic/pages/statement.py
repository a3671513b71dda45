"""The facts behind the accessibility statement: how civic was evaluated and what the evaluation does not cover.

Norway's rules (forskrift om universell utforming av IKT-løsninger, supervised by Uu-tilsynet at Digdir) ask a
public body to state, per web solution, how far it meets WCAG 2.1 AA, what does not meet it and why, how it was
tested and when, where to give feedback and how to complain. The organisation still publishes its official
statement through uustatus.no; this page is the part civic can state for every organisation that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

#: The day the automated and keyboard suites last ran green over every page listed in TESTED_PAGES, and the
#: statement was checked against them. Update it when the suites or the pages change.
LAST_EVALUATION = date(2026, 11, 24)
#: The axe-core release the browser tests run (package-lock.json; a test keeps the two in step).
AXE_CORE_VERSION = "4.14.1"
#: The complaint body for breaches of the accessibility rules, and the supervisory authority.
COMPLAINT_URL = "https://www.diskrimineringsnemnda.no/"
SUPERVISOR_URL = "https://www.uutilsynet.no/"
#: Where an organisation publishes its official statement (Digdir's register).
REGISTER_URL = "https://uustatus.no/"


@dataclass(frozen=True)
class Limitation:
    """Something civic does not meet, or that its tests cannot show it meets, under the WCAG criteria named."""

    criteria: str
    text: str


def tested_pages() -> list[str]:
    """The kinds of page the axe-core suite audits (tests/browser)."""
    return [
        _l("the front page, this statement and the data-protection page"),
        _l("a survey: landing page, every question kind, pages with error messages, receipt, closed survey"),
        _l("a hearing: the proposal, a section with comments and replies, voting on statements, formal "
           "statements and verification"),
        _l("a focus group: joining, waiting, every kind of prompt, shared results, a full session, the public "
           "observer page"),
        _l("published reports and the list of a municipality's reports"),
        _l("error pages (not found, no longer available) and the page for stopping reminders"),
    ]


def test_methods() -> list[str]:
    """How the pages were tested, in words a resident can check."""
    return [
        _l("Automated tests with axe-core %(version)s against the WCAG 2.1 A and AA rules, on a phone-sized "
           "screen, with and without JavaScript.", version=AXE_CORE_VERSION),
        _l("Keyboard-only tests of the three resident journeys (answering a survey, commenting and voting in a "
           "hearing, taking part in a focus group) using only Tab, Shift+Tab, Enter, Space and the arrow keys."),
        _l("Reflow: no horizontal scrolling at 320 CSS pixels width, also with the wider text spacing of WCAG "
           "1.4.12, and at 200 % zoom on a 640 pixel wide window."),
        _l("The main resident pages are also tested with JavaScript switched off."),
    ]


def limitations() -> list[Limitation]:
    """Known deviations and what the tests do not cover; said plainly so residents know what to expect."""
    return [
        Limitation("—", _l("Automated tools find only part of the problems WCAG describes. No test has been "
                           "made with screen readers (such as NVDA, JAWS, VoiceOver or TalkBack) or with "
                           "users with disabilities, and the tests run only in Chromium.")),
        Limitation("1.1.1, 2.4.6, 3.1.5", _l("Texts, headings, image descriptions and attached documents "
                                               "written by the municipality (questions, proposals, reports) "
                                               "are not checked by the tests; their quality is the "
                                               "municipality's responsibility.")),
        Limitation("1.1.1, 1.3.1", _l("PDF files uploaded by the municipality or by those who submit formal "
                                       "statements are not tested. Report PDFs are tagged, but have not "
                                       "been checked with a screen reader.")),
        Limitation("1.1.1, 1.4.11", _l("Charts are drawn as images with a data table beside each one; the "
                                        "chart itself is hard to use with a screen reader, so use the "
                                        "table.")),
        Limitation("2.1.1, 2.5.1", _l("In the map question a point can be chosen by dragging on the map; "
                                       "keyboard and screen-reader users enter the place as latitude and "
                                       "longitude instead, which is harder.")),
        Limitation("2.2.1", _l("A hearing comment can be edited for 15 minutes after it is posted; the limit "
                               "cannot be extended, but the comment can still be deleted and written again.")),
        Limitation("4.1.3", _l("In a live focus group a new question appears without reloading the page. It "
                               "is announced to screen readers, but this has not been tried with real "
                               "screen readers.")),
        Limitation("1.4.4, 1.4.10", _l("Reflow and zoom are tested on the resident pages only, not on the "
                                        "staff pages.")),
    ]
