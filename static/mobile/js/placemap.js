// A geopoint placed on a map (appearance "placement-map"): the built-in base map (country borders
// and towns, GeoJSON from our server, kept offline by the service worker with the app shell),
// drawn as SVG; the monitor taps where it happened. Drag to move, + and − to zoom. Centred on
// the facility when one is chosen. The monitor's own position is never taken unless asked for
// (the location button below the map).
import { h, clear } from "./ui.js";
import { t } from "./i18n.js";
import { parseGeopoint, geopointWidget } from "./geo.js";

export const BASEMAP = ["/static/basemap/borders.geojson", "/static/basemap/towns.geojson"];
const REGION = { lon: 63.5, lat: 32, span: 30 };  // Afghanistan, Iran and Pakistan
const LAT0 = 33;  // the map's projection: equirectangular, true to scale at 33° N
const K = Math.cos((LAT0 * Math.PI) / 180);
const SVG = "http://www.w3.org/2000/svg";
let basemap = null;

function loadBasemap() {
  basemap ||= Promise.all(BASEMAP.map((url) => fetch(url).then((r) => {
    if (!r.ok) throw new Error(`${url}: ${r.status}`);
    return r.json();
  }))).catch((error) => { basemap = null; throw error; });
  return basemap;
}

const svg = (tag, attrs = {}) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
};
const x = (lon) => lon * K;
const y = (lat) => -lat;

function linePath(coordinates) {
  return coordinates.map(([lon, lat], i) => `${i ? "L" : "M"}${x(lon).toFixed(3)} ${y(lat).toFixed(3)}`).join("");
}

// centre: {lat, lon} of the facility or null; value: the geopoint as stored; onValue(text).
export function placementMap({ value, centre, threshold, unacceptable, label, onValue }) {
  const view = { ...(centre ? { lon: centre.lon, lat: centre.lat, span: 1.5 } : REGION) };
  let point = parseGeopoint(value);
  if (point) Object.assign(view, { lon: point.lon, lat: point.lat, span: Math.min(view.span, 1.5) });
  const map = svg("svg", { class: "place-map", role: "img", "aria-label": label,
    preserveAspectRatio: "none", "data-role": "place-map" });
  const layers = svg("g");
  const marks = svg("g");
  map.append(layers, marks);
  const readout = h("p", { class: "geo-readout", "data-role": "place-readout" });
  const status = h("p", { class: "muted", role: "status" });

  function box() {
    const width = map.clientWidth || 300;
    const height = map.clientHeight || 240;
    const w = x(view.span);
    const hgt = (w * height) / width;
    return { x: x(view.lon) - w / 2, y: y(view.lat) - hgt / 2, w, h: hgt, width, height };
  }

  function draw() {
    const b = box();
    map.setAttribute("viewBox", `${b.x} ${b.y} ${b.w} ${b.h}`);
    map.dataset.view = JSON.stringify({ x: b.x, y: b.y, w: b.w, h: b.h, k: K });
    const unit = b.w / b.width;  // one screen pixel in map units
    for (const dot of layers.querySelectorAll("circle")) dot.setAttribute("r", 3 * unit);
    for (const name of layers.querySelectorAll("text")) {
      name.setAttribute("font-size", 12 * unit);
      name.style.display = Number(name.dataset.rank) <= (view.span > 8 ? 1 : view.span > 3 ? 2 : 3) ? "" : "none";
      name.setAttribute("x", Number(name.dataset.x) + 5 * unit);
    }
    clear(marks);
    if (centre) {
      marks.append(svg("rect", { class: "place-facility", x: x(centre.lon) - 5 * unit, y: y(centre.lat) - 5 * unit,
        width: 10 * unit, height: 10 * unit }));
    }
    if (point) {
      marks.append(svg("circle", { class: "place-point", cx: x(point.lon), cy: y(point.lat), r: 7 * unit,
        "stroke-width": 3 * unit }));
    }
    clear(readout);
    if (point) readout.append(t("latlon", { lat: point.lat.toFixed(5), lon: point.lon.toFixed(5) }));
    else readout.append(t("tap_map"));
  }

  loadBasemap().then(([borders, towns]) => {
    for (const f of borders.features) {
      const lines = f.geometry.type === "LineString" ? [f.geometry.coordinates] : f.geometry.coordinates;
      layers.append(svg("path", { d: lines.map(linePath).join(""), class: f.properties.main ? "border main" : "border",
        "vector-effect": "non-scaling-stroke" }));
    }
    for (const f of towns.features) {
      const [lon, lat] = f.geometry.coordinates;
      layers.append(svg("circle", { class: "town", cx: x(lon), cy: y(lat) }));
      const name = svg("text", { class: "town-name", y: y(lat), "data-rank": f.properties.rank,
        "data-x": x(lon), "dominant-baseline": "middle" });
      name.textContent = f.properties.name;
      layers.append(name);
    }
    map.dataset.ready = "true";
    draw();
  }, () => { status.textContent = t("map_unavailable"); map.dataset.ready = "error"; });

  // A tap places the point; a drag moves the map.
  let drag = null;
  map.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, lon: view.lon, lat: view.lat, moved: false };
    map.setPointerCapture?.(e.pointerId);
  });
  map.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 8) return;
    drag.moved = true;
    const b = box();
    view.lon = drag.lon - (dx * b.w) / b.width / K;
    view.lat = drag.lat + (dy * b.h) / b.height;
    draw();
  });
  map.addEventListener("pointerup", (e) => {
    const was = drag;
    drag = null;
    if (!was || was.moved) return;
    const rect = map.getBoundingClientRect();
    const b = box();
    const lon = (b.x + ((e.clientX - rect.left) / rect.width) * b.w) / K;
    const lat = -(b.y + ((e.clientY - rect.top) / rect.height) * b.h);
    point = { lat, lon };
    onValue(`${lat.toFixed(6)} ${lon.toFixed(6)} 0 0`);
    draw();
  });
  map.addEventListener("pointercancel", () => { drag = null; });

  const zoom = (factor) => () => { view.span = Math.min(40, Math.max(0.02, view.span * factor)); draw(); };
  const controls = h("div", { class: "row place-controls" },
    h("button", { type: "button", class: "secondary small", "aria-label": t("zoom_in"), "data-action": "zoom-in",
      onclick: zoom(0.5) }, "+"),
    h("button", { type: "button", class: "secondary small", "aria-label": t("zoom_out"), "data-action": "zoom-out",
      onclick: zoom(2) }, "−"),
    centre ? h("button", { type: "button", class: "secondary small", "data-action": "place-facility", onclick: () => {
      point = { lat: centre.lat, lon: centre.lon };
      Object.assign(view, { lon: centre.lon, lat: centre.lat });
      onValue(`${centre.lat} ${centre.lon} 0 0`);
      draw();
    } }, t("at_facility")) : null);
  // Where I am now: only when the monitor asks (it records their movements).
  const gps = geopointWidget({ value: "", threshold, unacceptable, onValue: (v) => {
    const here = parseGeopoint(v);
    if (!here) return;
    point = here;
    Object.assign(view, { lon: here.lon, lat: here.lat });
    onValue(v);
    draw();
  } });
  const wrap = h("div", { class: "place" }, map, readout, controls, status,
    h("details", { class: "place-gps" }, h("summary", {}, t("use_my_position")), gps));
  wrap.stop = () => gps.stop && gps.stop();
  requestAnimationFrame(draw);
  draw();
  return wrap;
}
