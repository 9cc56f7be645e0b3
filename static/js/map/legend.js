/* The map's legend: what the facility rings, badges and incident symbols mean. A Leaflet control
 * holding a <details> element, so it folds away and is read in order by screen readers. */
import {format, textElement} from "../nezarat.js";

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
  legend.onAdd = function () {
    const box = L.DomUtil.create("details", "nz-legend leaflet-bar");
    box.open = true;
    box.appendChild(textElement("summary", strings.legend || "Legend"));
    const list = document.createElement("ul");
    ringRows(list, strings, options.ringLabels || {});
    row(list, "nz-legend-ring nz-ring-none nz-legend-stale",
        format(strings.stale, {days: options.staleAfterDays}));
    row(list, "nz-legend-denied", strings.accessDenied || "Access denied");
    row(list, "nz-legend-cell", strings.cell || "Incidents in an area");
    row(list, "nz-legend-point", strings.point || "One report");
    box.appendChild(list);
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  };
  return legend;
}

export {control};
