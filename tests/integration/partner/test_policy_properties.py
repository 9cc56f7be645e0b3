"""Property tests: whatever the policy and the incidents, no partner output — feed, OGC API items,
GeoJSON export, CSV export — shares an incident it should not, places one more precisely than the
policy allows, shows a count below k, or carries a field outside the allow-list.

Each output is checked against a small reference model of the policy written here in Python."""
from __future__ import annotations

import io
import math
from datetime import date, datetime, timedelta, timezone

import hxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from server.incidents.models import Incident
from server.partner.exports import HXL
from server.partner.policy import (
    KM_PER_DEGREE,
    OPTIONAL_FIELDS,
    PRECISIONS,
    SHAREABLE_CONSENT,
    SHARED_FIELDS,
    STATUSES,
    TOTAL_OF,
)
from tests import factories
from tests.integration.partner import helpers

TYPES = ("forced_return", "pushback", "sgbv", "self_harm", "death")
GROUPS = ("women", "men", "girls", "boys", "unaccompanied")
NAMES = st.sampled_from(['Nangarhar', 'Herat "West"', "Back\\slash", "هرات", "Line\nbreak"])

policies = st.fixed_dictionaries({
    "location_precision": st.sampled_from(PRECISIONS),
    # Grid sizes as people set them (tenths of a km): grid_km is stored as a REAL, and a value
    # with more digits than a REAL holds is labelled as stored, not as typed.
    "grid_km": st.integers(min_value=10, max_value=600).map(lambda tenths: tenths / 10),
    "sensitive_types": st.lists(st.sampled_from(TYPES), unique=True, max_size=2),
    "sensitive_precision": st.sampled_from(("grid", "admin1", "country")),
    "small_count_k": st.integers(min_value=1, max_value=8),
    "embargo_days": st.sampled_from((0, 0, 10, 60)),
    "statuses": st.lists(st.sampled_from(STATUSES), unique=True, min_size=1, max_size=3),
    "incident_types": st.none() | st.lists(st.sampled_from(TYPES), unique=True, min_size=1),
    "withheld_fields": st.lists(st.sampled_from(OPTIONAL_FIELDS), unique=True, max_size=2),
})
incident_specs = st.fixed_dictionaries({
    "type": st.sampled_from(TYPES),
    "verification_status": st.sampled_from(STATUSES),
    "consent": st.sampled_from(("internal_only", *SHAREABLE_CONSENT)),
    "lon": st.floats(min_value=60, max_value=75),
    "lat": st.floats(min_value=25, max_value=38),
    "at_facility": st.booleans(),
    "days_ago": st.integers(min_value=0, max_value=90),
    "retracted": st.booleans(),
    "admin1": NAMES,
    # None: the monitor did not know the count (issue 15)
    **{f"affected_{g}": st.none() | st.integers(min_value=0, max_value=12) for g in GROUPS},
})


def level_of(policy: dict, spec: dict) -> str:
    """Reference: the precision one incident is shared at."""
    rank = PRECISIONS.index
    level = policy["location_precision"]
    if spec["type"] in policy["sensitive_types"] and \
            rank(policy["sensitive_precision"]) > rank(level):
        return policy["sensitive_precision"]
    if level == "facility" and not spec["at_facility"]:
        return "admin1"
    return level


def shareable(policy: dict, spec: dict) -> bool:
    """Reference: whether an incident may be shared at all."""
    released = date.today() - timedelta(days=spec["days_ago"]) <= (
        datetime.now(timezone.utc).date() - timedelta(days=policy["embargo_days"]))
    return (not spec["retracted"] and spec["consent"] in SHAREABLE_CONSENT
            and spec["verification_status"] in policy["statuses"]
            and (policy["incident_types"] is None or spec["type"] in policy["incident_types"])
            and released)


def expected_count(policy: dict, spec: dict, group: str):
    k = policy["small_count_k"]
    if f"affected_{group}" in policy["withheld_fields"]:
        return None
    small = lambda n: n is not None and 1 <= n < k  # noqa: E731
    if group == "total":  # the sum of the known parts ("at least"), None when none is known
        known = [spec[f"affected_{g}"] for g in TOTAL_OF if spec[f"affected_{g}"] is not None]
        total = sum(known) if known else None
        if small(total):
            return f"<{k}"
        return None if any(small(spec[f"affected_{g}"]) for g in TOTAL_OF) else total
    value = spec[f"affected_{group}"]
    return f"<{k}" if small(value) else value


def incident_from(session, spec: dict, facility):
    """An incident made as a generated spec describes it."""
    return helpers.incident(
        session, facility=facility if spec["at_facility"] else None,
        lon=spec["lon"], lat=spec["lat"], type=spec["type"],
        verification_status=spec["verification_status"], consent=spec["consent"],
        occurred_on=date.today() - timedelta(days=spec["days_ago"]),
        retracted_at=datetime.now(timezone.utc) if spec["retracted"] else None,
        admin1=spec["admin1"], **{f"affected_{g}": spec[f"affected_{g}"] for g in GROUPS})


def check_location(policy, spec, facility, level, point):
    if level in ("admin1", "country"):
        assert point is None
        return
    lon, lat = point
    if level == "exact":
        assert (lon, lat) == (round(spec["lon"], 6), round(spec["lat"], 6)) or \
            math.dist((lon, lat), (spec["lon"], spec["lat"])) < 1e-6
    elif level == "facility":
        assert math.dist((lon, lat), (facility.lon, facility.lat)) < 1e-6
    else:  # the centre of the grid cell that holds the incident, nothing finer
        d = policy["grid_km"] / KM_PER_DEGREE
        row = lat / d - 0.5
        assert abs(row - round(row)) < 1e-3, (lat, d)
        centre = (round(row) + 0.5) * d
        assert abs(lat - spec["lat"]) <= d / 2 + 1e-6
        width = d / max(math.cos(math.radians(centre)), 0.01)
        column = lon / width - 0.5
        assert abs(column - round(column)) < 1e-3, (lon, width)
        assert abs(lon - spec["lon"]) <= width / 2 + 1e-6


def check_record(policy, spec, facility, record: dict) -> None:
    level = level_of(policy, spec)
    props = record["properties"]
    check_location(policy, spec, facility, level, record["point"])
    label = f"grid_{policy['grid_km']:g}km" if level == "grid" else level
    assert props["location_precision"] == label
    shows_facility = level in ("exact", "facility") and spec["at_facility"]
    assert props["facility_id"] == (str(facility.id) if shows_facility else None)
    assert props["facility_name"] == (facility.name if shows_facility else None)
    assert props["admin1"] == (None if level == "country" else spec["admin1"])
    for group in (*GROUPS, "total"):
        assert props[f"affected_{group}"] == expected_count(policy, spec, group), group
    for name in ("perpetrator", "source_type", "severity"):
        if name in policy["withheld_fields"]:
            assert props[name] is None


def from_geojson(features: list) -> dict:
    return {f["id"]: {"point": f["geometry"]["coordinates"] if f["geometry"] else None,
                      "properties": f["properties"]} for f in features}


def from_csv(rows: list[dict]) -> dict:
    def value(text):
        return None if text == "" else int(text) if text.isdigit() else text
    out = {}
    for row in rows:
        props = {k: value(v) if k.startswith("affected_") or k == "severity" else (v or None)
                 for k, v in row.items()}
        point = (float(row["lon"]), float(row["lat"])) if row["lat"] else None
        out[row["incident_id"]] = {"point": point, "properties": props}
    return out


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(policy=policies, specs=st.lists(incident_specs, min_size=1, max_size=6))
def test_no_output_reveals_more_than_the_policy_allows(client, session, policy, specs):
    if "grid" not in (policy["location_precision"], policy["sensitive_precision"]):
        policy = {**policy, "grid_km": None}
    org, headers = helpers.partner(session, **policy)
    facility = factories.facility(session, lon=66.5, lat=31.2, name='Spin Boldak "Gate" \\ 1')
    facility.lon, facility.lat = 66.5, 31.2
    made, reporters = {}, set()
    try:
        for spec in specs:
            row = incident_from(session, spec, facility)
            made[str(row.id)] = spec
            reporters.add(row.organisation_id)
        expected = {i for i, spec in made.items() if shareable(policy, spec)}

        outputs = {"feed": helpers.feed(client, headers)[0],
                   "ogc": helpers.ogc_items(client, headers),
                   "geojson": helpers.export_geojson(client, headers)[1]["features"]}
        for name, features in outputs.items():
            assert all(set(f["properties"]) == set(SHARED_FIELDS) for f in features), name
            records = from_geojson(features)
            assert set(records) == expected, name
            for incident_id, record in records.items():
                check_record(policy, made[incident_id], facility, record)
        raw_csv, rows = helpers.export_csv(client, headers)
        records = from_csv(rows)
        assert set(records) == expected, "csv"
        for incident_id, record in records.items():
            check_record(policy, made[incident_id], facility, record)
        for raw in (raw_csv, helpers.export_geojson(client, headers)[0]):
            assert helpers.SECRET.encode() not in raw and b"journalist" not in raw
            assert not any(str(o).encode() in raw for o in reporters)
    finally:
        session.execute(delete(Incident).where(Incident.id.in_(list(made))))
        session.delete(facility)
        session.flush()


def test_the_csv_is_hxl_with_the_documented_tags(client, session):
    fac = factories.facility(session, name='Torkham "Zero Point", gate 2')
    made = helpers.incident(session, facility=fac, affected_women=2, affected_men=9,
                            state_responsible="pakistan")
    _, headers = helpers.partner(session, location_precision="facility", small_count_k=5)
    raw, _ = helpers.export_csv(client, headers)
    header = raw.decode().splitlines()[0]
    assert header.split(",") == list(HXL)
    data = hxl.data(io.BytesIO(raw), hxl.InputOptions(allow_local=True))
    assert [column.display_tag for column in data.columns] == list(HXL.values())
    [row] = list(data)
    assert row.get("#event+id") == str(made.id)
    assert row.get("#loc+name") == 'Torkham "Zero Point", gate 2'
    assert row.get("#affected+f+adults") == "<5" and row.get("#affected+m+adults") == "9"
    assert row.get("#org+responsible+code") == "pakistan"  # the state responsible
    assert row.get("#affected+total") in (None, "")  # it would give the women's count away
    assert (row.get("#geo+lat"), row.get("#geo+lon")) == ("34.110000", "71.080000")
    assert not any(tag in raw.decode() for tag in ("#contact", "#respondee", "#meta+name"))


def test_a_count_not_known_is_shared_as_unknown_not_as_zero(client, session):
    """Issue 15: null in JSON and an empty cell in the CSV, never 0; the total of the known
    parts is "at least"; none known, no total."""
    unknown = helpers.incident(session, affected_women=None, affected_men=None,
                               affected_girls=None, affected_boys=None,
                               affected_unaccompanied=None)
    partly = helpers.incident(session, affected_women=None, affected_men=9, affected_girls=None,
                              affected_boys=0, affected_unaccompanied=None)
    _, headers = helpers.partner(session, location_precision="exact", small_count_k=5)
    expected = {str(unknown.id): {g: None for g in (*GROUPS, "total")},
                str(partly.id): {"women": None, "men": 9, "girls": None, "boys": 0,
                                 "unaccompanied": None, "total": 9}}
    outputs = {"feed": helpers.feed(client, headers)[0],
               "ogc": helpers.ogc_items(client, headers),
               "geojson": helpers.export_geojson(client, headers)[1]["features"]}
    for name, features in outputs.items():
        got = {f["id"]: {g: f["properties"][f"affected_{g}"] for g in (*GROUPS, "total")}
               for f in features}
        assert got == expected, name
    _, rows = helpers.export_csv(client, headers)
    got = {row["incident_id"]: {g: row[f"affected_{g}"] for g in (*GROUPS, "total")}
           for row in rows}
    assert got == {i: {g: "" if v is None else str(v) for g, v in counts.items()}
                   for i, counts in expected.items()}
