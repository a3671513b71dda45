"""The staff page of "you said, we did", and the public section it feeds."""

from __future__ import annotations

import html

import pytest
from flask import render_template
from flask_babel import refresh

from civic.accounts.models import Role
from civic.reports.forms_outcomes import decision_field, topic_field
from civic.reports.models import Report, ReportOutcome, ReportState

DATE = "2026-11-20"


def url(report_or_id, suffix: str = "") -> str:
    consultation_id = report_or_id.consultation_id if isinstance(report_or_id, Report) else report_or_id
    return f"/manage/reports/{consultation_id}/outcomes{suffix}"


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "decided_on": DATE,
        decision_field("nb"): "Bydelsutvalget vedtok beboerparkering i Økern.",
        decision_field("en"): "The district council decided on resident parking in Økern.",
        topic_field("t3", "nb"): "Vi søker om beboerparkering.",
        topic_field("t3", "en"): "We are applying for resident parking.",
        topic_field("t7", "nb"): "",
        topic_field("t7", "en"): "",
        topic_field("t9", "nb"): "",
        topic_field("t9", "en"): "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def report(make_report) -> Report:
    return make_report("Parkering i Bjerke")


def test_page_shows_topics_with_what_residents_said(client, logged_in_planner, report):
    response = client.get(url(report))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>You said, we did</h1>" in page
    for label in ("Beboerparkering", "Trygg skolevei", "Ladepunkter"):
        assert f"<legend>{label}</legend>" in page
    assert "120 written answers (15%)" in page
    assert "under 5 written answers" in page  # a hidden size is not guessed at
    assert f'name="{topic_field("t3", "nb")}"' in page
    assert f'name="{topic_field("t3", "en")}"' in page
    assert f'name="{topic_field("t3", "nn")}"' not in page  # only the consultation's languages
    assert 'name="decided_on"' in page
    assert f'href="/r/{report.consultation.public_id}"' in page
    assert "Tell the participants" in page


def test_draft_report_is_refused_with_a_link_to_the_composer(client, htmx_client, logged_in_planner, make_report):
    draft = make_report("Utkast", state=ReportState.DRAFT)
    page = client.get(url(draft)).get_data(as_text=True)
    assert "belongs to a published report" in page
    assert f'href="/manage/reports/{draft.consultation_id}"' in page
    assert 'id="outcomes-form"' not in page
    saved = client.post(url(draft), data=form_data())
    assert saved.status_code == 409
    assert "belongs to a published report" in saved.get_data(as_text=True)
    assert not draft.outcomes
    fragment = htmx_client.post(url(draft), data=form_data())
    assert fragment.status_code == 409
    assert "<html" not in fragment.get_data(as_text=True)
    assert "belongs to a published report" in fragment.get_data(as_text=True)
    notified = client.post(url(draft, "/notify"))
    assert notified.status_code == 409


def test_consultation_without_report_is_explained(client, logged_in_planner, create_survey):
    consultation = create_survey().consultation
    page = client.get(url(consultation.id)).get_data(as_text=True)
    assert "belongs to a published report" in page


def test_save_writes_outcomes_and_a_new_version(client, db, logged_in_planner, report):
    response = client.post(url(report), data=form_data())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(report))
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert report.version == 2  # publishing.bump_version: new page caches and PDFs
    assert [(o.topic_key, o.topic_label, o.text) for o in report.outcomes] == [
        ("t3", "Beboerparkering", {"nb": "Vi søker om beboerparkering.", "en": "We are applying for resident parking."})
    ]
    assert report.decision["nb"].startswith("Bydelsutvalget vedtok")
    assert report.decided_at is not None
    assert report.decided_at.isoformat().startswith("2026-11-19T23:00")
    page = client.get(url(report)).get_data(as_text=True)
    assert "Saved. The public report shows it now." in page
    assert "Vi søker om beboerparkering." in page
    assert f'value="{DATE}"' in page

    # Saving the same again changes nothing and makes no new version; emptying a topic leaves it out.
    assert client.post(url(report), data=form_data()).status_code == 303
    db.session.expire_all()
    assert db.session.get(Report, report.id).version == 2
    emptied = form_data(**{topic_field("t3", "nb"): "", topic_field("t3", "en"): ""})
    emptied[topic_field("t7", "nb")] = "Ny gangfelt ved skolen."
    assert client.post(url(report), data=emptied).status_code == 303
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert [o.topic_key for o in report.outcomes] == ["t7"]
    assert report.outcomes[0].position == 1
    assert report.version == 3


def test_save_through_htmx_redirects(htmx_client, logged_in_planner, report):
    response = htmx_client.post(url(report), data=form_data())
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].endswith(url(report))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"decided_on": ""}, "Enter the date the decision was taken."),
        ({"decided_on": "2999-01-01"}, "The decision date cannot be in the future."),
        ({"decided_on": "24.11.2026"}, "Enter the date as a date"),
        ({topic_field("t3", "nb"): "x" * 5001}, "5000"),
    ],
)
def test_invalid_input_keeps_what_was_typed(client, htmx_client, db, logged_in_planner, report, overrides, message):
    data = form_data(**overrides)
    data[decision_field("nb")] = "Vedtak <med> tegn & sånt"
    response = client.post(url(report), data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in html.unescape(page)
    assert "Nothing was saved." in page
    assert "Vedtak &lt;med&gt; tegn &amp; sånt" in page  # kept, escaped
    assert "We are applying for resident parking." in page
    db.session.expire_all()
    assert not db.session.get(Report, report.id).outcomes
    assert db.session.get(Report, report.id).version == 1
    fragment = htmx_client.post(url(report), data=data)
    assert fragment.status_code == 422
    body = fragment.get_data(as_text=True)
    assert "<html" not in body
    assert 'id="outcomes-editor"' in body
    assert message in html.unescape(body)


def test_nothing_written_may_be_saved_without_a_date(client, db, logged_in_planner, report):
    empty = {key: "" for key in form_data()}
    assert client.post(url(report), data=empty).status_code == 303


def test_viewers_read_but_do_not_save(client, auth, create_staff, report):
    auth.login(create_staff(Role.VIEWER))
    page = client.get(url(report)).get_data(as_text=True)
    assert "admins and planners can change it" in page
    assert ">Save<" not in page
    assert "outcomes/notify" not in page
    assert client.post(url(report), data=form_data()).status_code == 403
    assert client.post(url(report, "/notify")).status_code == 403


def test_other_organisation_gets_404(client, auth, create_organisation, create_staff, report):
    other = create_organisation(slug="alna", name="Bydel Alna")
    auth.login(create_staff(Role.PLANNER, email="p@alna.example", org=other))
    assert client.get(url(report)).status_code == 404
    assert client.post(url(report), data=form_data()).status_code == 404


# --- the public section --------------------------------------------------------------------------------------


def _section(app, report: Report, lang: str = "en") -> str:
    with app.test_request_context(f"/?lang={lang}"):
        refresh()  # the test's app context outlives the request: forget the locale of an earlier one
        return render_template("reports/public/_outcomes.html", report=report, snapshot=report.snapshot)


def test_public_section_is_empty_until_something_is_written(app, report):
    assert _section(app, report).strip() == ""


def test_public_section_shows_you_said_we_did(app, db, report):
    report.outcomes.append(ReportOutcome(topic_key="t3", topic_label="Beboerparkering", position=0,
                                         text={"nb": "Vi søker.", "en": "We are applying."}))
    report.outcomes.append(ReportOutcome(topic_key="gone", topic_label="Sykkelvei", position=5,
                                         text={"nb": "Ny sykkelvei i 2027."}))
    report.decision = {"nb": "Vedtatt.\n\nMed to avsnitt.", "en": "Decided."}
    db.session.commit()
    section = _section(app, report)
    assert '<h2 id="outcomes-heading">You said, we did</h2>' in section
    assert "Beboerparkering" in section
    assert "120 written answers (15%)" in section
    assert "Vi trenger beboerparkering i Økern." in section  # a quote from the snapshot
    assert "We are applying." in section
    assert "Vi søker." not in section
    assert "Sykkelvei" in section
    assert "Ny sykkelvei i 2027." in section
    assert "Decided." in section
    assert "Trygg skolevei" not in section  # not answered: left out
    nb = _section(app, report, "nb")
    assert "<p>Vedtatt.</p><p>Med to avsnitt.</p>" in nb.replace("\n", "").replace("  ", "")


def test_public_report_page_shows_the_section_after_saving(client, logged_in_planner, report):
    public = f"/r/{report.consultation.public_id}"
    assert 'id="outcomes"' not in client.get(public).get_data(as_text=True)
    assert client.post(url(report), data=form_data()).status_code == 303
    page = client.get(public).get_data(as_text=True)  # a new version: not the cached page
    assert 'id="outcomes"' in page
    assert 'href="#outcomes"' in page
    assert "We are applying for resident parking." in page
