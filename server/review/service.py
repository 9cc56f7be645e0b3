"""Review decisions by coordinators: verify / has issues / reject, and merging duplicates.
Each transition is one transaction with its audit entry and its review event."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from ..core import audit
from ..core.access import Principal
from ..core.db import db
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.statuses import HAS_ISSUES, REJECTED, VERIFIED
from ..incidents.models import Incident
from ..visits.models import Visit
from ..history import service as history

ACTIONS = {"verify": VERIFIED, "has_issues": HAS_ISSUES, "reject": REJECTED}
TARGETS = {"visit": (Visit, "review_status"), "incident": (Incident, "verification_status")}


def _load(target_type: str, target_id: uuid.UUID, principal: Principal):
    model, status_field = TARGETS[target_type]
    record = db.session.get(model, target_id)
    # Coordinators review their own organisation's records; admins run the deployment but do
    # not review (they are not part of an organisation's monitoring work).
    if record is None or record.organisation_id != principal.organisation_id:
        raise NotFound(f"No {target_type} {target_id} in your organisation.")
    return record, status_field


def decide(target_type: str, target_id: uuid.UUID, action: str, comment: str | None,
           principal: Principal):
    if action not in ACTIONS:
        raise ValidationFailed.field("action", f"One of {', '.join(ACTIONS)}.")
    if action in ("has_issues", "reject") and not comment:
        raise ValidationFailed.field("comment", "Say what is wrong: the monitor sees this comment.")
    session = db.session
    record, status_field = _load(target_type, target_id, principal)
    before, after = getattr(record, status_field), ACTIONS[action]
    setattr(record, status_field, after)
    record.review_comment = comment
    record.updated_at = datetime.now(timezone.utc)
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
    duplicate, _ = _load("incident", duplicate_id, principal)
    original = session.get(Incident, original_id)
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
    duplicate.duplicate_of = original_id
    duplicate.updated_at = datetime.now(timezone.utc)
    history.record(session, "incident", duplicate_id, "merge", principal,
                   comment=f"duplicate of {original_id}")
    audit.record(session, "incident.merge", principal, target_type="incident",
                 target_id=duplicate_id, details={"duplicate_of": str(original_id)})
    session.commit()
    return duplicate


def unmerge_duplicate(duplicate_id: uuid.UUID, principal: Principal):
    """Undo a merge: the incident counts on its own again. Audited, with the original it was
    merged into."""
    session = db.session
    duplicate, _ = _load("incident", duplicate_id, principal)
    if duplicate.duplicate_of is None:
        raise Conflict(f"Incident {duplicate_id} is not merged into another.")
    original_id = duplicate.duplicate_of
    duplicate.duplicate_of = None
    duplicate.updated_at = datetime.now(timezone.utc)
    history.record(session, "incident", duplicate_id, "unmerge", principal,
                   comment=f"no longer a duplicate of {original_id}")
    audit.record(session, "incident.unmerge", principal, target_type="incident",
                 target_id=duplicate_id, details={"was_duplicate_of": str(original_id)})
    session.commit()
    return duplicate
