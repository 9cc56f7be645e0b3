"""Incidents: what happened, where, when, to how many (counts only, never names)."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base
from ..core.statuses import SUBMITTED

AFFECTED = ("women", "men", "girls", "boys", "unaccompanied")


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"),
                                                       nullable=False)
    monitor_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    facility_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("facilities.id"))
    type: Mapped[str] = mapped_column(String, nullable=False)
    occurred_on: Mapped[date] = mapped_column(Date, nullable=False)
    date_precision: Mapped[str] = mapped_column(String, nullable=False, default="exact")
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    location_precision: Mapped[str] = mapped_column(String, nullable=False)
    country: Mapped[str | None] = mapped_column(String(3))
    admin1: Mapped[str | None] = mapped_column(String)
    # People affected; None: the monitor did not know (issue 15), never a forced 0.
    affected_women: Mapped[int | None] = mapped_column(Integer)
    affected_men: Mapped[int | None] = mapped_column(Integer)
    affected_girls: Mapped[int | None] = mapped_column(Integer)
    affected_boys: Mapped[int | None] = mapped_column(Integer)
    affected_unaccompanied: Mapped[int | None] = mapped_column(Integer)
    # The sum of the known counts ("at least" when one is not known); None when none is known.
    affected_total: Mapped[int | None] = mapped_column(Integer, Computed(
        "CASE WHEN affected_women IS NULL AND affected_men IS NULL AND affected_girls IS NULL "
        "AND affected_boys IS NULL THEN NULL ELSE coalesce(affected_women, 0) + "
        "coalesce(affected_men, 0) + coalesce(affected_girls, 0) + coalesce(affected_boys, 0) "
        "END"))
    profiles: Mapped[dict] = mapped_column(JSONB, nullable=False, default=dict)
    perpetrator: Mapped[str | None] = mapped_column(String)
    state_responsible: Mapped[str] = mapped_column(String, nullable=False, default="unknown")
    source_type: Mapped[str | None] = mapped_column(String)
    consent: Mapped[str] = mapped_column(String, nullable=False, default="internal_only")
    severity: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    follow_up: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    verification_status: Mapped[str] = mapped_column(String, nullable=False, default=SUBMITTED)
    review_comment: Mapped[str | None] = mapped_column(String)
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("incidents.id"))
    flags: Mapped[list] = mapped_column(JSONB, nullable=False, default=list)
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retracted_reason: Mapped[str | None] = mapped_column(String)
    demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class IncidentSensitive(Base):
    __tablename__ = "incident_sensitive"

    incident_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True)
    narrative: Mapped[str | None] = mapped_column(String)
