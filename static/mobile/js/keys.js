// The storage key, from two things where the phone allows it:
//  - "prf": the phone's platform authenticator (a passkey with the WebAuthn PRF extension) gives
//    a 32-byte secret only after the phone's own unlock; the PIN adds 32 bytes of its own
//    (HMAC-SHA-256 keyed with the store's salt). HKDF-SHA-256 over both makes the AES key, so a
//    copy of the storage cannot be opened by trying PINs: the hardware secret is missing, and
//    with it 2^256 possibilities, whatever the PIN.
//  - "passphrase": no hardware-bound secret (older phones, browsers without PRF): a passphrase
//    strong enough to resist offline guessing (strength.js) through Argon2id, memory-hard, with
//    the parameters below (README: "The phone's storage key").
import { concat, hkdfKey, hmac, secretBytes } from "./crypto.js";

// 32 MiB, 3 passes, 1 lane: ~0.5-1 s per guess on a mid-range phone (README for measurements).
export const ARGON2 = { memorySize: 32768, iterations: 3, parallelism: 1 };
const INFO = { prf: "storage-key/prf/v2", passphrase: "storage-key/passphrase/v2" };

export async function prfKey(prfOutput, pin, salt) {
  const pinPart = await hmac(salt, secretBytes(pin));
  return hkdfKey(concat(new Uint8Array(prfOutput), pinPart), salt, INFO.prf);
}

export async function passphraseKey(passphrase, salt, params = ARGON2) {
  // Loaded when first needed, not before the first screen (its WebAssembly is 29 KB).
  const { argon2id } = await import("../lib/argon2.js");
  const stretched = await argon2id({ password: secretBytes(passphrase), salt, hashLength: 32,
    outputType: "binary", ...params });
  return hkdfKey(stretched, salt, INFO.passphrase);
}
