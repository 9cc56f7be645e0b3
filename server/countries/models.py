"""One row per country: its legal facts, who last changed them and when."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Integer, String, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from ..core.db import Base

ANSWERS = ("yes", "partly", "no", "unknown")


class CountryLegalFacts(Base):
    __tablename__ = "country_legal_facts"

    country: Mapped[str] = mapped_column(String(3), primary_key=True)
    judicial_review: Mapped[str] = mapped_column(String, nullable=False, default="unknown")
    detention_time_limit_days: Mapped[int | None] = mapped_column(Integer)
    asylum_procedure: Mapped[str] = mapped_column(String, nullable=False, default="unknown")
    note: Mapped[str | None] = mapped_column(String)
    source_url: Mapped[str | None] = mapped_column(String)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
