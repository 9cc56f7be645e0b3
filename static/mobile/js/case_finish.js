// Finishing a protection case (issue 19): seal it (seal.js), keep only the ciphertext and the
// clear triage fields on the phone, queue it. Kept apart from main.js, which only calls in.
import { h } from "./ui.js";
import { extend, t } from "./i18n.js";
import * as vault from "./vault.js";
import { groupFingerprint, isCase, sealCase } from "./seal.js";

export { isCase };

export async function finishCase(entry, report, answers) {
  const { body, photos } = await sealCase(entry, report.id, answers, (name) => vault.photo(report.id, name));
  for (const name of await vault.photoNames(report.id)) await vault.deletePhoto(report.id, name);
  for (const [name, bytes] of Object.entries(photos)) await vault.savePhoto(report.id, name, bytes);
  report.kind = "case";
  report.instance = null;  // the plain answers leave the phone's store with the sealing
  report.body = JSON.stringify(body);
  report.state = "queued";
  report.attempts = 0;
  report.nextAttemptAt = 0;
  report.updatedAt = Date.now();
  delete report.lastError;
  await vault.saveReport(report);
}

// The key a form seals to, for the monitor to compare with the coordinator's page.
export function keyLine(entry) {
  if (!entry.sealingKey) return null;
  return h("small", { class: "fingerprint", "data-role": "sealing-fingerprint", dir: "ltr" },
    ` 🔒 ${t("sealed_key")}: ${groupFingerprint(entry.sealingKey.fingerprint).slice(0, 19)}`);
}

// ---- persons at risk met during a visit ---------------------------------------------------
// The visit form's repeat of persons at risk (mapping.cases, from the server; in our app only):
// each entry is sealed, exactly as a protection case is, into a case of its own that names the
// visit, with the visit's facility and date and the entry's urgency in clear. The entries and
// their plain photos then leave the visit, which goes on to the outbox without them.
extend({
  en: { no_sealing_key: "Your organisation has no sealing key yet, so a person at risk cannot be recorded. Remove the person at risk, or ask your coordinator to make the key and refresh the forms." },
  prs: { no_sealing_key: "سازمان شما هنوز کلید مهر و موم ندارد، بنابراین شخص در معرض خطر ثبت شده نمی‌تواند. شخص در معرض خطر را حذف کنید، یا از هماهنگ‌کننده خود بخواهید کلید را بسازد و فورم‌ها را تازه کنید." },
  ps: { no_sealing_key: "ستاسو سازمان لا د مهر کیلي نه لري، نو له خطر سره مخ کس نه شي ثبتېدای. له خطر سره مخ کس لرې کړئ، یا له خپل همغږي کوونکي وغواړئ چې کیلي جوړه کړي او فورمې تازه کړئ." },
});

export async function sealVisitCases(entry, report) {
  const spec = entry.mapping && entry.mapping.cases;
  const form = entry.form;
  const repeat = spec && form.byPath.get(spec.repeat);
  if (!repeat) return 0;
  const answers = form.relevantAnswers(report.instance);
  const count = form.get(answers, repeat, {}).length;
  if (!count) return 0;
  if (!entry.sealingKey) throw new Error(t("no_sealing_key"));
  const made = [];
  for (let index = 0; index < count; index += 1) {
    const id = crypto.randomUUID();
    const part = { repeat, scope: { [repeat.name]: index }, clear: spec.clear, extra: { visit_id: report.id } };
    made.push({ id, ...(await sealCase(entry, id, answers, (name) => vault.photo(report.id, name), part)) });
  }
  const now = Date.now();
  for (const { id, body, photos } of made) {
    for (const [name, bytes] of Object.entries(photos)) await vault.savePhoto(id, name, bytes);
    await vault.saveReport({ id, formId: entry.id, kind: "case", state: "queued", createdAt: now, updatedAt: now,
      instance: null, body: JSON.stringify(body), summary: report.summary, attempts: 0, nextAttemptAt: 0 });
  }
  // The plain answers and photos leave the visit (and the phone) with the sealing.
  const photoNodes = form.fields.filter((n) => n.ancestors.includes(repeat) && (n.type === "photo" || n.type === "image"));
  for (let index = 0; index < count; index += 1) {
    for (const node of photoNodes) {
      const name = form.get(report.instance, node, { [repeat.name]: index });
      if (typeof name === "string" && name) await vault.deletePhoto(report.id, name);
    }
  }
  form.set(report.instance, repeat, {}, []);
  report.updatedAt = now;
  await vault.saveReport(report);
  return count;
}
