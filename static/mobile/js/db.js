// A small promise wrapper over IndexedDB. Everything stored here is ciphertext (see vault.js),
// except how the key is made (salts, the passkey's id, Argon2's parameters) and a counter of
// wrong PINs.
const NAME = "nezarat";
const STORES = ["meta", "records", "photos"];
let opened = null;

export function open() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, 1);
      request.onupgradeneeded = () => {
        for (const store of STORES) {
          if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store);
        }
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => { db.close(); opened = null; };
        resolve(db);
      };
      request.onerror = () => { opened = null; reject(request.error); };
    });
  }
  return opened;
}

async function run(store, mode, action) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = action(tx.objectStore(store));
    tx.oncomplete = () => resolve(request ? request.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
  });
}

export const get = (store, key) => run(store, "readonly", (s) => s.get(key));
export const put = (store, key, value) => run(store, "readwrite", (s) => s.put(value, key));
export const del = (store, key) => run(store, "readwrite", (s) => s.delete(key));
export const keys = (store) => run(store, "readonly", (s) => s.getAllKeys());
export const all = (store) => run(store, "readonly", (s) => s.getAll());

// Keys and values read in one transaction: a record deleted meanwhile is either wholly there or
// wholly gone, never a key without its value.
export async function entries(store) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, "readonly");
    const keysRequest = tx.objectStore(store).getAllKeys();
    const valuesRequest = tx.objectStore(store).getAll();
    tx.oncomplete = () => resolve(keysRequest.result.map((k, i) => [k, valuesRequest.result[i]]));
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
  });
}

// Puts ([store, key, value]) and deletes ([store, key]) in one transaction: all or none.
export async function writeAll(puts, deletes = []) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORES, "readwrite");
    for (const [store, key, value] of puts) tx.objectStore(store).put(value, key);
    for (const [store, key] of deletes) tx.objectStore(store).delete(key);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
  });
}

export async function deleteRange(store, prefix) {
  const range = IDBKeyRange.bound(prefix, prefix + "\uffff");
  return run(store, "readwrite", (s) => s.delete(range));
}

// Close our connection first, or the deletion waits for it forever ("blocked").
export async function destroy() {
  if (opened) {
    try { (await opened).close(); } catch (e) { /* already gone */ }
    opened = null;
  }
  await new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(NAME);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    request.onblocked = () => resolve();
  });
}
