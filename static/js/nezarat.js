/* Nezarat: the small helpers every page script shares (no inline script: CSP script-src 'self').
 *
 * Pages hand data to scripts in non-executable JSON blocks,
 * <script type="application/json" id="...">, or data-* attributes; translated UI strings come
 * the same way from the server (Flask-Babel), so no text needs translating in JS.
 */
/** The parsed JSON of a <script type="application/json"> block, or `fallback`. */
export function readData(id, fallback) {
  const element = document.getElementById(id);
  if (!element) { return fallback; }
  return JSON.parse(element.textContent);
}

/** "rtl" or "ltr", as the server set it on <html dir>. */
export function direction() {
  return document.documentElement.getAttribute("dir") === "rtl" ? "rtl" : "ltr";
}

/** A same-origin path for a link the API gave (it may be absolute, e.g. a `next` link's href). */
export function localPath(href) {
  const url = new URL(href, window.location.href);
  return url.pathname + url.search;
}

/** GET JSON from our own origin; rejects with the problem+json detail on an HTTP error.
 *  options.signal (an AbortSignal) cancels a request that a newer one replaces;
 *  options.priority ("high" | "low") tells the browser which requests to serve first. */
export function getJSON(href, options) {
  return fetch(localPath(href), {
    credentials: "same-origin",
    signal: options && options.signal,
    priority: (options && options.priority) || "auto",
    headers: {"Accept": "application/json, application/geo+json, application/problem+json"}
  }).then(readJSON);
}

/** The href of a list's `next` link ({"items": [...], "links": [{"rel": "next", ...}]}),
 *  or null on the last page. */
export function nextLink(body) {
  const link = ((body && body.links) || []).find((l) => l && l.rel === "next" && l.href);
  return link ? link.href : null;
}

/** Every item of a list, following its `next` links: for the short lists a page needs whole
 *  (an organisation's key ring, the directory of partners' keys). */
export async function allItems(href) {
  const items = [];
  for (let url = href; url; ) {
    const body = await getJSON(url);
    items.push(...(body.items || []));
    url = nextLink(body);
  }
  return items;
}

/** A list shown page by page. load() reads it again from the first page, as many pages as were
 *  shown (a refresh after an action keeps what the person had opened); more() adds the next
 *  page; next is the href of the page after the shown ones (null: all are shown). */
export class Pages {
  constructor(href) {
    this.href = href;
    this.items = [];
    this.next = null;
  }

  async load() {
    const wanted = Math.max(this.items.length, 1);
    const items = [];
    let url = this.href;
    let next = null;
    do {
      const body = await getJSON(url);
      items.push(...(body.items || []));
      next = nextLink(body);
      url = next;
    } while (next && items.length < wanted);
    this.items = items;
    this.next = next;
    return items;
  }

  async more() {
    if (!this.next) { return []; }
    const body = await getJSON(this.next);
    const added = body.items || [];
    this.items.push(...added);
    this.next = nextLink(body);
    return added;
  }
}

/** POST a JSON body to our own origin with the session's CSRF token (<meta name=csrf-token>). */
export function postJSON(href, body) {
  const meta = document.querySelector("meta[name=csrf-token]");
  return fetch(localPath(href), {
    method: "POST", credentials: "same-origin", body: JSON.stringify(body || {}),
    headers: {"Content-Type": "application/json",
              "Accept": "application/json, application/problem+json",
              "X-CSRF-Token": meta ? meta.getAttribute("content") : ""}
  }).then(readJSON);
}

/** "%(name)s" placeholders of a translated string filled in (values are plain text). */
export function format(template, values) {
  return String(template || "").replace(/%\((\w+)\)s/g, function (all, name) {
    return values && values[name] != null ? String(values[name]) : all;
  });
}

/** YYYY-MM-DD of an API date (RFC 3339: core/http.py writes every date that way). */
export function isoDay(value) {
  if (!value) { return ""; }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) { return String(value).slice(0, 10); }
  const parsed = new Date(value);
  return isNaN(parsed) ? String(value) : parsed.toISOString().slice(0, 10);
}

function readJSON(response) {
  return response.json().catch(function () { return {}; }).then(function (body) {
    if (!response.ok) {
      const error = new Error(body.detail || body.title || ("HTTP " + response.status));
      error.status = response.status;
      error.problem = body;
      throw error;
    }
    return body;
  });
}

/** A <dl> of [term, value] pairs as text; pairs without a value are left out. */
export function facts(pairs, className) {
  const list = document.createElement("dl");
  list.className = className || "nz-facts";
  pairs.forEach(function (pair) {
    if (pair[1] == null || pair[1] === "") { return; }
    list.appendChild(textElement("dt", pair[0]));
    // The value isolated in its own direction (a date or a Latin name in a Dari page), its
    // cell in the page's: it sits beside its label on either side.
    const value = document.createElement("dd");
    value.appendChild(textElement("bdi", pair[1]));
    list.appendChild(value);
  });
  return list;
}

/** An element with text (never HTML: names come from users and must not run as markup), its
 *  direction from that text. An element made without text (a container) keeps the page's
 *  direction: dir="auto" there would look past every child with a dir of its own, find no
 *  letter, and lay a Dari card out left to right. */
export function textElement(tag, text, className) {
  const element = document.createElement(tag);
  element.textContent = text == null ? "" : String(text);
  if (element.textContent) { element.setAttribute("dir", "auto"); }
  if (className) { element.className = className; }
  return element;
}
