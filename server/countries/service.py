"""Reading and setting country records; each change is audited in its own transaction."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from ..core import audit
from ..core.access import Principal
from ..core.db import db
from .models import CountryLegalFacts

FIELDS = ("judicial_review", "detention_time_limit_days", "asylum_procedure", "note",
          "source_url")


def all_records() -> list[CountryLegalFacts]:
    return list(db.session.scalars(select(CountryLegalFacts)
                                   .order_by(CountryLegalFacts.country)))


def save(principal: Principal, data: dict) -> CountryLegalFacts:
    """Create or replace the record of data["country"]."""
    session = db.session
    record = session.get(CountryLegalFacts, data["country"], with_for_update=True)
    before = {f: getattr(record, f) for f in FIELDS} if record else None
    if record is None:
        record = CountryLegalFacts(country=data["country"])
        session.add(record)
    for name in FIELDS:
        setattr(record, name, data.get(name, "unknown" if name in (
            "judicial_review", "asylum_procedure") else None))
    record.updated_by = principal.user_id
    record.updated_at = datetime.now(UTC)
    session.flush()
    audit.record_and_commit(session, "country.facts", principal, target_type="country",
                            target_id=None, details={
                                "country": record.country, "before": before,
                                "after": {f: getattr(record, f) for f in FIELDS}})
    return record
