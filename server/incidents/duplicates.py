"""Duplicate suggestions: pairs of incidents that probably describe the same event.

A pair is (duplicate, original): the duplicate is an incident of the coordinator's organisation
still waiting for review (submitted or has_issues), not merged, not retracted; the original is
another countable incident (any organisation, not rejected) of the same type, within
DUPLICATE_DISTANCE_M metres and DUPLICATE_DAYS days, whose affected counts overlap. When both
are the organisation's own pending reports, the earlier report is the original, so each pair is
suggested once; a verified report or another organisation's is an original whichever came first.

The match reads only indexed columns first: the date window (ix_incidents_occurred) and a bounding
box around the duplicate (ix_incidents_location), then the exact distance on geography.
"""
from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.statuses import REJECTED, WAITING, sql_list

PENDING = WAITING
WAITING_SQL = sql_list(WAITING)
# Counts overlap when either is unknown (NULL: not known; 0: possibly a forced zero of the
# earlier form), when the smaller is at least this share of the larger, or when the smaller is
# only "at least" (one of its counts not known, issue 15): nothing then shows they differ.
COUNT_RATIO = 0.5
_PARTIAL = ("num_nulls({a}.affected_women, {a}.affected_men, {a}.affected_girls, "
            "{a}.affected_boys) > 0")

# `d` is the candidate duplicate, `o` the original.
MATCH = f"""
    o.id <> d.id AND o.type = d.type
    AND o.duplicate_of IS NULL AND o.retracted_at IS NULL AND o.verification_status <> '{REJECTED}'
    AND o.occurred_on BETWEEN d.occurred_on - CAST(:days AS int)
                          AND d.occurred_on + CAST(:days AS int)
    AND o.location && ST_Expand(d.location, :metres / 111320.0
                                / greatest(cos(radians(ST_Y(d.location))), 0.1))
    AND ST_DWithin(o.location::geography, d.location::geography, :metres)
    AND (d.affected_total IS NULL OR o.affected_total IS NULL
         OR d.affected_total = 0 OR o.affected_total = 0
         OR least(d.affected_total, o.affected_total)
            >= :ratio * greatest(d.affected_total, o.affected_total)
         OR (d.affected_total < o.affected_total AND {_PARTIAL.format(a="d")})
         OR (o.affected_total < d.affected_total AND {_PARTIAL.format(a="o")}))
    AND ((o.created_at, o.id) < (d.created_at, d.id)
         OR o.organisation_id <> d.organisation_id
         OR o.verification_status NOT IN {WAITING_SQL})"""

PENDING_WHERE = f"""
    d.organisation_id = :org AND d.verification_status IN {WAITING_SQL}
    AND d.duplicate_of IS NULL AND d.retracted_at IS NULL"""

# What one side of a pair shows: the coalition view (no monitor, comment, profiles, narrative),
# which is all a coordinator may see of another organisation's report.
SIDE = """json_build_object(
    'id', {a}.id, 'organisation_id', {a}.organisation_id,
    'organisation', coalesce({a}_org.short_name, {a}_org.name),
    'own', {a}.organisation_id = :org,
    'type', {a}.type, 'occurred_on', {a}.occurred_on, 'date_precision', {a}.date_precision,
    'severity', {a}.severity, 'verification_status', {a}.verification_status,
    'facility_id', {a}.facility_id, 'facility_name', {a}_fac.name,
    'country', {a}.country, 'admin1', {a}.admin1, 'location_precision', {a}.location_precision,
    'position', json_build_array(round(ST_X({a}.location)::numeric, 5),
                                 round(ST_Y({a}.location)::numeric, 5)),
    'affected', json_build_object('women', {a}.affected_women, 'men', {a}.affected_men,
        'girls', {a}.affected_girls, 'boys', {a}.affected_boys,
        'unaccompanied', {a}.affected_unaccompanied, 'total', {a}.affected_total),
    'created_at', {a}.created_at)"""


def _params(organisation_id, metres: int, days: int) -> dict:
    return {"org": organisation_id, "metres": metres, "days": days, "ratio": COUNT_RATIO}


def pairs(session: Session, organisation_id: uuid.UUID, *, metres: int, days: int,
          facility_id: uuid.UUID | None = None, after: tuple | None = None,
          limit: int = 50) -> list[dict]:
    """Candidate pairs, newest duplicate first; `after` is (created_at, duplicate id,
    original id) of the last pair of the previous page."""
    params = _params(organisation_id, metres, days) | {"limit": limit}
    where = [PENDING_WHERE]
    if facility_id:
        where.append("d.facility_id = :facility")
        params["facility"] = facility_id
    if after:
        where.append("(d.created_at, d.id, o.id) < (CAST(:after_at AS timestamptz), "
                     "CAST(:after_d AS uuid), CAST(:after_o AS uuid))")
        params.update(after_at=after[0], after_d=after[1], after_o=after[2])
    rows = session.execute(text(f"""
        SELECT d.created_at AS key_at, d.id AS key_d, o.id AS key_o,
               {SIDE.format(a="d")} AS duplicate, {SIDE.format(a="o")} AS original,
               round(ST_Distance(o.location::geography, d.location::geography))::int
                   AS distance_m,
               abs(o.occurred_on - d.occurred_on) AS days_apart
        FROM incidents d
        JOIN incidents o ON {MATCH}
        JOIN organisations d_org ON d_org.id = d.organisation_id
        JOIN organisations o_org ON o_org.id = o.organisation_id
        LEFT JOIN facilities d_fac ON d_fac.id = d.facility_id
        LEFT JOIN facilities o_fac ON o_fac.id = o.facility_id
        WHERE {' AND '.join(where)}
        ORDER BY d.created_at DESC, d.id DESC, o.id DESC
        LIMIT :limit"""), params)
    return [dict(row._mapping) for row in rows]


def possible_originals(session: Session, organisation_id: uuid.UUID, ids: list[uuid.UUID], *,
                       metres: int, days: int) -> dict[uuid.UUID, list[uuid.UUID]]:
    """For incidents of one page of the review queue: the originals each may duplicate."""
    if not ids:
        return {}
    rows = session.execute(text(f"""
        SELECT d.id, array_agg(o.id ORDER BY o.created_at, o.id) AS originals
        FROM incidents d JOIN incidents o ON {MATCH}
        WHERE d.id = ANY(CAST(:ids AS uuid[])) AND {PENDING_WHERE}
        GROUP BY d.id"""), _params(organisation_id, metres, days) | {"ids": list(ids)})
    return {row.id: list(row.originals) for row in rows}
