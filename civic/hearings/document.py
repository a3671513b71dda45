"""A hearing proposal: Markdown pasted by a planner, split into numbered sections and rendered to safe HTML.

Why this shape: residents comment section by section, so every section needs a stable number ("1", "1.1"), an
anchor and its own HTML. The document is cut at the two highest heading levels the planner actually used (``#``
and ``##``, or ``##`` and ``###`` …); there is no special "title" heading, so a proposal that starts with a single
``# Forskrift …`` gets that as section 1 and its ``##`` parts as 1.1, 1.2 … Deeper headings stay inside their
section and are rendered as h4–h6, because the page already uses h1 (hearing title), h2 (sections) and h3
(subsections) and the heading order must stay valid for screen readers.

Safety is two layers: markdown-it-py runs with ``html`` off, so raw HTML in the text is escaped rather than passed
through, and its output is then cleaned by nh3 with an explicit allow-list. The second layer is there so a future
plugin or option change in the first cannot open a hole on its own. Images are not allowed: a hearing's images go
in as attachments, which are checked and stored separately.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

MAX_CHARS = 200_000
MAX_SECTIONS = 200

#: Tags the rendered HTML may contain; everything else is removed (its text kept).
ALLOWED_TAGS = frozenset({
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "br", "hr", "del",
})  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    # markdown-it writes column alignment as style="text-align:…"; only that property survives (see below).
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"

#: The page's own headings are h1 (hearing title), h2 (sections) and h3 (subsections); body headings start here.
FIRST_BODY_HEADING = 4
LAST_HEADING = 6


class DocumentError(ValueError):
    """The Markdown cannot become a hearing document. ``code`` is stable; the views translate by it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Section:
    number: str  # "1", "1.1", "2" …
    heading: str  # plain text, NOT HTML: templates must escape it (Jinja's autoescape does)
    level: int  # 1 for a top section (rendered as h2), 2 for a subsection (h3)
    body_markdown: str  # the planner's text between this heading and the next section heading
    html: str  # sanitised body, without the heading
    anchor: str  # "s-1-1"; usable as an element id and in "#…" links


@dataclass(frozen=True)
class Document:
    preamble_html: str  # sanitised text before the first section heading; "" when there is none
    sections: list[Section]


def _markdown() -> MarkdownIt:
    # CommonMark plus the two GFM extensions planners use (tables, ~~struck~~ text). html=False escapes raw HTML.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _render_image_as_alt_text(self, tokens: list[Token], idx: int, options, env) -> str:
    # Images are not part of a hearing text; keep what the planner wrote as the description instead of dropping it.
    return html.escape(tokens[idx].content)


def _render_strikethrough_as_del(self, tokens: list[Token], idx: int, options, env) -> str:
    # markdown-it writes <s> ("no longer accurate"); in a proposal ~~text~~ marks wording being removed: <del>.
    return "<del>" if tokens[idx].nesting == 1 else "</del>"


_MD = _markdown()
_MD.add_render_rule("image", _render_image_as_alt_text)
_MD.add_render_rule("s_open", _render_strikethrough_as_del)
_MD.add_render_rule("s_close", _render_strikethrough_as_del)


def _keep_fragment_links_only(url: str) -> str | None:
    # Relative URLs have no scheme, so the scheme allow-list does not cover them. "#s-2" (a cross-reference to
    # another section) is useful; "/path" or "//other.host" would point somewhere the planner cannot see.
    return url if url.startswith("#") else None


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    url_relative=_keep_fragment_links_only,
    link_rel=LINK_REL,
    filter_style_properties={"text-align"},
    clean_content_tags={"script", "style"},
)


def sanitise_html(unsafe_html: str) -> str:
    """Clean HTML with the hearing allow-list (also used for the preamble)."""
    return _CLEANER.clean(unsafe_html).strip()


def _inline_text(inline: Token) -> str:
    """The plain text of an inline token: emphasis markers dropped, line breaks as spaces."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in {"text", "code_inline", "html_inline"}:
            parts.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _heading_level(token: Token) -> int:
    return int(token.tag[1])


def _section_levels(headings: list[Token]) -> tuple[int, ...]:
    """The Markdown levels that cut sections: the two highest used (only one if the planner used one)."""
    return tuple(sorted({_heading_level(t) for t in headings})[:2])


def _demote_body_headings(tokens: list[Token], deepest_section_level: int) -> None:
    """Render headings inside a body as h4–h6, keeping their relative depth (capped at h6)."""
    for token in tokens:
        if token.type in {"heading_open", "heading_close"}:
            depth_below_sections = _heading_level(token) - deepest_section_level - 1
            token.tag = f"h{min(LAST_HEADING, FIRST_BODY_HEADING + max(0, depth_below_sections))}"


def _render(tokens: list[Token], env: dict, deepest_section_level: int) -> str:
    _demote_body_headings(tokens, deepest_section_level)
    return sanitise_html(_MD.renderer.render(tokens, _MD.options, env))


def _source_lines(lines: list[str], start: int, end: int) -> str:
    return "\n".join(lines[start:end]).strip("\n")


def _check_size(markdown: str) -> None:
    if len(markdown) > MAX_CHARS:
        raise DocumentError("too_long", f"The document is longer than {MAX_CHARS:,} characters.")
    if not markdown.strip():
        raise DocumentError("empty", "The document has no text.")


def parse_document(markdown: str) -> Document:
    """Split a Markdown proposal into numbered sections with sanitised HTML. Raises :class:`DocumentError`."""
    _check_size(markdown)
    # markdown-it counts lines after the same normalisation, so token line maps index into these lines.
    source = markdown.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    lines = source.split("\n")
    env: dict = {}
    tokens = _MD.parse(source, env)

    # Only headings at the top of the document cut sections; one inside a quote or list item stays in the body.
    top_headings = [i for i, t in enumerate(tokens) if t.type == "heading_open" and t.level == 0]
    if not top_headings:
        raise DocumentError("no_sections", "The document has no headings; add headings to divide it into sections.")
    levels = _section_levels([tokens[i] for i in top_headings])
    cuts = [i for i in top_headings if _heading_level(tokens[i]) in levels]
    if len(cuts) > MAX_SECTIONS:
        raise DocumentError("too_many_sections", f"The document has more than {MAX_SECTIONS} sections.")

    preamble_html = _render(tokens[: cuts[0]], env, levels[-1])
    sections: list[Section] = []
    top_number, sub_number = 0, 0
    for position, start in enumerate(cuts):
        heading_open, inline = tokens[start], tokens[start + 1]
        heading = _inline_text(inline)
        if not heading:
            line = (heading_open.map or [0])[0] + 1
            raise DocumentError("empty_heading", f"The heading on line {line} has no text.")
        # A subsection before the first top section has no parent to hang under; it is numbered as a top section.
        is_sub = _heading_level(heading_open) == levels[-1] and len(levels) == 2 and top_number > 0
        if is_sub:
            sub_number += 1
            number = f"{top_number}.{sub_number}"
        else:
            top_number, sub_number = top_number + 1, 0
            number = str(top_number)
        body_start = start + 3  # heading_open, inline, heading_close
        body_end = cuts[position + 1] if position + 1 < len(cuts) else len(tokens)
        next_line = tokens[body_end].map[0] if body_end < len(tokens) and tokens[body_end].map else len(lines)
        sections.append(
            Section(
                number=number,
                heading=heading,
                level=2 if is_sub else 1,
                body_markdown=_source_lines(lines, heading_open.map[1] if heading_open.map else 0, next_line),
                html=_render(tokens[body_start:body_end], env, levels[-1]),
                anchor="s-" + number.replace(".", "-"),
            )
        )
    return Document(preamble_html=preamble_html, sections=sections)


def section_text(section: Section) -> str:
    """The section body as plain text (tags stripped, entities decoded, whitespace collapsed) for search/analysis.

    The heading is not included: it is a field of its own, and callers that index both can weigh it separately.
    """
    # Block elements end with a newline in markdown-it's output; adding a space at every tag boundary keeps words
    # from adjacent cells or list items from running together even where they do not.
    spaced = re.sub(r"<[^>]*>", " ", section.html)
    return re.sub(r"\s+", " ", html.unescape(spaced)).strip()
