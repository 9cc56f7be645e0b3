"""OpenAPI descriptions of the incident responses (rows built in SQL, incidents.queries)."""
from __future__ import annotations

from ..core.openapi import JSON, list_json_schema, ok
from ..core.record_docs import (
    BOOL,
    COUNTS,
    DATE,
    FLAGS,
    GEOMETRY,
    INT,
    NUM,
    OBJECT,
    PHOTO,
    STR,
    TIME,
    UUID,
    array,
    nullable,
    obj,
)
from ..core.statuses import REVIEW_STATUSES

STATUS = {"type": "string", "enum": list(REVIEW_STATUSES)}
AFFECTED = {**COUNTS, "description": (
    "People affected: women, men, girls, boys, unaccompanied (children) and total. null: the "
    "monitor did not know the count (never read it as 0). total is the sum of the known counts "
    "of women, men, girls and boys: at least that many when one of them is null; null when "
    "none is known")}
_COMMON = dict(
    id=UUID, visit_id=nullable(UUID), facility_id=nullable(UUID), facility_name=nullable(STR),
    type=STR, occurred_on=nullable(DATE), date_precision=nullable(STR), position=GEOMETRY,
    location_precision=nullable(STR), country=nullable(STR), admin1=nullable(STR),
    affected=AFFECTED, severity=nullable(INT), follow_up=BOOL,
    verification_status=STATUS, review_comment=nullable(STR), flags=nullable(FLAGS),
    created_at=TIME, updated_at=TIME)
ROW = obj(("id", "type", "verification_status"), **_COMMON, visit_flags=FLAGS,
          possible_duplicate_of=array(UUID))
DETAIL = obj(("id", "type", "verification_status", "view"), **_COMMON,
             organisation_id=UUID, monitor_id=nullable(UUID), profiles=nullable(OBJECT),
             perpetrator=nullable(STR), state_responsible=STR, source_type=nullable(STR),
             consent=nullable(STR),
             duplicate_of=nullable(UUID), retracted_at=nullable(TIME),
             view={"type": "string", "enum": ["full", "coalition"]},
             narrative=nullable(STR), photos=array(PHOTO))
SIDE = obj(("id", "type"), id=UUID, organisation_id=UUID, organisation=nullable(STR),
           own=BOOL, type=STR, occurred_on=nullable(DATE), date_precision=nullable(STR),
           severity=nullable(INT), verification_status=STATUS, facility_id=nullable(UUID),
           facility_name=nullable(STR), country=nullable(STR), admin1=nullable(STR),
           location_precision=nullable(STR), position=nullable(array(NUM)), affected=AFFECTED)
PAIR = obj(("duplicate", "original"), duplicate=SIDE, original=SIDE, distance_m=nullable(NUM),
           days_apart=nullable(INT))

CREATED = {**ok(JSON, obj(("id",), id=UUID), "Stored", 201), "409": "CONFLICT"}
LIST = ok(JSON, list_json_schema(ROW), "A page of incidents")
DUPLICATES = ok(JSON, list_json_schema(PAIR, settings=obj((), metres=NUM, days=NUM)),
                "A page of suggested duplicates")
ONE = ok(JSON, DETAIL, "The incident")
REVIEWED = ok(JSON, obj(("id", "verification_status"), id=UUID, verification_status=STATUS),
              "The incident's new status")
REVIEWED = {**REVIEWED, "409": "CONFLICT"}  # changed since the reviewer read it
MERGED = {**ok(JSON, obj(("id", "duplicate_of"), id=UUID, duplicate_of=UUID),
               "Merged: the duplicate now points at the original"), "409": "CONFLICT"}
UNMERGED = {**ok(JSON, obj(("id",), id=UUID, duplicate_of={**UUID, "nullable": True}),
                 "Merge undone: the incident counts on its own"), "409": "CONFLICT"}
