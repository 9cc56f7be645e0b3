"""What the assessment package writes: the audit entry of a comparison table export."""
from __future__ import annotations

from ..core import audit
from ..core.access import Principal
from ..core.db import db
from .compare import comparison, csv_text


def export_comparison(principal: Principal, labels: dict, *, countries=(),
                      kinds=()) -> tuple[str, int]:
    """(CSV text, rows); the export is audited (action `export`) and committed first."""
    session = db.session
    rows = comparison(session, countries=countries, kinds=kinds)
    audit.record_and_commit(session, "export", principal, target_type="facility",
                            details={"what": "facility_comparison", "format": "csv",
                                     "countries": list(countries), "kinds": list(kinds),
                                     "rows": len(rows)})
    return csv_text(rows, labels), len(rows)
