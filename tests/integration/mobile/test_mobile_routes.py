"""The mobile app's server side: a public shell that carries no data, form definitions, field
mapping and facility list for device tokens only, with ETags, and a field mapping that matches
what POST /api/submissions accepts."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from server.forms import catalog, fields
from server.incidents.schemas import AffectedSchema, IncidentInSchema
from server.mobile import fieldmap, shell
from server.visits.schemas import AssessmentSchema, HeldSchema, ReportSchema, ReturneeGroupSchema
from tests import factories

FORM = "nezarat_visit"
DATA_URLS = ["/m/forms/index.json", f"/m/forms/{FORM}.json", f"/m/forms/{FORM}/fields.json",
             f"/m/forms/{FORM}/media/facilities.csv"]


@pytest.fixture()
def device(session):
    monitor = factories.user(session, role="monitor")
    return factories.bearer(factories.device_token(session, monitor))


def test_shell_is_public_and_has_no_inline_code(client):
    page = client.get("/m/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # every script is a file
    assert " style=" not in html and "<style" not in html
    manifest = client.get("/m/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    assert json.loads(manifest.data)["scope"] == "/m/"
    assert {icon["sizes"] for icon in json.loads(manifest.data)["icons"]} >= {"192x192", "512x512"}


def test_service_worker_precaches_every_shell_file(client):
    response = client.get("/m/sw.js")
    assert response.status_code == 200 and response.headers["Service-Worker-Allowed"] == "/m/"
    source = response.get_data(as_text=True)
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", source).group(1))
    assert "/m/" in precache and "/m/static/js/main.js" in precache
    assert not any("vendor/" in url for url in precache)
    for url in precache:
        assert client.get(url).status_code == 200, url
    version = re.search(r'const VERSION = "([0-9a-f]{16})"', source).group(1)
    assert version == shell.version(shell.shell_files())


@pytest.mark.parametrize("url", DATA_URLS)
def test_data_needs_a_device_token(client, session, url):
    assert client.get(url).status_code == 401
    assert client.get(url, headers=factories.bearer("nzd_not-a-real-token-at-all")).status_code == 401
    monitor = factories.user(session, role="monitor")
    revoked = factories.device_token(session, monitor, revoked=True)
    assert client.get(url, headers=factories.bearer(revoked)).status_code == 401


def test_definition_is_the_built_json_with_an_etag(client, device):
    response = client.get(f"/m/forms/{FORM}.json", headers=device)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.data == (catalog.BUILD_DIR / f"{FORM}.json").read_bytes()
    again = client.get(f"/m/forms/{FORM}.json",
                       headers={**device, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    stale = client.get(f"/m/forms/{FORM}.json", headers={**device, "If-None-Match": '"old"'})
    assert stale.status_code == 200
    assert client.get("/m/forms/no_such_form.json", headers=device).status_code == 404


def test_index_lists_the_form_and_its_parts(client, device):
    forms = client.get("/m/forms/index.json", headers=device).get_json()["forms"]
    visit = next(f for f in forms if f["id"] == FORM)
    assert visit["definition"] == f"/m/forms/{FORM}.json"
    assert visit["fields"] == f"/m/forms/{FORM}/fields.json"
    assert visit["media"] == {"facilities.csv": f"/m/forms/{FORM}/media/facilities.csv"}


def test_facility_list_is_the_forms_media_file(client, session, device):
    open_one = factories.facility(session, name="Islam Qala", status="open")
    closed = factories.facility(session, name="Old camp", status="closed")
    response = client.get(f"/m/forms/{FORM}/media/facilities.csv", headers=device)
    names = [row["name"] for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))]
    assert str(open_one.id) in names and str(closed.id) not in names
    assert client.get(f"/m/forms/{FORM}/media/facilities.csv",
                      headers={**device, "If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get(f"/m/forms/{FORM}/media/other.csv", headers=device).status_code == 404


def _schema_accepts(schema, key: str) -> bool:
    head, _, rest = key.removesuffix("[]").partition(".")
    nested = {"held": HeldSchema, "affected": AffectedSchema, "assessment": AssessmentSchema}
    if head not in schema.fields:
        return False
    if rest and head in nested:
        return rest.partition(".")[0] in nested[head]().fields
    return True


def test_field_mapping_lands_on_fields_the_submission_api_accepts(client, device):
    exported = client.get(f"/m/forms/{FORM}/fields.json", headers=device).get_json()
    definition = client.get(f"/m/forms/{FORM}.json", headers=device).get_json()
    paths = set()

    def walk(node, prefix):
        for child in node.get("children", []):
            if child.get("type") in ("group", "repeat") or "bind" in child or "label" in child:
                paths.add(f"{prefix}/{child['name']}")
            if child.get("type") in ("group", "repeat"):
                walk(child, f"{prefix}/{child['name']}")

    walk(definition, f"/{definition['name']}")
    assert len(exported["fields"]) == len([f for f in fields.FIELDS if not f.earlier])
    for item in exported["fields"]:
        schema = {"visit": ReportSchema, "incident": IncidentInSchema,
                  "returnee": ReturneeGroupSchema}[item["scope"]]()
        if item["key"] != "consent_interview":  # the app keeps only groups that consented
            assert _schema_accepts(schema, item["key"]), item
        assert item["path"] in paths, item
        assert item["type"] in ("string", "date", "integer", "number", "point", "accuracy",
                                "boolean", "instance_id", "rating", "list")
    keys = {(i["scope"], i["key"]) for i in exported["fields"]}
    assert {("visit", "id"), ("visit", "facility_id"), ("visit", "held.women"),
            ("visit", "photos[]"), ("incident", "affected.men"), ("incident", "severity"),
            ("visit", "observations.water_quantity")} <= keys


def test_every_kind_of_answer_has_a_json_type():
    assert set(fields._CONVERTERS) == set(fieldmap.JSON_TYPES)


def test_precompressed_copies_are_not_part_of_the_shell(tmp_path, monkeypatch):
    """`flask compress-static` writes .br/.gz copies beside the app's files: the service worker
    must not precache them as files of their own (they doubled the shell)."""
    import shutil

    from server.mobile import shell
    (tmp_path / "js").mkdir()
    for name in ("index.html", "manifest.webmanifest"):
        shutil.copy(shell.STATIC / name, tmp_path / name)
    for name in ("js/main.js", "js/main.js.gz", "js/main.js.br", "js/vendor.js.LICENSE"):
        (tmp_path / name).write_text("x")
    monkeypatch.setattr(shell, "STATIC", tmp_path)
    urls = [item.url for item in shell.shell_files()]
    assert shell.PREFIX + "static/js/main.js" in urls
    assert not [url for url in urls if url.endswith((".gz", ".br", ".LICENSE"))]
