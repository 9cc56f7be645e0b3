/* The base map: a Leaflet map with the built-in offline layers, GeoJSON shipped in
 * static/basemap/ (land, borders, provinces of Afghanistan, Iran and Pakistan, towns) and, when
 * the server has a TILE_URL, an online tile layer offered as another base. Works with no
 * internet at all.
 *
 *   const base = create(element, {dataUrl: "/static/basemap/", ...});
 *   base.ready.then(function (counts) { ... });   // how many features each layer drew
 */
import {direction, getJSON, textElement} from "../nezarat.js";

const L = window.L;  // Leaflet, from the vendor bundle (a classic script)

// Afghanistan, Iran and Pakistan; and the window the built-in data covers.
const REGION = [[23.6, 44.0], [39.8, 77.9]];
const DATA_WINDOW = [[8.0, 25.0], [55.0, 100.0]];
// The land around the three countries has a pane of its own, under theirs: it can be drawn last.
const PANES = {"nz-land-around": 205, "nz-land": 210, "nz-admin1": 320, "nz-borders": 330,
               "nz-towns": 460};

const STYLE = {
  landMain: {stroke: false, fillColor: "#f6f3ec", fillOpacity: 1},
  landOther: {stroke: false, fillColor: "#e4e1da", fillOpacity: 1},
  borderMain: {color: "#5b5348", weight: 2, fill: false},
  borderOther: {color: "#8d867b", weight: 1, fill: false},
  admin1: {color: "#a59c8e", weight: 0.8, dashArray: "4 3", fill: true, fillOpacity: 0},
  admin1Hover: {weight: 2, color: "#5b5348"},
  town: {radius: 3, color: "#3d3a35", weight: 1, fillColor: "#ffffff", fillOpacity: 1}
};

/** The label of a feature in the page's language (Dari and Pashto use the Persian script). */
function label(properties, language) {
  if (language === "ps" && properties.name_ps) { return properties.name_ps; }
  if ((language === "prs" || language === "ps") && properties.name_fa) {
    return properties.name_fa.replace(/^ولایت\s+/, "");
  }
  return properties.name;
}

/** Which town ranks get a label at a zoom: capitals first, all towns when close in. */
function townRanksAt(zoom) {
  if (zoom < 6) { return 1; }
  if (zoom < 8) { return 2; }
  return 3;
}

function createPanes(map) {
  Object.keys(PANES).forEach(function (name) {
    map.createPane(name).style.zIndex = String(PANES[name]);
  });
  // Labels must not catch clicks meant for the facilities above them.
  map.getPane("nz-land-around").style.pointerEvents = "none";
  map.getPane("nz-land").style.pointerEvents = "none";
  map.getPane("nz-borders").style.pointerEvents = "none";
}

/** Land: the three countries (from their provinces) and, paler, all land around them. The
 *  groups are made empty: their shapes are added in turns (see fill). */
function landLayer(attribution) {
  const options = {pane: "nz-land", interactive: false, attribution: attribution};
  const around = L.geoJSON(null, L.extend({style: L.extend({className: "nz-land nz-land-other"},
                                                           STYLE.landOther)},
                                          options, {pane: "nz-land-around"}));
  const provinces = L.geoJSON(null, L.extend({style: function (f) {
    return L.extend({className: "nz-land nz-land-" + f.properties.country}, STYLE.landMain);
  }}, options));
  const group = L.layerGroup([around, provinces], {attribution: attribution});
  group.around = around;
  group.provinces = provinces;
  return group;
}

function borderLayer(attribution) {
  return L.geoJSON(null, {
    pane: "nz-borders", interactive: false, attribution: attribution,
    style: function (f) {
      const s = f.properties.main ? STYLE.borderMain : STYLE.borderOther;
      return L.extend({className: "nz-border nz-border-" + (f.properties.iso3 || "other")}, s);
    }
  });
}

function admin1Layer(options) {
  return L.geoJSON(null, {
    pane: "nz-admin1", attribution: options.attribution,
    style: function (f) {
      return L.extend({className: "nz-admin1 nz-admin1-" + f.properties.country}, STYLE.admin1);
    },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(textElement("span", label(f.properties, options.language)),
                        {sticky: true, direction: "top", className: "nz-admin1-label"});
      layer.on("mouseover", function () { layer.setStyle(STYLE.admin1Hover); });
      layer.on("mouseout", function () { layer.setStyle(STYLE.admin1); });
    }
  });
}

function townsLayer(map, data, options) {
  const group = L.layerGroup([], {attribution: options.attribution});
  const markers = data.features.map(function (f) {
    const c = f.geometry.coordinates;
    const marker = L.circleMarker([c[1], c[0]], L.extend({
      pane: "nz-towns", interactive: false,
      className: "nz-town nz-town-rank-" + f.properties.rank
    }, STYLE.town));
    marker.feature = f;
    return marker;
  });
  function relabel() {
    const ranks = townRanksAt(map.getZoom());
    group.clearLayers();
    markers.forEach(function (marker) {
      const rank = marker.feature.properties.rank;
      if (rank > ranks + 1) { return; }  // dots one rank ahead of their labels
      marker.unbindTooltip();
      if (rank <= ranks) {
        marker.bindTooltip(textElement("span", label(marker.feature.properties,
                                                             options.language)),
                           {permanent: true, direction: "right", offset: [4, 0],
                            pane: "nz-towns", className: "nz-town-label"});
      }
      group.addLayer(marker);
    });
  }
  map.on("zoomend", relabel);
  relabel();
  group.markers = markers;
  return group;
}

function tileLayer(options) {
  if (!options.tileUrl) { return null; }
  return L.tileLayer(options.tileUrl, {attribution: options.tileAttribution || "",
                                       maxZoom: 19, crossOrigin: false});
}

/**
 * Make the map in `element`. options: dataUrl (base URL of the GeoJSON files) or files (each
 * file's own URL, e.g. one naming its content so that browsers keep it for good), language
 * ("en" | "prs" | "ps"), direction ("ltr" | "rtl", default the page's), tileUrl,
 * tileAttribution, strings (translated layer names and attributions), bounds
 * ([[s, w], [n, e]], default the three countries), drawAfter (a promise to wait for, at most
 * DRAW_AFTER_MS, before drawing).
 */
const DRAW_AFTER_MS = 1500;

// How long one task may draw before it lets the page breathe: a long task is one over 50 ms,
// and a phone's CPU is some 4 times slower than a desktop's, so a task must end within 12 ms
// here. The last shape a slice starts may take a few milliseconds more (a province of 600
// points up to 7, a garbage collection as much again), hence the margin.
const SLICE_MS = 3;

/** Run `tasks` (functions) in slices of at most SLICE_MS each, one after another, so that a
 *  slow phone never runs one long task making or drawing the base map's SVG: the page stays
 *  responsive (Lighthouse: total blocking time). Resolves when all have run. */
function inTurns(tasks) {
  return new Promise(function (resolve) {
    let next = 0;
    function slice() {
      const until = performance.now() + SLICE_MS;
      while (next < tasks.length && performance.now() < until) {
        tasks[next]();
        next += 1;
      }
      if (next < tasks.length) { setTimeout(slice, 0); } else { resolve(); }
    }
    setTimeout(slice, 0);
  });
}

/** Tasks that add a GeoJSON file's features to an (empty) GeoJSON layer one at a time: each
 *  feature is read into shapes and drawn in one task (both are work on a phone). */
function fill(layer, collection) {
  return collection.features.map(function (feature) {
    return function () { layer.addData(feature); };
  });
}

/** Tasks that take a layer group's members off and put them back one at a time. */
function refill(group) {
  const members = group.getLayers();
  members.forEach(function (member) { group.removeLayer(member); });
  return members.map(function (member) {
    return function () { group.addLayer(member); };
  });
}

function create(element, options) {
  options = options || {};
  const strings = options.strings || {};
  // Right-to-left pages mirror the controls: what starts a line sits on the right.
  const rtl = (options.direction || direction()) === "rtl";
  const start = rtl ? "right" : "left", end = rtl ? "left" : "right";
  const map = L.map(element, {minZoom: 5, maxZoom: 18, zoomSnap: 0.5, zoomControl: false,
                            attributionControl: false,
                            maxBounds: DATA_WINDOW, maxBoundsViscosity: 1});
  createPanes(map);
  map.fitBounds(options.bounds || REGION);
  // Leaflet's own words, in the page's language.
  L.control.zoom({position: "top" + start, zoomInTitle: strings.zoomIn || "Zoom in",
                  zoomOutTitle: strings.zoomOut || "Zoom out"}).addTo(map);
  L.control.scale({imperial: false, maxWidth: 150, position: "bottom" + start}).addTo(map);
  L.control.attribution({position: "bottom" + end, prefix: "<bdi>Leaflet</bdi>"}).addTo(map);

  const base = {map: map, layers: {}, counts: {}, control: null};
  const dataUrl = (options.dataUrl || "/static/basemap/").replace(/\/?$/, "/");
  const neAttribution = strings.naturalEarth || "Boundaries: Natural Earth";
  const townAttribution = strings.geoNames || "Towns: GeoNames (CC BY 4.0)";

  const files = options.files || {};
  // Low priority: on a weak link the incidents (small, what the coordinator came for) go first.
  function get(name) { return getJSON(files[name] || dataUrl + name, {priority: "low"}); }

  // Asked for once the page's own script has run (a microtask later): its requests go first.
  const loaded = Promise.resolve().then(function () {
    return Promise.all([get("land.geojson"), get("borders.geojson"), get("admin1.geojson"),
                        get("towns.geojson")]);
  });
  // Drawing the provinces takes a slow phone most of a second: when options.drawAfter (a
  // promise) is given, that goes first (it has DRAW_AFTER_MS at most).
  const turn = options.drawAfter ? Promise.race([
    options.drawAfter.catch(function () { return null; }),
    new Promise(function (resolve) { setTimeout(resolve, DRAW_AFTER_MS); })
  ]) : Promise.resolve();
  base.ready = Promise.all([loaded, turn]).then(function (both) {
    const data = base.data = both[0];
    const layers = base.layers;
    layers.land = landLayer(neAttribution);
    layers.borders = borderLayer(neAttribution);
    layers.admin1 = admin1Layer({attribution: neAttribution, language: options.language});
    layers.towns = townsLayer(map, data[3], {attribution: townAttribution,
                                             language: options.language});
    layers.tiles = tileLayer(options);

    const bases = base.bases = {};
    bases[strings.offline || "Built-in map (offline)"] = layers.land;
    if (layers.tiles) { bases[strings.tiles || "Online map tiles"] = layers.tiles; }
    const overlays = base.overlays = {};
    overlays[strings.borders || "Borders"] = layers.borders;
    overlays[strings.provinces || "Provinces"] = layers.admin1;
    overlays[strings.towns || "Towns"] = layers.towns;

    // The layers go on the map empty; their shapes follow in turns. The land around comes
    // last: its coast is one shape of some 4,400 points, which the first shapes drawn would
    // make a long task (Leaflet's code still cold); after the provinces it takes a third.
    const tasks = [].concat(fill(layers.land.provinces, data[2]), fill(layers.borders, data[1]),
                            fill(layers.admin1, data[2]), refill(layers.towns),
                            fill(layers.land.around, data[0]));
    [layers.land, layers.borders, layers.admin1, layers.towns].forEach(function (layer) {
      layer.addTo(map);
    });
    return inTurns(tasks);
  }).then(function () {
    const data = base.data;
    base.control = L.control.layers(base.bases, base.overlays,
                                    {position: "top" + end}).addTo(map);
    const toggle = base.control.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) { toggle.title = strings.layers || "Layers"; }
    base.counts = {borders: data[1].features.length, admin1: data[2].features.length,
                   towns: data[3].features.length};
    return base.counts;
  });
  return base;
}

export {create, label, REGION, DATA_WINDOW};
