// Secondary instances in the phone app (static/mobile/js/instances.js, read by xpath.js and
// model.js): XML and GeoJSON attachments, any path into an instance, the last saved report.
import assert from "node:assert/strict";
import {test} from "node:test";
import {JSDOM} from "jsdom";

import {fromGeoJSON, fromXML, rowsOf, AttachmentError} from "../../static/mobile/js/instances.js";
import {Form} from "../../static/mobile/js/model.js";
import {compile} from "../../static/mobile/js/xpath.js";

globalThis.DOMParser ??= new JSDOM("").window.DOMParser;

const TOWNS = "<towndata z='1'><region><name>east</name><data_set>us_east</data_set><data_set>us_2</data_set></region></towndata>";
const lookup = (expression, doc) => compile(expression)({instance: () => doc, current: () => "", ref: () => ""});

test("any path into an XML attachment, with predicates and positions", () => {
  const doc = fromXML(TOWNS);
  assert.deepEqual(lookup("instance('t')/towndata/region/data_set", doc), ["us_east", "us_2"]);
  assert.equal(lookup("string(instance('t')/towndata/region[name = 'east']/data_set[2])", doc), "us_2");
  assert.equal(lookup("count(instance('t')/towndata/region[name = 'west']/data_set)", doc), 0);
});

test("an XML attachment with a DOCTYPE, or not XML, is refused", () => {
  assert.throws(() => fromXML('<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'), AttachmentError);
  assert.throws(() => fromXML("<r><unclosed></r>"), AttachmentError);
  assert.throws(() => fromXML(`<r>${"x".repeat(5_000_001)}</r>`), AttachmentError);
});

test("a GeoJSON attachment reads as ODK reads it", () => {
  const doc = fromGeoJSON(JSON.stringify({type: "FeatureCollection", features: [
    {type: "Feature", geometry: {type: "Point", coordinates: [102, 0.5]}, properties: {id: "a", title: "A", n: 3}},
    {type: "Feature", id: 7, geometry: {type: "LineString", coordinates: [[1, 2], [3, 4]]}, properties: {title: "B"}},
  ]}));
  assert.deepEqual(rowsOf(doc), [
    {geometry: "0.5 102 0 0", id: "a", title: "A", n: "3"},
    {geometry: "2 1 0 0; 4 3 0 0", id: "7", title: "B"},
  ]);
  assert.throws(() => fromGeoJSON('{"type": "Feature"}'), AttachmentError);
  assert.throws(() => fromGeoJSON(JSON.stringify({type: "FeatureCollection", features: [
    {type: "Feature", geometry: {type: "MultiPoint", coordinates: []}}]})), AttachmentError);
});

const field = (name, type, bind = {}, extra = {}) => ({name, type, label: name, bind, ...extra});

test("a form reads its XML and GeoJSON files and the last saved report", () => {
  const def = {name: "data", id_string: "d", type: "survey", children: [
    {name: "towns", type: "xml-external"},
    field("ds", "calculate", {calculate: "instance('towns')/towndata/region/data_set[2]"}),
    field("site", "select one", {}, {itemset: "sites.geojson"}),
    field("who", "text", {}, {default: "${last-saved#who}"}),
    field("prev", "calculate", {calculate: "concat('was ', ${last-saved#ds})"}),
  ]};
  const sites = JSON.stringify({type: "FeatureCollection", features: [
    {type: "Feature", geometry: {type: "Point", coordinates: [69.1, 34.5]}, properties: {id: "k", title: "Kabul"}}]});
  const form = new Form(def, {"towns.xml": TOWNS, "sites.geojson": sites});
  assert.deepEqual(form.refusals, []);
  assert.deepEqual(form.byPath.get("/data/site").choices.map((c) => [c.name, c.label]), [["k", "Kabul"]]);
  const first = form.newInstance("00000000-0000-4000-8000-000000000001");
  form.calculate(first);
  assert.equal(first.ds, "us_2");
  assert.equal(first.who, "");  // no report saved yet: blank, as in Collect
  assert.equal(first.prev, "was ");
  first.who = "Monitor A";
  const second = form.newInstance("00000000-0000-4000-8000-000000000002", first);
  form.calculate(second);
  assert.equal(second.who, "Monitor A");
  assert.equal(second.prev, "was us_2");
  assert.ok(!("towns" in second));  // an attachment is no answer
});

test("a child some items lack reads as '' in a filter, as in Collect (Web Forms: nothing)", () => {
  const places = "<root><item><name>a</name><label>A</label></item><item><name>b</name><label>B</label><region>x</region></item></root>";
  const def = (filter) => ({name: "data", id_string: "d", type: "survey", children: [
    field("p", "select one", {}, {itemset: "places.xml", choice_filter: filter}),
    field("q", "calculate", {calculate: `count(instance('places')/root/item[${filter}])`})]});
  const form = new Form(def("region = ''"), {"places.xml": places});
  assert.deepEqual(form.refusals, []);
  assert.ok(form.disagreements.some((r) => r.includes("region")));  // compared with JavaRosa
  const instance = form.newInstance("d");
  form.calculate(instance);
  assert.deepEqual(form.choicesFor(instance, form.named("p"), {}).map((c) => c.name), ["a"]);
  assert.equal(instance.q, "1");
  assert.deepEqual(new Form(def("region = 'x'"), {"places.xml": places}).disagreements, []);
  assert.ok(new Form(def(""), {"places.xml": "<root><item>"}).refusals.some((r) => r.startsWith("attachment places.xml")));
});
