/* The organisation's sealing keys: make the first (or a rotated) key pair here, wrap its
 * private half under your passphrase and under a printed recovery code, add a key holder
 * (their passphrase typed into this unlocked tab), remove one. */
import {allItems, postJSON} from "../nezarat.js";
import {generateKeyPair, groupFingerprint, recoveryCode, wrapPrivateKey} from "./crypto.js";
import * as keyring from "./keyring.js";
import {h, code, data, status, when} from "./dom.js";
import {pageUrl, unlockForms} from "./queue.js";

const MIN_PASSPHRASE = 12;

function newPassphrase(strings, label, onSubmit, role) {
  const first = h("input", {type: "password", name: "new-passphrase", autocomplete: "new-password", required: true});
  const second = h("input", {type: "password", name: "repeat-passphrase", autocomplete: "new-password", required: true});
  const extra = h("span");
  const form = h("form", {class: "nz-cases-form", "data-role": role},
    extra, h("label", {}, strings.newPassphrase, " ", first), h("label", {}, strings.repeatPassphrase, " ", second),
    h("button", {class: "nz-button", type: "submit"}, label));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (first.value.length < MIN_PASSPHRASE) { status(strings.tooShort, "error"); return; }
    if (first.value !== second.value) { status(strings.mismatch, "error"); return; }
    status(strings.working);
    try { await onSubmit(first.value, form); } catch (error) { status(`${strings.failed} ${error.message}`, "error"); }
    first.value = second.value = "";
  });
  form.extra = extra;
  return form;
}

function recoverySheet(strings, fp, recovery) {
  return h("section", {class: "nz-recovery-sheet", "data-role": "recovery-sheet"},
    h("h2", {}, strings.recoveryTitle),
    h("p", {}, strings.recoveryHelp),
    h("p", {}, strings.fingerprint, ": ", code(groupFingerprint(fp), {class: "nz-fingerprint", "data-role": "fingerprint"})),
    h("p", {}, strings.recoveryCode, ": ", code(recovery, {class: "nz-recovery-code", "data-role": "recovery-code"})),
    h("p", {}, new Date().toISOString().slice(0, 10)),
    h("button", {class: "nz-button", type: "button", onclick: () => window.print()}, strings.print));
}

async function makeKey(strings, config, root, passphrase) {
  const pair = await generateKeyPair();
  const recovery = recoveryCode();
  const body = {public_key: pair.publicKey,
    wrapped: await wrapPrivateKey(pair.pkcs8, passphrase, pair.fingerprint),
    recovery_wrapped: await wrapPrivateKey(pair.pkcs8, recovery.replace(/-/g, ""), pair.fingerprint)};
  pair.pkcs8.fill(0);
  await postJSON(config.keysUrl, body);
  status(strings.saved);
  root.replaceChildren(recoverySheet(strings, pair.fingerprint, recovery));
}

export async function keysPage(config, root) {
  const strings = config.strings;
  const ring = await allItems(pageUrl(config, config.keysUrl));
  const list = h("div", {"data-role": "keys"});
  for (const key of ring) {
    list.append(h("section", {class: "nz-case-key", "data-key": key.id},
      h("h2", {}, when(key.created_at), key.retired_at ? ` (${strings.retired})` : ""),
      h("p", {}, strings.fingerprint, ": ", code(groupFingerprint(key.fingerprint), {class: "nz-fingerprint", "data-role": "fingerprint"})),
      h("p", {}, strings.holders, ": ", key.holders.length ? key.holders.flatMap((x, i) => (i ? [", ", data(x.name)] : [data(x.name)])) : "—")));
  }
  const active = ring.find((k) => !k.retired_at);
  const make = newPassphrase(strings, active ? strings.rotate : strings.makeKey,
    (passphrase) => makeKey(strings, config, root, passphrase), "make-key");
  root.append(list, make);
  if (!active) { return; }
  // Adding a holder needs the key open in this tab.
  await unlockForms(config, strings, root, () => {});
  const candidates = await allItems(pageUrl(config, config.candidatesUrl));
  const who = h("select", {name: "holder"}, candidates
    .filter((c) => !active.holders.some((x) => x.user_id === c.id))
    .map((c) => h("option", {value: c.id}, c.name)));
  const add = newPassphrase(strings, strings.addHolder, async (passphrase) => {
    const entry = keyring.get(active.id);
    if (!entry) { status(strings.locked, "error"); return; }
    const wrapped = await wrapPrivateKey(entry.pkcs8, passphrase, active.fingerprint);
    await postJSON(`${config.keysUrl}/${active.id}/holders`, {user_id: who.value, wrapped});
    status(strings.saved);
  }, "add-holder");
  add.extra.append(h("label", {}, strings.addHolder, " ", who));
  root.append(add);
}
