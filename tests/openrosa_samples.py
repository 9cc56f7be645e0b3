"""Submissions of the visit form, built from the same mapping table the server reads, so the
samples follow the form wherever it goes."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

from server.forms import fields as form_fields
from server.forms.catalog import get_form

ROOT = form_fields.ROOT


def visit_values(facility_id, *, lat=34.1148, lon=71.0849, accuracy=8.0, women=12, men=40,
                 girls=3, boys=4, notes="Detainee said guards took phones") -> dict:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return {
        f"{ROOT}/facility": str(facility_id),
        f"{ROOT}/started_at": (now - timedelta(hours=3)).isoformat(),
        f"{ROOT}/ended_at": (now - timedelta(hours=1)).isoformat(),
        f"{ROOT}/position": f"{lat} {lon} 0 {accuracy}",
        f"{ROOT}/access/obtained": "full",
        f"{ROOT}/people/women": women, f"{ROOT}/people/men": men,
        f"{ROOT}/people/girls": girls, f"{ROOT}/people/boys": boys,
        f"{ROOT}/people/unaccompanied": 1,
        f"{ROOT}/space/room_area": 150,
        f"{ROOT}/water/water_quantity": 12,
        f"{ROOT}/food/meals_regular": "yes",
        f"{ROOT}/notes": notes,
    }


def incident_values(*, type_="forced_return", severity=4, narrative="Taken at night",
                    occurred_on=None, women=0, men=5, photo=None) -> dict:
    values = {
        "type": type_, "occurred_on": (occurred_on or datetime.now(timezone.utc).date()).isoformat(),
        "date_precision": "exact", "location_precision": "facility",
        "affected/women": women, "affected/men": men, "affected/girls": 0, "affected/boys": 1,
        "perpetrator": "border_police", "source_type": "first_hand_testimony",
        "consent": "share_anonymised", "severity": severity, "follow_up": "no",
        "narrative": narrative,
    }
    if photo:
        values["photo"] = photo
    return values


def _element(name: str, children: dict | str) -> str:
    if isinstance(children, dict):
        inner = "".join(_element(k, v) for k, v in children.items())
        return f"<{name}>{inner}</{name}>"
    if isinstance(children, list):
        return "".join(_element(name, c) for c in children)
    return f"<{name}>{escape(str(children))}</{name}>"


def _nest(values: dict, prefix: str) -> dict:
    tree: dict = {}
    for path, value in values.items():
        parts = path[len(prefix) + 1:].split("/") if prefix else path.split("/")
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return tree


def submission_xml(values: dict, *, incidents=(), photos=(), instance_id=None,
                   deprecated_id=None, version=None, form_id="nezarat_visit") -> tuple[bytes, str]:
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    tree = _nest(values, ROOT)
    if photos:
        tree["photos"] = [{"photo": name} for name in photos]
    if incidents:
        tree["incident"] = [_nest(i, "") for i in incidents]
    meta = {"instanceID": instance_id}
    if deprecated_id:
        meta["deprecatedID"] = deprecated_id
    tree["meta"] = meta
    version = version or get_form("nezarat_visit").version
    inner = "".join(_element(k, v) for k, v in tree.items())
    xml = (f'<?xml version="1.0"?><{form_fields.FORM_ID} xmlns:jr="http://openrosa.org/javarosa" '
           f'id="{form_id}" version="{version}">{inner}</{form_fields.FORM_ID}>')
    return xml.encode(), instance_id
