"""/api/docs: the OpenAPI document as a readable page, rendered on the server (no CDN, no
script), so it works offline and under our Content-Security-Policy."""
from __future__ import annotations

from flask import Blueprint, current_app

from ..core import access
from .pages import install, render

blp = install(Blueprint("api_docs", __name__, template_folder="templates"))
METHODS = ("get", "post", "put", "patch", "delete", "head")


def _schema_name(schema: dict | None) -> str | None:
    if not schema:
        return None
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else schema.get("type")


def operations(spec: dict) -> list[dict]:
    ops = []
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            body = (op.get("requestBody") or {}).get("content", {})
            ops.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "tags": op.get("tags", []),
                "parameters": op.get("parameters", []) + item.get("parameters", []),
                "body": {mt: _schema_name(c.get("schema")) for mt, c in body.items()},
                "responses": {code: r.get("description", "")
                              for code, r in sorted(op.get("responses", {}).items())}})
    return ops


@blp.route("/api/docs")
@access.access(access.public)
def api_docs():
    spec = current_app.extensions["nezarat.api"].spec.to_dict()
    return render("api_docs.html", spec=spec, operations=operations(spec),
                  schemas=spec.get("components", {}).get("schemas", {}))
