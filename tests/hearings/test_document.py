"""Hearing documents: splitting a Markdown proposal into numbered sections and rendering it safely."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civic.hearings.document import MAX_CHARS, Document, DocumentError, Section, parse_document, section_text

PROPOSAL = """\
Bydelsutvalget sender forslaget på høring. Frist for innspill er **1. mars**.

# Forskrift om boligsoneparkering i Bydel Bjerke

Hjemmel: vegtrafikkloven § 8 og [skiltforskriften](https://lovdata.no/forskrift/2005-10-07-1219).

## § 1 Formål

Forskriften skal gi beboere bedre tilgang til parkering nær egen bolig.

## § 2 Virkeområde

Forskriften gjelder for sonene i tabellen:

| Sone | Gater | Pris per år |
|:-----|:------|------------:|
| B1 | Trondheimsveien, Refstadveien | 3 600 kr |
| B2 | Årvollveien | 3 600 kr |

### Unntak

Næringskjøretøy over 3 500 kg omfattes ikke.

#### Særlige unntak

Utrykningskjøretøy.

# Merknader til forskriften

Se [kommunens side](https://www.oslo.kommune.no/parkering "Parkering i Oslo") eller skriv til
<postmottak@bjerke.oslo.kommune.no>. ~~Gebyret er 500 kr.~~

## Økonomiske konsekvenser

Ordningen finansieres av avgiftene.
"""


class _Tags(HTMLParser):
    """Collects every start tag and its attributes, the way a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def all_html(document: Document) -> str:
    return document.preamble_html + "".join(section.html for section in document.sections)


def assert_inert(html: str) -> None:
    """No element that runs script, no event handler attribute, no link outside http(s)/mailto/#fragment."""
    assert "<script" not in html.lower()
    for tag, attrs in tags_of(html):
        assert tag not in {"script", "img", "svg", "iframe", "object", "embed", "style", "math"}
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert (value or "").startswith(("http://", "https://", "mailto:", "#")), value


@pytest.fixture(scope="module")
def proposal() -> Document:
    return parse_document(PROPOSAL)


def test_sections_are_numbered_hierarchically(proposal: Document) -> None:
    assert [(s.number, s.level, s.heading) for s in proposal.sections] == [
        ("1", 1, "Forskrift om boligsoneparkering i Bydel Bjerke"),
        ("1.1", 2, "§ 1 Formål"),
        ("1.2", 2, "§ 2 Virkeområde"),
        ("2", 1, "Merknader til forskriften"),
        ("2.1", 2, "Økonomiske konsekvenser"),
    ]
    assert [s.anchor for s in proposal.sections] == ["s-1", "s-1-1", "s-1-2", "s-2", "s-2-1"]


def test_text_before_the_first_heading_is_the_preamble(proposal: Document) -> None:
    assert proposal.preamble_html == (
        "<p>Bydelsutvalget sender forslaget på høring. Frist for innspill er <strong>1. mars</strong>.</p>"
    )


def test_a_document_without_preamble_has_an_empty_one() -> None:
    assert parse_document("# Formål\n\nTekst.").preamble_html == ""


def test_body_excludes_the_heading_and_stops_at_the_next_section(proposal: Document) -> None:
    purpose = proposal.sections[1]
    assert purpose.body_markdown == "Forskriften skal gi beboere bedre tilgang til parkering nær egen bolig."
    assert purpose.html == "<p>Forskriften skal gi beboere bedre tilgang til parkering nær egen bolig.</p>"
    assert "Formål" not in purpose.html


def test_deeper_headings_stay_in_the_body_demoted_to_h4_and_below(proposal: Document) -> None:
    scope = proposal.sections[2]
    assert "### Unntak" in scope.body_markdown
    assert "<h4>Unntak</h4>" in scope.html
    assert "<h5>Særlige unntak</h5>" in scope.html
    assert all(tag not in {"h1", "h2", "h3"} for tag, _ in tags_of(all_html(proposal)))


def test_section_levels_are_the_two_highest_used() -> None:
    document = parse_document("## Del A\n\n### A.1\n\n#### Detalj\n\n## Del B\n")
    assert [(s.number, s.heading) for s in document.sections] == [("1", "Del A"), ("1.1", "A.1"), ("2", "Del B")]
    assert "<h4>Detalj</h4>" in document.sections[1].html


def test_a_single_heading_level_gives_only_top_sections() -> None:
    document = parse_document("## Én\n\ntekst\n\n## To\n\n## Tre\n")
    assert [(s.number, s.level) for s in document.sections] == [("1", 1), ("2", 1), ("3", 1)]


def test_a_subsection_before_any_top_section_is_numbered_as_top_section() -> None:
    document = parse_document("## Bakgrunn\n\n# Forslag\n\n## Detaljer\n")
    assert [(s.number, s.level) for s in document.sections] == [("1", 1), ("2", 1), ("2.1", 2)]


def test_setext_headings_and_headings_in_quotes() -> None:
    document = parse_document("Formål\n======\n\n> # Sitat\n\nTekst\n\nOmfang\n------\n")
    assert [(s.number, s.heading) for s in document.sections] == [("1", "Formål"), ("1.1", "Omfang")]
    assert "<blockquote>\n<h4>Sitat</h4>" in document.sections[0].html


def test_heading_is_plain_text_without_markdown() -> None:
    document = parse_document("# Om **gebyr** og `kode`\nneste\n")
    assert document.sections[0].heading == "Om gebyr og kode"


def test_tables_keep_alignment_only(proposal: Document) -> None:
    html = proposal.sections[2].html
    assert "<table>" in html
    assert '<th style="text-align:right">Pris per år</th>' in html
    assert '<td style="text-align:left">B2</td>' in html


def test_links_get_rel_and_keep_title(proposal: Document) -> None:
    links = [attrs for tag, attrs in tags_of(all_html(proposal)) if tag == "a"]
    assert links
    assert all(attrs["rel"] == "nofollow noopener ugc" for attrs in links)
    assert {
        "href": "https://www.oslo.kommune.no/parkering",
        "title": "Parkering i Oslo",
        "rel": "nofollow noopener ugc",
    } in links
    assert {"href": "mailto:postmottak@bjerke.oslo.kommune.no", "rel": "nofollow noopener ugc"} in links


def test_strikethrough_renders_as_del(proposal: Document) -> None:
    assert "<del>Gebyret er 500 kr.</del>" in proposal.sections[3].html


def test_images_are_not_rendered_but_their_description_is() -> None:
    html = parse_document('# Kart\n\n![Kart over sone B1](https://example.no/b1.png "x")\n').sections[0].html
    assert html == "<p>Kart over sone B1</p>"


def test_relative_links_lose_their_target_but_fragment_links_remain() -> None:
    html = parse_document("# A\n\n[side](/admin) [ekstern](//evil.example) [se § 2](#s-2)\n").sections[0].html
    hrefs = [attrs.get("href") for tag, attrs in tags_of(html) if tag == "a"]
    assert hrefs == [None, None, "#s-2"]


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[klikk](javascript:alert(1))",
        "[klikk](JaVaScRiPt:alert(1))",
        "[klikk](java&#x09;script:alert(1))",
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">klikk</a>',
        "[klikk](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<svg onload=alert(1)>",
        '[klikk](https://example.no "\\"><script>alert(1)</script>")',
        "![x](javascript:alert(1))",
        '<https://example.no/"onmouseover=alert(1)>',
        "```\n<script>alert(1)</script>\n```",
    ],
)
def test_xss_payloads_render_inert(payload: str) -> None:
    document = parse_document(f"{payload}\n\n# {payload}\n\n{payload}\n\n## Under\n\n> {payload}\n")
    assert_inert(all_html(document))
    # Raw HTML is shown as text, so it reaches the page escaped, never as markup.
    if payload.startswith("<script>"):
        assert "&lt;script&gt;" in document.sections[0].html


def test_html_in_headings_is_kept_as_plain_text() -> None:
    section = parse_document('# Gebyr <img src=x onerror=alert(1)> "><script>x</script>\n').sections[0]
    # A plain-text field: the template escapes it like any other text.
    assert section.heading == 'Gebyr <img src=x onerror=alert(1)> "><script>x</script>'


@pytest.mark.parametrize(
    ("markdown", "code"),
    [
        ("", "empty"),
        ("  \n\t\n ", "empty"),
        ("#" * (MAX_CHARS + 1), "too_long"),
        ("Bare tekst uten overskrifter.\n\n- punkt\n", "no_sections"),
        ("> # Bare i sitat\n", "no_sections"),
        ("".join(f"## Del {n}\n\ntekst\n\n" for n in range(201)), "too_many_sections"),
        ("# Innledning\n\n#\n\ntekst\n", "empty_heading"),
        ("# Innledning\n\n## ##\n", "empty_heading"),
    ],
)
def test_bad_input_raises_document_error_with_code(markdown: str, code: str) -> None:
    with pytest.raises(DocumentError) as raised:
        parse_document(markdown)
    assert raised.value.code == code
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == raised.value.message


def test_exactly_the_limits_are_accepted() -> None:
    text = "# A\n\n" + "x" * (MAX_CHARS - 5)
    assert len(parse_document(text).sections) == 1
    assert len(parse_document("".join(f"## Del {n}\n" for n in range(200))).sections) == 200


def test_windows_line_endings_give_the_same_sections() -> None:
    unix = parse_document(PROPOSAL)
    windows = parse_document(PROPOSAL.replace("\n", "\r\n"))
    assert windows == unix


def test_section_text_is_plain_and_collapsed(proposal: Document) -> None:
    assert section_text(proposal.sections[2]) == (
        "Forskriften gjelder for sonene i tabellen: Sone Gater Pris per år B1 Trondheimsveien, Refstadveien "
        "3 600 kr B2 Årvollveien 3 600 kr Unntak Næringskjøretøy over 3 500 kg omfattes ikke. "
        "Særlige unntak Utrykningskjøretøy."
    )


def test_section_text_decodes_entities() -> None:
    section = Section("1", "A", 1, "", "<p>Tom &amp; Jerry &lt;3</p>", "s-1")
    assert section_text(section) == "Tom & Jerry <3"


# Arbitrary text, weighted towards Markdown syntax and attack fragments so the interesting paths are reached.
FRAGMENTS = [*"#*_`[]()<>!\"'=:/\\ \n-|~.&;", "# ", "\n## ", "<script>", "javascript:", " onerror=", "<svg ", "](", "ø"]
markdownish = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(markdownish)
def test_any_text_renders_inert_or_raises_document_error(text: str) -> None:
    try:
        document = parse_document(text)
    except DocumentError:
        return
    html = all_html(document)
    assert_inert(html)
    for section in document.sections:
        assert section.heading
        section_text(section)
