"""Resident hearing pages: reading, posting, replying, editing, deleting and flagging, without and with htmx."""

from __future__ import annotations

import hashlib
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from civic.consultations.models import Access, ConsultationState
from civic.hearings.models import (
    MAX_COMMENT_LENGTH,
    Comment,
    CommentState,
    Flag,
    HearingAttachment,
    ModerationMode,
    Participant,
    Vote,
)
from civic.hearings.views.common import cookie_name

pytestmark = pytest.mark.usefixtures("english_ui")

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    '<a href="javascript:alert(1)">klikk</a>',
    "</textarea><script>alert(2)</script>",
    "{{ 7*7 }} <iframe src=//evil.example></iframe>",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.data.append(data)


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(html: str) -> None:
    """No executable markup: scripts only from our static files, no handlers, no javascript: URLs, no frames."""
    for tag, attrs in parse(html).tags:
        assert tag not in {"iframe", "svg", "img", "object", "embed"}, (tag, attrs)
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/"), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, attrs)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, attrs)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def hearing_url(hearing, *parts) -> str:
    return "/".join([f"/h/{hearing.consultation.public_id}", *map(str, parts)])


def section_url(hearing, index=1) -> str:
    return hearing_url(hearing, "s", hearing.sections[index].id)


def new_comment(hearing, body="Jeg støtter forslaget.", **extra):
    return {"section_id": hearing.sections[1].id, "body": body, "accept_rules": "1", **extra}


# --- reading ---------------------------------------------------------------------------------------------


def test_overview_shows_sections_counts_rules_and_document_comments(
    client, create_hearing, create_participant, create_comment
):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    create_comment(hearing, author, "Om paragrafen.")
    create_comment(hearing, author, "Om hele forslaget.", section_id=None)
    response = client.get(hearing_url(hearing))
    assert response.status_code == 200
    html = response.text
    assert "Residents&#39; parking in Bjerke" in html
    assert "Bydel Bjerke foreslår boligsoneparkering" in html  # the preamble
    assert 'id="s-1-1"' in html
    assert "1 comment on 1.1" in html
    assert "Om hele forslaget." in html
    assert "Om paragrafen." not in html
    assert "House rules" in html
    assert "I follow the house rules" in html
    assert response.headers["Cache-Control"] == "no-store"
    headings = [tag for tag, _attrs in parse(html).tags if tag in {"h1", "h2", "h3"}]
    assert headings[0] == "h1"
    assert headings.count("h1") == 1


def test_unknown_hearing_and_section_are_404(client, create_hearing):
    hearing = create_hearing()
    other = create_hearing()
    assert client.get("/h/nope").status_code == 404
    response = client.get(hearing_url(hearing, "s", other.sections[0].id))
    assert response.status_code == 404
    assert "This section of the proposal does not exist" in response.text
    draft = create_hearing(state=ConsultationState.DRAFT)
    assert client.get(hearing_url(draft)).status_code == 404


def test_section_page_sorts_pages_and_marks_pending_and_verified(
    client, create_hearing, create_participant, create_comment, as_participant
):
    hearing = create_hearing()
    author, key = create_participant(hearing, verified_at=None)
    verified, _key = create_participant(hearing)
    create_comment(hearing, verified, "Bekreftet beboer her.", verified=True, agree_count=9)
    for n in range(25):
        create_comment(hearing, verified, f"Fyll {n}.")
    create_comment(hearing, author, "Venter på moderator.", state=CommentState.PENDING)
    anonymous = client.get(section_url(hearing)).text
    assert "Venter på moderator." not in anonymous
    assert "Page 1 of 2" in anonymous
    assert "sort=agreed" in anonymous
    agreed = client.get(section_url(hearing) + "?sort=agreed").text
    assert "verified resident" in agreed
    assert "Bekreftet beboer her." in agreed
    assert client.get(section_url(hearing) + "?sort=newest&page=2").status_code == 200
    as_participant(client, hearing, key)
    mine = client.get(section_url(hearing)).text
    assert "Venter på moderator." in mine
    assert "waiting for moderation" in mine


def test_vote_buttons_show_counts_and_my_vote(
    app, client, create_hearing, create_participant, create_comment, as_participant, db
):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    voter, key = create_participant(hearing)
    comment = create_comment(hearing, author, agree_count=4, disagree_count=2, pass_count=1)
    db.session.add(Vote(comment_id=comment.id, participant_id=voter.id, value=-1))
    db.session.commit()
    as_participant(client, hearing, key)
    tags = parse(client.get(section_url(hearing)).text).tags
    if "hearings_votes.vote" in app.view_functions:
        [form] = [a for t, a in tags if t == "form" and a.get("id") == f"votes-{comment.id}"]
        assert form["hx-target"] == f"#votes-{comment.id}"
        assert form["hx-swap"] == "outerHTML"
        assert form["action"].endswith(f"/comments/{comment.id}/vote")
        pressed = {a["value"]: a["aria-pressed"] for t, a in tags if t == "button" and a.get("name") == "value"}
        assert pressed == {"agree": "false", "disagree": "true", "pass": "false"}
        # Without JavaScript the vote comes back to the comment on the same page.
        response = client.post(
            form["action"], data={"value": "agree", "next": f"{section_url(hearing)}#c-{comment.id}"}
        )
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"{section_url(hearing)}#c-{comment.id}")
        tags = parse(client.get(section_url(hearing)).text).tags
        pressed = {a["value"]: a["aria-pressed"] for t, a in tags if t == "button" and a.get("name") == "value"}
        assert pressed == {"agree": "true", "disagree": "false", "pass": "false"}
    else:  # until the vote endpoint exists the counts are shown without buttons
        assert any(t == "p" and a.get("id") == f"votes-{comment.id}" for t, a in tags)


def test_xss_in_comments_and_proposal_renders_inert(client, create_hearing, create_participant, create_comment):
    document = "# Forslag " + XSS[0] + "\n\n" + "\n\n".join(XSS) + "\n\n## Del " + XSS[1] + "\n\nTekst."
    hearing = create_hearing(document=document)
    author, _key = create_participant(hearing)
    for payload in XSS:
        create_comment(hearing, author, payload, section_id=hearing.sections[0].id)
        create_comment(hearing, author, payload, section_id=None)
    for url in (hearing_url(hearing), section_url(hearing, 0)):
        response = client.get(url)
        assert response.status_code == 200
        assert_inert(response.text)
        assert "<script>alert(1)</script>" in "".join(parse(response.text).data)  # shown as text
    # And the typed text that is shown again after an error.
    response = client.post(hearing_url(hearing, "comments"), data={"body": XSS[4]})
    assert response.status_code == 422
    assert_inert(response.text)


# --- posting without JavaScript ---------------------------------------------------------------------------


def test_first_post_needs_the_house_rules_then_sets_the_cookie(client, create_hearing, db):
    hearing = create_hearing()
    response = client.post(hearing_url(hearing, "comments"), data=new_comment(hearing, accept_rules=""))
    assert response.status_code == 422
    assert "Confirm that you will follow the house rules" in response.text
    assert "Jeg støtter forslaget." in response.text
    assert count(db, Participant) == 0
    assert count(db, Comment) == 0

    response = client.post(hearing_url(hearing, "comments"), data=new_comment(hearing, sort="agreed"))
    assert response.status_code == 303
    [comment] = db.session.scalars(select(Comment))
    assert response.headers["Location"] == f"{section_url(hearing)}?sort=agreed#c-{comment.id}"
    assert cookie_name(hearing) in response.headers["Set-Cookie"]
    page = client.get(response.headers["Location"]).text
    assert "Your comment is published" in page
    assert "Jeg støtter forslaget." in page
    assert "I follow the house rules" not in page  # remembered through the participant

    response = client.post(hearing_url(hearing, "comments"), data=new_comment(hearing, "Og mer.", accept_rules=""))
    assert response.status_code == 303
    assert count(db, Participant) == 1
    assert count(db, Comment) == 2


def test_whole_document_comment_redirects_to_the_overview(client, create_hearing, db):
    hearing = create_hearing()
    response = client.post(hearing_url(hearing, "comments"), data={"body": "Generelt.", "accept_rules": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith(hearing_url(hearing) + "#c-")
    assert db.session.scalar(select(Comment.section_id)) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your comment before you send it."),
        ("x" * (MAX_COMMENT_LENGTH + 1), "the limit is 4000"),
    ],
)
def test_empty_or_oversized_comment_shows_the_form_again(client, htmx_client, create_hearing, db, body, message):
    hearing = create_hearing()
    for http in (client, htmx_client):
        response = http.post(hearing_url(hearing, "comments"), data=new_comment(hearing, body))
        assert response.status_code == 422
        assert message in response.text
        tags = parse(response.text).tags
        assert ("textarea", {"id": "body-new", "name": "body", "rows": "5", "aria-describedby":
                "body-new-help body-new-error", "aria-invalid": "true"}) in tags  # fmt: skip
        assert body in response.text
        assert any(t == "a" and a.get("href") == "#body-new" for t, a in tags)  # the error summary links the field
    assert count(db, Comment) == 0
    assert count(db, Participant) == 0


def test_pending_comment_is_announced_and_shown_to_its_author(client, create_hearing, db):
    hearing = create_hearing(moderation_mode=ModerationMode.PRE)
    response = client.post(hearing_url(hearing, "comments"), data=new_comment(hearing), follow_redirects=True)
    assert "waiting for a moderator" in response.text
    assert "waiting for moderation" in response.text
    assert "Jeg støtter forslaget." in response.text
    client.delete_cookie(cookie_name(hearing))
    assert "Jeg støtter forslaget." not in client.get(section_url(hearing)).text


def test_reply_and_its_errors(client, create_hearing, create_participant, create_comment, db):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    parent = create_comment(hearing, author, "Foreldre.")
    hidden = create_comment(hearing, author, "Skjult.", state=CommentState.HIDDEN)
    url = hearing_url(hearing, "comments")
    response = client.post(url, data=new_comment(hearing, "Svar på skjult.", parent_id=hidden.id))
    assert response.status_code == 409
    assert "hidden or deleted" in response.text
    assert "Svar på skjult." in response.text
    response = client.post(url, data=new_comment(hearing, "Svar på ingenting.", parent_id=99999))
    assert response.status_code == 404
    assert "does not exist" in response.text
    assert "Svar på ingenting." in response.text
    assert count(db, Comment) == 2
    assert count(db, Participant) == 1

    response = client.post(url, data=new_comment(hearing, "Et ekte svar.", parent_id=parent.id))
    assert response.status_code == 303
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == parent.id))
    assert reply.depth == 1
    assert reply.body == "Et ekte svar."
    page = client.get(section_url(hearing)).text
    assert page.index("Foreldre.") < page.index("Et ekte svar.")


def test_closed_hearing_is_read_only(client, create_hearing, create_participant, create_comment, db):
    hearing = create_hearing(state=ConsultationState.CLOSED)
    author, _key = create_participant(hearing)
    create_comment(hearing, author, "Fra før.")
    page = client.get(section_url(hearing)).text
    assert "This hearing is closed" in page
    assert "Fra før." in page
    assert not [a for t, a in parse(page).tags if t == "textarea"]
    response = client.post(hearing_url(hearing, "comments"), data=new_comment(hearing, "For sent."))
    assert response.status_code == 409
    assert "This hearing is closed" in response.text
    assert "For sent." in response.text
    assert count(db, Comment) == 1
    assert count(db, Participant) == 1


def test_invited_only_hearing_is_read_only_without_a_personal_link(client, create_hearing, db):
    hearing = create_hearing(access=Access.INVITED)
    page = client.get(hearing_url(hearing)).text
    assert "Only invited residents can take part" in page
    assert not [a for t, a in parse(page).tags if t == "textarea"]
    response = client.post(hearing_url(hearing, "comments"), data=new_comment(hearing))
    assert response.status_code == 403
    assert count(db, Comment) == 0
    assert count(db, Participant) == 0


def test_forged_cookie_shows_the_text_again_and_forgets_the_cookie(client, htmx_client, create_hearing, db):
    hearing = create_hearing()
    for http in (client, htmx_client):
        client.set_cookie(cookie_name(hearing), "forged.value")
        response = http.post(hearing_url(hearing, "comments"), data=new_comment(hearing, "Mitt innspill."))
        assert response.status_code == 400
        assert "participant cookie for this hearing was not valid" in response.text
        assert "Mitt innspill." in response.text
        assert f"{cookie_name(hearing)}=;" in response.headers["Set-Cookie"]
    assert count(db, Comment) == 0
    assert count(db, Participant) == 0
    # The next post starts a new participant.
    assert client.post(hearing_url(hearing, "comments"), data=new_comment(hearing)).status_code == 303
    # Reading pages treat a forged cookie as none.
    client.set_cookie(cookie_name(hearing), "forged.value")
    assert client.get(hearing_url(hearing)).status_code == 200


# --- htmx ------------------------------------------------------------------------------------------------


def test_htmx_post_returns_the_comments_region(htmx_client, create_hearing, db):
    hearing = create_hearing()
    response = htmx_client.post(hearing_url(hearing, "comments"), data=new_comment(hearing))
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert response.text.lstrip().startswith('<section id="comments"')
    assert "<html" not in response.text
    assert "Your comment is published" in response.text
    assert "Jeg støtter forslaget." in response.text
    assert cookie_name(hearing) in response.headers["Set-Cookie"]
    sorted_region = htmx_client.get(section_url(hearing) + "?sort=divisive")
    assert sorted_region.text.lstrip().startswith('<section id="comments"')


def test_every_form_targets_the_region(client, create_hearing, create_participant, create_comment, as_participant):
    hearing = create_hearing()
    author, key = create_participant(hearing)
    create_comment(hearing, author)
    other, _key = create_participant(hearing)
    create_comment(hearing, other, "Andres.")
    as_participant(client, hearing, key)
    forms = [a for t, a in parse(client.get(section_url(hearing)).text).tags if t == "form" and "hx-post" in a]
    actions = {a["action"].rsplit("/", 1)[-1] for a in forms if a["hx-target"] == "#comments"}
    assert {"comments", "edit", "delete", "flag"} <= actions
    assert all(a["hx-post"] == a["action"] and a["method"] == "post" for a in forms)


# --- edit, delete, flag ----------------------------------------------------------------------------------


def test_edit_and_delete_own_comment(client, htmx_client, create_hearing, db):
    hearing = create_hearing()
    client.post(hearing_url(hearing, "comments"), data=new_comment(hearing, "Første."))
    comment = db.session.scalar(select(Comment))
    response = client.post(hearing_url(hearing, "comments", comment.id, "edit"), data={"body": "Andre."})
    assert response.status_code == 303
    db.session.refresh(comment)
    assert comment.body == "Andre."
    assert comment.edited_at is not None
    response = htmx_client.post(hearing_url(hearing, "comments", comment.id, "edit"), data={"body": ""})
    assert response.status_code == 422
    assert "Write your comment" in response.text
    response = htmx_client.post(hearing_url(hearing, "comments", comment.id, "delete"))
    assert response.status_code == 200
    assert "Your comment is deleted" in response.text
    db.session.refresh(comment)
    assert comment.state == CommentState.DELETED
    assert "Andre." not in client.get(section_url(hearing)).text


def test_others_cannot_edit_or_delete(client, create_hearing, create_participant, create_comment, as_participant, db):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    comment = create_comment(hearing, author, "Mitt.")
    _other, key = create_participant(hearing)
    as_participant(client, hearing, key)
    response = client.post(hearing_url(hearing, "comments", comment.id, "edit"), data={"body": "Kapret."})
    assert response.status_code == 403
    assert "your own comments" in response.text
    assert client.post(hearing_url(hearing, "comments", comment.id, "delete")).status_code == 403
    assert client.post(hearing_url(hearing, "comments", 9999, "delete")).status_code == 404
    db.session.refresh(comment)
    assert comment.body == "Mitt."
    assert comment.state == CommentState.PUBLISHED


def test_flag_a_comment(client, create_hearing, create_participant, create_comment, db):
    hearing = create_hearing()
    author, _key = create_participant(hearing)
    comment = create_comment(hearing, author, "Frekt.")
    url = hearing_url(hearing, "comments", comment.id, "flag")
    response = client.post(url, data={"reason": ""})
    assert response.status_code == 422
    assert "Choose why" in response.text
    assert count(db, Flag) == 0
    assert count(db, Participant) == 1
    response = client.post(url, data={"reason": "offensive", "note": "Personangrep"}, follow_redirects=True)
    assert "A moderator will look at the comment" in response.text
    response = client.post(url, data={"reason": "spam"}, follow_redirects=True)
    assert "already reported" in response.text
    [flag] = db.session.scalars(select(Flag))
    assert (flag.reason, flag.note) == ("offensive", "Personangrep")


# --- attachments -----------------------------------------------------------------------------------------


def test_attachment_download(client, create_hearing, db):
    hearing, other = create_hearing(), create_hearing()
    data = b"%PDF-1.4\n%fake\n"
    attachment = HearingAttachment(
        hearing_id=hearing.id, title="Kart over sonen", filename="sone-b1.pdf", size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), data=data,
    )  # fmt: skip
    db.session.add(attachment)
    db.session.commit()
    assert "Kart over sonen" in client.get(hearing_url(hearing)).text
    response = client.get(hearing_url(hearing, "attachments", attachment.id))
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "sone-b1.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(hearing_url(other, "attachments", attachment.id)).status_code == 404
