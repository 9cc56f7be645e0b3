"""A seized phone gives up nothing (issue 17), in headless Chromium with a virtual platform
authenticator (DevTools protocol, PRF extension) at http://localhost (WebAuthn refuses an IP
address as relying party):

- the storage key needs the authenticator's PRF secret and the PIN: every 6-digit PIN, tried
  against a copy of IndexedDB with the app's derivation (shown to be the app's own keys.js),
  opens nothing; with the authenticator's secret and the right PIN the same copy opens;
- without PRF the app says so, refuses weak passphrases with a reason, and uses Argon2id
  (a copy opens with argon2-cffi at the app's parameters, and with nothing weaker);
- the duress PIN leaves a fresh install (no canary anywhere, no passkey) and the server learns it;
- a phone marked lost erases itself on its next request, before it shows anything when unlocked
  online, and the coordinator sees its pending ids;
- a store made before the hardware-bound key gets it at its next unlock.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from server.accounts import phones
from server.accounts.models import DeviceToken, User
from server.core.access import Principal
from server.core.audit import AuditEntry
from server.core.db import db
from tests.browser.conftest import wait_until
from tests.browser.test_mobile_app import (
    DUMP_STORAGE,
    NARRATIVE,
    NOTES,
    fill_visit,
    monitor,
    phone,
    photo_with_gps,
    q,
)
from tests.browser.test_mobile_app import PIN as PASSPHRASE
from tests.browser.test_mobile_app import sign_in as sign_in_passphrase

pytestmark = pytest.mark.browser
__all__ = ["monitor", "phone"]  # fixtures
PIN = "482916"
DURESS = "135790"
INFO = b"storage-key/prf/v2"
PASS_INFO = b"storage-key/passphrase/v2"

# IndexedDB as JSON, bytes as base64.
COPY_STORE = """async () => {
  const b64 = (u8) => { let s = ""; for (const b of u8) s += String.fromCharCode(b); return btoa(s); };
  const plain = (v) => {
    if (v instanceof ArrayBuffer) v = new Uint8Array(v);
    if (ArrayBuffer.isView(v)) return {b64: b64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))};
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  const ask = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  const db = await ask(indexedDB.open("nezarat"));
  const out = {};
  for (const name of db.objectStoreNames) {
    const store = db.transaction(name).objectStore(name);
    const keys = await ask(store.getAllKeys());
    const values = await ask(store.getAll());
    out[name] = Object.fromEntries(keys.map((k, i) => [String(k), plain(values[i])]));
  }
  db.close();
  return out;
}"""

# What the authenticator gives the app: its PRF secret for the stored salt (asks the virtual
# authenticator, which verifies the "user" automatically).
PRF_SECRET = """async ([id, salt]) => {
  const bytes = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const a = await navigator.credentials.get({publicKey: {challenge: new Uint8Array(32),
    allowCredentials: [{type: "public-key", id: bytes(id)}], userVerification: "required",
    extensions: {prf: {eval: {first: bytes(salt)}}}}});
  const out = new Uint8Array(a.getClientExtensionResults().prf.results.first);
  let s = ""; for (const b of out) s += String.fromCharCode(b); return btoa(s);
}"""


# The app's own derivation (its keys.js, as the page loads it): for each (PRF secret, PIN) a
# probe sealed under the key it makes, for the test-side derivation to open.
APP_KDF = """async ([salt, cases]) => {
  const { prfKey } = await import("/m/static/js/keys.js");
  const { seal } = await import("/m/static/js/crypto.js");
  const bytes = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const b64 = (u8) => { let s = ""; for (const b of u8) s += String.fromCharCode(b); return btoa(s); };
  const out = [];
  for (const [prf, pin] of cases) {
    const box = await seal(await prfKey(bytes(prf), pin, bytes(salt)), "probe", new TextEncoder().encode(pin));
    out.push({iv: {b64: b64(box.iv)}, ct: {b64: b64(box.ct)}});
  }
  return out;
}"""

# The app's own derivation, with the authenticator's secret missing (the attacker's best: any
# 32 bytes, here zeros and random ones), against the copied token: does the right PIN open it?
APP_OPENS = """async ([salt, box, pin, prfs]) => {
  const { prfKey } = await import("/m/static/js/keys.js");
  const { unsealJSON } = await import("/m/static/js/crypto.js");
  const bytes = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const sealed = {iv: bytes(box.iv.b64), ct: bytes(box.ct.b64)};
  const opened = [];
  for (const prf of prfs) {
    try { await unsealJSON(await prfKey(bytes(prf), pin, bytes(salt)), "token", sealed); opened.push(prf); } catch (e) { /* no */ }
  }
  return opened;
}"""


def raw(value) -> bytes:
    return base64.b64decode(value["b64"])


def copied_bytes(value) -> list[bytes]:
    """Every string and byte array in a copied store, as bytes (byte arrays decoded)."""
    if isinstance(value, dict) and set(value) == {"b64"}:
        return [raw(value)]
    if isinstance(value, dict):
        return [k.encode() for k in value] + [b for v in value.values() for b in copied_bytes(v)]
    if isinstance(value, list):
        return [b for v in value for b in copied_bytes(v)]
    return [str(value).encode()]


def hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def storage_key(prf: bytes, pin: str, salt: bytes) -> bytes:
    """The app's derivation (static/mobile/js/keys.js), written again from its description."""
    return hkdf(prf + hmac.new(salt, pin.encode(), hashlib.sha256).digest(), salt, INFO)


# HMAC-SHA-256 (RFC 2104) of a key of at most 64 bytes is SHA-256 over (key ^ ipad) then over
# (key ^ opad): with the pads as byte translations, each HMAC is two one-shot hashes, and the
# hash states after the salt's key blocks are computed once for all the PINs.
IPAD = bytes(b ^ 0x36 for b in range(256))
OPAD = bytes(b ^ 0x5C for b in range(256))


def zero_secret_search(salt: bytes, box: dict, label: str, keep: set[bytes]):
    """Every 6-digit PIN through storage_key() with the authenticator's secret missing (32 zero
    bytes), each key tried on the box with AES-GCM: the PINs whose key opens it, and the keys
    made for the PINs in `keep` (to compare with storage_key()'s)."""
    assert len(salt) <= 64
    block = salt.ljust(64, b"\0")
    inner, outer = hashlib.sha256(block.translate(IPAD)), hashlib.sha256(block.translate(OPAD))
    extract = inner.copy()
    extract.update(bytes(32))  # HKDF-Extract's input begins with the missing secret
    inner_copy, outer_copy, extract_copy = inner.copy, outer.copy, extract.copy
    pad_in, pad_out, expand = b"\x36" * 32, b"\x5c" * 32, INFO + b"\x01"
    sha256, iv, ct, aad = hashlib.sha256, raw(box["iv"]), raw(box["ct"]), label.encode()
    opened, kept = [], {}
    for n in range(1_000_000):
        pin = b"%06d" % n
        h = inner_copy()
        h.update(pin)
        o = outer_copy()
        o.update(h.digest())  # the PIN's part: HMAC(salt, PIN)
        h = extract_copy()
        h.update(o.digest())
        o = outer_copy()
        o.update(h.digest())
        prk = o.digest()  # HKDF-Extract: HMAC(salt, secret + part)
        key = sha256(prk.translate(OPAD) + pad_out + sha256(
            prk.translate(IPAD) + pad_in + expand).digest()).digest()  # HKDF-Expand, 32 bytes
        if pin in keep:
            kept[pin] = key
        try:
            AESGCM(key).decrypt(iv, ct, aad)
            opened.append(pin)
        except InvalidTag:
            pass
    return opened, kept


def opens(key: bytes, box: dict, label: str) -> bytes | None:
    try:
        return AESGCM(key).decrypt(raw(box["iv"]), raw(box["ct"]), label.encode())
    except InvalidTag:
        return None


def add_authenticator(context, page, prf: bool = True):
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "ctap2Version": "ctap2_1", "transport": "internal",
        "hasResidentKey": True, "hasUserVerification": True, "isUserVerified": True,
        "hasPrf": prf, "automaticPresenceSimulation": True}})
    return cdp, added["authenticatorId"]


@pytest.fixture()
def authenticator(phone):
    return add_authenticator(phone.context, phone.page)


def localhost(monitor) -> str:
    return monitor.base.replace("127.0.0.1", "localhost")


def start_without_prf(context, page, monitor) -> None:
    """At localhost with an authenticator that has no PRF: the PIN is tried first, the passkey
    gives no secret, and the app turns to a passphrase (the token kept)."""
    add_authenticator(context, page, prf=False)
    page.goto(localhost(monitor) + "/m/")
    page.wait_for_selector("[data-screen=signin][data-mode=pin]")
    page.fill("textarea[name=token]", monitor.token)
    page.fill("input[name=pin]", PIN)
    page.fill("input[name=pin2]", PIN)
    page.click("[data-screen=signin] button[type=submit]")
    page.wait_for_selector("[data-screen=signin][data-mode=passphrase]")


def save_draft(page) -> str:
    """A new report with the notes canary, saved as a draft; its id."""
    page.click("[data-action=new]")
    page.wait_for_selector("[data-screen=form]")
    draft_id = page.get_attribute("[data-screen=form]", "data-report")
    page.fill(q("notes"), NOTES)
    page.click("[data-action=save]")
    page.wait_for_selector(f'[data-screen=home] [data-report="{draft_id}"]')
    return draft_id


def sign_in_with_key(page, monitor, duress: str = "") -> None:
    page.goto(localhost(monitor) + "/m/")
    page.wait_for_selector("[data-screen=signin][data-mode=pin]")
    page.fill("textarea[name=token]", monitor.token)
    page.fill("input[name=pin]", PIN)
    page.fill("input[name=pin2]", PIN)
    page.fill("input[name=duress]", duress)
    page.click("[data-screen=signin] button[type=submit]")
    page.wait_for_selector("[data-screen=home] [data-action=new]")
    page.evaluate("navigator.serviceWorker.ready")
    wait_until(page, "caches.keys().then(k => k.some(n => n.startsWith('shell-')))")


def unlock(page, secret: str) -> None:
    page.wait_for_selector("[data-screen=unlock]")
    page.fill("[data-screen=unlock] input[name=pin]", secret)
    page.click("[data-screen=unlock] button[type=submit]")


def test_the_pin_alone_opens_nothing_the_authenticator_and_pin_do(phone, monitor, authenticator):
    page, context = phone.page, phone.context
    sign_in_with_key(page, monitor)
    context.set_offline(True)
    report_id = fill_visit(page, monitor, photo_with_gps(800, 600))
    copy = page.evaluate(COPY_STORE)
    kdf, token_box = copy["meta"]["kdf"], copy["meta"]["token"]
    assert kdf["mode"] == "prf" and "argon" not in kdf
    salt = raw(kdf["salt"])
    record = copy["records"][report_id]
    [(photo_key, photo_box)] = copy["photos"].items()
    # In the copy, strings as they are and byte arrays decoded: no canary, token or JPEG.
    stored = b"\n".join(copied_bytes(copy))
    for clear in (NARRATIVE.encode(), NOTES.encode(), monitor.token.encode(), b"JFIF\x00"):
        assert clear not in stored, clear

    # The test-side derivation is the app's own: keys for the missing secret (zeros), for
    # random secrets and for the authenticator's, each with random PINs and the right one, made
    # by the app's keys.js in the page, are the keys storage_key() makes. (Were the secret dropped
    # from the app's key, or mixed in any other way, these would differ and the test fail.)
    rng = random.Random(17)
    b64 = lambda data: base64.b64encode(data).decode()  # noqa: E731
    prf = base64.b64decode(page.evaluate(PRF_SECRET, [kdf["credentialId"]["b64"], kdf["prfSalt"]["b64"]]))
    cases = [(secret, f"{rng.randrange(10**6):06d}") for secret in
             [bytes(32)] * 60 + [rng.randbytes(32) for _ in range(30)] + [prf] * 10]
    cases += [(bytes(32), PIN), (prf, PIN)]
    probes = page.evaluate(APP_KDF, [b64(salt), [[b64(secret), pin] for secret, pin in cases]])
    assert [opens(storage_key(secret, pin, salt), box, "probe") for (secret, pin), box in
            zip(cases, probes)] == [pin.encode() for _, pin in cases]
    # The app's own code, given the right PIN and anything but the authenticator's secret,
    # does not open the copied token.
    guesses = [b64(bytes(32)), b64(b"\xff" * 32), *(b64(rng.randbytes(32)) for _ in range(8))]
    assert page.evaluate(APP_OPENS, [b64(salt), token_box, PIN, guesses]) == []
    assert page.evaluate(APP_OPENS, [b64(salt), token_box, PIN, [b64(prf)]]) == [b64(prf)]

    # Every 6-digit PIN (the right one among them), with that derivation and the
    # authenticator's secret missing (its 32 bytes zero): nothing opens. The right PIN without
    # that half at all does not either.
    # The search's keys, for the PINs checked against the app above (and the first and last),
    # are storage_key()'s.
    started = time.monotonic()
    keep = {pin.encode() for secret, pin in cases if secret == bytes(32)} | {b"000000", b"999999"}
    opened, kept = zero_secret_search(salt, token_box, "token", keep)
    print(f"1,000,000 PINs in {time.monotonic() - started:.1f} s: none opened")
    assert kept == {pin: storage_key(bytes(32), pin.decode(), salt) for pin in keep}
    assert opened == []
    assert opens(hkdf(hmac.new(salt, PIN.encode(), hashlib.sha256).digest(), salt, INFO),
                 token_box, "token") is None

    # With the authenticator's secret and the right PIN the same copy opens: token, report, photo.
    key = storage_key(prf, PIN, salt)
    assert opens(key, token_box, "token") == json.dumps(monitor.token).encode()
    assert opens(storage_key(prf, "482917", salt), token_box, "token") is None
    report = json.loads(opens(key, record, "report:" + report_id))
    assert NARRATIVE in report["body"] and NOTES in report["body"]
    assert opens(key, photo_box, "photo:" + photo_key)[:2] == b"\xff\xd8"

    # And in the app: reload offline, the PIN and the authenticator unlock it.
    page.reload()
    unlock(page, PIN)
    page.wait_for_selector(f'[data-screen=home] [data-report="{report_id}"]')
    assert page.errors == []


def test_the_duress_pin_leaves_a_fresh_install_and_tells_the_server(phone, monitor, authenticator,
                                                                      live_server):
    page, context = phone.page, phone.context
    sign_in_with_key(page, monitor, duress=DURESS)
    context.set_offline(True)
    report_id = fill_visit(page, monitor, photo_with_gps(800, 600))
    page.reload()
    unlock(page, DURESS)
    page.wait_for_selector("[data-screen=signin]")
    wait_until(page, "indexedDB.databases().then(d => d.length === 0)")
    text = page.content()
    at = text.find(NARRATIVE)
    assert at < 0, text[max(0, at - 400):at + 100]
    assert NOTES not in text
    # What shows is what a fresh install shows, word for word.
    fresh = phone.context.browser.new_context()
    first = fresh.new_page()
    add_authenticator(fresh, first)
    first.goto(localhost(monitor) + "/m/")
    first.wait_for_selector("[data-screen=signin]")
    assert page.inner_text("main") == first.inner_text("main")
    fresh.close()
    gone = page.evaluate(DUMP_STORAGE)
    # Nor the passkey: the phone's passkey list has no entry for the app any more.
    cdp, authenticator_id = authenticator
    assert cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"] == []
    blob = json.dumps(gone, ensure_ascii=False)
    assert NARRATIVE not in blob and NOTES not in blob and monitor.token not in blob
    assert gone["caches"] == {} and gone["localStorage"] == {} and gone["sessionStorage"] == {}
    assert gone["workers"] == [] and gone["databases"] == []

    context.set_offline(False)  # the next contact: the duress event, silently
    deadline = time.monotonic() + 40
    while True:
        with live_server.app_context():
            token = db.session.scalars(select(DeviceToken).where(
                DeviceToken.user_id == monitor.user_id)).one()
            if token.duress_at is not None or time.monotonic() > deadline:
                break
        time.sleep(0.1)
    with live_server.app_context():
        token = db.session.scalars(select(DeviceToken).where(
            DeviceToken.user_id == monitor.user_id)).one()
        assert token.duress_at is not None and token.revoked_at is not None
        assert [p["id"] for p in token.pending] == [report_id]
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.target_id == str(token.id))).all()
        assert "device_token.duress" in actions
    assert page.locator("[data-screen=signin]").is_visible()


def test_a_phone_marked_lost_erases_itself_and_its_pending_ids_are_known(phone, monitor, live_server):
    page = phone.page
    page.goto(monitor.base + "/m/")  # 127.0.0.1: no hardware key here, a passphrase
    page.wait_for_selector("[data-screen=signin][data-mode=passphrase]")
    page.fill("textarea[name=token]", monitor.token)
    page.fill("input[name=pin]", "password1234")
    page.fill("input[name=pin2]", "password1234")
    page.click("[data-screen=signin] button[type=submit]")
    page.wait_for_selector("[data-screen=signin] .error")  # weak: refused, with a reason
    assert "guess" in page.inner_text("[data-screen=signin] .error")
    page.fill("input[name=pin]", PASSPHRASE)
    page.fill("input[name=pin2]", PASSPHRASE)
    page.click("[data-screen=signin] button[type=submit]")
    page.wait_for_selector("[data-screen=home] [data-action=new]")
    draft_id = save_draft(page)
    page.click("[data-action=sync]")

    def token_row():
        return db.session.scalars(select(DeviceToken).where(
            DeviceToken.user_id == monitor.user_id)).one()
    deadline = time.monotonic() + 20
    while True:
        with live_server.app_context():
            if (token_row().pending or []) or time.monotonic() > deadline:
                break
        time.sleep(0.1)
    with live_server.app_context():
        token = token_row()
        coordinator = db.session.scalars(select(User).where(
            User.organisation_id == token.organisation_id, User.role == "monitor")).first()
        boss = Principal(kind="user", user_id=coordinator.id, organisation_id=token.organisation_id,
                         role="admin", two_factor_ok=True)
        phones.mark_lost(boss, token.id)
        assert [p["id"] for p in token_row().pending] == [draft_id]

    page.click("[data-action=sync]")  # the next request: erased at once
    page.wait_for_selector("[data-screen=signin]", timeout=15_000)
    wait_until(page, "indexedDB.databases().then(d => d.length === 0)")
    gone = page.evaluate(DUMP_STORAGE)
    assert NOTES not in json.dumps(gone, ensure_ascii=False) and gone["caches"] == {}
    assert NOTES not in page.content()


def test_without_prf_a_strong_passphrase_through_argon2id(phone, monitor):
    """A phone whose authenticator has no PRF: the app says so and asks for a passphrase, refuses
    weak ones with a reason, and stretches the one it takes with Argon2id (m = 32 MiB, t = 3,
    p = 1): a copy of its storage opens with argon2-cffi's Argon2id (not our code) over that
    passphrase, and with nothing else."""
    from argon2.low_level import Type, hash_secret_raw

    page = phone.page
    start_without_prf(phone.context, page, monitor)  # it says so:
    assert "cannot keep a hardware key" in page.inner_text("[data-screen=signin] .error")
    assert page.is_visible("[data-role=no-hardware]")
    assert page.input_value("textarea[name=token]") == monitor.token
    for weak, reason in (("tiger123", "Too short"), ("password1234", "Too easy to guess"),
                         ("482916482916", "Too easy to guess")):
        page.fill("input[name=pin]", weak)
        page.fill("input[name=pin2]", weak)
        page.click("[data-screen=signin] button[type=submit]")
        wait_until(page, f"document.querySelector('[data-screen=signin] .error')?.textContent.startsWith({reason!r})")
    page.fill("input[name=pin]", PASSPHRASE)
    page.fill("input[name=pin2]", PASSPHRASE)
    page.click("[data-screen=signin] button[type=submit]")
    page.wait_for_selector("[data-screen=home] [data-action=new]")

    copy = page.evaluate(COPY_STORE)
    kdf, token_box = copy["meta"]["kdf"], copy["meta"]["token"]
    assert kdf["mode"] == "passphrase" and "credentialId" not in kdf
    assert kdf["argon"] == {"memorySize": 32768, "iterations": 3, "parallelism": 1}
    salt = raw(kdf["salt"])

    def key(secret: str, kind=Type.ID, memory=32768, passes=3) -> bytes:
        return hkdf(hash_secret_raw(secret.encode(), salt, time_cost=passes, memory_cost=memory,
                                    parallelism=1, hash_len=32, type=kind), salt, PASS_INFO)

    started = time.monotonic()
    right = key(PASSPHRASE)
    print(f"one Argon2id guess (argon2-cffi, native): {time.monotonic() - started:.3f} s")
    assert opens(right, token_box, "token") == json.dumps(monitor.token).encode()
    # Argon2id with these parameters, and nothing weaker: Argon2i, Argon2d, less memory or
    # fewer passes, or the passphrase through HKDF alone, open nothing.
    for wrong in (key(PASSPHRASE + " "), key(PASSPHRASE, Type.I), key(PASSPHRASE, Type.D),
                  key(PASSPHRASE, memory=16384), key(PASSPHRASE, passes=2),
                  hkdf(PASSPHRASE.encode(), salt, PASS_INFO)):
        assert opens(wrong, token_box, "token") is None
    assert page.errors == []


# Set before unlocking: did the list of reports ever show, even for a moment?
WATCH_HOME = """() => {
  window.__sawHome = false;
  new MutationObserver(() => {
    if (document.querySelector("[data-screen=home]")) window.__sawHome = true;
  }).observe(document.getElementById("app"), {childList: true, subtree: true});
}"""


def test_a_lost_phone_unlocked_online_erases_itself_before_showing_anything(phone, monitor,
                                                                            live_server):
    """Whoever unlocks a phone marked lost, online, never sees its reports: the app asks the
    server before it draws the list, and the answer erases it."""
    page = phone.page
    sign_in_passphrase(page, monitor)
    save_draft(page)
    page.reload()
    page.wait_for_selector("[data-screen=unlock]")
    with live_server.app_context():
        token = db.session.scalars(select(DeviceToken).where(
            DeviceToken.user_id == monitor.user_id)).one()
        boss = db.session.scalars(select(User).where(
            User.organisation_id == token.organisation_id)).first()
        phones.mark_lost(Principal(kind="user", user_id=boss.id, organisation_id=token.organisation_id,
                                   role="admin", two_factor_ok=True), token.id)
    page.evaluate(WATCH_HOME)
    unlock(page, PASSPHRASE)
    page.wait_for_selector("[data-screen=signin]", timeout=20_000)
    wait_until(page, "indexedDB.databases().then(d => d.length === 0)")
    assert page.evaluate("window.__sawHome") is False
    gone = page.evaluate(DUMP_STORAGE)
    assert NOTES not in json.dumps(gone, ensure_ascii=False) and NOTES not in page.content()
    assert gone["caches"] == {} and gone["workers"] == []


# A store as the app made it before issue 17 (v1): the PIN alone through PBKDF2-SHA-256 (600,000
# iterations), with the app's own modules; a draft and its photo in it.
OLD_STORE = """async ([pin, token, id, notes]) => {
  const db = await import("/m/static/js/db.js");
  const { deriveKey, randomBytes, seal, sealJSON } = await import("/m/static/js/crypto.js");
  const salt = randomBytes(16);
  const key = await deriveKey(pin, salt);
  await db.put("meta", "salt", salt);
  await db.put("meta", "token", await sealJSON(key, "token", token));
  await db.put("meta", "wrong", 0);
  const now = Date.now();
  await db.put("records", id, await sealJSON(key, "report:" + id, {id, formId: "nezarat_visit",
    state: "draft", createdAt: now, updatedAt: now, summary: {facility: "", started: ""}, notes}));
  await db.put("photos", id + "/old.jpg", await seal(key, "photo:" + id + "/old.jpg",
    new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])));
}"""


def test_an_old_pin_only_store_gets_the_hardware_key_at_its_next_unlock(phone, monitor,
                                                                         authenticator):
    """A phone signed in before the hardware-bound key (PIN alone, PBKDF2) is the easy target
    the issue describes: at its next unlock the app re-seals everything under the authenticator's
    secret and the PIN, and the PBKDF2 key opens nothing any more."""
    import uuid

    page = phone.page
    page.goto(localhost(monitor) + "/m/")
    page.wait_for_selector("[data-screen=signin]")
    report_id = str(uuid.uuid4())
    page.evaluate(OLD_STORE, [PIN, monitor.token, report_id, NOTES])
    before = page.evaluate(COPY_STORE)
    old_salt = raw(before["meta"]["salt"])
    old_key = hashlib.pbkdf2_hmac("sha256", PIN.encode(), old_salt, 600_000)
    assert opens(old_key, before["meta"]["token"], "token") == json.dumps(monitor.token).encode()

    page.reload()
    unlock(page, PIN)
    page.wait_for_selector(f'[data-screen=home] [data-report="{report_id}"]')
    after = page.evaluate(COPY_STORE)
    kdf = after["meta"]["kdf"]
    assert kdf["mode"] == "prf" and "salt" not in after["meta"]
    salt = raw(kdf["salt"])
    for box, label in ((after["meta"]["token"], "token"),
                       (after["records"][report_id], "report:" + report_id),
                       (after["photos"][report_id + "/old.jpg"], f"photo:{report_id}/old.jpg")):
        assert opens(old_key, box, label) is None  # the PIN-only key: nothing
        assert opens(storage_key(bytes(32), PIN, salt), box, label) is None
    prf = base64.b64decode(page.evaluate(PRF_SECRET, [kdf["credentialId"]["b64"], kdf["prfSalt"]["b64"]]))
    key = storage_key(prf, PIN, salt)
    assert opens(key, after["meta"]["token"], "token") == json.dumps(monitor.token).encode()
    assert json.loads(opens(key, after["records"][report_id], "report:" + report_id))["notes"] == NOTES
    assert opens(key, after["photos"][report_id + "/old.jpg"], f"photo:{report_id}/old.jpg") == \
        bytes([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])
    assert "spare" in after["meta"]  # the duress box's shape, as in every store

    page.reload()  # and it unlocks as any hardware-bound store does
    unlock(page, PIN)
    page.wait_for_selector(f'[data-screen=home] [data-report="{report_id}"]')
    assert page.errors == []
