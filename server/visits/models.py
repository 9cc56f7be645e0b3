"""Visit reports, their sensitive notes, and the submission records that make uploads idempotent."""
from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base
from ..core.statuses import SUBMITTED

ACCESS = ("full", "partial", "denied")
HELD = ("women", "men", "girls", "boys", "unaccompanied")


class Visit(Base):
    __tablename__ = "visits"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    facility_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("facilities.id"), nullable=False)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"),
                                                       nullable=False)
    monitor_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    device_token_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    source: Mapped[str] = mapped_column(String, nullable=False)
    form_id: Mapped[str | None] = mapped_column(String)
    form_version: Mapped[str | None] = mapped_column(String)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                   server_default=func.now())
    position = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    position_accuracy_m: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    access: Mapped[str] = mapped_column(String, nullable=False)
    access_denied_reason: Mapped[str | None] = mapped_column(String)
    held_women: Mapped[int | None] = mapped_column(Integer)
    held_men: Mapped[int | None] = mapped_column(Integer)
    held_girls: Mapped[int | None] = mapped_column(Integer)
    held_boys: Mapped[int | None] = mapped_column(Integer)
    held_unaccompanied: Mapped[int | None] = mapped_column(Integer)
    room_area_m2: Mapped[float | None] = mapped_column(Float)
    observations: Mapped[dict] = mapped_column(JSONB, nullable=False, default=dict)
    scores: Mapped[dict] = mapped_column(JSONB, nullable=False, default=dict)
    dimensions: Mapped[dict] = mapped_column(JSONB, nullable=False, default=dict)
    red_flags: Mapped[list] = mapped_column(JSONB, nullable=False, default=list)
    returnees: Mapped[list] = mapped_column(JSONB, nullable=False, default=list)
    ring: Mapped[str] = mapped_column(String, nullable=False, default="none")
    flags: Mapped[list] = mapped_column(JSONB, nullable=False, default=list)
    review_status: Mapped[str] = mapped_column(String, nullable=False, default=SUBMITTED)
    review_comment: Mapped[str | None] = mapped_column(String)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retracted_reason: Mapped[str | None] = mapped_column(String)
    demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    def headcounts(self) -> dict:
        return {k: getattr(self, f"held_{k}") for k in HELD}


class VisitSensitive(Base):
    """Free-text notes: gated, audited on every read, kept apart from what is mapped."""
    __tablename__ = "visit_sensitive"

    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"),
                                                primary_key=True)
    notes: Mapped[str | None] = mapped_column(String)
    # Answers of a form published in the browser that no field takes (forms.mapping).
    answers: Mapped[dict | None] = mapped_column(JSONB)


class SubmissionRecord(Base):
    """One received instance (OpenRosa instanceID / JSON client UUID) of a visit."""
    __tablename__ = "submission_records"

    instance_id: Mapped[str] = mapped_column(String, primary_key=True)
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"),
                                                nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    body_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String, nullable=False)
    deprecated_id: Mapped[str | None] = mapped_column(String)
    superseded_by: Mapped[str | None] = mapped_column(String)
    complete: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
