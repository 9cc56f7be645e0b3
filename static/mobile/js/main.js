// The app: sign in with a device token and a PIN, unlock, list the reports on the phone, fill
// in a form, finish it into the outbox, and wipe everything on demand.
import { h, clear, byId } from "./ui.js";
import { t, time, lang, setLanguage, savedLanguage } from "./i18n.js";
import * as vault from "./vault.js";
import * as sync from "./sync.js";
import * as outbox from "./outbox.js";
import { tokenFrom } from "./token.js";
import { COUNTDOWN_SECONDS } from "./wipe.js";
import * as gate from "./gate.js";
import * as retention from "./retention.js";
import * as mine from "./mine.js";

// The forms' modules (the model and its XPath, the renderer and its widgets, the report's body,
// the cases and their sealing) are not needed to draw the sign-in or unlock screen: they are
// fetched once that screen is up (nine fewer requests before it on a weak link; offline the
// service worker has them) and awaited before the forms are read (loadForms).
let Form, text, renderForm, reportBody, photoNames, finishCase, isCase, keyLine, sealVisitCases,
  currentPosition;
let formModules = null;
function loadFormModules() {
  formModules ??= Promise.all([import("./model.js"), import("./render.js"), import("./body.js"),
    import("./case_finish.js"), import("./widgets.js")]).then(([model, render, body, cases, widgets]) => {
    ({ Form, text } = model);
    ({ renderForm } = render);
    ({ reportBody, photoNames } = body);
    ({ finishCase, isCase, keyLine, sealVisitCases } = cases);
    ({ currentPosition } = widgets);
  }, (error) => {
    formModules = null;  // asked again next time (a dropped connection, say)
    throw error;
  });
  return formModules;
}

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
const message = (cls = "muted") => h("p", { class: cls, role: "status" });

function wipeButton() {
  return h("button", { type: "button", class: "danger", "data-action": "wipe", onclick: startWipe }, t("wipe"));
}

async function opened() {
  registerServiceWorker();
  if (!(await outbox.firstContact())) return;  // marked lost: erased already, a fresh install now
  forms = await loadForms();
  await retention.prune(vault);
  home();
  outbox.kick();
  if (navigator.onLine) refreshForms();
}

async function loadForms() {
  await loadFormModules();
  return (await sync.load()).map((entry) => ({ ...entry,
    form: Object.assign(new Form(entry.def, entry.media), { images: entry.images || {} }) }));
}

async function refreshForms() {
  try {
    await sync.refresh(vault.deviceToken());
    forms = await loadForms();
  } catch (error) {
    if (error instanceof sync.EraseSignal) return;  // erased already: a fresh install now
    if (error instanceof sync.AuthError) {
      tokenRefused = true;
      if (app.querySelector("[data-screen=home]")) home();
    }
  }
  await refreshMine();
}

// The coordinators' decisions on my reports: fetched on each sync, shown from the vault offline.
async function refreshMine() {
  try {
    await mine.refresh();
  } catch (error) {
    if (!(error instanceof sync.AuthError) && !(error instanceof TypeError)) console.warn("my reports", error);
  }
  const box = app.querySelector("[data-role=mine-section]");
  if (box && vault.unlocked()) box.replaceWith(await mine.section(correct));
}

function registerServiceWorker() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" }).catch((e) => console.warn("no service worker", e));
  }
}

// ---- the reports on this phone ------------------------------------------------------------
const STATUS = { draft: "status_draft", queued: "status_queued", uploading: "status_uploading",
  sent: "status_sent", rejected: "status_rejected", auth: "status_auth" };

// Each part isolated (<bdi>): a Latin facility name and a date in a Dari line keep their order.
function summaryLine(summary) {
  const parts = [summary && summary.facility, summary && summary.started ? time(Date.parse(summary.started)) : ""]
    .filter(Boolean).map((part) => h("bdi", {}, part));
  return parts.length ? parts.flatMap((part, i) => (i ? [" · ", part] : [part])) : "—";
}

// The form's title in the app's language (XLSForm titles have no translations).
function formTitle(entry) {
  const key = `form_title_${entry.id}`;
  const title = t(key);
  return title === key ? entry.def.title || entry.id : title;
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
    retention.isOld(report) ? h("span", { class: "detail", "data-role": "old-draft" }, t("draft_old")) : null,
    actions.length ? h("span", { class: "row" }, actions) : null);
}

// Stored reports with their state, and those this session saw uploaded (no longer stored).
async function reportList() {
  const list = h("ul", { class: "reports", "data-role": "reports" });
  // Sent copies and the list of my reports are shown in their own section (mine.js).
  const stored = (await vault.reports()).filter((r) => r.state !== "sent" && r.state !== "mine");
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
    const seen = outbox.version();  // before the reports are read
    screen(page);
    const start = forms.length
      ? forms.map((f) => (f.form.refusals.length ? refusedForm(f)
        : h("button", { type: "button", class: "big", "data-action": "new", "data-form": f.id,
          onclick: () => newReport(f) }, t("new_visit", { form: formTitle(f) }), keyLine(f))))
      : [h("p", { class: "error" }, t("no_forms"))];
    const listBox = h("section", { class: "card" }, h("h2", {}, t("outbox")), await reportList());
    const refused = tokenRefused || (await vault.reports()).some((r) => r.state === "auth");
    page.append(refused ? newTokenCard() : "", h("div", { class: "card" }, start), listBox,
      await mine.section(correct),
      h("div", { class: "card row" },
        h("button", { type: "button", class: "secondary", "data-action": "sync", onclick: () => outbox.now().then(refreshMine) }, t("sync_now")),
        h("button", { type: "button", class: "secondary", "data-action": "lock", onclick: lockNow }, t("lock")),
        wipeButton()));
    const update = async () => {
      if (!listBox.isConnected || !vault.unlocked()) return;
      const list = await reportList();
      if (list.querySelector("[data-state=auth]") && !page.querySelector("[data-role=new-token]")) return home();
      listBox.replaceChildren(h("h2", {}, t("outbox")), list);
      if (!outbox.transient().size || [...outbox.transient().values()].some((e) => e.state === "sent")) refreshMine();
    };
    outbox.listen(update);
    if (outbox.version() !== seen) update();  // an upload finished while this screen was drawn
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

// Collect's last-saved instance: the answers of the report of this form saved last on this
// phone (a draft, or one waiting or kept after sending), read by ${last-saved#name}.
async function lastSaved(entry, exceptId = null) {
  if (!entry.form.readsLastSaved) return null;
  let latest = null;
  for (const r of await vault.reports()) {
    if (r.formId === entry.id && r.instance && r.id !== exceptId && (!latest || (r.updatedAt || 0) > (latest.updatedAt || 0))) latest = r;
  }
  return latest ? latest.instance : null;
}

async function newReport(entry) {
  const id = crypto.randomUUID();
  const now = Date.now();
  entry.form.locate ||= currentPosition;  // start-geopoint: the position when the report starts
  const report = { id, formId: entry.id, state: "draft", createdAt: now, updatedAt: now,
    instance: entry.form.newInstance(id, await lastSaved(entry)) };
  report.summary = summarise(entry, report.instance);
  editReport(entry, report);  // stored from the first answer on (editReport's onChange)
}

// A report sent back: a new draft, a new version of the same visit (its deprecatedID names the
// version the coordinator saw), with the answers as sent.
async function correct(copy, item) {
  const entry = forms.find((f) => f.id === copy.formId);
  if (!entry) { alert(t("no_forms")); return; }
  const id = crypto.randomUUID();
  const now = Date.now();
  const instance = structuredClone(copy.instance);
  for (const node of entry.form.fields) {
    if (node.name === "instanceID") entry.form.set(instance, node, {}, "uuid:" + id);
    if (node.name === "deprecatedID") entry.form.set(instance, node, {}, "uuid:" + item.instance_id);
  }
  const report = { id, formId: copy.formId, state: "draft", visitId: copy.visitId, createdAt: now,
    updatedAt: now, instance, summary: copy.summary };
  await vault.saveReport(report);
  editReport(entry, report);
}

async function openReport(id) {
  const report = await vault.report(id);
  const entry = forms.find((f) => f.id === report.formId);
  if (!entry) { alert(t("no_forms")); return; }
  report.state = "draft";
  delete report.body;
  entry.form.useLastSaved(report.instance, await lastSaved(entry, report.id));
  editReport(entry, report);
}

// A form with something the app cannot run exactly as ODK Collect (model.js unsupportedFeatures):
// named, and not opened.
function refusedForm(entry) {
  return h("div", { class: "refused", "data-refused": entry.id },
    h("p", {}, h("strong", {}, formTitle(entry))),
    h("p", { class: "error", role: "alert" }, t("unsupported", { what: entry.form.refusals.join("; ") })));
}

function editReport(entry, report) {
  if (entry.form.refusals.length) {  // a draft or a correction of a form refused since
    show(() => screen(h("div", { "data-screen": "refused" }, refusedForm(entry),
      h("button", { type: "button", class: "secondary", onclick: home }, t("back")))));
    return;
  }
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
      await sealVisitCases(entry, report);  // persons at risk: sealed into cases of their own
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
      h("h2", {}, formTitle(entry)), renderer.element,
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
  gate.unlock();
}

// The countdown hides everything at once (issue 16): the screen behind it is emptied, not
// dimmed. Cancelled, the screen comes back; carried out, the app is a fresh install.
function startWipe() {
  let left = COUNTDOWN_SECONDS;
  const screenBefore = current;
  clear(app);
  const count = h("p", { class: "countdown", role: "alert" });
  const cancel = () => { clearInterval(timer); overlay.remove(); show(screenBefore); };
  const overlay = h("div", { class: "overlay opaque", "data-role": "wipe-countdown" },
    h("div", { class: "card" }, count,
      h("button", { type: "button", class: "big", "data-action": "cancel-wipe", onclick: cancel }, t("cancel"))));
  const tick = async () => {
    count.textContent = t("wipe_countdown", { n: left });
    if (left <= 0) {
      clearInterval(timer);
      await gate.eraseToFresh();
      overlay.remove();
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
  gate.setup({ show, screen, opened, wipeButton, reset: () => { forms = []; tokenRefused = false; leaving(); leaving = () => {}; } });
  sync.whenErased(gate.eraseToFresh);
  if (await vault.exists()) gate.unlock(); else gate.signIn();
  document.body.dataset.ready = "yes";
  // Once the screen is painted (the next frame, then a task after it).
  requestAnimationFrame(() => setTimeout(() => loadFormModules().catch(() => {}), 0));
}

boot();
