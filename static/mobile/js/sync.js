// Form definitions, their field mapping and media (the facility list; a form's CSV, XML and
// GeoJSON attachments; the images of its labels), kept in Cache Storage so the app works offline; refreshed with ETags
// (If-None-Match) whenever the phone is online.
import { parseCSV } from "./ui.js";

const CACHE = "nezarat-data";
const INDEX = "/m/forms/index.json";

export class AuthError extends Error {}
// The server's answer to the token of a phone marked lost: erase everything, at once.
export class EraseSignal extends AuthError {}
let onErase = async () => {};
export function whenErased(callback) { onErase = callback; }

async function problemType(response) {
  try { return (await response.clone().json()).type || ""; } catch (e) { return ""; }
}

export async function request(url, token, options = {}) {
  const headers = { ...(options.headers || {}), Authorization: `Bearer ${token}` };
  const response = await fetch(url, { ...options, headers, cache: "no-store", credentials: "omit" });
  if (response.status === 401) {
    if ((await problemType(response)).endsWith("/device-lost")) {
      await onErase();
      throw new EraseSignal("erased");
    }
    throw new AuthError("token refused");
  }
  return response;
}

// On each sync: the ids and times of the reports still on the phone (never their content), so
// a coordinator knows what a lost phone held.
export async function checkIn(token, reports) {
  const pending = reports.map((r) => ({ id: r.id, created_at: new Date(r.createdAt || Date.now()).toISOString(),
    updated_at: new Date(r.updatedAt || r.createdAt || Date.now()).toISOString() }));
  await request("/api/device/check-in", token, { method: "POST",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pending }) });
}

// After the duress PIN: tell the server, with the token's SHA-256 (the token itself is not
// readable with the duress PIN). Retried from memory only, until it gets through.
// The first retry after 2 s, then twice as long each time up to a minute, and at once when the
// phone says it is back online: a connection that flickers at a checkpoint is used while it
// lasts.
export function reportDuress(proof, pending) {
  const body = JSON.stringify({ proof, pending });
  let wait = 2000;
  const send = async () => {
    try {
      const response = await fetch("/api/device/duress", { method: "POST", body, cache: "no-store",
        credentials: "omit", headers: { "Content-Type": "application/json" } });
      if (response.status < 500) return;
    } catch (e) { /* offline */ }
    const retry = () => { window.removeEventListener("online", retry); clearTimeout(timer); send(); };
    const timer = setTimeout(retry, wait);
    wait = Math.min(wait * 2, 60000);
    window.addEventListener("online", retry);
  };
  send();
}

async function refreshOne(cache, url, token) {
  const cached = await cache.match(url);
  const etag = cached && cached.headers.get("ETag");
  const response = await request(url, token, { headers: etag ? { "If-None-Match": etag } : {} });
  if (response.status === 304) return false;
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  await cache.put(url, response);
  return true;
}

// Online: fetch what changed. Throws AuthError when the token is refused, TypeError offline.
export async function refresh(token) {
  const cache = await caches.open(CACHE);
  const response = await request(INDEX, token);
  if (!response.ok) throw new Error(`forms: HTTP ${response.status}`);
  const index = await response.json();
  for (const form of index.forms) {
    const urls = [form.definition, form.fields, ...Object.values(form.media)].filter(Boolean);
    for (const url of urls) await refreshOne(cache, url, token);
  }
  await cache.put(INDEX, new Response(JSON.stringify(index), { headers: { "Content-Type": "application/json" } }));
  return index;
}

// The deployment's settings for the app, as last downloaded (e.g. how long drafts are kept).
export async function settings() {
  const cache = await caches.open(CACHE);
  const indexResponse = await cache.match(INDEX);
  if (!indexResponse) return {};
  const index = await indexResponse.json();
  return { retention: index.retention };
}

// Images of question and choice labels: kept in Cache Storage like the other media, shown
// through object URLs (CSP img-src blob:), made once per cached file (its ETag) and reused.
const IMAGE = /\.(jpe?g|png|webp)$/i;
const imageURLs = new Map();  // media URL -> {etag, objectURL}

async function imageURL(url, file) {
  const etag = file.headers.get("ETag") || "";
  const known = imageURLs.get(url);
  if (known && known.etag === etag && etag) return known.objectURL;
  if (known) URL.revokeObjectURL(known.objectURL);
  const objectURL = URL.createObjectURL(await file.blob());
  imageURLs.set(url, { etag, objectURL });
  return objectURL;
}

// Offline or not: the forms as last downloaded, with their parts.
export async function load() {
  const cache = await caches.open(CACHE);
  const indexResponse = await cache.match(INDEX);
  if (!indexResponse) return [];
  const forms = [];
  for (const form of (await indexResponse.json()).forms) {
    const definition = await cache.match(form.definition);
    const fields = form.fields && (await cache.match(form.fields));
    if (!definition || !fields) continue;
    const media = {};
    const images = {};
    for (const [name, url] of Object.entries(form.media)) {
      const file = await cache.match(url);
      if (IMAGE.test(name)) {
        if (file) images[name] = await imageURL(url, file);
        continue;
      }
      media[name] = file ? parseCSV(await file.text()) : [];
    }
    forms.push({ id: form.id, def: await definition.json(), mapping: await fields.json(), media, images,
      sealingKey: form.sealing_key || null });
  }
  return forms;
}
