/* Opening an ODK-encrypted submission in the key holder's browser: the port of the key holder's
 * side of the ODK XForms encryption specification (server/openrosa/encrypted.py reads the same
 * format; tests/odk_encryption.py writes it as Collect does). The record key is unwrapped with
 * RSA-OAEP (SHA-256, MGF1-SHA-256); each file is AES-256-CFB-128 with PKCS#7 padding, media
 * first and the XML last, file i with the IV md5(instanceID + key) after i + 1 byte increments;
 * the signature (md5 of form id, version, wrapped key, instanceID and each file's
 * "name::md5") must match, or the record was altered: CFB alone would not notice.
 * WebCrypto has no CFB: each keystream block E(previous ciphertext block) is one AES-CBC
 * encryption of that block with a zero IV (its first output block). */
import {Altered, fromB64, unwrapRecordKey} from "./crypto.js";
import {hex, md5} from "./md5.js";

const encoder = new TextEncoder();
const BATCH = 512;

async function blockCipher(raw) {
  const key = await crypto.subtle.importKey("raw", raw, "AES-CBC", false, ["encrypt"]);
  const zero = new Uint8Array(16);
  return async (block) => new Uint8Array(await crypto.subtle.encrypt({name: "AES-CBC", iv: zero}, key, block)).subarray(0, 16);
}

export async function cfbDecrypt(raw, iv, data) {
  if (!data.length || data.length % 16) { throw new Altered("not whole AES blocks"); }
  const encrypt = await blockCipher(raw);
  const out = new Uint8Array(data.length);
  const blocks = data.length / 16;
  for (let start = 0; start < blocks; start += BATCH) {
    const jobs = [];
    for (let i = start; i < Math.min(blocks, start + BATCH); i += 1) {
      jobs.push(encrypt(i === 0 ? iv : data.subarray((i - 1) * 16, i * 16)));
    }
    const streams = await Promise.all(jobs);
    streams.forEach((stream, j) => {
      const at = (start + j) * 16;
      for (let k = 0; k < 16; k += 1) { out[at + k] = data[at + k] ^ stream[k]; }
    });
  }
  const pad = out[out.length - 1];
  if (pad < 1 || pad > 16 || out.subarray(out.length - pad).some((b) => b !== pad)) {
    throw new Altered("wrong padding");
  }
  return out.subarray(0, out.length - pad);
}

export function ivs(instanceId, key, count) {
  const joined = new Uint8Array([...encoder.encode(instanceId), ...key]);
  const seed = md5(joined);
  const out = [];
  for (let i = 0; i < count; i += 1) {
    seed[i % 16] = (seed[i % 16] + 1) & 0xff;
    out.push(seed.slice());
  }
  return out;
}

const plainName = (name) => name.slice(0, -".enc".length);

/** odk: {instance_id, form_id, form_version, encrypted_key, media, xml_file};
 *  wrappedKey / wrappedSignature: for this key (the manifest's, or a referral's re-wrapped);
 *  fetchFile(name) -> ArrayBuffer. Returns {xml: string, media: {plain name: Uint8Array}}. */
export async function openOdk(privateKey, odk, wrappedKey, wrappedSignature, fetchFile) {
  const key = await unwrapRecordKey(privateKey, wrappedKey);
  if (key.length !== 32) { throw new Altered("the record key is not 256 bits"); }
  const names = [...(odk.media || []), odk.xml_file];
  const seeds = ivs(odk.instance_id, key, names.length);
  const plain = [];
  for (let i = 0; i < names.length; i += 1) {
    plain.push(await cfbDecrypt(key, seeds[i], new Uint8Array(await fetchFile(names[i]))));
  }
  let source = odk.form_id + "\n";
  if (odk.form_version !== null && odk.form_version !== undefined) { source += odk.form_version + "\n"; }
  source += odk.encrypted_key + "\n" + odk.instance_id + "\n";
  names.forEach((name, i) => { source += `${plainName(name)}::${hex(md5(plain[i]))}\n`; });
  if (!wrappedSignature) { throw new Altered("the record is not signed"); }
  const signed = await unwrapRecordKey(privateKey, wrappedSignature);
  const expected = md5(encoder.encode(source));
  if (signed.length !== 16 || signed.some((b, i) => b !== expected[i])) {
    throw new Altered("the signature does not match");
  }
  key.fill(0);
  const media = {};
  names.slice(0, -1).forEach((name, i) => { media[plainName(name)] = plain[i]; });
  return {xml: new TextDecoder().decode(plain[plain.length - 1]), media};
}

/** The answers of a decrypted submission: each leaf element but the meta block. */
export function answers(xml) {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  if (doc.querySelector("parsererror")) { throw new Altered("not XML"); }
  const out = [];
  const walk = (element) => {
    for (const child of element.children) {
      if (child.localName === "meta") { continue; }
      if (child.children.length) { walk(child); }
      else { out.push({name: child.localName, value: child.textContent}); }
    }
  };
  walk(doc.documentElement);
  return out;
}

export {fromB64};
