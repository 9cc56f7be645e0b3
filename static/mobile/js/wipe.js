// Quick wipe: everything this app ever stored on the phone, gone: IndexedDB (reports, photos,
// token), Cache Storage (shell, forms, facility list), local and session storage, and the
// service worker registration.
import * as db from "./db.js";
import * as vault from "./vault.js";
import * as outbox from "./outbox.js";

export const COUNTDOWN_SECONDS = 5;

export async function wipeEverything() {
  vault.lock();
  outbox.stop();
  await db.destroy();
  for (const name of await caches.keys()) await caches.delete(name);
  try { localStorage.clear(); sessionStorage.clear(); } catch (e) { /* storage disabled */ }
  if (navigator.serviceWorker) {
    for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
  }
}
