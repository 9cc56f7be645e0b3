"""A partner organisation's sharing policy (one row per organisation, set by admins)."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import REAL, DateTime, Integer, SmallInteger, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base


class SharingPolicy(Base):
    __tablename__ = "sharing_policies"

    organisation_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    incident_types: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    statuses: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    location_precision: Mapped[str] = mapped_column(String, nullable=False)
    grid_km: Mapped[float | None] = mapped_column(REAL)
    sensitive_types: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    sensitive_precision: Mapped[str] = mapped_column(String, nullable=False)
    small_count_k: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    embargo_days: Mapped[int] = mapped_column(Integer, nullable=False)
    countries: Mapped[list[str] | None] = mapped_column(ARRAY(String(3)))
    withheld_fields: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    note: Mapped[str | None] = mapped_column(String)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.clock_timestamp())
    changed_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
