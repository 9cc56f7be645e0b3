// Quick wipe: everything this app ever stored on the phone, gone: IndexedDB (reports, photos,
// token), Cache Storage (shell, forms, facility list), local and session storage, the service
// worker registration, and (where the browser allows it) the passkey. Afterwards the app is a
// fresh install: nothing is kept, not even a note that a wipe happened.
import * as db from "./db.js";
import * as vault from "./vault.js";
import * as outbox from "./outbox.js";
import * as passkey from "./passkey.js";

export const COUNTDOWN_SECONDS = 5;

export async function wipeEverything() {
  let credential = null;
  try { credential = await vault.credentialId(); } catch (e) { /* no store */ }
  vault.lock();
  outbox.stop();
  await db.destroy();
  for (const name of await caches.keys()) await caches.delete(name);
  try { localStorage.clear(); sessionStorage.clear(); } catch (e) { /* storage disabled */ }
  if (navigator.serviceWorker) {
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  }
  await passkey.forget(credential);
}
