/* The incidents layer: what GET /api/map/incidents answers for the view. The server decides the
 * form (it caps every response): counts by grid cell when many incidents are in view, single
 * points when few, or heatmap weights when asked. Every answer replaces the last; a request
 * still running when the view changes again is cancelled.
 *
 *   var incidents = create(map, {url: "/api/map/incidents", ...});
 *   incidents.refresh(filterParams, heat).then(function (answer) { ... });
 *   incidents.last  // the last answer drawn (mode, total, cells or points)
 * options.onDraw(answer) is called after each answer is drawn (the legend follows the mode).
 */
import {day} from "../dates.js";
import {format, getJSON, textElement} from "../nezarat.js";
import * as mapState from "./state.js";

const L = window.L;  // Leaflet, from the vendor bundle (a classic script)

const PANE = "nz-incidents", LABEL_PANE = "nz-incident-labels";
const LABEL_MIN_RADIUS = 9;  // every circle is at least this large, its count written in it
const DEBOUNCE_MS = 120;

function bboxOf(map) {
  const b = map.getBounds();
  const clamp = function (v, lo, hi) { return Math.max(lo, Math.min(hi, v)); };
  return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
          clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
    .map(function (v) { return v.toFixed(4); }).join(",");
}

// One formatter per language: making one costs far more than using it (it was made per cell).
const compactFormats = {};

function compact(n, language) {
  try {
    if (!compactFormats[language]) {
      compactFormats[language] = new Intl.NumberFormat(language, {notation: "compact",
                                                                  maximumFractionDigits: 1});
    }
    return compactFormats[language].format(n);
  } catch (e) {
    return String(n);
  }
}

/** Circle radius (px) of a cell: area grows with the count, never past the cell itself, and
 *  never too small for its count written inside (cells are at least 20 px wide: grid.py). */
function radius(n, biggest, cellPx, text) {
  const most = Math.max(LABEL_MIN_RADIUS, Math.min(cellPx * 0.5, 36));
  const least = Math.min(most, LABEL_MIN_RADIUS + 3 * Math.max(0, text.length - 2));
  return Math.min(most, least + (most - least) * Math.sqrt(n / Math.max(biggest, 1)));
}

/** The heatmap's colours, light (few) to dark (many): read on the map and in the legend. */
const HEAT_GRADIENT = {0.15: "#fde68a", 0.35: "#fbbf24", 0.55: "#f97316", 0.75: "#dc2626",
                       1: "#7f1d1d"};

/** Heat weight (0-1) of a count: the square root, so that a few busy cells do not wash out
 *  the rest; heatCount() is its inverse (for the legend's scale). */
function heatWeight(n, biggest) { return Math.sqrt(n / Math.max(biggest, 1)); }
function heatCount(weight, biggest) { return Math.max(1, Math.round(weight * weight * biggest)); }

function create(map, options) {
  const strings = options.strings || {};
  const language = document.documentElement.lang || "en";
  map.createPane(PANE).style.zIndex = "440";
  map.createPane(LABEL_PANE).style.zIndex = "445";
  map.getPane(LABEL_PANE).style.pointerEvents = "none";

  // The first formatter a page makes starts the browser's ICU (tens of milliseconds on a phone):
  // in a task of its own while the first answer is on its way, not in the one drawing it, and
  // after the first paint (a task before it would delay it).
  window.requestAnimationFrame(function () {
    setTimeout(function () { compact(0, language); }, 0);
  });

  const group = L.layerGroup().addTo(map);
  let heat = null;
  const controller = {layer: group, last: null, map: map};
  let pending = null, timer = null;

  function typeLabel(code) { return (options.typeLabels || {})[code] || code; }
  function statusLabel(code) { return (options.statusLabels || {})[code] || code; }

  function drawCells(answer) {
    const cellPx = answer.cell_deg * 256 * Math.pow(2, map.getZoom()) / 360;
    answer.cells.forEach(function (cell) {
      const lon = cell[0], lat = cell[1], n = cell[2];
      const text = compact(n, language);
      const r = radius(n, answer.max, cellPx, text);
      const circle = L.circleMarker([lat, lon], {
        pane: PANE, radius: r, className: "nz-cell", weight: 1, color: "#7a1f1f",
        fillColor: "#c0392b", fillOpacity: 0.8
      });
      circle.count = n;
      circle.bindTooltip(format(strings.inArea || "%(count)s", {count: n}),
                         {direction: "top"});
      group.addLayer(circle);
      const label = document.createElement("span");
      label.textContent = text;
      group.addLayer(L.marker([lat, lon], {
        pane: LABEL_PANE, interactive: false, keyboard: false,
        icon: L.divIcon({className: "nz-cell-count", html: label,
                         iconSize: [2 * r, 16], iconAnchor: [r, 8]})
      }));
    });
  }

  function drawPoints(answer) {
    answer.points.features.forEach(function (feature) {
      const c = feature.geometry.coordinates, p = feature.properties;
      const point = L.circleMarker([c[1], c[0]], {
        pane: PANE, radius: 6, weight: 1.5, color: "#ffffff", fillOpacity: 0.9,
        className: "nz-incident nz-severity-" + p.severity + " nz-verification-" + p.status
      });
      point.feature = feature;
      const tip = document.createElement("span");
      tip.appendChild(textElement("strong", typeLabel(p.type)));
      tip.appendChild(textElement("span", " · " + day(p.occurred_on) +
        " · " + (strings.severity || "Severity") + " " + p.severity + " · " +
        statusLabel(p.status)));
      point.bindTooltip(tip, {direction: "top"});
      group.addLayer(point);
    });
  }

  /** Heat: a blob per cell as wide as the cell (so it reads as a surface at every zoom),
   *  weights scaled at the current zoom (leaflet.heat would fade them by the zoom levels left
   *  below its maxZoom: all but invisible at country zoom). */
  function drawHeat(answer) {
    const cellPx = answer.cell_deg * 256 * Math.pow(2, map.getZoom()) / 360;
    const r = Math.max(14, Math.min(cellPx * 0.75, 60));
    const points = answer.heat.map(function (cell) {
      return [cell[0], cell[1], heatWeight(cell[2], answer.max)];
    });
    heat = L.heatLayer(points, {max: 1, maxZoom: map.getZoom(), radius: r, blur: r * 0.6,
                                minOpacity: 0.35, gradient: HEAT_GRADIENT}).addTo(map);
    if (heat._canvas) { heat._canvas.classList.add("nz-heat"); }
  }

  function draw(answer) {
    group.clearLayers();
    if (heat) { map.removeLayer(heat); heat = null; }
    if (answer.mode === "points") { drawPoints(answer); }
    else if (answer.mode === "heatmap") { drawHeat(answer); }
    else { drawCells(answer); }
    controller.last = answer;
    if (options.onDraw) { options.onDraw(answer); }
  }

  /** Ask for the view with these filters (URLSearchParams); heat: the heatmap instead. */
  function load(params, wantHeat) {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    const query = new URLSearchParams(params);
    query.set("bbox", bboxOf(map));
    query.set("zoom", String(Math.round(map.getZoom())));
    if (wantHeat) { query.set("mode", "heatmap"); }
    const signal = pending.signal;
    return getJSON(options.url + "?" + mapState.query(query),
                           {signal: signal}).then(function (answer) {
      if (signal.aborted) { return null; }
      draw(answer);
      return answer;
    });
  }

  /** load() after the view stops moving; resolves with the answer, or null if replaced. */
  let superseded = null;
  controller.refresh = function (params, wantHeat) {
    clearTimeout(timer);
    if (superseded) { superseded(null); }
    return new Promise(function (resolve, reject) {
      superseded = resolve;
      function go() {
        superseded = null;
        load(params, wantHeat).then(resolve, function (error) {
          if (error && error.name === "AbortError") { resolve(null); } else { reject(error); }
        });
      }
      if (controller.last || pending) { timer = setTimeout(go, DEBOUNCE_MS); } else { go(); }
    });
  };
  return controller;
}

export {create, bboxOf, radius, heatWeight, heatCount, HEAT_GRADIENT, LABEL_MIN_RADIUS};
