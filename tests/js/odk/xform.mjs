// An XForm (ODK's test forms are XForms, not XLSForms) described in the shape of pyxform's JSON,
// which is what the phone app's model (static/mobile/js/model.js) reads. Only a test harness:
// the app gets its JSON from pyxform. Everything is carried over as written (expressions stay
// XPath with absolute paths, which our evaluator reads); what has no place in pyxform's JSON is
// kept under the key pyxform would use, so that the app's own check (unsupportedFeatures) sees it.
const JR = "http://openrosa.org/javarosa";

const elements = (node) => [...node.childNodes].filter((n) => n.nodeType === 1);
const local = (el) => el.localName;

const INPUT_TYPES = {
  string: "text", int: "integer", integer: "integer", decimal: "decimal", date: "date", time: "time",
  dateTime: "dateTime", geopoint: "geopoint", geotrace: "geotrace", geoshape: "geoshape",
  barcode: "barcode", boolean: "acknowledge", binary: "file",
};
const PRELOADS = { "timestamp start": "start", "timestamp end": "end", "date today": "today",
  "property deviceid": "deviceid", "property username": "username", "property phonenumber": "phonenumber",
  "property email": "email", "property subscriberid": "subscriberid", "property simserial": "simserial",
  "uid ": "hidden" };
const BIND_KEYS = ["relevant", "required", "constraint", "calculate", "readonly", "jr:requiredMsg",
  "jr:constraintMsg", "jr:preload", "jr:preloadParams", "saveIncomplete", "orx:max-pixels",
  "jr:noAppErrorString", "entities:saveto", "odk:length"];

function itextTable(model) {
  const table = {};
  const itext = elements(model).find((e) => local(e) === "itext");
  if (!itext) return table;
  const translations = elements(itext).filter((e) => local(e) === "translation");
  const chosen = translations.find((t) => t.getAttribute("default")) || translations[0];
  for (const text of chosen ? elements(chosen) : []) {
    const value = elements(text).find((v) => !v.getAttribute("form")) || elements(text)[0];
    table[text.getAttribute("id")] = value ? value.textContent : "";
  }
  return table;
}

function labelOf(control, itext) {
  const label = elements(control).find((e) => local(e) === "label");
  if (!label) return "";
  const ref = label.getAttribute("ref");
  const m = ref && /jr:itext\(\s*'([^']+)'\s*\)/.exec(ref);
  return m ? itext[m[1]] ?? "" : label.textContent.trim();
}

function resolveRef(ref, context) {
  if (!ref) return context;
  if (ref.startsWith("/")) return ref;
  let base = context.split("/");
  for (const step of ref.split("/")) {
    if (step === "..") base = base.slice(0, -1);
    else if (step !== ".") base.push(step);
  }
  return base.join("/");
}

// Where the last argument starts in "a, b[f(x, y)], c" (-1 if there is one argument).
function topLevelComma(text) {
  let depth = 0, quote = null, last = -1;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote) { if (c === quote) quote = null; continue; }
    if (c === "'" || c === '"') quote = c;
    else if (c === "(" || c === "[") depth += 1;
    else if (c === ")" || c === "]") depth -= 1;
    else if (c === "," && depth === 0) last = i;
  }
  return last;
}

// Rows of a secondary instance (inline, or an attachment given as rows by the caller).
function inlineRows(instance) {
  const root = elements(instance)[0];
  if (!root) return [];
  return elements(root).map((item) => Object.fromEntries(elements(item).map((c) => [local(c), c.textContent])));
}

export function xformToDef(xml, attachments = {}) {
  const doc = new globalThis.DOMParser().parseFromString(xml, "text/xml");
  const byName = (name) => [...doc.getElementsByTagName("*")].filter((e) => local(e) === name);
  const model = byName("model")[0];
  const body = byName("body")[0];
  const itext = itextTable(model);
  const instances = elements(model).filter((e) => local(e) === "instance");
  const primary = elements(instances.find((i) => !i.getAttribute("id")) || instances[0])[0];
  const rootPath = `/${local(primary)}`;
  const unsupported = [];
  const media = {};
  for (const instance of instances.filter((i) => i.getAttribute("id"))) {
    const id = instance.getAttribute("id");
    const src = instance.getAttribute("src");
    if (!src) media[`${id}.csv`] = inlineRows(instance);
    else if (/\.csv$/.test(src)) media[`${id}.csv`] = attachments[src.replace(/^jr:\/\/file-csv\//, "")] || [];
    else unsupported.push(`secondary instance ${src}`);
  }
  const binds = new Map();
  for (const bind of [...model.getElementsByTagName("*")].filter((e) => local(e) === "bind")) {
    const attrs = { type: (bind.getAttribute("type") || "string").replace(/^xsd:/, "") };
    for (const key of BIND_KEYS) {
      const value = key.includes(":") ? bind.getAttributeNS(key.startsWith("jr:") ? JR : null, key.split(":")[1])
        ?? bind.getAttribute(key) : bind.getAttribute(key);
      if (value != null) attrs[key] = value;
    }
    binds.set(resolveRef(bind.getAttribute("nodeset"), rootPath), attrs);
  }
  for (const action of ["setgeopoint", "recordaudio"]) {
    if (doc.getElementsByTagName(action).length || doc.getElementsByTagName(`odk:${action}`).length) {
      unsupported.push(`action ${action}`);
    }
  }
  // setvalue actions, in the shape pyxform gives them in its JSON: a value set when the form is
  // made (odk-instance-first-load) or a repeat entry added (odk-new-repeat) is the question's
  // `default` (an expression in parentheses, a literal as is); one set when another question
  // changes (xforms-value-changed) is the question's `trigger` with the value as its calculation.
  const bindIds = new Map([...model.getElementsByTagName("*")].filter((e) => local(e) === "bind" && e.getAttribute("id"))
    .map((e) => [e.getAttribute("id"), resolveRef(e.getAttribute("nodeset"), rootPath)]));
  const actions = new Map();
  for (const el of [...doc.getElementsByTagName("*")].filter((e) => local(e) === "setvalue")) {
    const parent = el.parentNode;
    const context = local(parent) === "model" ? rootPath
      : resolveRef(parent.getAttribute("ref") || parent.getAttribute("nodeset"), rootPath);
    const target = el.getAttribute("bind") ? bindIds.get(el.getAttribute("bind")) : resolveRef(el.getAttribute("ref"), context);
    const value = el.getAttribute("value");
    const set = value != null ? `(${value})` : el.textContent;
    const events = (el.getAttribute("event") || "").split(/\s+/).filter(Boolean);
    const known = events.filter((e) => ["odk-instance-first-load", "odk-new-repeat", "xforms-value-changed"].includes(e));
    if (known.length !== events.length || !target) { unsupported.push(`action setvalue on ${events.join(" ")}`); continue; }
    if (actions.has(target)) { unsupported.push("two setvalue actions on one question"); continue; }
    actions.set(target, { events, set, trigger: events.includes("xforms-value-changed") ? context : null, value });
  }
  // Body controls by the path they bind, and the repeats.
  const controls = new Map();
  const repeats = new Map();
  const walk = (el, context) => {
    for (const child of elements(el)) {
      const name = local(child);
      if (name === "group") {
        const ref = child.getAttribute("ref") || child.getAttribute("nodeset");
        const path = ref ? resolveRef(ref, context) : context;
        if (ref) controls.set(path, { kind: "group", el: child, label: labelOf(child, itext) });
        walk(child, path);
      } else if (name === "repeat") {
        const path = resolveRef(child.getAttribute("nodeset"), context);
        repeats.set(path, child);
        walk(child, path);
      } else if (["input", "select1", "select", "upload", "trigger", "range", "rank", "odk:rank"].includes(name)) {
        controls.set(resolveRef(child.getAttribute("ref") || child.getAttribute("nodeset"), context),
          { kind: name, el: child, label: labelOf(child, itext) });
      }
    }
  };
  if (body) walk(body, rootPath);

  const choicesOf = (control) => {
    const items = elements(control).filter((e) => local(e) === "item");
    const itemset = elements(control).find((e) => local(e) === "itemset");
    if (!itemset) {
      return { choices: items.map((item) => {
        const value = elements(item).find((e) => local(e) === "value");
        return { name: value ? value.textContent.trim() : "", label: labelOf(item, itext) };
      }) };
    }
    let nodeset = itemset.getAttribute("nodeset").trim();
    // pyxform's randomize=true [seed=...] parameters: randomize(nodeset[, seed]).
    const parameters = {};
    if (/^randomize\(.*\)$/s.test(nodeset)) {
      const inner = nodeset.slice("randomize(".length, -1);
      const comma = topLevelComma(inner);
      parameters.randomize = "true";
      if (comma >= 0) parameters.seed = inner.slice(comma + 1).trim();
      nodeset = (comma >= 0 ? inner.slice(0, comma) : inner).trim();
    }
    const m = /^instance\(\s*'([^']+)'\s*\)\/root\/item(?:\[(.*)\])?$/s.exec(nodeset.trim());
    if (!m) return { choices: [], unsupported: `itemset ${nodeset}` };
    const valueRef = (elements(itemset).find((e) => local(e) === "value") || itemset).getAttribute("ref") || "name";
    const labelEl = elements(itemset).find((e) => local(e) === "label");
    const labelRef = labelEl ? labelEl.getAttribute("ref") : "label";
    const rows = media[`${m[1]}.csv`] || [];
    const choices = rows.map((row) => {
      const translated = /jr:itext\(\s*([\w.-]+)\s*\)/.exec(labelRef);
      const label = translated ? itext[row[translated[1]]] ?? "" : row[labelRef] ?? "";
      return { ...row, name: row[valueRef] ?? "", label };
    });
    return { choices, choice_filter: m[2] || null, parameters };
  };

  // A repeat's elements appear once per default instance (and once more as its jr:template):
  // the definition is the template when there is one, else the first.
  const distinct = (list) => {
    const first = new Map();
    for (const el of list) {
      const template = el.hasAttributeNS(JR, "template") || el.hasAttribute("jr:template");
      if (!first.has(local(el)) || template) first.set(local(el), el);
    }
    return [...first.values()].sort((a, b) => list.indexOf(a) - list.indexOf(b));
  };

  const node = (el, path) => {
    const name = local(el);
    const bind = binds.get(path) || { type: "string" };
    const control = controls.get(path);
    const raw = { name, label: control ? control.label : "", bind: { ...bind } };
    delete raw.bind.type;
    if (repeats.has(path)) {
      const repeat = repeats.get(path);
      raw.type = "repeat";
      const count = repeat.getAttributeNS(JR, "count") || repeat.getAttribute("jr:count");
      raw.control = count ? { "jr:count": count } : {};
      if (repeat.getAttributeNS(JR, "noAddRemove") || repeat.getAttribute("jr:noAddRemove")) raw.control["jr:noAddRemove"] = "true()";
      raw.children = distinct(elements(el)).map((c) => node(c, `${path}/${local(c)}`));
      return raw;
    }
    const kids = distinct(elements(el));
    if (kids.length) {
      raw.type = "group";
      raw.children = kids.map((c) => node(c, `${path}/${local(c)}`));
      return raw;
    }
    const text = el.textContent;
    if (text !== "") raw.default = text;
    const action = actions.get(path);
    if (action) {
      const inRepeat = [...repeats.keys()].some((r) => path.startsWith(`${r}/`));
      const load = action.events.includes("odk-instance-first-load");
      const entry = action.events.includes("odk-new-repeat");
      if (bind.calculate || (inRepeat && !(load && entry)) || (!inRepeat && entry)) {
        raw.unsupported = `action setvalue on ${action.events.join(" ")}${bind.calculate ? " with a calculation" : ""}`;
      } else if (load) {
        raw.default = action.set;
      }
      if (action.trigger) {
        raw.trigger = action.trigger;
        raw.bind.calculate = action.value ?? `'${action.set}'`;
      }
    }
    if (bind["jr:preload"]) {
      raw.type = PRELOADS[`${bind["jr:preload"]} ${bind["jr:preloadParams"] || ""}`] || "hidden";
      // The app makes the instanceID itself (model.js newInstance), as pyxform's forms ask.
      if (raw.type === "hidden" && !(name === "instanceID" && bind["jr:preload"] === "uid")) {
        raw.unsupported = `preload ${bind["jr:preload"]}`;
      }
      return raw;
    }
    if (!control) {
      raw.type = bind.calculate ? "calculate" : "hidden";
      return raw;
    }
    const appearance = control.el.getAttribute("appearance");
    if (appearance) raw.control = { appearance };
    if (["select1", "select", "rank", "odk:rank"].includes(control.kind)) {
      raw.type = { select1: "select one", select: "select all that apply" }[control.kind] || "rank";
      const { choices, choice_filter: filter, unsupported: why, parameters } = choicesOf(control.el);
      raw.choices = choices;
      if (parameters && Object.keys(parameters).length) raw.parameters = parameters;
      if (filter) raw.choice_filter = filter;
      if (why) raw.unsupported = why;
    } else if (control.kind === "input") {
      raw.type = INPUT_TYPES[bind.type] || bind.type;
      if (raw.type === "text" && /^(true\(\)|true)$/.test(bind.readonly || "") && !bind.calculate) raw.type = "note";
    } else if (control.kind === "upload") {
      const mediatype = control.el.getAttribute("mediatype") || "";
      raw.type = mediatype.startsWith("image") ? "image" : mediatype.startsWith("audio") ? "audio"
        : mediatype.startsWith("video") ? "video" : "file";
    } else {
      raw.type = { trigger: "acknowledge", range: "range", rank: "rank", "odk:rank": "rank" }[control.kind];
    }
    return raw;
  };
  const def = { name: local(primary), type: "survey", id_string: primary.getAttribute("id"),
    version: primary.getAttribute("version") || "", children: distinct(elements(primary)).map((c) => node(c, `${rootPath}/${local(c)}`)) };
  if (unsupported.length) def.unsupported = unsupported.join("; ");
  return { def, media, repeats: new Set(repeats.keys()), unsupported };
}
