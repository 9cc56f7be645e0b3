// The widgets of the less common question types and appearances, drawn as ODK Collect draws
// them and giving the values Collect stores (proved against ODK's engine on ODK's own forms:
// tests/js/odk-conformance.test.mjs). render.js picks them by type and appearance.
import { h, clear, append } from "./ui.js";
import { t, extend, number } from "./i18n.js";
import { rangeBounds } from "./model.js";
import { normaliseDigits } from "./crypto.js";

extend({
  en: {
    w_scan: "Scan code (photo)", w_no_code: "No code found in this photo.",
    w_add_position: "Add my position", w_add_point: "Add point", w_remove_point: "Remove last point",
    w_point_hint: "latitude longitude", w_bad_point: "Type a latitude and a longitude, e.g. 34.52 69.18",
    w_points: "Points: {n}", w_trace_needs: "A line needs at least 2 points.",
    w_shape_needs: "A shape needs at least 3 points.", w_ok: "OK", w_no_answer: "No answer yet",
    w_clear: "Clear answer", w_stars: "{n} of {max}", w_pad: "Drawing pad", w_draw_use: "Use this drawing", w_draw_again: "Start again", w_external: "Type the answer (ODK Collect would open another app here).",
  },
  prs: {
    w_scan: "اسکن کد (عکس)", w_no_code: "در این عکس کدی پیدا نشد.",
    w_add_position: "افزودن موقعیت من", w_add_point: "افزودن نقطه", w_remove_point: "حذف آخرین نقطه",
    w_point_hint: "عرض جغرافیایی طول جغرافیایی", w_bad_point: "یک عرض و یک طول جغرافیایی بنویسید، مثلاً 34.52 69.18",
    w_points: "نقطه‌ها: {n}", w_trace_needs: "یک خط دست‌کم ۲ نقطه لازم دارد.",
    w_shape_needs: "یک شکل دست‌کم ۳ نقطه لازم دارد.", w_ok: "تأیید", w_no_answer: "هنوز پاسخی نیست",
    w_clear: "پاک کردن پاسخ", w_stars: "{n} از {max}", w_pad: "صفحهٔ رسم", w_draw_use: "استفاده از این رسم", w_draw_again: "از نو شروع کنید", w_external: "پاسخ را بنویسید (ODK Collect اینجا برنامهٔ دیگری را باز می‌کرد).",
  },
  ps: {
    w_scan: "کوډ سکن کړئ (انځور)", w_no_code: "په دې انځور کې کوډ ونه موندل شو.",
    w_add_position: "زما ځای ورزیات کړئ", w_add_point: "ټکی ورزیات کړئ", w_remove_point: "وروستی ټکی لرې کړئ",
    w_point_hint: "عرض طول", w_bad_point: "یو عرض او یو طول ولیکئ، لکه 34.52 69.18",
    w_points: "ټکي: {n}", w_trace_needs: "کرښه لږ تر لږه ۲ ټکي غواړي.",
    w_shape_needs: "شکل لږ تر لږه ۳ ټکي غواړي.", w_ok: "سمه ده", w_no_answer: "تر اوسه ځواب نشته",
    w_clear: "ځواب پاک کړئ", w_stars: "{n} له {max}", w_pad: "د انځورولو تخته", w_draw_use: "دا انځور وکاروئ", w_draw_again: "بیا پیل کړئ", w_external: "ځواب ولیکئ (ODK Collect به دلته بل اپ پرانیستی وای).",
  },
});

const pad = (n) => String(n).padStart(2, "0");

// The phone's offset from UTC now, as Collect writes it: "+04:30".
function offset(d = new Date()) {
  const minutes = -d.getTimezoneOffset();
  return `${minutes >= 0 ? "+" : "-"}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

// A time: the browser gives "10:30" (or "10:30:15"); Collect stores "10:30:00.000+04:30".
export function timeInput({ attrs, value, onValue }) {
  const input = h("input", { ...attrs, type: "time", step: 1 });
  input.value = /^\d{2}:\d{2}/.test(value) ? value.slice(0, /^\d{2}:\d{2}:\d{2}/.test(value) ? 8 : 5) : "";
  input.addEventListener("change", () => {
    const v = input.value;
    onValue(v ? `${v.length === 5 ? `${v}:00` : v.slice(0, 8)}.000${offset()}` : "");
  });
  return input;
}

// A date asked as a month and a year (month-year) or a year: Collect stores the first day.
export function partialDateInput({ attrs, value, year, onValue }) {
  const input = year
    ? h("input", { ...attrs, type: "text", inputmode: "numeric", maxlength: 4, pattern: "\\d{4}", placeholder: "yyyy" })
    : h("input", { ...attrs, type: "month" });
  input.value = year ? value.slice(0, 4) : value.slice(0, 7);
  input.addEventListener("change", () => {
    const v = normaliseDigits(input.value).trim();
    if (!v) return onValue("");
    if (year) return onValue(/^\d{4}$/.test(v) ? `${v}-01-01` : v);
    return onValue(/^\d{4}-\d{2}$/.test(v) ? `${v}-01` : v);
  });
  return input;
}

// A range: a slider on its steps (ticks unless no-ticks; vertical), a list of the steps
// (picker) or stars (rating). No answer until the monitor picks one, as in Collect.
export function rangeInput({ node, id, value, onValue }) {
  const { start, end, step } = rangeBounds(node.raw);
  const steps = [];
  const lo = Math.min(start, end), hi = Math.max(start, end), size = Math.abs(step) || 1;
  for (let i = 0; i <= 1000 && lo + i * size <= hi + 1e-9; i += 1) steps.push(Number((lo + i * size).toFixed(10)));
  if (end < start) steps.reverse();
  const words = node.appearance.split(/\s+/);
  const box = h("div", { class: "range", "data-path": node.path });
  if (words.includes("picker")) {
    const select = h("select", { id, "data-path": node.path, onchange: (e) => onValue(e.target.value) },
      h("option", { value: "" }, t("select_placeholder")),
      steps.map((s) => h("option", { value: String(s), selected: value !== "" && Number(value) === s }, number(s, 10))));
    return box.appendChild(select) && box;
  }
  if (words.includes("rating")) {
    const stars = h("div", { class: "stars", role: "radiogroup", id });
    const draw = (chosen) => {
      clear(stars);
      steps.forEach((s) => stars.append(h("button", { type: "button", role: "radio", class: "star",
        "aria-checked": String(chosen !== "" && s <= Number(chosen)), "aria-label": t("w_stars", { n: number(s, 10), max: number(hi, 10) }),
        "data-value": String(s), onclick: () => { onValue(String(s)); draw(String(s)); } }, "★")));
    };
    draw(value);
    return box.appendChild(stars) && box;
  }
  const ticks = words.includes("no-ticks") ? null : `${id}-ticks`;
  const slider = h("input", { type: "range", id, min: lo, max: hi, step: size, list: ticks, "data-path": node.path,
    class: words.includes("vertical") ? "vertical" : null, "aria-orientation": words.includes("vertical") ? "vertical" : null });
  const shown = h("output", { for: id, class: "range-value" });
  const show = (v) => {
    box.classList.toggle("unanswered", v === "");
    shown.textContent = v === "" ? t("w_no_answer") : number(Number(v), 10);
    slider.value = v === "" ? String(steps[Math.floor(steps.length / 2)] ?? lo) : v;
  };
  slider.addEventListener("input", () => { onValue(String(Number(slider.value))); show(String(Number(slider.value))); });
  show(value);
  box.append(slider, shown,
    ticks ? h("datalist", { id: ticks }, steps.map((s) => h("option", { value: String(s) }))) : null,
    h("button", { type: "button", class: "secondary small", onclick: () => { onValue(""); show(""); } }, t("w_clear")));
  return box;
}

// A barcode: typed, or read from a photo of it by the browser's BarcodeDetector where there is
// one (the photo is read in memory and never kept).
export function barcodeInput({ attrs, value, onValue }) {
  const input = h("input", { ...attrs, type: "text" });
  input.value = value;
  input.addEventListener("input", () => onValue(input.value));
  const box = h("div", { class: "barcode" }, input);
  if (!("BarcodeDetector" in window)) return box;
  const status = h("p", { class: "muted", role: "status" });
  const file = h("input", { type: "file", accept: "image/*", class: "visually-hidden", id: `${attrs.id}-scan` });
  file.addEventListener("change", async () => {
    const picked = file.files[0];
    file.value = "";
    if (!picked) return;
    try {
      const bitmap = await createImageBitmap(picked);
      const formats = await window.BarcodeDetector.getSupportedFormats();
      const found = await new window.BarcodeDetector({ formats }).detect(bitmap);
      bitmap.close();
      if (!found.length) { status.textContent = t("w_no_code"); return; }
      input.value = found[0].rawValue;
      status.textContent = "";
      onValue(input.value);
    } catch (error) {
      status.textContent = t("w_no_code");
    }
  });
  box.append(h("label", { for: `${attrs.id}-scan`, class: "button secondary" }, t("w_scan")), file, status);
  return box;
}

// A geotrace or geoshape: a list of points, each the phone's position or typed; stored as ODK
// does, "lat lon alt acc;lat lon alt acc" (a shape closed: its first point again at the end).
export function pointsInput({ shape, value, onValue, locate }) {
  const points = String(value || "").split(";").map((p) => p.trim()).filter(Boolean);
  if (shape && points.length > 3 && points[0] === points[points.length - 1]) points.pop();
  const list = h("ol", { class: "points", "data-role": "points" });
  const status = h("p", { class: "muted", role: "status" });
  const typed = h("input", { type: "text", inputmode: "decimal", placeholder: t("w_point_hint"), "aria-label": t("w_point_hint"), "data-role": "point-typed" });
  const save = () => {
    const need = shape ? 3 : 2;
    status.textContent = points.length && points.length < need ? t(shape ? "w_shape_needs" : "w_trace_needs") : t("w_points", { n: number(points.length) });
    append(clear(list), points.map((p) => h("li", {}, p)));
    onValue(points.length >= need ? [...points, ...(shape ? [points[0]] : [])].join(";") : "");
  };
  const add = (point) => { points.push(point); save(); };
  const buttons = h("div", { class: "row" },
    h("button", { type: "button", class: "secondary", "data-role": "point-here", onclick: async () => {
      status.textContent = t("locating");
      try { add(await locate()); } catch (error) { status.textContent = t("location_error", { msg: error.message || "—" }); }
    } }, t("w_add_position")),
    h("button", { type: "button", class: "secondary", "data-role": "point-add", onclick: () => {
      const [lat, lon] = normaliseDigits(typed.value).replace(/[\u066b,]/g, (c) => (c === "," ? " " : ".")).trim().split(/\s+/).map(Number);
      if (!(Math.abs(lat) <= 90 && Math.abs(lon) <= 180)) { status.textContent = t("w_bad_point"); return; }
      typed.value = "";
      add(`${lat} ${lon} 0 0`);
    } }, t("w_add_point")),
    h("button", { type: "button", class: "secondary", onclick: () => { points.pop(); save(); } }, t("w_remove_point")));
  const box = h("div", { class: "geo points-input" }, list, typed, buttons, status);
  append(clear(list), points.map((p) => h("li", {}, p)));
  status.textContent = t("w_points", { n: number(points.length) });
  return box;
}

// The phone's position once, as the geopoint widget stores it: "lat lon alt acc".
export function currentPosition() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) { reject(new Error("—")); return; }
    navigator.geolocation.getCurrentPosition((pos) => {
      const c = pos.coords;
      resolve(`${c.latitude} ${c.longitude} ${c.altitude ?? 0} ${c.accuracy}`);
    }, reject, { enableHighAccuracy: true, maximumAge: 0, timeout: 60000 });
  });
}

// acknowledge: a box to tick, stored "OK" (blank when not ticked), as Collect.
export function acknowledgeInput({ attrs, value, onValue }) {
  const box = h("input", { ...attrs, type: "checkbox", checked: value === "OK" });
  box.addEventListener("change", () => onValue(box.checked ? "OK" : ""));
  return h("label", { class: "choice" }, box, " ", t("w_ok"));
}

// thousands-sep: the number shown grouped (12,345.5) while it is not being typed; stored as typed.
export function groupDigits(input) {
  const group = (v) => v.replace(/^(-?)(\d+)/, (_, sign, digits) => sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ","));
  const raw = () => input.value.replace(/,/g, "");
  input.addEventListener("focus", () => { input.value = raw(); });
  input.addEventListener("blur", () => { input.value = group(raw()); });
  input.value = group(input.value);
  return input;
}

// How a list of choices is laid out (columns, columns-pack, columns-N, no-buttons, likert...).
export function choiceLayout(appearance) {
  const words = appearance.split(/\s+/);
  const classes = [];
  const n = words.map((w) => /^columns-(\d+)$/.exec(w)).find(Boolean);
  if (n) classes.push(`columns-${Math.max(1, Math.min(6, Number(n[1])))}`);  // app.css has 1 to 6
  if (words.includes("columns")) classes.push("columns");
  if (words.includes("columns-pack")) classes.push("columns-pack");
  if (words.includes("no-buttons")) classes.push("no-buttons");
  return classes.join(" ");
}

// A choice's place (the `geometry` column a "map" select reads), shown by its label.
export function choicePlace(choice) {
  const geometry = (choice.columns || choice).geometry;
  const [lat, lon] = String(geometry || "").trim().split(/\s+/).map(Number);
  return Number.isFinite(lat) && Number.isFinite(lon) ? t("latlon", { lat: lat.toFixed(5), lon: lon.toFixed(5) }) : null;
}

// draw: a pad drawn on with a finger (or a mouse); "Use this drawing" hands over a PNG of it.
export function drawPad({ id, onDone }) {
  const canvas = h("canvas", { id, width: 640, height: 480, class: "draw-pad", role: "img", "aria-label": t("w_pad") });
  const ctx = canvas.getContext("2d");
  const blank = () => { ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height); };
  blank();
  let last = null;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (canvas.width / r.width), (e.clientY - r.top) * (canvas.height / r.height)];
  };
  canvas.addEventListener("pointerdown", (e) => { canvas.setPointerCapture(e.pointerId); last = at(e); });
  canvas.addEventListener("pointermove", (e) => {
    if (!last) return;
    const next = at(e);
    Object.assign(ctx, { strokeStyle: "#1b2733", lineWidth: 4, lineCap: "round" });
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...next);
    ctx.stroke();
    last = next;
  });
  for (const end of ["pointerup", "pointercancel"]) canvas.addEventListener(end, () => { last = null; });
  return h("div", { class: "draw" }, canvas, h("div", { class: "row" },
    h("button", { type: "button", "data-role": "draw-use", onclick: () => canvas.toBlob((blob) => blob && onDone(blob), "image/png") }, t("w_draw_use")),
    h("button", { type: "button", class: "secondary", onclick: blank }, t("w_draw_again"))));
}
