""""You said, we did" for staff: answer the published report's topics, write the decision, tell the participants.

Every staff member may look (``edit``); admins and planners save (``save``, the same URL by POST) and tell the
participants (``notify``). Saving and telling go through plain forms, and through htmx when it is there: a
validation error or a refusal then comes back as the form's (or the notify section's) fragment.

The public section (``templates/reports/public/_outcomes.html``, included by the report page) reads its data from
the template global ``report_outcomes`` registered here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from civic.accounts.permissions import ALL_STAFF, PLANNERS, same_organisation, staff_required
from civic.campaigns.reporting import shown
from civic.consultations.models import Consultation
from civic.core.errors import DomainError
from civic.core.htmx import hx_redirect, render_fragment
from civic.core.i18n import LANGUAGE_NAMES
from civic.extensions import db
from civic.reports import outcomes, publishing, summaries
from civic.reports.forms_outcomes import OutcomesForm, decision_field, outcomes_form, topic_field
from civic.reports.models import Report, ReportState, Section

bp = Blueprint("reports_outcomes", __name__, url_prefix="/manage/reports")
VIEW_ROLES = ALL_STAFF
SAVE_ROLES = PLANNERS

PAGE = "reports/outcomes.html"
FORM_PARTIAL = "reports/_partials/outcomes_form.html"
NOTIFY_PARTIAL = "reports/_partials/outcomes_notify.html"


def _load(consultation_id: int) -> tuple[Consultation, Report | None]:
    consultation = db.get_or_404(Consultation, consultation_id)
    same_organisation(consultation.organisation_id)
    return consultation, publishing.find_report(db.session, consultation)


def _published(report: Report | None) -> bool:
    return report is not None and report.state == ReportState.PUBLISHED


def _form(report: Report | None, consultation: Consultation, *, bind: bool) -> OutcomesForm:
    rows = outcomes.topic_rows(report) if report is not None else []
    keys = [row.key for row in rows]
    form = outcomes_form(keys, outcomes.languages(consultation), **({} if bind else {"formdata": None}))
    if not bind and report is not None:
        form.fill_from(report, {row.key: row.text for row in rows})
    return form


def _report_url(consultation: Consultation, *, absolute: bool = False) -> str:
    path = url_for("reports_public.report", public_id=consultation.public_id)
    if absolute:
        # The configured public address, as in every other message: staff may work on another host name.
        return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/") + path
    return path


def _context(consultation: Consultation, report: Report | None, form: OutcomesForm, **extra: Any) -> dict[str, Any]:
    published = _published(report)
    rows = outcomes.topic_rows(report) if published and report is not None else []
    topics = [
        {
            "row": row,
            "said": _said(row.size, row.share, consultation.kind) if row.in_snapshot else "",
            "fields": [form[topic_field(row.key, lang)] for lang in form.languages],
        }
        for row in rows
    ]
    audience = outcomes.audience(db.session, consultation) if published else None
    return {
        "consultation": consultation,
        "report": report,
        "published": published,
        "form": form,
        "topics": topics,
        "decision_fields": [form[decision_field(lang)] for lang in form.languages],
        "languages": [(lang, LANGUAGE_NAMES.get(lang, lang)) for lang in form.languages],
        "can_save": current_user.role in SAVE_ROLES,
        "audience": audience,
        "eligible_shown": shown(audience.eligible) if audience else "",
        "notified": outcomes.notified_message(report) if report is not None and report.outcome_notified_at else "",
        "has_outcome": outcomes.has_outcome(report) if report is not None else False,
        "section_chosen": report is not None and Section.OUTCOMES.value in (report.sections or []),
        "composer_url": url_for("reports_compose.edit", consultation_id=consultation.id),
        "public_url": _report_url(consultation) if published else "",
        "error": "",
        "notify_error": "",
        **extra,
    }


@bp.get("/<int:consultation_id>/outcomes", endpoint="edit")
@staff_required(*VIEW_ROLES)
def edit(consultation_id: int) -> Response:
    consultation, report = _load(consultation_id)
    form = _form(report, consultation, bind=False)
    return render_fragment(PAGE, FORM_PARTIAL, **_context(consultation, report, form))


@bp.post("/<int:consultation_id>/outcomes", endpoint="save")
@staff_required(*SAVE_ROLES)
def save(consultation_id: int) -> Response:
    """Save the answers and the decision (the URL of ``edit``, by POST; admins and planners only)."""
    consultation, report = _load(consultation_id)
    if not _published(report):
        # The editor shows why (the report is not published) and links the composer.
        form = _form(report, consultation, bind=True)
        return render_fragment(PAGE, FORM_PARTIAL, status=409, **_context(consultation, report, form))
    form = _form(report, consultation, bind=True)
    if not form.validate_on_submit():
        context = _context(consultation, report, form, error=_("Nothing was saved. See the notes below."))
        return render_fragment(PAGE, FORM_PARTIAL, status=422, **context)
    try:
        changed = outcomes.save_outcomes(
            db.session, report, topics=form.topic_texts(), decision=form.decision_texts(), decided_at=form.decided_at()
        )
    except DomainError as exc:
        db.session.rollback()
        context = _context(consultation, report, form, error=exc.message)
        return render_fragment(PAGE, FORM_PARTIAL, status=exc.status_code, **context)
    db.session.commit()
    flash(_("Saved. The public report shows it now.") if changed else _("Nothing had changed."), "success")
    return hx_redirect(url_for("reports_outcomes.edit", consultation_id=consultation.id))


@bp.post("/<int:consultation_id>/outcomes/notify", endpoint="notify")
@staff_required(*SAVE_ROLES)
def notify(consultation_id: int) -> Response:
    """Tell the participants once; a second request says when they were told (409)."""
    consultation, report = _load(consultation_id)
    try:
        found = outcomes.notify_participants(
            db.session, report, report_url=_report_url(consultation, absolute=True)
        )
    except DomainError as exc:
        db.session.rollback()
        form = _form(report, consultation, bind=False)
        context = _context(consultation, report, form, notify_error=exc.message)
        return render_fragment(PAGE, NOTIFY_PARTIAL, status=exc.status_code, **context)
    db.session.commit()
    # Counted like every campaign figure: 1 to 4 show as "fewer than 5".
    flash(
        _("The outcome message is on its way to the residents who took part (at most %(count)s).",
          count=shown(found.eligible)),
        "success",
    )
    return hx_redirect(url_for("reports_outcomes.edit", consultation_id=consultation.id))


def _said(size: int | None, share: float | None, kind: str) -> str:
    """"You said": how many written answers (or comments) a topic has, and their share; hidden ones say so."""
    if size is None:
        return _("under 5 comments") if kind == "hearing" else _("under 5 written answers")
    if kind == "hearing":
        text = ngettext("%(count)s comment", "%(count)s comments", int(size), count=summaries.num(size))
    else:
        text = ngettext("%(count)s written answer", "%(count)s written answers", int(size), count=summaries.num(size))
    return f"{text} ({summaries.pct(share)})" if share is not None else text


@bp.app_template_global("report_outcomes")
def report_outcomes(report: Report, snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """For the public section: the answered topics with what residents said, and the decision; None if nothing."""
    if report is None or not outcomes.has_outcome(report):
        return None
    kind = str(((snapshot or {}).get("consultation") or {}).get("kind") or "survey")
    topics = {str(t["key"]): t for t in outcomes.snapshot_topics(snapshot)}
    items = []
    for outcome in report.outcomes:
        if not any(outcome.text.values()):
            continue
        topic = topics.get(outcome.topic_key)
        items.append(
            {
                "label": str(topic.get("label")) if topic else outcome.topic_label,
                "said": _said(topic.get("size"), topic.get("share"), kind) if topic else "",
                "quote": str((topic.get("quotes") or [""])[0]) if topic else "",
                "text": outcome.text,
            }
        )
    return {
        "items": items,
        "decision": report.decision or {},
        "decided": summaries.day(report.decided_at) if report.decided_at else "",
    }


__all__ = ["SAVE_ROLES", "VIEW_ROLES", "bp"]
