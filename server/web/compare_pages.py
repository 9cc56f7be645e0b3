"""The facility comparison page for coordinators: every facility x the four dimensions, latest
rating per cell, open red flags, days since the last visit; filter by country and kind (a GET
form, so it works without script); sortable columns (static/js/compare.js); CSV export
(audited, server.assessment.service)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..assessment.compare import comparison
from ..assessment.service import export_comparison
from ..assessment.vocabulary import DIMENSIONS
from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.validation import country_code
from ..facilities.models import KINDS
from .method_labels import (
    dimension_labels,
    kind_labels,
    rating_labels,
    red_flag_labels,
    timeline_labels,
)
from .pages import install, render
from .workspace import country_labels

blp = install(Blueprint("facility_compare", __name__, template_folder="templates"))
COORDINATORS = access.role("coordinator")  # as the map and its facility panel


def _filters() -> tuple[tuple, tuple]:
    countries, kinds = [], []
    for value in request.args.getlist("country"):
        try:
            country_code(value)
            countries.append(value)
        except ValidationError:  # an unknown code filters nothing in (and breaks nothing)
            continue
    kinds = [k for k in request.args.getlist("kind") if k in KINDS]
    return tuple(dict.fromkeys(countries))[:50], tuple(dict.fromkeys(kinds))


@blp.route("/facilities/compare", methods=["GET"])
@access.access(COORDINATORS)
def compare():
    countries, kinds = _filters()
    everything = comparison(db.session)
    rows = [r for r in everything if (not countries or r["country"] in countries)
            and (not kinds or r["kind"] in kinds)]
    return render("compare.html", rows=rows, dimensions=DIMENSIONS,
                  dimension_labels=dimension_labels(), rating_labels=rating_labels(),
                  red_flag_labels=red_flag_labels(), kind_labels=kind_labels(),
                  country_labels=country_labels(),
                  all_countries=sorted({r["country"] for r in everything}),
                  all_kinds=[k for k in KINDS if any(r["kind"] == k for r in everything)],
                  chosen_countries=countries, chosen_kinds=kinds,
                  csv_query=request.query_string.decode("ascii", "replace"),
                  title=_("Compare facilities"))


@blp.route("/facilities/compare.csv", methods=["GET"])
@access.access(COORDINATORS)
def compare_csv():
    countries, kinds = _filters()
    labels = timeline_labels() | {"kinds": kind_labels()}
    body, rows = export_comparison(current_principal(), labels, countries=countries,
                                   kinds=kinds)
    filename = f"nezarat-facilities-{datetime.now(timezone.utc):%Y%m%d-%H%M}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Nezarat-Rows": str(rows)})
