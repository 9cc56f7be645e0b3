"""The SQL of a brief: facilities in scope, their visits in the period (latest ring, access,
red flags with the state responsible, indicators below standard) and the incident counts —
internal (the organisation's own rows) or through a partner's `policy.Shared` (published).

Incidents: every statement is one aggregate over the period (no incident row leaves the
database, only counts). Visits: the period's visits are read once (`period_visits`, ratings,
access and red flags only) and every table about them is worked out from those rows — one scan
of `visits` instead of one per table.
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


def period_visits(session: Session, org, start: date, end: date, scope: Scope) -> list[dict]:
    """The period's visits of the organisation, read once (one scan of `visits`; everything
    the brief says about visits is worked out from these rows): facility, date, access, ring,
    dimensions (ratings, evidence kinds, indicator results) and red flags. No monitor, no
    position, no notes."""
    params, source = _visit_params(org, start, end, scope)
    rows = session.execute(text(
        "SELECT v.facility_id, v.started_at, v.access, v.ring, v.dimensions, v.red_flags "
        f"{source} ORDER BY v.facility_id, v.started_at"), params).mappings()
    return [dict(r) for r in rows]


def latest(visits: list[dict], published: bool = False) -> dict:
    """{facility_id: {"ring", "ratings": {dimension: rating}}} of each facility's latest visit
    (`visits` ordered by facility and date). Published: the ring again without the red flags
    that came from incidents (an incident the partner policy keeps back must not show through
    its facility's ring)."""
    last = {v["facility_id"]: v for v in visits}
    out = {}
    for facility_id, v in last.items():
        dims = {n: d for n, d in (v["dimensions"] or {}).items() if n in DIMENSIONS}
        ring = v["ring"]
        if published:
            ring = ring_of(dims, [f for f in _flags(v) if f.get("source") != "incident"])
        out[facility_id] = {"ring": ring, "ratings": {
            n: d.get("rating") if isinstance(d, dict) else None for n, d in dims.items()}}
    return out


def access_by_facility(visits: list[dict]) -> dict:
    """{facility_id: (visits, denied, partial)}."""
    out: dict = {}
    for v in visits:
        n, denied, partial = out.get(v["facility_id"], (0, 0, 0))
        out[v["facility_id"]] = (n + 1, denied + (v["access"] == "denied"),
                                 partial + (v["access"] == "partial"))
    return out


def _flags(v: dict) -> list[dict]:
    flags = v["red_flags"] if isinstance(v["red_flags"], list) else []
    return [f for f in flags if isinstance(f, dict)]


def red_flags(visits: list[dict], published: bool = False) -> list[dict]:
    """Red flags found in the period: facility, code, state responsible, how many. Published:
    only the monitors' own findings at the facility (a flag with a source other than an
    incident), not those that came from incidents."""
    counts: dict = {}
    for v in visits:
        for f in _flags(v):
            if published and f.get("source") in (None, "incident"):
                continue
            key = (v["facility_id"], f.get("code"), f.get("state"))
            n = f.get("count")
            counts[key] = counts.get(key, 0) + (int(n) if n is not None else 1)
    return [{"facility_id": fid, "code": code, "state": state, "n": n}
            for (fid, code, state), n in sorted(counts.items(), key=lambda kv: (
                kv[0][0], kv[0][1] is None, kv[0][1] or "", kv[0][2] is None, kv[0][2] or ""))]


def indicators_below(visits: list[dict], limit: int = 10) -> list[dict]:
    """The indicators most often not met (or partly met) in the period's visits."""
    counts: dict = {}
    for v in visits:
        for name, body in (v["dimensions"] or {}).items():
            found = body.get("indicators") if isinstance(body, dict) else None
            for ind in found if isinstance(found, list) else ():
                if not isinstance(ind, dict):
                    continue
                c = counts.setdefault((ind.get("code"), name), [0, 0, 0])
                result = ind.get("result")
                c[0] += result == "not_met"
                c[1] += result == "partly_met"
                c[2] += result in ("met", "partly_met", "not_met")
    rows = [{"code": code, "dimension": name, "not_met": c[0], "partly_met": c[1],
             "observed": c[2]} for (code, name), c in counts.items() if c[0] + c[1] > 0]
    rows.sort(key=lambda r: (-r["not_met"], -r["partly_met"], str(r["code"])))
    return rows[:limit]


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
    organisation's own rows, place = facility (or admin-1), and {facility_id: (count, grave)}
    for the map and the facilities of concern (grave: severity 5). Published: the partner's
    SQL, place = the generalised place (facility only where the policy allows it)."""
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
    # Internal: the counts per facility (and of grave incidents, severity 5) in the same scan
    by_facility = ("i.facility_id, count(*) FILTER (WHERE i.severity >= 5)::int AS grave, "
                   "GROUPING(i.facility_id) = 0 AS per_facility, ") if shared is None else ""
    o = 3 if by_facility else 0  # the position of `type` among the output columns, minus 1
    rows = session.execute(text(
        f"SELECT {by_facility}i.type, to_char(i.occurred_on, 'YYYY-MM') AS month, "
        f"coalesce(i.state_responsible, 'unknown') AS state, {place} AS place, "
        f"count(*)::int AS n FROM {source} WHERE {where} GROUP BY GROUPING SETS "
        f"(({o + 1}, {o + 2}), ({o + 3}), ({o + 4}){', (1)' if by_facility else ''})"),
        params).mappings()
    out: dict = {"type_month": {}, "state": {}, "place": {}, "facility": {}}
    for r in rows:
        if r.get("per_facility"):
            if r["facility_id"] is not None:
                out["facility"][r["facility_id"]] = (r["n"], r["grave"])
        elif r["month"] is not None:
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
