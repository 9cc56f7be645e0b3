/* The map's legend: what the facility rings, badges and incident symbols mean. A Leaflet control
 * holding a <details> element, so it folds away and is read in order by screen readers. */
import {format, textElement} from "../nezarat.js";

const L = window.L;  // Leaflet, from the vendor bundle (a classic script)

const GRADES = ["A", "B", "C", "D", "E"];

function row(list, symbolClass, text) {
  const item = textElement("li", "");
  const symbol = document.createElement("span");
  symbol.className = "nz-legend-symbol " + symbolClass;
  symbol.setAttribute("aria-hidden", "true");
  item.appendChild(symbol);
  item.appendChild(textElement("span", text));
  list.appendChild(item);
}

function control(strings, options) {
  const legend = L.control({position: options.position || "bottomright"});
  legend.onAdd = function () {
    const box = L.DomUtil.create("details", "nz-legend leaflet-bar");
    box.open = true;
    box.appendChild(textElement("summary", strings.legend || "Legend"));
    const list = document.createElement("ul");
    const grades = textElement("li", "", "nz-legend-grades");
    grades.appendChild(textElement("span", strings.grade || "Grade"));
    const swatches = textElement("span", "", "nz-legend-swatches");
    GRADES.forEach(function (grade) {
      swatches.appendChild(textElement(
        "span", grade, "nz-legend-symbol nz-legend-grade nz-grade-" + grade));
    });
    grades.appendChild(swatches);
    list.appendChild(grades);
    row(list, "nz-legend-grade nz-grade-none", strings.noGrade || "No grade");
    row(list, "nz-legend-grade nz-grade-none nz-legend-stale",
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
