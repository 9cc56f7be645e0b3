/* The coordinator workspace page (/map): the base map and the facilities on it and, for
 * coordinators (config.workspace), the incidents layer with its filters and time slider, the
 * facility panel, the legend and the export links. The URL holds the view and the filters
 * (state.js), so a link reproduces what the coordinator saw.
 *
 * The page gives its settings in <script type="application/json" id="nz-map-config">
 * (URLs, tile server, language, translated strings). When the map is drawn, the map element
 * says so: data-ready="true" (or "error") and data-counts, what the base map and facilities
 * layers drew ({"borders": n, "admin1": n, "towns": n, "facilities": n, "truncated": bool});
 * its data-incident-* attributes say what the incidents layer last drew.
 * This is the page's entry module: esbuild bundles it with its imports (server/web/assets.py).
 */
import * as dates from "../dates.js";
import {direction, format, getJSON, readData} from "../nezarat.js";
import * as basemap from "./basemap.js";
import * as facilityLayer from "./facilities.js";
import * as facilityPanel from "./panel.js";
import * as filterForm from "./filters.js";
import * as incidentLayer from "./incidents.js";
import * as legend from "./legend.js";
import * as mapState from "./state.js";
import * as timeSlider from "./timeline.js";

const L = window.L;  // Leaflet, from the vendor bundle (a classic script)

function status(element, text, isError) {
  if (!element) { return; }
  element.textContent = text || "";
  element.classList.toggle("nz-error", Boolean(isError));
  element.hidden = !text;
}

/** The facility tooltip's line: the last visit's ring (red flags first, then the worst
 *  dimension), its date, access denied. `ws` is the workspace config. */
function conditionLine(ws) {
  const strings = ws.strings;
  return function (feature) {
    const p = feature.properties;
    if (!("ring" in p)) { return ""; }
    const parts = [((ws.ringLabels || {})[p.ring] || p.ring)];
    parts.push(strings.lastVisit + ": " + (p.last_visit ? dates.day(p.last_visit) : strings.never));
    if (p.access_denied) { parts.push(strings.accessDenied); }
    return " · " + parts.join(" · ");
  };
}

/** What the map shows, in sentences: how many incidents, and how to read the layer. */
function summarise(strings, answer) {
  if (!answer.total) { return strings.noneInView; }
  const note = {points: strings.pointsNote, heatmap: strings.heatNote}[answer.mode] ||
    strings.cellsNote;
  return format(strings.inView, {count: answer.total.toLocaleString(
    document.documentElement.lang || "en")}) + " " + note;
}

/** Filters as the map API's query. No status chosen means every status but rejected:
 *  a rejected report is not an incident to map unless asked for. */
function apiParams(filters, statuses, without) {
  const params = mapState.filterParams(filters, without);
  if (!filters.status.length) {
    params.set("status", Object.keys(statuses).filter(function (s) {
      return s !== "rejected";
    }).join(","));
  }
  return params;
}

/** The incidents, filters, time slider, panel and export of a coordinator's workspace. */
function coordinatorParts(workspace, config, element, statusElement, onFirstDraw) {
  const ws = config.workspace, strings = ws.strings, map = workspace.map;
  const known = {types: ws.typeLabels, statuses: ws.statusLabels};
  const state = mapState.read(window.location.search, known);
  const form = document.getElementById("nz-filters");
  const heatBox = form.elements.heat;
  const summary = document.getElementById("nz-incident-summary");
  const exportLinks = {csv: document.getElementById("nz-export-csv"),
                     geojson: document.getElementById("nz-export-geojson")};
  let buckets = [], loads = 0;

  if (state.view) { map.setView([state.view.lat, state.view.lon], state.view.zoom, {animate: false}); }

  const key = legend.control(strings, {
    position: direction() === "rtl" ? "bottomleft" : "bottomright",
    staleAfterDays: ws.staleAfterDays, severityLabels: ws.severityLabels,
    ringLabels: ws.ringLabels
  }).addTo(map);
  const incidents = incidentLayer.create(map, {
    url: ws.incidentsUrl, strings: strings, typeLabels: ws.typeLabels,
    statusLabels: ws.statusLabels, onDraw: key.show
  });
  const filters = filterForm.create(form, {onChange: function (chosen) {
    const datesOnly = mapState.LISTS.every(function (name) {
      return chosen[name].join(",") === state.filters[name].join(",");
    });
    state.filters = chosen;
    refresh(!datesOnly);
  }});
  const timeline = timeSlider.create(document.getElementById("nz-timeline"), {
    strings: strings,
    onChange: function (from, to) {
      state.filters.from = from;
      state.filters.to = to;
      filters.write(state.filters);
      refresh(false);
    }
  });
  const panel = facilityPanel.create(document.getElementById("nz-facility-panel"), {
    historyUrl: ws.historyUrl, reviewUrl: ws.reviewUrl, strings: strings,
    casesUrl: ws.casesUrl, casesPage: ws.casesPage,
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
    const centre = map.getCenter();
    state.view = {lat: centre.lat, lon: centre.lng, zoom: map.getZoom()};
    state.heat = heatBox.checked;
    mapState.write(state);
  }

  function updateExports() {
    Object.keys(exportLinks).forEach(function (format) {
      const params = apiParams(state.filters, ws.statusLabels);
      params.set("format", format);
      params.set("bbox", incidentLayer.bboxOf(map));
      exportLinks[format].href = ws.exportUrl + "?" + mapState.query(params);
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
        onFirstDraw();
        summary.textContent = summarise(strings, answer);
        return answer;
      }).catch(function (error) {
        summary.textContent = "";
        status(statusElement, strings.failed + " " + error.message, true);
        element.setAttribute("data-incident-mode", "error");
        onFirstDraw();
      });
  }

  function drawHistogram() {
    const params = apiParams(state.filters, ws.statusLabels, ["from", "to"]);
    // Bars by month of the person's calendar (static/js/dates.js).
    params.set("interval", dates.calendar() === "solar_hijri" ? "solar_month" : "month");
    return getJSON(ws.histogramUrl + "?" + mapState.query(params))
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
  refresh(true);
  if (state.open) { panel.open(state.open); }
  return {state: state, incidents: incidents, filters: filters, timeline: timeline,
          panel: panel, refresh: refresh};
}

function start() {
  const element = document.getElementById("nz-map");
  if (!element) { return; }
  const config = readData("nz-map-config", {});
  const strings = config.strings || {};
  const statusElement = document.getElementById("nz-map-status");

  // A coordinator's first incidents are drawn before the base map (what a slow phone sees first).
  let firstDrawn = function () {};
  const incidentsDrawn = new Promise(function (resolve) { firstDrawn = resolve; });
  const base = basemap.create(element, {
    dataUrl: config.basemapUrl, files: config.basemapFiles, language: config.language,
    strings: strings, tileUrl: config.tileUrl, tileAttribution: config.tileAttribution,
    drawAfter: config.workspace ? incidentsDrawn : null
  });
  const workspace = {map: base.map, basemap: base, layers: base.layers};
  const parts = config.workspace ? coordinatorParts(workspace, config, element, statusElement,
                                                        firstDrawn) : null;
  workspace.parts = parts;

  const facilities = facilityLayer.load(config.facilitiesUrl).then(function (collection) {
    const layer = facilityLayer.layer(collection, {
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

  Promise.all([base.ready, facilities]).then(function (counts) {
    base.control.addOverlay(workspace.layers.facilities, strings.facilities || "Facilities");
    if (parts) {
      base.control.addOverlay(parts.incidents.layer,
                              config.workspace.strings.incidents || "Incidents");
    }
    element.setAttribute("data-counts", JSON.stringify(L.extend({}, counts[0], counts[1])));
    element.setAttribute("data-ready", "true");
    status(statusElement, counts[1].truncated ? strings.truncated : "");
  }).catch(function (error) {
    element.setAttribute("data-ready", "error");
    status(statusElement, (strings.loadFailed || "The map could not load:") + " " +
           error.message, true);
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
