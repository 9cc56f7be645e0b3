/* Protection cases' cryptography, all in the browser with WebCrypto (issue 19).
 *
 * The organisation's key: RSA-OAEP, 3072 bits, SHA-256 with MGF1-SHA-256 (WebCrypto's RSA-OAEP
 * uses the same hash for MGF1) - the padding of ODK encrypted forms, so one key serves the app
 * and ODK Collect. Its private half leaves this page only wrapped: AES-256-GCM under a key from
 * PBKDF2-SHA-256 (600,000 iterations) of a passphrase, with the key's fingerprint as associated
 * data. A case: a random AES-256-GCM record key, wrapped with the public key; the answers (JSON)
 * and each photo sealed with it (associated data: the case id, and the photo's name), so no
 * ciphertext can be moved to another case or slot unnoticed.
 */
export const ITERATIONS = 600000;
export const RSA_BITS = 3072;
const OAEP = {name: "RSA-OAEP", hash: "SHA-256"};
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The record was changed after it was sealed (a GCM tag, or the wrapped key, failed). */
export class Altered extends Error {}
/** A passphrase or recovery code that does not open the key. */
export class WrongPassphrase extends Error {}

export function toB64(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = "";
  for (let i = 0; i < view.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export function fromB64(text) {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) { out[i] = raw.charCodeAt(i); }
  return out;
}

export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Dari and Pashto keyboards type Eastern Arabic digits; NFKC for the rest. */
export function normalisePassphrase(text) {
  return String(text)
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .normalize("NFKC");
}

export async function fingerprint(spkiB64) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", fromB64(spkiB64)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Groups of four for people to compare: "ab12 cd34 ...". */
export function groupFingerprint(fp) {
  return (fp || "").match(/.{1,4}/g).join(" ");
}

/** A new key pair: {publicKey: base64 SPKI, pkcs8: Uint8Array, fingerprint}. */
export async function generateKeyPair() {
  const pair = await crypto.subtle.generateKey(
    {...OAEP, modulusLength: RSA_BITS, publicExponent: new Uint8Array([1, 0, 1])},
    true, ["encrypt", "decrypt"]);
  const publicKey = toB64(await crypto.subtle.exportKey("spki", pair.publicKey));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  return {publicKey, pkcs8, fingerprint: await fingerprint(publicKey)};
}

async function passphraseKey(passphrase, salt, iterations) {
  const material = await crypto.subtle.importKey(
    "raw", encoder.encode(normalisePassphrase(passphrase)), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({name: "PBKDF2", salt, iterations, hash: "SHA-256"},
    material, {name: "AES-GCM", length: 256}, false, ["encrypt", "decrypt"]);
}

/** The private key wrapped under a passphrase: the opaque text the server stores. */
export async function wrapPrivateKey(pkcs8, passphrase, fp) {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await passphraseKey(passphrase, salt, ITERATIONS);
  const ct = await crypto.subtle.encrypt(
    {name: "AES-GCM", iv, additionalData: encoder.encode("nezarat-sealing-key:" + fp)}, key, pkcs8);
  return JSON.stringify({v: 1, kdf: "PBKDF2-SHA-256", iterations: ITERATIONS,
    salt: toB64(salt), iv: toB64(iv), ct: toB64(ct)});
}

/** PKCS#8 bytes of a wrapped copy; WrongPassphrase when it does not open. */
export async function unwrapPrivateKey(wrapped, passphrase, fp) {
  const box = JSON.parse(wrapped);
  if (box.v !== 1 || box.kdf !== "PBKDF2-SHA-256") { throw new Error("unknown key wrapping"); }
  const key = await passphraseKey(passphrase, fromB64(box.salt), box.iterations);
  try {
    return new Uint8Array(await crypto.subtle.decrypt(
      {name: "AES-GCM", iv: fromB64(box.iv), additionalData: encoder.encode("nezarat-sealing-key:" + fp)},
      key, fromB64(box.ct)));
  } catch (e) {
    throw new WrongPassphrase("wrong passphrase");
  }
}

export function importPrivateKey(pkcs8) {
  return crypto.subtle.importKey("pkcs8", pkcs8, OAEP, false, ["decrypt"]);
}

export function importPublicKey(spkiB64) {
  return crypto.subtle.importKey("spki", fromB64(spkiB64), OAEP, false, ["encrypt"]);
}

/** A recovery code: 160 random bits in base32, grouped by four. */
export function recoveryCode() {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // no I, O, 0, 1
  return Array.from(randomBytes(32), (b) => alphabet[b % 32]).join("").match(/.{4}/g).join("-");
}

/** The raw record key of a case (or an ODK record), unwrapped with the private key. */
export async function unwrapRecordKey(privateKey, wrappedB64) {
  try {
    return new Uint8Array(await crypto.subtle.decrypt(OAEP, privateKey, fromB64(wrappedB64)));
  } catch (e) {
    throw new Altered("the record key does not open with this key");
  }
}

/** The record key re-wrapped for another organisation's public key (a referral). */
export async function rewrap(privateKey, wrappedB64, publicB64) {
  const raw = await unwrapRecordKey(privateKey, wrappedB64);
  return toB64(await crypto.subtle.encrypt(OAEP, await importPublicKey(publicB64), raw));
}

async function gcm(raw) {
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export const caseLabel = (caseId) => "nezarat-case:" + caseId;
export const photoLabel = (caseId, name) => "nezarat-case:" + caseId + "/photo:" + name;

async function openBox(raw, iv, ct, label) {
  try {
    return new Uint8Array(await crypto.subtle.decrypt(
      {name: "AES-GCM", iv, additionalData: encoder.encode(label)}, await gcm(raw), ct));
  } catch (e) {
    throw new Altered("this record was altered");
  }
}

/** The sealed answers of an app case: the parsed JSON. */
export async function openEnvelope(recordKey, envelopeText, caseId) {
  let box;
  try { box = JSON.parse(envelopeText); } catch (e) { throw new Altered("not an envelope"); }
  return JSON.parse(decoder.decode(await openBox(recordKey, fromB64(box.iv), fromB64(box.ct),
    caseLabel(caseId))));
}

/** A sealed photo (12-byte IV, then ciphertext) -> its bytes. */
export function openPhoto(recordKey, bytes, caseId, name) {
  const view = new Uint8Array(bytes);
  return openBox(recordKey, view.subarray(0, 12), view.subarray(12), photoLabel(caseId, name));
}

/** Sealing, as the phone does it (static/mobile/js/seal.js): for tests and tools. */
export async function sealCase(publicB64, caseId, answers, photos) {
  const raw = randomBytes(32);
  const key = await gcm(raw);
  const seal = async (bytes, label) => {
    const iv = randomBytes(12);
    const ct = new Uint8Array(await crypto.subtle.encrypt(
      {name: "AES-GCM", iv, additionalData: encoder.encode(label)}, key, bytes));
    return {iv, ct};
  };
  const body = await seal(encoder.encode(JSON.stringify(answers)), caseLabel(caseId));
  const sealedPhotos = {};
  for (const [name, bytes] of Object.entries(photos || {})) {
    const box = await seal(bytes, photoLabel(caseId, name));
    const joined = new Uint8Array(12 + box.ct.length);
    joined.set(box.iv);
    joined.set(box.ct, 12);
    sealedPhotos[name] = joined;
  }
  const wrapped = toB64(await crypto.subtle.encrypt(OAEP, await importPublicKey(publicB64), raw));
  return {wrappedKey: wrapped, photos: sealedPhotos, envelope: JSON.stringify(
    {v: 1, alg: "RSA-OAEP-256+A256GCM", iv: toB64(body.iv), ct: toB64(body.ct)})};
}
