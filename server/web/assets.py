"""Front-end bundles: Flask-Assets (webassets) joins our JS/CSS and the vendored libraries into
static/gen/, each file named by a hash of its content so browsers can cache it for good.

The libraries come from npm (package.json, pinned) and are copied into static/vendor/ by
scripts/vendor.py during `make install`; nothing is ever loaded from a CDN. Our own scripts are
ES modules: each page's entry module (e.g. js/map/workspace.js) is bundled with everything it
imports by esbuild (npm, pinned; a native binary, run here whenever a source changed) into one
file, loaded with <script type="module">. Pages emit the tags with the macros in
templates/_assets.html, e.g. `{{ assets.scripts("vendor_js") }}{{ assets.modules("map_js") }}`.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from flask import Flask, current_app
from flask_assets import Bundle, Environment
from webassets.exceptions import FilterError
from webassets.filter import Filter

ROOT = Path(__file__).resolve().parents[2]
MODULE_SOURCES = ROOT / "static" / "js"
# Every module an entry may import: a change to any of them rebuilds the bundles that use it.
MODULE_DEPENDS = ("js/*.js", "js/map/*.js", "js/review/*.js", "js/cases/*.js",
                  "./mobile/js/*.js")  # "./": not the mobile blueprint


ESBUILD_OPTIONS = ("--bundle", "--format=esm", "--target=es2020", "--charset=utf8",
                   "--log-level=warning")


class ESBuild(Filter):
    """One ES module and everything it imports, bundled by esbuild into one ES module."""

    name = "esbuild"

    def open(self, out, source_path, **kw):
        binary = os.environ.get("ESBUILD_BINARY") or str(ROOT / "node_modules" / ".bin" / "esbuild")
        try:
            result = subprocess.run(
                [binary, source_path, *ESBUILD_OPTIONS],
                capture_output=True, text=True, check=False, timeout=60)
        except FileNotFoundError as error:
            raise FilterError(f"{binary} is missing: run `make install` (npm ci)") from error
        if result.returncode:
            raise FilterError(f"esbuild failed on {source_path}:\n{result.stderr}")
        out.write(result.stdout)

    def get_additional_cache_keys(self, **kw):
        # webassets caches an open() result by the entry file alone: key it by every module.
        digest = hashlib.sha256(" ".join(ESBUILD_OPTIONS).encode())  # and by how it is built
        for path in [*sorted(MODULE_SOURCES.rglob("*.js")),
                     *sorted((MODULE_SOURCES.parent / "mobile" / "js").glob("*.js"))]:
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes())
        return [digest.hexdigest()]


# name -> (files under static/, output pattern, filters)
BUNDLES: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    "vendor_js": (("vendor/leaflet/leaflet.js", "vendor/leaflet.heat/leaflet-heat.js"),
                  "gen/vendor.%(version)s.js", None),
    # cssrewrite keeps Leaflet's url(images/...) pointing at static/vendor/leaflet/images/.
    "vendor_css": (("vendor/leaflet/leaflet.css",), "gen/vendor.%(version)s.css", "cssrewrite"),
    "app_css": (("css/app.css",), "gen/app.%(version)s.css", "cssrewrite"),
    # ES modules: the page's entry module, bundled with its imports (the shared helpers of
    # js/nezarat.js go into each page's bundle).
    "map_js": (("js/map/workspace.js",), "gen/map.%(version)s.js", "esbuild"),
    "map_css": (("css/map.css", "css/workspace.css"), "gen/map.%(version)s.css", "cssrewrite"),
    "review_js": (("js/review/main.js",), "gen/review.%(version)s.js", "esbuild"),
    "review_css": (("css/review.css",), "gen/review.%(version)s.css", "cssrewrite"),
    # Protection cases (issue 19): the key holders' pages; sealing keys are made and opened here.
    "cases_js": (("js/cases/main.js",), "gen/cases.%(version)s.js", "esbuild"),
    "cases_css": (("css/cases.css",), "gen/cases.%(version)s.css", "cssrewrite"),
    # The facility comparison table (issue 18).
    "compare_js": (("js/compare.js",), "gen/compare.%(version)s.js", "esbuild"),
    "compare_css": (("css/compare.css",), "gen/compare.%(version)s.css", "cssrewrite"),
    # The preview of an uploaded form in the phone app's own renderer (static/mobile/js).
    "form_preview_js": (("js/form_preview.js",), "gen/formpreview.%(version)s.js", "esbuild"),
}


def init_app(app: Flask) -> None:
    root = Path(app.root_path).parent
    # The cache (and the version manifest kept in it) lives outside static/, so it is not served;
    # the cache manifest is the one webassets calls safe for several worker processes.
    app.config.setdefault("ASSETS_CACHE", str(root / "var" / "webassets-cache"))
    app.config.setdefault("ASSETS_MANIFEST", "cache")
    # A server builds as root and serves as its own user, who must read the cache (versions,
    # bundle hashes; no secret): webassets would write it 0600.
    app.config.setdefault("ASSETS_CACHE_FILE_MODE", 0o644)
    app.config.setdefault("ASSETS_VERSIONS", "hash")
    app.config.setdefault("ASSETS_URL_EXPIRE", False)  # the version is in the file name
    app.config.setdefault("ASSETS_AUTO_BUILD", True)  # rebuilds only when a source changed
    app.config.setdefault("ASSETS_DEBUG", False)
    Path(app.config["ASSETS_CACHE"]).mkdir(parents=True, exist_ok=True)

    env = Environment(app)
    for name, (files, output, filters) in BUNDLES.items():
        if filters == "esbuild":
            bundle = Bundle(*files, output=output, filters=ESBuild(), depends=MODULE_DEPENDS)
        else:
            bundle = Bundle(*files, output=output, filters=filters)
        env.register(name, bundle)
    app.add_template_global(asset_urls)


def asset_urls(name: str) -> list[str]:
    """The URLs of one bundle (building it first if a source changed)."""
    return current_app.jinja_env.assets_environment[name].urls()
