"""Organisations (kommune, bydel) with their branding, and staff accounts with roles."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from civic.core.db import Base, TimestampMixin, enum_column

#: Free-text retention an organisation starts with (see Organisation.free_text_retention_months).
DEFAULT_FREE_TEXT_RETENTION_MONTHS = 24


class OrganisationKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    DISTRICT = "district"  # an Oslo bydel, part of a municipality


class Role(enum.StrEnum):
    """Staff roles, from most to least powerful."""

    ADMIN = "admin"  # manages staff and branding, and everything a planner does
    PLANNER = "planner"  # builds consultations, reads results
    MODERATOR = "moderator"  # moderates contributions, reads results
    VIEWER = "viewer"  # reads consultations and results


class Organisation(TimestampMixin, Base):
    """A municipality or city district that runs consultations, with its branding."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = enum_column(OrganisationKind, default=OrganisationKind.MUNICIPALITY)
    parent_name: Mapped[str] = mapped_column(String(200), default="")  #: e.g. "Oslo kommune" for a bydel
    #: File name of the coat of arms inside UPLOAD_FOLDER (validated PNG/JPEG/SVG-free), or "".
    coat_of_arms: Mapped[str] = mapped_column(String(200), default="")
    primary_color: Mapped[str] = mapped_column(String(7), default="#2a2859")
    accent_color: Mapped[str] = mapped_column(String(7), default="#1f42aa")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    #: Residents' free text (survey free-text answers, hearing comments, focus-group answers) is erased this many
    #: months after the consultation's report is published, or after it closed when there is no report.
    free_text_retention_months: Mapped[int] = mapped_column(
        default=DEFAULT_FREE_TEXT_RETENTION_MONTHS, server_default=str(DEFAULT_FREE_TEXT_RETENTION_MONTHS)
    )

    staff: Mapped[list[StaffUser]] = relationship(back_populates="organisation")


class StaffUser(TimestampMixin, Base):
    """A municipal employee who logs in. Residents never have accounts."""

    __tablename__ = "staff_users"
    __table_args__ = (UniqueConstraint("email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = enum_column(Role, default=Role.VIEWER)
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Bumped on password change so outstanding reset links and sessions stop working.
    session_generation: Mapped[int] = mapped_column(default=0)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Failed logins since ``first_failed_login_at``; too many within the window locks the account.
    failed_login_count: Mapped[int] = mapped_column(default=0)
    first_failed_login_at: Mapped[datetime | None] = mapped_column(default=None)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)

    organisation: Mapped[Organisation] = relationship(back_populates="staff")

    # Flask-Login protocol, written out so models import nothing from the web layer.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles
