/* One case opened in the browser: the sealed answers and photos decrypted with the record key,
 * or "this record was altered" when any part fails its check. */
import {getJSON, localPath} from "../nezarat.js";
import {Altered, openEnvelope, openPhoto, unwrapRecordKey} from "./crypto.js";
import {answers, openOdk} from "./odk.js";
import * as keyring from "./keyring.js";
import {h, data} from "./dom.js";

// A sealed answer in the reader's language: the label by the question's name, a coded answer by
// its code (what the phone sealed in its own language is the fallback); typed text is data.
function answer(strings, field) {
  const words = strings.sealed || {};
  const label = (words.fields || {})[field.name] || field.label || field.name;
  const choices = (words.choices || {})[field.name] || {};
  const raw = field.raw !== undefined ? field.raw : field.value;
  const value = Object.prototype.hasOwnProperty.call(choices, raw) ? choices[raw] : data(field.value);
  return [h("dt", {}, label), h("dd", {"data-field": field.name}, value)];
}

/** detail: the API's case or referral ({id|case_id, wrapped_key, envelope, photo_names, ...});
 *  keyId: the key it is sealed to; photoUrl(name): where its sealed photos are. */
export async function readCase(strings, detail, keyId, photoUrl) {
  const caseId = detail.case_id || detail.id;
  const entry = keyring.get(keyId);
  if (!entry) { return h("p", {class: "nz-case-altered"}, strings.notHolder); }
  const box = h("div", {class: "nz-case-sealed", "data-case": caseId});
  if (detail.source === "odk") { return readOdk(strings, detail, entry, photoUrl, box); }
  let recordKey;
  let content;
  try {
    recordKey = await unwrapRecordKey(entry.privateKey, detail.wrapped_key);
    content = await openEnvelope(recordKey, detail.envelope, caseId);
  } catch (error) {
    if (error instanceof Altered) {
      box.append(h("p", {class: "nz-case-altered", "data-role": "altered"}, strings.altered));
      return box;
    }
    throw error;
  }
  const list = h("dl", {"data-role": "sealed-answers"});
  for (const field of content.fields || []) {
    if (field.photo) { continue; }
    list.append(...answer(strings, field));
  }
  box.append(list);
  for (const name of detail.photo_names || []) {
    const figure = h("figure", {"data-photo": name});
    box.append(figure);
    try {
      const response = await fetch(localPath(photoUrl(name)), {credentials: "same-origin"});
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      const bytes = await openPhoto(recordKey, await response.arrayBuffer(), caseId, name);
      const url = URL.createObjectURL(new Blob([bytes], {type: "image/jpeg"}));
      keyring.onLock(() => URL.revokeObjectURL(url));
      figure.append(h("img", {src: url, alt: strings.photo}));
    } catch (error) {
      figure.append(h("p", {class: "nz-case-altered"}, error instanceof Altered ? strings.altered : String(error.message)));
    }
  }
  recordKey.fill(0);
  return box;
}

function image(strings, bytes) {
  const url = URL.createObjectURL(new Blob([bytes], {type: "image/jpeg"}));
  keyring.onLock(() => URL.revokeObjectURL(url));
  return h("img", {src: url, alt: strings.photo});
}

// An ODK Collect submission: every answer was encrypted on the phone, the clear ones too.
async function readOdk(strings, detail, entry, fileUrl, box) {
  const fetchFile = async (name) => {
    const response = await fetch(localPath(fileUrl(name)), {credentials: "same-origin"});
    if (!response.ok) { throw new Altered("file missing: " + name); }
    return response.arrayBuffer();
  };
  let opened;
  try {
    opened = await openOdk(entry.privateKey, detail.odk, detail.wrapped_key,
      detail.wrapped_signature || detail.odk.signature, fetchFile);
  } catch (error) {
    if (error instanceof Altered) {
      box.append(h("p", {class: "nz-case-altered", "data-role": "altered"}, strings.altered));
      return box;
    }
    throw error;
  }
  const fields = answers(opened.xml);
  const list = h("dl", {"data-role": "sealed-answers"});
  for (const field of fields) {
    if (opened.media[field.value]) { continue; }
    list.append(...answer(strings, field));
  }
  box.append(list);
  for (const [name, bytes] of Object.entries(opened.media)) {
    box.append(h("figure", {"data-photo": name}, image(strings, bytes)));
  }
  box.answers = Object.fromEntries(fields.map((f) => [f.name, f.value]));
  return box;
}

export function fetchCase(url) {
  return getJSON(url);
}
