"""/api/cases: sealing keys, sealed cases from phones, the key holders' casework, referrals.
Thin: each view checks its arguments and calls the service. Everything holding ciphertext is
sent with Cache-Control: no-store."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Response, current_app, jsonify, request

from ..core import access
from ..core.access import PARTNER_ROLE, current_principal
from ..core.db import db
from ..core.errors import BadRequest, PayloadTooLarge
from ..core.http import Blueprint
from ..core.openapi import JSON, list_json_schema, ok
from ..core.pagination import Keyset, listing, page_of
from . import docs, keys, service
from .schemas import (
    AssignSchema,
    CaseSchema,
    HolderSchema,
    KeySchema,
    OutcomeSchema,
    PageArgs,
    QueueArgs,
    ReferralSchema,
    StatusSchema,
    TriageSchema,
)

blp = Blueprint("cases", __name__, url_prefix="/api/cases",
                description="Protection cases, sealed end to end: organisation sealing keys, "
                            "sealed cases, casework and referrals. The server stores and "
                            "serves ciphertext; browsers of key holders open it.")
MANAGER = access.role("coordinator", "admin")
# ... and a protection partner's people: their organisation's key, its inbox and referrals.
RECEIVER = access.role("coordinator", "admin", PARTNER_ROLE)
DEVICE = access.device()
# the queue's cursor carries the "now" its overdue-first order was computed at
QUEUE_PAGES = Keyset("cases.queue", "datetime", "int", "datetime", "datetime", "uuid")
INBOX_PAGES = Keyset("cases.inbox", "int", "datetime", "uuid")
KEY_PAGES = Keyset("cases.keys", "datetime", "uuid")
PARTNER_PAGES = Keyset("cases.partners", "text", "uuid")
CANDIDATE_PAGES = Keyset("cases.candidates", "text", "uuid")
DONE = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
WRITE_ERRORS = {"409": "CONFLICT", "422": "UNPROCESSABLE_ENTITY"}
BINARY = {"200": {"description": "Ciphertext", "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


def _sealed(body, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _rows(rows, *keys_only: str) -> list[dict]:
    """Rows as dicts without the columns that only order the list."""
    return [{k: v for k, v in r._asdict().items() if k not in keys_only} for r in rows]


def _page(pages: Keyset, cursor: str | None, limit: int, read, key) -> Response:
    """A page of a list read by `read(after=..., limit=...)`, keyed for the next by `key(row)`."""
    rows = read(db.session, current_principal(), after=pages.read(cursor), limit=limit + 1)
    page, following = page_of(pages, rows, limit, key)
    return _sealed(listing([r._asdict() if hasattr(r, "_asdict") else r for r in page],
                           following))


# ---- keys ----------------------------------------------------------------------------------

@blp.route("/keys", methods=["GET"])
@access.access(RECEIVER)
@blp.arguments(PageArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(JSON, list_json_schema(docs.KEY_ITEM),
                      "The organisation's sealing keys, newest first"))
def list_keys(limit, cursor=None):
    """Your organisation's sealing keys, holders, and your own wrapped copy of each."""
    return _page(KEY_PAGES, cursor, limit, keys.listing,
                 lambda k: (k["created_at"], k["id"]))


@blp.route("/candidates", methods=["GET"])
@access.access(RECEIVER)
@blp.arguments(PageArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(JSON, list_json_schema(docs.CANDIDATE_ITEM),
                      "Colleagues who could hold the key, by name"))
def candidates(limit, cursor=None):
    """Your organisation's active coordinators and admins: who a key holder can add."""
    return _page(CANDIDATE_PAGES, cursor, limit, keys.candidates, lambda r: (r.name, r.id))


@blp.route("/keys", methods=["POST"])
@access.access(RECEIVER)
@blp.arguments(KeySchema)
@blp.doc(responses={**ok(JSON, docs.KEY_MADE, "Key registered", 201), **WRITE_ERRORS})
def create_key(data):
    """Register a key pair made in your browser (first key, or a rotation by a key holder)."""
    made = keys.create(db.session, current_principal(), data["public_key"], data["wrapped"],
                       data["recovery_wrapped"])
    return jsonify(made), 201


@blp.route("/keys/<uuid:key_id>/holders", methods=["POST"])
@access.access(RECEIVER)
@blp.arguments(HolderSchema)
@blp.doc(responses={**ok(JSON, DONE, "Holder added", 201), **WRITE_ERRORS})
def add_holder(data, key_id):
    """A colleague's copy of the key, wrapped in your unlocked browser under their passphrase."""
    keys.add_holder(db.session, current_principal(), key_id, data["user_id"], data["wrapped"])
    return jsonify({"ok": True}), 201


@blp.route("/keys/<uuid:key_id>/holders/<uuid:user_id>", methods=["DELETE"])
@access.access(RECEIVER)
@blp.response(204)
@blp.doc(responses={"409": "CONFLICT"})
def remove_holder(key_id, user_id):
    """Revoke a holder's copy (it cannot unmake what they already read): by a key holder, never
    the key's last holder."""
    keys.remove_holder(db.session, current_principal(), key_id, user_id)
    return "", 204


@blp.route("/keys/<uuid:key_id>/recovery", methods=["GET"])
@access.access(RECEIVER)
@blp.doc(responses=ok(JSON, docs.RECOVERY, "The recovery sheet's wrapped copy"))
def recovery_copy(key_id):
    """The copy that opens with the recovery sheet's code (audited)."""
    return _sealed({"wrapped": keys.recovery_copy(db.session, current_principal(), key_id)})


@blp.route("/partners", methods=["GET"])
@access.access(MANAGER)
@blp.arguments(PageArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(JSON, list_json_schema(docs.PARTNER_ITEM),
                      "Organisations a case can be referred to, by name"))
def partners(limit, cursor=None):
    """Other organisations with a sealing key, with their public keys and fingerprints."""
    return _page(PARTNER_PAGES, cursor, limit, keys.partner_keys,
                 lambda r: (r.name, r.key_id))


# ---- from phones ---------------------------------------------------------------------------

@blp.route("/submissions", methods=["POST"])
@access.access(DEVICE)
@blp.arguments(CaseSchema)
@blp.doc(responses={**ok(JSON, docs.CASE_RECEIVED, "Case received", 201),
                    **ok(JSON, docs.CASE_RECEIVED, "Already received"), **WRITE_ERRORS})
def submit_case(data):
    """A sealed case from the mobile app; retrying with the same body is safe."""
    result = service.receive(db.session, current_principal(), data)
    return jsonify(result), 201 if result["created"] else 200


@blp.route("/submissions/<uuid:case_id>/photos/<string:name>", methods=["PUT"])
@access.access(DEVICE)
@blp.doc(requestBody={"required": True, "content": {"application/octet-stream": {
    "schema": {"type": "string", "format": "binary"}}}},
    responses={**ok(JSON, docs.PHOTO_STORED, "Stored", 201),
               **ok(JSON, docs.PHOTO_STORED, "Already stored"), **WRITE_ERRORS})
def put_case_photo(case_id, name):
    """A sealed photo named by the case (12-byte IV, then AES-GCM ciphertext)."""
    data = request.get_data(cache=False)
    if not data:
        raise BadRequest("The body must be the sealed photo's bytes.")
    if len(data) > current_app.config["MAX_SUBMISSION_BYTES"]:
        raise PayloadTooLarge("The sealed photo is too large.")
    stored = service.put_photo(db.session, current_principal(), case_id, name, data)
    return jsonify({"id": str(case_id), "stored": stored}), 201 if stored else 200


# ---- casework ------------------------------------------------------------------------------

@blp.route("", methods=["GET"])
@access.access(MANAGER)
@blp.arguments(QueueArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(JSON, list_json_schema(docs.QUEUE_ITEM),
                      "The queue: overdue first, then by deadline, closed last"))
def queue(limit, status=None, cursor=None):
    """Your organisation's cases (triage fields only), overdue first, then by deadline."""
    after = QUEUE_PAGES.read(cursor)
    asof = after[0] if after else datetime.now(timezone.utc)
    rows = service.queue(db.session, current_principal(), status, asof=asof,
                         after=after[1:] if after else None, limit=limit + 1)
    page, following = page_of(QUEUE_PAGES, rows, limit, lambda r: (
        asof, r.queue_rank, r.queue_due, r.received_at, r.id))
    return _sealed(listing(_rows(page, "queue_rank", "queue_due"), following))


@blp.route("/counts", methods=["GET"])
@access.access(MANAGER)
@blp.doc(responses=ok(JSON, docs.COUNTS, "Counts"))
def counts():
    """Case counts by facility, month and urgency, open and overdue: no key needed."""
    return _sealed(service.counts(db.session, current_principal()))


@blp.route("/<uuid:case_id>", methods=["GET"])
@access.access(MANAGER)
@blp.doc(responses=ok(JSON, docs.CASE, "The case with its ciphertext"))
def open_case(case_id):
    """A case with its sealed content, to a key holder (audited)."""
    return _sealed(service.open_case(db.session, current_principal(), case_id))


@blp.route("/<uuid:case_id>/photos/<string:name>", methods=["GET"])
@access.access(MANAGER)
@blp.doc(responses=BINARY)
def case_photo(case_id, name):
    """A sealed photo's ciphertext, to a key holder."""
    return _bytes(service.photo(db.session, current_principal(), case_id, name))


def _bytes(data: bytes) -> Response:
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/<uuid:case_id>/status", methods=["POST"])
@access.access(MANAGER)
@blp.arguments(StatusSchema)
@blp.doc(responses={**ok(JSON, DONE, "Status set"), **WRITE_ERRORS})
def set_status(data, case_id):
    """new → assessed → closed (referred comes with a referral)."""
    service.change_status(db.session, current_principal(), case_id, data["status"])
    return jsonify({"ok": True})


@blp.route("/<uuid:case_id>/assign", methods=["POST"])
@access.access(MANAGER)
@blp.arguments(AssignSchema)
@blp.doc(responses={**ok(JSON, DONE, "Assigned"), **WRITE_ERRORS})
def assign(data, case_id):
    """Assign the case to a coordinator or admin of your organisation (null: nobody)."""
    service.assign(db.session, current_principal(), case_id, data["user_id"])
    return jsonify({"ok": True})


@blp.route("/<uuid:case_id>/triage", methods=["POST"])
@access.access(MANAGER)
@blp.arguments(TriageSchema)
@blp.doc(responses={**ok(JSON, DONE, "Triage fields set"), **WRITE_ERRORS})
def triage(data, case_id):
    """An ODK case's facility, date and urgency, entered after opening it."""
    service.set_triage(db.session, current_principal(), case_id, data)
    return jsonify({"ok": True})


@blp.route("/<uuid:case_id>/referrals", methods=["POST"])
@access.access(MANAGER)
@blp.arguments(ReferralSchema)
@blp.doc(responses={**ok(JSON, docs.REFERRED, "Referred", 201), **WRITE_ERRORS})
def refer(data, case_id):
    """Refer the case: its record key re-wrapped in your browser for the partner's key."""
    referral_id = service.refer(db.session, current_principal(), case_id, data)
    return jsonify({"id": str(referral_id)}), 201


# ---- the receiving organisation ------------------------------------------------------------

@blp.route("/inbox", methods=["GET"])
@access.access(RECEIVER)
@blp.arguments(PageArgs, location="query", as_kwargs=True)
@blp.doc(responses=ok(JSON, list_json_schema(docs.INBOX_ITEM),
                      "Referrals received: open ones first, then newest first"))
def inbox(limit, cursor=None):
    """Cases referred to your organisation (who, when, urgency; content for key holders)."""
    rows = service.inbox(db.session, current_principal(), after=INBOX_PAGES.read(cursor),
                         limit=limit + 1)
    page, following = page_of(INBOX_PAGES, rows, limit,
                              lambda r: (r.inbox_rank, r.referred_at, r.id))
    return _sealed(listing(_rows(page, "inbox_rank"), following))


@blp.route("/referrals/<uuid:referral_id>", methods=["GET"])
@access.access(RECEIVER)
@blp.doc(responses=ok(JSON, docs.RECEIVED, "The referral with its ciphertext"))
def open_referral(referral_id):
    """A referred case's sealed content, to a key holder of your organisation (audited)."""
    return _sealed(service.open_referral(db.session, current_principal(), referral_id))


@blp.route("/referrals/<uuid:referral_id>/photos/<string:name>", methods=["GET"])
@access.access(RECEIVER)
@blp.doc(responses=BINARY)
def referral_photo(referral_id, name):
    """A referred case's sealed photo."""
    return _bytes(service.referral_photo(db.session, current_principal(), referral_id, name))


@blp.route("/referrals/<uuid:referral_id>/acknowledge", methods=["POST"])
@access.access(RECEIVER)
@blp.doc(responses=ok(JSON, DONE, "Acknowledged"))
def acknowledge(referral_id):
    """Tell the referring organisation the case arrived."""
    service.acknowledge(db.session, current_principal(), referral_id)
    return jsonify({"ok": True})


@blp.route("/referrals/<uuid:referral_id>/outcome", methods=["POST"])
@access.access(RECEIVER)
@blp.arguments(OutcomeSchema)
@blp.doc(responses={**ok(JSON, DONE, "Outcome recorded"), **WRITE_ERRORS})
def outcome(data, referral_id):
    """Report back an outcome code (no content)."""
    service.report_outcome(db.session, current_principal(), referral_id, data["outcome"])
    return jsonify({"ok": True})
