"""Protection cases: receiving sealed cases from phones, the key holders' queue and casework,
referral to a protection partner. Every write ends in audit.record_and_commit, whose details
carry identifiers, codes and counts only: never a sealed byte, never a name.

Access (on top of each route's rule):
- a monitor's device submits cases for its organisation, sealed to one of its keys;
- the organisation's coordinators and admins see the queue's triage fields and counts;
- only key holders of the key a case is sealed to get its content (ciphertext) and work on it;
- a referral's content goes only to key holders of the receiving organisation's key.
"""
from __future__ import annotations

import hashlib
import json
import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..alerts import service as alerts
from ..core import audit, storage
from ..core.access import PARTNER_ROLE, Principal, require_access
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from . import formats, keys, store, vocabulary

SUFFIX = ".enc"
MAX_PHOTOS = 10


def _canonical(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def receive(session: Session, principal: Principal, data: dict) -> dict:
    """A sealed case from a phone. Idempotent by id: the same body again answers which photos
    are still missing; another body under the same id is a conflict."""
    if principal.kind != "device" or principal.organisation_id is None:
        raise Forbidden("Cases come from a monitor's device.")
    names = data.get("photos") or []
    if len(names) > MAX_PHOTOS or len(set(names)) != len(names):
        raise ValidationFailed.field("photos", f"At most {MAX_PHOTOS} distinct names.")
    formats.envelope(data["envelope"])
    key = _key_by_fingerprint(session, principal.organisation_id, data["key_fingerprint"])
    formats.wrapped_key_for(data["wrapped_key"], key.public_key)
    digest = _canonical(data)
    store.lock(session, data["id"])
    row = store.body_digest(session, data["id"])
    if row is not None:
        if row.organisation_id != principal.organisation_id \
                or row.monitor_id != principal.user_id or row.body_sha256 != digest:
            raise Conflict("A different case was already received under this id.")
        session.commit()
        return {"id": data["id"], "created": False,
                "missing_photos": [n for n in row.photo_names if n not in row.photos]}
    store.insert(session, {
        "id": data["id"], "organisation_id": principal.organisation_id,
        "sealing_key_id": key.id, "source": "app", "form_id": data["form_id"],
        "form_version": data.get("form_version"), "facility_id": data.get("facility_id"),
        "occurred_on": data.get("occurred_on"), "urgency": data["urgency"],
        "monitor_id": principal.user_id, "device_token_id": principal.credential_id,
        "wrapped_key": data["wrapped_key"], "envelope": data["envelope"],
        "body_sha256": digest, "sealed_submission_id": None, "photo_names": names,
        "visit_id": data.get("visit_id")})
    details = {"urgency": data["urgency"], "photos": len(names), "key": key.fingerprint}
    if data.get("visit_id"):
        details["visit"] = str(data["visit_id"])
    alerts.case_received(session, data["id"])  # the alert job commits with the case, or not
    audit.record_and_commit(session, "case.receive", principal, target_type="case",
                            target_id=data["id"], details=details)
    return {"id": data["id"], "created": True, "missing_photos": list(names)}


def _key_by_fingerprint(session, organisation_id, fingerprint: str):
    key = session.execute(text(
        "SELECT id, public_key, fingerprint FROM sealing_keys WHERE organisation_id = :o "
        "AND fingerprint = :f"), {"o": organisation_id, "f": fingerprint}).first()
    if key is None:
        raise ValidationFailed.field("key_fingerprint", "Not a sealing key of your organisation: "
                                                        "refresh the forms on the phone.")
    return key


def put_photo(session: Session, principal: Principal, case_id, name: str, data: bytes) -> bool:
    """A sealed photo of a case, from the monitor who sent the case (any of their phones): a
    colleague's bytes stored first would make the monitor's own phone hear "already stored"
    and drop the real photo."""
    row = store.body_digest(session, case_id)
    require_access(row is not None and principal.kind == "device"
                   and row.organisation_id == principal.organisation_id
                   and row.monitor_id == principal.user_id, "case")
    if name not in row.photo_names:
        raise NotFound(f"The case names no photo {name!r}.")
    if name in row.photos:
        return False
    formats.sealed_photo(data)
    store.add_photo(session, case_id, name, storage.put(data, SUFFIX), len(data))
    audit.record_and_commit(session, "case.photo", principal, target_type="case",
                            target_id=case_id, details={"bytes": len(data)})
    return True


def from_sealed_submission(session: Session, principal: Principal, manifest) -> None:
    """An ODK-encrypted case (server/forms/sealed.py keeps its files): a queue entry sealed to
    the organisation's current key, whose triage fields a key holder enters after opening it
    (Collect encrypts every answer, the clear ones too)."""
    submission_id = session.execute(text(
        "SELECT id FROM sealed_submissions WHERE instance_id = :i"),
        {"i": manifest.instance_id}).scalar()
    key = keys.active(session, principal.organisation_id)
    if submission_id is None or key is None:
        return
    case_id = uuid.uuid4()
    store.insert(session, {
        "id": case_id, "organisation_id": principal.organisation_id, "sealing_key_id": key.id,
        "source": "odk", "form_id": manifest.form_id, "form_version": manifest.version,
        "facility_id": None, "occurred_on": None, "urgency": None,
        "monitor_id": principal.user_id,
        "device_token_id": principal.credential_id if principal.kind == "device" else None,
        "wrapped_key": manifest.encrypted_key, "envelope": None, "body_sha256": None,
        "sealed_submission_id": submission_id, "photo_names": []})
    audit.record_and_commit(session, "case.receive", principal, target_type="case",
                            target_id=case_id, details={"source": "odk", "key": key.fingerprint})


# ---- key holders ---------------------------------------------------------------------------

def _managed(session: Session, principal: Principal, case_id, *, sealed: bool = False):
    row = store.get(session, case_id, sealed=sealed)
    require_access(row is not None and keys.is_manager(principal)
                   and row.organisation_id == principal.organisation_id, "case")
    return row


def _held(session: Session, principal: Principal, case_id, *, sealed: bool = False):
    row = _managed(session, principal, case_id, sealed=sealed)
    if not keys.holds(session, principal, row.sealing_key_id):
        raise Forbidden("Only key holders of the key this case is sealed to can work on it.")
    return row


def queue(session: Session, principal: Principal, status: str | None = None, *, asof,
          after=None, limit: int = 100) -> list:
    if not keys.is_manager(principal):
        raise Forbidden("The case queue is for the organisation's coordinators and admins.")
    return store.queue(session, principal.organisation_id, asof=asof, status=status,
                       after=after, limit=limit)


def count_for_visit(session: Session, principal: Principal, visit_id) -> int | None:
    """Persons at risk recorded in a visit, for the organisation's coordinators and admins
    (None for anyone else: not even that a case exists is told to them)."""
    if not keys.is_manager(principal) or principal.role == PARTNER_ROLE:
        return None
    return store.count_for_visit(session, principal.organisation_id, visit_id)


def counts(session: Session, principal: Principal) -> dict:
    if not keys.is_manager(principal):
        raise Forbidden("Case counts are for the organisation's coordinators and admins.")
    return store.counts(session, principal.organisation_id)


def open_case(session: Session, principal: Principal, case_id) -> dict:
    """The case with its ciphertext, to a key holder; every opening is audited."""
    row = _held(session, principal, case_id, sealed=True)
    out = dict(row._asdict())
    out["referrals"] = [r._asdict() for r in store.referrals_of_case(session, case_id)]
    out["odk"] = _odk_parts(session, row.sealed_submission_id) if row.source == "odk" else None
    audit.record_and_commit(session, "case.open", principal, target_type="case",
                            target_id=case_id)
    return out


def _odk_parts(session, submission_id) -> dict:
    sub = session.execute(text(
        "SELECT instance_id, form_id, form_version, encrypted_key, signature, xml_file, media, "
        "files FROM sealed_submissions WHERE id = :id"), {"id": submission_id}).first()
    return dict(sub._asdict())


def photo(session: Session, principal: Principal, case_id, name: str) -> bytes:
    row = _held(session, principal, case_id, sealed=True)
    return _file(session, row, name)


def _file(session: Session, row, name: str) -> bytes:
    if row.source == "odk":  # the encrypted files as Collect sent them
        stored = (_odk_parts(session, row.sealed_submission_id)["files"] or {}).get(name)
        if stored is None:
            raise NotFound(f"No encrypted file {name!r} received for this case.")
        return storage.path_for(stored["sha256"], SUFFIX).read_bytes()
    stored = (row.photos or {}).get(name)
    if stored is None:
        raise NotFound(f"No photo {name!r} received for this case.")
    return storage.path_for(stored["sha256"], SUFFIX).read_bytes()


def change_status(session: Session, principal: Principal, case_id, status: str) -> None:
    row = _held(session, principal, case_id)
    order = vocabulary.STATUSES
    if order.index(status) <= order.index(row.status) or status == "referred":
        raise Conflict(f"A case that is {row.status} cannot become {status} "
                       "(referred: refer it to a partner).")
    store.set_status(session, case_id, status)
    audit.record_and_commit(session, "case.status", principal, target_type="case",
                            target_id=case_id, details={"from": row.status, "to": status})


def assign(session: Session, principal: Principal, case_id, user_id) -> None:
    _held(session, principal, case_id)
    if user_id is not None:
        ok = session.execute(text(
            "SELECT EXISTS (SELECT FROM users WHERE id = :u AND organisation_id = :o AND active "
            "AND role IN ('coordinator', 'admin'))"),
            {"u": user_id, "o": principal.organisation_id}).scalar()
        if not ok:
            raise ValidationFailed.field("user_id", "Must be an active coordinator or admin of "
                                                    "your organisation.")
    store.assign(session, case_id, user_id)
    audit.record_and_commit(session, "case.assign", principal, target_type="case",
                            target_id=case_id,
                            details={"assigned_to": str(user_id) if user_id else None})


def set_triage(session: Session, principal: Principal, case_id, data: dict) -> None:
    row = _held(session, principal, case_id)
    if row.source != "odk":
        raise Conflict("Only an ODK case's triage fields are entered after opening it.")
    store.set_triage(session, case_id, data.get("facility_id"), data.get("occurred_on"),
                     data["urgency"])
    alerts.case_received(session, case_id)
    audit.record_and_commit(session, "case.triage", principal, target_type="case",
                            target_id=case_id, details={"urgency": data["urgency"]})


def refer(session: Session, principal: Principal, case_id, data: dict) -> uuid.UUID:
    """The record key, re-wrapped in the key holder's browser for the partner's active key."""
    row = _held(session, principal, case_id)
    to_org = data["to_organisation_id"]
    to_key = keys.active(session, to_org)
    if to_org == principal.organisation_id or to_key is None \
            or to_key.id != data["to_key_id"]:
        raise ValidationFailed.field("to_key_id", "Must be the current sealing key of another "
                                                  "organisation (reload the page).")
    formats.wrapped_key_for(data["wrapped_key"], to_key.public_key)
    if row.source == "odk":
        formats.wrapped_key_for(data.get("wrapped_signature") or "", to_key.public_key,
                                "wrapped_signature")
    store.lock(session, case_id)
    if store.referral_exists(session, case_id, to_org):
        raise Conflict("This case was already referred to this organisation.")
    referral_id = uuid.uuid4()
    store.insert_referral(session, {
        "id": referral_id, "case_id": case_id, "from_organisation_id": principal.organisation_id,
        "to_organisation_id": to_org, "to_key_id": to_key.id,
        "wrapped_key": data["wrapped_key"],
        "wrapped_signature": data.get("wrapped_signature") if row.source == "odk" else None,
        "referred_by": principal.user_id})
    if row.status != "referred" and row.status != "closed":
        store.set_status(session, case_id, "referred")
    audit.record_and_commit(session, "case.refer", principal, target_type="case",
                            target_id=case_id,
                            details={"referral": str(referral_id), "to": str(to_org),
                                     "key": to_key.fingerprint})
    return referral_id


# ---- the receiving organisation ------------------------------------------------------------

def inbox(session: Session, principal: Principal, *, after=None, limit: int = 100) -> list:
    if not keys.is_manager(principal):
        raise Forbidden("The case inbox is for the organisation's coordinators and admins.")
    return store.inbox(session, principal.organisation_id, after=after, limit=limit)


def _received(session: Session, principal: Principal, referral_id, *, holder: bool):
    row = store.referral(session, referral_id)
    require_access(row is not None and keys.is_manager(principal)
                   and row.to_organisation_id == principal.organisation_id, "referral")
    if holder and not keys.holds(session, principal, row.to_key_id):
        raise Forbidden("Only key holders of your organisation's key can open referrals.")
    return row


def open_referral(session: Session, principal: Principal, referral_id) -> dict:
    row = _received(session, principal, referral_id, holder=True)
    out = dict(row._asdict())
    out["odk"] = _odk_parts(session, row.sealed_submission_id) if row.source == "odk" else None
    audit.record_and_commit(session, "case.referral_open", principal, target_type="referral",
                            target_id=referral_id)
    return out


def referral_photo(session: Session, principal: Principal, referral_id, name: str) -> bytes:
    return _file(session, _received(session, principal, referral_id, holder=True), name)


def acknowledge(session: Session, principal: Principal, referral_id) -> None:
    _received(session, principal, referral_id, holder=False)
    store.acknowledge(session, referral_id, principal.user_id)
    audit.record_and_commit(session, "case.referral_ack", principal, target_type="referral",
                            target_id=referral_id)


def report_outcome(session: Session, principal: Principal, referral_id, outcome: str) -> None:
    _received(session, principal, referral_id, holder=False)
    store.set_outcome(session, referral_id, outcome, principal.user_id)
    audit.record_and_commit(session, "case.referral_outcome", principal, target_type="referral",
                            target_id=referral_id, details={"outcome": outcome})
