"""A coordinator adjusts a dimension's rating at review, with a reason: the rating before, the
one after, who and why are kept on the dimension and in the audit log, in one transaction."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from ..core import audit
from ..core.access import Principal
from ..core.db import db
from ..core.errors import NotFound, ValidationFailed
from ..visits import store
from .vocabulary import DIMENSIONS, INSUFFICIENT, RATINGS, ring_of

COORDINATOR = "coordinator"


def adjust_rating(visit_id: uuid.UUID, dimension: str, rating, reason: str,
                  principal: Principal) -> dict:
    """Set `dimension` of the visit to `rating` (1-4 or "insufficient_evidence"); returns the
    dimension as stored. Only a coordinator of the visit's organisation."""
    if dimension not in DIMENSIONS:
        raise NotFound(f"No dimension {dimension!r}; one of {', '.join(DIMENSIONS)}.")
    if rating != INSUFFICIENT and (isinstance(rating, bool) or rating not in RATINGS):
        raise ValidationFailed.field("rating", f"1, 2, 3, 4 or {INSUFFICIENT}.")
    if not (reason or "").strip():
        raise ValidationFailed.field("reason", "Say why the rating is changed: it is recorded.")
    session = db.session
    row = store.assessment_for_update(session, visit_id)
    if row is None or row.organisation_id != principal.organisation_id:
        raise NotFound(f"No visit {visit_id} in your organisation.")
    dimensions = dict(row.dimensions or {})
    entry = dict(dimensions.get(dimension) or {})
    before = entry.get("rating")
    now = datetime.now(UTC)
    after = None if rating == INSUFFICIENT else rating
    entry.update(rating=after, insufficient_evidence=after is None, adjusted={
        "from": before, "from_source": entry.get("source"), "by": str(principal.user_id),
        "at": now.isoformat(), "reason": reason.strip()}, source="coordinator")
    dimensions[dimension] = entry
    ring = ring_of({name: dimensions.get(name) or {} for name in DIMENSIONS}, row.red_flags)
    store.set_dimensions(session, visit_id, dimensions, ring, now)
    audit.record_and_commit(session, "visit.rating_adjusted", principal, target_type="visit",
                            target_id=visit_id, details={
                                "dimension": dimension, "from": before, "to": after,
                                "reason": reason.strip()})
    return entry
