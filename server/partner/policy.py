"""The sharing policy, applied in SQL: the one place that decides what a partner receives.

Every partner output — the incident feed, OGC API items, the GeoJSON and CSV exports — selects
incidents through a `Shared` built here. It holds the SQL of: which incidents may leave (consent,
status, type, country, embargo; never retracted or merged), where they are said to be (exact,
snapped to the facility, the centre of an N-km grid cell, or only the admin-1 / country name),
counts below k shown as "<k", and the allow-listed fields — nothing else is ever selected.

Filters a partner sends are applied to the generalised values (a tiny bbox or a facility filter
cannot place an incident more precisely than the policy allows); the raw-column conditions added
beside them are supersets that only let the indexes work.
"""
from __future__ import annotations

import math
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..core.db import Binder
from ..core.statuses import REVIEW_STATUSES, VERIFIED

PRECISIONS = ("exact", "facility", "grid", "admin1", "country")  # finest first
SENSITIVE_PRECISIONS = ("grid", "admin1", "country")
STATUSES = REVIEW_STATUSES
SHAREABLE_CONSENT = ("share_anonymised", "share_with_consent")
COUNTS = ("women", "men", "girls", "boys", "unaccompanied")
TOTAL_OF = ("women", "men", "girls", "boys")  # affected_total is the sum of the known ones
OPTIONAL_FIELDS = ("perpetrator", "source_type", "severity", "affected_unaccompanied")
# The most a partner can receive about an incident (besides its id and geometry).
SHARED_FIELDS = ("type", "occurred_on", "date_precision", "country", "admin1", "facility_id",
                 "facility_name", "location_precision", *(f"affected_{c}" for c in COUNTS),
                 "affected_total", "severity", "perpetrator", "state_responsible",
                 "source_type",
                 "verification_status", "updated_at")
# Never shared, whatever the policy: who reported, who was there, what was said or shown.
NEVER_SHARED = ("narrative", "notes", "review_comment", "monitor_id", "device_token_id",
                "visit_id", "organisation_id", "profiles", "photos", "attachments", "flags",
                "consent", "retracted_reason", "duplicate_of", "created_at", "follow_up",
                "name", "email", "phone")
# Literal, so the planner can match the partial index of migration 0006.
CONSENT_SQL = "(" + ", ".join(f"'{c}'" for c in SHAREABLE_CONSENT) + ")"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
KM_PER_DEGREE = 111.32
JOIN_FACILITY = " LEFT JOIN facilities f ON f.id = i.facility_id"


@dataclass(frozen=True)
class Policy:
    """What one partner organisation may receive. The defaults apply until an admin sets one."""
    organisation_id: uuid.UUID | None = None
    incident_types: tuple[str, ...] | None = None  # None: every type
    statuses: tuple[str, ...] = (VERIFIED,)
    location_precision: str = "admin1"
    grid_km: float | None = None
    sensitive_types: tuple[str, ...] = ("sgbv", "self_harm")
    sensitive_precision: str = "admin1"
    small_count_k: int = 5
    embargo_days: int = 0
    countries: tuple[str, ...] | None = None  # None: every country
    withheld_fields: tuple[str, ...] = ()
    note: str | None = None
    version: int = 0
    changed_at: datetime = EPOCH

    def as_dict(self) -> dict:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, tuple):
                data[key] = list(value)
        data["organisation_id"] = str(self.organisation_id) if self.organisation_id else None
        data["changed_at"] = self.changed_at.isoformat()
        return data


def load(session: Session, organisation_id: uuid.UUID) -> Policy:
    row = session.execute(text("SELECT * FROM sharing_policies WHERE organisation_id = :o"),
                          {"o": organisation_id}).mappings().first()
    if row is None:
        return Policy(organisation_id=organisation_id)
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in row.items()
              if k != "changed_by"}
    values["countries"] = tuple(c.strip() for c in row["countries"]) if row["countries"] else None
    return Policy(**values)


def rank(precision: str) -> int:
    return PRECISIONS.index(precision)


def _json_text(sql: str, kind: str) -> str:
    if kind == "code":
        return f"coalesce('\"' || {sql} || '\"', 'null')"
    if kind == "text":
        return f"coalesce(to_json({sql})::text, 'null')"
    return f"coalesce(({sql})::text, 'null')"


# A CSV cell starting like a spreadsheet formula would run when a partner opens the export:
# free text (facility and province names come from coordinators) is kept as text with a
# leading apostrophe, as the map's export (map/exports.py) and the comparison CSV do.
FORMULA_STARTS = "('=', '+', '-', '@', E'\\t', E'\\r')"


def _csv_text(sql: str) -> str:
    return f"(CASE WHEN left({sql}, 1) IN {FORMULA_STARTS} THEN '''' || {sql} ELSE {sql} END)"


@dataclass
class Filters:
    """What a partner asked for; applied to the generalised values only."""
    bbox: tuple[float, float, float, float] | None = None
    start: date | None = None  # occurred_on interval, inclusive
    end: date | None = None
    types: tuple[str, ...] | None = None
    country: str | None = None
    facility_id: uuid.UUID | None = None


class Shared:
    """SQL over `incidents i` for one policy at one moment (`asof`)."""

    def __init__(self, policy: Policy, asof: datetime, bind: Binder | None = None):
        self.policy, self.asof = policy, asof
        self.bind = bind or Binder()
        self.cases = self._cases()
        self.levels = {level for _, level in self.cases}
        self.uses_facility = bool(self.levels & {"exact", "facility"})
        self.source = "incidents i" + (JOIN_FACILITY if self.uses_facility else "")
        self.release_before = asof.astimezone(timezone.utc).date() - timedelta(
            days=policy.embargo_days)

    @property
    def params(self) -> dict:
        return self.bind.params

    # --- which precision applies to a row ---------------------------------------------------
    def _cases(self) -> list[tuple[str | None, str]]:
        """(condition, precision) pairs, first match wins; the last one has no condition."""
        p = self.policy
        cases: list[tuple[str | None, str]] = []
        if p.sensitive_types and rank(p.sensitive_precision) > rank(p.location_precision):
            cases.append((f"i.type = ANY({self.bind(list(p.sensitive_types))})",
                          p.sensitive_precision))
        if p.location_precision == "facility":
            cases.append(("i.facility_id IS NULL", "admin1"))  # nothing to snap to
        cases.append((None, p.location_precision))
        return cases

    def by_level(self, expr_for) -> str:
        exprs = [(cond, expr_for(level)) for cond, level in self.cases]
        if len({expr for _, expr in exprs}) == 1:
            return exprs[-1][1]
        whens = " ".join(f"WHEN {cond} THEN {expr}" for cond, expr in exprs[:-1])
        return f"(CASE {whens} ELSE {exprs[-1][1]} END)"

    # --- generalised columns ----------------------------------------------------------------
    def _cell(self) -> float:
        return float(self.policy.grid_km) / KM_PER_DEGREE

    def _grid_point(self) -> str:
        """Centre of the grid cell holding the incident: rows of `d` degrees of latitude, cells
        as wide as `d` km at the row's centre latitude."""
        d = repr(self._cell())
        lat = f"((floor(ST_Y(i.location) / {d}) + 0.5) * {d})"
        width = f"({d} / greatest(cos(radians({lat})), 0.01))"
        lon = f"((floor(ST_X(i.location) / {width}) + 0.5) * {width})"
        return f"ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)"

    def _geom_at(self, level: str) -> str:
        if level == "grid":
            return self._grid_point()
        return {"exact": "i.location", "facility": "f.location"}.get(level, "NULL::geometry")

    @property
    def geom(self) -> str:
        return self.by_level(self._geom_at)

    def label(self, level: str) -> str:
        if level == "grid":
            return f"'grid_{self.policy.grid_km:g}km'"
        return f"'{level}'"

    @property
    def admin1(self) -> str:
        return self.by_level(lambda lv: "NULL::text" if lv == "country" else "i.admin1")

    @property
    def facility_id(self) -> str:
        return self.by_level(lambda lv: "i.facility_id" if lv in ("exact", "facility")
                             else "NULL::uuid")

    @property
    def facility_name(self) -> str:
        return self.by_level(lambda lv: "f.name" if lv in ("exact", "facility") else "NULL::text")

    def _small(self, column: str) -> str:
        k = self.policy.small_count_k
        return f"i.{column} BETWEEN 1 AND {k - 1}" if k > 1 else "false"

    def count(self, group: str, as_json: bool) -> str:
        """A count, or "<k" when it is between 1 and k-1; a count not known (NULL) is null in
        JSON and empty in the CSV, never 0. The total (the sum of the known parts: "at least"
        when one is not known) is withheld when it would give away a suppressed part (the total
        minus the parts shown); a part not known is never small, so it neither hides nor shows
        more than a known count would."""
        column, k = f"affected_{group}", self.policy.small_count_k
        empty = "'null'" if as_json else "NULL::text"
        if column in self.policy.withheld_fields:
            return empty
        shown = f"coalesce(i.{column}::text, 'null')" if as_json else f"i.{column}::text"
        if k <= 1:
            return shown
        under = f"'\"<{k}\"'" if as_json else f"'<{k}'"
        if group != "total":
            return f"(CASE WHEN {self._small(column)} THEN {under} ELSE {shown} END)"
        parts = " OR ".join(self._small(f"affected_{g}") for g in TOTAL_OF)
        return (f"(CASE WHEN {self._small(column)} THEN {under} "
                f"WHEN {parts} THEN {empty} ELSE {shown} END)")

    def optional(self, column: str, sql_type: str = "text") -> str:
        return f"NULL::{sql_type}" if column in self.policy.withheld_fields else f"i.{column}"

    @property
    def precision_label(self) -> str:
        return self.by_level(self.label)

    UPDATED = "to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

    def _values(self) -> list[tuple[str, str, str]]:
        """(name, SQL, kind) of the shared properties but the counts. `code` values need no
        JSON escaping (constrained codes, ids, dates), `text` values do, `number`s are bare."""
        return [("type", "i.type", "code"),
                ("occurred_on", "to_char(i.occurred_on, 'YYYY-MM-DD')", "code"),
                ("date_precision", "i.date_precision", "code"), ("country", "i.country", "text"),
                ("admin1", self.admin1, "text"), ("facility_id", self.facility_id, "code"),
                ("facility_name", self.facility_name, "text"),
                ("location_precision", self.precision_label, "code"),
                ("severity", self.optional("severity", "smallint"), "number"),
                ("perpetrator", self.optional("perpetrator"), "text"),
                ("state_responsible", "i.state_responsible", "code"),
                ("source_type", self.optional("source_type"), "text"),
                ("verification_status", "i.verification_status", "code"),
                ("updated_at", self.UPDATED, "code")]

    def properties(self, as_json: bool) -> list[tuple[str, str]]:
        """(name, SQL) of every shared property in SHARED_FIELDS order: JSON text that is never
        NULL (`as_json`), or plain text that is NULL when empty (CSV)."""
        values = {name: (sql, kind) for name, sql, kind in self._values()}
        for group in (*COUNTS, "total"):
            values[f"affected_{group}"] = (self.count(group, as_json), "count")
        out = []
        for name in SHARED_FIELDS:
            sql, kind = values[name]
            if as_json and kind != "count":
                sql = _json_text(sql, kind)
            out.append((name, sql))
        return out

    def feature(self) -> str:
        """The GeoJSON Feature of a row, as text: concatenated in SQL (several times faster
        than json_build_object), never parsed again."""
        props = " || ',' || ".join(f"'\"{name}\":' || {sql}"
                                   for name, sql in self.properties(as_json=True))
        return ("('{\"type\":\"Feature\",\"id\":\"' || i.id || '\",\"geometry\":' || "
                f"coalesce(ST_AsGeoJSON({self.geom}, 6), 'null') || ',\"properties\":{{' || "
                f"{props} || '}}}}')")

    TOMBSTONE = ("('{\"type\":\"Feature\",\"id\":\"' || i.id || "
                 "'\",\"geometry\":null,\"properties\":{\"deleted\":true}}')")

    def csv_columns(self) -> list[tuple[str, str]]:
        """(column name, SQL text) of the CSV export; HXL tags are in exports.HXL."""
        geom = self.geom
        texts = {name for name, _, kind in self._values() if kind == "text"}
        props = {name: _csv_text(sql) if name in texts else sql
                 for name, sql in self.properties(as_json=False)}
        lat_lon = [("lat", f"round(ST_Y({geom})::numeric, 6)"),
                   ("lon", f"round(ST_X({geom})::numeric, 6)")]
        names = ["type", "verification_status", "occurred_on", "date_precision"]
        rest = [n for n in props if n not in names and n != "updated_at"]
        return ([("incident_id", "i.id")] + [(n, props[n]) for n in names] + lat_lon
                + [(n, props[n]) for n in rest] + [("updated_at", props["updated_at"])])

    # --- which rows -------------------------------------------------------------------------
    def shareable(self) -> str:
        p, bind = self.policy, self.bind
        conds = ["i.retracted_at IS NULL", "i.duplicate_of IS NULL",
                 f"i.consent IN {CONSENT_SQL}",
                 f"i.verification_status = ANY({bind(list(p.statuses))})",
                 f"i.occurred_on <= {bind(self.release_before)}"]
        if p.incident_types is not None:
            conds.append(f"i.type = ANY({bind(list(p.incident_types))})")
        if p.countries is not None:
            conds.append(f"i.country = ANY({bind(list(p.countries))})")
        return "(" + " AND ".join(conds) + ")"

    def matches(self, filters: Filters) -> list[str]:
        """Conditions for the partner's filters, on generalised values (plus index helpers)."""
        bind, conds = self.bind, []
        if filters.bbox is not None:
            conds += self._in_bbox(filters.bbox)
        if filters.start is not None:
            conds.append(f"i.occurred_on >= {bind(filters.start)}")
        if filters.end is not None:
            conds.append(f"i.occurred_on <= {bind(filters.end)}")
        if filters.types:
            conds.append(f"i.type = ANY({bind(list(filters.types))})")
        if filters.country:
            conds.append(f"i.country = {bind(filters.country)}")
        if filters.facility_id is not None:
            shown = self.by_level(lambda lv: "true" if lv in ("exact", "facility") else "false")
            conds += [f"i.facility_id = {bind(filters.facility_id)}", shown]
        return conds

    def _in_bbox(self, bbox) -> list[str]:
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        env = f"ST_MakeEnvelope({minx!r}, {miny!r}, {maxx!r}, {maxy!r}, 4326)"
        # Facility snapping: one hashed list of the facilities in the box, not a join per row.
        at_facility = f"i.facility_id IN (SELECT id FROM facilities WHERE location && {env})"
        inside = self.by_level(lambda lv: {"exact": f"i.location && {env}",
                                          "facility": at_facility,
                                          "grid": f"{self._grid_point()} && {env}"
                                          if lv == "grid" else ""}.get(lv) or "false")
        located = self.levels & {"exact", "grid"}
        if not located:
            return [inside]
        dx = dy = 0.0
        if "grid" in located:  # a cell centre is at most one cell away from the incident
            dy = self._cell()
            top = min(max(abs(miny), abs(maxy)) + dy, 89.0)
            dx = dy / max(math.cos(math.radians(top)), 0.01)
        wide = (f"ST_MakeEnvelope({minx - dx!r}, {miny - dy!r}, {maxx + dx!r}, {maxy + dy!r}, "
                "4326)")
        if "facility" in self.levels:  # points and facility snapping mixed: no single helper
            return [inside]
        return [f"i.location && {wide}", inside]

    def changed_since(self, since: datetime) -> str | None:
        """Rows a partner who synced up to `since` must get again (as records or tombstones):
        changed rows, rows whose embargo ended, rows whose facility changed. None: all rows,
        because the policy itself changed."""
        if self.policy.changed_at >= since:
            return None
        bind = self.bind
        opened = since.astimezone(timezone.utc).date() - timedelta(days=self.policy.embargo_days)
        conds = [f"i.updated_at >= {bind(since)}",
                 f"(i.occurred_on > {bind(opened)} AND i.occurred_on <= "
                 f"{bind(self.release_before)})"]
        if self.uses_facility:
            conds.append("i.facility_id IN (SELECT id FROM facilities WHERE updated_at >= "
                         f"{bind(since)})")
        return "(" + " OR ".join(conds) + ")"
