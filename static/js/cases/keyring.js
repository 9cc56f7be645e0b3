/* The unlocked keys of this tab: in memory only, gone on lock, on auto-lock after some minutes
 * without use, and when the tab is closed. Nothing is written to storage. */
import {WrongPassphrase, importPrivateKey, unwrapPrivateKey} from "./crypto.js";

const opened = new Map();  // key id -> {privateKey, pkcs8, fingerprint}
const listeners = [];
let timer = null;
let minutes = 10;

export const isUnlocked = () => opened.size > 0;
export const get = (keyId) => opened.get(keyId) || null;
export const onLock = (callback) => listeners.push(callback);

export function lock() {
  for (const entry of opened.values()) { entry.pkcs8.fill(0); }
  opened.clear();
  clearTimeout(timer);
  listeners.forEach((callback) => callback());
}

function touch() {
  if (!opened.size) { return; }
  clearTimeout(timer);
  timer = setTimeout(lock, minutes * 60 * 1000);
}

export function setup(autoLockMinutes) {
  minutes = autoLockMinutes || minutes;
  ["pointerdown", "keydown"].forEach((name) => document.addEventListener(name, touch, true));
  window.addEventListener("pagehide", lock);
}

/** Open every copy the passphrase opens ({id, fingerprint, wrapped} each); how many opened. */
export async function unlock(copies, passphrase) {
  let count = 0;
  for (const copy of copies) {
    try {
      const pkcs8 = await unwrapPrivateKey(copy.wrapped, passphrase, copy.fingerprint);
      opened.set(copy.id, {privateKey: await importPrivateKey(pkcs8), pkcs8, fingerprint: copy.fingerprint});
      count += 1;
    } catch (error) {
      if (!(error instanceof WrongPassphrase)) { throw error; }
    }
  }
  if (count) { touch(); }
  return count;
}
