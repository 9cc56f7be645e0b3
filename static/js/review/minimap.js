/* A small map in a visit's details: the facility, where the device was when the report was made
 * with its accuracy circle, and the points of the visit's incidents, on the built-in base map
 * (GeoJSON from our own server: no tile server, works with no internet).
 */
import * as basemap from "../map/basemap.js";
import {textElement} from "../nezarat.js";

const L = window.L;  // Leaflet, from the vendor bundle (a classic script)

function lonLat(geometry) {
  return geometry && geometry.type === "Point" ? [geometry.coordinates[1],
                                                  geometry.coordinates[0]] : null;
}

/** Draw the map of `detail` (GET /api/visits/{id}) in a new element appended to `container`
 *  (in the page: Leaflet measures it); returns it. Its map gets data-ready="true" and
 *  data-points (what was drawn) once the base map has drawn. */
export function miniMap(detail, config, container) {
  const strings = config.strings || {};
  const box = textElement("figure", "", "nz-minimap");
  const holder = document.createElement("div");
  holder.className = "nz-minimap-map";
  holder.setAttribute("role", "group");  // a map with its zoom and layer controls
  box.appendChild(holder);
  const legend = textElement("figcaption", "", "nz-minimap-legend");
  box.appendChild(legend);
  container.appendChild(box);
  if (!L) { return box; }

  const points = {facility: lonLat(detail.facility_position), device: lonLat(detail.position),
                  incidents: (detail.incidents || []).map((i) => lonLat(i.position))
                    .filter(Boolean)};
  const all = [points.facility, points.device].concat(points.incidents).filter(Boolean);
  const base = basemap.create(holder, {files: config.basemapFiles, dataUrl: config.basemapUrl,
                                       language: config.language, strings: strings});
  const map = base.map;
  const shown = [];
  function say(cls, text) {
    const item = textElement("span", text, "nz-minimap-key " + cls);
    legend.appendChild(item);
    shown.push(text);
  }
  if (points.facility) {
    L.circleMarker(points.facility, {radius: 7, color: "#1d3f6e", weight: 2, fillColor: "#ffffff",
                                     fillOpacity: 1, className: "nz-minimap-facility"})
      .bindTooltip(textElement("span", detail.facility_name || "")).addTo(map);
    say("nz-key-facility", strings.mapFacility);
  }
  if (points.device) {
    if (detail.position_accuracy_m) {
      L.circle(points.device, {radius: detail.position_accuracy_m, color: "#b25e00", weight: 1,
                               fillOpacity: 0.15, className: "nz-minimap-accuracy"}).addTo(map);
    }
    L.circleMarker(points.device, {radius: 5, color: "#b25e00", weight: 2, fillColor: "#b25e00",
                                   fillOpacity: 1, className: "nz-minimap-device"}).addTo(map);
    say("nz-key-device", strings.mapDevice + (detail.position_accuracy_m
      ? " (± " + Math.round(detail.position_accuracy_m) + " m)" : ""));
  }
  points.incidents.forEach((point) => {
    L.circleMarker(point, {radius: 5, color: "#8a1c1c", weight: 2, fillColor: "#e2a3a3",
                           fillOpacity: 1, className: "nz-minimap-incident"}).addTo(map);
  });
  if (points.incidents.length) { say("nz-key-incident", strings.mapIncidents); }
  holder.setAttribute("aria-label", shown.join(", ") || strings.mapNothing);
  if (all.length) {
    map.fitBounds(L.latLngBounds(all).pad(0.3), {maxZoom: 12});
  }
  base.ready.then(() => {
    map.invalidateSize();
    if (all.length) { map.fitBounds(L.latLngBounds(all).pad(0.3), {maxZoom: 12}); }
    holder.setAttribute("data-points", JSON.stringify(points));
    holder.setAttribute("data-ready", "true");
  }, () => { holder.setAttribute("data-ready", "error"); });
  return box;
}
