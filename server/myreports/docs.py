"""OpenAPI description of a monitor's own reports (rows built in SQL, myreports.queries)."""
from __future__ import annotations

from ..core.openapi import JSON, list_json_schema, ok
from ..core.record_docs import BOOL, DATE, INT, STR, TIME, UUID, array, nullable, obj
from ..core.statuses import REVIEW_STATUSES

STATUS = {"type": "string", "enum": list(REVIEW_STATUSES)}
COMMENT = obj(("at", "action"), at=TIME, action=STR, to_status=nullable(STR),
              comment=nullable(STR))
INCIDENT = obj(("id", "type", "review_status"), id=UUID, type=STR, occurred_on=nullable(DATE),
               review_status=STATUS, review_comment=nullable(STR), duplicate_of=nullable(UUID),
               comments=array(COMMENT))
REPORT = obj(
    ("kind", "id", "at", "review_status", "comments"),
    kind={"type": "string", "enum": ["visit", "incident"]}, id=UUID, at=TIME, updated_at=TIME,
    facility_id=nullable(UUID), facility_name=nullable(STR), started_at=nullable(TIME),
    source=STR, version=INT, review_status=STATUS, review_comment=nullable(STR),
    ring=nullable(STR), type=STR, occurred_on=DATE,
    instance_id={**STR, "description": "The latest version's instance id: send a correction "
                                       "with this as `deprecated_id`"},
    comments=array(COMMENT), incidents=array(INCIDENT),
    correctable={**BOOL, "description": "Sent back: correct it and send a new version"})
LIST = ok(JSON, list_json_schema(REPORT), "A page of your reports, newest first")
