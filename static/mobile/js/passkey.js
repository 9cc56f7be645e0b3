// The hardware-bound half of the storage key: a passkey on the phone's own (platform)
// authenticator with the WebAuthn PRF extension. The authenticator answers only after the
// phone's unlock (user verification), and it works offline. No server takes part: the
// challenge is local, because what we want is the PRF secret, not a signature.
import { randomBytes } from "./crypto.js";

const IP = /^(\d+\.){3}\d+$|^\[?[0-9a-f:]+\]?$/i;

// Worth trying? WebAuthn refuses IP addresses as relying party, and needs a secure context.
export async function mayWork() {
  if (!window.isSecureContext || !window.PublicKeyCredential || IP.test(location.hostname)) return false;
  try {
    return await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable();
  } catch (e) {
    return false;
  }
}

// A new passkey and its PRF secret, or null where the phone cannot give one.
export async function register(name) {
  const prfSalt = randomBytes(32);
  let credential;
  try {
    credential = await navigator.credentials.create({ publicKey: {
      rp: { name }, user: { id: randomBytes(16), name, displayName: name },
      challenge: randomBytes(32),
      pubKeyCredParams: [{ type: "public-key", alg: -7 }, { type: "public-key", alg: -257 }],
      authenticatorSelection: { authenticatorAttachment: "platform", residentKey: "preferred",
        userVerification: "required" },
      attestation: "none", timeout: 120000,
      extensions: { prf: { eval: { first: prfSalt } } } } });
  } catch (e) {
    return null;
  }
  const prf = credential && credential.getClientExtensionResults().prf;
  if (!prf || prf.enabled === false) return null;
  const credentialId = new Uint8Array(credential.rawId);
  let output = prf.results && prf.results.first;
  try {
    output = output ? new Uint8Array(output) : await evaluate(credentialId, prfSalt);
  } catch (e) {
    return null;
  }
  return { credentialId, prfSalt, output };
}

// The PRF secret again (asks for the phone's unlock). Throws when the passkey does not answer.
export async function evaluate(credentialId, prfSalt) {
  const assertion = await navigator.credentials.get({ publicKey: {
    challenge: randomBytes(32), allowCredentials: [{ type: "public-key", id: credentialId }],
    userVerification: "required", timeout: 120000,
    extensions: { prf: { eval: { first: prfSalt } } } } });
  const results = assertion.getClientExtensionResults().prf;
  if (!results || !results.results || !results.results.first) throw new Error("no PRF result");
  return new Uint8Array(results.results.first);
}

// After a wipe: ask the phone's passkey manager to drop the passkey (where browsers allow it).
export async function forget(credentialId) {
  if (!credentialId || !window.PublicKeyCredential || !PublicKeyCredential.signalUnknownCredential) return;
  const id = btoa(String.fromCharCode(...credentialId)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  try {
    await PublicKeyCredential.signalUnknownCredential({ rpId: location.hostname, credentialId: id });
  } catch (e) { /* not supported here */ }
}
