"""`flask demo load` loads real places and synthetic history, idempotently; `clear` removes it."""
from sqlalchemy import text


def _counts(session):
    return {table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("organisations", "facilities", "users", "visits", "incidents",
                          "attachments")}


def test_demo_load_is_idempotent_flagged_and_clearable(app, runner, session):
    app.config["DEMO_MODE"] = True
    try:
        first = runner.invoke(args=["demo", "load"])
        assert first.exit_code == 0, first.output
        assert "nzp_demo-partner-key" in first.output
        loaded = _counts(session)
        assert loaded["facilities"] == 17 and loaded["visits"] > 1000
        assert loaded["incidents"] > 1000 and loaded["attachments"] > 10
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
        assert _counts(session) == loaded
        for table in ("facilities", "visits", "incidents", "organisations", "attachments"):
            assert session.execute(text(f"SELECT bool_and(demo) FROM {table}")).scalar()
        dari = session.execute(text(
            "SELECT name_prs FROM facilities WHERE name = 'Torkham'")).scalar()
        assert dari == "تورخم"
        town = session.execute(text("SELECT location_precision FROM facilities "
                                    "WHERE name = 'Quetta Haji Camp'")).scalar()
        assert "not geocoded" in town
        span = session.execute(text(
            "SELECT max(started_at) - min(started_at) FROM visits")).scalar()
        assert span.days > 365 * 2.8
        # Demo photos carry a chain of custody like real ones: taken during their visit.
        outside = session.execute(text("""
            SELECT count(*) FROM attachments a
            LEFT JOIN incidents i ON i.id = a.incident_id
            JOIN visits v ON v.id = coalesce(a.visit_id, i.visit_id)
            WHERE a.received_sha256 IS NULL OR CAST(a.captured_at AS timestamptz)
                  NOT BETWEEN v.started_at AND v.started_at + interval '1 hour'""")).scalar()
        assert outside == 0
        # Under the assessment model: every visit has its four dimensions and a ring; red flags
        # appear; returnee groups are interviewed at Afghan crossings; incidents name a state.
        rings = dict(session.execute(text(
            "SELECT ring, count(*) FROM visits GROUP BY ring")).all())
        assert rings.get("red_flag", 0) > 0 and set(rings) <= {
            "red_flag", "1", "2", "insufficient", "3", "4", "none"}
        assert session.execute(text(
            "SELECT count(*) FROM visits WHERE NOT dimensions ?& "
            "array['safety_treatment', 'legal_protection', 'material_conditions', "
            "'return_reception']")).scalar() == 0
        assert session.execute(text(
            "SELECT count(*) FROM visits WHERE jsonb_array_length(returnees) > 0")).scalar() > 0
        states = set(session.execute(text(
            "SELECT DISTINCT state_responsible FROM incidents")).scalars())
        assert {"iran", "pakistan"} <= states
        # The demo answers what the form asks at each place: only the indicators whose
        # standard applies to the facility's kind and side of the border, the investigation
        # of deaths only where a death is known; reception on arrival only in Afghanistan.
        from server.forms.fields import FIELDS
        from server.scoring.standards import facility_group, indicators
        table = indicators()
        asked_now = {f.target.removeprefix("visit.observations.") for f in FIELDS
                     if f.target.startswith("visit.observations.") and not f.earlier}
        answered = session.execute(text("""
            SELECT f.kind, f.country, v.observations FROM visits v
            JOIN facilities f ON f.id = v.facility_id""")).all()
        for kind, country, observations in answered:
            assert set(observations) <= asked_now, set(observations) - asked_now
            for code in observations:
                if code in table:
                    assert table[code].applies(facility_group(kind), country), (kind, country, code)
            if "deaths_reported" in observations:
                assert (observations.get("deaths_known") or 0) > 0, observations
        afghan = [o for kind, country, o in answered if country == "AFG" and
                  kind in ("border_crossing", "reception_centre", "transit_centre")]
        assert sum("cash_assistance" in o for o in afghan) > 10
        assert sum("reprisal_risk" in o for _, _, o in answered) > 10
        assert runner.invoke(args=["demo", "clear"]).exit_code == 0
        assert all(n == 0 for n in _counts(session).values())
    finally:
        app.config["DEMO_MODE"] = False
