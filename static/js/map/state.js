/* The map's state in the page URL, so that a link reproduces the view: the map's centre and
 * zoom, the incident filters, the heatmap switch and the open facility.
 *
 *   ?lat=34.5&lon=69.2&z=7&from=2025-01-01&to=2025-06-30&type=pushback,sgbv&severity=4,5
 *    &status=verified&organisation=<uuid>&country=AFG&facility=<uuid>&heat=1&open=<uuid>
 *
 * Filter names and their comma-separated lists are those of the map API (/api/map/...), so the
 * same query goes to the server. Values read from a link are checked here: a mangled link
 * gives a map with fewer filters, never a broken page.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
// name -> a check of one value (lists) or of the value (dates)
const CHECKS = {
  type: function (v, known) { return Object.prototype.hasOwnProperty.call(known.types, v); },
  severity: function (v) { return /^[1-5]$/.test(v); },
  status: function (v, known) { return Object.prototype.hasOwnProperty.call(known.statuses, v); },
  organisation: function (v) { return UUID.test(v); },
  country: function (v) { return /^[A-Z]{3}$/.test(v); },
  facility: function (v) { return UUID.test(v); }
};
const DATES = ["from", "to"];
const FILTERS = DATES.concat(Object.keys(CHECKS));

function emptyFilters() {
  const filters = {from: "", to: ""};
  Object.keys(CHECKS).forEach(function (name) { filters[name] = []; });
  return filters;
}

function number(value, min, max) {
  const n = parseFloat(value);
  return isFinite(n) && n >= min && n <= max ? n : null;
}

/** The state of a query string. `known`: {types: {...}, statuses: {...}} of the config. */
function read(search, known) {
  const params = new URLSearchParams(search || "");
  const filters = emptyFilters();
  DATES.forEach(function (name) {
    const value = params.get(name) || "";
    filters[name] = DAY.test(value) && !isNaN(Date.parse(value)) ? value : "";
  });
  if (filters.from && filters.to && filters.from > filters.to) { filters.to = ""; }
  Object.keys(CHECKS).forEach(function (name) {
    const seen = {};
    filters[name] = (params.get(name) || "").split(",").map(function (v) {
      return v.trim();
    }).filter(function (v) {
      if (!v || seen[v] || !CHECKS[name](v, known || {types: {}, statuses: {}})) { return false; }
      seen[v] = true;
      return true;
    });
  });
  const lat = number(params.get("lat"), -90, 90), lon = number(params.get("lon"), -180, 180);
  const zoom = number(params.get("z"), 0, 22);
  const open = params.get("open") || "";
  return {
    view: lat !== null && lon !== null && zoom !== null ? {lat: lat, lon: lon, zoom: zoom} : null,
    filters: filters,
    heat: params.get("heat") === "1",
    open: UUID.test(open) ? open : null
  };
}

/** Filters as API query parameters (only those given). */
function filterParams(filters, without) {
  const params = new URLSearchParams();
  FILTERS.forEach(function (name) {
    if (without && without.indexOf(name) >= 0) { return; }
    const value = filters[name];
    if (Array.isArray(value) ? value.length : value) {
      params.set(name, Array.isArray(value) ? value.join(",") : value);
    }
  });
  return params;
}

/** The page URL for a state (the view rounded to what a screen can tell apart), on `pathname`
 *  (the page's own path unless given). */
function url(state, pathname) {
  const params = new URLSearchParams();
  if (state.view) {
    params.set("lat", state.view.lat.toFixed(4));
    params.set("lon", state.view.lon.toFixed(4));
    params.set("z", String(state.view.zoom));
  }
  filterParams(state.filters).forEach(function (value, name) { params.set(name, value); });
  if (state.heat) { params.set("heat", "1"); }
  if (state.open) { params.set("open", state.open); }
  const text = query(params);
  return (pathname === undefined ? window.location.pathname : pathname) + (text ? "?" + text : "");
}

/** Replace the address bar's URL (no new history entry for every pan). */
function write(state) {
  const next = url(state);
  if (next !== window.location.pathname + window.location.search) {
    window.history.replaceState(null, "", next);
  }
}

/** Query parameters as text, with the commas of lists left readable. */
function query(params) {
  return params.toString().replace(/%2C/g, ",");
}

/** The names of the list filters (type, severity, ...). */
const LISTS = Object.keys(CHECKS);

export {read, write, url, filterParams, query, emptyFilters, FILTERS, LISTS};
