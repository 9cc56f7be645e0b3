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


def export(form) -> dict | None:
    """The mapping of a catalogue form (forms.catalog.Form), None when it has none."""
    if form.uploaded:
        return _uploaded(form)
    form_id = form.id
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


def _uploaded(form) -> dict:
    """A form published in the browser: its version's mapping (forms.mapping), paths as the
    app names its nodes (/<root>/...); `answers` lists the questions kept as extra answers."""
    field_map = form.field_map
    root = f"/{field_map['root']}"
    items = []
    for item in field_map["fields"]:
        scope, key = fields.body_key(item["target"])
        items.append({"path": f"{root}/{item['path']}", "scope": scope, "key": key,
                      "type": "instance_id" if item["target"].startswith("meta.")
                      else JSON_TYPES[item["kind"]], "repeat": None})
    return {"form_id": form.id, "version": form.version, "incident_repeat": None,
            "returnee_repeat": None, "fields": items,
            "answers": [f"{root}/{path}" for path in field_map["extra"]]}
