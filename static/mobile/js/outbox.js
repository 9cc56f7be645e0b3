// Uploading finished reports: POST the body (its id is the report's UUID, so a retry is stored
// once), PUT each photo the server says it is missing, then keep only the answers (mine.js). Network
// failures and 5xx retry with exponential backoff; other refusals stay visible with the reason.
import * as vault from "./vault.js";
import * as sync from "./sync.js";
import { AuthError, request } from "./sync.js";
import { keepSent } from "./mine.js";

const BASE_DELAY = 5000;
const MAX_DELAY = 30 * 60 * 1000;
const RETRY_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

const live = new Map();  // id -> {state, summary}: what this session saw (e.g. "sent")
let running = false;
let again = false;
let timer = null;
let onChange = () => {};
let changes = 0;

export const transient = () => live;
export function listen(callback) { onChange = callback; }
// How many changes so far: a screen that read the reports before it listened compares this to
// catch a change it missed in between.
export const version = () => changes;
function changed() { changes += 1; onChange(); }

class Refused extends Error {
  constructor(status, detail) { super(detail); this.status = status; }
}

async function problem(response) {
  try {
    const body = await response.json();
    const fields = body.errors ? " " + JSON.stringify(body.errors) : "";
    return (body.detail || body.title || `HTTP ${response.status}`) + fields;
  } catch (e) {
    return `HTTP ${response.status}`;
  }
}

async function upload(report) {
  const token = vault.deviceToken();
  const sealed = report.kind === "case";  // a protection case: sealed on the phone (seal.js)
  const response = await request(sealed ? "/api/cases/submissions" : "/api/submissions", token, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: report.body });
  if (response.status !== 200 && response.status !== 201) throw new Refused(response.status, await problem(response));
  const { missing_photos: missing = [] } = await response.json();
  for (const name of missing) {
    const bytes = await vault.photo(report.id, name);
    if (!bytes) throw new Refused(0, `photo ${name} is no longer on this phone`);
    const put = await request(`/api/${sealed ? "cases/submissions" : "submissions"}/${report.id}/photos/${encodeURIComponent(name)}`, token, {
      method: "PUT", headers: { "Content-Type": sealed ? "application/octet-stream" : "image/jpeg" }, body: bytes });
    if (put.status !== 200 && put.status !== 201) throw new Refused(put.status, await problem(put));
  }
}

async function attempt(report) {
  live.set(report.id, { state: "uploading", summary: report.summary });
  changed();
  try {
    await upload(report);
    // The server has it all: the photos go; the answers stay (sealed) until the review is final,
    // so that a report sent back can be corrected (mine.js).
    await keepSent(report);
    live.set(report.id, { state: "sent", summary: report.summary, at: Date.now() });
  } catch (error) {
    if (error instanceof sync.EraseSignal) throw error;  // nothing left to save it in
    live.delete(report.id);
    if (error instanceof AuthError) {
      report.state = "auth";
    } else if (error instanceof Refused && !RETRY_STATUSES.has(error.status)) {
      report.state = "rejected";
    } else {
      report.attempts = (report.attempts || 0) + 1;
      const delay = Math.min(MAX_DELAY, BASE_DELAY * 2 ** (report.attempts - 1));
      report.nextAttemptAt = Date.now() + delay * (0.75 + Math.random() * 0.5);
    }
    report.lastError = error.message;
    await vault.saveReport(report);
    if (error instanceof AuthError) throw error;
  }
}

// The monitor asked: try every waiting report now, whatever its backoff said.
export async function now() {
  if (!vault.unlocked()) return;
  for (const report of await vault.reports()) {
    if (report.state === "queued" && report.nextAttemptAt) {
      report.nextAttemptAt = 0;
      await vault.saveReport(report);
    }
  }
  await kick();
}

// After a new token: reports refused for the old one go back in the queue.
export async function requeueRefused() {
  for (const report of await vault.reports()) {
    if (report.state === "auth") {
      Object.assign(report, { state: "queued", nextAttemptAt: 0, attempts: 0 });
      await vault.saveReport(report);
    }
  }
  await kick();
}

// Upload every finished report that is due. Safe to call often; runs one pass at a time.
export async function kick() {
  if (running) { again = true; return; }
  if (!vault.unlocked()) return;
  running = true;
  clearTimeout(timer);
  try {
    do {
      again = false;
      const due = (await vault.reports())
        .filter((r) => r.state === "queued" && (r.nextAttemptAt || 0) <= Date.now());
      for (const report of due) {
        if (!navigator.onLine || !vault.unlocked()) break;
        await attempt(report);
      }
    } while (again && navigator.onLine);
  } catch (error) {
    if (!(error instanceof AuthError)) console.warn("upload pass failed", error);
  } finally {
    running = false;
    changed();
    schedule();
    checkIn();
  }
}

// Just unlocked, online: tell the server what the phone holds before anything is shown, so that
// a phone marked lost is erased by the answer (sync.request) before its reports appear. Waits at
// most `ms` for the answer (a weak link must not keep the monitor out); false when erased.
export async function firstContact(ms = 4000) {
  if (!navigator.onLine || !vault.unlocked()) return true;
  const held = (await vault.reports()).filter((r) => vault.isReportId(r.id));
  const answer = sync.checkIn(vault.deviceToken(), held)
    .then(() => true, (error) => !(error instanceof sync.EraseSignal));
  return Promise.race([answer, new Promise((done) => { setTimeout(() => done(true), ms); })]);
}

// What is still on the phone, told to the server after each pass (best effort, online only).
async function checkIn() {
  if (!navigator.onLine || !vault.unlocked()) return;
  try {
    const held = (await vault.reports()).filter((r) => vault.isReportId(r.id));
    await sync.checkIn(vault.deviceToken(), held);
  } catch (error) { /* offline, refused or erased: the next pass tells */ }
}

async function schedule() {
  if (!vault.unlocked()) return;
  const waiting = (await vault.reports()).filter((r) => r.state === "queued");
  if (!waiting.length) return;
  const next = Math.min(...waiting.map((r) => r.nextAttemptAt || 0));
  clearTimeout(timer);
  // Offline, the "online" event wakes us; the slow poll covers browsers that miss it.
  const wait = navigator.onLine ? Math.max(1000, next - Date.now()) : 30000;
  timer = setTimeout(kick, wait);
}

export function stop() {
  clearTimeout(timer);
  live.clear();
}

window.addEventListener("online", () => kick());
