"""Message templates: e-mail and SMS texts per language, preview and test-send.

The SMS counter is an htmx request to ``sms-info`` rather than a script: the GSM 03.38 tables, the sample values
that stand in for the placeholders and the six-part limit then live on the server (sms_encoding.py, content.py),
and the same fragment is rendered into the page after a plain form POST, so the count is there without JavaScript
too. Test-send itself is in ``civic.campaigns.trial_send``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from civic.accounts.permissions import PLANNERS, staff_required
from civic.campaigns import content, services
from civic.campaigns.forms_messages import AddLanguageForm, TemplateForm
from civic.campaigns.models import EDITABLE_STATES, Campaign, CampaignState, CampaignTemplate, MessagePurpose
from civic.campaigns.trial_send import send_trial
from civic.campaigns.views.common import load_campaign
from civic.consultations.models import Consultation
from civic.core.errors import StateError
from civic.core.htmx import hx_redirect, is_partial_request, render_fragment
from civic.core.i18n import LANGUAGE_NAMES, localized
from civic.extensions import db
from civic.focus_groups.calendar import format_when

bp = Blueprint("campaign_messages", __name__, url_prefix="/manage/campaigns")

LIST_PAGE = "campaigns/messages.html"
EDIT_PAGE = "campaigns/messages_edit.html"
SMS_INFO_PAGE = "campaigns/messages_sms_info.html"
SMS_INFO_PARTIAL = "campaigns/_partials/message_sms_info.html"
PREVIEW_PARTIAL = "campaigns/_partials/message_preview.html"
TEST_PARTIAL = "campaigns/_partials/message_test.html"
LIST_PARTIAL = "campaigns/_partials/message_list.html"


# --- loading -----------------------------------------------------------------------------------------------



def _consultation(campaign: Campaign) -> Consultation:
    return db.session.get_one(Consultation, campaign.consultation_id)


def _templates(campaign: Campaign) -> list[CampaignTemplate]:
    """The campaign's texts, with the default outcome texts of its languages until they are saved (unattached)."""
    return [*campaign.templates, *content.missing_outcome_templates(campaign)]


def _template(campaign: Campaign, purpose: str, language: str) -> CampaignTemplate:
    if purpose not in tuple(MessagePurpose) or language not in content.MESSAGE_LANGUAGES:
        abort(404)
    for template in _templates(campaign):
        if template.purpose == purpose and template.language == language:
            return template
    abort(404)


def _editable(campaign: Campaign, purpose: str = MessagePurpose.INVITATION) -> bool:
    if purpose == MessagePurpose.OUTCOME:
        # Written after the decision, long after the invitations went: editable until the outcome round starts.
        return campaign.state != CampaignState.CANCELLED and services.outcome_round(campaign) is None
    return campaign.state in EDITABLE_STATES


def _require_editable(campaign: Campaign, purpose: str = MessagePurpose.INVITATION) -> None:
    if not _editable(campaign, purpose):
        raise StateError(_("The messages can no longer be changed: this campaign has been sent or cancelled."))


def _purpose_label(purpose: str) -> str:
    if purpose == MessagePurpose.OUTCOME:
        return _("Outcome message")
    return _("Invitation") if purpose == MessagePurpose.INVITATION else _("Reminder")


# --- helpers -----------------------------------------------------------------------------------------------


def _sample(campaign: Campaign, language: str, purpose: str = MessagePurpose.INVITATION) -> dict[str, str]:
    consultation = _consultation(campaign)
    deadline = content.format_deadline(consultation, language)
    focus_group = content.focus_group_of(consultation)  # its session time is what {when} will say
    return content.sample_values(
        organisation_name=current_user.organisation.name,
        title=localized(consultation.title, language, consultation.default_language),
        deadline=deadline,
        purpose=purpose,
        when=format_when(focus_group, consultation, language) if focus_group is not None else deadline,
    )


def _draft(template: CampaignTemplate, form: TemplateForm) -> CampaignTemplate:
    """An unsaved copy holding what was typed (never added to the session)."""
    return CampaignTemplate(
        purpose=template.purpose,
        language=template.language,
        email_subject=form.email_subject.data or "",
        email_body=form.email_body.data or "",
        sms_body=form.sms_body.data or "",
    )


def _problems(campaign: Campaign, draft: CampaignTemplate, form: TemplateForm) -> bool:
    """Attach template problems to the form's fields; True when there are none (and no field errors)."""
    ok = not any(getattr(form, name).errors for name in ("email_subject", "email_body", "sms_body"))
    for field, message in content.template_problems(
        draft, channel_policy=campaign.channel_policy, sample=_sample(campaign, draft.language, draft.purpose)
    ):
        getattr(form, field).errors = [*getattr(form, field).errors, message]
        ok = False
    return ok


def _sms_context(text: str, sample: dict[str, str]) -> dict[str, Any]:
    try:
        filled = content.fill(text, sample)
    except content.TemplateSyntaxError:
        filled = text
    info = content.sms_info(filled)
    return {"sms": info, "sms_max": content.MAX_SMS_SEGMENTS}


def _preview(campaign: Campaign, draft: CampaignTemplate, language: str) -> dict[str, Any] | None:
    """Render the draft with sample values; None while it has problems that make rendering impossible."""
    sample = _sample(campaign, language, draft.purpose)
    try:
        rendered = content.render_message(
            draft,
            organisation=current_user.organisation,
            consultation=_consultation(campaign),
            first_name=sample["first_name"],
            link=sample["link"],
            stop_link=sample["stop_link"],
            language=language,
        )
    except content.TemplateSyntaxError:
        return None
    return {"rendered": rendered}


def _edit_context(
    campaign: Campaign, template: CampaignTemplate, form: TemplateForm, draft: CampaignTemplate, **extra: Any
) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "template": template,
        "form": form,
        "editable": _editable(campaign, template.purpose),
        "purpose_label": _purpose_label(template.purpose),
        "language_name": LANGUAGE_NAMES.get(template.language, template.language),
        "placeholders": content.PLACEHOLDERS,
        "preview": _preview(campaign, draft, template.language),
        **_sms_context(draft.sms_body, _sample(campaign, template.language, template.purpose)),
        "test_result": None,
        **extra,
    }


def _edit_url(campaign: Campaign, template: CampaignTemplate) -> str:
    return url_for(
        "campaign_messages.edit", campaign_id=campaign.id, purpose=template.purpose, language=template.language
    )


# --- list and languages ------------------------------------------------------------------------------------


def _language_choices(present: set[str]) -> list[SelectChoice]:
    return [SelectChoice(c, LANGUAGE_NAMES[c]) for c in content.MESSAGE_LANGUAGES if c not in present]


def _list_order(template: CampaignTemplate) -> tuple[int, int]:
    languages = content.MESSAGE_LANGUAGES
    purposes = tuple(MessagePurpose)  # invitation, reminder, outcome: the order they are sent in
    language = languages.index(template.language) if template.language in languages else len(languages)
    return (language, purposes.index(MessagePurpose(template.purpose)))


def _list_context(campaign: Campaign, form: AddLanguageForm | None = None) -> dict[str, Any]:
    rows = []
    for template in sorted(_templates(campaign), key=_list_order):
        rows.append(
            {
                "template": template,
                "purpose_label": _purpose_label(template.purpose),
                "language_name": LANGUAGE_NAMES.get(template.language, template.language),
                "problems": content.validate_template(
                    template,
                    channel_policy=campaign.channel_policy,
                    sample=_sample(campaign, template.language, template.purpose),
                ),
                "url": _edit_url(campaign, template),
                "editable": _editable(campaign, template.purpose),
            }
        )
    present = {t.language for t in campaign.templates}
    form = form or AddLanguageForm()
    form.language.choices = _language_choices(present)
    return {
        "campaign": campaign,
        "consultation": _consultation(campaign),
        "rows": rows,
        "add_form": form,
        "editable": _editable(campaign),
    }


@bp.get("/<int:campaign_id>/messages")
@staff_required(*PLANNERS)
def index(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    return render_fragment(LIST_PAGE, LIST_PARTIAL, **_list_context(campaign))


@bp.post("/<int:campaign_id>/messages/languages")
@staff_required(*PLANNERS)
def add_language(campaign_id: int) -> Response:
    campaign = load_campaign(campaign_id)
    _require_editable(campaign)
    form = AddLanguageForm()
    present = {t.language for t in campaign.templates}
    form.language.choices = _language_choices(present)
    if not form.validate_on_submit():
        if not form.language.errors:
            form.language.errors = [_("Choose a language.")]
        return render_fragment(LIST_PAGE, LIST_PARTIAL, status=422, **_list_context(campaign, form))
    language = form.language.data
    for purpose in (MessagePurpose.INVITATION, MessagePurpose.REMINDER):
        campaign.templates.append(content.default_template(purpose, language))
    db.session.commit()
    flash(_("Texts in %(language)s added; adapt them before sending.", language=LANGUAGE_NAMES[language]), "success")
    return hx_redirect(
        url_for("campaign_messages.edit", campaign_id=campaign.id, purpose=MessagePurpose.INVITATION, language=language)
    )


# --- editing -----------------------------------------------------------------------------------------------


@bp.route("/<int:campaign_id>/messages/<purpose>/<language>", methods=["GET", "POST"])
@staff_required(*PLANNERS)
def edit(campaign_id: int, purpose: str, language: str) -> Response | tuple[str, int] | str:
    campaign = load_campaign(campaign_id)
    template = _template(campaign, purpose, language)
    if request.method == "GET":
        form = TemplateForm(obj=template)
        return render_template(EDIT_PAGE, **_edit_context(campaign, template, form, template))
    _require_editable(campaign, template.purpose)
    form = TemplateForm()
    form.validate()
    form.test_phone.errors = []  # the test fields do not block saving
    draft = _draft(template, form)
    if not _problems(campaign, draft, form):
        error = _("The texts were not saved. See the notes below.")
        context = _edit_context(campaign, template, form, draft, error=error)
        return render_template(EDIT_PAGE, **context), 422
    if template not in campaign.templates:
        campaign.templates.append(template)  # a default outcome text, kept from its first save
    template.email_subject = draft.email_subject
    template.email_body = draft.email_body
    template.sms_body = draft.sms_body
    db.session.commit()
    flash(_("The texts are saved."), "success")
    return hx_redirect(_edit_url(campaign, template))


@bp.post("/<int:campaign_id>/messages/<purpose>/<language>/preview")
@staff_required(*PLANNERS)
def preview(campaign_id: int, purpose: str, language: str) -> Response:
    """Preview what was typed (not saved): the e-mail, its text version and the SMS, with sample values."""
    campaign = load_campaign(campaign_id)
    template = _template(campaign, purpose, language)
    form = TemplateForm()
    form.validate()
    form.test_phone.errors = []
    draft = _draft(template, form)
    ok = _problems(campaign, draft, form)
    context = _edit_context(campaign, template, form, draft)
    return render_fragment(EDIT_PAGE, PREVIEW_PARTIAL, status=200 if ok else 422, **context)


@bp.post("/<int:campaign_id>/messages/sms-info")
@staff_required(*PLANNERS)
def sms_info(campaign_id: int) -> Response:
    """Length and parts of an SMS text as typed, with sample values in the placeholders."""
    campaign = load_campaign(campaign_id)
    language = request.form.get("language", "")
    if language not in content.MESSAGE_LANGUAGES:
        language = _consultation(campaign).default_language
    text = request.form.get("sms_body", "")[:10_000]
    context = {"campaign": campaign, "text": text, **_sms_context(text, _sample(campaign, language))}
    return render_fragment(SMS_INFO_PAGE, SMS_INFO_PARTIAL, **context)


# --- test-send ---------------------------------------------------------------------------------------------


@bp.post("/<int:campaign_id>/messages/<purpose>/<language>/test")
@staff_required(*PLANNERS)
def test_send(campaign_id: int, purpose: str, language: str) -> Response:
    """Send what was typed (not saved) to the planner: their own e-mail and/or a mobile number."""
    campaign = load_campaign(campaign_id)
    template = _template(campaign, purpose, language)
    form = TemplateForm()
    form.validate()
    draft = _draft(template, form)
    ok = _problems(campaign, draft, form) and not form.test_phone.errors
    if ok and not form.test_to_me.data and not (form.test_phone.data or "").strip():
        form.test_phone.errors = [_("Tick “send to my address” or enter a mobile number.")]
        ok = False
    notes = []
    if ok:
        notes = send_trial(
            draft,
            consultation=_consultation(campaign),
            planner=current_user,
            to_me=bool(form.test_to_me.data),
            phone=getattr(form.test_phone, "e164", ""),
            config=current_app.config,
        )
    status = 200 if ok else 422  # a transport failure is reported in the notes, not as bad input
    context = _edit_context(campaign, template, form, draft, test_result=notes)
    response = render_fragment(EDIT_PAGE, TEST_PARTIAL, status=status, **context)
    if is_partial_request():
        response.headers["Cache-Control"] = "no-store"
    return response
