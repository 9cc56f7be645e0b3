// The app: sign in with a device token and a PIN, unlock, list the reports on the phone, fill
// in a form, finish it into the outbox, and wipe everything on demand.
import { h, clear, byId } from "./ui.js";
import { t, time, lang, setLanguage, savedLanguage } from "./i18n.js";
import * as vault from "./vault.js";
import * as sync from "./sync.js";
import * as outbox from "./outbox.js";
import { Form, text } from "./model.js";
import { renderForm } from "./render.js";
import { reportBody, photoNames } from "./body.js";
import { tokenFrom } from "./token.js";
import { readQR } from "./qr.js";
import { normaliseDigits } from "./crypto.js";
import { wipeEverything, COUNTDOWN_SECONDS } from "./wipe.js";
import { finishCase, isCase, keyLine } from "./case_finish.js";

const MIN_PIN = 6;
const LOCK_AFTER_HIDDEN_MS = 5 * 60 * 1000;
const app = byId("app");
let forms = [];
let tokenRefused = false;
let current = () => {};  // re-renders the screen on a language change
let leaving = () => {};  // cleanup of the screen being left

// render() may return a cleanup function, run when the screen is left or redrawn.
function show(render) {
  leaving();
  leaving = () => {};
  current = render;
  clear(app);
  const cleanup = render();
  if (typeof cleanup === "function") leaving = cleanup;
}

const screen = (...children) => app.append(...children);
const field = (labelText, input) => h("label", { class: "field" }, h("span", {}, labelText), input);
const pinInput = (name) => h("input", { type: "password", name, inputmode: "numeric", autocomplete: "off",
  minlength: MIN_PIN, required: true });
const message = (cls = "muted") => h("p", { class: cls, role: "status" });

function wipeButton() {
  return h("button", { type: "button", class: "danger", "data-action": "wipe", onclick: startWipe }, t("wipe"));
}

// ---- signing in ---------------------------------------------------------------------------
function signIn(note = "") {
  const token = h("textarea", { name: "token", rows: 3, autocomplete: "off", spellcheck: "false",
    autocapitalize: "off" });
  const qr = h("input", { type: "file", accept: "image/*", capture: "environment", class: "visually-hidden", id: "qr" });
  const pin = pinInput("pin");
  const pin2 = pinInput("pin2");
  const status = message(note ? "ok" : "muted");
  status.textContent = note;
  qr.addEventListener("change", async () => {
    try {
      const content = qr.files[0] && (await readQR(qr.files[0]));
      if (content) token.value = content;
      else status.textContent = t("bad_token");
    } catch (e) {
      status.textContent = t("bad_token");
    }
  });
  const submit = async (event) => {
    event.preventDefault();
    status.className = "error";
    const raw = await tokenFrom(token.value);
    if (!raw) { status.textContent = t("bad_token"); return; }
    const secret = normaliseDigits(pin.value);
    if (secret.length < MIN_PIN) { status.textContent = t("pin_short"); return; }
    if (secret !== normaliseDigits(pin2.value)) { status.textContent = t("pins_differ"); return; }
    status.className = "muted";
    status.textContent = t("checking");
    try {
      await sync.refresh(raw);
    } catch (error) {
      status.className = "error";
      status.textContent = error instanceof sync.AuthError ? t("token_refused") : t("need_online");
      return;
    }
    await vault.create(secret, raw);
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    await opened();
  };
  show(() => screen(h("form", { class: "card", onsubmit: submit, autocomplete: "off", "data-screen": "signin" },
    h("h2", {}, t("signin_title")),
    h("p", {}, t("signin_help")),
    field(t("token_label"), token),
    h("label", { for: "qr", class: "button secondary" }, t("scan_qr")), qr,
    field(t("pin_label"), pin),
    field(t("pin_repeat"), pin2),
    h("p", { class: "hint" }, t("pin_help")),
    h("button", { type: "submit" }, t("sign_in")),
    status)));
}

function unlock(note = "") {
  const pin = pinInput("pin");
  const status = message("error");
  status.textContent = note;
  const submit = async (event) => {
    event.preventDefault();
    status.className = "muted";
    status.textContent = "…";
    const outcome = await vault.unlock(pin.value);
    if (outcome.result === "ok") return opened();
    if (outcome.result === "erase") {
      await wipeEverything();
      return signIn(t("wiped"));
    }
    status.className = "error";
    status.textContent = t("wrong_pin", { n: outcome.left });
    pin.value = "";
  };
  show(() => {
    screen(h("form", { class: "card", onsubmit: submit, "data-screen": "unlock" },
      h("h2", {}, t("unlock_title")), pin, h("button", { type: "submit" }, t("unlock")), status),
    h("div", { class: "card" }, wipeButton()));
    pin.focus();
  });
}

async function opened() {
  registerServiceWorker();
  forms = await loadForms();
  home();
  outbox.kick();
  if (navigator.onLine) refreshForms();
}

async function loadForms() {
  return (await sync.load()).map((entry) => ({ ...entry, form: new Form(entry.def, entry.media) }));
}

async function refreshForms() {
  try {
    await sync.refresh(vault.deviceToken());
    forms = await loadForms();
  } catch (error) {
    if (error instanceof sync.AuthError) {
      tokenRefused = true;
      if (app.querySelector("[data-screen=home]")) home();
    }
  }
}

function registerServiceWorker() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch((e) => console.warn("no service worker", e));
  }
}

// ---- the reports on this phone ------------------------------------------------------------
const STATUS = { draft: "status_draft", queued: "status_queued", uploading: "status_uploading",
  sent: "status_sent", rejected: "status_rejected", auth: "status_auth" };

function summaryLine(summary) {
  return [summary && summary.facility, summary && summary.started ? time(Date.parse(summary.started)) : ""]
    .filter(Boolean).join(" · ") || "—";
}

function reportRow(report, state) {
  const actions = [];
  if (state === "draft" || state === "rejected") {
    // A finished case is sealed for the key holders: it cannot be opened here again.
    if (report.kind !== "case") actions.push(h("button", { type: "button", class: "secondary small", "data-action": "open",
      onclick: () => openReport(report.id) }, t("open")));
    actions.push(h("button", { type: "button", class: "secondary small", onclick: async () => {
      if (confirm(t("confirm_delete"))) { await vault.deleteReport(report.id); home(); }
    } }, t("delete")));
  }
  const retry = state === "queued" && report.nextAttemptAt > Date.now()
    ? ` · ${t("retry_at", { time: time(report.nextAttemptAt) })}` : "";
  return h("li", { class: `report ${state}`, "data-report": report.id, "data-state": state },
    h("strong", {}, summaryLine(report.summary)),
    h("span", { class: "status" }, t(STATUS[state] || state), retry),
    report.lastError && state !== "sent" ? h("span", { class: "detail" }, report.lastError) : null,
    actions.length ? h("span", { class: "row" }, actions) : null);
}

// Stored reports with their state, and those this session saw uploaded (no longer stored).
async function reportList() {
  const list = h("ul", { class: "reports", "data-role": "reports" });
  const stored = await vault.reports();
  const live = outbox.transient();
  const rows = stored.map((r) => ({ report: r, state: live.get(r.id)?.state === "uploading" ? "uploading" : r.state }));
  for (const [id, entry] of live) {
    if (entry.state === "sent" && !stored.some((r) => r.id === id)) {
      rows.push({ report: { id, summary: entry.summary, updatedAt: entry.at }, state: "sent" });
    }
  }
  rows.sort((a, b) => (b.report.updatedAt || 0) - (a.report.updatedAt || 0));
  for (const { report, state } of rows) list.append(reportRow(report, state));
  if (!rows.length) list.append(h("li", { class: "muted" }, t("empty")));
  return list;
}

function home() {
  show(async () => {
    const page = h("div", { "data-screen": "home" });
    screen(page);
    const start = forms.length
      ? forms.map((f) => h("button", { type: "button", class: "big", "data-action": "new", "data-form": f.id,
        onclick: () => newReport(f) }, t("new_visit", { form: f.def.title || f.id }), keyLine(f)))
      : [h("p", { class: "error" }, t("no_forms"))];
    const listBox = h("section", { class: "card" }, h("h2", {}, t("outbox")), await reportList());
    const refused = tokenRefused || (await vault.reports()).some((r) => r.state === "auth");
    page.append(refused ? newTokenCard() : "", h("div", { class: "card" }, start), listBox,
      h("div", { class: "card row" },
        h("button", { type: "button", class: "secondary", "data-action": "sync", onclick: () => outbox.now() }, t("sync_now")),
        h("button", { type: "button", class: "secondary", "data-action": "lock", onclick: lockNow }, t("lock")),
        wipeButton()));
    outbox.listen(async () => {
      if (!listBox.isConnected || !vault.unlocked()) return;
      const list = await reportList();
      if (list.querySelector("[data-state=auth]") && !page.querySelector("[data-role=new-token]")) return home();
      listBox.replaceChildren(h("h2", {}, t("outbox")), list);
    });
  });
}

// The server refused the token (revoked or expired): take a new one, keep the reports.
function newTokenCard() {
  const token = h("textarea", { name: "new-token", rows: 2, autocomplete: "off", spellcheck: "false" });
  const status = message("error");
  status.textContent = t("status_auth");
  const submit = async (event) => {
    event.preventDefault();
    const raw = await tokenFrom(token.value);
    if (!raw) { status.textContent = t("bad_token"); return; }
    try {
      await sync.refresh(raw);
    } catch (error) {
      status.textContent = error instanceof sync.AuthError ? t("token_refused") : t("need_online");
      return;
    }
    await vault.replaceToken(raw);
    tokenRefused = false;
    forms = await loadForms();
    home();
    outbox.requeueRefused();
  };
  return h("form", { class: "card", onsubmit: submit, "data-role": "new-token" },
    status, field(t("token_label"), token), h("button", { type: "submit" }, t("sign_in")));
}

// ---- filling in a report ------------------------------------------------------------------
function photoStore(reportId) {
  return {
    load: (name) => vault.photo(reportId, name),
    save: (name, bytes) => vault.savePhoto(reportId, name, bytes),
    remove: (name) => vault.deletePhoto(reportId, name),
    async forget(form, repeat, instance, scope) {
      const inside = form.fields.filter((n) => n.ancestors.includes(repeat) && (n.type === "photo" || n.type === "image"));
      for (const node of inside) {
        const name = form.get(instance, node, scope);
        if (typeof name === "string" && name) await vault.deletePhoto(reportId, name);
      }
    },
  };
}

function summarise(entry, instance) {
  const form = entry.form;
  const facilityNode = form.fields.find((n) => n.select && typeof n.raw.itemset === "string" && n.raw.itemset.endsWith(".csv"));
  const chosen = facilityNode && form.get(instance, facilityNode, {});
  const choice = chosen && facilityNode.choices.find((c) => c.name === chosen);
  const startNode = form.fields.find((n) => n.name === "started_at" || n.type === "start");
  return { facility: choice ? text(choice.label, lang()) : "", started: startNode ? form.get(instance, startNode, {}) : "" };
}

async function newReport(entry) {
  const id = crypto.randomUUID();
  const now = Date.now();
  const report = { id, formId: entry.id, state: "draft", createdAt: now, updatedAt: now,
    instance: entry.form.newInstance(id) };
  report.summary = summarise(entry, report.instance);
  await vault.saveReport(report);
  editReport(entry, report);
}

async function openReport(id) {
  const report = await vault.report(id);
  const entry = forms.find((f) => f.id === report.formId);
  if (!entry) { alert(t("no_forms")); return; }
  report.state = "draft";
  delete report.body;
  editReport(entry, report);
}

function editReport(entry, report) {
  let pending = null;
  const save = async () => {
    clearTimeout(pending);
    report.updatedAt = Date.now();
    report.summary = summarise(entry, report.instance);
    await vault.saveReport(report);
  };
  const status = message("error");
  let renderer = null;
  const finish = async () => {
    if (renderer.validate() > 0) { status.textContent = t("fix_errors"); return; }
    const form = entry.form;
    form.finish(report.instance);
    if (isCase(entry)) {  // sealed for the organisation's key holders, then into the outbox
      try {
        await finishCase(entry, report, form.relevantAnswers(report.instance));
      } catch (error) {
        status.textContent = error.message;
        return;
      }
      home();
      outbox.kick();
      return;
    }
    let body;
    try {
      body = reportBody(form, entry.mapping, form.relevantAnswers(report.instance));
    } catch (error) {  // the form and the server's mapping disagree: say so, keep the draft
      status.textContent = error.message;
      return;
    }
    const keep = new Set(photoNames(body));
    for (const name of await vault.photoNames(report.id)) {
      if (!keep.has(name)) await vault.deletePhoto(report.id, name);
    }
    // Stored as text and sent byte for byte on every retry: the server recognises a retry.
    report.body = JSON.stringify(body);
    report.state = "queued";
    report.attempts = 0;
    report.nextAttemptAt = 0;
    delete report.lastError;
    await save();
    home();
    outbox.kick();
  };
  show(() => {
    renderer = renderForm({ form: entry.form, instance: report.instance, photos: photoStore(report.id),
      onChange: () => { clearTimeout(pending); pending = setTimeout(save, 600); } });
    screen(h("div", { "data-screen": "form", "data-report": report.id },
      h("h2", {}, entry.def.title || entry.id), renderer.element,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", "data-action": "save", onclick: async () => { await save(); home(); } }, t("save_draft")),
        h("button", { type: "button", "data-action": "finish", onclick: finish }, t("finish"))),
      status));
    return () => renderer.destroy();
  });
}

// ---- lock and wipe ------------------------------------------------------------------------
function lockNow() {
  vault.lock();
  outbox.stop();
  forms = [];
  unlock();
}

function startWipe() {
  let left = COUNTDOWN_SECONDS;
  const count = h("p", { class: "countdown", role: "alert" });
  const overlay = h("div", { class: "overlay", "data-role": "wipe-countdown" },
    h("div", { class: "card" }, count,
      h("button", { type: "button", class: "big", "data-action": "cancel-wipe", onclick: () => { clearInterval(timer); overlay.remove(); } },
        t("cancel"))));
  const tick = async () => {
    count.textContent = t("wipe_countdown", { n: left });
    if (left <= 0) {
      clearInterval(timer);
      await wipeEverything();
      overlay.remove();
      forms = [];
      signIn(t("wiped"));
      document.body.dataset.wiped = "yes";
      return;
    }
    left -= 1;
  };
  const timer = setInterval(tick, 1000);
  tick();
  document.body.append(overlay);
}

let hiddenAt = 0;
document.addEventListener("visibilitychange", () => {
  if (document.hidden) { hiddenAt = Date.now(); return; }
  if (vault.unlocked() && hiddenAt && Date.now() - hiddenAt > LOCK_AFTER_HIDDEN_MS) lockNow();
});

// ---- start --------------------------------------------------------------------------------
function network() {
  const el = byId("net");
  el.textContent = navigator.onLine ? t("online") : t("offline");
  el.className = navigator.onLine ? "net online" : "net offline";
}

async function boot() {
  setLanguage(savedLanguage());
  const select = byId("lang");
  select.value = lang();
  select.addEventListener("change", () => {
    setLanguage(select.value);
    network();
    show(current);
  });
  window.addEventListener("online", network);
  window.addEventListener("online", () => { if (vault.unlocked()) refreshForms(); });
  window.addEventListener("offline", network);
  network();
  if (await vault.exists()) unlock(); else signIn();
  document.body.dataset.ready = "yes";
}

boot();
