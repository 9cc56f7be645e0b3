"""The monitors' mobile web app (/m/) in headless Chromium with a phone's viewport: sign in with a
device token, fill in a visit offline with an incident and a photo, find it still queued and
encrypted after a reload, watch it upload exactly once when the phone is back online, wipe the
phone, and read the app in Dari, right to left."""
from __future__ import annotations

import base64
import gzip
import io
import json
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import numpy
import pytest
from PIL import ExifTags, Image
from sqlalchemy import select, update

from server.accounts.models import DeviceToken, User
from server.attachments.models import Attachment
from server.core import storage
from server.core.db import db
from server.forms import catalog
from server.incidents.models import Incident, IncidentSensitive
from server.mobile import shell
from server.visits.models import SubmissionRecord, Visit, VisitSensitive
from tests import factories
from tests.browser.conftest import RECORD_CSP, csp_violations, wait_until

PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
             has_touch=True, locale="en-GB", service_workers="allow",
             geolocation={"latitude": 34.11472, "longitude": 71.08472, "accuracy": 8},
             permissions=["geolocation"])
# 127.0.0.1 is no WebAuthn relying party: the app asks for a passphrase (test_mobile_vault.py
# signs in with a hardware-bound key and a PIN at localhost).
PIN = "quartz lantern mosaic 47 drizzle"
ROOT = "/nezarat_visit"
NOTES = "Cell block seven floods when it rains"
NARRATIVE = "Two men were beaten with cables at the gate"
SHELL_BUDGET = 150 * 1024

# Every database, cache and storage the page can see, as text: typed arrays as Latin-1 and
# UTF-8 so that any plain answer in them would show.
DUMP_STORAGE = """async () => {
  const asText = (v) => {
    if (v instanceof ArrayBuffer) v = new Uint8Array(v);
    if (ArrayBuffer.isView(v)) {
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      let latin1 = "";
      for (let i = 0; i < bytes.length; i += 8192) latin1 += String.fromCharCode(...bytes.subarray(i, i + 8192));
      return latin1 + new TextDecoder().decode(bytes);
    }
    if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => k + ":" + asText(x)).join("|");
    return String(v);
  };
  const ask = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  const out = {indexeddb: {}, caches: {}, localStorage: {...localStorage},
               sessionStorage: {...sessionStorage},
               workers: (await navigator.serviceWorker.getRegistrations()).map((r) => r.scope),
               databases: (await indexedDB.databases()).map((d) => d.name)};
  if (out.databases.includes("nezarat")) {
    const db = await ask(indexedDB.open("nezarat"));
    for (const name of db.objectStoreNames) {
      const store = db.transaction(name).objectStore(name);
      const keys = await ask(store.getAllKeys());
      const values = await ask(store.getAll());
      out.indexeddb[name] = keys.map((k, i) => [String(k), asText(values[i])]);
    }
    db.close();
  }
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    out.caches[name] = {};
    for (const request of await cache.keys()) {
      out.caches[name][request.url] = await (await cache.match(request)).text();
    }
  }
  return out;
}"""


# Whether the app's IndexedDB holds a record under this key (%s: the key as JSON).
HAS_RECORD = """new Promise((done, fail) => {
  const open = indexedDB.open("nezarat");
  open.onerror = () => fail(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const ask = db.transaction("records").objectStore("records").getKey(%s);
    ask.onsuccess = () => { db.close(); done(ask.result !== undefined); };
    ask.onerror = () => { db.close(); fail(ask.error); };
  };
})"""


@pytest.fixture()
def monitor(live_server):
    """A monitor with a device token and a border crossing, committed for the live server."""
    with live_server.app_context():
        session = db.session
        org = factories.organisation(session)
        account = factories.user(session, role="monitor", organisation=org)
        # the Pakistani side: the deporting state's procedures are asked there (not in AFG)
        crossing = factories.facility(session, lon=71.09, lat=34.11, name="Torkham",
                                      kind="border_crossing", status="open", country="PAK",
                                      admin1="Khyber Pakhtunkhwa")
        token = factories.device_token(session, account)
        session.commit()
        return SimpleNamespace(token=token, facility_id=str(crossing.id), user_id=account.id,
                               base=live_server.config["LIVE_URL"])


@pytest.fixture()
def phone(browser):
    context = browser.new_context(**PHONE)
    context.add_init_script(RECORD_CSP)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    # Refused or cut requests are part of these tests; anything else logged as an error is not.
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and page.errors.append(m.text))
    yield SimpleNamespace(context=context, page=page)
    context.close()


def photo_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    """A noisy (hard to compress) JPEG carrying EXIF GPS and a camera make: each channel
    Gaussian noise around 128 (sigma 40, 60, 80), as Pillow's effect_noise makes it, drawn by
    NumPy in a fraction of the time (0.8 s -> 0.4 s for the 3000 x 2000 default)."""
    noise = numpy.random.default_rng().standard_normal((3, height, width), dtype=numpy.float32)
    noise *= numpy.array([40, 60, 80], dtype=numpy.float32)[:, None, None]
    noise += 128
    numpy.clip(noise, 0, 255, out=noise)
    image = Image.fromarray(numpy.ascontiguousarray(noise.astype(numpy.uint8).transpose(1, 2, 0)),
                            "RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SecretCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (34.0, 6.0, 53.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (71.0, 5.0, 5.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=92)
    return out.getvalue()


@contextmanager
def photo_file(name: str, photo: bytes) -> Iterator[Path]:
    """The photo as a file on disk, as the phone's gallery holds it, to pick with
    set_input_files: Playwright hands Chromium the path, where bytes given as a buffer go base64
    through the driver and are rebuilt in the page (over a second of CPU for a 5 MB photo). Keep
    it until the app shows its own copy: the page reads the file only then."""
    with tempfile.TemporaryDirectory(prefix="nezarat-photo-") as folder:
        path = Path(folder) / name
        path.write_bytes(photo)
        yield path


def q(path: str) -> str:
    return f'[data-path="{ROOT}/{path}"]'


def choose(page, path: str, value: str) -> None:
    page.check(f'{q(path)}[value="{value}"]')


def fill_counts(page, group: str, counts: dict[str, int]) -> None:
    for name, count in counts.items():
        page.fill(q(f"{group}/{name}"), str(count))


def sign_in(page, monitor) -> None:
    page.goto(monitor.base + "/m/")
    page.wait_for_selector("[data-screen=signin]")
    page.fill("textarea[name=token]", monitor.token)
    page.fill("input[name=pin]", PIN)
    page.fill("input[name=pin2]", PIN)
    page.click("[data-screen=signin] button[type=submit]")
    page.wait_for_selector("[data-screen=home] [data-action=new]")
    # The service worker has precached the shell: from now on the app opens offline.
    page.evaluate("navigator.serviceWorker.ready")
    wait_until(page, "caches.keys().then(k => k.some(n => n.startsWith('shell-')))")


def unlock(page) -> None:
    page.wait_for_selector("[data-screen=unlock]")
    page.fill("[data-screen=unlock] input[name=pin]", PIN)
    page.click("[data-screen=unlock] button[type=submit]")
    page.wait_for_selector("[data-screen=home]")


def fill_visit(page, monitor, photo: bytes) -> str:
    page.click("[data-action=new]")
    page.wait_for_selector("[data-screen=form]")
    report_id = page.get_attribute("[data-screen=form]", "data-report")
    page.select_option(q("facility"), monitor.facility_id)
    page.click(f'[data-q="{ROOT}/position"] button')
    page.wait_for_selector(f'[data-q="{ROOT}/position"] [data-role=geo-accuracy].good')
    choose(page, "access/obtained", "full")
    fill_counts(page, "people", dict(women=3, men=12, girls=1, boys=2, unaccompanied=1))
    page.fill(q("water/water_quantity"), "12.5")
    choose(page, "legal/reasons_and_rights", "no")
    for dimension in ("safety_treatment", "legal_protection", "material_conditions",
                      "return_reception"):  # the monitor's four ratings (the method)
        choose(page, f"assessment/{dimension}_rating", "3")
        choose(page, f"assessment/{dimension}_coverage", "partial")
        page.check(f'{q(f"assessment/{dimension}_evidence")}[value="observed"]')
    page.fill(q("notes"), NOTES)

    page.click(f'[data-add="{ROOT}/photos"]')
    with photo_file("IMG_0001.jpg", photo) as path:
        page.set_input_files(q("photos/photo"), files=[path])
        page.wait_for_selector(f'[data-repeat="{ROOT}/photos"] .photo-preview img')

    page.click(f'[data-add="{ROOT}/incident"]')
    page.select_option(q("incident/type"), "physical_violence")
    page.fill(q("incident/occurred_on"), (date.today() - timedelta(days=2)).isoformat())
    choose(page, "incident/date_precision", "exact")
    choose(page, "incident/location_precision", "facility")
    fill_counts(page, "incident/affected", dict(women=0, men=2, girls=0, boys=0, unaccompanied=0))
    page.select_option(q("incident/perpetrator"), "border_police")
    choose(page, "incident/state_responsible", "pakistan")
    choose(page, "incident/source_type", "direct_observation")
    choose(page, "incident/consent", "internal_only")
    choose(page, "incident/severity", "3")
    choose(page, "incident/follow_up", "yes")
    page.fill(q("incident/narrative"), NARRATIVE)

    page.click("[data-action=finish]")
    problems = page.eval_on_selector_all(
        ".q.invalid", "els => els.map(e => e.dataset.q + ': ' + e.querySelector('.error').textContent)")
    assert problems == []
    page.wait_for_selector(f'[data-screen=home] [data-report="{report_id}"]')
    assert page.errors == []
    return report_id


def report_state(page, report_id: str) -> str | None:
    return page.get_attribute(f'[data-report="{report_id}"]', "data-state")


def stored(live_server, report_id: str) -> SimpleNamespace:
    with live_server.app_context():
        session = db.session
        visits = session.scalars(select(Visit).where(Visit.id == report_id)).all()
        records = session.scalars(select(SubmissionRecord).where(
            SubmissionRecord.visit_id == report_id)).all()
        incidents = session.scalars(select(Incident).where(Incident.visit_id == report_id)).all()
        notes = session.scalar(select(VisitSensitive.notes).where(
            VisitSensitive.visit_id == report_id))
        narratives = [session.scalar(select(IncidentSensitive.narrative).where(
            IncidentSensitive.incident_id == i.id)) for i in incidents]
        photos = session.scalars(select(Attachment).where(Attachment.visit_id == report_id)).all()
        files = [storage.path_for(p.sha256, ".jpg").read_bytes() for p in photos if p.sha256]
        session.expunge_all()
        return SimpleNamespace(visits=visits, records=records, incidents=incidents, notes=notes,
                               narratives=narratives, photos=photos, files=files)


@pytest.mark.browser
def test_offline_visit_uploads_once_encrypted_then_wipe(phone, monitor, live_server):
    page, context = phone.page, phone.context
    uploaded = []
    page.on("request", lambda r: r.method == "PUT" and "/photos/" in r.url and uploaded.append(
        r.post_data_buffer))
    sign_in(page, monitor)

    context.set_offline(True)
    report_id = fill_visit(page, monitor, photo_with_gps())
    assert report_state(page, report_id) == "queued"

    page.reload()  # offline: the service worker serves the shell
    unlock(page)
    assert report_state(page, report_id) == "queued"
    dump = page.evaluate(DUMP_STORAGE)
    # The stored texts as they are (json.dumps would write a ciphertext byte 0x12 as "\u0012",
    # which contains "12": a false alarm seen once in CI).
    raw_db = "\n".join(f"{key}\n{value}" for rows in dump["indexeddb"].values()
                       for key, value in rows)
    assert [key for key, _ in dump["indexeddb"]["records"] if key != "my-reports"] == [report_id]
    assert len(dump["indexeddb"]["photos"]) == 1
    for answer in (NOTES, NARRATIVE, monitor.facility_id, monitor.token, "physical_violence",
                   "border_police", "34.11472", "water_quantity", "12.5"):
        assert answer not in raw_db, answer
    assert NOTES not in json.dumps(dump["caches"], ensure_ascii=False)
    assert set(dump["localStorage"]) <= {"lang"}

    context.set_offline(False)
    page.wait_for_selector(f'[data-report="{report_id}"][data-state=sent]', timeout=30_000)
    after = page.evaluate(DUMP_STORAGE)["indexeddb"]
    # Sent: the photos are gone; the answers stay sealed until the review is final (mine.js),
    # with the list of my reports.
    assert after["photos"] == []
    assert {key for key, _ in after["records"]} <= {report_id, "my-reports"}
    assert NOTES not in json.dumps(after, ensure_ascii=False)

    server = stored(live_server, report_id)
    assert len(server.visits) == 1 and len(server.records) == 1
    visit = server.visits[0]
    assert str(visit.facility_id) == monitor.facility_id and visit.access == "full"
    assert (visit.held_women, visit.held_men, visit.held_girls, visit.held_boys,
            visit.held_unaccompanied) == (3, 12, 1, 2, 1)
    assert visit.observations["water_quantity"] == 12.5
    assert visit.observations["reasons_and_rights"] == "no"
    assert visit.position_accuracy_m == 8 and visit.source == "json"
    assert server.notes == NOTES
    assert [(i.type, i.perpetrator, i.severity, i.affected_men, i.follow_up)
            for i in server.incidents] == [("physical_violence", "border_police", 3, 2, True)]
    assert server.narratives == [NARRATIVE]
    assert len(server.photos) == 1 and len(server.files) == 1

    # What left the phone was already small and clean; what the server keeps is too.
    assert len(uploaded) == 1 and len(uploaded[0]) <= 400 * 1024
    for data in (uploaded[0], server.files[0]):
        image = Image.open(io.BytesIO(data))
        assert max(image.size) <= 1600
        assert len(image.getexif()) == 0 and "exif" not in image.info
    assert b"SecretCam" not in uploaded[0]
    assert csp_violations(page) == [] and page.errors == []

    # Quick wipe: cancelled once, then carried out. From here the page's timers run on
    # Playwright's clock (nothing is waiting on a timer now: every report is sent), so that the
    # countdown's seconds pass at once, each tick in its turn.
    countdown_ms = 1000 * page.evaluate(
        "import('/m/static/js/wipe.js').then((wipe) => wipe.COUNTDOWN_SECONDS)")
    page.clock.install()
    page.click("[data-action=wipe]")
    page.click("[data-action=cancel-wipe]")
    page.clock.run_for(countdown_ms + 1000)  # past the end of the countdown that was cancelled
    assert page.evaluate(DUMP_STORAGE)["databases"] == ["nezarat"]
    page.wait_for_selector("[data-screen=home]")  # and the screen is back
    page.click("[data-action=wipe]")
    # The countdown hides the screen at once (issue 16); afterwards a fresh install's sign-in.
    assert page.locator("[data-role=wipe-countdown]").is_visible()
    assert page.locator("[data-screen=home]").count() == 0
    page.clock.run_for(countdown_ms)
    page.wait_for_selector("[data-screen=signin]", timeout=15_000)
    page.wait_for_selector("[data-role=wipe-countdown]", state="detached")  # the wipe has ended
    assert "erased" not in page.inner_text("body").lower()
    gone = page.evaluate(DUMP_STORAGE)
    assert gone["databases"] == [] and gone["caches"] == {} and gone["localStorage"] == {}
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    page.wait_for_selector("[data-screen=signin]")


@pytest.mark.browser
def test_lost_answer_is_retried_stored_once_and_a_new_token_resumes(phone, monitor, live_server):
    page = phone.page
    sign_in(page, monitor)
    posts = []

    def lose_first_answer(route):
        posts.append(route.request.post_data)
        response = route.fetch()  # the server stores the report...
        if len(posts) == 1:
            route.abort("connectionreset")  # ...but the phone never hears back
        else:
            route.fulfill(response=response)

    page.route("**/api/submissions", lose_first_answer)
    first = fill_visit(page, monitor, photo_with_gps(800, 600))
    page.wait_for_selector(f'[data-report="{first}"][data-state=queued] .detail')
    page.click("[data-action=sync]")  # do not wait for the backoff
    page.wait_for_selector(f'[data-report="{first}"][data-state=sent]', timeout=30_000)
    assert len(posts) == 2 and posts[0] == posts[1]  # the retry is byte for byte the same
    server = stored(live_server, first)
    assert len(server.visits) == 1 and len(server.records) == 1 and len(server.files) == 1

    with live_server.app_context():  # the coordinator revokes the phone's token
        db.session.execute(update(DeviceToken).where(DeviceToken.user_id == monitor.user_id)
                           .values(revoked_at=datetime.now(timezone.utc)))
        db.session.commit()
    second = fill_visit(page, monitor, photo_with_gps(800, 600))
    page.wait_for_selector(f'[data-report="{second}"][data-state=auth]', timeout=30_000)
    assert stored(live_server, second).visits == []
    with live_server.app_context():
        fresh = factories.device_token(db.session, db.session.get(User, monitor.user_id))
        db.session.commit()
    page.fill("[data-role=new-token] textarea", fresh)
    page.click("[data-role=new-token] button[type=submit]")
    page.wait_for_selector(f'[data-report="{second}"][data-state=sent]', timeout=30_000)
    assert len(stored(live_server, second).visits) == 1
    assert page.errors == []


@pytest.mark.browser
def test_dari_reads_right_to_left(phone, monitor, artifacts):
    page = phone.page
    sign_in(page, monitor)
    # Chromium's own installability check (the test context is incognito, which it notes).
    found = phone.context.new_cdp_session(page).send("Page.getInstallabilityErrors")
    assert [e["errorId"] for e in found["installabilityErrors"]] in ([], ["in-incognito"])
    page.select_option("#lang", "prs")
    page.click("[data-action=new]")
    page.wait_for_selector("[data-screen=form]")
    assert page.evaluate("[document.documentElement.dir, document.documentElement.lang]") == [
        "rtl", "prs"]
    assert page.evaluate("getComputedStyle(document.querySelector('.survey')).direction") == "rtl"
    assert page.text_content(f'[data-q="{ROOT}/facility"] .label').startswith("محلی که بازدید شد")
    assert page.text_content("[data-action=finish]") == "تکمیل و ارسال"
    # Labels start at the right edge of the screen.
    box = page.locator(f'[data-q="{ROOT}/facility"] .label').bounding_box()
    assert box["x"] + box["width"] > 390 - 60
    page.screenshot(path=str(artifacts / "mobile-dari-rtl.png"), full_page=False)
    page.select_option("#lang", "ps")
    assert page.text_content("[data-action=finish]") == "بشپړول او لېږل"
    draft_id = page.get_attribute("[data-screen=form]", "data-report")
    page.select_option(q("facility"), monitor.facility_id)  # a first answer makes the draft
    wait_until(page, HAS_RECORD % json.dumps(draft_id))  # saved 600 ms after the last change
    page.reload()  # the choice of language is kept, and so is the draft
    unlock(page)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.locator("[data-state=draft]").count() == 1


@pytest.mark.browser
def test_token_from_odk_qr_and_form_expressions(phone, monitor):
    """The ODK Collect QR payload and links give the token; the expressions of the real form
    all parse and evaluate as XLSForm means them."""
    page = phone.page
    page.goto(monitor.base + "/m/")
    page.wait_for_selector("body[data-ready=yes]")
    settings = {"general": {"server_url": f"{monitor.base}/key/{monitor.token}/projects/1"},
                "project": {"name": "Nezarat"}, "admin": {}}
    payload = base64.b64encode(zlib.compress(json.dumps(settings).encode())).decode()
    found = page.evaluate("""async ([payload, raw]) => {
        const { tokenFrom } = await import('/m/static/js/token.js');
        return [await tokenFrom(payload), await tokenFrom(raw), await tokenFrom(' ' + raw + '\\n'),
                await tokenFrom('https://x.example/key/' + raw + '/formList'),
                await tokenFrom('not a token'), await tokenFrom('')];
    }""", [payload, monitor.token])
    assert found == [monitor.token] * 4 + [None, None]

    results = page.evaluate("""async () => {
        const { compile } = await import('/m/static/js/xpath.js');
        const values = { obtained: 'partial', facility_kind: 'border_crossing', toilets: '4',
                         profiles_present: 'journalist elderly', type: 'other' };
        const ctx = { ref: (n) => values[n] ?? '', current: () => '3',
                      path: (steps) => ({ girls: '1', boys: '1' })[steps[steps.length - 1]] ?? '',
                      instance: () => [{ name: 'f1', kind: 'detention_centre' }] };
        const run = (e) => compile(e)(ctx);
        let refused = 0;
        for (const bad of ["alert(1)", "${a} +", "constructor.constructor('x')()", "1 ) ("]) {
          try { compile(bad); } catch (e) { refused += 1; }
        }
        return [run("${obtained} != 'full'"), run(". >= 0 and . <= ../girls + ../boys"),
                run("selected('border_crossing holding_centre', ${facility_kind})"),
                run("selected(${profiles_present}, 'journalist')"), run("${type} = 'other'"),
                run("string(instance('facilities')/root/item[name='f1']/kind)"),
                run("'2020-01-01' <= today()"), run("${toilets} != '' and . <= ${toilets}"),
                refused];
    }""")
    assert results == [True, False, True, True, True, "detention_centre", True, True, 4]

    # Every expression in the real form is understood (none is reported as unsupported).
    problems = page.evaluate("""async (token) => {
        const { Form } = await import('/m/static/js/model.js');
        const response = await fetch('/m/forms/nezarat_visit.json',
                                     { headers: { Authorization: 'Bearer ' + token } });
        return new Form(await response.json(), {}).problems;
    }""", monitor.token)
    assert problems == []


# When the app first says it is ready (body[data-ready]), and which scripts it had asked for by
# then (Resource Timing: the requests' start).
READY_AT = """new MutationObserver((changes, observer) => {
  if (document.body && document.body.dataset.ready) {
    window.__readyAt = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ["data-ready"]});"""
ASKED_BEFORE_READY = """() => performance.getEntriesByType("resource")
  .filter((e) => e.startTime < window.__readyAt && new URL(e.name).pathname.endsWith(".js"))
  .map((e) => new URL(e.name).pathname)"""


@pytest.mark.browser
def test_first_screen_asks_for_its_modules_at_once(phone, monitor):
    """On a new phone the sign-in screen waits for the modules main.js imports, and for no
    more: the page names each of them (modulepreload), so that the browser asks for all at
    once instead of one level of imports after another (a round trip each on a weak link); the
    forms' modules and Argon2 come after the screen is up (Lighthouse's LCP, issue 18)."""
    page = phone.page
    phone.context.add_init_script(READY_AT)
    with page.expect_request(lambda r: r.url.endswith("/m/static/js/model.js"), timeout=20_000):
        page.goto(monitor.base + "/m/")
        page.wait_for_selector("[data-screen=signin] textarea[name=token]")
        wait_until(page, "window.__readyAt > 0")
    preloaded = page.eval_on_selector_all("link[rel=modulepreload]",
                                          "links => links.map(l => new URL(l.href).pathname)")
    asked = set(page.evaluate(ASKED_BEFORE_READY))
    assert asked - {"/m/static/js/main.js"} == set(preloaded)
    assert len(preloaded) == len(set(preloaded)) >= 10
    for later in ("/m/static/js/model.js", "/m/static/js/render.js", "/m/static/js/xpath.js",
                  "/m/static/lib/argon2.js"):
        assert later not in asked
    assert page.errors == []


def test_app_shell_size_budget(client, artifacts):
    """The app shell (everything the service worker precaches, and the worker itself) gzipped
    stays within 150 KB."""
    urls = [item.url for item in shell.shell_files()] + ["/m/sw.js"]
    sizes = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        sizes[url] = len(gzip.compress(response.data, 9))
    total = sum(sizes.values())
    report = "\n".join(f"{size:>8}  {url}" for url, size in sorted(sizes.items())) + \
        f"\n{total:>8}  total gzip bytes (budget {SHELL_BUDGET})\n"
    (artifacts / "mobile-shell-size.txt").write_text(report)
    print(report)
    assert "/m/static/js/main.js" in sizes and "/m/static/vendor/jsQR.js" not in sizes
    assert total <= SHELL_BUDGET


@pytest.mark.browser
def test_a_form_the_app_cannot_run_is_named_and_not_opened(phone, monitor, tmp_path, monkeypatch):
    """A form with something the app cannot run exactly as ODK Collect (here an audio recording,
    whose metadata the app cannot strip) reaches the phone, and the app refuses it with the
    feature named rather than guess (issue 14)."""
    for path in catalog.BUILD_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    definition = json.loads((tmp_path / "nezarat_visit.json").read_text(encoding="utf-8"))
    at = next(i for i, c in enumerate(definition["children"]) if c["name"] == "meta")
    definition["children"].insert(at, {"type": "audio", "name": "voice", "label": "Voice"})
    (tmp_path / "nezarat_visit.json").write_text(json.dumps(definition), encoding="utf-8")
    monkeypatch.setattr(catalog, "BUILD_DIR", tmp_path)
    catalog.forms.cache_clear()
    try:
        page = phone.page
        page.goto(monitor.base + "/m/")
        page.wait_for_selector("[data-screen=signin]")
        page.fill("textarea[name=token]", monitor.token)
        page.fill("input[name=pin]", PIN)
        page.fill("input[name=pin2]", PIN)
        page.click("[data-screen=signin] button[type=submit]")
        refused = page.wait_for_selector("[data-screen=home] [data-refused=nezarat_visit]")
        assert "question type audio" in refused.inner_text()
        assert "ODK Collect" in refused.inner_text()
        assert page.query_selector('[data-action=new][data-form="nezarat_visit"]') is None
        assert page.query_selector("form.survey") is None
        assert page.errors == []
    finally:
        catalog.forms.cache_clear()


def test_readonly_by_expression_calculated_answers_and_repeat_count_on_the_phone(
        phone, monitor, tmp_path, monkeypatch):
    """As ODK (issue 14): a question read-only by an expression is locked while the expression
    holds; a calculated answer the monitor may also give shows the calculation, keeps the
    monitor's own answer, and shows the calculation again when its input changes; a
    repeat_count draws as many entries as it says, with no Add or Remove; a rank is blank until
    the monitor orders it, and jr:choice-name() gives the first choice's label."""
    for path in catalog.BUILD_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    definition = json.loads((tmp_path / "nezarat_visit.json").read_text(encoding="utf-8"))
    extra = [
        {"type": "integer", "name": "t14_n", "label": "N"},
        {"type": "integer", "name": "t14_twice", "label": "Twice",
         "bind": {"calculate": "${t14_n} * 2", "readonly": "${t14_n} > 5"}},
        {"type": "repeat", "name": "t14_rooms", "label": "Rooms", "control": {"jr:count": "${t14_n}"},
         "children": [{"type": "text", "name": "t14_room", "label": "Room"}]},
        {"type": "rank", "name": "t14_rank", "label": "Rank",
         "choices": [{"name": "water", "label": "Water"}, {"name": "food", "label": "Food"},
                     {"name": "shelter", "label": "Shelter"}]},
        {"type": "text", "name": "t14_first", "label": "First",
         "bind": {"calculate": "jr:choice-name(selected-at(${t14_rank}, 0), '${t14_rank}')"}},
    ]
    at = next(i for i, c in enumerate(definition["children"]) if c["name"] == "meta")
    definition["children"][at:at] = extra
    (tmp_path / "nezarat_visit.json").write_text(json.dumps(definition), encoding="utf-8")
    monkeypatch.setattr(catalog, "BUILD_DIR", tmp_path)
    catalog.forms.cache_clear()
    try:
        page = phone.page
        sign_in(page, monitor)
        page.click("[data-action=new]")
        page.wait_for_selector("[data-screen=form]")
        twice = q("t14_twice")
        page.fill(q("t14_n"), "3")
        wait_until(page, f"document.querySelector('{twice}').value === '6'", 5000)
        assert page.locator(f'[data-repeat="{ROOT}/t14_rooms"] fieldset.entry').count() == 3
        assert page.locator(f'[data-repeat="{ROOT}/t14_rooms"] button').count() == 0
        page.fill(twice, "7")  # the monitor's own answer stands ...
        page.locator(q("t14_n")).focus()
        assert page.input_value(twice) == "7"
        assert page.is_enabled(twice)
        page.fill(q("t14_n"), "6")  # ... until the calculation's input changes
        wait_until(page, f"document.querySelector('{twice}').value === '12'", 5000)
        wait_until(page, f"document.querySelector('{twice}').disabled", 5000)
        assert page.locator(f'[data-repeat="{ROOT}/t14_rooms"] fieldset.entry').count() == 6
        page.fill(q("t14_n"), "1")
        wait_until(page, f"!document.querySelector('{twice}').disabled", 5000)
        assert page.locator(f'[data-repeat="{ROOT}/t14_rooms"] fieldset.entry').count() == 1
        # A rank: blank until ranked; moving Water down ranks Food first (jr:choice-name: its label).
        rank = q("t14_rank")
        assert page.input_value(q("t14_first")) == ""
        page.click(f'{rank} [data-rank=water] button[aria-label="Move down: Water"]')
        wait_until(page, f"document.querySelector('{q('t14_first')}').value === 'Food'", 5000)
        order = page.locator(f"{rank} li").evaluate_all("items => items.map(i => i.dataset.rank)")
        assert order == ["food", "water", "shelter"]
        assert page.locator(f"{rank} [data-rank-keep]").count() == 0
        assert page.errors == []
    finally:
        catalog.forms.cache_clear()
