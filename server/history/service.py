"""Writing the review history of visits and incidents (review_events): decisions, merges, and
incidents an edit sent back to review. The rules of review live in server/review/."""
from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from ..core.access import Principal
from ..core.statuses import SUBMITTED
from .models import ReviewEvent


def record(session: Session, target_type: str, target_id: uuid.UUID, action: str,
           principal: Principal, *, before: str | None = None, after: str | None = None,
           comment: str | None = None) -> None:
    session.add(ReviewEvent(target_type=target_type, target_id=target_id, action=action,
                            from_status=before, to_status=after, comment=comment,
                            actor_id=principal.user_id))


def reopened_by_edit(session: Session, reopened: list[tuple[uuid.UUID, str]],
                     principal: Principal, version: int) -> None:
    """History of incidents an edit of their visit returned to `submitted` (the edit's own
    transaction and audit entry; the status itself was changed with the incidents' rows)."""
    for incident_id, before in reopened:
        record(session, "incident", incident_id, "reopen", principal, before=before,
               after=SUBMITTED, comment=f"changed by version {version} of its visit")
