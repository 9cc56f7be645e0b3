// The service worker: keeps the app shell (no data) available offline.
// The server fills in VERSION and PRECACHE (server/mobile/shell.py); a new version installs a
// new shell cache and removes the old one. Form definitions, facility lists and reports are
// never cached here: the app keeps them itself (its data cache, encrypted IndexedDB).
// Nothing in this file names the project: a deployment's neutral face (server/mobile/face.py)
// serves it as it is, and the browser shows it to anyone who looks at the phone's workers.
const VERSION = "__VERSION__";
const PRECACHE = ["__PRECACHE__"];
const SHELL_CACHE = "shell-" + VERSION;
// Any shell version's cache, this naming's or the one before it (a prefix, then "shell-").
const ANY_SHELL = /(^|-)shell-[0-9a-f]{16}$/;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (ANY_SHELL.test(name) && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/m/")) {
    event.respondWith(shellFirst("/m/", request));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(shellFirst(url.pathname, request));
  }
});

// Cache first: the shell is versioned as a whole, so a cached file is always the right one.
async function shellFirst(key, request) {
  const cache = await caches.open(SHELL_CACHE);
  const hit = await cache.match(key);
  return hit || fetch(request);
}
