"""Facilities: border crossings, reception, transit, holding and detention centres, camps."""
from __future__ import annotations

import uuid
from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, DateTime, Integer, String, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base

KINDS = ("border_crossing", "reception_centre", "transit_centre", "holding_centre",
         "detention_centre", "camp", "other")
STATUSES = ("open", "closed")
# local-name columns by language code (ISO 639-3): Dari, Pashto, Farsi, Urdu
LOCAL_NAMES = {"prs": "name_prs", "pus": "name_pus", "fas": "name_fas", "urd": "name_urd"}


class Facility(Base):
    __tablename__ = "facilities"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True,
                                          default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String, nullable=False)
    name: Mapped[str] = mapped_column(String, nullable=False)
    name_prs: Mapped[str | None] = mapped_column(String)
    name_pus: Mapped[str | None] = mapped_column(String)
    name_fas: Mapped[str | None] = mapped_column(String)
    name_urd: Mapped[str | None] = mapped_column(String)
    country: Mapped[str] = mapped_column(String(3), nullable=False)
    admin1: Mapped[str | None] = mapped_column(String)
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=False), nullable=False)
    footprint = mapped_column(Geometry("POLYGON", srid=4326, spatial_index=False))
    location_precision: Mapped[str | None] = mapped_column(String)
    capacity: Mapped[int | None] = mapped_column(Integer)
    authority: Mapped[str | None] = mapped_column(String)
    description: Mapped[str | None] = mapped_column(String)
    source_url: Mapped[str | None] = mapped_column(String)
    status: Mapped[str] = mapped_column(String, nullable=False, default="open")
    closed_reason: Mapped[str | None] = mapped_column(String)
    demo: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @property
    def local_names(self) -> dict:
        return {code: getattr(self, col) for code, col in LOCAL_NAMES.items()
                if getattr(self, col)}
