"""Planner forms for campaigns: create, reminder settings, schedule, a targeted reminder."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from civic.campaigns.audience import SEGMENT_DIMENSIONS
from civic.campaigns.models import ChannelPolicy
from civic.campaigns.services import MAX_REMINDER_DAYS, MAX_REMINDERS
from civic.consultations.forms import local_to_utc

CHANNEL_LABELS = {
    ChannelPolicy.EMAIL: _l("E-mail only"),
    ChannelPolicy.SMS: _l("SMS only"),
    ChannelPolicy.EMAIL_THEN_SMS: _l("E-mail, or SMS where there is no e-mail address"),
}


class CampaignForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(message=_l("Give the campaign a name.")), Length(max=200)])
    consultation_id = SelectField(
        _l("Consultation"), coerce=int, validators=[InputRequired(message=_l("Choose a consultation."))]
    )
    channel_policy = SelectField(
        _l("Channels"),
        choices=[SelectChoice(policy.value, label) for policy, label in CHANNEL_LABELS.items()],
        default=ChannelPolicy.EMAIL_THEN_SMS.value,
    )


class ReminderForm(FlaskForm):
    reminder_after_days = IntegerField(
        _l("Days between reminders"),
        validators=[InputRequired(message=_l("Give a number of days.")), NumberRange(min=1, max=MAX_REMINDER_DAYS)],
    )
    reminder_max = IntegerField(
        _l("Reminders at most"),
        validators=[InputRequired(message=_l("Give a number from 0 to 5.")), NumberRange(min=0, max=MAX_REMINDERS)],
    )


class ScheduleForm(FlaskForm):
    send_at = DateTimeLocalField(
        _l("Send at (Oslo time)"), format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(message=_l("Choose a date and time."))],
    )

    def send_at_utc(self):
        return local_to_utc(self.send_at.data)


class SegmentReminderForm(FlaskForm):
    dimension = HiddenField(validators=[InputRequired()])
    value = HiddenField(validators=[InputRequired(), Length(max=64)])

    def validate_dimension(self, field) -> None:
        if field.data not in SEGMENT_DIMENSIONS:
            raise ValidationError(_l("Choose a group to remind."))
