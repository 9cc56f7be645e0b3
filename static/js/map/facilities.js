/* The facilities layer: every facility from GET /api/map/facilities (coordinators: with the
 * latest `ring`, `stale` and `access_denied`) or GET /api/facilities (the registry,
 * keyset pages followed through their `next` links), drawn as an icon by kind. The marker
 * element carries classes: nz-kind-*, nz-status-* (open/closed), nz-ring-red-flag,
 * nz-ring-1..4, nz-ring-insufficient or nz-ring-none (the ring's colour), nz-stale (not visited for STALE_AFTER_DAYS: faded, dotted
 * ring) and nz-access-denied (a barred badge).
 *
 *   load("/api/facilities?limit=1000").then(function (collection) {
 *     const markers = layer(collection, {iconUrl: "/static/img/facilities/",
 *                                        onSelect: function (feature) {...}});
 *   });
 */
import {getJSON, textElement} from "../nezarat.js";

const L = window.L;  // Leaflet, from the vendor bundle (a classic script)

const KINDS = ["border_crossing", "reception_centre", "transit_centre", "holding_centre",
             "detention_centre", "camp", "other"];
const MAX_PAGES = 50;  // 50 x 1,000: far above any real registry, but never an endless loop
const ICON_SIZE = 30;

const RINGS = ["red_flag", "1", "2", "insufficient", "3", "4", "none"];
// Two markers closer than this (centre to centre, in pixels) would overlap: each must be a
// target of its own, at least 24 x 24 px and apart (WCAG 2.5.8 target size).
const SPACING = ICON_SIZE + 8;
const TRIES = 96;

/** The ring's class: red flags first, then the worst dimension (server.assessment.ring_of). */
export function ringClass(ring) {
  return "nz-ring-" + (RINGS.indexOf(ring) >= 0 ? ring.replace("_", "-") : "none");
}

/** All pages of a GeoJSON FeatureCollection endpoint, as one collection. */
function load(url, maxPages) {
  const features = [];
  let pages = 0;
  maxPages = maxPages || MAX_PAGES;
  function page(href) {
    return getJSON(href).then(function (body) {
      pages += 1;
      Array.prototype.push.apply(features, body.features || []);
      const next = (body.links || []).filter(function (link) { return link.rel === "next"; })[0];
      if (next && pages < maxPages) { return page(next.href); }
      return {type: "FeatureCollection", features: features,
              truncated: Boolean(next) || body.truncated === true};
    });
  }
  return page(url);
}

function kindOf(feature) {
  const kind = feature.properties && feature.properties.kind;
  return KINDS.indexOf(kind) >= 0 ? kind : "other";
}

function icon(feature, iconUrl) {
  const kind = kindOf(feature);
  const status = feature.properties.status === "closed" ? "closed" : "open";
  const image = document.createElement("img");
  image.src = iconUrl + kind + ".svg";
  image.alt = "";
  image.width = 18;
  image.height = 18;
  const holder = document.createElement("div");
  holder.appendChild(image);
  const p = feature.properties;
  const classes = ["nz-facility", "nz-kind-" + kind, "nz-status-" + status];
  if ("ring" in p) {  // the map API's layer: assessment ring, staleness, access
    classes.push(ringClass(p.ring));
    if (p.stale) { classes.push("nz-stale"); }
    if (p.access_denied) {
      classes.push("nz-access-denied");
      holder.appendChild(textElement("span", "", "nz-facility-badge"));
    }
  }
  return L.divIcon({
    html: holder.innerHTML,
    className: classes.join(" "),
    iconSize: [ICON_SIZE, ICON_SIZE],
    iconAnchor: [ICON_SIZE / 2, ICON_SIZE / 2],
    tooltipAnchor: [ICON_SIZE / 2, 0]
  });
}

/** Where a marker goes so that it overlaps none already placed nor a map control: its own
 *  point, else the first free spot on rings around it (8 spots a ring, each ring SPACING
 *  further out). */
function freeSpot(point, placed, obstacles) {
  function taken(spot) {
    return placed.some(function (q) { return q.distanceTo(spot) < SPACING; }) ||
      obstacles.some(function (box) { return box.contains(spot); });
  }
  let spot = point;
  for (let n = 1; n <= TRIES && taken(spot); n += 1) {
    const ring = Math.ceil(n / 8), angle = (n % 8) * Math.PI / 4 - Math.PI / 2 + ring * 0.39;
    spot = point.add(L.point(Math.cos(angle) * SPACING * ring, Math.sin(angle) * SPACING * ring));
  }
  return spot;
}

/** The map's controls (zoom, layers, legend, scale, attribution) in layer pixels, grown by
 *  half a marker: no marker goes under one. */
function controlBoxes(map) {
  const container = map.getContainer(), frame = container.getBoundingClientRect();
  const half = SPACING / 2;
  return Array.prototype.map.call(container.querySelectorAll(".leaflet-control"),
    function (control) {
      const r = control.getBoundingClientRect();
      const corner = map.containerPointToLayerPoint([r.left - frame.left, r.top - frame.top]);
      return L.bounds(corner.subtract([half, half]),
                      corner.add([r.width + half, r.height + half]));
    }).filter(function (box) { return box.getSize().x > SPACING; });
}

/** Markers that would overlap at the map's zoom, or lie under a map control, are moved apart,
 *  each with a thin line to its true place (a dot at the end); where none would, all sit on
 *  their place. */
function declutter(map, markers, leaders, last) {
  const placed = [], obstacles = controlBoxes(map);
  // The same zoom and the same controls over the same place: the markers stay where they are
  // (the controls' watcher and the map's events often ask again for nothing).
  const origin = map.containerPointToLayerPoint([0, 0]).round();
  const key = JSON.stringify([map.getZoom(), origin.x, origin.y, obstacles.map(function (box) {
    return [box.min.x, box.min.y, box.max.x, box.max.y].map(Math.round);
  })]);
  if (last && last.key === key && markers.every(function (marker) {
    return marker.getElement() === last.elements.get(marker);
  })) {
    return last;
  }
  leaders.clearLayers();
  markers.forEach(function (marker) {
    const element = marker.getElement();
    if (!element) { return; }
    const point = map.latLngToLayerPoint(marker.getLatLng());
    const spot = freeSpot(point, placed, obstacles);
    placed.push(spot);
    const dx = Math.round(spot.x - point.x), dy = Math.round(spot.y - point.y);
    const moved = dx !== 0 || dy !== 0;
    element.style.translate = moved ? dx + "px " + dy + "px" : "";
    element.classList.toggle("nz-facility-moved", moved);
    const tooltip = marker.getTooltip();
    if (tooltip) { tooltip.options.offset = L.point(dx, dy); }
    if (moved) {
      const there = map.layerPointToLatLng(spot);
      leaders.addLayer(L.polyline([marker.getLatLng(), there], {
        interactive: false, className: "nz-facility-leader", weight: 1.5, color: "#3d3a35"}));
      leaders.addLayer(L.circleMarker(marker.getLatLng(), {
        interactive: false, className: "nz-facility-place", radius: 2.5, weight: 1,
        color: "#ffffff", fillColor: "#3d3a35", fillOpacity: 1}));
    }
  });
  const elements = new Map();
  markers.forEach(function (marker) { elements.set(marker, marker.getElement()); });
  return {key: key, elements: elements};
}

function name(feature, language) {
  const p = feature.properties;
  const local = p.local_names || {};
  if (language === "prs" && local.prs) { return local.prs; }
  if (language === "ps" && (local.pus || local.prs)) { return local.pus || local.prs; }
  return p.name;
}

/**
 * A layer group of markers. options: iconUrl (folder of the kind icons), language,
 * kindLabels ({kind: translated label}), onSelect(feature, marker) when one is clicked,
 * describe(feature) -> a line of text added to its tooltip.
 */
function layer(collection, options) {
  options = options || {};
  const iconUrl = (options.iconUrl || "/static/img/facilities/").replace(/\/?$/, "/");
  const labels = options.kindLabels || {};
  const group = L.featureGroup(), markers = [];
  collection.features.forEach(function (feature) {
    if (!feature.geometry || feature.geometry.type !== "Point") { return; }
    const c = feature.geometry.coordinates;
    const title = name(feature, options.language);
    const marker = L.marker([c[1], c[0]], {icon: icon(feature, iconUrl), keyboard: true,
                                         title: title, riseOnHover: true});
    marker.feature = feature;
    const tip = document.createElement("span");
    tip.appendChild(textElement("strong", title));
    tip.appendChild(textElement("span", " · " + (labels[kindOf(feature)] ||
                                                         kindOf(feature))));
    if (options.describe) {  // e.g. the ring and the last visit
      tip.appendChild(textElement("span", options.describe(feature),
                                          "nz-facility-condition"));
    }
    marker.bindTooltip(tip, {direction: "top", className: "nz-facility-label"});
    marker.on("click keypress", function () {
      if (options.onSelect) { options.onSelect(feature, marker); }
    });
    group.addLayer(marker);
    markers.push(marker);
  });
  // Markers apart at every zoom (see declutter); the lines go with the layer.
  const leaders = L.layerGroup();
  let shownOn = null, watcher = null, last = null, asked = false;
  function apart() { if (shownOn) { last = declutter(shownOn, markers, leaders, last); } }
  // At most once a frame, however many controls changed size in it.
  function apartSoon() {
    if (asked) { return; }
    asked = true;
    window.requestAnimationFrame(function () { asked = false; apart(); });
  }
  group.on("add", function () {
    shownOn = group._map;
    leaders.addTo(shownOn);
    shownOn.on("zoomend viewreset moveend resize", apart);
    // A control growing or shrinking (the legend opened, filled or folded) changes what it
    // covers.
    if (!watcher && window.ResizeObserver) {
      watcher = new ResizeObserver(apartSoon);
    }
    if (watcher) {
      Array.prototype.forEach.call(shownOn.getContainer().querySelectorAll(
        ".leaflet-control-container > div"), function (corner) { watcher.observe(corner); });
    }
    apart();
  });
  group.on("remove", function () {
    if (shownOn) { shownOn.off("zoomend viewreset moveend resize", apart); }
    if (watcher) { watcher.disconnect(); }
    leaders.remove();
    shownOn = null;
    last = null;
  });
  group.declutter = apart;
  return group;
}

export {load, layer, KINDS};
