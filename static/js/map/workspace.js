/* The coordinator workspace page (/map): the base map and the facilities on it and, for
 * coordinators (config.workspace), the incidents layer with its filters and time slider, the
 * facility panel, the legend and the export links. The URL holds the view and the filters
 * (Nezarat.mapState), so a link reproduces what the coordinator saw.
 *
 * The page gives its settings in <script type="application/json" id="nz-map-config">
 * (URLs, tile server, language, translated strings). After start, Nezarat.workspace holds the
 * map, the layers, the parts of the workspace and `ready`, a promise of what was drawn.
 * The map element's data-incident-* attributes say what the incidents layer last drew.
 */
(function (L) {
  "use strict";

  var Nezarat = window.Nezarat = window.Nezarat || {};

  function status(element, text, isError) {
    if (!element) { return; }
    element.textContent = text || "";
    element.classList.toggle("nz-error", Boolean(isError));
    element.hidden = !text;
  }

  /** The facility tooltip's line: the last visit's ring (red flags first, then the worst
   *  dimension), its date, access denied. `ws` is the workspace config. */
  function conditionLine(ws) {
    var strings = ws.strings;
    return function (feature) {
      var p = feature.properties;
      if (!("ring" in p)) { return ""; }
      var parts = [((ws.ringLabels || {})[p.ring] || p.ring)];
      parts.push(strings.lastVisit + ": " + (p.last_visit || strings.never));
      if (p.access_denied) { parts.push(strings.accessDenied); }
      return " · " + parts.join(" · ");
    };
  }

  /** Filters as the map API's query. No status chosen means every status but rejected:
   *  a rejected report is not an incident to map unless asked for. */
  function apiParams(filters, statuses, without) {
    var params = Nezarat.mapState.filterParams(filters, without);
    if (!filters.status.length) {
      params.set("status", Object.keys(statuses).filter(function (s) {
        return s !== "rejected";
      }).join(","));
    }
    return params;
  }

  /** The incidents, filters, time slider, panel and export of a coordinator's workspace. */
  function coordinatorParts(workspace, config, element, statusElement) {
    var ws = config.workspace, strings = ws.strings, map = workspace.map;
    var known = {types: ws.typeLabels, statuses: ws.statusLabels};
    var state = Nezarat.mapState.read(window.location.search, known);
    var form = document.getElementById("nz-filters");
    var heatBox = form.elements.heat;
    var summary = document.getElementById("nz-incident-summary");
    var exportLinks = {csv: document.getElementById("nz-export-csv"),
                       geojson: document.getElementById("nz-export-geojson")};
    var buckets = [], loads = 0;

    if (state.view) { map.setView([state.view.lat, state.view.lon], state.view.zoom, {animate: false}); }

    var incidents = Nezarat.incidents.create(map, {
      url: ws.incidentsUrl, strings: strings, typeLabels: ws.typeLabels,
      statusLabels: ws.statusLabels
    });
    var filters = Nezarat.filterForm.create(form, {onChange: function (chosen) {
      var datesOnly = Nezarat.mapState.LISTS.every(function (name) {
        return chosen[name].join(",") === state.filters[name].join(",");
      });
      state.filters = chosen;
      refresh(!datesOnly);
    }});
    var timeline = Nezarat.timeline.create(document.getElementById("nz-timeline"), {
      strings: strings,
      onChange: function (from, to) {
        state.filters.from = from;
        state.filters.to = to;
        filters.write(state.filters);
        refresh(false);
      }
    });
    var panel = Nezarat.facilityPanel.create(document.getElementById("nz-facility-panel"), {
      historyUrl: ws.historyUrl, reviewUrl: ws.reviewUrl, strings: strings,
      areaLabels: ws.areaLabels, accessLabels: ws.accessLabels, statusLabels: ws.statusLabels,
      method: ws,  // dimension, rating, ring, red-flag, evidence and state labels
      typeLabels: ws.typeLabels, kindLabels: config.kindLabels,
      onOpen: function (id) { state.open = id; remember(); map.invalidateSize(); },
      onClose: function () {
        state.open = null;
        remember();
        map.invalidateSize();
        element.focus();
      },
      onFilterFacility: function (id) {
        state.filters.facility = [id];
        filters.write(state.filters);
        refresh(true);
      }
    });

    function remember() {
      var centre = map.getCenter();
      state.view = {lat: centre.lat, lon: centre.lng, zoom: map.getZoom()};
      state.heat = heatBox.checked;
      Nezarat.mapState.write(state);
    }

    function updateExports() {
      Object.keys(exportLinks).forEach(function (format) {
        var params = apiParams(state.filters, ws.statusLabels);
        params.set("format", format);
        params.set("bbox", Nezarat.incidents.bboxOf(map));
        exportLinks[format].href = ws.exportUrl + "?" + Nezarat.mapState.query(params);
      });
    }

    function drawIncidents() {
      summary.textContent = strings.loading;
      return incidents.refresh(apiParams(state.filters, ws.statusLabels), state.heat)
        .then(function (answer) {
          if (!answer) { return null; }
          loads += 1;
          element.setAttribute("data-incident-mode", answer.mode);
          element.setAttribute("data-incident-total", String(answer.total));
          element.setAttribute("data-incident-loads", String(loads));
          summary.textContent = Nezarat.format(strings.inView, {count: answer.total}) + " " +
            (answer.mode === "points" ? strings.pointsNote : strings.cellsNote);
          return answer;
        }).catch(function (error) {
          summary.textContent = "";
          status(statusElement, strings.failed + " " + error.message, true);
          element.setAttribute("data-incident-mode", "error");
        });
    }

    function drawHistogram() {
      var params = apiParams(state.filters, ws.statusLabels, ["from", "to"]);
      params.set("interval", "month");
      return Nezarat.getJSON(ws.histogramUrl + "?" + Nezarat.mapState.query(params))
        .then(function (histogram) {
          buckets = histogram.buckets;
          timeline.update(buckets, state.filters.from, state.filters.to);
        }).catch(function (error) {
          status(statusElement, strings.failed + " " + error.message, true);
        });
    }

    /** After a change of filters: the URL, the layer, the export links, and the time slider
     *  (its bars only change with filters other than the dates). */
    function refresh(newBars) {
      remember();
      updateExports();
      drawIncidents();
      if (newBars) { drawHistogram(); } else { timeline.update(buckets, state.filters.from,
                                                               state.filters.to); }
    }

    filters.write(state.filters);
    heatBox.checked = state.heat;
    heatBox.addEventListener("change", function () {
      state.heat = heatBox.checked;
      remember();
      drawIncidents();
    });
    map.on("moveend", function () { remember(); updateExports(); drawIncidents(); });
    element.addEventListener("nz:facility-selected", function (event) {
      panel.open(event.detail.id);
    });
    Nezarat.legend.control(strings, {position: Nezarat.direction() === "rtl" ? "bottomleft"
                                                                             : "bottomright",
                                     staleAfterDays: ws.staleAfterDays,
                                     ringLabels: ws.ringLabels}).addTo(map);
    refresh(true);
    if (state.open) { panel.open(state.open); }
    return {state: state, incidents: incidents, filters: filters, timeline: timeline,
            panel: panel, refresh: refresh};
  }

  function start() {
    var element = document.getElementById("nz-map");
    if (!element) { return; }
    var config = Nezarat.readData("nz-map-config", {});
    var strings = config.strings || {};
    var statusElement = document.getElementById("nz-map-status");

    var base = Nezarat.basemap.create(element, {
      dataUrl: config.basemapUrl, language: config.language, strings: strings,
      tileUrl: config.tileUrl, tileAttribution: config.tileAttribution
    });
    var workspace = Nezarat.workspace = {map: base.map, basemap: base, layers: base.layers};
    var parts = config.workspace ? coordinatorParts(workspace, config, element, statusElement)
                                 : null;
    workspace.parts = parts;

    var facilities = Nezarat.facilities.load(config.facilitiesUrl).then(function (collection) {
      var layer = Nezarat.facilities.layer(collection, {
        iconUrl: config.iconUrl, language: config.language, kindLabels: config.kindLabels,
        describe: config.workspace ? conditionLine(config.workspace) : null,
        onSelect: function (feature) {
          element.dispatchEvent(new CustomEvent("nz:facility-selected", {detail: feature}));
        }
      }).addTo(base.map);
      workspace.layers.facilities = layer;
      if (parts) {
        parts.filters.setFacilities(collection.features, function (f) {
          return f.properties.name;
        });
      }
      return {facilities: collection.features.length, truncated: collection.truncated};
    });

    workspace.ready = Promise.all([base.ready, facilities]).then(function (counts) {
      base.control.addOverlay(workspace.layers.facilities, strings.facilities || "Facilities");
      if (parts) {
        base.control.addOverlay(parts.incidents.layer,
                                config.workspace.strings.incidents || "Incidents");
      }
      workspace.counts = L.extend({}, counts[0], counts[1]);
      element.setAttribute("data-ready", "true");
      status(statusElement, counts[1].truncated ? strings.truncated : "");
      return workspace.counts;
    }).catch(function (error) {
      element.setAttribute("data-ready", "error");
      status(statusElement, (strings.loadFailed || "The map could not load:") + " " +
             error.message, true);
      throw error;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}(window.L));
