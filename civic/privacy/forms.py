"""The organisation's retention setting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

MIN_RETENTION_MONTHS = 1
MAX_RETENTION_MONTHS = 120


class RetentionForm(FlaskForm):
    free_text_retention_months = IntegerField(
        _l("Keep residents' free text for this many months"),
        validators=[
            InputRequired(_l("Enter a number of months.")),
            NumberRange(
                MIN_RETENTION_MONTHS,
                MAX_RETENTION_MONTHS,
                _l("Enter a whole number of months from %(min)d to %(max)d."),
            ),
        ],
    )
