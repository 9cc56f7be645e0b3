// The map's state in the page URL (static/js/map/state.js): links are read defensively and
// written back so that a link reproduces the view.
import assert from "node:assert/strict";
import {test} from "node:test";

import {emptyFilters, filterParams, FILTERS, LISTS, query, read, url} from
  "../../static/js/map/state.js";

const KNOWN = {types: {pushback: "Pushback", sgbv: "SGBV"}, statuses: {verified: "Verified",
                                                                      submitted: "Submitted"}};
const ORG = "0f8fad5b-d9cb-469f-a165-70867728950e";

test("a full link is read back as it was written", () => {
  const search = "?lat=34.5&lon=69.2&z=7&from=2025-01-01&to=2025-06-30&type=pushback,sgbv" +
    "&severity=4,5&status=verified&organisation=" + ORG + "&country=AFG&heat=1&open=" + ORG;
  const state = read(search, KNOWN);
  assert.deepEqual(state.view, {lat: 34.5, lon: 69.2, zoom: 7});
  assert.deepEqual(state.filters, {from: "2025-01-01", to: "2025-06-30", type: ["pushback", "sgbv"],
                                   severity: ["4", "5"], status: ["verified"],
                                   organisation: [ORG], country: ["AFG"], facility: []});
  assert.equal(state.heat, true);
  assert.equal(state.open, ORG);
  assert.equal(url(state, "/map"), "/map?lat=34.5000&lon=69.2000&z=7&from=2025-01-01&to=2025-06-30" +
    "&type=pushback,sgbv&severity=4,5&status=verified&organisation=" + ORG +
    "&country=AFG&heat=1&open=" + ORG);
});

test("a mangled link gives fewer filters, never a broken state", () => {
  const state = read("?lat=999&lon=69&z=7&from=2025-13-45&to=yesterday&type=pushback,<script>," +
                     "pushback&severity=0,5,9&status=deleted&organisation=nope&country=afg" +
                     "&facility=" + ORG + "x&open=../../etc", KNOWN);
  assert.equal(state.view, null);  // latitude out of range: no view at all
  assert.deepEqual(state.filters, {...emptyFilters(), type: ["pushback"], severity: ["5"]});
  assert.equal(state.heat, false);
  assert.equal(state.open, null);
});

test("an end before the start is dropped; an empty query is the empty state", () => {
  assert.deepEqual(read("?from=2025-06-01&to=2025-01-01", KNOWN).filters,
                   {...emptyFilters(), from: "2025-06-01"});
  assert.deepEqual(read("", KNOWN), {view: null, filters: emptyFilters(), heat: false, open: null});
  assert.deepEqual(read(undefined).filters.type, []);  // no config: no type is known
  assert.equal(url({view: null, filters: emptyFilters()}, "/map"), "/map");
});

test("names of unknown types cannot slip in through Object's own properties", () => {
  assert.deepEqual(read("?type=constructor,toString,__proto__", KNOWN).filters.type, []);
});

test("filters as API parameters, with lists kept readable", () => {
  const filters = {...emptyFilters(), from: "2025-01-01", type: ["pushback", "sgbv"], severity: []};
  assert.equal(query(filterParams(filters)), "from=2025-01-01&type=pushback,sgbv");
  assert.equal(query(filterParams(filters, ["from", "to"])), "type=pushback,sgbv");
  assert.deepEqual(FILTERS, ["from", "to", ...LISTS]);
  assert.deepEqual(LISTS, ["type", "severity", "status", "organisation", "country", "facility"]);
});
