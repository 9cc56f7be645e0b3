"""Admins browse, filter and verify the audit log."""
from __future__ import annotations

from flask import jsonify

from ..core import access, audit
from ..core.db import db
from ..core.http import Blueprint
from ..core.openapi import list_schema
from ..core.pagination import listing
from . import queries
from .schemas import AuditEntrySchema, AuditListArgs, VerificationSchema

blp = Blueprint("audit", __name__, url_prefix="/api/audit",
                description="The append-only, hash-chained audit log (admins).")
ADMIN = access.role("admin")


@blp.route("", methods=["GET"])
@access.access(ADMIN)
@blp.arguments(AuditListArgs, location="query", as_kwargs=True)
@blp.alt_response(200, schema=list_schema(AuditEntrySchema), success=True)
def list_entries(limit, cursor=None, **filters):
    """Entries newest first, filtered by action (or `family.*`), actor, organisation, target
    or time."""
    rows, following = queries.entries(cursor=cursor, limit=limit, **filters)
    return jsonify(listing(AuditEntrySchema(many=True).dump(rows), following))


@blp.route("/verify", methods=["GET"])
@access.access(ADMIN)
@blp.response(200, VerificationSchema)
def verify():
    """Walk the whole hash chain (as `flask audit verify` does) and report the first problem."""
    checked, problem = audit.verify(db.session)
    head = audit.head(db.session)
    return {"intact": problem is None, "checked": checked, "problem": problem,
            "head_seq": head[0] if head else None, "head_hash": head[1] if head else None}
