"""All SQL of cases and case_referrals. Rows come back without content unless asked for
(`sealed=True`): the envelope and wrapped keys are ciphertext, but they go only to key holders."""
from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.orm import Session

from .vocabulary import DEADLINES_HOURS, OPEN

_OPEN = ", ".join(f"'{status}'" for status in OPEN)  # SQL list of the open statuses
_META = """c.id, c.organisation_id, c.sealing_key_id, c.source, c.form_id, c.form_version,
    c.facility_id, f.name AS facility_name, f.name_prs AS facility_name_prs,
    f.name_pus AS facility_name_pus, c.occurred_on, c.urgency, c.status, c.due_at,
    c.assessed_at, c.referred_at, c.closed_at, c.assigned_to, a.name AS assigned_name,
    c.received_at, c.updated_at, jsonb_array_length(c.photo_names) AS photo_count, c.visit_id,
    (c.status IN (%s) AND c.due_at < now()) AS overdue""" % _OPEN
_SEALED = """, c.wrapped_key, c.envelope, c.photo_names, c.photos, c.sealed_submission_id,
    k.fingerprint AS key_fingerprint"""
_FROM = """FROM cases c LEFT JOIN facilities f ON f.id = c.facility_id
    LEFT JOIN users a ON a.id = c.assigned_to JOIN sealing_keys k ON k.id = c.sealing_key_id"""


def get(session: Session, case_id, *, sealed: bool = False):
    return session.execute(text(f"SELECT {_META}{_SEALED if sealed else ''} {_FROM} "
                                "WHERE c.id = :id"), {"id": case_id}).first()


def lock(session: Session, case_id) -> None:
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                    {"k": f"case:{case_id}"})


def body_digest(session: Session, case_id):
    return session.execute(text("SELECT organisation_id, monitor_id, body_sha256, photo_names, "
                                "photos FROM cases WHERE id = :id"), {"id": case_id}).first()


def insert(session: Session, values: dict) -> None:
    session.execute(text("""
        INSERT INTO cases (id, organisation_id, sealing_key_id, source, form_id, form_version,
            facility_id, occurred_on, urgency, due_at, monitor_id, device_token_id, wrapped_key,
            envelope, body_sha256, sealed_submission_id, photo_names, visit_id)
        VALUES (:id, :organisation_id, :sealing_key_id, :source, :form_id, :form_version,
            :facility_id, :occurred_on, :urgency,
            now() + make_interval(hours => CAST(:deadline AS int)), :monitor_id,
            :device_token_id, :wrapped_key, :envelope, :body_sha256, :sealed_submission_id,
            CAST(:photo_names AS jsonb), :visit_id)"""),
        {**values, "photo_names": json.dumps(values.get("photo_names", [])),
         "visit_id": values.get("visit_id"),
         "deadline": DEADLINES_HOURS.get(values.get("urgency"), DEADLINES_HOURS["immediate"])})


def add_photo(session: Session, case_id, name: str, sha256: str, size: int) -> None:
    session.execute(text(
        "UPDATE cases SET photos = photos || jsonb_build_object(CAST(:n AS text), "
        "jsonb_build_object('sha256', CAST(:s AS text), 'bytes', CAST(:b AS int))), "
        "updated_at = now() WHERE id = :id"), {"n": name, "s": sha256, "b": size, "id": case_id})


def set_status(session: Session, case_id, status: str) -> None:
    column = {"assessed": "assessed_at", "referred": "referred_at", "closed": "closed_at"}[status]
    session.execute(text(f"UPDATE cases SET status = :s, {column} = coalesce({column}, now()), "
                         "updated_at = now() WHERE id = :id"), {"s": status, "id": case_id})


def assign(session: Session, case_id, user_id) -> None:
    session.execute(text("UPDATE cases SET assigned_to = :u, updated_at = now() WHERE id = :id"),
                    {"u": user_id, "id": case_id})


def set_triage(session: Session, case_id, facility_id, occurred_on, urgency) -> None:
    """An ODK case's triage fields, entered by a key holder after opening it in the browser."""
    session.execute(text(
        "UPDATE cases SET facility_id = :f, occurred_on = :d, urgency = :u, "
        "due_at = received_at + make_interval(hours => CAST(:h AS int)), updated_at = now() "
        "WHERE id = :id"),
        {"f": facility_id, "d": occurred_on, "u": urgency, "h": DEADLINES_HOURS[urgency],
         "id": case_id})


# The queue's order as one key: rank (0 overdue at `asof`, 1 open or assessed, 2 closed), the
# deadline (none first: the epoch stands for it, before any real deadline), then newest first.
_QUEUE_RANK = ("CASE WHEN c.status IN (" + _OPEN + ") AND c.due_at < :asof THEN 0 "
               "WHEN c.status = 'closed' THEN 2 ELSE 1 END")
_QUEUE_DUE = "coalesce(c.due_at, 'epoch'::timestamptz)"


def queue(session: Session, organisation_id, *, asof, status: str | None = None, after=None,
          limit: int = 100):
    """Overdue (at `asof`) first, then by deadline; closed ones last. `after`: the last row's
    (rank, due, received_at, id) of the previous page; rows carry rank and due for the next."""
    where = "c.organisation_id = :o" + (" AND c.status = :s" if status else "")
    params = {"o": organisation_id, "s": status, "l": limit, "asof": asof}
    if after:
        where += (f" AND ({_QUEUE_RANK} > :r OR ({_QUEUE_RANK} = :r AND ({_QUEUE_DUE} > :d OR "
                  f"({_QUEUE_DUE} = :d AND (c.received_at, c.id) < "
                  "(CAST(:ra AS timestamptz), CAST(:id AS uuid))))))")
        params.update(r=after[0], d=after[1], ra=after[2], id=after[3])
    return session.execute(text(
        f"SELECT {_META}, {_QUEUE_RANK} AS queue_rank, {_QUEUE_DUE} AS queue_due {_FROM} "
        f"WHERE {where} ORDER BY queue_rank, queue_due, c.received_at DESC, c.id DESC "
        "LIMIT :l"), params).all()


def count_for_visit(session: Session, organisation_id, visit_id) -> int:
    """How many persons at risk the visit recorded (cases of the organisation naming it)."""
    return session.execute(text(
        "SELECT count(*) FROM cases WHERE organisation_id = :o AND visit_id = :v"),
        {"o": organisation_id, "v": visit_id}).scalar()


def counts(session: Session, organisation_id) -> dict:
    """What the server knows without any key: counts by facility, month and urgency."""
    p = {"o": organisation_id}
    by_facility = session.execute(text(
        "SELECT c.facility_id, f.name, count(*) AS cases, "
        "count(*) FILTER (WHERE c.status IN (" + _OPEN + ") AND c.due_at < now()) AS overdue, "
        "count(*) FILTER (WHERE c.urgency = 'immediate') AS immediate, "
        "count(*) FILTER (WHERE c.urgency = 'within_72h') AS within_72h, "
        "count(*) FILTER (WHERE c.urgency = 'routine') AS routine "
        "FROM cases c LEFT JOIN facilities f ON f.id = c.facility_id WHERE c.organisation_id = :o "
        "GROUP BY c.facility_id, f.name ORDER BY cases DESC, f.name"), p).all()
    by_month = session.execute(text(
        "SELECT to_char(coalesce(occurred_on, received_at::date), 'YYYY-MM') AS month, "
        "count(*) AS cases FROM cases WHERE organisation_id = :o GROUP BY 1 ORDER BY 1"), p).all()
    by_urgency = session.execute(text(
        "SELECT coalesce(urgency, 'unknown') AS urgency, count(*) AS cases FROM cases "
        "WHERE organisation_id = :o GROUP BY 1"), p).all()
    totals = session.execute(text(
        "SELECT count(*) FILTER (WHERE status IN (" + _OPEN + ")) AS open, "
        "count(*) FILTER (WHERE status IN (" + _OPEN + ") AND due_at < now()) AS overdue "
        "FROM cases WHERE organisation_id = :o"), p).first()
    return {"by_facility": [r._asdict() for r in by_facility],
            "by_month": [r._asdict() for r in by_month],
            "by_urgency": {r.urgency: r.cases for r in by_urgency},
            "open": totals.open, "overdue": totals.overdue}


# ---- referrals -----------------------------------------------------------------------------

_REFERRAL = """r.id, r.case_id, r.from_organisation_id, fo.name AS from_name,
    r.to_organisation_id, tor.name AS to_name, r.to_key_id, r.referred_by,
    rb.name AS referred_by_name,
    r.referred_at, r.acknowledged_at, r.outcome, r.outcome_at"""
_REFERRAL_FROM = """FROM case_referrals r JOIN organisations fo ON fo.id = r.from_organisation_id
    JOIN organisations tor ON tor.id = r.to_organisation_id
    JOIN users rb ON rb.id = r.referred_by"""


def insert_referral(session: Session, values: dict) -> None:
    session.execute(text("""
        INSERT INTO case_referrals (id, case_id, from_organisation_id, to_organisation_id,
            to_key_id, wrapped_key, wrapped_signature, referred_by)
        VALUES (:id, :case_id, :from_organisation_id, :to_organisation_id, :to_key_id,
            :wrapped_key, :wrapped_signature, :referred_by)"""), values)


def referral_exists(session: Session, case_id, to_organisation_id) -> bool:
    return session.execute(text(
        "SELECT EXISTS (SELECT FROM case_referrals "
        "WHERE case_id = :c AND to_organisation_id = :t)"),
        {"c": case_id, "t": to_organisation_id}).scalar()


def referrals_of_case(session: Session, case_id):
    return session.execute(text(f"SELECT {_REFERRAL} {_REFERRAL_FROM} WHERE r.case_id = :c "
                                "ORDER BY r.referred_at"), {"c": case_id}).all()


def referral(session: Session, referral_id):
    return session.execute(text(
        f"SELECT {_REFERRAL}, r.wrapped_key, r.wrapped_signature, c.urgency, c.occurred_on, "
        "c.source, c.envelope, c.photo_names, c.photos, c.sealed_submission_id, "
        "c.facility_id, f.name AS facility_name, k.fingerprint AS key_fingerprint "
        f"{_REFERRAL_FROM} JOIN cases c ON c.id = r.case_id "
        "LEFT JOIN facilities f ON f.id = c.facility_id JOIN sealing_keys k ON k.id = r.to_key_id "
        "WHERE r.id = :id"), {"id": referral_id}).first()


_INBOX_RANK = "CASE WHEN r.outcome IS NULL THEN 0 ELSE 1 END"  # open ones first


def inbox(session: Session, organisation_id, *, after=None, limit: int = 100):
    """Referrals without an outcome first, then newest first; `after`: the last row's
    (rank, referred_at, id) of the previous page."""
    where, params = "r.to_organisation_id = :o", {"o": organisation_id, "l": limit}
    if after:
        where += (f" AND ({_INBOX_RANK} > :rank OR ({_INBOX_RANK} = :rank AND "
                  "(r.referred_at, r.id) < (CAST(:at AS timestamptz), CAST(:id AS uuid))))")
        params.update(rank=after[0], at=after[1], id=after[2])
    return session.execute(text(
        f"SELECT {_REFERRAL}, c.urgency, c.occurred_on, f.name AS facility_name, "
        f"{_INBOX_RANK} AS inbox_rank {_REFERRAL_FROM} JOIN cases c ON c.id = r.case_id "
        f"LEFT JOIN facilities f ON f.id = c.facility_id WHERE {where} "
        "ORDER BY inbox_rank, r.referred_at DESC, r.id DESC LIMIT :l"), params).all()


def acknowledge(session: Session, referral_id, user_id) -> None:
    session.execute(text(
        "UPDATE case_referrals SET acknowledged_at = coalesce(acknowledged_at, now()), "
        "acknowledged_by = coalesce(acknowledged_by, :u) WHERE id = :id"),
        {"u": user_id, "id": referral_id})


def set_outcome(session: Session, referral_id, outcome: str, user_id) -> None:
    session.execute(text(
        "UPDATE case_referrals SET outcome = :o, outcome_at = now(), outcome_by = :u, "
        "acknowledged_at = coalesce(acknowledged_at, now()), "
        "acknowledged_by = coalesce(acknowledged_by, :u) WHERE id = :id"),
        {"o": outcome, "u": user_id, "id": referral_id})
