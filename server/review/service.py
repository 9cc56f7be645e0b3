"""Review decisions by coordinators: verify / has issues / reject, and merging duplicates.
Each transition is one transaction with its audit entry and its review event."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from ..assessment.vocabulary import DIMENSIONS, INSUFFICIENT, RATINGS
from ..core import audit
from ..core.access import Principal
from ..core.db import db
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.statuses import HAS_ISSUES, REJECTED, VERIFIED
from ..history import service as history
from ..incidents import service as incidents
from ..visits import service as visits

ACTIONS = {"verify": VERIFIED, "has_issues": HAS_ISSUES, "reject": REJECTED}
# The package that owns each kind of record changes its review state (review decides, audits
# and commits).
OWNERS = {"visit": visits, "incident": incidents}


def _load(target_type: str, target_id: uuid.UUID, principal: Principal):
    # Locked until the decision commits: an edit of the record waits for it, and sends it back
    # to review after; a decision that comes after an edit sees the edit (`seen`).
    # Coordinators review their own organisation's records; admins run the deployment but do
    # not review (they are not part of an organisation's monitoring work).
    record = OWNERS[target_type].locked_for_review(db.session, target_id,
                                                   principal.organisation_id)
    if record is None:
        raise NotFound(f"No {target_type} {target_id} in your organisation.")
    return record


def decide(target_type: str, target_id: uuid.UUID, action: str, comment: str | None,
           principal: Principal, seen: datetime | None = None):
    """`seen`: the record's updated_at as the reviewer read it; a record changed since (an edit
    between the read and the click) is not decided on unread (409)."""
    if action not in ACTIONS:
        raise ValidationFailed.field("action", f"One of {', '.join(ACTIONS)}.")
    if action in ("has_issues", "reject") and not comment:
        raise ValidationFailed.field("comment", "Say what is wrong: the monitor sees this comment.")
    session = db.session
    record = _load(target_type, target_id, principal)
    if seen is not None and record.updated_at != seen:
        raise Conflict(f"This {target_type} changed after you read it (at "
                       f"{record.updated_at.isoformat()}): read it again before deciding.")
    after = ACTIONS[action]
    before = OWNERS[target_type].set_review_status(record, after, comment,
                                                   datetime.now(timezone.utc))
    history.record(session, target_type, target_id, action, principal, before=before,
                   after=after, comment=comment)
    audit.record(session, f"{target_type}.review", principal, target_type=target_type,
                 target_id=target_id, details={"action": action, "from": before, "to": after})
    session.commit()
    return record


def merge_duplicate(duplicate_id: uuid.UUID, original_id: uuid.UUID, principal: Principal):
    """Mark `duplicate_id` as a duplicate of `original_id`: both sources stay linked, the
    incident is counted once (lists and aggregates skip rows with duplicate_of set)."""
    if duplicate_id == original_id:
        raise ValidationFailed.field("original_id", "An incident cannot duplicate itself.")
    session = db.session
    duplicate = _load("incident", duplicate_id, principal)
    original = incidents.get(session, original_id)
    if original is None:
        raise NotFound(f"No incident {original_id}.")
    if original.duplicate_of is not None:
        original_id = original.duplicate_of  # point at the root, keep chains one deep
    if original_id == duplicate_id:
        raise Conflict(f"Incident {original.id} is already merged into {duplicate_id}.")
    if duplicate.duplicate_of is not None:
        raise Conflict(f"Incident {duplicate_id} is already merged into {duplicate.duplicate_of}.")
    if original.type != duplicate.type:
        raise Conflict("Only incidents of the same type can be merged.")
    incidents.mark_duplicate(duplicate, original_id, datetime.now(timezone.utc))
    history.record(session, "incident", duplicate_id, "merge", principal,
                   comment=f"duplicate of {original_id}")
    audit.record(session, "incident.merge", principal, target_type="incident",
                 target_id=duplicate_id, details={"duplicate_of": str(original_id)})
    session.commit()
    return duplicate


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
    now = datetime.now(timezone.utc)
    after = None if rating == INSUFFICIENT else rating
    entry = visits.adjust_dimension(session, visit_id, principal.organisation_id, dimension, after,
                                    {"by": str(principal.user_id), "at": now.isoformat(),
                                     "reason": reason.strip()}, now)
    if entry is None:
        raise NotFound(f"No visit {visit_id} in your organisation.")
    before = entry["adjusted"]["from"]
    audit.record_and_commit(session, "visit.rating_adjusted", principal, target_type="visit",
                            target_id=visit_id, details={
                                "dimension": dimension, "from": before, "to": after,
                                "reason": reason.strip()})
    return entry
def unmerge_duplicate(duplicate_id: uuid.UUID, principal: Principal):
    """Undo a merge: the incident counts on its own again. Audited, with the original it was
    merged into."""
    session = db.session
    duplicate = _load("incident", duplicate_id, principal)
    if duplicate.duplicate_of is None:
        raise Conflict(f"Incident {duplicate_id} is not merged into another.")
    original_id = incidents.clear_duplicate(duplicate, datetime.now(timezone.utc))
    history.record(session, "incident", duplicate_id, "unmerge", principal,
                   comment=f"no longer a duplicate of {original_id}")
    audit.record(session, "incident.unmerge", principal, target_type="incident",
                 target_id=duplicate_id, details={"was_duplicate_of": str(original_id)})
    session.commit()
    return duplicate
