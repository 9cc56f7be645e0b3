// Key derivation and authenticated encryption (AES-256-GCM) with WebCrypto. Every box gets a
// fresh 96-bit IV, and its storage key as associated data, so a ciphertext cannot be moved to
// another record unnoticed. How the storage key is made from a PIN or passphrase and the
// phone's hardware-bound secret: keys.js.
const ITERATIONS = 600000;  // v1 stores only (PIN alone, PBKDF2-HMAC-SHA256, OWASP 2023 figure)
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Dari and Pashto keyboards type Eastern Arabic digits: the same PIN must give the same key.
export function normaliseDigits(text) {
  return String(text)
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660));
}

export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

// What the monitor typed, as bytes: digits normalised, then NFKC (one key for one secret).
export const secretBytes = (secret) => encoder.encode(normaliseDigits(secret).normalize("NFKC"));

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) { out.set(part, at); at += part.length; }
  return out;
}

export async function hmac(keyBytes, message) {
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
}

// HKDF-SHA-256 (RFC 5869) straight into a non-extractable AES-256-GCM key.
export async function hkdfKey(ikm, salt, info) {
  const material = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt, info: encoder.encode(info) },
    material, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

export async function sha256Hex(text) {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function deriveKey(pin, salt) {
  const material = await crypto.subtle.importKey(
    "raw", encoder.encode(normaliseDigits(pin).normalize("NFKC")), "PBKDF2", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "PBKDF2", salt, iterations: ITERATIONS, hash: "SHA-256" },
    material, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

export async function seal(key, label, bytes) {
  const iv = randomBytes(12);
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(label) }, key, bytes);
  return { iv, ct: new Uint8Array(ct) };
}

export async function unseal(key, label, box) {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: box.iv, additionalData: encoder.encode(label) }, key, box.ct);
  return new Uint8Array(plain);
}

export const sealJSON = (key, label, value) => seal(key, label, encoder.encode(JSON.stringify(value)));
export const unsealJSON = async (key, label, box) => JSON.parse(decoder.decode(await unseal(key, label, box)));
