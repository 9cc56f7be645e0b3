/* The map's legend: what the facility rings, badges and incident symbols mean. A Leaflet control
 * holding a <details> element, so it folds away and is read in order by screen readers.
 * The incidents' part follows what the layer draws (legend.show(answer)): the count circles,
 * the severity colours of single reports, or the heatmap's scale with its numbers. A tooltip
 * opening over the legend fades it, so the tooltip is read on top. */
import {format, textElement} from "../nezarat.js";
import {HEAT_GRADIENT, heatCount} from "./incidents.js";

const L = window.L;  // Leaflet, from the vendor bundle (a classic script)

const RINGS = ["red_flag", "1", "2", "insufficient", "3", "4", "none"];
const SYMBOLS = {red_flag: "!", insufficient: "?", none: "–"};

function row(list, symbolClass, text) {
  const item = textElement("li", "");
  const symbol = document.createElement("span");
  symbol.className = "nz-legend-symbol " + symbolClass;
  symbol.setAttribute("aria-hidden", "true");
  item.appendChild(symbol);
  item.appendChild(textElement("span", text));
  list.appendChild(item);
}

/** The ring colours in one row, worst first (red flags, then the worst dimension); each
 *  swatch says its meaning in full (title, aria-label), a key line below reads them. */
function ringRows(list, strings, labels) {
  const item = textElement("li", "", "nz-legend-rings");
  item.appendChild(textElement("span", strings.ring || "Last visit"));
  const swatches = textElement("span", "", "nz-legend-swatches");
  RINGS.forEach(function (ring) {
    const swatch = textElement("span", SYMBOLS[ring] || ring,
                               "nz-legend-symbol nz-legend-ring nz-ring-" + ring.replace("_", "-"));
    swatch.title = labels[ring] || ring;
    swatch.setAttribute("aria-label", swatch.title);
    swatches.appendChild(swatch);
  });
  item.appendChild(swatches);
  item.appendChild(textElement("span", strings.ringKey || "", "nz-legend-key"));
  list.appendChild(item);
}

function control(strings, options) {
  const legend = L.control({position: options.position || "bottomright"});
  legend.onAdd = function (map) {
    const box = L.DomUtil.create("details", "nz-legend leaflet-bar");
    // Open where the map has room; folded on a phone, where it would hide most of the map.
    const size = map.getSize();
    box.open = size.x >= 480 && size.y >= 400;
    box.appendChild(textElement("summary", strings.legend || "Legend"));
    const list = document.createElement("ul");
    ringRows(list, strings, options.ringLabels || {});
    row(list, "nz-legend-ring nz-ring-none nz-legend-stale",
        format(strings.stale, {days: options.staleAfterDays}));
    row(list, "nz-legend-denied", strings.accessDenied || "Access denied");
    box.appendChild(list);
    incidentKey = textElement("div", "", "nz-legend-incidents");
    box.appendChild(incidentKey);
    if (lastAnswer) { legend.show(lastAnswer); }
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    dodgeTooltips(map, box);
    return box;
  };
  let incidentKey = null, lastAnswer = null;
  /** The incidents' key for what the layer drew (an answer of GET /api/map/incidents). */
  legend.show = function (answer) {
    lastAnswer = answer;
    if (!incidentKey) { return; }
    incidentKey.textContent = "";
    incidentKey.setAttribute("data-mode", answer.mode);
    if (answer.mode === "heatmap") { heatScale(incidentKey, strings, answer.max || 1); }
    else if (answer.mode === "points") { severityKey(incidentKey, strings, options); }
    else { cellKey(incidentKey, strings); }
  };
  return legend;
}

function cellKey(box, strings) {
  const list = document.createElement("ul");
  const item = textElement("li", "");
  const symbol = textElement("span", "12", "nz-legend-symbol nz-legend-cell");
  symbol.setAttribute("aria-hidden", "true");
  item.appendChild(symbol);
  item.appendChild(textElement("span", strings.cell || "Incidents counted in an area"));
  list.appendChild(item);
  box.appendChild(list);
}

function severityKey(box, strings, options) {
  box.appendChild(textElement("p", strings.pointSeverity || "One report; colour: severity",
                              "nz-legend-title"));
  const list = textElement("ul", "", "nz-legend-severities");
  const labels = options.severityLabels || {};
  ["1", "2", "3", "4", "5"].forEach(function (level) {
    row(list, "nz-legend-point nz-severity-" + level, labels[level] || level);
  });
  box.appendChild(list);
}

/** The heatmap's colour ramp with the counts it stands for (its weights are square roots:
 *  incidents.js heatWeight), from one incident to the busiest area in view. */
function heatScale(box, strings, biggest) {
  box.appendChild(textElement("p", strings.heatScale || "Incidents per area", "nz-legend-title"));
  const bar = textElement("div", "", "nz-legend-heat");
  bar.setAttribute("aria-hidden", "true");
  const stops = Object.keys(HEAT_GRADIENT).map(Number).sort(function (a, b) { return a - b; });
  bar.style.backgroundImage = "linear-gradient(to right, " + stops.map(function (stop) {
    return HEAT_GRADIENT[stop] + " " + Math.round(stop * 100) + "%";
  }).join(", ") + ")";
  box.appendChild(bar);
  const ticks = textElement("div", "", "nz-legend-heat-ticks");
  const values = [1, heatCount(0.5, biggest), biggest].filter(function (v, i, all) {
    return all.indexOf(v) === i;
  });
  values.forEach(function (value) { ticks.appendChild(textElement("span", String(value))); });
  box.appendChild(ticks);
  box.appendChild(textElement("p", format(strings.heatRange || "From %(low)s to %(high)s",
                                          {low: 1, high: biggest}), "nz-visually-hidden"));
}

function overlaps(a, b) {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** A tooltip that opens over the legend fades it (tooltips live in the map's panes, which sit
 *  under the map's controls: no z-index can lift one above the other). */
function dodgeTooltips(map, box) {
  map.on("tooltipopen", function (event) {
    const tip = event.tooltip.getElement();
    const hit = tip && overlaps(tip.getBoundingClientRect(), box.getBoundingClientRect());
    box.classList.toggle("nz-legend-dodge", Boolean(hit));
  });
  map.on("tooltipclose", function () { box.classList.remove("nz-legend-dodge"); });
}

export {control};
