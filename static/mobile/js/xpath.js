// A small, safe evaluator for the XPath subset that XLSForms use in relevant, constraint,
// calculation, required and choice_filter: ${name} references, "." and relative paths
// ("../girls"), absolute paths, instance('id')/path[predicate] lookups in a secondary instance
// (a form attachment: CSV, XML, GeoJSON; or the last saved report: instances.js), literals,
// arithmetic, comparisons, and/or, and a whitelist of functions.
// No eval(): expressions are parsed into a tree and walked; they can read only what the
// context hands over.
const OPERATORS = ["!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",", "|", "/", "[", "]"];
const WORD_OPERATORS = new Set(["and", "or", "div", "mod"]);

import { childValues, fromRows, kids, value } from "./instances.js";
import { area, base64Decode, checklist, distance, formatDate, formatDateTime, geofence, odkDateTimeString,
  parseDateTime, randomize, weightedChecklist } from "./odk_functions.js";

export class ExpressionError extends Error {}

function tokenize(text) {
  const tokens = [];
  let i = 0;
  const operand = () => {
    const last = tokens[tokens.length - 1];
    return last && (["num", "str", "ref", "cur", "up", "name"].includes(last.t) ||
      last.v === ")" || last.v === "]");
  };
  while (i < text.length) {
    const rest = text.slice(i);
    let m;
    if ((m = /^\s+/.exec(rest))) { i += m[0].length; continue; }
    if ((m = /^\$\{([^}\s]+)\}/.exec(rest))) tokens.push({ t: "ref", v: m[1] });
    else if ((m = /^(\d+(\.\d*)?|\.\d+)/.exec(rest))) tokens.push({ t: "num", v: Number(m[0]) });
    else if ((m = /^'[^']*'|^"[^"]*"/.exec(rest))) tokens.push({ t: "str", v: m[0].slice(1, -1) });
    else if ((m = /^\.\./.exec(rest))) tokens.push({ t: "up", v: ".." });
    else if ((m = /^\./.exec(rest))) tokens.push({ t: "cur", v: "." });
    else if ((m = /^[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?/.exec(rest))) {
      const word = m[0];
      if (WORD_OPERATORS.has(word) && operand()) tokens.push({ t: "op", v: word });
      else if (/^\s*\(/.test(text.slice(i + word.length))) tokens.push({ t: "fn", v: word });
      else tokens.push({ t: "name", v: word });
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (!op) throw new ExpressionError(`Cannot read "${rest.slice(0, 12)}" in ${text}`);
      m = [op];
      tokens.push({ t: "op", v: op });
    }
    i += m[0].length;
  }
  return tokens;
}

const LEVELS = [["or"], ["and"], ["=", "!="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "div", "mod"]];

function parse(text) {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (v) => peek() && peek().t === "op" && peek().v === v;
  const expect = (v) => {
    if (!isOp(v)) throw new ExpressionError(`Expected "${v}" in ${text}`);
    pos += 1;
  };
  const step = (allowed) => {
    const token = tokens[pos++];
    if (!token || !allowed.includes(token.t)) throw new ExpressionError(`Expected a name in ${text}`);
    return token.v;
  };
  function binary(level) {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    while (peek() && peek().t === "op" && LEVELS[level].includes(peek().v)) {
      const op = tokens[pos++].v;
      left = { k: "bin", op, a: left, b: binary(level + 1) };
    }
    return left;
  }
  function unary() {
    if (isOp("-")) { pos += 1; return { k: "neg", a: unary() }; }
    return primary();
  }
  function call(name) {
    if (!Object.prototype.hasOwnProperty.call(FUNCTIONS, name)) throw new ExpressionError(`Unsupported function ${name}() in ${text}`);
    expect("(");
    const args = [];
    if (!isOp(")")) {
      args.push(binary(0));
      while (isOp(",")) { pos += 1; args.push(binary(0)); }
    }
    expect(")");
    if (name === "position" && (args.length !== 1 || args[0].k !== "path")) {
      throw new ExpressionError(`Unsupported position() without a path (only position(..)) in ${text}`);
    }
    if (name === "indexed-repeat" && (args.length < 3 || args.length % 2 === 0 ||
        args.some((a, i) => (i === 0 || i % 2 === 1) && !["ref", "path"].includes(a.k)))) {
      throw new ExpressionError(`Unsupported indexed-repeat() without a question and repeats named in ${text}`);
    }
    if (name === "jr:itext" && args.length !== 1) throw new ExpressionError(`Unsupported jr:itext() without one id in ${text}`);
    if (name !== "instance") return { k: "call", name, args };
    // instance('x')/any/path[predicate]...: steps down the secondary instance (instances.js).
    const steps = [];
    while (isOp("/")) {
      pos += 1;
      const stepName = step(["name"]);
      const predicates = [];
      while (isOp("[")) { pos += 1; predicates.push(binary(0)); expect("]"); }
      steps.push({ name: stepName, predicates });
    }
    return { k: "inst", id: args[0], steps };
  }
  function primary() {
    const token = tokens[pos++];
    if (!token) throw new ExpressionError(`Unexpected end of ${text}`);
    if (token.t === "num" || token.t === "str") return { k: "lit", v: token.v };
    if (token.t === "ref") return { k: "ref", name: token.v };
    if (token.t === "cur" || token.t === "up") {
      const steps = [token.v];
      while (isOp("/")) { pos += 1; steps.push(step(["name", "up", "cur"])); }
      return steps.length === 1 && token.t === "cur" ? { k: "cur" } : { k: "path", absolute: false, steps };
    }
    if (token.t === "op" && token.v === "/") {
      const steps = [step(["name"])];
      while (isOp("/")) { pos += 1; steps.push(step(["name"])); }
      return { k: "path", absolute: true, steps };
    }
    if (token.t === "name") return { k: "bare", name: token.v };
    // current(): the question the expression belongs to (in a choice filter too, not the
    // choice), so current()/../x is the path ../x from that question.
    if (token.t === "fn" && token.v === "current") {
      expect("(");
      expect(")");
      const steps = ["."];
      while (isOp("/")) { pos += 1; steps.push(step(["name", "up", "cur"])); }
      return steps.length === 1 ? { k: "cur" } : { k: "path", absolute: false, steps };
    }
    if (token.t === "fn") return call(token.v);
    if (token.t === "op" && token.v === "(") {
      const inner = binary(0);
      expect(")");
      return inner;
    }
    throw new ExpressionError(`Unexpected "${token.v}" in ${text}`);
  }
  const tree = binary(0);
  if (pos !== tokens.length) throw new ExpressionError(`Unexpected "${tokens[pos].v}" in ${text}`);
  return tree;
}

// ---- values (XPath 1.0 conversions; ISO dates count as days since 1970, as in JavaRosa) ----
const DAY = 86400000;

export function toNumber(v) {
  if (Array.isArray(v)) return toNumber(v.length ? v[0] : "");
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  const s = String(v ?? "").trim();
  if (/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(s)) return Number(s);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return Date.parse(s + "T00:00:00Z") / DAY;
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) return Date.parse(s) / DAY;
  return NaN;
}

export function toString(v) {
  if (Array.isArray(v)) return v.length ? toString(v[0]) : "";
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  return v == null ? "" : String(v);
}

export function toBoolean(v) {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "number") return v !== 0 && !Number.isNaN(v);
  if (typeof v === "boolean") return v;
  return toString(v).length > 0;
}

function compare(op, a, b) {
  if (Array.isArray(a)) return a.some((x) => compare(op, x, b));
  if (Array.isArray(b)) return b.some((x) => compare(op, a, x));
  if (op === "=" || op === "!=") {
    let equal;
    if (typeof a === "boolean" || typeof b === "boolean") equal = toBoolean(a) === toBoolean(b);
    else if (typeof a === "number" || typeof b === "number") equal = toNumber(a) === toNumber(b);
    else equal = toString(a) === toString(b);
    return op === "=" ? equal : !equal;
  }
  const x = toNumber(a), y = toNumber(b);
  return { "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y }[op];
}

const pad = (n) => String(n).padStart(2, "0");
const isoDate = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

export function isoNow(d = new Date()) {
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${isoDate(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

const words = (v) => toString(v).split(/\s+/).filter(Boolean);
const values = (args) => args.flatMap((a) => (Array.isArray(a) ? a : [a])).map(toNumber);

const FUNCTIONS = {
  "true": () => true,
  "false": () => false,
  "not": (a) => !toBoolean(a),
  "boolean": (a) => toBoolean(a),
  "number": (a) => toNumber(a),
  "string": (a) => toString(a),
  "int": (a) => Math.trunc(toNumber(a)),
  "round": (a, d = 0) => { const f = 10 ** toNumber(d); return Math.round(toNumber(a) * f) / f; },
  "floor": (a) => Math.floor(toNumber(a)),
  "ceiling": (a) => Math.ceil(toNumber(a)),
  "abs": (a) => Math.abs(toNumber(a)),
  "pow": (a, b) => toNumber(a) ** toNumber(b),
  "string-length": (a) => [...toString(a)].length,
  "normalize-space": (a) => toString(a).trim().replace(/\s+/g, " "),
  "concat": (...a) => a.map(toString).join(""),
  "contains": (a, b) => toString(a).includes(toString(b)),
  "starts-with": (a, b) => toString(a).startsWith(toString(b)),
  "ends-with": (a, b) => toString(a).endsWith(toString(b)),
  "substr": (s, a, b) => toString(s).substring(toNumber(a), b === undefined ? undefined : toNumber(b)),
  "selected": (a, b) => words(a).includes(toString(b)),
  "count-selected": (a) => words(a).length,
  "selected-at": (a, n) => words(a)[toNumber(n)] ?? "",
  "count": (a) => (Array.isArray(a) ? a.length : toString(a) ? 1 : 0),
  "sum": (...a) => values(a).reduce((x, y) => x + y, 0),
  "max": (...a) => Math.max(...values(a)),
  "min": (...a) => Math.min(...values(a)),
  "if": (c, a, b) => (toBoolean(c) ? a : b),
  "coalesce": (a, b) => (toString(a) ? a : b),
  "regex": (s, p) => new RegExp(toString(p)).test(toString(s)),
  "today": () => isoDate(new Date()),
  "now": () => isoNow(),
  "date": (a) => {
    // A date-time stays one, in local time, as ODK writes it ("2018-01-01T10:20:30.4+04:30").
    const at = typeof a === "number" ? null : /T/.test(toString(a)) && parseDateTime(toString(a));
    if (at) return odkDateTimeString(at);
    const n = toNumber(a);
    return Number.isNaN(n) ? toString(a) : new Date(Math.floor(n) * DAY).toISOString().slice(0, 10);
  },
  "uuid": () => crypto.randomUUID(),
  "format-date": (a, f) => formatDate(toString(a), toString(f)),
  "format-date-time": (a, f) => formatDateTime(toString(a), toString(f)),
  "count-non-empty": (a) => (Array.isArray(a) ? a : [a]).filter((v) => toString(v) !== "").length,
  "join": (glue, ...a) => a.flatMap((v) => (Array.isArray(v) ? v : [v])).map(toString).join(toString(glue)),
  "base64-decode": (a) => base64Decode(toString(a)),
  "distance": (...a) => distance(...a),
  "area": (...a) => area(...a),
  "geofence": (p, s) => geofence(p, s),
  "checklist": (...a) => checklist(toBoolean, toNumber, ...a),
  "weighted-checklist": (...a) => weightedChecklist(toBoolean, toNumber, ...a),
  "randomize": (nodes, ...seed) => randomize(nodes, ...seed),
  "indexed-repeat": () => [],  // evaluated with the context, below
  "jr:choice-name": () => "",  // evaluated with the context, below
  "jr:itext": () => "",  // evaluated with the context, below
};

function evaluate(node, ctx) {
  switch (node.k) {
    case "lit": return node.v;
    case "ref": return ctx.ref(node.name);
    case "cur": return ctx.current();
    case "path": return ctx.path(node.steps, node.absolute);
    case "inst": return lookup(node, ctx);
    case "bare": return ctx.bare ? ctx.bare(node.name) : "";
    case "neg": return -toNumber(evaluate(node.a, ctx));
    case "call": {
      // position(..): the number of the repeat entry the path names (1 for anything else,
      // which is alone among its siblings), as ODK's position(node).
      if (node.name === "position") return ctx.position(node.args[0].steps, node.args[0].absolute);
      // jr:choice-name(value, 'path of a select'): that choice's label, in the form's language.
      if (node.name === "jr:choice-name") {
        const [value, ref] = node.args.map((a) => evaluate(a, ctx));
        return ctx.choiceName ? ctx.choiceName(toString(value), toString(ref)) : "";
      }
      // jr:itext(id): the text of that itext id in the form's language (itext.js).
      if (node.name === "jr:itext") {
        return ctx.itext ? ctx.itext(toString(evaluate(node.args[0], ctx))) : "";
      }
      // indexed-repeat(question, repeat, n[, inner repeat, m...]): the question's value in the
      // n-th entry of the repeat (an empty node-set when there is none), as ODK.
      if (node.name === "indexed-repeat") {
        const [target, ...rest] = node.args;
        const pairs = [];
        for (let i = 0; i < rest.length; i += 2) pairs.push({ repeat: rest[i], index: toNumber(evaluate(rest[i + 1], ctx)) });
        return ctx.indexed ? ctx.indexed(target, pairs) : [];
      }
      if (node.name === "once") {
        const current = toString(ctx.current());
        return current || evaluate(node.args[0], ctx);
      }
      return FUNCTIONS[node.name](...node.args.map((a) => evaluate(a, ctx)));
    }
    case "bin": {
      const { op } = node;
      if (op === "or") return toBoolean(evaluate(node.a, ctx)) || toBoolean(evaluate(node.b, ctx));
      if (op === "and") return toBoolean(evaluate(node.a, ctx)) && toBoolean(evaluate(node.b, ctx));
      const a = evaluate(node.a, ctx), b = evaluate(node.b, ctx);
      if (["=", "!=", "<", "<=", ">", ">="].includes(op)) return compare(op, a, b);
      const x = toNumber(a), y = toNumber(b);
      return { "+": x + y, "-": x - y, "*": x * y, "div": x / y, "mod": x % y }[op];
    }
    default: throw new ExpressionError("Unknown expression node");
  }
}
// instance('id')/a/b[predicate]/c: the nodes the steps reach in the secondary instance, as
// their string values (a node-set). Inside a predicate, bare names are the node's children and
// a number is a position among the siblings the step found.
function lookup(node, ctx) {
  const found = ctx.instance ? ctx.instance(toString(evaluate(node.id, ctx))) : null;
  let nodes = [Array.isArray(found) ? fromRows(found) : found].filter(Boolean);
  for (const { name, predicates } of node.steps) {
    nodes = nodes.flatMap((parent) => {
      let list = kids(parent).filter((k) => k.name === name);
      for (const predicate of predicates) {
        list = list.filter((k, i) => {
          // A child the node lacks reads as '', as in JavaRosa (Collect; ODK Web Forms: nothing).
          const result = evaluate(predicate, { ...ctx, bare: (c) => { const v = childValues(k, c); return v.length ? v : ""; } });
          return typeof result === "number" ? result === i + 1 : toBoolean(result);
        });
      }
      return list;
    });
  }
  return nodes.map(value);
}

// Known to the parser; evaluated above with access to the context.
FUNCTIONS.once = () => "";
FUNCTIONS.position = () => NaN;
FUNCTIONS.instance = () => [];
FUNCTIONS.current = () => "";

const compiled = new Map();
const trees = new Map();

function tree(text) {
  if (!trees.has(text)) trees.set(text, parse(String(text)));
  return trees.get(text);
}

// Parse once; throws ExpressionError for anything outside the subset.
export function compile(text) {
  if (!compiled.has(text)) {
    const parsed = tree(text);
    compiled.set(text, (ctx) => evaluate(parsed, ctx));
  }
  return compiled.get(text);
}

// The references an expression makes: {name} for ${name}, {steps, absolute} for a path.
export function referencedPaths(text) {
  const found = [];
  const visit = (node, indexed = false) => {
    if (!node || typeof node !== "object") return;
    if (node.k === "ref") found.push({ name: node.name, indexed });
    if (node.k === "path") found.push({ steps: node.steps, absolute: node.absolute, indexed });
    if (node.k === "cur") found.push({ steps: ["."], absolute: false });
    // indexed-repeat()'s question and repeats are positioned by its own indexes (marked).
    if (node.k === "call" && node.name === "indexed-repeat") {
      node.args.forEach((a, i) => visit(a, i === 0 || i % 2 === 1));
      return;
    }
    for (const value of Object.values(node)) if (value && typeof value === "object") visit(value);
  };
  visit(tree(text));
  return found;
}

// The values an expression depends on, every one it names whichever branch is taken (as ODK
// tracks a calculation's dependencies): a repeat counts by its number of entries.
export function dependencies(text) {
  const found = [];
  const visit = (node) => {
    if (!node || typeof node !== "object") return;
    if (["ref", "path"].includes(node.k)) found.push(node);
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === "object") visit(value);
    }
  };
  visit(tree(text));
  return (ctx) => found.map((node) => {
    const value = evaluate(node, ctx);
    return Array.isArray(value) ? value.map((v) => (v && typeof v === "object" ? "entry" : v)) : value;
  });
}

// What each jr:itext() in an expression reads: {literal} for a quoted id, {instance, last} for
// instance('list')/.../last, {} for anything else (model.js checks the app can know the ids).
export function itextArguments(text) {
  const found = [];
  const visit = (node) => {
    if (!node || typeof node !== "object") return;
    if (node.k === "call" && node.name === "jr:itext") {
      const [a] = node.args;
      if (a.k === "lit") found.push({ literal: String(a.v) });
      else if (a.k === "inst" && a.id.k === "lit" && a.steps.length) found.push({ instance: String(a.id.v), last: a.steps[a.steps.length - 1].name });
      else found.push({});
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === "object") visit(value);
    }
  };
  visit(tree(text));
  return found;
}

export function references(text) {
  return tokenize(String(text)).filter((t) => t.t === "ref").map((t) => t.v);
}

// What an expression reads as the children of a secondary instance's nodes, where ODK's two
// engines part: a child a node lacks is '' in JavaRosa (Collect) and nothing in ODK Web Forms
// (the same where it is compared to a literal other than '').
// {bare}: names read in a choice filter (a choice's children); {paths}: for each
// instance('id')/a/b[pred] step with a predicate, the id, the steps to it and the names read.
export function instanceReads(text) {
  const bare = [];
  const paths = [];
  const visit = (node, into) => {
    if (!node || typeof node !== "object") return;
    if (node.k === "bare") into.push(node.name);
    // name = 'x' (not ''), name = 3: false for a node without the child in both engines.
    const literal = (n) => n.k === "lit" && n.v !== "";
    if (node.k === "bin" && node.op === "=" && ((node.a.k === "bare" && literal(node.b)) || (node.b.k === "bare" && literal(node.a)))) return;
    if (node.k === "inst") {
      const id = node.id.k === "lit" ? String(node.id.v) : null;
      node.steps.forEach((step, i) => {
        for (const predicate of step.predicates) {
          const names = [];
          visit(predicate, names);
          paths.push({ id, steps: node.steps.slice(0, i + 1).map((s) => s.name), names });
        }
      });
      return;
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach((v) => visit(v, into));
      else if (value && typeof value === "object") visit(value, into);
    }
  };
  visit(tree(text), bare);
  return { bare, paths };
}
