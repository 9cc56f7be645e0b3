// ODK XPath functions beyond XPath 1.0, written to give exactly what ODK's engines give
// (@getodk/xforms-engine, ported from JavaRosa; proven on ODK's own forms by
// tests/js/odk-conformance.test.mjs): dates formatted, geodesic distance and area, geofence,
// checklists, base64, and randomize()'s seeded shuffle. Values come in as xpath.js hands them:
// strings, numbers, booleans, or arrays of strings (a node-set).

const list = (args) => args.flatMap((a) => (Array.isArray(a) ? a : [a])).map((v) => String(v ?? ""));

// ---- dates -------------------------------------------------------------------------------
// "2024-03-12", "2024-03-12T10:20", "...T10:20:30.4", with "Z" or "+04:30" or neither (local
// time, as ODK reads it): a Date, or null for anything else.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[-+]\d{2}:\d{2})?)?$/;

export function parseDateTime(text) {
  const m = ISO.exec(String(text ?? "").trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = m;
  const ms = Math.floor(Number(`0.${fraction || 0}`) * 1000 + 1e-6);
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms];
  const check = new Date(Date.UTC(...fields));
  if (check.getUTCMonth() !== fields[1] || check.getUTCDate() !== fields[2] || fields[3] > 23 ||
      fields[4] > 59 || fields[5] > 59) return null;  // 2024-02-31 is no date
  if (!zone) return new Date(...fields);
  if (zone !== "Z" && !/^[+-](0\d|1[0-4]):[0-5]\d$/.test(zone)) return null;
  const offset = zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
  const utc = new Date(Date.UTC(...fields) - offset * 60000);
  return Number.isNaN(utc.getTime()) ? null : utc;
}

const pad = (n, width = 2) => String(n).padStart(width, "0");

// A date-time as ODK writes one: local time with its offset, milliseconds trimmed of trailing
// zeros (".000" when none), and a midnight written as the date alone.
export function odkDateTimeString(d) {
  const offset = -d.getTimezoneOffset();
  const zone = `${offset >= 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const ms = d.getMilliseconds();
  const fraction = ms ? `.${pad(ms, 3)}`.replace(/0+$/, "") : ".000";
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const date = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${date}T${time}${fraction}${zone}`.replace(/T00:00:00(\.0+)?(Z|[-+]\d{2}:\d{2})?/, "");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DATE_CODES = {
  "%Y": (d) => pad(d.getFullYear(), 4),
  "%y": (d) => pad(d.getFullYear(), 4).slice(2),
  "%m": (d) => pad(d.getMonth() + 1),
  "%n": (d) => String(d.getMonth() + 1),
  "%b": (d) => MONTHS[d.getMonth()],
  "%d": (d) => pad(d.getDate()),
  "%e": (d) => String(d.getDate()),
  "%a": (d) => DAYS[d.getDay()],
};
const TIME_CODES = {
  "%H": (d) => pad(d.getHours()),
  "%h": (d) => String(d.getHours()),
  "%M": (d) => pad(d.getMinutes()),
  "%S": (d) => pad(d.getSeconds()),
  "%3": (d) => pad(d.getMilliseconds(), 3),
};

function formatter(codes) {
  const pattern = new RegExp(Object.keys(codes).join("|"), "g");
  return (value, format) => {
    const d = parseDateTime(value);
    return d ? String(format).replace(pattern, (code) => codes[code](d)) : "";
  };
}

// format-date() and format-date-time() are one function in ODK's engines: both know every code.
export const formatDateTime = formatter({ ...DATE_CODES, ...TIME_CODES });
export const formatDate = formatDateTime;

// ---- geo ---------------------------------------------------------------------------------
// "lat lon [alt [accuracy]]" -> {lat, lon}, or null.
function geopoint(text) {
  const parts = String(text).split(/\s+/);
  if (parts.length < 2 || parts.length > 4) return null;
  const lat = Number(parts[0]), lon = Number(parts[1]);
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { lat, lon };
}

// One argument is a geotrace/geoshape ("p; p; p"), several are one point each.
function points(values) {
  if (!values.length) return null;
  const raw = values.length === 1 ? values[0].trim().replace(/(\s*;)+$/, "").split(/\s*;\s*/) : values;
  const found = raw.map(geopoint);
  return found.length >= 2 && found.every(Boolean) ? found : null;
}

const RADIUS = 6378100;  // metres, as JavaRosa
const radians = (degrees) => (degrees * Math.PI) / 180;
const hundredths = (value) => (value === 0 ? 0 : Math.abs(Math.round(value * 100) / 100));

export function distance(...args) {
  const found = points(list(args));
  if (!found) throw new Error("distance() needs two points or more");
  let total = 0;
  for (let i = 1; i < found.length; i += 1) {
    const a = found[i - 1], b = found[i];
    total += Math.acos(Math.sin(radians(a.lat)) * Math.sin(radians(b.lat)) +
      Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.cos(radians(a.lon - b.lon))) * RADIUS;
  }
  return hundredths(total);
}

export function area(...args) {
  const found = points(list(args)) || [];
  if (found.length < 3) return 0;
  const first = found[0], last = found[found.length - 1];
  const ring = first.lat === last.lat && first.lon === last.lon ? found : [...found, first];
  let total = 0;
  for (let i = 1; i < ring.length; i += 1) {
    const a = ring[i - 1], b = ring[i];
    total += radians(b.lon - a.lon) * (2 + Math.sin(radians(b.lat)) + Math.sin(radians(a.lat)));
  }
  return hundredths((total * RADIUS * RADIUS) / 2);
}

// Whether a point lies inside a closed geoshape (ray casting, as JavaRosa).
export function geofence(point, shape) {
  const [p, s] = list([point, shape]);
  if (!p || !s) return false;
  const at = geopoint(p);
  const ring = s.trim().replace(/(\s*;)+$/, "").split(/\s*;\s*/).map(geopoint);
  if (!at || ring.length < 2 || !ring.every(Boolean)) return false;
  const first = ring[0], last = ring[ring.length - 1];
  if (first.lat !== last.lat || first.lon !== last.lon) return false;
  let inside = false;
  for (let i = 1; i < ring.length; i += 1) {
    const a = ring[i - 1], b = ring[i];
    if ((b.lat > at.lat) !== (a.lat > at.lat) &&
        at.lon < ((a.lon - b.lon) * (at.lat - b.lat)) / (a.lat - b.lat) + b.lon) inside = !inside;
  }
  return inside;
}

// ---- checklists --------------------------------------------------------------------------
// How many of the conditions hold (each node of a node-set one condition) is between min and
// max; a max of -1 is no maximum.
export function checklist(toBoolean, toNumber, min, max, ...conditions) {
  const low = toNumber(min);
  let high = toNumber(max);
  if (high === -1) { if (low < 1) return true; high = Infinity; }
  let held = 0;
  for (const condition of conditions) {
    for (const value of Array.isArray(condition) ? condition : [condition]) {
      if (toBoolean(value) && (held += 1) > high) return false;
    }
  }
  return held >= low;
}

export function weightedChecklist(toBoolean, toNumber, min, max, ...pairs) {
  const low = toNumber(min);
  let high = toNumber(max);
  if (high === -1) { if (low < 1) return true; high = Infinity; }
  if (pairs.length % 2) throw new Error("weighted-checklist() needs conditions and weights in pairs");
  let held = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    const conditions = Array.isArray(pairs[i]) ? pairs[i] : [pairs[i]];
    const weights = Array.isArray(pairs[i + 1]) ? pairs[i + 1] : [pairs[i + 1]];
    for (let j = 0; j < Math.max(conditions.length, weights.length); j += 1) {
      if (j >= weights.length) break;
      if (j >= conditions.length) return false;
      if (toBoolean(conditions[j]) && (held += toNumber(weights[j])) > high) return false;
    }
  }
  return held >= low;
}

// ---- base64 ------------------------------------------------------------------------------
export function base64Decode(text) {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(String(text)), (c) => c.charCodeAt(0)));
  } catch (e) {
    return "";
  }
}

// ---- randomize ---------------------------------------------------------------------------
// JavaRosa's shuffle: Park-Miller "minimal standard" generator from the seed (a number, taken
// as Java's double -> long; a non-numeric text, its SHA-256's first 8 bytes), inside-out
// Fisher-Yates. Without a seed, Math.random.
const MAX_INT = 2147483647;

function generator(seed) {
  if (seed == null) return Math.random;
  let start;
  if (typeof seed === "bigint") start = Number(seed % BigInt(MAX_INT));
  else {
    let n = seed;
    if (Number.isNaN(n)) n = 0;
    else if (n === Infinity) return generator(2n ** 63n - 1n);
    else if (n === -Infinity) return generator(-(2n ** 63n));
    else n = Math.trunc(n);
    start = n % MAX_INT;
  }
  if (start <= 0) start += MAX_INT - 1;
  let state = start;
  return () => {
    state = (state * 16807) % MAX_INT;
    return (state - 1) / (MAX_INT - 1);
  };
}

export function shuffle(values, seed) {
  const random = generator(seed);
  const result = [];
  for (let i = 0; i < values.length; i += 1) {
    const j = Math.floor(random() * (i + 1));
    if (j !== i) result[i] = result[j];
    result[j] = values[i];
  }
  return result;
}

// The seed randomize() takes from its second argument: a number as is, a blank 0, any other
// text the first 64 bits of its SHA-256 (as ODK's engine).
export function randomSeed(value) {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  const text = Array.isArray(value) ? String(value[0] ?? "") : String(value ?? "");
  if (/^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(text)) return Number(text);
  if (text === "") return 0;
  const words = sha256Words(text);
  return (BigInt.asIntN(32, BigInt(words[0])) << 32n) | BigInt(words[1] >>> 0);
}

export function randomize(nodes, seed) {
  return shuffle(Array.isArray(nodes) ? nodes : [nodes], randomSeed(seed));
}

// SHA-256 of a text (UTF-8), as 8 unsigned 32-bit words: synchronous, for randomize()'s seed.
const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);

export function sha256Words(text) {
  const bytes = new TextEncoder().encode(text);
  const length = Math.ceil((bytes.length + 9) / 64) * 64;
  const data = new Uint8Array(length);
  data.set(bytes);
  data[bytes.length] = 0x80;
  const view = new DataView(data.buffer);
  view.setUint32(length - 4, bytes.length * 8);
  view.setUint32(length - 8, Math.floor(bytes.length / 0x20000000));
  const hash = Uint32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < length; block += 64) {
    for (let i = 0; i < 16; i += 1) w[i] = view.getUint32(block + i * 4);
    for (let i = 16; i < 64; i += 1) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, h] = hash;
    for (let i = 0; i < 64; i += 1) {
      const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    [a, b, c, d, e, f, g, h].forEach((v, i) => { hash[i] += v; });
  }
  return [...hash];
}
