// The form model: pyxform's JSON (exactly as the server builds it) turned into a tree of nodes,
// the answers of one report (nested like the XForm instance: groups are objects, repeats are
// arrays), and the XLSForm rules over them: relevant, required, constraint, calculation.
import { compile, dependencies, instanceReads, isoNow, itextArguments, references, referencedPaths, toBoolean, toNumber, toString } from "./xpath.js";
import { fromAnswers, fromAttachment, kids, rowsOf } from "./instances.js";
import { randomize } from "./odk_functions.js";
import { fromChoiceList, itextLabel, itextRefusal } from "./itext.js";

const SELECTS = { "select one": "one", "select all that apply": "many", "select one from file": "one",
  "select multiple": "many", "rank": "rank" };
const META = new Set(["start", "end", "today", "deviceid", "username", "phonenumber",
  "subscriberid", "simserial", "start-geopoint", "audit", "background-audio", "email",
  "background-geopoint"]);
const TRUE = new Set(["yes", "true", "true()", "1"]);

// A label in a language: labels are either plain text or {"Dari (prs)": "...", ...}.
export function text(value, lang) {
  if (value == null) return "";
  if (typeof value === "string") return value;
  const keys = Object.keys(value);
  const match = keys.find((k) => k === lang || k.endsWith(`(${lang})`));
  return value[match ?? (keys.includes("default") ? "default" : keys[0])] ?? "";
}

export function languages(def) {
  const found = new Set();
  const visit = (node) => {
    for (const key of ["label", "hint"]) {
      if (node[key] && typeof node[key] === "object") {
        Object.keys(node[key]).forEach((k) => { const m = /\(([\w-]+)\)\s*$/.exec(k); if (m) found.add(m[1]); });
      }
    }
    (node.children || []).forEach(visit);
  };
  visit(def);
  return [...found];
}

// What the app runs exactly as ODK Collect does (proven against ODK's engine on ODK's own test
// forms: tests/js/odk-conformance.test.mjs). Anything else is refused, never guessed; the server
// applies the same rules when a form is built or published (server/forms/app_support.py).
// Metadata the phone does not have (phone number, SIM serial, subscriber id) or that the app
// does not ask for (username, email) is left blank, as ODK Web Forms does without settings.
const TYPES = new Set(["text", "integer", "decimal", "date", "dateTime", "geopoint", "photo",
  "image", "note", "calculate", "hidden", "group", "repeat", "select one", "select all that apply",
  "select one from file", "select multiple from file", "start", "end", "today", "deviceid", "rank",
  "time", "range", "barcode", "geotrace", "geoshape", "acknowledge", "phonenumber", "email",
  "username", "simserial", "subscriberid", "start-geopoint", "background-geopoint",
  // Not questions: a form's XML or CSV attachment read with instance('name') (instances.js).
  "xml-external", "csv-external"]);
const EXTERNAL = { "xml-external": "xml", "csv-external": "csv" };
const APPEARANCES = new Set(["minimal", "autocomplete", "multiline", "field-list", "horizontal",
  "horizontal-compact", "compact", "likert", "quick", "no-calendar", "table-list", "label",
  "list-nolabel", "list",
  // A geopoint placed on a map in Collect: the app takes the phone's position; same value.
  "placement-map", "maps",
  // Drawn by render.js (widgets.js): the same answers, shown as Collect shows them.
  "vertical", "no-ticks", "picker", "rating", "month-year", "year", "numbers", "thousands-sep",
  "masked", "columns", "columns-pack", "no-buttons", "search", "map", "image-map", "draw"]);
// columns-3 ...; ex:org.app(...) (an app Collect launches; the app, like Collect without the app
// installed, takes the answer typed in).
const APPEARANCE_PATTERNS = [/^columns-\d+$/, /^ex:[\w.-]+(\(.*\))?$/s];
// Recordings and files are refused: they keep what the app cannot strip (an MP4's GPS and device
// atoms, a file's own metadata), and the server takes only photos, which it re-encodes.
const MEDIA = { audio: true, video: true, file: true, "background-audio": true };
const MEDIA_WHY = " (a recording or file keeps metadata, such as the place in a video, that the app cannot remove)";
const PARAMETERS = new Set(["max-pixels", "capture-accuracy", "warning-accuracy", "start", "end", "step",
  // select_one_from_file: the columns giving a choice's value and label.
  "value", "label",
  // randomize=true [seed=...]: the choices shuffled as JavaRosa does (odk_functions.js).
  "randomize", "seed"]);

// An appearance's words; a call with arguments (search('list', 'matches', ...)) is one word.
export function appearanceWords(value) {
  const words = [];
  let depth = 0, word = "";
  for (const c of String(value || "")) {
    if (/\s/.test(c) && !depth) { if (word) words.push(word); word = ""; continue; }
    if (c === "(") depth += 1;
    if (c === ")") depth = Math.max(0, depth - 1);
    word += c;
  }
  if (word) words.push(word);
  return words;
}

// A range's start, end and step (pyxform writes them as parameters; 1, 10, 1 when not given).
export function rangeBounds(node) {
  const p = { ...(node.control || {}), ...parameters(node.parameters) };
  const [start, end, step] = [p.start ?? "1", p.end ?? "10", p.step ?? "1"].map((v) => String(v).trim());
  const numbers = [start, end, step].map(Number);
  return { start: numbers[0], end: numbers[1], step: numbers[2],
    decimal: [start, end, step].some((v) => /[.eE]/.test(v)),
    valid: [start, end, step].every((v) => /^-?(\d+(\.\d*)?|\.\d+)$/.test(v)) };
}

// A form's attachments (select_one_from_file, csv-external, xml-external), read as secondary
// instances (instances.js); pyxform names the last saved report's instance "__last-saved".
const ATTACHMENT = /\.(csv|xml|geojson)$/i;
const LAST_SAVED = "__last-saved";
const LAST_SAVED_REF = /^last-saved#/;

// pyxform writes a question's parameters as written in the XLSForm: "max-pixels=2048 seed=1".
function parameters(value) {
  if (!value) return {};
  if (typeof value === "object") return value;
  return Object.fromEntries(String(value).split(/[\s;,]+/).filter(Boolean).map((p) => p.split("=")));
}

// Media of a label or choice (pyxform: {image: {language: file}} or {image: file}): an image is
// drawn beside the label (render.js); audio, video and big-image are not played, so refused.
export const LABEL_MEDIA = new Set(["image"]);
function labelMediaRefusals(media, found) {
  if (!media) return;
  for (const kind of typeof media === "object" ? Object.keys(media) : ["(unknown)"]) {
    if (!LABEL_MEDIA.has(kind)) found.add(`media (${kind}) in labels`);
  }
}

export function unsupportedFeatures(def, media = {}) {
  const found = new Set();
  const files = new Set(Object.keys(media).map((n) => n.replace(ATTACHMENT, "")));
  files.add(LAST_SAVED);
  // A choice list is an instance too, as pyxform writes it (itext.js).
  Object.keys(def.choices || {}).forEach((list) => files.add(list));
  const visit = (node, top) => {
    const type = node.type || "";
    const bind = node.bind || {};
    const control = node.control || {};
    if (!top && !TYPES.has(type)) found.add(`question type ${type || "(none)"}${MEDIA[type] ? MEDIA_WHY : ""}`);
    if (typeof node.itemset === "string" && ATTACHMENT.test(node.itemset)) files.add(node.itemset.replace(ATTACHMENT, ""));
    const fixed = control["jr:noAddRemove"];
    if (fixed != null && !["true()", "true", "false()", "false"].includes(String(fixed).trim())) {
      found.add("repeat without add/remove by an expression");
    }
    for (const word of appearanceWords(control.appearance)) {
      if (!APPEARANCES.has(word) && !APPEARANCE_PATTERNS.some((p) => p.test(word))) {
        found.add(`appearance ${word.replace(/\(.*/s, "()")}`);
      }
    }
    if (type === "range" && !rangeBounds(node).valid) found.add("a range whose start, end or step is not a number");
    for (const key of Object.keys(parameters(node.parameters))) if (!PARAMETERS.has(key)) found.add(`parameter ${key}`);
    labelMediaRefusals(node.media, found);
    if (node.unsupported) found.add(node.unsupported);
    for (const key of ["relevant", "constraint", "calculate", "required"]) {
      for (const m of String(bind[key] || "").matchAll(/instance\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        if (!files.has(m[1])) found.add(`instance('${m[1]}')`);
      }
    }
    if (!SELECTS[type]) (node.children || []).forEach((child) => visit(child, false));
    if (!top && Array.isArray(node.choices)) node.choices.forEach((c) => labelMediaRefusals(c.media, found));
  };
  // Files first: an instance() may name a list used further down.
  const collect = (node) => {
    if (typeof node.itemset === "string" && ATTACHMENT.test(node.itemset)) files.add(node.itemset.replace(ATTACHMENT, ""));
    if (EXTERNAL[node.type]) files.add(node.name);
    (node.children || []).forEach(collect);
  };
  collect(def);
  visit(def, true);
  if (def.entity_features || def.entities) found.add("entities");
  for (const list of Object.values(def.choices || {})) {
    if (Array.isArray(list)) list.forEach((c) => labelMediaRefusals(c.media, found));
  }
  return [...found];
}

function expression(source, problems) {
  if (source == null || source === "") return null;
  if (TRUE.has(String(source).trim())) return () => true;
  if (["no", "false", "false()", "0"].includes(String(source).trim())) return () => false;
  try {
    return compile(source);
  } catch (error) {
    problems.push(error.message);
    return null;
  }
}

export class Form {
  constructor(def, media = {}) {
    this.def = def;
    this.unsupported = unsupportedFeatures(def, media);
    this.id = def.id_string || def.name;
    this.version = def.version || "";
    this.problems = [];
    this.nodes = [];
    this.byPath = new Map();
    this.media = media;
    this.memos = new WeakMap();
    this.lastSaved = new WeakMap();  // a report's answers -> the last-saved instance it reads
    this.docs = new Map();
    for (const [filename, content] of Object.entries(media)) {
      try {
        this.docs.set(filename.replace(ATTACHMENT, ""), fromAttachment(filename, content));
      } catch (error) {
        this.problems.push(`attachment ${filename} ${error.message}`);
      }
    }
    // The form's choice lists, as pyxform writes them (an attachment of the same name wins).
    for (const [list, choices] of Object.entries(def.choices || {})) {
      if (!this.docs.has(list) && Array.isArray(choices)) this.docs.set(list, fromChoiceList(list, choices));
    }
    this.root = this.#node(def, null);
    this.#itextIds();
    const names = new Set(this.nodes.map((n) => n.name));
    for (const node of this.nodes) {
      for (const source of [node.bind.relevant, node.bind.constraint, node.bind.calculate, node.choiceFilter]) {
        if (!source) continue;
        for (const name of safeRefs(source)) {
          if (!names.has(name.replace(LAST_SAVED_REF, ""))) this.problems.push(`\${${name}} is not a field of the form`);
        }
      }
    }
    this.#cycles();
    this.#selfCounting();
    // Where ODK's two engines part, the app runs the form as ODK Collect (JavaRosa) does; the
    // conformance harness compares such a form with JavaRosa's submission (tests/js/odk/javarosa.mjs).
    this.disagreements = [];
    this.#missingChildren();
    // An absolute path to a question of the repeat the asking question is in: JavaRosa reads it
    // in the asking entry (as the app: its scope), ODK Web Forms as the first entry's.
    for (const node of this.nodes) {
      const repeats = node.ancestors.filter((a) => a.kind === "repeat");
      if (!repeats.length) continue;
      for (const source of [node.bind.relevant, node.bind.constraint, node.bind.calculate, node.bind.required,
        node.bind.readonly, node.choiceFilter]) {
        if (!source) continue;
        let refs = [];
        try { refs = referencedPaths(source); } catch (e) { continue; }
        for (const ref of refs) {
          if (!ref.absolute || ref.indexed) continue;
          const target = this.resolve(node, ref.steps, true);
          if (target && repeats.some((r) => target.ancestors.includes(r))) {
            this.disagreements.push(`an absolute path into its own repeat (/${ref.steps.join("/")})`);
          }
        }
      }
    }
  }

  // jr:itext(id): only ids the app can know from pyxform's JSON (itext.js); any other refused.
  #itextIds() {
    const question = (path) => this.byPath.get(path)?.raw;
    for (const node of this.nodes) {
      for (const source of [node.bind.relevant, node.bind.constraint, node.bind.calculate, node.bind.required,
        node.bind.readonly, node.raw.default, node.choiceFilter]) {
        if (!source || !String(source).includes("jr:itext")) continue;
        let calls;
        try { calls = itextArguments(String(source)); } catch (e) { continue; }
        for (const argument of calls) {
          const why = itextRefusal(this.def, argument, question, this.media);
          if (why) this.problems.push(`${why} (${source})`);
        }
      }
    }
  }

  // The text of an itext id in the form's language; a language a translated label lacks is
  // pyxform's "-".
  #itext(id) {
    const { label } = itextLabel(this.def, id, (path) => this.byPath.get(path)?.raw);
    if (!label) return "";
    const lang = this.language;
    if (lang && !Object.keys(label).some((k) => k === lang || k.endsWith(`(${lang})`)) &&
        languages(this.def).includes(lang)) return "-";
    return text(label, lang);
  }

  // A calculation that needs its own value, directly or through others: JavaRosa refuses the
  // form ("cycle detected"), ODK Web Forms fails on one that never settles; the app refuses it.
  #cycles() {
    const needs = new Map();
    for (const node of this.nodes) {
      if (!node.calculate || !node.bind.calculate) continue;
      let refs = [];
      try { refs = referencedPaths(node.bind.calculate); } catch (e) { continue; }
      needs.set(node, refs.map((r) => (r.name ? this.named(r.name, node) : this.resolve(node, r.steps, r.absolute)))
        .filter(Boolean));
    }
    const state = new Map();
    const visit = (node) => {
      if (state.get(node) === 1) return true;
      if (state.get(node) === 2) return false;
      state.set(node, 1);
      const cyclic = (needs.get(node) || []).some(visit);
      state.set(node, 2);
      return cyclic;
    };
    for (const node of needs.keys()) {
      if (visit(node)) { this.problems.push(`a calculation that depends on itself (${node.path})`); return; }
    }
  }

  // A repeat whose count (jr:count) reads its own entries, directly or through calculations
  // (count() of it, a question in it): Collect adds such entries one at a time as the monitor
  // steps on to the next, ODK Web Forms does not settle, the app (all entries on one page) would
  // add them at once. Refused.
  #selfCounting() {
    const reads = (source, from) => {
      let refs = [];
      try { refs = referencedPaths(source); } catch (e) { return []; }
      return refs.map((r) => (r.name ? this.named(r.name, from) : this.resolve(from, r.steps, r.absolute))).filter(Boolean);
    };
    for (const repeat of this.nodes) {
      const source = repeat.kind === "repeat" && repeat.count && ((repeat.raw.control || {})["jr:count"] ?? repeat.raw.repeat_count);
      if (typeof source !== "string") continue;
      const seen = new Set();
      const queue = reads(source, repeat);
      while (queue.length) {
        const node = queue.pop();
        if (seen.has(node)) continue;
        seen.add(node);
        if (node === repeat || node.ancestors.includes(repeat)) {
          this.problems.push(`a repeat count that reads the repeat's own entries (${repeat.path})`);
          break;
        }
        if (node.calculate && node.bind.calculate) queue.push(...reads(node.bind.calculate, node));
      }
    }
  }

  // A choice filter or an instance('id')/path[predicate] reading a child that some items of an
  // XML or GeoJSON file lack: JavaRosa (Collect) reads it as '', ODK Web Forms as nothing, so
  // the two offer different choices; the app reads '', as Collect. (A CSV file's rows have
  // every column.)
  #missingChildren() {
    const lacking = (nodes, names) => names.find((name) => nodes.some((n) => !n.row && !kids(n).some((k) => k.name === name)));
    for (const node of this.nodes) {
      const sources = [node.bind.relevant, node.bind.constraint, node.bind.calculate, node.bind.required,
        node.bind.readonly, node.raw.default, node.choiceFilter].filter((s) => s && /[[]/.test(String(s)));
      for (const source of sources) {
        let reads;
        try { reads = instanceReads(String(source)); } catch (e) { continue; }
        for (const { id, steps, names } of reads.paths) {
          let nodes = this.docs.has(id) ? [this.docs.get(id)] : [];
          for (const step of steps) nodes = nodes.flatMap((n) => kids(n).filter((k) => k.name === step));
          const name = lacking(nodes, names);
          if (name) this.disagreements.push(`a filter on ${name}, which some items of ${id} lack (${source})`);
        }
      }
      const file = typeof node.raw.itemset === "string" && /\.(xml|geojson)$/i.test(node.raw.itemset) && node.choiceFilter;
      if (file) {
        let reads;
        try { reads = instanceReads(String(node.choiceFilter)); } catch (e) { continue; }
        const doc = this.docs.get(node.raw.itemset.replace(ATTACHMENT, ""));
        const root = kids(doc).find((n) => n.name === "root");
        const name = lacking(kids(root).filter((n) => n.name === "item"), reads.bare);
        if (name) this.disagreements.push(`a choice filter on ${name}, which some items of ${node.raw.itemset} lack`);
      }
    }
  }

  // Everything that keeps the app from running the form exactly as ODK Collect would: it is
  // not opened (render.js), not guessed at.
  get refusals() {
    return [...new Set([...this.unsupported, ...this.problems])];
  }

  #node(raw, parent) {
    const type = raw.type || "";
    const bind = raw.bind || {};
    const node = {
      raw, type, name: raw.name, parent, bind,
      kind: raw === this.def ? "root" : type === "group" ? "group" : type === "repeat" ? "repeat"
        : META.has(type) ? "meta" : "field",
      label: raw.label, hint: raw.hint, parameters: parameters(raw.parameters),
      appearance: (raw.control && raw.control.appearance) || "",
      select: SELECTS[type] || null,
      hidden: type === "calculate" || type === "hidden" || Boolean(raw.control && raw.control.bodyless),
      relevant: expression(bind.relevant, this.problems),
      required: expression(bind.required, this.problems),
      constraint: expression(bind.constraint, this.problems),
      // With a trigger, the calculation is not one: it is the value set when the trigger changes.
      calculate: raw.trigger ? null : expression(bind.calculate, this.problems),
      setOnChange: raw.trigger ? expression(bind.calculate || "''", this.problems) : null,
      trigger: raw.trigger || null,
      inputs: bind.calculate && !raw.trigger ? safeDependencies(bind.calculate) : null,
      readonly: expression(bind.readonly, this.problems),
      count: type === "repeat" ? expression((raw.control || {})["jr:count"] ?? raw.repeat_count, this.problems) : null,
      choiceFilter: raw.choice_filter || null,
      filter: expression(raw.choice_filter, this.problems),
      seed: expression(parameters(raw.parameters).seed, this.problems),
      children: [],
    };
    // A repeat without add/remove (jr:noAddRemove): as ODK, as many entries as the form starts
    // with (pyxform's forms: one), fixed.
    if (type === "repeat" && !node.count && /^true(\(\))?$/.test(String((raw.control || {})["jr:noAddRemove"] ?? "").trim())) {
      const entries = Math.max(Number(raw.default_entries) || 1, 1);
      node.count = () => entries;
      node.fixed = true;
    }
    // odk:setgeopoint: pyxform's start-geopoint (when the form is made), background-geopoint
    // (when its trigger changes), or a question's actions.
    node.geopointOn = type === "background-geopoint" ? ["xforms-value-changed"]
      : (raw.actions || []).filter((a) => a.name === "odk:setgeopoint").map((a) => a.event);
    if (type === "start-geopoint" && !node.geopointOn.length) node.geopointOn = ["odk-instance-first-load"];
    node.ancestors = parent && parent.kind !== "root" ? [...parent.ancestors, parent] : [];
    node.path = parent ? `${parent.path}/${node.name}` : `/${node.name}`;
    if (node.kind !== "root") {
      this.nodes.push(node);
      this.byPath.set(node.path, node);
    }
    if (node.select) node.choices = this.#choices(raw);
    else if (raw.children) node.children = raw.children.filter((c) => !EXTERNAL[c.type]).map((c) => this.#node(c, node));
    return node;
  }

  #choices(raw) {
    // A file's root/item: a CSV's rows, an XML file's items, a GeoJSON file's features (whose
    // value and label pyxform reads from id and title); the value= and label= parameters name
    // other columns.
    if (typeof raw.itemset === "string" && ATTACHMENT.test(raw.itemset)) {
      const geo = /\.geojson$/i.test(raw.itemset);
      const { value = geo ? "id" : "name", label = geo ? "title" : "label" } = parameters(raw.parameters);
      const rows = /\.csv$/i.test(raw.itemset) ? this.media[raw.itemset] || []
        : rowsOf(this.docs.get(raw.itemset.replace(ATTACHMENT, "")));
      return rows.map((row) => choiceFromRow(row, value, label));
    }
    return raw.choices || raw.children || (this.def.choices || {})[raw.itemset] || [];
  }

  get fields() {
    return this.nodes;
  }

  // ${name}: names are unique where referenced (pyxform checks); if a name is used twice, the
  // one sharing most groups with the asking node wins.
  named(name, from) {
    let best = null, shared = -1;
    for (const node of this.nodes) {
      if (node.name !== name) continue;
      const common = node.ancestors.filter((a) => from && from.ancestors.includes(a)).length;
      if (common > shared) { best = node; shared = common; }
    }
    return best;
  }

  // ---- answers -----------------------------------------------------------------------------
  // lastSaved: the answers of the last report saved with this form (or null), read by
  // ${last-saved#name} and instance('__last-saved') from the first default on.
  newInstance(reportId, lastSaved = null) {
    const instance = {};
    if (lastSaved) this.useLastSaved(instance, lastSaved);
    const now = isoNow();
    for (const node of this.fields) {
      if (node.ancestors.some((a) => a.kind === "repeat")) continue;
      if (node.type === "start") this.set(instance, node, {}, now);
      else if (node.type === "today") this.set(instance, node, {}, now.slice(0, 10));
      else if (node.type === "deviceid") this.set(instance, node, {}, "nezarat-pwa");
      else if (node.name === "instanceID") this.set(instance, node, {}, "uuid:" + reportId);
      else if (node.bind["jr:preload"] === "uid") this.set(instance, node, {}, "uuid:" + crypto.randomUUID());
      else if (node.geopointOn.includes("odk-instance-first-load")) this.#locate(instance, node, {});
      else if (node.kind === "field" && node.raw.default != null) {
        this.set(instance, node, {}, this.defaultValue(instance, node, {}));
      }
    }
    return instance;
  }

  newRepeatEntry(instance, repeat, scope) {
    const entries = (this.get(instance, repeat, scope));
    const index = entries.length;
    this.set(instance, repeat, scope, [...entries, {}]);
    const inner = { ...scope, [repeat.name]: index };
    this.walk(instance, (node, s) => {
      if (node.kind === "field" && node.raw.default != null && s[repeat.name] === index) {
        this.set(instance, node, s, this.defaultValue(instance, node, s));
      }
      if (node.geopointOn.includes("odk-new-repeat") && s[repeat.name] === index) this.#locate(instance, node, s);
    }, repeat, inner);
  }

  // odk:setgeopoint (start-geopoint, background-geopoint): the phone's position, from
  // `this.locate` (the app's: the browser's geolocation; a promise or a value), left blank when
  // there is none, as ODK does without a position. The entry it belongs to is kept, so a
  // position that comes late lands where it was asked for.
  #locate(instance, node, scope) {
    if (!this.locate) return;
    const entry = this.#memo(instance, node, scope);
    const put = (value) => {
      if (value == null || !entry) return;
      entry.located = String(value);
      this.set(instance, node, scope, String(value));
      if (this.onLocated) this.onLocated(node, scope);
    };
    let found;
    try { found = this.locate(); } catch (e) { return; }
    if (found && typeof found.then === "function") found.then(put, () => {});
    else put(found);
  }

  // A default is a literal ("0"), or an expression evaluated once, on creation ("now()").
  defaultValue(instance, node, scope) {
    const source = String(node.raw.default);
    if (!/[($]/.test(source)) return typedDefault(node, source);
    try { return toString(compile(source)(this.context(instance, node, scope))); } catch (e) { return ""; }
  }

  finish(instance) {
    for (const node of this.fields) {
      if (node.type === "end" && !node.ancestors.length) this.set(instance, node, {}, isoNow());
    }
  }

  // scope: {repeatName: index} for the repeats the node sits in.
  get(instance, node, scope = {}) {
    let objects = [instance];
    let many = false;
    for (const ancestor of node.ancestors) {
      if (ancestor.kind === "repeat") {
        const index = scope[ancestor.name];
        objects = objects.flatMap((o) => {
          const list = o[ancestor.name] || [];
          if (index === undefined) { many = true; return list; }
          return list[index] ? [list[index]] : [];
        });
      } else {
        objects = objects.map((o) => o[ancestor.name] || {});
      }
    }
    if (node.kind === "repeat") return objects.flatMap((o) => o[node.name] || []);
    const values = objects.map((o) => (o[node.name] == null ? "" : o[node.name]));
    return many ? values : values[0] ?? "";
  }

  set(instance, node, scope, value) {
    let target = instance;
    for (const ancestor of node.ancestors) {
      if (ancestor.kind === "repeat") {
        target = (target[ancestor.name] ||= [])[scope[ancestor.name]];
      } else {
        target = (target[ancestor.name] ||= {});
      }
      if (!target) return;
    }
    target[node.name] = value;
  }

  context(instance, node, scope, choice = null) {
    return {
      ref: (name) => {
        if (LAST_SAVED_REF.test(name)) return this.#lastSavedValue(instance, name.replace(LAST_SAVED_REF, ""), node);
        const target = this.named(name, node);
        return target ? this.get(instance, target, scope) : "";
      },
      current: () => this.get(instance, node, scope),
      path: (steps, absolute) => {
        const target = this.resolve(node, steps, absolute);
        return target ? this.get(instance, target, scope) : "";
      },
      position: (steps, absolute) => {
        const target = this.resolve(node, steps, absolute);
        if (!target) return NaN;
        return target.kind === "repeat" ? (scope[target.name] ?? 0) + 1 : 1;
      },
      // indexed-repeat(): the question read in the entries the (repeat, position) pairs name.
      indexed: (target, pairs) => {
        const nodeOf = (arg) => (arg.k === "ref" ? this.named(arg.name, node) : this.resolve(node, arg.steps, arg.absolute));
        const question = nodeOf(target);
        if (!question) return [];
        const at = {};  // only the pairs: a repeat left unnamed gives all its entries' values
        for (const { repeat, index } of pairs) {
          const entries = nodeOf(repeat);
          if (!entries || entries.kind !== "repeat" || !question.ancestors.includes(entries) ||
              !Number.isInteger(index) || index < 1) return [];
          at[entries.name] = index - 1;
        }
        for (const { repeat } of pairs) {
          const entries = nodeOf(repeat);
          if (this.get(instance, entries, at).length < at[entries.name] + 1) return [];
        }
        const value = this.get(instance, question, at);
        return Array.isArray(value) ? value : [value];
      },
      instance: (id) => (id === LAST_SAVED ? this.lastSaved.get(instance) || fromAnswers(this.root.name, null) : this.docs.get(id)),
      choiceName: (value, ref) => {
        const source = ref.trim();
        const name = /^\$\{([^}]+)\}$/.exec(source);
        const steps = source.split("/").filter(Boolean);
        const target = name ? this.named(name[1], node) : this.resolve(node, source.startsWith("/") ? ["", ...steps] : steps, source.startsWith("/"));
        if (!target || !target.select || !value) return "";
        const choice = this.choicesFor(instance, target, scope).find((c) => c.name === value);
        return choice ? text(choice.label, this.language) : "";
      },
      itext: (id) => this.#itext(id),
      bare: choice ? (name) => choice.columns[name] ?? (name === "name" ? choice.name : "") : null,
    };
  }

  // The answers of the last report saved with this form on the phone (Collect's last-saved
  // instance), for the report being filled: none for the first.
  get readsLastSaved() {
    const text = JSON.stringify(this.def);
    return text.includes("${last-saved#") || text.includes(LAST_SAVED);
  }

  useLastSaved(instance, answers) {
    this.lastSaved.set(instance, fromAnswers(this.root.name, answers));
  }

  // ${last-saved#name}: that question's answer in the last saved report (pyxform reads it as
  // instance('__last-saved') and the question's absolute path).
  #lastSavedValue(instance, name, from) {
    const target = this.named(name, from);
    const doc = this.lastSaved.get(instance);
    if (!target || !doc) return "";
    let nodes = [doc];
    for (const step of [this.root.name, ...target.ancestors.map((a) => a.name), target.name]) {
      nodes = nodes.flatMap((n) => (n.children || []).filter((k) => k.name === step));
    }
    return nodes.length ? (nodes[0].text ?? "") : "";
  }

  // "../girls" from a field, or "/nezarat_visit/people/girls".
  resolve(node, steps, absolute) {
    let current = absolute ? this.root : node;
    for (const step of absolute ? steps.slice(1) : steps) {
      if (step === "..") current = current.parent;
      else if (step !== ".") current = current && current.children.find((c) => c.name === step);
      if (!current) return null;
    }
    return current;
  }

  isRelevant(instance, node, scope = {}) {
    for (let n = node; n && n.kind !== "root"; n = n.parent) {
      if (n.relevant && !toBoolean(n.relevant(this.context(instance, n, scope)))) return false;
    }
    return true;
  }

  // Read-only by its own rule or a group's it sits in (as ODK: readonly is inherited).
  isReadonly(instance, node, scope = {}) {
    for (let n = node; n && n.kind !== "root"; n = n.parent) {
      if (n.readonly && toBoolean(n.readonly(this.context(instance, n, scope)))) return true;
    }
    return false;
  }

  isRequired(instance, node, scope) {
    return Boolean(node.required && toBoolean(node.required(this.context(instance, node, scope))));
  }

  choicesFor(instance, node, scope) {
    const offered = !node.filter ? node.choices : node.choices.filter((choice) =>
      toBoolean(node.filter(this.context(instance, node, scope, normaliseChoice(choice)))));
    return node.parameters.randomize === "true" ? this.#shuffled(instance, node, scope, offered) : offered;
  }

  // randomize=true: the choices offered, shuffled as ODK does (JavaRosa's generator from the
  // seed); without a seed, from one drawn at random for this question of this report, so that
  // the order does not change while the monitor fills it.
  #shuffled(instance, node, scope, offered) {
    let seed;
    if (node.seed) seed = node.seed(this.context(instance, node, scope));
    else {
      const memo = this.#memo(instance, node, scope) || {};
      seed = memo.shuffle ??= Math.floor(Math.random() * 2147483646) + 1;
    }
    return randomize(offered, seed);
  }

  // Visit every node with a concrete scope, expanding repeats into their entries.
  walk(instance, visit, node = this.root, scope = {}) {
    for (const child of node.children) {
      if (child.kind === "repeat") {
        visit(child, scope);
        const entries = this.get(instance, child, scope);
        entries.forEach((_, index) => this.walk(instance, visit, child, { ...scope, [child.name]: index }));
      } else {
        visit(child, scope);
        if (child.kind === "group") this.walk(instance, visit, child, scope);
      }
    }
  }

  // Calculations, as ODK runs them: a calculation is evaluated when the form (or its repeat
  // entry) is made and again only when a value it names changes. So an answer the monitor gives
  // to a calculated question stands until one of the calculation's inputs changes.
  calculate(instance) {
    for (let pass = 0; pass < 2; pass += 1) {  // a second pass settles calculations that use others
      this.walk(instance, (node, scope) => {
        if (node.count) this.#count(instance, node, scope);
        if (node.trigger && pass === 0) this.#trigger(instance, node, scope);
        if (node.select === "rank" && node.filter) this.#rerank(instance, node, scope);
        if (node.calculate && node.kind === "field") {
          const context = this.context(instance, node, scope);
          const memo = this.#memo(instance, node, scope);
          if (!memo) return;
          let inputs;
          try { inputs = JSON.stringify(node.inputs(context)); } catch (e) { inputs = "?"; }
          if (memo.runs && memo.inputs === inputs) return;
          let value;
          try { value = toString(node.calculate(context)); } catch (e) { value = ""; }
          memo.inputs = inputs;
          memo.runs = (memo.runs || 0) + 1;
          this.set(instance, node, scope, value === "NaN" ? "" : value);
        }
      });
    }
  }

  // repeat_count (jr:count), as ODK: the repeat has as many entries as the count says, added
  // at the end or removed from the end; a negative count is none, a blank or non-number one
  // leaves the entries as they are.
  #count(instance, node, scope) {
    let wanted;
    try { wanted = toNumber(node.count(this.context(instance, node, scope))); } catch (e) { wanted = NaN; }
    if (Number.isNaN(wanted)) return;
    wanted = Math.max(0, Math.trunc(wanted));
    const entries = this.get(instance, node, scope);
    if (entries.length > wanted) this.set(instance, node, scope, entries.slice(0, wanted));
    for (let n = entries.length; n < wanted; n += 1) this.newRepeatEntry(instance, node, scope);
  }

  // trigger (pyxform's setvalue on xforms-value-changed): when the question it names takes a
  // new value, this one is set to its calculation, once; otherwise it keeps what it has.
  #trigger(instance, node, scope) {
    // pyxform's JSON names the trigger as a list (["q"]); an XForm path or ${q} also reads.
    const written = String(Array.isArray(node.trigger) ? node.trigger[0] : node.trigger).trim();
    const name = /^\$\{([^}]+)\}$/.exec(written) || (/^[\w.-]+$/.exec(written) ? [written, written] : null);
    const source = name ? this.named(name[1], node) : this.byPath.get(written);
    const memo = this.#memo(instance, node, scope);
    if (!source || !memo) return;
    const seen = toString(this.get(instance, source, scope));
    if (memo.trigger !== undefined && memo.trigger !== seen && node.geopointOn.includes("xforms-value-changed")) {
      this.#locate(instance, node, scope);
    } else if (memo.trigger !== undefined && memo.trigger !== seen) {
      let value;
      try { value = toString(node.setOnChange(this.context(instance, node, scope))); } catch (e) { value = ""; }
      this.set(instance, node, scope, value === "NaN" ? "" : value);
      memo.runs = (memo.runs || 0) + 1;
    }
    memo.trigger = seen;
  }

  // A ranked answer whose choices a filter changes, as ODK: what is no longer offered leaves the
  // order, what is newly offered joins it at the end; a blank rank stays blank.
  #rerank(instance, node, scope) {
    const value = toString(this.get(instance, node, scope)).split(/\s+/).filter(Boolean);
    if (!value.length) return;
    const offered = this.choicesFor(instance, node, scope).map((c) => c.name);
    const kept = value.filter((n) => offered.includes(n));
    const order = [...new Set([...kept, ...offered])].join(" ");
    if (order !== value.join(" ")) this.set(instance, node, scope, order);
  }

  // How many times this calculation has run (the renderer redraws its answer when it has).
  calculations(instance, node, scope) {
    return (this.#memo(instance, node, scope) || {}).runs || 0;
  }

  // What a calculation last saw, kept with the object holding its answer (a repeat entry keeps
  // its own when an earlier entry is removed).
  #memo(instance, node, scope) {
    let target = instance;
    for (const ancestor of node.ancestors) {
      target = ancestor.kind === "repeat" ? (target[ancestor.name] || [])[scope[ancestor.name]] : (target[ancestor.name] ||= {});
      if (!target) return null;
    }
    if (!this.memos.has(target)) this.memos.set(target, new Map());
    const memos = this.memos.get(target);
    if (!memos.has(node.name)) memos.set(node.name, {});
    return memos.get(node.name);
  }

  // null when the answer is acceptable, else {rule, message}.
  check(instance, node, scope, lang) {
    if (node.kind !== "field" || node.hidden || !this.isRelevant(instance, node, scope)) return null;
    const value = toString(this.get(instance, node, scope)).trim();
    if (!value) {
      return this.isRequired(instance, node, scope)
        ? { rule: "required", message: text(node.bind["jr:requiredMsg"], lang) } : null;
    }
    if (node.type === "integer" && !/^-?\d+$/.test(value)) return { rule: "integer" };
    if (node.type === "decimal" && !/^-?(\d+(\.\d*)?|\.\d+)$/.test(value)) return { rule: "decimal" };
    if (node.type === "range" && !/^-?(\d+(\.\d*)?|\.\d+)$/.test(value)) return { rule: "decimal" };
    if (node.constraint && !toBoolean(node.constraint(this.context(instance, node, scope)))) {
      return { rule: "constraint", message: text(node.bind["jr:constraintMsg"], lang) };
    }
    return null;
  }

  errors(instance, lang) {
    const found = [];
    this.walk(instance, (node, scope) => {
      const problem = this.check(instance, node, scope, lang);
      if (problem) found.push({ node, scope, ...problem });
    });
    return found;
  }

  // The answers as submitted: non-relevant answers blanked, as ODK Collect does.
  relevantAnswers(instance) {
    const copy = JSON.parse(JSON.stringify(instance));
    this.walk(instance, (node, scope) => {
      if (node.kind === "field" || node.kind === "meta") {
        if (!this.isRelevant(instance, node, scope)) this.set(copy, node, scope, "");
      } else if (node.kind === "repeat" && !this.isRelevant(instance, node, scope)) {
        this.set(copy, node, scope, []);
      }
    });
    return copy;
  }
}

// A literal default read as its type, as ODK reads it: a date keeps its day ("2025-12-21T23:30"
// is "2025-12-21"), points are joined by ";" ("a; b" is "a;b").
function typedDefault(node, value) {
  if (node.type === "date" && /^\d{4}-\d{2}-\d{2}T/.test(value)) return value.slice(0, 10);
  if (["geopoint", "geotrace", "geoshape"].includes(node.type)) {
    return value.split(";").map((p) => p.trim().split(/\s+/).join(" ")).filter(Boolean).join(";");
  }
  return value;
}

function safeDependencies(source) {
  try { return dependencies(source); } catch (e) { return () => []; }
}

function safeRefs(source) {
  try { return references(source); } catch (e) { return []; }
}

// A row of a choices CSV (name, label::English (en), ..., other columns for choice_filter).
function choiceFromRow(row, valueKey = "name", labelKey = "label") {
  const label = {};
  for (const [column, value] of Object.entries(row)) {
    if (column.startsWith(`${labelKey}::`)) label[column.slice(labelKey.length + 2)] = value;
  }
  return { name: row[valueKey] ?? "", label: Object.keys(label).length ? label : row[labelKey] || row[valueKey] || "", columns: row };
}

function normaliseChoice(choice) {
  return choice.columns ? choice : { ...choice, columns: { ...choice, name: choice.name } };
}
