// Signing in and unlocking: the storage key from the phone's hardware-bound secret and a PIN,
// or from a strong passphrase where the phone has none (keys.js); an optional duress PIN; and,
// with a neutral face (server/mobile/face.py), an unlock screen that looks like a calculator.
import { h } from "./ui.js";
import { t } from "./i18n.js";
import "./vault-i18n.js";
import * as vault from "./vault.js";
import * as sync from "./sync.js";
import * as passkey from "./passkey.js";
import { weakness } from "./strength.js";
import { tokenFrom } from "./token.js";
import { readQR } from "./qr.js";
import { normaliseDigits } from "./crypto.js";
import { wipeEverything } from "./wipe.js";

const MIN_PIN = 6;
let ctx = null;
let hardware = null;  // may this phone hold a hardware-bound key? (decided once per load)

export function setup(context) { ctx = context; }
const appName = () => document.documentElement.dataset.appName || t("app_name");
const face = () => document.documentElement.dataset.face || "";
const field = (labelText, input) => h("label", { class: "field" }, h("span", {}, labelText), input);
const message = (cls = "muted") => h("p", { class: cls, role: "status" });

function secretInput(name, usePin) {
  return h("input", usePin
    ? { type: "password", name, inputmode: "numeric", autocomplete: "off", minlength: MIN_PIN, required: true }
    : { type: "password", name, autocomplete: "off", autocapitalize: "off", spellcheck: "false", required: true });
}

// Erase everything; the app is then a fresh install (no word of what happened).
export async function eraseToFresh() {
  await wipeEverything();
  ctx.reset();
  await signIn();
}

export async function signIn(note = "", keepToken = "") {
  if (hardware === null) hardware = await passkey.mayWork();
  const usePin = hardware;
  // The calculator face takes the secret on its number keys: without a hardware key the
  // passphrase (and the emergency one) must be digits, or the unlock screen could never take it.
  const digitsOnly = !usePin && face() === "calculator";
  const token = h("textarea", { name: "token", rows: 3, autocomplete: "off", spellcheck: "false", autocapitalize: "off" });
  token.value = keepToken;
  const qr = h("input", { type: "file", accept: "image/*", capture: "environment", class: "visually-hidden", id: "qr" });
  const pin = secretInput("pin", usePin || digitsOnly);
  const pin2 = secretInput("pin2", usePin || digitsOnly);
  const duress = h("input", { type: "password", name: "duress", autocomplete: "off",
    inputmode: usePin || digitsOnly ? "numeric" : "text" });
  const status = message(note ? "error" : "muted");
  status.textContent = note;
  qr.addEventListener("change", async () => {
    try {
      const content = qr.files[0] && (await readQR(qr.files[0]));
      if (content) token.value = content; else status.textContent = t("bad_token");
    } catch (e) {
      status.textContent = t("bad_token");
    }
  });
  const refuse = (text) => { status.className = "error"; status.textContent = text; };
  const submit = async (event) => {
    event.preventDefault();
    const raw = await tokenFrom(token.value);
    if (!raw) return refuse(t("bad_token"));
    const secret = normaliseDigits(pin.value);
    const emergency = normaliseDigits(duress.value);
    if (usePin && secret.length < MIN_PIN) return refuse(t("pin_short"));
    if (secret !== normaliseDigits(pin2.value)) return refuse(t("pins_differ"));
    if (emergency && emergency.length < MIN_PIN) return refuse(t("duress_short"));
    if (emergency && emergency === secret) return refuse(t("duress_same"));
    if (digitsOnly && !/^\d+$/.test(secret)) return refuse(t("weak_digits"));
    if (digitsOnly && emergency && !/^\d+$/.test(emergency)) return refuse(t("duress_digits"));
    if (!usePin) {
      const weak = await weakness(secret);
      if (weak && digitsOnly) return refuse(t("weak_number"));
      if (weak) return refuse(weak.reason === "short" ? t("weak_short") : t("weak_guessable", { n: weak.guessesLog10 }));
    }
    status.className = "muted";
    status.textContent = t("checking");
    try {
      await sync.refresh(raw);
    } catch (error) {
      return refuse(error instanceof sync.AuthError ? t("token_refused") : t("need_online"));
    }
    let key = null;
    if (usePin) {
      key = await passkey.register(appName());
      if (!key) { hardware = false; return signIn(t("no_hardware"), raw); }
    }
    await vault.create({ mode: usePin ? "prf" : "passphrase", secret, duress: emergency, newToken: raw, hardware: key });
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    await ctx.opened();
  };
  ctx.show(() => ctx.screen(h("form", { class: "card", onsubmit: submit, autocomplete: "off", "data-screen": "signin",
    "data-mode": usePin ? "pin" : "passphrase" },
  h("h2", {}, t("signin_title")),
  h("p", {}, t("signin_help")),
  field(t("token_label"), token),
  h("label", { for: "qr", class: "button secondary" }, t("scan_qr")), qr,
  usePin ? null : h("p", { class: "hint", "data-role": "no-hardware" }, t("pass_help")),
  field(usePin ? t("pin_label") : digitsOnly ? t("pass_digits_label") : t("pass_label"), pin),
  field(usePin ? t("pin_repeat") : t("pass_repeat"), pin2),
  h("p", { class: "hint" }, t("pin_help")),
  field(t("duress_label"), duress),
  h("p", { class: "hint" }, t("duress_help")),
  h("button", { type: "submit" }, t("sign_in")),
  status)));
}

// One attempt: opens the store, or erases it (duress, too many wrong), or says why not.
async function attempt(secret) {
  const old = (await vault.mode()) === "v1";
  const outcome = await vault.unlock(secret);
  if (outcome.result === "ok") {
    if (old) await upgradeOld(secret);
    await ctx.opened();
    return null;
  }
  if (outcome.result === "duress") {
    const pending = await vault.reportIds();
    ctx.reset();
    await signIn();  // at once: a fresh install's first screen
    await wipeEverything();
    sync.reportDuress(outcome.proof, pending);
    return null;
  }
  if (outcome.result === "erase") { await eraseToFresh(); return null; }
  if (outcome.result === "nokey") return t("key_missing");
  return t("wrong_pin", { n: outcome.left });
}

// A store of before the hardware-bound key, opened with its PIN: where the phone can keep a
// hardware key, it is made now and the store re-sealed under it and the same PIN (vault.upgrade).
// Where it cannot, the store stays as it was (signing in again gives a passphrase).
async function upgradeOld(secret) {
  if (!(await passkey.mayWork())) return;
  const key = await passkey.register(appName());
  if (!key) return;
  try {
    await vault.upgrade(secret, key);
  } catch (error) {
    console.warn("the store keeps its old key", error);
    await passkey.forget(key.credentialId);
  }
}

export async function unlock() {
  if (face() === "calculator") return calculator();
  const passphrase = (await vault.mode()) === "passphrase";
  const pin = secretInput("pin", !passphrase);
  pin.setAttribute("aria-labelledby", "unlock-title");  // the screen's title names the field
  const status = message("error");
  const submit = async (event) => {
    event.preventDefault();
    status.className = "muted";
    status.textContent = "…";
    const problem = await attempt(pin.value);
    if (problem === null) return;
    status.className = "error";
    status.textContent = problem;
    pin.value = "";
  };
  ctx.show(() => {
    ctx.screen(h("form", { class: "card", onsubmit: submit, "data-screen": "unlock" },
      h("h2", { id: "unlock-title" }, passphrase ? t("pass_unlock") : t("unlock_title")), pin,
      h("button", { type: "submit" }, t("unlock")), status),
    h("div", { class: "card" }, ctx.wipeButton()));
    pin.focus();
  });
}

// The neutral face: a working calculator; the PIN typed on its keys followed by "=" unlocks.
// A wrong PIN shows what a calculator would (the number), nothing else.
function calculator() {
  const display = h("output", { class: "calc-display", "data-role": "display" }, "0");
  let entry = "";
  const showEntry = () => { display.textContent = entry || "0"; };
  const press = async (key) => {
    if (key === "C") { entry = ""; return showEntry(); }
    if (key !== "=") { entry += key; return showEntry(); }
    if (/^\d{6,}$/.test(entry)) {
      const problem = await attempt(entry);
      if (problem === null) return;
    }
    entry = evaluate(entry);
    showEntry();
  };
  const keys = ["7", "8", "9", "/", "4", "5", "6", "*", "1", "2", "3", "-", "C", "0", "=", "+"];
  ctx.show(() => ctx.screen(h("div", { class: "card calc", "data-screen": "unlock", "data-face": "calculator" }, display,
    h("div", { class: "calc-keys" }, keys.map((k) => h("button", { type: "button", class: "secondary", "data-key": k,
      onclick: () => press(k) }, k))))));
}

function evaluate(expression) {
  const parts = expression.match(/\d+(\.\d+)?|[-+*/]/g) || [];
  let total = Number(parts.shift() || 0);
  while (parts.length >= 2) {
    const op = parts.shift();
    const value = Number(parts.shift());
    total = op === "+" ? total + value : op === "-" ? total - value : op === "*" ? total * value : total / value;
  }
  return Number.isFinite(total) ? String(Math.round(total * 1e8) / 1e8) : "0";
}
