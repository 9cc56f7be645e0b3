"""OpenAPI descriptions of the visit responses (rows built in SQL, visits.queries)."""
from __future__ import annotations

from ..assessment.vocabulary import RINGS
from ..core.openapi import JSON, ok
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
from .models import ACCESS

STATUS = {"type": "string", "enum": list(REVIEW_STATUSES)}
VISIT = obj(
    ("id", "facility_id", "organisation_id", "version", "review_status"),
    id=UUID, facility_id=UUID, facility_name=STR, organisation_id=UUID, source=STR,
    version=INT, started_at=TIME, ended_at=nullable(TIME), submitted_at=TIME,
    access={"type": "string", "enum": list(ACCESS)},
    access_denied_reason=nullable(STR), position=GEOMETRY, position_accuracy_m=nullable(NUM),
    distance_m=nullable(NUM), held=COUNTS, room_area_m2=nullable(NUM),
    observations=nullable(OBJECT), scores=nullable(OBJECT), dimensions=OBJECT,
    red_flags=array(OBJECT), returnees=array(OBJECT),
    ring={"type": "string", "enum": list(RINGS), "description":
          "What the map's ring shows: red_flag first, then the worst dimension rating "
          "(1 poor - 4 good), insufficient when safety or legal safeguards could not be judged"},
    flags=FLAGS,
    review_status=STATUS, review_comment=nullable(STR), monitor_id=nullable(UUID),
    updated_at=TIME, incident_count=INT)
DETAIL = {**VISIT, "properties": {
    **VISIT["properties"],
    "view": {"type": "string", "enum": ["full", "coalition"], "description":
             "`coalition` for other organisations' coordinators: no monitor, position, "
             "incident points, notes, photos or history"},
    "incidents": array(obj(("id", "type"), id=UUID, type=STR, occurred_on=nullable(DATE),
                           severity=nullable(INT), verification_status=STATUS,
                           duplicate_of=nullable(UUID), position=GEOMETRY,
                           location_precision=STR)),
    "notes": nullable(STR), "photos": array(PHOTO),
    "answers": {"type": "object", "additionalProperties": STR, "description":
                "A form published in the browser: its answers no field above takes, by path "
                "(repeat entries numbered from 1)"},
    "changes": obj(("available", "changes"), available=BOOL, to=INT, **{
        "from": nullable(INT)}, changes=array(obj(("field",), field=STR, before={}, after={},
                                                   changed_text=BOOL))),
    "previous": nullable(obj(("id",), id=UUID, started_at=TIME, ring=nullable(STR),
                             dimensions=nullable(OBJECT), red_flags=nullable(array(OBJECT)),
                             scores=nullable(OBJECT), review_status=STATUS, access=STR,
                             held=COUNTS)),
    "facility_position": GEOMETRY,
    "persons_at_risk": {**nullable(INT), "description":
                        "Persons at risk recorded in this visit, each a sealed protection case "
                        "(issue 19): counted without any key, for the organisation's "
                        "coordinators and admins (null for anyone else)"},
    "history": array(obj(("version",), instance_id=STR, version=INT, source=STR,
                         deprecated_id=nullable(STR), superseded_by=nullable(STR),
                         complete=BOOL, received_at=TIME))}}

SUBMITTED = obj(("id", "version", "created"), id=UUID, version=INT, created=BOOL,
                stored_photos=array(STR), missing_photos=array(STR))
SUBMIT_RESPONSES = {
    **ok(JSON, SUBMITTED, "Stored", 201),
    **ok(JSON, SUBMITTED, "Already stored (a retry): nothing changed"),
    "404": "NOT_FOUND", "409": "CONFLICT"}
PHOTO_BODY = {"required": True, "description": "The photo's bytes, as named in the report",
              "content": {media: {"schema": {"type": "string", "format": "binary"}}
                          for media in ("image/jpeg", "image/png", "image/webp")}}
PHOTO_STORED = obj(("id", "stored"), id=UUID, stored=BOOL)
PHOTO_RESPONSES = {**ok(JSON, PHOTO_STORED, "Photo stored", 201),
                   **ok(JSON, PHOTO_STORED, "Already stored (a retry)"),
                   "422": "UNPROCESSABLE_ENTITY", "409": "CONFLICT", "400": "BAD_REQUEST",
                   "413": "REQUEST_ENTITY_TOO_LARGE", "415": "UNSUPPORTED_MEDIA_TYPE"}
REVIEWED = ok(JSON, obj(("id", "review_status"), id=UUID, review_status=STATUS,
                        review_comment=nullable(STR)), "The visit's new review status")
REVIEWED = {**REVIEWED, "409": "CONFLICT"}  # changed since the reviewer read it
ONE = ok(JSON, DETAIL, "The visit")
