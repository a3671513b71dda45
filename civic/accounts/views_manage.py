"""Admin pages: the organisation's staff, and its branding."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from civic.accounts import branding, services
from civic.accounts.forms import ActiveForm, AddStaffForm, OrganisationForm, RoleForm, role_label
from civic.accounts.mail import send_password_link
from civic.accounts.models import Role, StaffUser
from civic.accounts.password_links import MAX_AGE, LinkPurpose
from civic.accounts.permissions import ADMINS, same_organisation, staff_required
from civic.core.errors import DomainError
from civic.core.errors_http import is_storage_full, storage_full_message
from civic.core.htmx import hx_redirect, is_partial_request, render_fragment
from civic.extensions import db

bp = Blueprint("accounts_manage", __name__, url_prefix="/manage")


def _actor() -> StaffUser:
    return current_user._get_current_object()  # type: ignore[attr-defined] - the real model, not the proxy


def _load_member(user_id: int) -> StaffUser:
    member = db.get_or_404(StaffUser, user_id)
    same_organisation(member.organisation_id)
    return member


def _staff_page(member: StaffUser | None = None, status: int = 200, **extra: object) -> Response:
    return render_fragment(
        "accounts/staff_list.html",
        "accounts/_partials/staff_row.html",
        status=status,
        staff=services.staff_of(db.session, current_user.organisation_id),
        member=member,
        target=member,
        roles=list(Role),
        role_label=role_label,
        **extra,
    )


@bp.get("/staff")
@staff_required(*ADMINS)
def staff_list() -> Response:
    return _staff_page()


@bp.route("/staff/new", methods=["GET", "POST"])
@staff_required(*ADMINS)
def add_staff() -> Response | str | tuple[str, int]:
    form = AddStaffForm()
    if form.validate_on_submit():
        try:
            member = services.add_staff(
                db.session,
                _actor().organisation,
                email=form.email.data,
                name=form.name.data,
                role=Role(form.role.data),
            )
        except DomainError as exc:
            db.session.rollback()
            form.email.errors.append(exc.message)
        else:
            send_password_link(member, LinkPurpose.WELCOME)
            db.session.commit()  # the welcome e-mail goes out after this commit
            flash(
                _(
                    "%(name)s was added. We sent %(email)s a link to choose a password; "
                    "it works for %(hours)d hours.",
                    name=member.name,
                    email=member.email,
                    hours=MAX_AGE[LinkPurpose.WELCOME] // 3600,
                ),
                "success",
            )
            return hx_redirect(url_for("accounts_manage.staff_list"))
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/staff_form.html", form=form), status


def _finish_member_change(member: StaffUser, message: str) -> Response:
    db.session.commit()
    if is_partial_request():
        return _staff_page(member, row_message=message)
    flash(message, "success")
    return hx_redirect(url_for("accounts_manage.staff_list"))


def _member_error(member: StaffUser, message: str, status: int) -> Response:
    db.session.rollback()
    return _staff_page(member, status=status, row_error=message, error=message)


@bp.post("/staff/<int:user_id>/role")
@staff_required(*ADMINS)
def change_role(user_id: int) -> Response:
    member = _load_member(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _member_error(member, _("Choose one of the roles in the list."), 422)
    try:
        services.change_role(db.session, member, Role(form.role.data), actor=_actor())
    except DomainError as exc:
        return _member_error(member, exc.message, exc.status_code)
    return _finish_member_change(
        member, _("%(name)s is now %(role)s.", name=member.name, role=role_label(member.role))
    )


@bp.post("/staff/<int:user_id>/active")
@staff_required(*ADMINS)
def set_active(user_id: int) -> Response:
    member = _load_member(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        return _member_error(member, _("Choose activate or deactivate."), 422)
    active = form.active.data == "1"
    try:
        services.set_active(db.session, member, active, actor=_actor())
    except DomainError as exc:
        return _member_error(member, exc.message, exc.status_code)
    if active:
        message = _("%(name)s can log in again.", name=member.name)
    else:
        message = _("%(name)s is deactivated and can no longer log in.", name=member.name)
    return _finish_member_change(member, message)


@bp.route("/organisation", methods=["GET", "POST"])
@staff_required(*ADMINS)
def organisation() -> Response | str | tuple[str, int]:
    org = _actor().organisation
    if request.method == "GET":
        return render_template("accounts/organisation.html", form=OrganisationForm(obj=org), organisation=org)
    # No obj= here: what the admin typed is what is shown again if something is wrong.
    form = OrganisationForm()
    error = None
    if form.validate_on_submit():
        image = None
        upload = form.coat_of_arms.data
        if upload is not None and upload.filename:
            try:
                image = branding.check_image(upload.read(branding.MAX_IMAGE_BYTES + 1))
            except DomainError as exc:
                form.coat_of_arms.errors.append(exc.message)
        if not form.coat_of_arms.errors:
            upload_folder = current_app.config["UPLOAD_FOLDER"]
            previous = org.coat_of_arms
            try:
                stored = branding.store_image(upload_folder, image) if image else None
            except OSError as exc:
                if not is_storage_full(exc):
                    raise
                # Nothing is saved; the page comes back with everything the admin typed.
                return _organisation_page(form, org, storage_full_message(), 507)
            try:
                branding.update_organisation(
                    db.session,
                    org,
                    name=form.name.data,
                    parent_name=form.parent_name.data or "",
                    contact_email=form.contact_email.data or "",
                    primary_color=form.primary_color.data,
                    accent_color=form.accent_color.data,
                    coat_of_arms=stored,
                )
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                branding.remove_image(upload_folder, stored or "")
                error = exc.message
            except Exception as exc:
                # The commit failed (database away or full): the new file would belong to nothing.
                db.session.rollback()
                branding.remove_image(upload_folder, stored or "")
                if not is_storage_full(exc):
                    raise
                return _organisation_page(form, org, storage_full_message(), 507)
            else:
                if stored:
                    branding.remove_image(upload_folder, previous)
                flash(_("The organisation's details are saved."), "success")
                return hx_redirect(url_for("accounts_manage.organisation"))
    return _organisation_page(form, org, error, 422)


def _organisation_page(form: OrganisationForm, org, error: str | None, status: int) -> tuple[str, int]:
    return render_template("accounts/organisation.html", form=form, organisation=org, error=error), status
