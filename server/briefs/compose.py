"""What a brief says, as data: periods, the facilities with their ring and counts, the tables.

For publication every incident number comes from the partner policy's SQL and then passes
`suppress`: a count between 1 and k-1 becomes "<k", and where one suppressed cell could be
worked out from a shown total (a row of a table whose total is printed elsewhere), the next
smallest cell of that row is suppressed too. A change from the previous period is shown only
when both of its counts are shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy.orm import Session

from ..assessment.vocabulary import DIMENSIONS, RINGS
from ..partner.policy import Policy, Shared
from . import queries
from .queries import Scope

PERIODS = ("month", "quarter")
SECTIONS_MAX = 40  # facilities of concern with a section of their own; the brief says how many more
CONCERNS = ("red_flag", "grave", "denied", "low_rating")  # why a facility is of concern


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # exclusive

    @property
    def label(self) -> str:
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    def months(self) -> list[str]:
        out, d = [], self.start
        while d < self.end:
            out.append(d.strftime("%Y-%m"))
            d = _add_months(d, 1)
        return out

    def previous(self) -> "Period":
        return period_of(self.kind, _add_months(self.start, -self.length))

    @property
    def length(self) -> int:
        return 1 if self.kind == "month" else 3


def _add_months(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


def period_of(kind: str, day: date) -> Period:
    """The month or quarter holding `day`."""
    if kind not in PERIODS:
        raise ValueError(f"period {kind!r} is not one of {', '.join(PERIODS)}")
    month = day.month if kind == "month" else (day.month - 1) // 3 * 3 + 1
    start = date(day.year, month, 1)
    return Period(kind, start, _add_months(start, 1 if kind == "month" else 3))


def last_complete(kind: str, today: date) -> Period:
    """The latest period that has ended before `today` (what the schedule makes)."""
    return period_of(kind, today).previous()


# --- suppression -----------------------------------------------------------------------------

def shown(n: int, k: int):
    """A count as it may be printed: "<k" when 1 <= n < k."""
    return f"<{k}" if k > 1 and 0 < n < k else n


def suppress_row(values: list[int], k: int, total_known: bool) -> list:
    out = [shown(v, k) for v in values]
    hidden = [i for i, v in enumerate(out) if isinstance(v, str)]
    if total_known and len(hidden) == 1:
        rest = sorted((v, i) for i, v in enumerate(values) if i not in hidden and v > 0)
        if rest:
            out[rest[0][1]] = f"<{k}" if rest[0][0] < k else "×"  # × : withheld to protect
    return out


def change(now: int, before: int, k: int, published: bool):
    if published and (isinstance(shown(now, k), str) or isinstance(shown(before, k), str)):
        return None
    return now - before


# --- the whole brief -------------------------------------------------------------------------

def compose(session: Session, org, period: Period, scope: Scope, *,
            policy: Policy | None = None, now: datetime | None = None,
            timeline=None) -> dict:
    """The brief as data. `policy`: published through that partner policy (None: internal).
    `timeline`: a function (facilities, period) -> {facility_id: timeline dict}, called once
    for the facilities that get a section.

    Sections: only facilities *of concern* in the period (a red flag, access denied, a grave
    incident — severity 5, internal only — or a dimension rated 1 or 2 at the latest visit),
    gravest first, at most SECTIONS_MAX; `concern.more` says how many more there were. Every
    other facility is a row of the summary table (`facilities`), and every count covers all."""
    now = now or datetime.now(timezone.utc)
    published = policy is not None
    shared = Shared(policy, now) if published else None
    k = policy.small_count_k if published else 1
    args = (session, org, period.start, period.end, scope)
    facilities = queries.facilities(session, scope)
    period_visits = queries.period_visits(*args)
    latest = queries.latest(period_visits, published=published)
    access = queries.access_by_facility(period_visits)
    counts = queries.incident_counts(*args, shared=shared)
    by_facility = counts["facility"]
    prev = period.previous()
    before = queries.incidents_by_type(session, org, prev.start, prev.end, scope, shared=shared)
    flags = queries.red_flags(period_visits, published=published)
    names = {f["id"]: f for f in facilities}

    months = period.months()
    types = sorted({t for t, _ in counts["type_month"]} | set(before))
    type_rows = []
    for t in types:
        cells = [counts["type_month"].get((t, m), 0) for m in months]
        total, earlier = sum(cells), before.get(t, 0)
        type_rows.append({"type": t,
                          "months": suppress_row(cells, k, True) if published else cells,
                          "total": shown(total, k) if published else total,
                          "previous": shown(earlier, k) if published else earlier,
                          "change": change(total, earlier, k, published)})
    states = sorted(counts["state"].items())
    places = sorted(counts["place"].items(), key=lambda kv: (-kv[1], kv[0]))
    state_cells = [n for _, n in states]
    place_cells = [n for _, n in places]
    if published:
        state_cells = suppress_row(state_cells, k, True)
        place_cells = suppress_row(place_cells, k, True)
    total = sum(counts["state"].values())

    flagged = {r["facility_id"] for r in flags}
    marks, number, gravity = [], 0, {}
    for f in facilities:
        visits, denied, partial = access.get(f["id"], (0, 0, 0))
        incidents, grave = (None, 0) if published else by_facility.get(f["id"], (0, 0))
        last = latest.get(f["id"], {"ring": "none", "ratings": {}})
        # Numbered (on the map and in its table): a facility with a visit or an incident in
        # the period; the others are counted, and grey dots on the map.
        listed = bool(visits or incidents)
        number += listed
        ratings = {d: last["ratings"].get(d) for d in DIMENSIONS}
        low = sorted(r for r in ratings.values() if isinstance(r, int) and r <= 2)
        # Published: only what the policy lets through decides (no incident counts, no red
        # flags that came from incidents), so a held-back incident does not show as concern.
        concern = [c for c, yes in (("red_flag", f["id"] in flagged or last["ring"] == "red_flag"),
                                    ("grave", grave > 0), ("denied", denied > 0),
                                    ("low_rating", bool(low))) if yes]
        marks.append({**f, "ring": last["ring"], "visits": visits, "denied": denied,
                      "partial": partial, "incidents": incidents, "ratings": ratings,
                      "concern": concern, "number": number if listed else None})
        gravity[f["id"]] = (-("red_flag" in concern), -grave, -denied, -low.count(1),
                            -len(low), -(incidents or 0), RINGS.index(last["ring"]), f["name"])
    visited = [m for m in marks if m["visits"]]
    findings = [{"facility": names[r["facility_id"]]["name"] if r["facility_id"] in names
                 else "", "code": r["code"], "state": r["state"],
                 "count": shown(r["n"], k) if published else r["n"]} for r in flags]
    of_concern = sorted((m for m in marks if m["concern"]), key=lambda m: gravity[m["id"]])
    chosen = of_concern[:SECTIONS_MAX]
    per_visit: dict = {}
    ids = {m["id"] for m in chosen}
    for v in (v for v in period_visits if v["facility_id"] in ids):
        dims = v["dimensions"] or {}
        per_visit.setdefault(v["facility_id"], []).append({
            "date": v["started_at"].date().isoformat(), "access": v["access"],
            "ring": None if published else v["ring"],
            "ratings": {d: {"rating": (dims.get(d) or {}).get("rating"),
                            "evidence": (dims.get(d) or {}).get("evidence") or []}
                        for d in DIMENSIONS}})
    timelines = timeline(chosen, period) if timeline and chosen else {}
    sections = [{"facility": m, "visits": per_visit.get(m["id"], []),
                 "timeline": timelines.get(m["id"])} for m in chosen]
    return {
        "audience": "publication" if published else "internal",
        "policy": _policy_note(policy) if published else None,
        "period": {"kind": period.kind, "label": period.label, "start": period.start.isoformat(),
                   "end": period.end.isoformat(), "previous": prev.label, "months": months},
        "scope": {"kind": scope.kind, "value": scope.value,
                  "name": names[_uuid(scope.value)]["name"] if scope.kind == "facility"
                  and _uuid(scope.value) in names else scope.value},
        "generated_at": now.isoformat(timespec="seconds"),
        "k": k,
        "facilities": marks,
        "quiet": sum(1 for m in marks if m["number"] is None),
        "rings": {r: sum(1 for m in marks if m["ring"] == r) for r in RINGS},
        "incidents": {"total": shown(total, k) if published else total,
                      "previous_total": shown(sum(before.values()), k) if published
                      else sum(before.values()),
                      "change": change(total, sum(before.values()), k, published),
                      "by_type": type_rows,
                      "by_state": [{"state": s, "count": c}
                                   for (s, _), c in zip(states, state_cells)],
                      "by_place": [{"place": p, "count": c}
                                   for (p, _), c in zip(places, place_cells)]},
        "access": [{"facility": m["name"], "visits": m["visits"], "denied": m["denied"],
                    "partial": m["partial"]} for m in visited if m["denied"] or m["partial"]],
        "findings": findings,
        "indicators": queries.indicators_below(period_visits),
        "sections": sections,
        "concern": {"total": len(of_concern), "more": len(of_concern) - len(chosen),
                    "by_reason": {c: sum(1 for m in of_concern if c in m["concern"])
                                  for c in CONCERNS}},
        "visited": len(visited),
        "dimensions": list(DIMENSIONS),
    }


def _uuid(value: str):
    import uuid
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _policy_note(policy: Policy) -> dict:
    return {"precision": policy.location_precision, "grid_km": policy.grid_km,
            "k": policy.small_count_k, "embargo_days": policy.embargo_days,
            "statuses": list(policy.statuses), "version": policy.version}
