"""OpenAPI shapes of the cases API's list items (built in SQL: store.py, keys.py), so the
document says what each row holds, which fields may be null, and the closed vocabularies."""
from __future__ import annotations

from ..core.record_docs import BOOL, DATE, INT, STR, TIME, UUID, array, nullable, obj
from . import vocabulary

# OpenAPI 3.0: a nullable enum lists null among its values
URGENCY = nullable({"type": "string", "enum": [*vocabulary.URGENCIES, None]})
STATUS = {"type": "string", "enum": list(vocabulary.STATUSES)}
OUTCOME = nullable({"type": "string", "enum": [*vocabulary.OUTCOMES, None]})
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

# ---- single bodies -------------------------------------------------------------------------

REFERRAL = obj(
    ("id", "case_id", "from_organisation_id", "from_name", "to_organisation_id", "to_name",
     "to_key_id", "referred_by", "referred_by_name", "referred_at"),
    id=UUID, case_id=UUID, from_organisation_id=UUID, from_name=STR, to_organisation_id=UUID,
    to_name=STR, to_key_id=UUID, referred_by=UUID, referred_by_name=STR, referred_at=TIME,
    acknowledged_at=nullable(TIME), outcome=OUTCOME, outcome_at=nullable(TIME))
ODK = nullable({**obj(
    ("instance_id", "form_id", "encrypted_key", "xml_file", "media", "files"),
    instance_id=STR, form_id=STR, form_version=nullable(STR),
    encrypted_key={**STR, "description": "The record key, RSA-OAEP under the organisation's "
                                         "key (base64)"},
    signature=nullable(STR), xml_file=STR, media=array(STR),
    files={"type": "object", "description": "Each encrypted file's name: its sha256 and size",
           "additionalProperties": {"type": "object"}}),
    "description": "An ODK Collect case: its encrypted submission's manifest (null: an app "
                   "case)"})
_SEALED = dict(
    wrapped_key={**STR, "description": "The case's record key, RSA-OAEP under the sealing key"},
    envelope=nullable({**STR, "description": "The sealed answers (AES-GCM JSON; null for an "
                                             "ODK case)"}),
    photo_names=array(STR),
    photos={"type": "object", "description": "Each received sealed photo: sha256 and bytes",
            "additionalProperties": {"type": "object"}},
    sealed_submission_id=nullable(UUID), key_fingerprint=FINGERPRINT, odk=ODK)
CASE = obj((*QUEUE_ITEM["required"], "wrapped_key", "photo_names", "photos", "key_fingerprint",
            "referrals", "odk"),
           **QUEUE_ITEM["properties"], **_SEALED, referrals=array(REFERRAL))
RECEIVED = obj((*REFERRAL["required"], "wrapped_key", "source", "photo_names", "photos",
                "key_fingerprint", "odk"),
               **REFERRAL["properties"], **_SEALED,
               wrapped_signature=nullable(STR), urgency=URGENCY, occurred_on=nullable(DATE),
               source={"type": "string", "enum": ["app", "odk"]}, facility_id=nullable(UUID),
               facility_name=nullable(STR))
_BY_URGENCY = {urgency: INT for urgency in vocabulary.URGENCIES}
COUNTS = obj(
    ("by_facility", "by_month", "by_urgency", "open", "overdue"),
    by_facility=array(obj(("facility_id", "name", "cases", "overdue", *_BY_URGENCY),
                          facility_id=nullable(UUID), name=nullable(STR), cases=INT,
                          overdue=INT, **_BY_URGENCY)),
    by_month=array(obj(("month", "cases"), month={**STR, "pattern": "^[0-9]{4}-[0-9]{2}$"},
                       cases=INT)),
    by_urgency={"type": "object", "description": "Cases by urgency (`unknown`: not triaged)",
                "additionalProperties": INT},
    open=INT, overdue=INT)
RECOVERY = obj(("wrapped",), wrapped={**STR, "description": "The recovery sheet's copy of the "
                                                            "private key, wrapped under its code"})
KEY_MADE = obj(("id", "fingerprint"), id=UUID, fingerprint=FINGERPRINT)
CASE_RECEIVED = obj(("id", "created", "missing_photos"), id=UUID, created=BOOL,
                    missing_photos=array(STR))
PHOTO_STORED = obj(("id", "stored"), id=UUID, stored=BOOL)
REFERRED = obj(("id",), id=UUID)
