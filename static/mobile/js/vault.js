// The encrypted store: the device token, reports (drafts and finished) and their photos, all
// sealed with the storage key (keys.js: hardware-bound secret + PIN, or a strong passphrase
// through Argon2id). The key lives only in memory while unlocked.
//
// meta holds, in the clear: "kdf" (mode, salts, the passkey's id, Argon2 parameters) and the
// count of wrong attempts; sealed: "token" (under the storage key) and "spare". "spare" is the
// duress box: sealed under the key of the duress PIN, it holds the SHA-256 of the token (enough
// to tell the server, never enough to act as the phone); without a duress PIN it is the same
// shape under a random key, so its presence says nothing.
import * as db from "./db.js";
import * as passkey from "./passkey.js";
import { deriveKey, randomBytes, seal, sealJSON, sha256Hex, unseal, unsealJSON } from "./crypto.js";
import { ARGON2, passphraseKey, prfKey } from "./keys.js";

const MAX_WRONG = 10;  // then everything is erased, as a phone would
let key = null;
let token = null;

export const unlocked = () => key !== null;
export const deviceToken = () => token;

export async function exists() {
  return (await db.get("meta", "token")) !== undefined;
}

export async function mode() {
  const kdf = await db.get("meta", "kdf");
  return kdf ? kdf.mode : "v1";
}

async function keyFor(kdf, secret, prfOutput) {
  if (kdf.mode === "prf") return prfKey(prfOutput, secret, kdf.salt);
  return passphraseKey(secret, kdf.salt, kdf.argon);
}

// mode "prf" with hardware = {credentialId, prfSalt, output} from passkey.register(), or
// "passphrase". duress: a second secret, or "".
export async function create({ mode: kind, secret, duress, newToken, hardware }) {
  const kdf = { v: 2, mode: kind, salt: randomBytes(16) };
  if (kind === "prf") Object.assign(kdf, { credentialId: hardware.credentialId, prfSalt: hardware.prfSalt });
  else kdf.argon = { ...ARGON2 };
  const derived = await keyFor(kdf, secret, hardware && hardware.output);
  const proof = await sha256Hex(newToken);
  const spareKey = duress ? await keyFor(kdf, duress, hardware && hardware.output)
    : await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt"]);
  await db.put("meta", "kdf", kdf);
  await db.put("meta", "token", await sealJSON(derived, "token", newToken));
  await db.put("meta", "spare", await sealJSON(spareKey, "spare", { proof }));
  await db.put("meta", "wrong", 0);
  key = derived;
  token = newToken;
}

// "ok"; "duress" (with the proof to report); "wrong" (attempts left); "erase" after too many
// wrong secrets; "nokey" when the passkey did not answer (nothing counted).
export async function unlock(secret) {
  const kdf = (await db.get("meta", "kdf")) || { mode: "v1", salt: await db.get("meta", "salt") };
  let derived;
  if (kdf.mode === "v1") {
    derived = await deriveKey(secret, kdf.salt);
  } else {
    let output = null;
    if (kdf.mode === "prf") {
      try { output = await passkey.evaluate(kdf.credentialId, kdf.prfSalt); } catch (e) { return { result: "nokey" }; }
    }
    derived = await keyFor(kdf, secret, output);
  }
  try {
    token = await unsealJSON(derived, "token", await db.get("meta", "token"));
  } catch (e) {
    const spare = await db.get("meta", "spare");
    if (spare) {
      try {
        const { proof } = await unsealJSON(derived, "spare", spare);
        return { result: "duress", proof };
      } catch (e2) { /* not the duress secret either */ }
    }
    const wrong = ((await db.get("meta", "wrong")) || 0) + 1;
    await db.put("meta", "wrong", wrong);
    return wrong >= MAX_WRONG ? { result: "erase" } : { result: "wrong", left: MAX_WRONG - wrong };
  }
  await db.put("meta", "wrong", 0);
  key = derived;
  return { result: "ok" };
}

// A store made before the hardware-bound key (v1: the PIN alone through PBKDF2, which a copy of
// the storage gives up to a GPU in about a minute): re-sealed under the authenticator's secret
// and the same PIN, token, reports and photos in one transaction, so it is either wholly the old
// store or wholly the new. Called unlocked, with hardware = passkey.register()'s answer.
export async function upgrade(secret, hardware) {
  const kdf = { v: 2, mode: "prf", salt: randomBytes(16), credentialId: hardware.credentialId,
    prfSalt: hardware.prfSalt };
  const fresh = await prfKey(hardware.output, secret, kdf.salt);
  const spareKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt"]);
  await inOrder(async () => {
    const puts = [["meta", "kdf", kdf], ["meta", "token", await sealJSON(fresh, "token", token)],
      ["meta", "spare", await sealJSON(spareKey, "spare", { proof: await sha256Hex(token) })],
      ["meta", "wrong", 0]];
    for (const [id, box] of await db.entries("records")) {
      puts.push(["records", id, await seal(fresh, "report:" + id, await unseal(key, "report:" + id, box))]);
    }
    for (const [name, box] of await db.entries("photos")) {
      puts.push(["photos", name, await seal(fresh, "photo:" + name, await unseal(key, "photo:" + name, box))]);
    }
    await db.writeAll(puts, [["meta", "salt"]]);
    key = fresh;
  });
}

// The passkey to forget when the store is erased.
export async function credentialId() {
  const kdf = await db.get("meta", "kdf");
  return kdf && kdf.credentialId;
}

export function lock() {
  key = null;
  token = null;
}

// Writes of reports and photos happen in the order they were asked for. Sealing is asynchronous:
// without this, a draft autosave sealed a moment before "finish" could land after it and turn
// the queued report back into a draft.
let writes = Promise.resolve();
function inOrder(write) {
  const done = writes.then(write);
  writes = done.catch(() => {});
  return done;
}

export function saveReport(report) {
  const box = sealJSON(key, "report:" + report.id, report);  // the report as it is now
  return inOrder(async () => db.put("records", report.id, await box));
}

export async function reports() {
  const list = [];
  for (const [id, box] of await db.entries("records")) list.push(await unsealJSON(key, "report:" + id, box));
  return list;
}

// A report's id is a UUID; other records (the "my-reports" list kept for offline reading) are not
// reports, and are never told to the server as held.
const REPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isReportId(id) {
  return REPORT_ID.test(String(id));
}

export async function reportIds() {
  return (await db.keys("records")).filter(isReportId);
}

export async function report(id) {
  const box = await db.get("records", id);
  return box ? unsealJSON(key, "report:" + id, box) : null;
}

export async function deleteReport(id) {
  await inOrder(async () => {
    await db.deleteRange("photos", id + "/");
    await db.del("records", id);
  });
}

export function savePhoto(reportId, name, bytes) {
  const box = seal(key, "photo:" + reportId + "/" + name, bytes);
  return inOrder(async () => db.put("photos", reportId + "/" + name, await box));
}

export async function photo(reportId, name) {
  const box = await db.get("photos", reportId + "/" + name);
  return box ? unseal(key, "photo:" + reportId + "/" + name, box) : null;
}

export async function photoNames(reportId) {
  const prefix = reportId + "/";
  return (await db.keys("photos")).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
}

// A new token (the old one was refused). The duress box keeps the old token's proof: the server
// recognises it as long as that token's record exists.
export async function replaceToken(newToken) {
  await db.put("meta", "token", await sealJSON(key, "token", newToken));
  token = newToken;
}

export function deletePhoto(reportId, name) {
  return inOrder(() => db.del("photos", reportId + "/" + name));
}
