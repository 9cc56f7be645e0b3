"""A client generated from /api/openapi.json by openapi-python-client (PyPI) works against the
app: it is generated with no operation or response left out, and calling the app through it, as
each kind of caller, gives typed models the document promised (a response that contradicts its
schema fails to parse; an undocumented status raises).

The client talks to the app in-process through httpx's WSGI transport, on the test's database."""
from __future__ import annotations

import hashlib
import importlib
import json
import shutil
import subprocess
import sys
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests import factories
from tests.cache import kept
from tests.integration.partner import helpers

httpx = pytest.importorskip("httpx")
GENERATOR = shutil.which("openapi-python-client",
                         path=str(Path(sys.executable).parent)) or shutil.which(
    "openapi-python-client")
pytestmark = pytest.mark.skipif(GENERATOR is None, reason="openapi-python-client not installed")

# The generator reads JSON bodies and raw bytes; these media types are raw bytes to it.
CONFIG = {"content_type_overrides": {kind: "application/octet-stream" for kind in (
    "image/jpeg", "image/png", "image/webp", "image/svg+xml", "text/csv", "application/pdf",
    "text/html")}}
PACKAGE = "nezarat_generated_client"


# A generated client is kept for the next run, keyed by everything the generation reads (the
# document, the configuration, the generator's and its formatter's versions): the generator
# with its formatting hooks takes seconds, and the same inputs give the same client.


def _versions() -> list[str]:
    from importlib import metadata
    found = []
    for name in ("openapi-python-client", "ruff"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return found + [sys.version]


def _generate(spec: str, out: Path) -> str:
    """The generator run on `spec` into out/PACKAGE; returns what it printed."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "openapi.json").write_text(spec)
    (out / "config.json").write_text(json.dumps(CONFIG))
    bin_dir = str(Path(GENERATOR).parent)
    run = subprocess.run([GENERATOR, "generate", "--path", str(out / "openapi.json"),
                          "--meta", "none", "--config", str(out / "config.json"),
                          "--output-path", str(out / PACKAGE)],
                         capture_output=True, text=True, timeout=300,
                         env={"PATH": bin_dir + ":/usr/bin:/bin", "HOME": str(out)})
    assert run.returncode == 0, run.stdout + run.stderr
    printed = run.stdout + run.stderr
    (out / "printed.txt").write_text(printed)
    return printed


def _generated_from(spec: str, tmp: Path) -> tuple[Path, str]:
    """(the folder holding the package, what the generator printed), from the cache when the
    same inputs were generated before."""
    key = hashlib.sha256(json.dumps([spec, CONFIG, _versions()]).encode()).hexdigest()[:32]
    root = kept(f"client-{key}", lambda folder: _generate(spec, folder))
    if root is None:
        return tmp, _generate(spec, tmp)
    return root, (root / "printed.txt").read_text()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(the generated package, what the generator printed), built from the app's document."""
    from server import create_app
    from tests.conftest import TEST_DATABASE_URL
    app = create_app({"DATABASE_URL": TEST_DATABASE_URL, "SECRET_KEY": "generator",
                      "TESTING": True})
    spec = json.dumps(app.test_client().get("/api/openapi.json").get_json())
    root, printed = _generated_from(spec, tmp_path_factory.mktemp("client"))
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE), printed
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _api(package, module: str):
    return importlib.import_module(f"{PACKAGE}.api.{module}")


def _client(package, app, *, token=None, cookies=None, headers=None):
    transport = httpx.WSGITransport(app=app)
    kwargs = dict(base_url="http://localhost", raise_on_unexpected_status=True,
                  httpx_args={"transport": transport}, cookies=cookies or {},
                  headers={"Accept-Encoding": "identity", **(headers or {})})
    if token:
        return package.AuthenticatedClient(token=token, **kwargs)
    return package.AuthenticatedClient(token="", prefix="", auth_header_name="X-None", **kwargs)


def test_every_operation_and_response_is_generated(generated):
    """The generator leaves out what it cannot read in a document (an array without items, an
    enum of mixed types, two operations with one name): none of that here."""
    _, printed = generated
    left_out = [line for line in printed.splitlines()
                if line.startswith(("WARNING", "Unable to", "Cannot parse", "Failure"))]
    assert not left_out, printed


def test_a_generated_client_works_as_every_kind_of_caller(app, session, generated):
    package, _ = generated
    models = importlib.import_module(f"{PACKAGE}.models")
    org = factories.organisation(session)
    facility = factories.facility(session, lon=61.0667, lat=34.6667)
    monitor = factories.user(session, role="monitor", organisation=org)
    coordinator = factories.user(session, role="coordinator", organisation=org)
    admin = factories.user(session, role="admin", organisation=org)

    # a monitor's phone sends a report and reads its own visits back
    phone = _client(package, app, token=factories.device_token(session, monitor))
    now = datetime.now(timezone.utc)
    body = models.Report.from_dict({
        "id": str(uuid.uuid4()), "facility_id": str(facility.id),
        "started_at": (now - timedelta(hours=3)).isoformat(),
        "ended_at": (now - timedelta(hours=2)).isoformat(),
        "position": {"type": "Point", "coordinates": [61.0668, 34.6668]},
        "position_accuracy_m": 6, "access": "full",
        "held": {"women": 20, "men": 110, "girls": 5, "boys": 5, "unaccompanied": 2},
        "notes": "notes", "photos": [],
        "incidents": [{"type": "arbitrary_arrest", "occurred_on": date.today().isoformat(),
                       "location_precision": "facility", "severity": 3,
                       "affected": {"men": 4}, "narrative": "narrative"}]})
    sent = _api(package, "visits.post_api_submissions").sync_detailed(client=phone, body=body)
    assert sent.status_code == 201, sent.content
    visits = _api(package, "visits.get_api_visits").sync(client=phone, limit=1)
    assert [str(v.id) for v in visits.items] == [str(body.id)]
    one = _api(package, "visits.get_api_visits_visit_id").sync(client=phone, visit_id=body.id)
    assert str(one.id) == str(body.id) and len(one.incidents) == 1
    mine = _api(package, "my_reports.get_api_my_reports").sync(client=phone)
    assert [str(r.id) for r in mine.items] == [str(body.id)]

    # a coordinator reviews it, through a browser session (cookie + CSRF header)
    def browser(user):
        cookie, csrf = factories.browser_session(session, user)
        return _client(package, app, cookies={app.config["SESSION_COOKIE_NAME"]: cookie},
                       headers={"X-CSRF-Token": csrf})
    desk = browser(coordinator)
    incidents = _api(package, "incidents.get_api_incidents").sync(client=desk)
    assert len(incidents.items) == 1
    incident_id = incidents.items[0].id
    review = models.Review.from_dict({"action": "verify"})
    reviewed = _api(package, "review.post_api_incidents_incident_id_review").sync(
        client=desk, incident_id=incident_id, body=review)
    assert reviewed.verification_status == "verified"

    # an admin reads the lists, paging with the cursor of a `next` link
    office = browser(admin)
    factories.organisation(session)
    first = _api(package, "accounts.get_api_organisations").sync(client=office, limit=1)
    follow = [link for link in first.links if link.rel == "next"]
    assert len(first.items) == 1 and follow
    cursor = follow[0].href.split("cursor=", 1)[1]
    second = _api(package, "accounts.get_api_organisations").sync(client=office, limit=1,
                                                                   cursor=cursor)
    assert second.items[0].id != first.items[0].id
    users = _api(package, "accounts.get_api_users").sync(client=office)
    assert {u.role for u in users.items} >= {"monitor", "coordinator", "admin"}
    assert _api(package, "credentials.get_api_device_tokens").sync(client=office).items
    assert _api(package, "audit.get_api_audit").sync(client=office, limit=5).items

    # a partner reads its feed and the OGC collection (GeoJSON)
    partner_org, partner_headers = helpers.partner(session, location_precision="exact")
    shared = helpers.incident(session)
    token = partner_headers["Authorization"].split(" ", 1)[1]
    reader = _client(package, app, token=token)
    feed = _api(package, "partner.get_api_partner_v1_incidents").sync(client=reader)
    assert feed.type_.value == "FeatureCollection"
    assert str(shared.id) in {str(f.id) for f in feed.features}
    items = _api(package, "ogcapi.get_ogc_collections_collection_id_items").sync(
        client=reader, collection_id="incidents")
    assert items.features

    # an error is a problem+json the client reads as the document's Problem
    refused = _api(package, "accounts.get_api_users").sync(client=office, limit=0)
    assert isinstance(refused, models.Problem) and refused.status == 422
    anonymous = _client(package, app)
    denied = _api(package, "visits.get_api_visits").sync(client=anonymous)
    assert isinstance(denied, models.Problem) and denied.status == 401
