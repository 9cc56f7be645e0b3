"""One incident as its reader may see it; reading the narrative is audited."""
from __future__ import annotations

import uuid

from ..attachments.queries import attachments_of
from ..core import audit
from ..core.access import Principal, require_access, view_of
from ..core.db import db
from . import queries

COALITION_HIDDEN = ("monitor_id", "review_comment", "profiles")


def incident_detail(incident_id: uuid.UUID, principal: Principal) -> dict:
    session = db.session
    incident = queries.get_incident(session, incident_id)
    require_access(incident is not None, "incident")
    incident["view"] = view_of(principal, incident["organisation_id"], incident["monitor_id"],
                               "incident")
    if incident["view"] == "coalition":
        return {k: v for k, v in incident.items() if k not in COALITION_HIDDEN}
    incident["narrative"] = queries.narrative_of(session, incident_id)
    incident["photos"] = attachments_of(session, incident_id=incident_id)
    audit.record_and_commit(session, "incident.read_sensitive", principal, target_type="incident",
                            target_id=incident_id, details={"fields": ["narrative", "photos"]})
    return incident
