"""The SQL of a brief: facilities in scope, their visits in the period (latest ring, access,
red flags with the state responsible, indicators below standard) and the incident counts —
internal (the organisation's own rows) or through a partner's `policy.Shared` (published).

Every statement is one aggregate over the period: no row leaves the database, only counts.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..assessment.vocabulary import DIMENSIONS, ring_of
from ..core.db import Binder
from ..core.statuses import REJECTED
from ..partner.policy import Filters, Shared


@dataclass(frozen=True)
class Scope:
    kind: str  # all | country | facility
    value: str = ""


def _facility_cond(scope: Scope, alias: str, params: dict) -> str:
    if scope.kind == "country":
        params["scope"] = scope.value
        return f"{alias}.country = :scope"
    if scope.kind == "facility":
        params["scope"] = uuid.UUID(scope.value)
        return f"{alias}.id = :scope"
    return "true"


def facilities(session: Session, scope: Scope) -> list[dict]:
    params: dict = {}
    cond = _facility_cond(scope, "f", params)
    rows = session.execute(text(
        "SELECT f.id, f.name, f.name_prs, f.name_pus, f.country, f.admin1, "
        "ST_X(f.location) AS lon, ST_Y(f.location) AS lat FROM facilities f "
        f"WHERE {cond} ORDER BY f.country, f.name"), params).mappings()
    return [dict(r) for r in rows]


_VISITS = ("FROM visits v JOIN facilities f ON f.id = v.facility_id "
           "WHERE v.organisation_id = :org AND v.retracted_at IS NULL "
           f"AND v.review_status <> '{REJECTED}' "
           "AND v.started_at >= :start AND v.started_at < :end AND {cond}")


def _visit_params(org, start: date, end: date, scope: Scope) -> tuple[dict, str]:
    params = {"org": org, "start": start, "end": end}
    return params, _VISITS.format(cond=_facility_cond(scope, "f", params))


def visits(session: Session, org, start: date, end: date, scope: Scope,
           facilities=None) -> list[dict]:
    """Each visit of the period (the sections' rows): facility, date, access, ring, the
    dimensions' ratings and evidence kinds; of the given facilities only (one statement)."""
    params, source = _visit_params(org, start, end, scope)
    if facilities is not None:
        params["ids"] = list(facilities)
        source += " AND v.facility_id = ANY(:ids)"
    rows = session.execute(text(
        "SELECT v.facility_id, v.started_at, v.access, v.ring, v.dimensions "
        f"{source} ORDER BY v.facility_id, v.started_at"), params).mappings()
    return [dict(r) for r in rows]


def latest(session: Session, org, start: date, end: date, scope: Scope,
           published: bool = False) -> dict:
    """{facility_id: {"ring", "ratings": {dimension: rating}}} of each facility's latest visit
    in the period. Published: the ring again without the red flags that came from incidents
    (an incident the partner policy keeps back must not show through its facility's ring)."""
    params, source = _visit_params(org, start, end, scope)
    rows = session.execute(text(
        "SELECT DISTINCT ON (v.facility_id) v.facility_id, v.ring, v.dimensions, v.red_flags "
        f"{source} ORDER BY v.facility_id, v.started_at DESC"), params)
    out = {}
    for r in rows:
        dims = {n: d for n, d in (r.dimensions or {}).items() if n in DIMENSIONS}
        ring = r.ring
        if published:
            ring = ring_of(dims, [f for f in r.red_flags or [] if f.get("source") != "incident"])
        out[r.facility_id] = {"ring": ring, "ratings": {
            n: (d or {}).get("rating") if isinstance(d, dict) else None for n, d in dims.items()}}
    return out


def access_by_facility(session: Session, org, start: date, end: date, scope: Scope) -> dict:
    """{facility_id: (visits, denied, partial)}."""
    params, source = _visit_params(org, start, end, scope)
    rows = session.execute(text(
        "SELECT v.facility_id, count(*) AS visits, "
        "count(*) FILTER (WHERE v.access = 'denied') AS denied, "
        "count(*) FILTER (WHERE v.access = 'partial') AS partial "
        f"{source} GROUP BY v.facility_id"), params)
    return {r.facility_id: (r.visits, r.denied, r.partial) for r in rows}


def red_flags(session: Session, org, start: date, end: date, scope: Scope,
              published: bool = False) -> list[dict]:
    """Red flags found in the period: facility, code, state responsible, how many. Published:
    only the monitors' own findings at the facility, not those that came from incidents."""
    params, source = _visit_params(org, start, end, scope)
    if published:
        source += " AND rf->>'source' <> 'incident'"
    rows = session.execute(text(
        "SELECT v.facility_id, rf->>'code' AS code, rf->>'state' AS state, "
        "sum(coalesce((rf->>'count')::int, 1))::int AS n "
        f"{source.replace('WHERE', ', jsonb_array_elements(v.red_flags) rf WHERE', 1)} "
        "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"), params).mappings()
    return [dict(r) for r in rows]


def indicators_below(session: Session, org, start: date, end: date, scope: Scope,
                     limit: int = 10) -> list[dict]:
    """The indicators most often not met (or partly met) in the period's visits."""
    params, source = _visit_params(org, start, end, scope)
    params["limit"] = limit
    source = source.replace(
        "WHERE", ", jsonb_each(v.dimensions) d(name, body), "
        "jsonb_array_elements(CASE WHEN jsonb_typeof(d.body->'indicators') = 'array' "
        "THEN d.body->'indicators' ELSE '[]'::jsonb END) ind WHERE", 1)
    rows = session.execute(text(
        "SELECT ind->>'code' AS code, d.name AS dimension, "
        "count(*) FILTER (WHERE ind->>'result' = 'not_met')::int AS not_met, "
        "count(*) FILTER (WHERE ind->>'result' = 'partly_met')::int AS partly_met, "
        "count(*) FILTER (WHERE ind->>'result' IN ('met', 'partly_met', 'not_met'))::int "
        "AS observed "
        f"{source} GROUP BY 1, 2 HAVING count(*) FILTER (WHERE ind->>'result' IN "
        "('not_met', 'partly_met')) > 0 ORDER BY 3 DESC, 4 DESC, 1 LIMIT :limit"),
        params).mappings()
    return [dict(r) for r in rows]


# --- incidents ------------------------------------------------------------------------------

def _internal(org, start: date, end: date, scope: Scope) -> tuple[str, dict]:
    params = {"org": org, "start": start, "end": end}
    conds = ["i.organisation_id = :org", "i.retracted_at IS NULL", "i.duplicate_of IS NULL",
             f"i.verification_status <> '{REJECTED}'",
             "i.occurred_on >= :start", "i.occurred_on < :end"]
    if scope.kind == "country":
        conds.append("i.country = :scope")
        params["scope"] = scope.value
    elif scope.kind == "facility":
        conds.append("i.facility_id = :scope")
        params["scope"] = uuid.UUID(scope.value)
    return " AND ".join(conds), params


def _shared(shared: Shared, org, start: date, end: date, scope: Scope) -> tuple[str, dict]:
    """The partner policy's conditions (consent, status, types, countries, embargo) and its
    filters on generalised values: a facility scope keeps only rows the policy places at a
    facility."""
    filters = Filters(start=start, end=date.fromordinal(end.toordinal() - 1),
                      country=scope.value if scope.kind == "country" else None,
                      facility_id=uuid.UUID(scope.value) if scope.kind == "facility" else None)
    conds = [shared.shareable(), *shared.matches(filters),
             f"i.organisation_id = {shared.bind(org)}"]
    return " AND ".join(conds), shared.params


def incident_counts(session: Session, org, start: date, end: date, scope: Scope,
                    shared: Shared | None = None) -> dict:
    """Counts of the period: by (type, month), by state responsible, by place. Internal: the
    organisation's own rows, place = facility (or admin-1). Published: the partner's SQL, place
    = the generalised place (facility only where the policy allows it)."""
    if shared is None:
        where, params = _internal(org, start, end, scope)
        source = "incidents i LEFT JOIN facilities f ON f.id = i.facility_id"
        place = "coalesce(f.name, i.admin1, i.country, '')"
    else:
        shared = Shared(shared.policy, shared.asof, Binder("text"))  # fresh parameters per call
        where, params = _shared(shared, org, start, end, scope)
        source = shared.source
        place = (f"coalesce({shared.facility_name}, {shared.admin1}, i.country, '') || "
                 f"CASE WHEN {shared.precision_label} LIKE 'grid%' THEN ' (' || "
                 f"round(ST_Y({shared.geom})::numeric, 2) || ', ' || "
                 f"round(ST_X({shared.geom})::numeric, 2) || ')' ELSE '' END")
    rows = session.execute(text(
        f"SELECT i.type, to_char(i.occurred_on, 'YYYY-MM') AS month, "
        f"coalesce(i.state_responsible, 'unknown') AS state, {place} AS place, "
        f"count(*)::int AS n FROM {source} WHERE {where} GROUP BY GROUPING SETS "
        "((1, 2), (3), (4))"), params).mappings()
    out: dict = {"type_month": {}, "state": {}, "place": {}}
    for r in rows:
        if r["month"] is not None:
            out["type_month"][(r["type"], r["month"])] = r["n"]
        elif r["state"] is not None:
            out["state"][r["state"]] = r["n"]
        else:
            out["place"][r["place"]] = r["n"]
    return out


def incidents_by_type(session: Session, org, start: date, end: date, scope: Scope,
                      shared: Shared | None = None) -> dict:
    """{type: count} of a period (the previous period's, for the change)."""
    if shared is None:
        where, params = _internal(org, start, end, scope)
        source = "incidents i"
    else:
        shared = Shared(shared.policy, shared.asof, Binder("text"))
        where, params = _shared(shared, org, start, end, scope)
        source = shared.source
    rows = session.execute(text(
        f"SELECT i.type, count(*)::int AS n FROM {source} WHERE {where} GROUP BY 1"), params)
    return {r.type: r.n for r in rows}


def facility_incidents(session: Session, org, start: date, end: date, scope: Scope) -> dict:
    """{facility_id: (count, grave)} for the internal map and the facilities of concern (grave:
    severity 5, a death or the like)."""
    where, params = _internal(org, start, end, scope)
    rows = session.execute(text(
        f"SELECT i.facility_id, count(*)::int AS n, "
        f"count(*) FILTER (WHERE i.severity >= 5)::int AS grave FROM incidents i WHERE {where} "
        "AND i.facility_id IS NOT NULL GROUP BY 1"), params)
    return {r.facility_id: (r.n, r.grave) for r in rows}
