// Less kept, for less time: a draft untouched for longer than the deployment's first limit is
// flagged; past the second it is erased, with its photos. Nothing records what was erased.
// The limits come with the form index (server setting MOBILE_DRAFT_FLAG_DAYS / _ERASE_DAYS).
import { settings } from "./sync.js";

const DAY = 24 * 60 * 60 * 1000;
let limits = { flag_days: 0, erase_days: 0 };

const age = (report) => Date.now() - (report.updatedAt || report.createdAt || Date.now());
const isDraft = (report) => report.state === "draft" || report.state === "rejected";

export function isOld(report) {
  return isDraft(report) && limits.flag_days > 0 && age(report) > limits.flag_days * DAY;
}

export async function prune(vault) {
  limits = { ...limits, ...((await settings()).retention || {}) };
  if (!(limits.erase_days > 0)) return;
  for (const report of await vault.reports()) {
    if (isDraft(report) && age(report) > limits.erase_days * DAY) await vault.deleteReport(report.id);
  }
}
