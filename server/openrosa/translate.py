"""A submission's XML -> the report the visits service takes, through the ONE mapping table in
server/forms/fields.py. The result goes through the same schema as the JSON API, so both doors
accept and refuse exactly the same things."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from xml.etree import ElementTree as ET

from marshmallow import ValidationError

from ..cases import form as case_form
from ..core.access import Principal
from ..core.db import db
from ..core.errors import BadRequest, describe
from ..forms import catalog, mapping
from ..forms import fields as form_fields
from ..visits.schemas import ReportSchema
from .xml import local, parse

_REPORT = ReportSchema()  # built once: a schema with nested schemas is costly to build
# The mapping table split once by where each field is read (it does not change at run time).
_PLAIN = [f for f in form_fields.FIELDS if f.repeat is None]
_VISIT_FIELDS = [f for f in _PLAIN if not f.target.startswith("meta.")]
_META_FIELDS = [f for f in _PLAIN if f.target.startswith("meta.")]
_REPEAT_FIELDS = {repeat: [f for f in form_fields.FIELDS if f.repeat == repeat]
                  for repeat in form_fields.REPEATS}


def _children_by_path(element: ET.Element, prefix: str, out: dict) -> None:
    for child in element:
        path = f"{prefix}/{local(child.tag)}"
        if len(child):
            _children_by_path(child, path, out)
        else:
            out.setdefault(path, child.text)


def _jsonable(value):
    if isinstance(value, (uuid.UUID,)):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, tuple):  # geopoint (lon, lat)
        return {"type": "Point", "coordinates": list(value)}
    return value


def _read(values: dict, fields: list, target: dict, errors: dict) -> None:
    for field in fields:
        raw = values.get(field.path)
        try:
            value = form_fields.convert(field.kind, raw)
        except ValueError as exc:
            errors[field.path.rsplit("/", 1)[-1]] = [str(exc)]
            continue
        if value is None:
            continue
        form_fields.place(target, form_fields.body_key(field.target)[1], _jsonable(value))


def report_from_xml(body: bytes, principal: Principal) -> dict:
    """The validated report (its `id` is the instanceID's uuid) or a 4xx naming the problem."""
    root = parse(body)
    form_id, version = root.get("id"), root.get("version")
    if not form_id:
        raise BadRequest("The submission's root element has no form id.")
    uploaded = catalog.received_version(db.session, principal, form_id, version)
    if uploaded is not None:
        return _uploaded_report(root, uploaded)
    form = catalog.get_form(form_id)
    if form_id != form_fields.FORM_ID:
        raise BadRequest(f"Form {form_id!r} cannot be received here.")
    if version != form.version and version not in form_fields.EARLIER_VERSIONS:
        raise BadRequest(f"Form version {version!r} is closed; the current version is "
                         f"{form.version!r}. Get the blank form again in ODK Collect.")
    root_path = f"/{local(root.tag)}"
    if _repeat_instances(root, case_form.VISIT_CASES["repeat"], root_path):
        # Persons at risk are sealed in our app and are no part of the XForm Collect gets: a
        # submission that carries them (an altered form) is refused, and nothing of it kept.
        raise BadRequest("Persons at risk are never received in clear: record them with the "
                         "protection-case form, which is encrypted for your organisation's "
                         "key holders.")
    values: dict = {}
    _children_by_path(root, root_path, values)
    report, errors = {"form_id": form_id, "form_version": version}, {}
    _read(values, _VISIT_FIELDS, report, errors)
    meta = {}
    _read(values, _META_FIELDS, meta, errors)
    report["photos"] = _repeat_files(root, form_fields.PHOTO_REPEAT, root_path, errors)
    report["incidents"] = _incidents(root, root_path, errors)
    report["returnees"] = _returnees(root, root_path, errors)
    return _finish(report, meta, errors)


def _finish(report: dict, meta: dict, errors: dict) -> dict:
    instance_id = meta.get("id")
    if not instance_id:
        raise BadRequest("The submission has no meta/instanceID.")
    report["id"] = _uuid_of(instance_id, "instanceID")
    if meta.get("deprecated_id"):
        report["deprecated_id"] = _uuid_of(meta["deprecated_id"], "deprecatedID")
    if errors:
        raise BadRequest("Some answers cannot be read: " + describe(errors), errors)
    try:
        return _REPORT.load(report)
    except ValidationError as exc:
        raise BadRequest("The report was refused: " + describe(exc.messages), exc.messages)


def answers_by_key(element: ET.Element, repeats: set[str], prefix: str = "",
                   out: dict | None = None) -> dict:
    """Every answer of a submission by its path under the root, repeat entries numbered from 1
    (household/member[2]/age), as the phone app keys them."""
    out = {} if out is None else out
    seen: dict[str, int] = {}
    for child in element:
        name = local(child.tag)
        bare = mapping.bare(f"{prefix}/{name}" if prefix else name)
        step = name
        if bare in repeats:
            seen[name] = seen.get(name, 0) + 1
            step = f"{name}[{seen[name]}]"
        key = f"{prefix}/{step}" if prefix else step
        if len(child):
            answers_by_key(child, repeats, key, out)
        else:
            out.setdefault(key, child.text)
    return out


def _uploaded_report(root: ET.Element, form) -> dict:
    """A report of a form published in the browser, read with its version's own mapping:
    mapped answers where the domain takes them, every other answer kept by its path."""
    field_map = form.field_map
    values = answers_by_key(root, set(field_map["repeats"]))
    report, meta, errors = {"form_id": form.id, "form_version": form.version}, {}, {}
    for item in field_map["fields"]:
        try:
            value = form_fields.convert(item["kind"], values.get(item["path"]))
        except ValueError as exc:
            errors[item["path"]] = [str(exc)]
            continue
        if value is not None:
            key = form_fields.body_key(item["target"])[1]
            form_fields.place(meta if item["target"].startswith("meta.") else report, key,
                              _jsonable(value))
    extra = set(field_map["extra"])
    report["answers"] = {key: text.strip() for key, text in values.items()
                         if mapping.bare(key) in extra and text and text.strip()}
    return _finish(report, meta, errors)


def _uuid_of(value: str, name: str) -> str:
    try:
        return str(uuid.UUID(value.removeprefix("uuid:")))
    except ValueError:
        raise BadRequest(f"meta/{name} {value!r} is not a uuid.")


def _repeat_instances(root: ET.Element, repeat_path: str, root_path: str):
    relative = repeat_path[len(root_path) + 1:].split("/")
    parents = [root]
    for step in relative[:-1]:
        parents = [c for p in parents for c in p if local(c.tag) == step]
    return [c for p in parents for c in p if local(c.tag) == relative[-1]]


def _repeat_files(root, repeat_path, root_path, errors) -> list[str]:
    fields = _REPEAT_FIELDS[repeat_path]
    names = []
    for instance in _repeat_instances(root, repeat_path, root_path):
        values: dict = {}
        _children_by_path(instance, repeat_path, values)
        target: dict = {}
        _read(values, fields, target, errors)
        names.extend(target.get("photos", []))
    return names


def _repeat_rows(root, repeat: str, root_path, errors):
    """Each entry of `repeat`, read through its fields (problems collected in `errors`)."""
    fields = _REPEAT_FIELDS[repeat]
    for instance in _repeat_instances(root, repeat, root_path):
        values: dict = {}
        _children_by_path(instance, repeat, values)
        row: dict = {}
        _read(values, fields, row, errors)
        yield row


def _incidents(root, root_path, errors) -> list[dict]:
    return [incident for incident in _repeat_rows(root, form_fields.INCIDENT_REPEAT, root_path,
                                                  errors) if incident.get("type")]


def _returnees(root, root_path, errors) -> list[dict]:
    """Groups interviewed on arrival that agreed to the interview (counts and facts only)."""
    groups = []
    for group in _repeat_rows(root, form_fields.RETURNEE_REPEAT, root_path, errors):
        if group.pop("consent_interview", None) == "yes" and group.get("state_responsible"):
            groups.append(group)
    return groups
