// What a monitor may paste or scan to sign in: the raw device token, a link containing
// /key/<token>/, or the QR payload that configures ODK Collect (base64 of zlib-compressed JSON
// whose general.server_url carries /key/<token>/).
const TOKEN = /^[A-Za-z0-9_\-.~]{16,}$/;
const KEY_IN_URL = /\/key\/([^/?#\s]+)/;

async function inflate(base64) {
  const bytes = Uint8Array.from(atob(base64.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Response(stream).text();
}

export async function tokenFrom(input) {
  const text = String(input || "").trim();
  const inUrl = KEY_IN_URL.exec(text);
  if (inUrl) return decodeURIComponent(inUrl[1]);
  if (/^[A-Za-z0-9+/=\s]{24,}$/.test(text)) {
    try {
      const settings = JSON.parse(await inflate(text));
      const found = KEY_IN_URL.exec((settings.general || {}).server_url || "");
      if (found) return decodeURIComponent(found[1]);
    } catch (e) { /* not an ODK settings payload: maybe the raw token */ }
  }
  return TOKEN.test(text) ? text : null;
}
