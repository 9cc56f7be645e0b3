"""The protection-case form (mobile_forms/nezarat_case.csv) as the mobile app needs it: which
questions stay in clear (and where they go in POST /api/cases/submissions); every question
whose bind carries `nezarat:sealed="true()"` is sealed on the phone. The sealing key is the
device's organisation's current one."""
from __future__ import annotations

from sqlalchemy.orm import Session

from . import keys

FORM_ID = "nezarat_case"
ROOT = f"/{FORM_ID}"
CLEAR = {"facility_id": f"{ROOT}/facility", "occurred_on": f"{ROOT}/met_on",
         "urgency": f"{ROOT}/urgency"}


def mapping() -> dict:
    return {"form_id": FORM_ID, "kind": "case", "clear": CLEAR,
            "submit": "/api/cases/submissions"}


def sealing_key(session: Session, organisation_id) -> dict | None:
    key = keys.active(session, organisation_id) if organisation_id else None
    if key is None:
        return None
    return {"id": str(key.id), "public_key": key.public_key, "fingerprint": key.fingerprint}
