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


# The visit form's persons at risk (mobile_forms/nezarat_visit.csv, in our app only): each entry
# of the repeat is sealed into a case of its own, in clear the visit's facility and date and the
# entry's urgency; the case names the visit (visit_id).
VISIT_FORM_ID = "nezarat_visit"
VISIT_ROOT = f"/{VISIT_FORM_ID}"
VISIT_CASES = {"repeat": f"{VISIT_ROOT}/person_at_risk",
               "clear": {"facility_id": f"{VISIT_ROOT}/facility",
                         "occurred_on": f"{VISIT_ROOT}/started_at",
                         "urgency": f"{VISIT_ROOT}/person_at_risk/urgency"},
               "submit": "/api/cases/submissions"}
SEALING_FORMS = (FORM_ID, VISIT_FORM_ID)  # forms the app gets the sealing key with


def mapping() -> dict:
    return {"form_id": FORM_ID, "kind": "case", "clear": CLEAR,
            "submit": "/api/cases/submissions"}


def sealing_key(session: Session, organisation_id) -> dict | None:
    key = keys.active(session, organisation_id) if organisation_id else None
    if key is None:
        return None
    return {"id": str(key.id), "public_key": key.public_key, "fingerprint": key.fingerprint}
