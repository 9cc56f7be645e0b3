// An XForm (ODK's test forms are XForms, not XLSForms) described in the shape of pyxform's JSON,
// which is what the phone app's model (static/mobile/js/model.js) reads. Only a test harness:
// the app gets its JSON from pyxform. Everything is carried over as written (expressions stay
// XPath with absolute paths, which our evaluator reads); what has no place in pyxform's JSON is
// kept under the key pyxform would use, so that the app's own check (unsupportedFeatures) sees it.
import { fromInstanceElement, kids, value } from "../../../static/mobile/js/instances.js";
import { fromChoiceList, requiresItext } from "../../../static/mobile/js/itext.js";

const JR = "http://openrosa.org/javarosa";
const ODK = "http://www.opendatakit.org/xforms";
// The bind types ODK's engine knows; any other is read as a string, as the engine does.
const BIND_TYPES = new Set(["string", "int", "integer", "boolean", "decimal", "date", "time", "dateTime", "geopoint",
  "geotrace", "geoshape", "binary", "barcode", "intent"]);

// Walked by hand: spreading jsdom's live collections (childNodes, getElementsByTagName) costs
// seconds on a large form (each index goes through a proxy that also looks up named items).
const elements = (node) => {
  const out = [];
  for (let c = node.firstElementChild; c; c = c.nextElementSibling) out.push(c);
  return out;
};
// Every element under `node`, in document order (as getElementsByTagName("*")).
const descendants = (node) => {
  const out = [];
  const walk = (n) => { for (let c = n.firstElementChild; c; c = c.nextElementSibling) { out.push(c); walk(c); } };
  walk(node);
  return out;
};
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

// Every translation's texts, the default one first (as ODK's default language): {lang: {id: text}}
// with a text that has a media form or an <output> as an object ({media, text} / {output: true}).
function itextTranslations(model) {
  const itext = elements(model).find((e) => local(e) === "itext");
  const translations = itext ? elements(itext).filter((e) => local(e) === "translation") : [];
  const chosen = translations.find((t) => t.getAttribute("default")) || translations[0];
  const all = {};
  for (const translation of [chosen, ...translations.filter((t) => t !== chosen)].filter(Boolean)) {
    const table = all[translation.getAttribute("lang")] = {};
    for (const text of elements(translation)) {
      const values = elements(text);
      const media = Object.fromEntries(values.filter((v) => v.getAttribute("form") && v.getAttribute("form") !== "long")
        .map((v) => [v.getAttribute("form"), v.textContent]));
      const plain = values.find((v) => !v.getAttribute("form") || v.getAttribute("form") === "long");
      table[text.getAttribute("id")] = Object.keys(media).length ? { media, text: plain ? plain.textContent : "" }
        : plain && elements(plain).length ? { output: true } : plain ? plain.textContent : "";
    }
  }
  return all;
}

// An inline instance that is a choice list as pyxform writes one (itext.js fromChoiceList, the
// same tree rebuilt from the choices): the choices as in pyxform's JSON (a translated label as
// {language: text}), else null.
function choiceList(instance, id, translations) {
  const tree = fromInstanceElement(instance);
  const root = kids(tree)[0];
  if (!root || root.name !== "root" || !(root.children || []).every((i) => i.name === "item" && i.children && i.children.every((k) => k.text != null))) return null;
  const items = root.children;
  const columns = items.map((i) => Object.fromEntries(i.children.map((k) => [k.name, k.text])));
  if (!columns.every((c) => c.name != null)) return null;
  const langs = Object.keys(translations);
  const choices = columns.map((c) => {
    const { itextId, name, label, sms_option: sms, ...rest } = c;
    const choice = { name };
    if (itextId != null) {
      const texts = langs.filter((l) => itextId in translations[l]).map((l) => [l, translations[l][itextId]]);
      if (!texts.length || texts.some(([, t]) => typeof t === "object" && t.output)) return null;
      // pyxform's media: {image: {language: file}, ...}
      for (const [l, t] of texts.filter(([, x]) => typeof x === "object")) {
        for (const [form, file] of Object.entries(t.media)) ((choice.media ||= {})[form] ||= {})[l] = file;
      }
      choice.label = Object.fromEntries(texts.map(([l, t]) => [l, typeof t === "object" ? t.text : t]));
    } else if (label != null) choice.label = label;
    if (sms != null) choice.sms_option = sms;
    return Object.assign(choice, rest);
  });
  if (choices.includes(null)) return null;
  const same = (a, b) => a.name === b.name && (a.text ?? null) === (b.text ?? null) &&
    (a.children || []).length === (b.children || []).length && (a.children || []).every((c, i) => same(c, b.children[i]));
  return same(fromChoiceList(id, choices), tree) ? choices : null;
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

export function xformToDef(xml, attachments = {}) {
  const doc = new globalThis.DOMParser().parseFromString(xml, "text/xml");
  const byName = (name) => descendants(doc).filter((e) => local(e) === name);
  const model = byName("model")[0];
  const body = byName("body")[0];
  const itext = itextTable(model);
  const translations = itextTranslations(model);
  const instances = elements(model).filter((e) => local(e) === "instance");
  const primaryInstance = instances.find((i) => !i.getAttribute("id")) || instances[0];
  const primary = elements(primaryInstance)[0];
  const rootPath = `/${local(primary)}`;
  const unsupported = [];
  // Secondary instances as the app gets them: an attachment (CSV rows, or the text of an XML or
  // GeoJSON file) named <id>.<ext>, as pyxform names an instance after its file; an inline
  // instance as the XML file it would be in an XLSForm (xml-external); the last saved report
  // under pyxform's name for it, "__last-saved".
  // A choice list pyxform writes as an inline instance is the form's choice list (`choices`).
  const media = {};
  const files = {};  // instance id -> attachment name
  const lists = {};  // instance id -> choices, as pyxform's JSON has them
  const inline = {};  // instance id -> its tree
  let lastSaved = null;
  for (const instance of instances.filter((i) => i.getAttribute("id") && i !== primaryInstance)) {
    const id = instance.getAttribute("id");
    const src = instance.getAttribute("src");
    const file = /^jr:\/\/file(-csv)?\/([\w.-]+\.(csv|xml|geojson))$/.exec(src || "");
    const list = !src && choiceList(instance, id, translations);
    if (list) { lists[id] = list; inline[id] = fromInstanceElement(instance); }
    else if (!src) media[`${id}.xml`] = fromInstanceElement(instance);
    else if (src === "jr://instance/last-saved") lastSaved = id;
    else if (!file || !(file[2] in attachments)) unsupported.push(`secondary instance ${src}`);
    else {
      media[`${id}.${file[3]}`] = attachments[file[2]];
      files[id] = `${id}.${file[3]}`;
    }
  }
  // pyxform's name for the last-saved instance, wherever the form names it.
  const named = (text) => (lastSaved && text
    ? text.replace(new RegExp(`instance\\(\\s*(['"])${lastSaved.replace(/[^\w]/g, "\\$&")}\\1\\s*\\)`, "g"), "instance('__last-saved')") : text);
  const binds = new Map();
  for (const bind of descendants(model).filter((e) => local(e) === "bind")) {
    const attrs = { type: (bind.getAttribute("type") || "string").replace(/^xsd:/, "") };
    for (const key of BIND_KEYS) {
      const value = key.includes(":") ? bind.getAttributeNS(key.startsWith("jr:") ? JR : null, key.split(":")[1])
        ?? bind.getAttribute(key) : bind.getAttribute(key);
      if (value != null) attrs[key] = named(value);
    }
    binds.set(resolveRef(bind.getAttribute("nodeset"), rootPath), attrs);
  }
  if (doc.getElementsByTagName("recordaudio").length || doc.getElementsByTagName("odk:recordaudio").length) {
    unsupported.push("action recordaudio");
  }
  // odk:setgeopoint, as pyxform writes it in its JSON: `actions` [{name, event}] on the question.
  // Outside ODK's namespace JavaRosa rejects the form (ODK Web Forms ignores the action).
  const geoActions = new Map();
  for (const el of descendants(doc).filter((e) => local(e) === "setgeopoint")) {
    if (el.namespaceURI !== ODK) { unsupported.push("action setgeopoint outside the ODK namespace (ODK Collect rejects the form)"); continue; }
    const parent = el.parentNode;
    const context = local(parent) === "model" ? rootPath
      : resolveRef(parent.getAttribute("ref") || parent.getAttribute("nodeset"), rootPath);
    const target = resolveRef(el.getAttribute("ref"), context);
    const events = (el.getAttribute("event") || "").split(/\s+/).filter(Boolean);
    geoActions.set(target, { events, trigger: events.includes("xforms-value-changed") ? context : null });
  }
  // setvalue actions, in the shape pyxform gives them in its JSON: a value set when the form is
  // made (odk-instance-first-load) or a repeat entry added (odk-new-repeat) is the question's
  // `default` (an expression in parentheses, a literal as is); one set when another question
  // changes (xforms-value-changed) is the question's `trigger` with the value as its calculation.
  const bindIds = new Map(descendants(model).filter((e) => local(e) === "bind" && e.getAttribute("id"))
    .map((e) => [e.getAttribute("id"), resolveRef(e.getAttribute("nodeset"), rootPath)]));
  const actions = new Map();
  for (const el of descendants(doc).filter((e) => local(e) === "setvalue")) {
    const parent = el.parentNode;
    const context = local(parent) === "model" ? rootPath
      : resolveRef(parent.getAttribute("ref") || parent.getAttribute("nodeset"), rootPath);
    const target = el.getAttribute("bind") ? bindIds.get(el.getAttribute("bind")) : resolveRef(el.getAttribute("ref"), context);
    const value = named(el.getAttribute("value"));
    const set = value != null ? `(${value})` : el.textContent;
    const events = (el.getAttribute("event") || "").split(/\s+/).filter(Boolean);
    const known = events.filter((e) => ["odk-instance-first-load", "odk-new-repeat", "xforms-value-changed"].includes(e));
    if (known.length !== events.length || !target) { unsupported.push(`action setvalue on ${events.join(" ")}`); continue; }
    // Not ODK XForms: JavaRosa and ODK Web Forms both reject the form.
    if (local(parent) === "model" && events.includes("odk-new-repeat")) { unsupported.push("setvalue on odk-new-repeat in the model (ODK rejects the form)"); continue; }
    if (geoActions.has(target)) { unsupported.push("setvalue and setgeopoint on one question"); continue; }
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
    // instance('id')/a/b/item[filter]: the items the steps reach (a filter on the last step
    // only, the choice filter); each item's children are the choice's columns.
    let nodeset = named(itemset.getAttribute("nodeset").trim());
    // pyxform's randomize=true [seed=...] parameters: randomize(nodeset[, seed]).
    const shuffle = {};
    if (/^randomize\(.*\)$/s.test(nodeset)) {
      const inner = nodeset.slice("randomize(".length, -1);
      const comma = topLevelComma(inner);
      shuffle.randomize = "true";
      if (comma >= 0) shuffle.seed = inner.slice(comma + 1).trim();
      nodeset = (comma >= 0 ? inner.slice(0, comma) : inner).trim();
    }
    const m = /^instance\(\s*'([^']+)'\s*\)((?:\/[\w.-]+)+?)(?:\[(.*)\])?$/s.exec(nodeset);
    if (!m) return { choices: [], unsupported: `itemset ${nodeset}` };
    const valueRef = (elements(itemset).find((e) => local(e) === "value") || itemset).getAttribute("ref") || "name";
    const labelEl = elements(itemset).find((e) => local(e) === "label");
    const labelRef = labelEl ? labelEl.getAttribute("ref") : "label";
    const [id, path, filter] = [m[1], m[2].split("/").filter(Boolean), m[3] || null];
    // A select from a file, as pyxform writes select_one_from_file: the app reads the file.
    const file = files[id];
    const geo = /\.geojson$/.test(file || "");
    if (file && !/\.csv$/.test(file) && path.join("/") === "root/item" && /^[\w.-]+$/.test(labelRef)) {
      const parameters = { ...shuffle };
      if (valueRef !== (geo ? "id" : "name")) parameters.value = valueRef;
      if (labelRef !== (geo ? "title" : "label")) parameters.label = labelRef;
      return { itemset: file, parameters, choice_filter: filter };
    }
    // A select of a choice list, as pyxform writes it: the list's choices.
    if (lists[id] && path.join("/") === "root/item" && valueRef === "name" &&
        labelRef === (requiresItext(lists[id]) ? "jr:itext(itextId)" : "label")) {
      return { choices: lists[id], choice_filter: filter, parameters: shuffle };
    }
    let nodes = [];
    if (inline[id]) {
      nodes = [inline[id]];
      for (const step of path) nodes = nodes.flatMap((n) => kids(n).filter((k) => k.name === step));
    } else if (media[`${id}.csv`] && path.join("/") === "root/item") {
      nodes = media[`${id}.csv`].map((row) => ({ name: "item", row }));
    } else if (media[`${id}.xml`] && typeof media[`${id}.xml`] === "object") {
      nodes = [media[`${id}.xml`]];
      for (const step of path) nodes = nodes.flatMap((n) => kids(n).filter((k) => k.name === step));
    } else {
      return { choices: [], unsupported: `itemset ${nodeset}` };
    }
    const rows = nodes.map((n) => Object.fromEntries(kids(n).map((k) => [k.name, value(k)])));
    const choices = rows.map((row) => {
      const translated = /jr:itext\(\s*([\w.-]+)\s*\)/.exec(labelRef);
      const label = translated ? itext[row[translated[1]]] ?? "" : row[labelRef] ?? "";
      return { ...row, name: row[valueRef] ?? "", label };
    });
    return { choices, choice_filter: filter, parameters: shuffle };
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
      const fixed = repeat.getAttributeNS(JR, "noAddRemove") || repeat.getAttribute("jr:noAddRemove");
      if (fixed) {
        raw.control["jr:noAddRemove"] = fixed;
        // The entries the form starts with (pyxform's forms: one).
        raw.default_entries = elements(el.parentNode).filter((e) => local(e) === name &&
          !(e.hasAttributeNS(JR, "template") || e.hasAttribute("jr:template"))).length;
      }
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
      // In a repeat, pyxform's default is "odk-instance-first-load odk-new-repeat"; the app makes
      // no entry at load, so odk-new-repeat alone is the same.
      if (bind.calculate || (inRepeat && !entry) || (!inRepeat && entry)) {
        raw.unsupported = `action setvalue on ${action.events.join(" ")}${bind.calculate ? " with a calculation" : ""}`;
      } else if (load || entry) {
        raw.default = action.set;
      }
      if (action.trigger) {
        raw.trigger = action.trigger;
        raw.bind.calculate = action.value ?? `'${action.set}'`;
      }
    }
    const geo = geoActions.get(path);
    if (geo) {
      raw.actions = geo.events.map((event) => ({ name: "odk:setgeopoint", event }));
      const inRepeat = [...repeats.keys()].some((r) => path.startsWith(`${r}/`));
      if (geo.trigger) { raw.type = "background-geopoint"; raw.trigger = geo.trigger; return raw; }
      if (!control && !inRepeat && geo.events.join(" ") === "odk-instance-first-load") { raw.type = "start-geopoint"; return raw; }
      if (!inRepeat || geo.events.join(" ") !== "odk-new-repeat") raw.unsupported = `action setgeopoint on ${geo.events.join(" ")}`;
    }
    if (bind["jr:preload"]) {
      raw.type = PRELOADS[`${bind["jr:preload"]} ${bind["jr:preloadParams"] || ""}`] || "hidden";
      // The app makes the instanceID itself (model.js newInstance), as pyxform's forms ask; a
      // uid elsewhere is a fresh "uuid:..." too. A property the phone has no name for
      // (DeviceID) and a "context" preload are left blank, by ODK's engines as by the app.
      if (raw.type === "hidden" && !["uid", "property", "context"].includes(bind["jr:preload"])) {
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
      const { choices, choice_filter: filter, unsupported: why, itemset, parameters } = choicesOf(control.el);
      if (itemset) raw.itemset = itemset; else raw.choices = choices;
      if (parameters && Object.keys(parameters).length) raw.parameters = parameters;
      if (filter) raw.choice_filter = filter;
      if (why) raw.unsupported = why;
    } else if (control.kind === "input") {
      raw.type = INPUT_TYPES[bind.type] || (BIND_TYPES.has(bind.type) ? bind.type : "text");
      if (raw.type === "text" && /^(true\(\)|true)$/.test(bind.readonly || "") && !bind.calculate) raw.type = "note";
    } else if (control.kind === "upload") {
      const mediatype = control.el.getAttribute("mediatype") || "";
      raw.type = mediatype.startsWith("image") ? "image" : mediatype.startsWith("audio") ? "audio"
        : mediatype.startsWith("video") ? "video" : "file";
    } else {
      raw.type = { trigger: "acknowledge", range: "range", rank: "rank", "odk:rank": "rank" }[control.kind];
      if (raw.type === "range") {
        // As pyxform's JSON: the bounds are the question's parameters.
        raw.parameters = Object.fromEntries(["start", "end", "step"].filter((k) => control.el.hasAttribute(k))
          .map((k) => [k, control.el.getAttribute(k)]));
      }
    }
    return raw;
  };
  const def = { name: local(primary), type: "survey", id_string: primary.getAttribute("id"),
    version: primary.getAttribute("version") || "", children: distinct(elements(primary)).map((c) => node(c, `${rootPath}/${local(c)}`)) };
  if (Object.keys(lists).length) def.choices = lists;
  if (unsupported.length) def.unsupported = unsupported.join("; ");
  return { def, media, repeats: new Set(repeats.keys()), unsupported };
}
