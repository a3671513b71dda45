"""Staff account, staff management and organisation branding forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import ColorField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length, Optional, ValidationError

from civic.accounts.branding import colour_problem
from civic.accounts.models import Role
from civic.accounts.services import MIN_PASSWORD_LENGTH

ROLE_LABELS = {
    Role.ADMIN: _l("Admin"),
    Role.PLANNER: _l("Planner"),
    Role.MODERATOR: _l("Moderator"),
    Role.VIEWER: _l("Viewer"),
}


def role_label(role: str) -> str:
    """Return the translated name of a role."""
    return str(ROLE_LABELS[Role(role)])


def _role_choices() -> list[tuple[str, Any]]:
    return [(role.value, label) for role, label in ROLE_LABELS.items()]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("The password must be between %(min)d and %(max)d characters."),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )


class AddStaffForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=_role_choices, default=Role.VIEWER.value)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_role_choices)


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[AnyOf(["0", "1"], message=_l("Choose activate or deactivate."))])


class _Colour:
    """Validate a #rrggbb colour, optionally requiring readable white text on it."""

    def __init__(self, *, needs_white_text: bool = False) -> None:
        self.needs_white_text = needs_white_text

    def __call__(self, form: FlaskForm, field: Any) -> None:
        problem = colour_problem(field.data or "", needs_white_text=self.needs_white_text)
        if problem:
            raise ValidationError(problem)


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    parent_name = StringField(
        _l("Part of (for example the municipality of a district)"), validators=[Length(max=200)]
    )
    contact_email = EmailField(
        _l("Contact e-mail address"), validators=[Optional(), Email(), Length(max=254)]
    )
    primary_color = ColorField(
        _l("Primary colour"), validators=[DataRequired(), _Colour(needs_white_text=True)]
    )
    accent_color = ColorField(_l("Accent colour"), validators=[DataRequired(), _Colour()])
    coat_of_arms = FileField(_l("Coat of arms (PNG or JPEG, at most 1 MB and 1000×1000 pixels)"))
