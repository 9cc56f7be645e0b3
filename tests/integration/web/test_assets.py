"""Front-end bundles: they build from the vendored npm packages and our files, are served from
our own origin, and their URLs carry a content version (cache-busting)."""
from __future__ import annotations

import os
import re

import pytest
from flask import Flask, render_template_string

from server.web import assets

VERSIONED = re.compile(r"^/static/gen/(?P<name>[a-z]+)\.(?P<version>[0-9a-f]{8})\.(js|css)$")

# bundle -> a string that must be in it (proof the right sources went in)
CONTENT = {
    "vendor_js": ['t.version="1.9.4"', "heatLayer"],  # Leaflet and leaflet.heat
    "vendor_css": [".leaflet-container", "url(../vendor/leaflet/images/layers.png)"],
    "app_css": ["--nz-ink"],
    # ES modules bundled by esbuild: the entry and the modules it imports, in one file.
    "map_js": ["static/js/map/basemap.js", "static/js/map/facilities.js", "nz-map-config",
               "static/js/map/incidents.js", "static/js/map/panel.js", "static/js/map/state.js",
               "static/js/nezarat.js"],
    "map_css": [".nz-map", ".nz-ring-red-flag"],
    "review_js": ["static/js/review/state.js", "static/js/review/render.js",
                  "static/js/review/keyboard.js", "static/js/review/api.js", "nz-review-config"],
    "review_css": [".nz-review-item"],
    "cases_js": ["static/js/cases/crypto.js", "static/js/cases/odk.js", "static/js/cases/md5.js",
                 "static/js/cases/keyring.js", "nz-cases-config", "PBKDF2"],
    "cases_css": [".nz-case-altered"],
    "compare_js": ["static/js/compare.js", "aria-sort"],
    "compare_css": [".nz-compare-table"],
    # the phone app's own model and renderer (static/mobile/js), not a copy
    "form_preview_js": ["static/mobile/js/model.js", "static/mobile/js/render.js",
                        "static/mobile/js/xpath.js", "form-definition"],
}


@pytest.mark.parametrize("name", sorted(assets.BUNDLES))
def test_bundle_builds_and_is_served_with_a_version(app, client, name):
    with app.test_request_context():
        urls = assets.asset_urls(name)
    assert len(urls) == 1  # one file per bundle, not the sources one by one
    match = VERSIONED.match(urls[0])
    assert match, urls[0]
    response = client.get(urls[0])
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    for needle in CONTENT[name]:
        assert needle in body
    # Our modules are bundled: no import is left for the browser to fetch, and no test hook is
    # exposed on window.
    assert not re.search(r"^\s*import\b", body, re.MULTILINE)
    assert "window.Nezarat" not in body


def test_every_bundle_is_checked():
    assert set(CONTENT) == set(assets.BUNDLES)


def test_leaflet_images_are_served(client):
    response = client.get("/static/vendor/leaflet/images/layers.png")
    assert response.status_code == 200
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_macros_emit_versioned_tags(app):
    with app.test_request_context():
        html = render_template_string(
            '{% import "_assets.html" as a %}{{ a.stylesheets("vendor_css", "map_css") }}'
            '{{ a.scripts("vendor_js") }}{{ a.modules("map_js", "review_js") }}')
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', html)
    scripts = re.findall(r'<script src="([^"]+)" defer></script>', html)
    modules = re.findall(r'<script type="module" src="([^"]+)"></script>', html)
    assert [VERSIONED.match(u).group("name") for u in links] == ["vendor", "map"]
    assert [VERSIONED.match(u).group("name") for u in scripts] == ["vendor"]
    assert [VERSIONED.match(u).group("name") for u in modules] == ["map", "review"]


def test_module_bundle_follows_an_imported_module(tmp_path, monkeypatch):
    """An ES-module bundle is rebuilt (new URL, new content) when a module it imports changes,
    not only its entry."""
    static = tmp_path / "static"
    (static / "js" / "map").mkdir(parents=True)
    (static / "js" / "map" / "main.js").write_text(
        'import {word} from "../words.js";\ndocument.title = word;\n')
    words = static / "js" / "words.js"
    words.write_text('export const word = "first";\n')
    monkeypatch.setattr(assets, "MODULE_SOURCES", static / "js")
    monkeypatch.setattr(assets, "BUNDLES", {"main_js": (("js/map/main.js",),
                                                        "gen/main.%(version)s.js", "esbuild")})
    app = Flask(__name__, static_folder=str(static))
    app.config["ASSETS_CACHE"] = str(tmp_path / "cache")
    assets.init_app(app)
    with app.test_request_context():
        first = assets.asset_urls("main_js")[0]
        words.write_text('export const word = "second";\n')
        later = words.stat().st_mtime + 5
        os.utime(words, (later, later))
        second = assets.asset_urls("main_js")[0]
    assert first != second
    built = (static / second.removeprefix("/static/")).read_text()
    assert '"second"' in built and "import" not in built


def test_version_follows_the_content(tmp_path, monkeypatch):
    """Change a source and the bundle gets a new URL; the old file stays for cached pages."""
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    source = static / "js" / "one.js"
    source.write_text("var one = 1;\n")
    monkeypatch.setattr(assets, "BUNDLES", {"one_js": (("js/one.js",), "gen/one.%(version)s.js",
                                                       None)})
    app = Flask(__name__, static_folder=str(static))
    app.config["ASSETS_CACHE"] = str(tmp_path / "cache")
    assets.init_app(app)
    with app.test_request_context():
        first = assets.asset_urls("one_js")[0]
        again = assets.asset_urls("one_js")[0]
        source.write_text("var one = 2;\n")
        later = source.stat().st_mtime + 5  # an edit made later than the build (mtime is coarse)
        os.utime(source, (later, later))
        second = assets.asset_urls("one_js")[0]
    assert first == again
    assert first != second
    assert VERSIONED.match(first) and VERSIONED.match(second)
    assert (static / second.removeprefix("/static/")).read_text() == "var one = 2;\n"


def test_bundles_built_by_root_are_served_by_the_app_user():
    """A server builds the bundles as root (`nezarat assets build`) and runs the app as its own
    user (deploy/systemd/nezarat.service): that user must read what the build left in the cache,
    or every page is a 500 (found by following the README's runbook)."""
    import subprocess
    import sys
    import tempfile
    import textwrap
    from pathlib import Path

    if os.geteuid() != 0:
        pytest.skip("needs root: the build's owner and the app's user must differ")
    root = Path(tempfile.mkdtemp(prefix="nezarat-assets-"))
    try:
        root.chmod(0o755)
        (root / "static" / "js").mkdir(parents=True)
        (root / "static" / "js" / "one.js").write_text("var one = 1;\n")
        script = textwrap.dedent("""
            import sys
            from flask import Flask
            from server.web import assets
            assets.BUNDLES = {"one_js": (("js/one.js",), "gen/one.%(version)s.js", None)}
            app = Flask("probe", static_folder=sys.argv[1] + "/static")
            app.config["ASSETS_CACHE"] = sys.argv[1] + "/cache"
            assets.init_app(app)
            with app.test_request_context():
                print(assets.asset_urls("one_js")[0])
        """)
        source = str(Path(assets.__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": source}
        built = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True,
                               text=True, cwd="/", env=env)
        assert built.returncode == 0, built.stderr
        served = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                 sys.executable, "-c", script, str(root)], capture_output=True,
                                text=True, cwd="/", env=env)
        assert served.returncode == 0, served.stderr[-1500:]
        assert served.stdout == built.stdout
    finally:
        import shutil
        shutil.rmtree(root, ignore_errors=True)
