"""Planner pages for consultations."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from civic.accounts.permissions import ALL_STAFF, staff_required
from civic.consultations.models import Consultation
from civic.extensions import db

bp = Blueprint("consultations", __name__, url_prefix="/manage/consultations")


@bp.get("/")
@staff_required(*ALL_STAFF)
def manage_list() -> str:
    consultations = db.session.scalars(
        select(Consultation)
        .where(Consultation.organisation_id == current_user.organisation_id)
        .order_by(Consultation.created_at.desc())
    ).all()
    return render_template("consultations/manage_list.html", consultations=consultations)
