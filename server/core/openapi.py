"""The OpenAPI document at /api/openapi.json, made to say what the server does.

One place decides, for every operation, what a route's decorators cannot know:
- errors are application/problem+json (RFC 9457) with the `Problem` schema, never flask-smorest's
  `{code, status, message}` and never a catch-all `default`;
- the security it needs and the errors that follow from it (401 with WWW-Authenticate, 403,
  429 for partner keys), derived from the route's access rule (core.access) by `AccessPlugin`;
- 404 for operations with path parameters, 400/413/415 for those with a body, 409 for writes
  (the loser of a race on something unique), 503 for all (the database may be away).
Routes document their success responses (`@blp.response`, `@blp.alt_response`, `ok(...)`).
`list_schema(ItemSchema)` documents the one envelope of every JSON list.
"""
from __future__ import annotations

from http import HTTPStatus

from apispec import BasePlugin
from flask import Flask
from flask_smorest import Api
from marshmallow import Schema, fields, validate

from . import access

PROBLEM = "application/problem+json"
JSON = "application/json"
GEOJSON = "application/geo+json"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
UNSAFE = ("put", "post", "delete", "patch")


class ProblemSchema(Schema):
    """An error, as RFC 9457 describes it."""
    type = fields.String(required=True, metadata={
        "description": "A URI naming the kind of problem", "example":
        "https://nezarat.org/problems/validation"})
    title = fields.String(required=True, metadata={"description": "Short, for people"})
    status = fields.Integer(required=True, validate=validate.Range(min=400, max=599))
    detail = fields.String(required=True, metadata={"description": "What went wrong this time"})
    instance = fields.String(allow_none=True, metadata={"description": "The request's path"})
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={
        "description": "Messages by field name (lists of strings, or nested objects for nested "
                       "fields); `_schema` for the body as a whole"})


class PageLinkSchema(Schema):
    rel = fields.String(required=True, metadata={"example": "next"})
    href = fields.String(required=True, metadata={"format": "uri"})
    type = fields.String()


_pages: dict[str, type[Schema]] = {}


def list_schema(item, **extra) -> type[Schema]:
    """The schema of a page of a JSON list (core.pagination.listing): `{"items": [item...],
    "links": [{rel: self|next, href}]}`; `extra` adds fields next to the items."""
    name = getattr(item, "__name__", type(item).__name__).removesuffix("Schema")
    page_name = f"{name}Page"
    if page_name not in _pages:
        attrs = {"items": fields.List(fields.Nested(item), required=True), **extra,
                 "links": fields.List(fields.Nested(PageLinkSchema), required=True, metadata={
                     "description": "`self`, and `next` while more remain: follow it, do not "
                                    "build it"})}
        _pages[page_name] = type(page_name + "Schema", (Schema,), attrs)
    return _pages[page_name]


def list_json_schema(item: dict, **extra: dict) -> dict:
    """list_schema for lists whose items are built in SQL (item: a JSON Schema)."""
    return {"type": "object", "required": ["items", "links"], "properties": {
        "items": {"type": "array", "items": item}, **extra,
        "links": {"type": "array", "items": {"$ref": "#/components/schemas/PageLink"}}}}


def ok(media: str, schema: dict | str, description: str = "OK", status: int = 200) -> dict:
    """A success response with a JSON Schema (for bodies built in SQL) for `blp.doc(responses=)`."""
    if isinstance(schema, str):
        schema = {"$ref": f"#/components/schemas/{schema}"}
    return {str(status): {"description": description, "content": {media: {"schema": schema}}}}


# -- security: which credentials an access rule accepts ------------------------------------------

SECURITY_SCHEMES = {
    "session": {"type": "apiKey", "in": "cookie", "name": "session",
                "description": "The browser session after signing in at /sign-in (password, and "
                               "the second factor for admins and coordinators)"},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
             "description": "With the session cookie, on every write: the `csrf_token` of "
                            "GET /api/auth/session"},
    "deviceToken": {"type": "http", "scheme": "bearer",
                    "description": "A monitor's device token (`nzd_...`), issued by a "
                                   "coordinator; acts for that monitor"},
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "A partner key (`nzp_...`); each operation names the scope it "
                              "needs"},
    "basic": {"type": "http", "scheme": "basic",
              "description": "Any user name; the partner key as the password (for GIS clients)"},
}


def security_of(rule: access.Rule, method: str) -> list[dict]:
    """OpenAPI security requirements of an access rule (empty: no credentials needed)."""
    requirements: list[dict] = []
    for scheme in rule.schemes:
        if scheme == "session":
            requirements.append({"session": [], "csrf": []} if method in UNSAFE
                                else {"session": []})
        elif scheme == "device":
            requirements.append({"deviceToken": []})
        elif scheme == "partner":
            requirements += [{"bearer": []}, {"basic": []}]
    return requirements


def _error(status: int) -> str:
    return HTTPStatus(status).name


def describe_operation(operation: dict, method: str, rule: access.Rule | None,
                       has_path_params: bool) -> None:
    """Security and the errors every operation of this kind can answer."""
    responses = operation.setdefault("responses", {})
    responses.pop("default", None)
    # 400: the input guard (core/input_guard.py) refuses control characters, NUL and over-deep
    # bodies on every route; 401: a credential that is presented but not valid, on any route
    errors = {400, 401, 503}
    if rule is not None:
        operation["security"] = security_of(rule, method)
        if rule.schemes:
            errors.add(403)
            if "partner" in rule.schemes:
                errors.add(429)
            if rule.name != access.public.name:
                operation.setdefault("description", operation.get("summary", ""))
                operation["description"] = (operation["description"] +
                                            f"\n\nWho may call it: {rule.name}.").strip()
    if has_path_params:
        errors.add(404)
    if "requestBody" in operation:
        errors |= {413, 415}
    if method in ("post", "put", "patch", "delete"):
        errors.add(409)  # the loser of a race on something unique (core/errors.py)
    for status in sorted(errors):
        responses.setdefault(str(status), _error(status))


class AccessPlugin(BasePlugin):
    """Completes each operation from its route's access rule (see describe_operation)."""

    def __init__(self, app: Flask):
        self.app = app

    def operation_helper(self, path=None, operations=None, rule=None, **kwargs):
        if rule is None or not operations:
            return
        access_rule = access.route_rules(self.app).get(rule.endpoint)
        for method, operation in operations.items():
            if method in METHODS:
                describe_operation(operation, method, access_rule, bool(rule.arguments))


HEADERS = {
    401: {"WWW-Authenticate": {"description": "The credentials this operation accepts",
                               "schema": {"type": "string"}}},
    405: {"Allow": {"schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
    503: {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
}


class DocumentedApi(Api):
    """flask-smorest's Api with problem+json errors and no catch-all `default` response."""
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_responses(self):
        self.spec.components.schema("Problem", schema=ProblemSchema)
        self.spec.components.schema("PageLink", schema=PageLinkSchema)
        for status in HTTPStatus:
            if status < 400:
                continue
            response = {"description": status.phrase + " (application/problem+json)",
                        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            if status in HEADERS:
                response["headers"] = HEADERS[status]
            self.spec.components.response(status.name, response, lazy=True)


def init_app(app: Flask, description: str) -> Api:
    api = DocumentedApi(app, spec_kwargs={"info": {"description": description},
                                          "extra_plugins": [AccessPlugin(app)]})
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    return api
