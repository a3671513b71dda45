"""Forms for the message texts: subject, e-mail and SMS bodies, a test-send, and adding a language."""

from __future__ import annotations

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import Length, Optional

from civic.campaigns.content import MAX_SUBJECT_LENGTH
from civic.core.i18n import LANGUAGE_NAMES

MAX_BODY_LENGTH = 20_000
MAX_SMS_LENGTH = 2_000  # far above six parts; validate_template gives the precise message


def normalise_phone(value: str) -> str:
    """Return a mobile number as E.164 (Norwegian numbers without +47 accepted); ValueError when malformed."""
    try:
        number = phonenumbers.parse(value, "NO")
    except phonenumbers.NumberParseException:
        raise ValueError(value) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(value)
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValueError(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class TemplateForm(FlaskForm):
    """The texts of one purpose in one language; the test fields are used only by the test-send button."""

    email_subject = StringField(
        _l("E-mail subject"), validators=[Optional(), Length(max=MAX_SUBJECT_LENGTH)], render_kw={"maxlength": 200}
    )
    email_body = TextAreaField(_l("E-mail text"), validators=[Optional(), Length(max=MAX_BODY_LENGTH)])
    sms_body = TextAreaField(_l("SMS text"), validators=[Optional(), Length(max=MAX_SMS_LENGTH)])
    test_to_me = BooleanField(_l("Send a test e-mail to my address"))
    test_phone = StringField(
        _l("Send a test SMS to this mobile number"),
        validators=[Optional(), Length(max=32)],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )

    def validate_test_phone(self, field: StringField) -> None:
        if not (field.data or "").strip():
            return
        try:
            field.e164 = normalise_phone(field.data.strip())  # type: ignore[attr-defined]
        except ValueError:
            raise ValidationError(
                _l("Enter a valid mobile number, for example 912 34 567 or +47 912 34 567.")
            ) from None


class AddLanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()])
