"""OpenAPI shapes of the cases API's list items (built in SQL: store.py, keys.py), so the
document says what each row holds, which fields may be null, and the closed vocabularies."""
from __future__ import annotations

from ..core.record_docs import BOOL, DATE, INT, STR, TIME, UUID, array, nullable, obj
from . import vocabulary

URGENCY = nullable({"type": "string", "enum": list(vocabulary.URGENCIES)})
STATUS = {"type": "string", "enum": list(vocabulary.STATUSES)}
OUTCOME = nullable({"type": "string", "enum": list(vocabulary.OUTCOMES)})
FINGERPRINT = {"type": "string", "pattern": "^[0-9a-f]{64}$",
               "description": "SHA-256 of the public key (hex)"}
PUBLIC_KEY = {"type": "string", "description": "SPKI of the RSA-OAEP key, base64"}

QUEUE_ITEM = obj(
    ("id", "organisation_id", "sealing_key_id", "source", "form_id", "status", "received_at",
     "updated_at", "photo_count"),
    id=UUID, organisation_id=UUID, sealing_key_id=UUID,
    source={"type": "string", "enum": ["app", "odk"]}, form_id=STR,
    form_version=nullable(STR), facility_id=nullable(UUID), facility_name=nullable(STR),
    facility_name_prs=nullable(STR), facility_name_pus=nullable(STR),
    occurred_on=nullable(DATE), urgency=URGENCY, status=STATUS, due_at=nullable(TIME),
    assessed_at=nullable(TIME), referred_at=nullable(TIME), closed_at=nullable(TIME),
    assigned_to=nullable(UUID), assigned_name=nullable(STR), received_at=TIME,
    updated_at=TIME, photo_count=INT, visit_id=nullable(UUID),
    overdue=nullable({**BOOL, "description": "Open and past its deadline (null: no deadline "
                                             "yet)"}))

INBOX_ITEM = obj(
    ("id", "case_id", "from_organisation_id", "from_name", "to_organisation_id", "to_name",
     "to_key_id", "referred_by", "referred_by_name", "referred_at"),
    id=UUID, case_id=UUID, from_organisation_id=UUID, from_name=STR, to_organisation_id=UUID,
    to_name=STR, to_key_id=UUID, referred_by=UUID, referred_by_name=STR, referred_at=TIME,
    acknowledged_at=nullable(TIME), outcome=OUTCOME, outcome_at=nullable(TIME),
    urgency=URGENCY, occurred_on=nullable(DATE), facility_name=nullable(STR))

KEY_ITEM = obj(
    ("id", "public_key", "fingerprint", "created_at", "retired_at", "holders", "recovery_sheet",
     "my_copy"),
    id=UUID, public_key=PUBLIC_KEY, fingerprint=FINGERPRINT, created_at=TIME,
    retired_at=nullable({**TIME, "description": "Set when rotated: kept for the cases sealed "
                                                "to it"}),
    holders=array(obj(("user_id", "name", "since"), user_id=UUID, name=nullable(STR),
                      since=TIME)),
    recovery_sheet={**BOOL, "description": "The recovery sheet's copy exists"},
    my_copy=nullable({**STR, "description": "Your own copy of the private key, wrapped under "
                                            "your passphrase (null: you hold none)"}))

PARTNER_ITEM = obj(
    ("organisation_id", "name", "kind", "key_id", "public_key", "fingerprint"),
    organisation_id=UUID, name=STR, kind=STR, key_id=UUID, public_key=PUBLIC_KEY,
    fingerprint=FINGERPRINT)

CANDIDATE_ITEM = obj(("id", "name"), id=UUID, name=STR)
