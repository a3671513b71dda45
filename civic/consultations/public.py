"""The public front page: open consultations anyone may take part in."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from civic.consultations.models import Access, Consultation, ConsultationState
from civic.extensions import db

bp = Blueprint("consultations_public", __name__)


@bp.get("/")
def index() -> str:
    consultations = db.session.scalars(
        select(Consultation)
        .where(Consultation.state == ConsultationState.OPEN, Consultation.access == Access.PUBLIC)
        .options(selectinload(Consultation.organisation))
        .order_by(Consultation.closes_at.is_(None), Consultation.closes_at)
    ).all()
    organisations = {c.organisation for c in consultations}
    organisation = next(iter(organisations)) if len(organisations) == 1 else None
    return render_template("consultations/index.html", consultations=consultations, organisation=organisation)
