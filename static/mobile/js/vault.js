// The encrypted store: the device token, reports (drafts and finished) and their photos, all
// sealed with a key derived from the monitor's PIN. The key lives only in memory while unlocked.
import * as db from "./db.js";
import { deriveKey, randomBytes, seal, sealJSON, unseal, unsealJSON } from "./crypto.js";

const MAX_WRONG_PINS = 10;  // then everything is erased, as a phone would
let key = null;
let token = null;

export const unlocked = () => key !== null;
export const deviceToken = () => token;

export async function exists() {
  return (await db.get("meta", "token")) !== undefined;
}

export async function create(pin, newToken) {
  const salt = randomBytes(16);
  const derived = await deriveKey(pin, salt);
  await db.put("meta", "salt", salt);
  await db.put("meta", "token", await sealJSON(derived, "token", newToken));
  await db.put("meta", "wrong", 0);
  key = derived;
  token = newToken;
}

// Returns "ok", "wrong" (with attempts left) or "erase" once too many wrong PINs were given.
export async function unlock(pin) {
  const salt = await db.get("meta", "salt");
  const sealed = await db.get("meta", "token");
  const derived = await deriveKey(pin, salt);
  try {
    token = await unsealJSON(derived, "token", sealed);
  } catch (e) {
    const wrong = ((await db.get("meta", "wrong")) || 0) + 1;
    await db.put("meta", "wrong", wrong);
    return wrong >= MAX_WRONG_PINS ? { result: "erase" } : { result: "wrong", left: MAX_WRONG_PINS - wrong };
  }
  await db.put("meta", "wrong", 0);
  key = derived;
  return { result: "ok" };
}

export function lock() {
  key = null;
  token = null;
}

export async function saveReport(report) {
  await db.put("records", report.id, await sealJSON(key, "report:" + report.id, report));
}

export async function reports() {
  const list = [];
  for (const id of await db.keys("records")) {
    list.push(await unsealJSON(key, "report:" + id, await db.get("records", id)));
  }
  return list;
}

export async function report(id) {
  const box = await db.get("records", id);
  return box ? unsealJSON(key, "report:" + id, box) : null;
}

export async function deleteReport(id) {
  await db.deleteRange("photos", id + "/");
  await db.del("records", id);
}

export async function savePhoto(reportId, name, bytes) {
  const label = "photo:" + reportId + "/" + name;
  await db.put("photos", reportId + "/" + name, await seal(key, label, bytes));
}

export async function photo(reportId, name) {
  const box = await db.get("photos", reportId + "/" + name);
  return box ? unseal(key, "photo:" + reportId + "/" + name, box) : null;
}

export async function photoNames(reportId) {
  const prefix = reportId + "/";
  return (await db.keys("photos")).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}

export async function replaceToken(newToken) {
  await db.put("meta", "token", await sealJSON(key, "token", newToken));
  token = newToken;
}

export async function deletePhoto(reportId, name) {
  await db.del("photos", reportId + "/" + name);
}
