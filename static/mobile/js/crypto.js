// Keys from a PIN (PBKDF2-SHA-256) and authenticated encryption (AES-256-GCM) with WebCrypto.
// Every box gets a fresh 96-bit IV, and its storage key as associated data, so a ciphertext
// cannot be moved to another record unnoticed.
const ITERATIONS = 600000;  // OWASP 2023 figure for PBKDF2-HMAC-SHA256
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
