"""Compression and caching on a weak link (issue 18): every text response compressed when the
client accepts it, static files precompressed and cached for good when their URL names their
content, and the CSRF token masked anew in every page (BREACH)."""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
from pathlib import Path

import brotli
import pytest

from server.accounts import csrf
from server.core import static_files
from tests import factories
from tests.conftest import login

STATIC = Path(__file__).resolve().parents[3] / "static"
ADMIN1 = STATIC / "basemap" / "admin1.geojson"


def test_a_static_geojson_goes_out_as_brotli_or_gzip_and_is_revalidated(client):
    raw = ADMIN1.read_bytes()
    br = client.get("/static/basemap/admin1.geojson", headers={"Accept-Encoding": "gzip, br"})
    assert br.status_code == 200 and br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.get_data()) == raw
    assert len(br.get_data()) < len(raw) / 4
    assert br.headers["Content-Type"].startswith("application/geo+json")
    assert "Accept-Encoding" in br.headers["Vary"]
    assert br.headers["Cache-Control"] == "no-cache"
    gz = client.get("/static/basemap/admin1.geojson", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.get_data()) == raw
    plain = client.get("/static/basemap/admin1.geojson", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.get_data() == raw
    # The compressed body's ETag is weak; sent back, it still earns a 304.
    assert br.headers["ETag"].startswith("W/")
    again = client.get("/static/basemap/admin1.geojson",
                       headers={"Accept-Encoding": "gzip, br", "If-None-Match": br.headers["ETag"]})
    assert again.status_code == 304


def test_a_url_naming_the_content_is_cached_for_good_a_wrong_one_is_not(client, app):
    with app.test_request_context():
        url = static_files.versioned_url("basemap/admin1.geojson")
    assert re.search(r"\?v=[0-9a-f]{12}$", url)
    assert client.get(url).headers["Cache-Control"] == "public, max-age=31536000, immutable"
    stale = client.get("/static/basemap/admin1.geojson?v=000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"


@pytest.fixture()
def bundle():
    """A hashed bundle under static/gen/ (in a folder of this test process's own: tests run in
    parallel, and the real bundles beside it are another's business)."""
    folder = STATIC / "gen" / f"zz-test-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "zz-test.0123abcd.js"
    path.write_text("const answer = 42;\n" * 400)
    try:
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_precompressed_copies_are_sent_as_they_are_and_bundles_are_immutable(client, bundle):
    path = bundle
    files, before, after = static_files.precompress(path.parent)  # what the build step does
    assert files == 1 and after < before
    sibling = path.with_name(path.name + ".br")
    url = f"/static/gen/{path.parent.name}/{path.name}"
    response = client.get(url, headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.get_data() == sibling.read_bytes()  # the build's quality-11 copy, as it is
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Type"].startswith("text/javascript")


def test_a_stale_precompressed_copy_is_not_sent(client, bundle):
    path = bundle
    sibling = path.with_name(path.name + ".gz")
    sibling.write_bytes(gzip.compress(b"old content"))
    old = path.stat().st_mtime - 60
    os.utime(sibling, (old, old))
    response = client.get(f"/static/gen/{path.parent.name}/{path.name}",
                          headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(response.get_data()) == path.read_bytes()


def test_api_json_and_pages_are_compressed(client, session, app):
    user = factories.user(session, role="coordinator")
    for index in range(40):
        factories.facility(session, name=f"Facility {index} with a long enough name")
    login(client, user)
    answer = client.get("/api/facilities?limit=100", headers={"Accept-Encoding": "gzip, br"})
    assert answer.status_code == 200 and answer.headers["Content-Encoding"] == "br"
    assert len(json.loads(brotli.decompress(answer.get_data()))["features"]) == 40
    page = client.get("/map", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(page.get_data())
    assert page.headers["Cache-Control"] == "no-store"


def test_small_bodies_are_left_alone(client):
    response = client.get("/static/basemap/README.md", headers={"Accept-Encoding": "gzip"})
    health = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in health.headers
    assert response.status_code == 200


def test_each_page_masks_the_csrf_token_anew_and_every_mask_is_accepted(client):
    pages = [client.get("/sign-in").get_data(as_text=True) for _ in range(2)]
    tokens = [re.search(r'name="csrf-token" content="([^"]+)"', p).group(1) for p in pages]
    assert tokens[0] != tokens[1]
    user_secret = csrf.unmask(tokens[0])
    assert user_secret == csrf.unmask(tokens[1])
    assert csrf.matches(user_secret, tokens[0]) and csrf.matches(user_secret, tokens[1])
    assert csrf.matches(user_secret, user_secret)
    assert not csrf.matches(user_secret, tokens[0][:-4] + "AAAA")
    assert not csrf.matches(user_secret, "not base64 ✓")
    for token in tokens:  # both masks pass the real check (a wrong one does not, see below)
        response = client.post("/sign-in", data={"email": "nobody@example.org",
                                                 "password": "x" * 12, "csrf_token": token})
        assert response.status_code != 403
    forged = client.post("/sign-in", data={"email": "nobody@example.org", "password": "x" * 12,
                                           "csrf_token": csrf.mask("a" * 43)})
    assert forged.status_code == 403



def test_a_stream_is_never_read_into_memory(app):
    """A streamed body (an export) that the client gets uncompressed stays a stream: the hook
    does not buffer it to compress it."""
    from flask import Response

    from server.core import compress

    def chunks():
        yield b"x" * 5000
        raise AssertionError("read past the first chunk")

    with app.test_request_context(headers={"Accept-Encoding": "br"}):
        response = Response(chunks(), mimetype="text/csv", direct_passthrough=True)
        out = compress.compress_response(response)
    assert out.is_streamed and "Content-Encoding" not in out.headers
