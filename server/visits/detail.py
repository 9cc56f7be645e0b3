"""One visit as its reader may see it. Reading notes is audited, in the reader's transaction."""
from __future__ import annotations

import uuid

from ..attachments.queries import attachments_of
from ..cases import service as cases
from ..core import audit
from ..core.access import Principal, require_access, view_of
from ..core.db import db
from . import queries, versions

COALITION_HIDDEN = ("monitor_id", "access_denied_reason", "review_comment", "position",
                    "position_accuracy_m")


def visit_detail(visit_id: uuid.UUID, principal: Principal) -> dict:
    session = db.session
    visit = queries.get_visit(session, visit_id)
    require_access(visit is not None, "visit")
    visit["view"] = view_of(principal, visit["organisation_id"], visit["monitor_id"], "visit")
    visit["incidents"] = queries.incidents_of(session, visit_id)
    if visit["view"] == "coalition":
        # other organisations' incidents are placed on their own pages, at their precision
        visit["incidents"] = [{k: v for k, v in i.items() if k != "position"}
                              for i in visit["incidents"]]
        return {k: v for k, v in visit.items() if k not in COALITION_HIDDEN}
    visit["notes"], answers = queries.sensitive_of(session, visit_id)
    visit["answers"] = answers or {}
    visit["photos"] = attachments_of(session, visit_id=visit_id)
    visit["history"] = queries.submission_history(session, visit_id)
    visit["changes"] = versions.changes_of(session, visit_id, visit["version"])
    visit["previous"] = queries.previous_visit(session, visit["facility_id"],
                                               visit["organisation_id"], visit["started_at"],
                                               visit_id)
    visit["facility_position"] = queries.facility_position(session, visit["facility_id"])
    visit["persons_at_risk"] = cases.count_for_visit(session, principal, visit_id)
    audit.record_and_commit(session, "visit.read_sensitive", principal, target_type="visit",
                            target_id=visit_id, details={"fields": ["notes", "photos"] + (
                                ["answers"] if answers else [])})
    return visit
