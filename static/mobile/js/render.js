// Renders a Form (model.js) as one scrolling page: groups as fieldsets, repeats with add/remove,
// skip logic by hiding what is not relevant, errors under each question once it was touched.
import { h, clear } from "./ui.js";
import { t, lang } from "./i18n.js";
import { text } from "./model.js";
import { toString, isoNow } from "./xpath.js";
import { normaliseDigits } from "./crypto.js";
import { geopointWidget } from "./geo.js";
import { placementMap } from "./placemap.js";
import { downscale, MAX_EDGE } from "./photo.js";
import { timeInput, partialDateInput, rangeInput, barcodeInput, pointsInput, currentPosition, acknowledgeInput,
  groupDigits, choiceLayout, choicePlace, drawPad } from "./widgets.js";

let serial = 0;
const nextId = () => `q${++serial}`;
const MANY_CHOICES = 6;

function localDateTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return isoNow(d).slice(0, 16);
}

export function renderForm({ form, instance, photos, onChange }) {
  const controls = [];  // {node, scope, wrap, error, touched}
  const urls = new Set();
  let showAll = false;
  const L = (value) => text(value, lang());

  const changed = () => { refresh(); onChange(); };
  const setValue = (node, scope, value) => { form.set(instance, node, scope, value); changed(); };

  // The mark of a required question: shown while the question is required and relevant
  // (refresh() decides), so "Why was access not full? *" waits for the access answer.
  function label(node, forId, labelId) {
    const required = node.required ? h("span", { class: "req", "aria-hidden": "true", hidden: true }, " *") : null;
    return [h(forId ? "label" : "p", { class: "label", for: forId || null, id: labelId }, L(node.label) || node.name, required),
      labelImage(node.raw, L(node.label) || node.name),
      node.hint ? h("p", { class: "hint" }, L(node.hint)) : null];
  }

  // The image of a question's or a choice's label (pyxform's media.image: the language's file,
  // else the default one), described by the label's text; nothing when the file did not come.
  function labelImage(element, alt) {
    const image = element && element.media && element.media.image;
    const file = image ? text(image, lang()).replace(/^jr:\/\/images\//, "") : "";
    const src = file && (form.images || {})[file];
    return src ? h("img", { class: "label-image", src, alt }) : null;
  }

  // The chosen facility's place (from the facility list's lat and lon columns), or null.
  function facilityPlace() {
    const node = form.fields.find((n) => n.select && typeof n.raw.itemset === "string" && n.raw.itemset.endsWith(".csv"));
    const chosen = node && toString(form.get(instance, node, {}));
    const choice = chosen && form.choicesFor(instance, node, {}).find((c) => c.name === chosen);
    const columns = (choice && choice.columns) || {};
    const lat = Number(columns.lat);
    const lon = Number(columns.lon);
    return columns.lat && columns.lon && Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : null;
  }
  const facilityChosen = () => {
    const node = form.fields.find((n) => n.select && typeof n.raw.itemset === "string" && n.raw.itemset.endsWith(".csv"));
    return !node || Boolean(toString(form.get(instance, node, {})));
  };

  function textInput(node, scope, id, value) {
    const numeric = node.type === "integer" || node.type === "decimal";
    const attrs = { id, autocomplete: "off", spellcheck: "false", name: node.name, "data-path": node.path };
    if (node.appearance.includes("multiline")) {
      return h("textarea", { ...attrs, rows: 4, oninput: (e) => setValue(node, scope, e.target.value) }, value);
    }
    const words = node.appearance.split(/\s+/);
    // masked: typed unseen, as Collect; numbers: a number keypad for a text answer.
    const type = words.includes("masked") ? "password" : { date: "date", dateTime: "datetime-local", time: "time" }[node.type] || "text";
    const input = h("input", { ...attrs, type, inputmode: numeric ? (node.type === "integer" ? "numeric" : "decimal")
      : words.includes("numbers") ? "decimal" : null });
    input.value = node.type === "dateTime" ? localDateTime(value) : value;
    input.addEventListener(type === "text" ? "input" : "change", () => {
      let v = input.value;
      if (numeric) v = normaliseDigits(v).replace("\u066b", ".").trim();
      if (node.type === "dateTime") v = v ? isoNow(new Date(v)) : "";
      setValue(node, scope, v);
    });
    if (words.includes("thousands-sep")) groupDigits(input);
    return input;
  }

  function selectOne(node, scope, id, value) {
    const choices = form.choicesFor(instance, node, scope);
    const search = /(^|\s)(search|autocomplete)(\s|$)/.test(node.appearance);
    if (choices.length > MANY_CHOICES || node.appearance.includes("minimal") || search) {
      const select = h("select", { id, name: node.name, "data-path": node.path,
        onchange: (e) => setValue(node, scope, e.target.value) },
      h("option", { value: "" }, t("select_placeholder")),
      choices.map((c) => h("option", { value: c.name, selected: c.name === value }, L(c.label))));
      if (!search) return select;
      const filter = h("input", { type: "search", class: "filter", placeholder: t("filter"), autocomplete: "off",
        "aria-label": t("filter"), spellcheck: "false" });
      filter.addEventListener("input", () => {
        const needle = filter.value.trim().toLowerCase();
        for (const option of select.options) {
          if (option.value) option.hidden = Boolean(needle) && !option.textContent.toLowerCase().includes(needle);
        }
      });
      return h("div", {}, filter, select);
    }
    const layout = choiceLayout(node.appearance);
    const map = /(^|\s)map(\s|$)/.test(node.appearance);
    return h("div", { class: `choices ${layout}`, role: "radiogroup", id },
      choices.map((c) => h("label", { class: "choice" },
        h("input", { type: "radio", name: `${node.path}#${JSON.stringify(scope)}`, value: c.name,
          checked: c.name === value, "data-path": node.path,
          onchange: () => setValue(node, scope, c.name) }), " ", L(c.label), labelImage(c, L(c.label)),
        map && choicePlace(c) ? h("small", { class: "muted" }, " · ", choicePlace(c)) : null)));
  }

  function selectMany(node, scope, id, value) {
    const chosen = new Set(toString(value).split(/\s+/).filter(Boolean));
    const choices = form.choicesFor(instance, node, scope);
    const layout = choiceLayout(node.appearance);
    return h("div", { class: `choices ${layout}`, id },
      choices.map((c) => h("label", { class: "choice" },
        h("input", { type: "checkbox", value: c.name, checked: chosen.has(c.name), "data-path": node.path,
          onchange: (e) => {
            if (e.target.checked) chosen.add(c.name); else chosen.delete(c.name);
            setValue(node, scope, choices.map((x) => x.name).filter((n) => chosen.has(n)).join(" "));
          } }), " ", L(c.label), labelImage(c, L(c.label)))));
  }

  // A rank (odk:rank): every choice, in the monitor's order. No answer until the monitor moves
  // one or keeps the order shown (as Collect: a rank is blank until it is ranked).
  function rankInput(node, scope, id, value) {
    const choices = form.choicesFor(instance, node, scope);
    const byName = new Map(choices.map((c) => [c.name, c]));
    const given = toString(value).split(/\s+/).filter((n) => byName.has(n));
    const box = h("div", { class: "choices rank", id, "data-path": node.path });
    const draw = (order, ranked) => {
      clear(box);
      const set = (next) => { setValue(node, scope, next.join(" ")); draw(next, true); };
      const swap = (i, j) => { const next = [...order]; [next[i], next[j]] = [next[j], next[i]]; set(next); };
      box.append(h("ol", {}, order.map((name, i) => {
        const label = L(byName.get(name).label) || name;
        return h("li", { "data-rank": name }, label, " ",
          h("button", { type: "button", class: "secondary small", "aria-label": t("move_up", { label }),
            disabled: i === 0 || null, onclick: () => swap(i, i - 1) }, "↑"),
          h("button", { type: "button", class: "secondary small", "aria-label": t("move_down", { label }),
            disabled: i === order.length - 1 || null, onclick: () => swap(i, i + 1) }, "↓"));
      })));
      if (!ranked) box.append(h("button", { type: "button", class: "secondary small", "data-rank-keep": "", onclick: () => set(order) }, t("rank_keep")));
    };
    draw(given.length ? [...given, ...choices.map((c) => c.name).filter((n) => !given.includes(n))] : choices.map((c) => c.name), given.length > 0);
    return box;
  }

  function photoInput(node, scope, id, value) {
    const maxPixels = Number(node.bind["orx:max-pixels"]) || MAX_EDGE;
    // draw: drawn with a finger on a pad; the drawing goes the photo's way (re-encoded, kept).
    const draw = /(^|\s)draw(\s|$)/.test(node.appearance);
    const preview = h("div", { class: "photo-preview" });
    const status = h("p", { class: "muted", role: "status" });
    // No `capture`: the monitor picks the camera or the gallery (both downscaled and re-encoded).
    const input = h("input", { type: "file", accept: "image/*", id, class: "visually-hidden",
      "data-path": node.path });
    const show = async (name) => {
      clear(preview);
      if (!name) return;
      const bytes = await photos.load(name);
      if (!bytes) return;
      const url = URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
      urls.add(url);
      preview.append(h("img", { src: url, alt: t("photo_attached") }),
        aloneInRepeat(node) ? null : h("button", { type: "button", class: "secondary", onclick: async () => {
          await photos.remove(name);
          setValue(node, scope, "");
          clear(preview);
        } }, t("remove_photo")));
    };
    const attach = async (file) => {
      status.textContent = t("processing_photo");
      try {
        // Downscaled and re-encoded in memory: the original file is never stored.
        const { bytes } = await downscale(file, maxPixels);
        const name = `${crypto.randomUUID()}.jpg`;
        const previous = toString(form.get(instance, node, scope));
        await photos.save(name, bytes);
        if (previous) await photos.remove(previous);
        setValue(node, scope, name);
        status.textContent = "";
        await show(name);
      } catch (error) {
        status.textContent = t("photo_failed");
      } finally {
        input.value = "";
      }
    };
    input.addEventListener("change", () => { if (input.files[0]) attach(input.files[0]); });
    show(value);
    if (draw) return h("div", {}, drawPad({ id, onDone: attach }), status, preview);
    return h("div", {}, h("label", { for: id, class: "button secondary" }, t("take_photo")), input, status, preview);
  }

  // A photo that is its repeat item's only question: the item's Remove removes it.
  function aloneInRepeat(node) {
    const parent = node.parent;
    return Boolean(parent && parent.kind === "repeat" &&
      parent.children.filter((c) => !c.hidden && c.kind !== "meta" && c.type !== "calculate").length === 1);
  }

  function field(node, scope) {
    const id = nextId();
    const labelId = `${id}-label`;
    const value = toString(form.get(instance, node, scope));
    let control;
    if (node.type === "note") {
      const wrap = h("div", { class: "q note" }, h("p", {}, L(node.label)));
      controls.push({ node, scope, wrap, error: null });
      return wrap;
    }
    const build = (shown) => {
      if (node.select === "one") return selectOne(node, scope, id, shown);
      if (node.select === "many") return selectMany(node, scope, id, shown);
      if (node.select === "rank") return rankInput(node, scope, id, shown);
      if (node.type === "geopoint") {
        const settings = node.raw.control || {};
        const threshold = Number(settings.accuracyThreshold || node.parameters["capture-accuracy"]) || 20;
        const unacceptable = Number(settings.unacceptableAccuracyThreshold) || Infinity;
        return node.appearance.includes("placement-map")
          ? placementMap({ value: shown, threshold, unacceptable, centre: facilityPlace(), label: L(node.label) || node.name,
            onValue: (v) => setValue(node, scope, v) })
          : geopointWidget({ value: shown, threshold, unacceptable, onValue: (v) => setValue(node, scope, v) });
      }
      if (node.type === "photo" || node.type === "image") return photoInput(node, scope, id, shown);
      const onValue = (v) => setValue(node, scope, v);
      const attrs = { id, autocomplete: "off", spellcheck: "false", name: node.name, "data-path": node.path };
      if (node.type === "time") return timeInput({ attrs, value: shown, onValue });
      if (node.type === "date" && /(^|\s)(month-year|year)(\s|$)/.test(node.appearance)) {
        return partialDateInput({ attrs, value: shown, year: !node.appearance.includes("month-year"), onValue });
      }
      if (node.type === "range") return rangeInput({ node, id, value: shown, onValue });
      if (node.type === "barcode") return barcodeInput({ attrs, value: shown, onValue });
      if (node.type === "geotrace" || node.type === "geoshape") {
        return pointsInput({ shape: node.type === "geoshape", value: shown, onValue, locate: currentPosition });
      }
      if (node.type === "acknowledge") return acknowledgeInput({ attrs, value: shown, onValue });
      // ex:app (Collect opens another app): the answer typed, as Collect when the app is absent.
      if (/(^|\s)ex:/.test(node.appearance)) return h("div", {}, textInput(node, scope, id, shown), h("p", { class: "hint" }, t("w_external")));
      return textInput(node, scope, id, shown);
    };
    control = build(value);
    const error = h("p", { class: "error", role: "alert", hidden: true });
    const forId = node.select || ["geopoint", "geotrace", "geoshape", "acknowledge"].includes(node.type) ||
      (node.type === "range" && /(^|\s)rating(\s|$)/.test(node.appearance)) ? null : id;
    // Every control named by its question: a list by aria-labelledby, a group of choices too.
    const named = (drawn) => {
      if (forId) return;
      const list = drawn.matches("select") ? drawn : drawn.querySelector("select");
      if (list) list.setAttribute("aria-labelledby", labelId);
      else if (drawn.matches(".choices")) {
        drawn.setAttribute("aria-labelledby", labelId);
        if (!drawn.getAttribute("role")) drawn.setAttribute("role", "group");
      } else {
        const group = drawn.querySelector("[role=radiogroup], .points-input, input[type=checkbox]");
        if (group) group.setAttribute("aria-labelledby", labelId);
      }
    };
    named(control);
    const wrap = h("div", { class: "q", "data-q": node.path }, label(node, forId, labelId), control, error);
    const entry = { node, scope, wrap, error, touched: false, runs: form.calculations(instance, node, scope) };
    // A calculated answer the monitor may also give: drawn again each time the calculation runs.
    if (node.calculate || node.trigger) {
      entry.resync = () => {
        const runs = form.calculations(instance, node, scope);
        if (runs === entry.runs) return;
        entry.runs = runs;
        const fresh = build(toString(form.get(instance, node, scope)));
        named(fresh);
        if (entry.readonly) [fresh, ...fresh.querySelectorAll("*")].forEach((el) => { if (el.matches("input, select, textarea, button")) el.disabled = true; });
        control.replaceWith(fresh);
        control = fresh;
      };
    }
    if (node.select && node.filter) entry.refilter = choiceFilter(node, scope, id, () => control, (c) => { control = c; });
    wrap.addEventListener("focusout", () => { entry.touched = true; refresh(); });
    wrap.addEventListener("change", () => { entry.touched = true; });
    controls.push(entry);
    return wrap;
  }

  // A choice_filter (a cascading select): when the answers it reads change, the choices are
  // drawn again, and an answer no longer among them is cleared (as ODK Collect does).
  function choiceFilter(node, scope, id, current, replace) {
    const names = () => form.choicesFor(instance, node, scope).map((c) => c.name);
    let shown = names().join("\n");
    return () => {
      const now = names();
      if (now.join("\n") === shown) return;
      shown = now.join("\n");
      const offered = new Set(now);
      const value = toString(form.get(instance, node, scope));
      const kept = value.split(/\s+/).filter((v) => v && offered.has(v)).join(" ");
      if (kept !== value) form.set(instance, node, scope, kept);
      const fresh = node.select === "one" ? selectOne(node, scope, id, kept)
        : node.select === "rank" ? rankInput(node, scope, id, kept) : selectMany(node, scope, id, kept);
      current().replaceWith(fresh);
      replace(fresh);
    };
  }

  function children(container, node, scope) {
    for (const child of node.children) {
      if (child.hidden || child.kind === "meta") continue;
      if (child.kind === "group") {
        const box = h("fieldset", { class: "group" }, child.label ? h("legend", {}, L(child.label)) : null);
        children(box, child, scope);
        controls.push({ node: child, scope, wrap: box, error: null });
        container.append(box);
      } else if (child.kind === "repeat") {
        const box = h("section", { class: "repeat", "data-repeat": child.path });
        repeat(box, child, scope);
        controls.push({ node: child, scope, wrap: box, error: null, entries: form.get(instance, child, scope).length });
        container.append(box);
      } else {
        container.append(field(child, scope));
      }
    }
  }

  function repeatLabel(node) {
    return L(node.label) || L((node.children.find((c) => c.label) || {}).label) || node.name;
  }

  function repeat(box, node, scope) {
    clear(box);
    const name = repeatLabel(node);
    const entries = form.get(instance, node, scope);
    entries.forEach((_, index) => {
      const inner = { ...scope, [node.name]: index };
      // A repeat_count decides how many entries there are: no Remove, no Add.
      const entry = h("fieldset", { class: "entry" },
        h("legend", {}, `${name} ${index + 1}`),
        node.count ? null : h("button", { type: "button", class: "secondary small remove", onclick: async () => {
          await photos.forget(form, node, instance, inner);
          const list = form.get(instance, node, scope);
          list.splice(index, 1);
          form.set(instance, node, scope, list);
          repeat(box, node, scope);
          changed();
        } }, t("remove_repeat")));
      children(entry, node, inner);
      box.append(entry);
    });
    if (node.count) return;
    box.append(h("button", { type: "button", class: "secondary add", "data-add": node.path, onclick: () => {
      form.newRepeatEntry(instance, node, scope);
      repeat(box, node, scope);
      changed();
    } }, t("add_repeat", { label: name })));
  }

  // A section whose questions all depend on the kind of facility says so until one is chosen,
  // and is left out when the chosen facility has none of them.
  function explainEmpty(entry) {
    const shown = [...entry.wrap.children].some((c) => !c.hidden && c.tagName !== "LEGEND" && !c.matches(".group-wait"));
    let note = entry.wrap.querySelector(":scope > .group-wait");
    if (shown || facilityChosen()) {
      if (note) note.remove();
      if (!shown) entry.wrap.hidden = true;
      return;
    }
    if (!note) {
      note = h("p", { class: "hint group-wait", "data-role": "needs-facility" }, t("needs_facility"));
      entry.wrap.append(note);
    }
  }

  function refresh() {
    form.language = lang();  // jr:choice-name() gives the label in the language shown
    form.calculate(instance);
    for (let i = controls.length - 1; i >= 0; i -= 1) {
      if (!controls[i].wrap.isConnected && controls[i].attached) controls.splice(i, 1);
    }
    for (const entry of controls) {
      if (entry.refilter) entry.refilter();
      if (entry.resync) entry.resync();
      if (entry.node.count && entry.wrap.isConnected) {
        const entries = form.get(instance, entry.node, entry.scope).length;
        if (entries !== entry.entries) { entry.entries = entries; repeat(entry.wrap, entry.node, entry.scope); }
      }
      entry.attached ||= entry.wrap.isConnected;
      const relevant = form.isRelevant(instance, entry.node, entry.scope);
      entry.wrap.hidden = !relevant;
      const mark = entry.wrap.querySelector(":scope > .label > .req");
      if (mark) mark.hidden = !(relevant && form.isRequired(instance, entry.node, entry.scope));
      if (entry.node.kind === "group" && relevant) explainEmpty(entry);
      if (!entry.error) continue;
      // Read-only by its rule (or its group's) at this moment: nothing in it can be changed.
      const readonly = relevant && form.isReadonly(instance, entry.node, entry.scope);
      if (readonly !== Boolean(entry.readonly)) {
        entry.readonly = readonly;
        entry.wrap.querySelectorAll("input, select, textarea, button").forEach((el) => { el.disabled = readonly; });
      }
      const problem = relevant && (entry.touched || showAll) ? form.check(instance, entry.node, entry.scope, lang()) : null;
      entry.error.hidden = !problem;
      entry.error.textContent = problem ? problem.message || t(problem.rule) : "";
      entry.wrap.classList.toggle("invalid", Boolean(problem));
    }
  }

  // A form the app cannot run exactly as ODK Collect is never drawn (main.js says why).
  if (form.refusals.length) throw new Error(`refused form: ${form.refusals.join("; ")}`);
  // A position a form asks for (odk:setgeopoint) arriving later lands and is saved.
  form.locate ||= currentPosition;
  form.onLocated = () => changed();
  const element = h("form", { class: "survey", novalidate: true, autocomplete: "off", onsubmit: (e) => e.preventDefault() });
  children(element, form.root, {});
  refresh();

  return {
    element,
    // Show every error; returns how many there are and scrolls to the first.
    validate() {
      showAll = true;
      refresh();
      const first = controls.find((c) => c.error && !c.error.hidden);
      if (first) first.wrap.scrollIntoView({ block: "center" });
      return form.errors(instance, lang()).length;
    },
    destroy() {
      form.onLocated = null;
      for (const url of urls) URL.revokeObjectURL(url);
      element.querySelectorAll(".geo").forEach((g) => g.stop && g.stop());
    },
  };
}
