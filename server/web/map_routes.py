"""The coordinator workspace page: the map (its data comes from the JSON APIs).

Coordinators get the whole workspace (facility conditions, incidents, filters, the facility
panel, export); other signed-in users see the facility registry on the base map."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _

from ..core import access
from ..core.access import current_principal
from . import workspace as workspace_data
from .i18n import current_language
from .method_labels import kind_labels
from .pages import install

# Errors as pages (signing in first when needed), never cached: see pages.install.
blp = install(Blueprint("map_workspace", __name__, template_folder="templates"))

# The number of facilities one API page carries; the page follows `next` links for the rest.
FACILITY_PAGE = 1000
LAYER_LIMIT = 5000  # the facilities layer of the map API answers in one response


def is_coordinator() -> bool:
    return current_principal().role == "coordinator" and current_principal().kind == "user"


def map_config() -> dict:
    """Everything the map scripts need, handed over as a JSON block (no inline script)."""
    return {
        **workspace_data.basemap_config(),
        "iconUrl": url_for("static", filename="img/facilities/"),
        # Coordinators: the map API's layer, with each facility's latest ring.
        "facilitiesUrl": (url_for("map_data.facilities_layer", limit=LAYER_LIMIT)
                          if is_coordinator()
                          else url_for("facilities.list_facilities", limit=FACILITY_PAGE)),
        "workspace": workspace_data.map_workspace_config() if is_coordinator() else None,
        "tileUrl": current_app.config.get("TILE_URL") or None,
        "tileAttribution": current_app.config.get("TILE_ATTRIBUTION") or "",
        "language": current_language().code,
        "kindLabels": kind_labels(),
        "strings": {
            **workspace_data.basemap_strings(), "facilities": _("Facilities"),
            "loadFailed": _("The map could not load:"),
            "truncated": _("Not every facility is shown: there are too many."),
        },
    }


@blp.route("/map", methods=["GET"])
@access.access(access.signed_in)
def workspace():
    options = workspace_data.filter_options() if is_coordinator() else None
    return render_template("map.html", map_config=map_config(), options=options)
