"""What the coordinator workspace pages (the map and the review queue) hand to their scripts:
API URLs, the choices of the filters, and every label in the page's language."""
from __future__ import annotations

import csv
from functools import lru_cache

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import text

from ..core.db import db
from ..core.static_files import versioned_url
from ..core.statuses import REVIEW_STATUSES
from ..incidents.taxonomy import DATA
from ..scoring.standards import AREAS
from . import method_labels
from .i18n import current_language

# The countries of the monitoring; others appear in the filter when facilities are there.
MAIN_COUNTRIES = ("AFG", "IRN", "PAK")


@lru_cache(maxsize=1)
def _type_rows() -> tuple[dict, ...]:
    with (DATA / "incident_types.csv").open(encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def incident_type_labels() -> dict[str, str]:
    """Incident type code -> its label in the page's language (from incident_types.csv)."""
    column = "label_" + current_language().code
    return {row["code"]: row.get(column) or row["label_en"] for row in _type_rows()}


def status_labels() -> dict[str, str]:
    labels = {"submitted": _("Submitted"), "has_issues": _("Has issues"),
              "verified": _("Verified"), "rejected": _("Rejected")}
    return {status: labels[status] for status in REVIEW_STATUSES}


def severity_labels() -> dict[str, str]:
    """The levels defined in the form's hint and the README, named with the form's words."""
    return {"1": _("1 · minor"), "2": _("2 · moderate"), "3": _("3 · serious"),
            "4": _("4 · severe"), "5": _("5 · critical")}


def area_labels() -> dict[str, str]:
    """The condition areas of the standards table (server/scoring/standards.csv)."""
    labels = {"space": _("Space"), "water": _("Water"), "sanitation": _("Sanitation"),
              "food": _("Food"), "accommodation": _("Accommodation"), "health": _("Health"),
              "protection": _("Protection"), "legal": _("Legal safeguards"),
              "treatment": _("Treatment"), "contact": _("Contact with the outside"),
              "oversight": _("Oversight"), "reception": _("Reception on arrival")}
    return {area: labels.get(area, area) for area in AREAS}


def flag_labels() -> dict[str, str]:
    return {"far_from_facility": _("Far from the facility"),
            "poor_accuracy": _("Poor GPS accuracy"),
            "late_submission": _("Sent late"), "no_position": _("No GPS position"),
            "facility_closed": _("Facility marked closed"),
            "possible_duplicate": _("Possible duplicate")}


def access_labels() -> dict[str, str]:
    return {"full": _("Full access"), "partial": _("Partial access"),
            "denied": _("Access denied")}


def organisations() -> list[dict]:
    """Coalition members, for the organisation filter (names are not sensitive)."""
    rows = db.session.execute(text("""
        SELECT id, coalesce(short_name, name) AS label, name FROM organisations
        WHERE kind = 'coalition_member' ORDER BY name, id"""))
    return [{"id": str(row.id), "label": row.label, "name": row.name} for row in rows]


def countries() -> list[str]:
    found = db.session.execute(text(
        "SELECT DISTINCT country FROM facilities WHERE country IS NOT NULL")).scalars().all()
    return list(MAIN_COUNTRIES) + sorted(set(c.strip() for c in found) - set(MAIN_COUNTRIES))


def country_labels() -> dict[str, str]:
    """Names of the main countries in the page's language (others keep their ISO code)."""
    return {"AFG": _("Afghanistan"), "IRN": _("Iran"), "PAK": _("Pakistan")}


def filter_options() -> dict:
    """The choices of the map's filter form."""
    return {"types": incident_type_labels(), "severities": severity_labels(),
            "statuses": status_labels(), "organisations": organisations(),
            "countries": countries(), "countryLabels": country_labels()}


def map_workspace_config() -> dict:
    """The coordinator's layers: incidents, time histogram, facility panel, export."""
    return {
        "incidentsUrl": url_for("map_data.incident_map"),
        "histogramUrl": url_for("map_data.histogram"),
        "historyUrl": "/api/map/facilities/{id}/history",
        "exportUrl": url_for("map_export.export_view"),
        "reviewUrl": url_for("review_pages.queue"),
        # Protection cases of the caller's organisation, counted without any key (issue 19).
        "casesUrl": url_for("cases.counts"), "casesPage": url_for("case_pages.queue"),
        "staleAfterDays": current_app.config["STALE_AFTER_DAYS"],
        "typeLabels": incident_type_labels(),
        "statusLabels": status_labels(),
        # The trend chart draws one line per dimension (server.map.service._visit_point).
        "areaLabels": method_labels.dimension_labels(),
        **method_labels.method_config(),
        "severityLabels": severity_labels(),
        "accessLabels": access_labels(),
        "strings": map_strings(),
    }


def map_strings() -> dict[str, str]:
    return {
        "incidents": _("Incidents"),
        "cases": _("Protection cases (your organisation)"),
        "casesCount": _("%(n)s cases: %(immediate)s immediate, %(within_72h)s within 72 h, "
                        "%(routine)s routine; %(overdue)s overdue"),
        "noCases": _("No protection cases here."), "openCases": _("Open the case queue"),
        # The summary under the filters: one sentence of count, one of how to read the map.
        "inView": _("Incidents in view: %(count)s."),
        "noneInView": _("No incidents in view match the filters."),
        "cellsNote": _("Each circle shows how many incidents were reported in its area; zoom "
                       "in to see single reports."),
        "pointsNote": _("Each dot is one report, coloured by its severity."),
        "heatNote": _("Darker areas had more incidents; the legend gives the numbers."),
        "inArea": _("Incidents in this area: %(count)s"),
        "pointSeverity": _("One report, coloured by severity:"),
        "heatScale": _("Incidents per area:"),
        "heatRange": _("From %(low)s to %(high)s incidents per area."),
        "loading": _("Loading…"), "failed": _("Could not load the incidents:"),
        "allDates": _("All dates"), "fromMonth": _("First month"),
        "toMonth": _("Last month"),
        "incidentsInMonth": _("%(count)s incidents in %(month)s"),
        "legend": _("Legend"), "ring": _("Last visit: red flags first, then the worst "
                                          "dimension"),
        "ringKey": _("! red flag · 1 poor … 4 good · ? safety or legal safeguards not judged "
                     "· – not assessed"),
        "stale": _("Not visited for %(days)s days"),
        "accessDenied": _("Access denied at the last visit"),
        "cell": _("Incidents counted in an area"), "point": _("One report (colour: severity)"),
        "severity": _("Severity"), "occurred": _("Date"),
        "close": _("Close"),
        "place": _("Place"), "capacity": _("Capacity"), "ringShort": _("Assessment"),
        "dimensions": _("Dimensions at the last visit"), "redFlags": _("Red flags"),
        "noRedFlags": _("No red flag."), "derived": _("derived from the earlier form"),
        "coverage": _("Coverage"), "evidence": _("Evidence"), "indicators": _("Indicators"),
        "noGrade": _("There is no overall grade: each dimension is judged on its own."),
        "facilityStatus": _("Registry status"), "open": _("open"), "closed": _("closed"),
        "lastVisit": _("Last visit"), "never": _("never"),
        "trend": _("Dimension ratings over time"),
        "trendHint": _("Each dimension's rating at each visit: 0 = 1 · poor, 100 = 4 · good."),
        "noTrend": _("No rated visits yet."),
        "visits": _("Visit history"), "noVisits": _("No visits yet."),
        "access": _("Access"), "review": _("Review"), "ownVisit": _("our organisation"),
        "otherVisit": _("coalition"), "organisation": _("Reported by"),
        "nearby": _("Incidents nearby"), "withinKm": _("within %(km)s km"),
        "noNearby": _("No incidents nearby."),
        "photos": _("Latest photos"),
        "photosHint": _("Only your organisation's photos are shown."),
        "noPhotos": _("No photos from your organisation."),
        "photoAlt": _("Photo received %(date)s"),
        "onlyThisFacility": _("Show only this facility's incidents"),
        "reports": _("Reports of this facility in the review queue"),
        "staleNotice": _("Not visited for more than %(days)s days."),
        "deniedNotice": _("Monitors were denied access at the last visit."),
        "panelFailed": _("Could not load the facility:"),
        "km": _("%(n)s km"),
    }


BASEMAP_FILES = ("land.geojson", "borders.geojson", "admin1.geojson", "towns.geojson")


def basemap_config() -> dict:
    """Where the built-in base map's GeoJSON files are (static/basemap/)."""
    return {"basemapUrl": url_for("static", filename="basemap/"),
            # Each file's URL names its content: browsers keep them for good
            # (core/static_files).
            "basemapFiles": {name: versioned_url("basemap/" + name) for name in BASEMAP_FILES}}


def basemap_strings() -> dict[str, str]:
    """The base map's own words (static/js/map/basemap.js): layers, controls, attributions."""
    return {"offline": _("Built-in map (offline)"), "tiles": _("Online map tiles"),
            "borders": _("Borders"), "provinces": _("Provinces"), "towns": _("Towns"),
            "zoomIn": _("Zoom in"), "zoomOut": _("Zoom out"), "layers": _("Map layers"),
            "naturalEarth": _("Boundaries: Natural Earth"),
            "geoNames": _("Towns: GeoNames (CC BY 4.0)")}
