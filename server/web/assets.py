"""Front-end bundles: Flask-Assets (webassets) joins our JS/CSS and the vendored libraries into
static/gen/, each file named by a hash of its content so browsers can cache it for good.

The libraries come from npm (package.json, pinned) and are copied into static/vendor/ by
scripts/vendor.py during `make install`; nothing is ever loaded from a CDN. Pages emit the tags
with the macros in templates/_assets.html, e.g. `{{ assets.scripts("vendor_js", "map_js") }}`.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app
from flask_assets import Bundle, Environment

# name -> (files under static/, output pattern, filters)
BUNDLES: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    "vendor_js": (("vendor/leaflet/leaflet.js", "vendor/leaflet.heat/leaflet-heat.js"),
                  "gen/vendor.%(version)s.js", None),
    # cssrewrite keeps Leaflet's url(images/...) pointing at static/vendor/leaflet/images/.
    "vendor_css": (("vendor/leaflet/leaflet.css",), "gen/vendor.%(version)s.css", "cssrewrite"),
    "chart_js": (("vendor/uplot/uPlot.iife.min.js",), "gen/chart.%(version)s.js", None),
    "chart_css": (("vendor/uplot/uPlot.min.css",), "gen/chart.%(version)s.css", "cssrewrite"),
    "app_js": (("js/nezarat.js",), "gen/app.%(version)s.js", None),
    "app_css": (("css/app.css",), "gen/app.%(version)s.css", "cssrewrite"),
    "map_js": (("js/map/basemap.js", "js/map/facilities.js", "js/map/state.js",
                "js/map/incidents.js", "js/map/timeline.js", "js/map/filters.js",
                "js/map/panel.js", "js/map/legend.js", "js/map/workspace.js"),
               "gen/map.%(version)s.js", None),
    "map_css": (("css/map.css", "css/workspace.css"), "gen/map.%(version)s.css", "cssrewrite"),
    "review_js": (("js/review/queue.js",), "gen/review.%(version)s.js", None),
    "review_css": (("css/review.css",), "gen/review.%(version)s.css", "cssrewrite"),
}


def init_app(app: Flask) -> None:
    root = Path(app.root_path).parent
    # The cache (and the version manifest kept in it) lives outside static/, so it is not served;
    # the cache manifest is the one webassets calls safe for several worker processes.
    app.config.setdefault("ASSETS_CACHE", str(root / "var" / "webassets-cache"))
    app.config.setdefault("ASSETS_MANIFEST", "cache")
    app.config.setdefault("ASSETS_VERSIONS", "hash")
    app.config.setdefault("ASSETS_URL_EXPIRE", False)  # the version is in the file name
    app.config.setdefault("ASSETS_AUTO_BUILD", True)  # rebuilds only when a source changed
    app.config.setdefault("ASSETS_DEBUG", False)
    Path(app.config["ASSETS_CACHE"]).mkdir(parents=True, exist_ok=True)

    env = Environment(app)
    for name, (files, output, filters) in BUNDLES.items():
        env.register(name, Bundle(*files, output=output, filters=filters))
    app.add_template_global(asset_urls)


def asset_urls(name: str) -> list[str]:
    """The URLs of one bundle (building it first if a source changed)."""
    return current_app.jinja_env.assets_environment[name].urls()
