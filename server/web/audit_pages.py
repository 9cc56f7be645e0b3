"""The audit log page (admins): filter, page back in time, verify the chain."""
from __future__ import annotations

from flask import Blueprint, request
from marshmallow import ValidationError

from ..audit import queries
from ..audit.schemas import AuditFilterSchema
from ..core import access, audit
from ..core.db import db
from .pages import install, render

blp = install(Blueprint("audit_pages", __name__, url_prefix="/admin/audit",
                        template_folder="templates"))
ADMIN = access.role("admin")
FILTERS = ("action", "actor_id", "organisation_id", "target_type", "target_id", "since", "until")


@blp.route("", methods=["GET"])
@access.access(ADMIN)
def browse():
    given = {k: request.args[k].strip() for k in FILTERS if request.args.get(k, "").strip()}
    errors, filters = {}, {}
    try:
        filters = AuditFilterSchema().load(given)
    except ValidationError as exc:
        errors = exc.messages
    rows, following = queries.entries(cursor=request.args.get("cursor"), limit=100, **filters)
    return render("admin/audit.html", 422 if errors else 200, entries=rows, following=following,
                  given=given, errors=errors, emails=queries.actor_emails(rows))


@blp.route("/verify", methods=["POST"])
@access.access(ADMIN)
def verify():
    checked, problem = audit.verify(db.session)
    return render("admin/audit_verify.html", checked=checked, problem=problem,
                  head=audit.head(db.session))
