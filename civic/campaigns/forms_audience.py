"""The audience builder's form: criteria fields, the channel policy, and the map's polygon as text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from civic.campaigns.audience import MAX_AGE, MIN_AGE, AudienceCriteria, parse_polygon
from civic.campaigns.models import ChannelPolicy
from civic.core.i18n import LANGUAGE_NAMES


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes sharing one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _age(label: Any) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(MIN_AGE, MAX_AGE, message=_l("Enter an age between %(min)s and %(max)s.")),
        ],
        render_kw={"min": MIN_AGE, "max": MAX_AGE, "inputmode": "numeric"},
    )


def policy_labels() -> dict[str, Any]:
    return {
        ChannelPolicy.EMAIL_THEN_SMS: _l("E-mail, or SMS when there is no fresh e-mail address"),
        ChannelPolicy.EMAIL: _l("E-mail only"),
        ChannelPolicy.SMS: _l("SMS only"),
    }


class AudienceForm(FlaskForm):
    """Criteria for who to invite. Sub-district choices come from the address register at runtime."""

    age_min = _age(_l("Age from"))
    age_max = _age(_l("Age to"))
    sub_districts = MultiCheckboxField(_l("Sub-districts"), choices=[], validate_choice=False)
    streets = TextAreaField(_l("Streets (one per line)"), validators=[Optional(), Length(max=10_000)])
    street_add = StringField(_l("Add a street"), validators=[Optional(), Length(max=200)])
    child_age_min = _age(_l("Children aged from"))
    child_age_max = _age(_l("Children aged to"))
    languages = MultiCheckboxField(
        _l("Preferred language in the contact register"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code]) for code in ("nb", "nn", "en")],
    )
    channel_policy = SelectField(
        _l("Channel"),
        choices=[SelectChoice(value.value, label) for value, label in policy_labels().items()],
        default=ChannelPolicy.EMAIL_THEN_SMS.value,
    )
    polygon = TextAreaField(
        _l("Area drawn on the map (longitude, latitude pairs)"), validators=[Optional(), Length(max=100_000)]
    )

    def set_sub_districts(self, names: Sequence[str]) -> None:
        self.sub_districts.choices = [SelectChoice(name, name) for name in names]

    def street_list(self) -> tuple[str, ...]:
        lines = [*(self.streets.data or "").splitlines(), self.street_add.data or ""]
        return tuple(dict.fromkeys(" ".join(line.split()) for line in lines if line.strip()))

    def criteria(self) -> AudienceCriteria:
        """The criteria as typed; raises InvalidCriteria when the polygon text cannot be read."""
        return AudienceCriteria(
            age_min=self.age_min.data,
            age_max=self.age_max.data,
            sub_districts=tuple(self.sub_districts.data or ()),
            polygon=parse_polygon(self.polygon.data or ""),
            streets=self.street_list(),
            child_age_min=self.child_age_min.data,
            child_age_max=self.child_age_max.data,
            languages=tuple(self.languages.data or ()),
        )

    def fill(self, criteria: AudienceCriteria, policy: str) -> None:
        """Show stored criteria (GET)."""
        self.age_min.data = criteria.age_min
        self.age_max.data = criteria.age_max
        self.sub_districts.data = list(criteria.sub_districts)
        self.streets.data = "\n".join(criteria.streets)
        self.child_age_min.data = criteria.child_age_min
        self.child_age_max.data = criteria.child_age_max
        self.languages.data = list(criteria.languages)
        self.channel_policy.data = policy
        self.polygon.data = _ring_text(criteria.polygon) if criteria.polygon else ""


def _ring_text(ring: list[list[float]]) -> str:
    return "[" + ", ".join(f"[{lon:.6f}, {lat:.6f}]" for lon, lat in ring) + "]"
