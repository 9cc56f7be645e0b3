// Form definitions, their field mapping and media (the facility list), kept in Cache Storage so
// the app works offline; refreshed with ETags (If-None-Match) whenever the phone is online.
import { parseCSV } from "./ui.js";

const CACHE = "nezarat-data";
const INDEX = "/m/forms/index.json";

export class AuthError extends Error {}

export async function request(url, token, options = {}) {
  const headers = { ...(options.headers || {}), Authorization: `Bearer ${token}` };
  const response = await fetch(url, { ...options, headers, cache: "no-store", credentials: "omit" });
  if (response.status === 401) throw new AuthError("token refused");
  return response;
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
    for (const [name, url] of Object.entries(form.media)) {
      const file = await cache.match(url);
      media[name] = file ? parseCSV(await file.text()) : [];
    }
    forms.push({ id: form.id, def: await definition.json(), mapping: await fields.json(), media,
      sealingKey: form.sealing_key || null });
  }
  return forms;
}
