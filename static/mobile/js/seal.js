// Protection cases (issue 19): when a case is finished, its sealed answers and photos are
// encrypted for the organisation's public key before the report enters the outbox. A random
// AES-256-GCM record key per case seals the answers (JSON; associated data "nezarat-case:<id>")
// and each photo ("nezarat-case:<id>/photo:<name>"); the record key is wrapped with RSA-OAEP
// (SHA-256, MGF1-SHA-256). Afterwards the phone keeps only the ciphertext and the clear triage
// fields: not even the monitor's PIN opens the case again. Questions are sealed when their
// bind carries nezarat:sealed="true()" (a column of the XLSForm's survey sheet).
import { text } from "./model.js";
import { lang } from "./i18n.js";

const encoder = new TextEncoder();
const OAEP = { name: "RSA-OAEP", hash: "SHA-256" };
const TRUE = new Set(["true()", "true", "yes", "1"]);

export const isCase = (entry) => Boolean(entry && entry.mapping && entry.mapping.kind === "case");
export const isSealed = (node) => TRUE.has(String((node.bind || {})["nezarat:sealed"] || "").trim());

function b64(bytes) {
  let out = "";
  const view = new Uint8Array(bytes);
  for (let i = 0; i < view.length; i += 0x8000) out += String.fromCharCode.apply(null, view.subarray(i, i + 0x8000));
  return btoa(out);
}

function unb64(value) {
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
}

// Fingerprint groups as the coordinator's page shows them.
export const groupFingerprint = (fp) => (fp || "").match(/.{1,4}/g).join(" ");

function choiceLabel(node, value) {
  const choice = (node.choices || []).find((c) => c.name === value);
  return choice ? text(choice.label, lang()) : value;
}

// The clear triage fields ({facility_id, occurred_on, urgency}) by the server's mapping of paths.
function clearFields(form, paths, answers, scope) {
  const clear = {};
  for (const [target, path] of Object.entries(paths)) {
    const node = form.byPath.get(path);
    const value = node ? form.get(answers, node, scope) : "";
    clear[target] = value === "" || value == null ? null : String(value);
  }
  if (clear.occurred_on) clear.occurred_on = clear.occurred_on.slice(0, 10);
  return clear;
}

// -> { body (the JSON of POST /api/cases/submissions), photos: {p1: sealed bytes, ...} }
// A case form seals all its sealed questions. `part` seals one entry of a repeat of another form
// (a person at risk in a visit): {repeat: node, scope: {name: index}, clear: paths, extra: {...}}.
export async function sealCase(entry, reportId, answers, loadPhoto, part = null) {
  const form = entry.form;
  const key = entry.sealingKey;
  if (!key) throw new Error("no sealing key: refresh the forms");
  const scope = part ? part.scope : {};
  const clear = clearFields(form, part ? part.clear : entry.mapping.clear, answers, scope);
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const aes = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt"]);
  const seal = async (bytes, label) => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(label) }, aes, bytes);
    return { iv, ct: new Uint8Array(ct) };
  };
  const fields = [];
  const photos = {};
  for (const node of form.fields) {
    if (!isSealed(node) || (part && !node.ancestors.includes(part.repeat))) continue;
    const value = form.get(answers, node, scope);
    const label = text(node.label, lang()) || node.name;
    if (node.type === "photo" || node.type === "image") {
      if (!value) continue;
      const bytes = await loadPhoto(value);
      if (!bytes) throw new Error(`photo ${value} is no longer on this phone`);
      const name = `p${Object.keys(photos).length + 1}`;
      const box = await seal(bytes, `nezarat-case:${reportId}/photo:${name}`);
      const joined = new Uint8Array(12 + box.ct.length);
      joined.set(box.iv);
      joined.set(box.ct, 12);
      photos[name] = joined;
      fields.push({ name: node.name, label, value: name, photo: true });
    } else {
      fields.push({ name: node.name, label, value: node.select ? choiceLabel(node, value) : String(value ?? ""), raw: value ?? "" });
    }
  }
  const body = await seal(encoder.encode(JSON.stringify({ fields, form_id: form.id, form_version: form.version })), `nezarat-case:${reportId}`);
  const publicKey = await crypto.subtle.importKey("spki", unb64(key.public_key), OAEP, false, ["encrypt"]);
  const wrapped = await crypto.subtle.encrypt(OAEP, publicKey, raw);
  raw.fill(0);
  return {
    body: {
      id: reportId, form_id: form.id, form_version: form.version || null,
      facility_id: clear.facility_id, occurred_on: clear.occurred_on, urgency: clear.urgency,
      key_fingerprint: key.fingerprint, wrapped_key: b64(wrapped),
      envelope: JSON.stringify({ v: 1, alg: "RSA-OAEP-256+A256GCM", iv: b64(body.iv), ct: b64(body.ct) }),
      photos: Object.keys(photos),
      ...(part ? part.extra : {}),
    },
    photos,
  };
}
