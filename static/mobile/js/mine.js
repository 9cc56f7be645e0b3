// The monitor's own reports as the server last told them: review status and the coordinators'
// comments (GET /api/my-reports), kept in the vault (encrypted, like the outbox) for reading
// offline and refreshed on each sync. A report sent back can be corrected here when this phone
// still holds what was sent (kept after upload only until the review is final).
import * as vault from "./vault.js";
import { request } from "./sync.js";
import { h } from "./ui.js";
import { lang, time } from "./i18n.js";

export const RECORD = "my-reports";  // the vault record that holds the list (state "mine")
const URL_FIRST = "/api/my-reports?limit=100";
const MAX_PAGES = 10;
const FINAL = new Set(["verified", "rejected"]);

const WORDS = {
  en: {
    title: "My reports: what the coordinators said",
    none: "Nothing sent yet, or not synchronised yet.",
    synced: "As of {time}",
    visit: "Visit",
    submitted: "In review", has_issues: "Sent back: please correct", verified: "Verified",
    rejected: "Rejected",
    verify: "Verified", reject: "Rejected", merge: "Merged as a duplicate",
    unmerge: "Merge undone", reopen: "Back in review after your correction",
    correct: "Correct and send again",
    elsewhere: "Sent from another phone or from ODK Collect: correct it there.",
    version: "version {n}",
  },
  prs: {
    title: "گزارش‌های من: نظر هماهنگ‌کننده‌ها",
    none: "هنوز چیزی فرستاده نشده یا همگام‌سازی نشده است.",
    synced: "تا {time}",
    visit: "بازدید",
    submitted: "در حال بررسی", has_issues: "برگشت داده شد: لطفاً اصلاح کنید", verified: "تأیید شد",
    rejected: "رد شد",
    verify: "تأیید شد", reject: "رد شد", merge: "به‌عنوان تکراری ادغام شد",
    unmerge: "ادغام لغو شد", reopen: "پس از اصلاح شما دوباره در بررسی",
    correct: "اصلاح و ارسال دوباره",
    elsewhere: "از تلفن دیگر یا ODK Collect فرستاده شده: همان‌جا اصلاح کنید.",
    version: "نسخهٔ {n}",
  },
  ps: {
    title: "زما راپورونه: همغږي کوونکو څه وويل",
    none: "تر اوسه څه نه دي لېږل شوي يا همغږي شوي.",
    synced: "تر {time} پورې",
    visit: "ليدنه",
    submitted: "د کتنې لاندې", has_issues: "بېرته راستون شو: مهرباني وکړئ سم يې کړئ",
    verified: "تاييد شو", rejected: "رد شو",
    verify: "تاييد شو", reject: "رد شو", merge: "د تکراري په توګه يو ځای شو",
    unmerge: "يو ځای کېدل لغوه شو", reopen: "ستاسو له سمون وروسته بيا د کتنې لاندې",
    correct: "سم يې کړئ او بيا يې ولېږئ",
    elsewhere: "له بل ټيليفون يا ODK Collect څخه لېږل شوی: هلته يې سم کړئ.",
    version: "{n} نسخه",
  },
};

export function w(key, params = {}) {
  const template = (WORDS[lang()] || WORDS.en)[key] ?? WORDS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in params ? params[name] : `{${name}}`));
}

const samePath = (href) => { const u = new URL(href, location.href); return u.pathname + u.search; };

// Online: the list from the server, stored sealed; local copies of reports whose review is
// final are dropped (nothing more to correct). Throws sync.AuthError / TypeError like sync.
export async function refresh() {
  const token = vault.deviceToken();
  if (!token) return null;
  const items = [];
  let url = URL_FIRST;
  for (let n = 0; url && n < MAX_PAGES; n += 1) {
    const response = await request(url, token);
    if (!response.ok) throw new Error(`my reports: HTTP ${response.status}`);
    const page = await response.json();
    items.push(...page.items);
    const next = page.links.find((l) => l.rel === "next");
    url = next ? samePath(next.href) : null;
  }
  await vault.saveReport({ id: RECORD, state: "mine", items, syncedAt: Date.now() });
  const byId = new Map(items.map((i) => [i.id, i]));
  for (const copy of await sentCopies()) {
    const item = byId.get(copy.visitId);
    if (item && FINAL.has(item.review_status)) await vault.deleteReport(copy.id);
  }
  return items;
}

export async function stored() {
  return vault.report(RECORD);
}

export async function sentCopies() {
  return (await vault.reports()).filter((r) => r.state === "sent");
}

// What an upload keeps: the answers as sent (no photos, no body), to correct them if sent back.
export async function keepSent(report) {
  const visitId = report.visitId || report.id;
  for (const name of await vault.photoNames(report.id)) await vault.deletePhoto(report.id, name);
  for (const other of await sentCopies()) {
    if (other.visitId === visitId && other.id !== report.id) await vault.deleteReport(other.id);
  }
  await vault.saveReport({ id: report.id, formId: report.formId, state: "sent", visitId,
    instanceId: report.id, instance: report.instance, summary: report.summary,
    sentAt: Date.now(), updatedAt: Date.now() });
}

const when = (iso) => h("time", { datetime: iso, dir: "ltr" }, time(Date.parse(iso)));

function decisions(list) {
  if (!list || !list.length) return null;
  return h("ol", { class: "decisions" }, list.map((c) => h("li", { "data-action": c.action },
    when(c.at), " ", w(c.action),
    c.comment ? h("q", { dir: "auto", "data-role": "comment" }, c.comment) : null)));
}

// The list as a section; onCorrect(copy, item) opens a sent-back report for correction.
export async function section(onCorrect) {
  const box = await stored();
  const copies = await sentCopies();
  const list = h("ul", { class: "reports mine", "data-role": "mine" });
  for (const item of (box && box.items) || []) {
    const title = item.kind === "visit" ? w("visit") : item.type;
    const copy = copies.find((c) => c.visitId === item.id && c.instanceId === item.instance_id);
    let action = null;
    if (item.correctable) {
      action = copy
        ? h("button", { type: "button", class: "small", "data-action": "correct",
          onclick: () => onCorrect(copy, item) }, w("correct"))
        : h("p", { class: "hint" }, w("elsewhere"));
    }
    list.append(h("li", { class: `report ${item.review_status}`, "data-report": item.id,
      "data-status": item.review_status },
      h("strong", {}, h("bdi", {}, title), item.facility_name ? [" · ", h("bdi", {}, item.facility_name)] : null,
        " · ", when(item.at)),
      h("span", { class: "status", "data-role": "status" }, w(item.review_status),
        item.version > 1 ? ` · ${w("version", { n: item.version })}` : ""),
      decisions(item.comments),
      (item.incidents || []).filter((i) => i.comments.length).map((i) => h("div", { class: "detail" },
        h("bdi", {}, i.type), " · ", w(i.review_status), decisions(i.comments))),
      action));
  }
  if (!list.children.length) list.append(h("li", { class: "muted" }, w("none")));
  return h("section", { class: "card", "data-role": "mine-section", "aria-labelledby": "mine-title" },
    h("h2", { id: "mine-title" }, w("title")),
    box ? h("p", { class: "hint" }, w("synced", { time: time(box.syncedAt) })) : null, list);
}
