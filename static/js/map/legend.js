/* The map's legend: what the facility rings, badges and incident symbols mean. A Leaflet control
 * holding a <details> element, so it folds away and is read in order by screen readers. */
(function (L) {
  "use strict";

  var Nezarat = window.Nezarat = window.Nezarat || {};
  var RINGS = ["red_flag", "1", "2", "insufficient", "3", "4", "none"];

  function row(list, symbolClass, text) {
    var item = Nezarat.textElement("li", "");
    var symbol = document.createElement("span");
    symbol.className = "nz-legend-symbol " + symbolClass;
    symbol.setAttribute("aria-hidden", "true");
    item.appendChild(symbol);
    item.appendChild(Nezarat.textElement("span", text));
    list.appendChild(item);
  }

  var SYMBOLS = {red_flag: "!", insufficient: "?", none: "–"};

  /** The ring colours in one row, worst first (red flags, then the worst dimension); each
   *  swatch says its meaning in full (title, aria-label), a key line below reads them. */
  function ringRows(list, strings, labels) {
    var item = Nezarat.textElement("li", "", "nz-legend-rings");
    item.appendChild(Nezarat.textElement("span", strings.ring || "Last visit"));
    var swatches = Nezarat.textElement("span", "", "nz-legend-swatches");
    RINGS.forEach(function (ring) {
      var swatch = Nezarat.textElement("span", SYMBOLS[ring] || ring,
                                       "nz-legend-symbol nz-legend-ring nz-ring-" +
                                       ring.replace("_", "-"));
      swatch.title = labels[ring] || ring;
      swatch.setAttribute("aria-label", swatch.title);
      swatches.appendChild(swatch);
    });
    item.appendChild(swatches);
    item.appendChild(Nezarat.textElement("span", strings.ringKey || "", "nz-legend-key"));
    list.appendChild(item);
  }

  function control(strings, options) {
    var legend = L.control({position: options.position || "bottomright"});
    legend.onAdd = function () {
      var box = L.DomUtil.create("details", "nz-legend leaflet-bar");
      box.open = true;
      box.appendChild(Nezarat.textElement("summary", strings.legend || "Legend"));
      var list = document.createElement("ul");
      ringRows(list, strings, options.ringLabels || {});
      row(list, "nz-legend-ring nz-ring-none nz-legend-stale",
          Nezarat.format(strings.stale, {days: options.staleAfterDays}));
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

  Nezarat.legend = {control: control};
}(window.L));
