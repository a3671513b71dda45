"""Forms for hearings: the planner's new hearing, proposal, attachments and settings; the resident's statement."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from civic.consultations.forms import LANGUAGES, ConsultationForm
from civic.hearings.document import MAX_CHARS
from civic.hearings.models import Hearing, ModerationMode

MODERATION_CHOICES = [
    SelectChoice(
        ModerationMode.POST.value, _l("Post-moderation: comments are shown at once, moderators act afterwards")
    ),
    SelectChoice(ModerationMode.PRE.value, _l("Pre-moderation: every comment waits for a moderator")),
]
MAX_HOUSE_RULES = 5000


class HearingForm(ConsultationForm):
    """A new hearing: the consultation's texts, access and period, plus how participation works and the proposal."""

    moderation_mode = RadioField(
        _l("Moderation"),
        choices=MODERATION_CHOICES,
        default=ModerationMode.POST.value,
        validators=[InputRequired(message=_l("Choose how comments are moderated."))],
    )
    verification_offered = BooleanField(
        _l("Offer residents a one-time code by e-mail or SMS that marks them as verified residents"), default=True
    )
    document = TextAreaField(
        _l("Proposal (Markdown)"),
        validators=[
            InputRequired(message=_l("Write or paste the proposal.")),
            Length(max=MAX_CHARS, message=_l("The proposal is too long: at most 200,000 characters.")),
        ],
    )

    def to_fields(self) -> dict[str, Any]:
        """Keyword arguments for services.create_hearing (a hearing's background is its proposal)."""
        fields = super().to_fields()
        fields.pop("body", None)
        fields.update(
            moderation_mode=ModerationMode(self.moderation_mode.data),
            verification_offered=bool(self.verification_offered.data),
            document=self.document.data or "",
        )
        return fields


class DocumentForm(FlaskForm):
    """Edit the proposal; ``confirm_losing`` is required when sections with comments would disappear."""

    document = TextAreaField(_l("Proposal (Markdown)"))
    confirm_losing = BooleanField(_l("I understand: the comments on these sections move to the whole document."))


class AttachmentForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    file = FileField(_l("PDF file (at most 10 MB)"))


class SettingsForm(FlaskForm):
    moderation_mode = RadioField(
        _l("Moderation"),
        choices=MODERATION_CHOICES,
        validators=[InputRequired(message=_l("Choose how comments are moderated."))],
    )
    verification_offered = BooleanField(
        _l("Offer residents a one-time code by e-mail or SMS that marks them as verified residents")
    )
    house_rules_nb = TextAreaField(_l("House rules (Bokmål)"), validators=[Optional(), Length(max=MAX_HOUSE_RULES)])
    house_rules_nn = TextAreaField(_l("House rules (Nynorsk)"), validators=[Optional(), Length(max=MAX_HOUSE_RULES)])
    house_rules_en = TextAreaField(_l("House rules (English)"), validators=[Optional(), Length(max=MAX_HOUSE_RULES)])

    def fill_from(self, hearing: Hearing) -> None:
        self.moderation_mode.data = hearing.moderation_mode
        self.verification_offered.data = hearing.verification_offered
        for code in LANGUAGES:
            self[f"house_rules_{code}"].data = (hearing.house_rules or {}).get(code, "")

    def house_rules(self) -> dict[str, str]:
        """The house rules per language; empty languages are left out (the platform's defaults apply)."""
        texts = {code: (self[f"house_rules_{code}"].data or "").strip() for code in LANGUAGES}
        return {code: text for code, text in texts.items() if text}


class StatementForm(FlaskForm):
    """A formal statement. The rules live in hearings.statements.submit_statement; this form only carries values."""

    signer_name = StringField(_l("Your name"))
    organisation_name = StringField(_l("Organisation (leave empty if you write on your own behalf)"))
    body = TextAreaField(_l("Statement"))
    pdf = FileField(_l("Attach a PDF (optional, at most 10 MB)"))
    confirm = BooleanField(_l("I confirm that this statement is mine, or that I may submit it for the organisation."))
