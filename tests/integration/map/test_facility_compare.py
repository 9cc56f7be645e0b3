"""The facility comparison page and its CSV: latest rating per dimension, the latest visit's red
flags, days since the last visit; filters; the export is audited; coordinators only."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import text

from server.assessment.vocabulary import DIMENSIONS
from tests import factories

from .conftest import add_visit, now
from .test_facility_timeline import _assessed


def _rated(session, fac, org, days, ratings, **kw):
    a = _assessed(dict(zip(DIMENSIONS, ratings)), **kw)
    from server.assessment.assess import stored_dimensions
    add_visit(session, fac, org, now() - timedelta(days=days), dimensions=stored_dimensions(a),
              red_flags=a["red_flags"], ring=a["ring"])


def test_comparison_page_and_csv(session, signed_in_client, orgs):
    a = factories.facility(session, name="=HYPERLINK(\"x\") Alpha", country="IRN",
                           kind="detention_centre")
    b = factories.facility(session, name="Beta <b>", country="PAK", kind="border_crossing")
    factories.facility(session, name="Gamma never", country="AFG")
    _rated(session, a, orgs[0], 100, (4, 4, 4, 4))
    _rated(session, a, orgs[1], 7, (1, None, 3, 2), observations={"deaths_known": 2})
    _rated(session, b, orgs[0], 30, (3, 3, 2, 4))
    coordinator, _ = signed_in_client("coordinator", organisation=orgs[0])
    page = coordinator.get("/facilities/compare")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Beta &lt;b&gt;" in html and "Beta <b>" not in html
    assert f'data-facility="{a.id}"' in html and "A death" in html
    assert 'aria-sort="ascending"' in html
    # The method judges each place against its own kind's standards: an overview, not a ranking.
    assert 'class="nz-hint nz-compare-not-ranking"' in html and "not a ranking" in html
    only = coordinator.get("/facilities/compare?country=PAK&kind=border_crossing"
                           ).get_data(as_text=True)
    assert f'data-facility="{b.id}"' in only and f'data-facility="{a.id}"' not in only

    before = session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'export'")
                             ).scalar_one()
    response = coordinator.get("/facilities/compare.csv?country=IRN&country=AFG")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = {r["facility_id"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert set(rows) >= {str(a.id)} and str(b.id) not in rows
    alpha = rows[str(a.id)]
    assert alpha["facility"].startswith("'=")  # no formula
    assert alpha["safety_treatment"] == "1" and alpha["safety_treatment_label"] == "1 · poor"
    assert alpha["legal_protection"] == "insufficient_evidence"
    assert alpha["legal_protection_label"] == "insufficient evidence"
    assert alpha["red_flags"] == "death" and alpha["days_since_last_visit"] == "7"
    entry = session.execute(text("""SELECT target_type, details FROM audit_log
        WHERE action = 'export' ORDER BY seq DESC LIMIT 1""")).one()
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'export'")
                           ).scalar_one() == before + 1
    assert entry.target_type == "facility" and entry.details["countries"] == ["IRN", "AFG"]
    assert entry.details["rows"] == len(rows)

    monitor, _ = signed_in_client("monitor", organisation=orgs[0])
    assert monitor.get("/facilities/compare").status_code == 403
    assert monitor.get("/facilities/compare.csv").status_code == 403
