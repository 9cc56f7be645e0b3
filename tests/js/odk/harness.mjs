// The conformance harness (issue 14): one form, filled with the same scripted answers in ODK's
// own engine (@getodk/xforms-engine, the reference) and in the phone app's model (model.js,
// driven directly in node: the same code the app runs, without its DOM renderer), and the two
// submissions compared.
//
// The answers are scripted, deterministic, from the form itself: walking ODK's form in document
// order, every relevant, writable question gets a value of its type (a variant number picks
// which choice, which number), each repeat gets one more entry than it starts with. The same
// list of (path, value) steps is then played into our model.
//
// Submissions are compared as the set of their non-empty answers (path with repeat positions ->
// value): ODK leaves out what is not relevant, the app blanks it, and the server reads blank as
// no answer. Values that depend on the clock or on chance (preloads, instanceID, now(), uuid())
// are compared by shape.
import { JSDOM } from "jsdom";
import { createRequire } from "node:module";
import { dirname } from "node:path";

import { Form } from "../../../static/mobile/js/model.js";
import { fillJavaRosa } from "./javarosa.mjs";

process.env.TZ = process.env.HARNESS_TZ || "UTC";  // HARNESS_TZ: another zone, from the start
const require = createRequire(import.meta.url);
const dom = new JSDOM("<!doctype html><html><body></body></html>");
for (const name of ["window", "document", "DOMParser", "XMLSerializer", "Node"]) {
  if (!(name in globalThis)) globalThis[name] = name === "window" ? dom.window : dom.window[name];
}
// The engine's tree-sitter parser (wasm) locates itself with __dirname when it sees node.
globalThis.__dirname = dirname(require.resolve("@getodk/xforms-engine"));
const { createInstance } = await import("@getodk/xforms-engine");

const VOLATILE = /^(uuid:)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GEOPOINT = /^-?\d+(\.\d+)?( -?\d+(\.\d+)?){1,3}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

function normalise(value) {
  const text = String(value).trim();
  if (VOLATILE.test(text)) return "<uuid>";
  if (GEOPOINT.test(text) && text.includes(" ")) return text.split(" ").map(Number).join(" ");  // 1000 = 1000.0
  // A geotrace or geoshape: points joined by ";" exactly, each read as a geopoint is.
  const points = text.split(";");
  if (points.length > 1 && points.every((p) => GEOPOINT.test(p) && p.includes(" "))) {
    return points.map((p) => p.split(" ").map(Number).join(" ")).join(";");
  }
  if (DATETIME.test(text)) {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? text : `<datetime ${d.toISOString().slice(0, 15)}>`;
  }
  return text;
}

function valueFor(node, k, variant) {
  const type = node.valueType || "string";
  const n = (k * 7 + variant * 5) % 23;
  switch (type) {
    case "int": return String(n);
    case "decimal": return `${n}.5`;
    case "date": return `2024-0${(k % 9) + 1}-1${k % 9}`;
    case "time": return `1${k % 10}:30:00.000+00:00`;
    case "dateTime": return `2024-03-1${k % 9}T10:30:00.000+00:00`;
    case "geopoint": return `34.5${k} 69.1${variant} 1000 5`;
    // A line of two points; a shape of three, closed (ODK's formats: "lat lon alt acc;...").
    case "geotrace": return `34.5${k} 69.1${variant} 1000 5;34.6${k} 69.2${variant} 1010 4`;
    case "geoshape": return `34.5${k} 69.1${variant} 1000 5;34.6${k} 69.2${variant} 1010 4;34.7${k} 69.1${variant} 990 6;34.5${k} 69.1${variant} 1000 5`;
    case "barcode": return `code-${k}${variant ? "b" : ""}`;
    case "boolean": return variant ? "true" : "false";
    case "string": return `answer ${k}${variant ? " b" : ""}`;
    default: return null;  // geotrace, geoshape, binary, barcode...: not scripted
  }
}

const SKIP = new Set(["upload", "trigger", "note", "rank", "range", "model-value", "noop"]);
// The phone's position whenever a form asks for it (odk:setgeopoint), the same in both engines.
export const LOCATION = "34.52 69.18 1790 4.5";

// Fill the reference; returns the steps played and ODK's submission XML.
export async function fillReference(xml, attachments, variant) {
  const form = await createInstance(xml, { instance: { geolocationProvider: { getLocation: async () => LOCATION } }, form: {
    fetchFormAttachment: async (url) => {
      const name = String(url).split("/").pop();
      if (!(name in attachments)) return new Response("", { status: 404 });
      return new Response(attachments[name], { headers: { "Content-Type": name.endsWith(".csv") ? "text/csv"
        : name.endsWith(".geojson") ? "application/geo+json" : "text/xml" } });
    },
  } });
  const steps = [];
  let k = 0;
  const visit = (node) => {
    const state = node.currentState;
    if (!state.relevant) return;
    if (node.nodeType === "repeat-range:uncontrolled") {
      node.addInstances();
      steps.push({ ref: node.currentState.reference, entries: node.currentState.children.length });
    }
    // Read-only questions are left alone, and the app must find them read-only too.
    if (["input", "select", "rank", "range", "trigger"].includes(node.nodeType) && state.readonly) steps.push({ ref: state.reference, readonly: true });
    if (node.nodeType === "input" && !state.readonly) {
      k += 1;
      const value = valueFor(node, k, variant);
      if (value != null) {
        steps.push({ ref: state.reference, value });
        node.setValue(value);
      }
    } else if (node.nodeType === "select" && !state.readonly) {
      k += 1;
      const options = state.valueOptions.map((o) => o.value);
      if (!options.length) steps.push({ ref: state.reference, options });  // none offered: the app neither
      if (options.length) {
        const many = node.selectType === "select" || node.definition?.bodyElement?.type === "select";
        const picked = many ? [options[(k + variant) % options.length], options[(k + variant + 1) % options.length]]
          .filter((v, i, a) => a.indexOf(v) === i).sort((a, b) => options.indexOf(a) - options.indexOf(b))
          : [options[(k + variant) % options.length]];
        steps.push({ ref: state.reference, value: picked.join(" "), options });
        if (many) node.selectValues(picked); else node.selectValue(picked[0]);
      }
    } else if (node.nodeType === "range" && !state.readonly) {
      // A range: a value on its steps, picked by the variant.
      k += 1;
      const { start, end, step } = node.definition.bounds;
      const [a, b, s] = [start, end, step].map(Number);
      const count = Math.floor((b - a) / s + 1e-9) + 1;
      const value = a + (((k * 7 + variant * 5) % count) * s);
      const text = String(Number(value.toFixed(10)));
      node.setValue(node.valueType === "int" ? BigInt(Math.round(value)) : value);
      steps.push({ ref: state.reference, value: text });
    } else if (node.nodeType === "trigger" && !state.readonly) {
      // An acknowledge: confirmed in one variant, left in the other.
      k += 1;
      if (variant === 0) { node.setValue(true); steps.push({ ref: state.reference, value: "OK" }); }
    } else if (node.nodeType === "rank" && !state.readonly) {
      // A rank: every option ODK offers, in an order the variant picks (rotated).
      k += 1;
      const options = state.valueOptions.map((o) => o.value);
      if (options.length) {
        const turn = (k + variant) % options.length;
        const order = [...options.slice(turn), ...options.slice(0, turn)];
        steps.push({ ref: state.reference, value: order.join(" "), options });
        node.setValues(order);
      }
    }
    if (SKIP.has(node.nodeType)) return;
    for (const child of node.currentState.children ?? []) visit(child);
  };
  visit(form.root);
  await new Promise((resolve) => setTimeout(resolve, 0));  // positions asked for arrive
  return { steps, xml: form.root.instanceState.instanceXML, root: form.root };
}

// "/data/rep[2]/q" -> [["data"], ["rep", 1], ["q"]]
function parseRef(ref) {
  return ref.split("/").filter(Boolean).map((step) => {
    const m = /^([^[]+)(?:\[(\d+)\])?$/.exec(step);
    return m[2] ? [m[1], Number(m[2]) - 1] : [m[1]];
  });
}

// Play the steps into our model; returns the answers as the app would submit them.
export function fillOurs(form, steps) {
  form.locate = () => LOCATION;
  const instance = form.newInstance("00000000-0000-4000-8000-000000000000");
  form.calculate(instance);  // as the app does when it draws the form (render.js refresh)
  const locate = (ref) => {
    const parts = parseRef(ref);
    const path = "/" + parts.map((p) => p[0]).join("/");
    const node = form.byPath.get(path);
    const scope = {};
    for (const [name, index] of parts) if (index !== undefined) scope[name] = index;
    return { node, scope };
  };
  // Repeat entries up to the position a step needs (ODK starts a repeat with its default
  // entries; the app adds them as the monitor asks).
  const ensure = (node, scope) => {
    for (const ancestor of node.ancestors) {
      if (ancestor.kind !== "repeat") continue;
      while (form.get(instance, ancestor, scope).length <= scope[ancestor.name]) {
        form.newRepeatEntry(instance, ancestor, scope);
      }
    }
  };
  for (const step of steps) {
    const { node, scope } = locate(step.ref);
    if (node && step.entries !== undefined) {
      ensure(node, scope);
      while (form.get(instance, node, scope).length < step.entries) form.newRepeatEntry(instance, node, scope);
      form.calculate(instance);
      continue;
    }
    if (!node) throw new Error(`our form has no ${step.ref}`);
    ensure(node, scope);
    // ODK answers only what it does not hold read-only; the app must agree, either way.
    const readonly = form.isReadonly(instance, node, scope);
    if (readonly !== Boolean(step.readonly)) throw new Error(`${step.ref}: ODK ${step.readonly ? "read-only" : "writable"}, app ${readonly ? "read-only" : "writable"}`);
    if (step.readonly) continue;
    // A select offers the same choices as in ODK (from a list, a file, a filter), in ODK's order
    // (randomize() with a seed included; without one, each engine draws its own order, so only
    // the same choices).
    if (step.options && node.select) {
      const offered = form.choicesFor(instance, node, scope).map((c) => String(c.name));
      const chance = node.parameters.randomize === "true" && !node.seed;
      const [a, b] = chance ? [[...step.options].sort(), [...offered].sort()] : [step.options, offered];
      if (a.join("\n") !== b.join("\n")) {
        throw new Error(`${step.ref}: ODK offers ${JSON.stringify(step.options)}, app ${JSON.stringify(offered)}`);
      }
    }
    if (step.value === undefined) continue;
    form.set(instance, node, scope, step.value);
    form.calculate(instance);
  }
  form.finish(instance);
  form.calculate(instance);
  return form.relevantAnswers(instance);
}

// Non-empty answers of ODK's submission: path (with repeat positions) -> value.
export function referenceAnswers(xml, repeats, skip) {
  const doc = new globalThis.DOMParser().parseFromString(xml, "text/xml");
  const out = new Map();
  const walk = (el, path, plain) => {
    const kids = [...el.childNodes].filter((n) => n.nodeType === 1);
    if (!kids.length) {
      if (el.textContent.trim() && !skip.has(plain) && !/\/meta\/(instanceID|deprecatedID)$/.test(plain)) {
        out.set(path, normalise(el.textContent));
      }
      return;
    }
    const seen = {};
    for (const kid of kids) {
      const p = `${plain}/${kid.localName}`;
      seen[p] = (seen[p] || 0) + 1;
      walk(kid, repeats.has(p) ? `${path}/${kid.localName}[${seen[p]}]` : `${path}/${kid.localName}`, p);
    }
  };
  const root = doc.documentElement;
  walk(root, `/${root.localName}`, `/${root.localName}`);
  return out;
}

export function ourAnswers(form, answers, skip) {
  const out = new Map();
  form.walk(answers, (node, scope) => {
    if (node.kind !== "field" && node.kind !== "meta") return;
    if (skip.has(node.path)) return;
    const value = form.get(answers, node, scope);
    if (value == null || String(value).trim() === "") return;
    const steps = [...node.ancestors, node].map((n) => (n.kind === "repeat" ? `${n.name}[${scope[n.name] + 1}]` : n.name));
    out.set(`/${form.root.name}/${steps.join("/")}`, normalise(value));
  });
  return out;
}

// Paths whose values are the device's or the clock's, not the form logic's.
export function volatilePaths(form) {
  // A position the form asks for (odk:setgeopoint) is scripted, so compared.
  return new Set(form.nodes.filter((n) => (n.kind === "meta" && !n.geopointOn.length) || n.name === "instanceID" ||
    n.name === "deprecatedID" || n.raw.bind?.["jr:preload"]).map((n) => n.path));
}

export function differences(reference, ours) {
  const found = [];
  for (const [path, value] of reference) {
    if (!ours.has(path)) found.push(`${path}: ODK "${value}", app nothing`);
    else if (ours.get(path) !== value) found.push(`${path}: ODK "${value}", app "${ours.get(path)}"`);
  }
  for (const [path, value] of ours) if (!reference.has(path)) found.push(`${path}: ODK nothing, app "${value}"`);
  return found;
}

// Whether ODK's engine can load the form at all: null if it can, else its error. An attachment
// the corpus does not hold is the harness's gap, not the form's fault: that form stays refused.
export async function referenceError(xml, attachments) {
  try {
    await fillReference(xml, attachments, 0);
    return null;
  } catch (error) {
    const message = String(error.message || error.constructor.name || "error");
    return /Failed to load resource/.test(message) ? null : message;
  }
}

// One form, both variants: {status: "identical"|"refused"|"invalid"|"different", detail}.
// "invalid": ODK's engine cannot load the form (a syntax error, an unknown function, a cycle, an
// XForm without its namespace), or the app refuses it and ODK Validate — JavaRosa, the engine of
// ODK Collect, which Nezarat's publishing runs too — rejects it (`javarosa()`: its reason, or
// null): nothing to compare; no such form reaches a phone.
export async function compare({ xml, def, media = {}, attachments = {}, repeats, javarosa = () => null }) {
  const form = new Form(def, media);
  const refused = form.refusals;
  const error = await referenceError(xml, attachments);
  if (error != null) {
    return { status: "invalid", detail: [...(refused.length ? refused : ["the app opens it"]), `ODK's engine: ${error}`] };
  }
  if (refused.length) {
    const rejected = javarosa();
    if (rejected) return { status: "invalid", detail: [...refused, `ODK Validate (Collect's JavaRosa): ${rejected}`] };
    return { status: "refused", detail: refused };
  }
  const skip = volatilePaths(form);
  const detail = [];
  let compared = 0;
  // Where ODK's two engines part (model.js `disagreements`), the app runs the form as Collect:
  // the reference is JavaRosa's submission for the same script (javarosa.mjs), and whether Web
  // Forms' differs for it is reported.
  const parting = [...new Set(form.disagreements || [])];
  let webFormsDiffers = false;
  for (const variant of [0, 1]) {
    let steps, submitted;
    if (parting.length) {
      const collect = await fillJavaRosa(xml, attachments, variant);
      if (collect.error) return { status: "invalid", detail: [...parting, `Collect's JavaRosa: ${collect.error}`] };
      ({ steps, xml: submitted } = collect);
      if (variant === 0) {
        const web = await fillReference(xml, attachments, variant);
        webFormsDiffers = differences(referenceAnswers(web.xml, repeats, skip), referenceAnswers(submitted, repeats, skip)).length > 0;
      }
    } else {
      ({ steps, xml: submitted } = await fillReference(xml, attachments, variant));
    }
    let answers;
    try {
      answers = fillOurs(form, steps);
    } catch (error) {
      detail.push(`variant ${variant}: ${error.message}`);
      continue;
    }
    const reference = referenceAnswers(submitted, repeats, skip);
    compared += reference.size;
    const diff = differences(reference, ourAnswers(form, answers, skip));
    detail.push(...diff.map((d) => `variant ${variant}: ${d}`));
  }
  if (parting.length) {
    detail.push(`compared with Collect's JavaRosa (${parting.join("; ")}); Web Forms ${webFormsDiffers ? "differs" : "agrees"}`);
    return { status: detail.length > 1 ? "different" : "identical", detail, compared, against: "javarosa", webFormsDiffers };
  }
  return { status: detail.length ? "different" : "identical", detail, compared };
}
