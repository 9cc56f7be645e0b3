"""The form-to-report mapping as the app needs it: server/forms/fields.py's FIELDS (the one
table), each target turned into its place in the JSON body of POST /api/submissions
(visits.schemas.ReportSchema). The app builds the body from this; it holds no mapping itself."""
from __future__ import annotations

from ..cases import form as case_form
from ..forms import fields

# How the app writes each kind of answer (fields.convert) in JSON; a new kind needs a line here
# (tests/integration/mobile checks that every kind has one).
JSON_TYPES = {"text": "string", "choice": "string", "file": "string", "uuid": "string",
              "datetime": "string", "date": "date", "int": "integer", "int_choice": "integer",
              "decimal": "number", "geopoint": "point", "geopoint_accuracy": "accuracy",
              "yes_no": "boolean", "rating": "rating", "multi": "list"}


def json_type(field: fields.Field) -> str:
    # The instanceID is "uuid:<uuid>" in the form and a bare UUID in the body.
    return "instance_id" if field.target.startswith("meta.") else JSON_TYPES[field.kind]


def export(form_id: str) -> dict | None:
    if form_id == case_form.FORM_ID:
        return case_form.mapping()
    if form_id != fields.FORM_ID:
        return None
    items = []
    for field in fields.FIELDS:
        if field.earlier:  # only in earlier versions of the form; the app has the current one
            continue
        scope, key = fields.body_key(field.target)
        items.append({"path": field.path, "scope": scope, "key": key, "type": json_type(field),
                      "repeat": field.repeat})
    # "cases": the persons at risk the app seals into cases of their own (never in `fields`).
    return {"form_id": fields.FORM_ID, "incident_repeat": fields.INCIDENT_REPEAT,
            "returnee_repeat": fields.RETURNEE_REPEAT, "fields": items,
            "cases": case_form.VISIT_CASES}
