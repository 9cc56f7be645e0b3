// Protection cases' browser cryptography (static/js/cases/): MD5 against RFC 1321's vectors, a
// case sealed as the phone does opened by the key holder (and refused when altered or with the
// wrong passphrase), and an ODK record encrypted here from the spec with Node's own AES-CFB and
// MD5 (not our code) opened by the WebCrypto port.
import assert from "node:assert/strict";
import {createCipheriv, createHash, randomBytes} from "node:crypto";
import {test} from "node:test";

import {md5, hex} from "../../static/js/cases/md5.js";
import {Altered, WrongPassphrase, generateKeyPair, importPrivateKey, openEnvelope, openPhoto,
  rewrap, sealCase, toB64, unwrapPrivateKey, unwrapRecordKey, wrapPrivateKey} from "../../static/js/cases/crypto.js";
import {cfbDecrypt, openOdk} from "../../static/js/cases/odk.js";

const enc = new TextEncoder();

test("md5 matches RFC 1321", () => {
  assert.equal(hex(md5(enc.encode(""))), "d41d8cd98f00b204e9800998ecf8427e");
  assert.equal(hex(md5(enc.encode("abc"))), "900150983cd24fb0d6963f7d28e17f72");
  const long = enc.encode("12345678901234567890123456789012345678901234567890123456789012345678901234567890");
  assert.equal(hex(md5(long)), "57edf4a22be3c955ac49da2e2107b67a");
  const big = randomBytes(100003);
  assert.equal(hex(md5(big)), createHash("md5").update(big).digest("hex"));
});

let pair;
test("a sealed case opens for the key, with the passphrase; altered or wrong, it does not", async () => {
  pair = await generateKeyPair();
  const wrapped = await wrapPrivateKey(pair.pkcs8, "a long passphrase", pair.fingerprint);
  await assert.rejects(unwrapPrivateKey(wrapped, "another passphrase", pair.fingerprint), WrongPassphrase);
  const privateKey = await importPrivateKey(await unwrapPrivateKey(wrapped, "a long passphrase", pair.fingerprint));
  const id = "6b1f0c1e-0000-4000-8000-000000000001";
  const photo = enc.encode("JPEG bytes");
  const sealed = await sealCase(pair.publicKey, id, {fields: [{name: "person_name", value: "Canary"}]}, {p1: photo});
  const key = await unwrapRecordKey(privateKey, sealed.wrappedKey);
  assert.equal((await openEnvelope(key, sealed.envelope, id)).fields[0].value, "Canary");
  assert.deepEqual(await openPhoto(key, sealed.photos.p1, id, "p1"), photo);
  await assert.rejects(openPhoto(key, sealed.photos.p1, id, "p2"), Altered);  // moved to another slot
  await assert.rejects(openEnvelope(key, sealed.envelope, "6b1f0c1e-0000-4000-8000-000000000002"), Altered);
  const box = JSON.parse(sealed.envelope);
  const ct = Buffer.from(box.ct, "base64");
  ct[5] ^= 1;
  await assert.rejects(openEnvelope(key, JSON.stringify({...box, ct: ct.toString("base64")}), id), Altered);
  // Referral: re-wrapped for another key, which then opens the same envelope.
  const partner = await generateKeyPair();
  const again = await rewrap(privateKey, sealed.wrappedKey, partner.publicKey);
  const partnerKey = await unwrapRecordKey(await importPrivateKey(partner.pkcs8), again);
  assert.equal((await openEnvelope(partnerKey, sealed.envelope, id)).fields[0].value, "Canary");
});

test("cfbDecrypt is AES-256-CFB-128 with PKCS#7", async () => {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  for (const size of [0, 1, 15, 16, 17, 5000]) {
    const plain = randomBytes(size);
    const pad = 16 - (size % 16);
    const cipher = createCipheriv("aes-256-cfb", key, iv);
    const data = Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]);
    assert.deepEqual(Buffer.from(await cfbDecrypt(new Uint8Array(key), new Uint8Array(iv), new Uint8Array(data))), plain);
  }
});

test("an ODK record encrypted as the spec says opens, and an altered one does not", async () => {
  const {webcrypto} = await import("node:crypto");
  const publicKey = await webcrypto.subtle.importKey("spki", Buffer.from(pair.publicKey, "base64"),
    {name: "RSA-OAEP", hash: "SHA-256"}, false, ["encrypt"]);
  const privateKey = await importPrivateKey(pair.pkcs8);
  const instance = "uuid:2f1c0ad4-1111-4222-8333-444455556666";
  const recordKey = randomBytes(32);
  const wrapped = toB64(await webcrypto.subtle.encrypt({name: "RSA-OAEP"}, publicKey, recordKey));
  const seed = createHash("md5").update(Buffer.concat([Buffer.from(instance, "utf8"), recordKey])).digest();
  const files = {"cell.jpg": randomBytes(3000), "submission.xml": enc.encode("<nezarat_case><person_name>Canary</person_name></nezarat_case>")};
  const stored = {};
  let source = `nezarat_case\n2025120101\n${wrapped}\n${instance}\n`;
  Object.entries(files).forEach(([name, data], counter) => {
    seed[counter % 16] = (seed[counter % 16] + 1) % 256;
    const pad = 16 - (data.length % 16);
    const cipher = createCipheriv("aes-256-cfb", recordKey, seed);
    stored[name + ".enc"] = Buffer.concat([cipher.update(Buffer.concat([Buffer.from(data), Buffer.alloc(pad, pad)])), cipher.final()]);
    source += `${name}::${createHash("md5").update(data).digest("hex")}\n`;
  });
  const signature = toB64(await webcrypto.subtle.encrypt({name: "RSA-OAEP"}, publicKey,
    createHash("md5").update(source, "utf8").digest()));
  const odk = {instance_id: instance, form_id: "nezarat_case", form_version: "2025120101",
    encrypted_key: wrapped, media: ["cell.jpg.enc"], xml_file: "submission.xml.enc"};
  const opened = await openOdk(privateKey, odk, wrapped, signature, async (n) => stored[n]);
  assert.match(opened.xml, /Canary/);
  assert.deepEqual(Buffer.from(opened.media["cell.jpg"]), files["cell.jpg"]);
  stored["cell.jpg.enc"][100] ^= 1;  // CFB would decrypt this quietly; the signature does not
  await assert.rejects(openOdk(privateKey, odk, wrapped, signature, async (n) => stored[n]), Altered);
});
