// Finishing a protection case (issue 19): seal it (seal.js), keep only the ciphertext and the
// clear triage fields on the phone, queue it. Kept apart from main.js, which only calls in.
import { h } from "./ui.js";
import { t } from "./i18n.js";
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
