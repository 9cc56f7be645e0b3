// The mobile app's form model (static/mobile/js/model.js): pyxform JSON, answers, XLSForm rules.
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {test} from "node:test";

import {Form, languages, text} from "../../static/mobile/js/model.js";

const field = (name, type, bind = {}, extra = {}) => ({name, type, label: name, bind, ...extra});
const DEF = {
  name: "t", id_string: "t", version: "1", type: "survey",
  children: [
    field("obtained", "select one", {required: "yes"},
          {choices: [{name: "full", label: "Full"}, {name: "partial", label: "Partial"}]}),
    field("reason", "text", {relevant: "${obtained} != 'full'", required: "yes",
                             "jr:requiredMsg": {"English (en)": "Say why", "Dari (prs)": "دلیل"}},
          {label: {"English (en)": "Why?", "Dari (prs)": "چرا؟"}}),
    {name: "people", type: "group", label: "People", children: [
      field("girls", "integer", {constraint: ". >= 0"}),
      field("boys", "integer"),
      field("children", "calculate", {calculate: "${girls} + ${boys}"}),
    ]},
    {name: "rooms", type: "repeat", label: "Rooms", children: [
      field("beds", "integer", {constraint: ". <= 50", "jr:constraintMsg": "At most 50"}),
    ]},
    {name: "meta", type: "group", children: [
      {name: "instanceID", type: "calculate", bind: {readonly: "true()"}},
    ]},
  ],
};

test("the form's fields, paths and languages", () => {
  const form = new Form(DEF);
  assert.deepEqual(form.problems, []);
  assert.equal(form.byPath.get("/t/people/girls").name, "girls");
  assert.deepEqual(languages(DEF), ["en", "prs"]);
  assert.equal(text({"English (en)": "Say why", "Dari (prs)": "دلیل"}, "prs"), "دلیل");
  assert.equal(text("plain", "prs"), "plain");
});

test("a new report carries its instance ID; answers nest like the XForm instance", () => {
  const form = new Form(DEF);
  const instance = form.newInstance("1234");
  assert.equal(instance.meta.instanceID, "uuid:1234");
  form.set(instance, form.named("girls"), {}, "2");
  form.set(instance, form.named("boys"), {}, "3");
  form.calculate(instance);
  assert.equal(instance.people.children, "5");
});

test("relevance, required answers and constraints", () => {
  const form = new Form(DEF);
  const instance = form.newInstance("r");
  const codes = () => form.errors(instance, "en").map((e) => [e.node.name, e.rule]);
  // Nothing answered: "reason" applies too (an empty answer is not 'full').
  assert.deepEqual(codes(), [["obtained", "required"], ["reason", "required"]]);
  form.set(instance, form.named("obtained"), {}, "full");
  assert.deepEqual(codes(), []);
  form.set(instance, form.named("obtained"), {}, "partial");
  assert.deepEqual(form.errors(instance, "en").map((e) => [e.node.name, e.message]),
                   [["reason", "Say why"]]);
  form.set(instance, form.named("reason"), {}, "closed door");
  form.set(instance, form.named("girls"), {}, "-1");
  assert.deepEqual(codes(), [["girls", "constraint"]]);
  form.set(instance, form.named("girls"), {}, "x");
  assert.deepEqual(codes(), [["girls", "integer"]]);
});

test("repeats: each entry is checked in its own scope", () => {
  const form = new Form(DEF);
  const instance = form.newInstance("r");
  form.set(instance, form.named("obtained"), {}, "full");
  const rooms = form.named("rooms");
  form.newRepeatEntry(instance, rooms, {});
  form.newRepeatEntry(instance, rooms, {});
  form.set(instance, form.named("beds"), {rooms: 1}, "60");
  assert.deepEqual(form.errors(instance, "en").map((e) => [e.scope, e.message]),
                   [[{rooms: 1}, "At most 50"]]);
});

test("answers to questions that no longer apply are blanked when sent", () => {
  const form = new Form(DEF);
  const instance = form.newInstance("r");
  form.set(instance, form.named("obtained"), {}, "partial");
  form.set(instance, form.named("reason"), {}, "a reason");
  form.set(instance, form.named("obtained"), {}, "full");
  assert.equal(form.relevantAnswers(instance).reason, "");
  assert.equal(instance.reason, "a reason");  // the draft keeps it
});

test("an unknown reference or function is reported as a problem", () => {
  const def = {...DEF, children: [field("a", "text", {relevant: "${nowhere} = 1"}),
                                  field("b", "text", {constraint: "eval('1')"})]};
  const problems = new Form(def).problems;
  assert.equal(problems.length, 2);
  assert.ok(problems.some((p) => p.includes("nowhere")));
});

test("every expression of the real visit form is understood", () => {
  const url = new URL("../../mobile_forms/build/nezarat_visit.json", import.meta.url);
  const form = new Form(JSON.parse(readFileSync(url, "utf8")), {});
  assert.deepEqual(form.problems, []);
  assert.ok(form.fields.length > 50);
});

test("a form with what the app cannot run exactly as Collect is refused, the feature named", () => {
  const def = {
    name: "r", id_string: "r", type: "survey", children: [
      field("n", "integer"),
      {name: "kids", type: "repeat", control: {"jr:count": "${n}"}, children: [field("kid", "text")]},
      field("first", "calculate", {calculate: "digest(${kid}, 'SHA-256')"}),
      field("where", "audio"),
      field("when", "date", {}, {control: {appearance: "ethiopian"}}),
      field("who", "select one", {}, {choices: [], control: {appearance: "search('people', 'matches', 'name', ${n})"}}),
      field("list", "calculate", {calculate: "instance('other')/root/item[name = 'x']/label"}),
    ],
  };
  const form = new Form(def);
  assert.ok(form.refusals.some((r) => r.startsWith("question type audio (a recording or file keeps metadata")));
  for (const feature of ["appearance ethiopian", "appearance search()",
    "instance('other')"]) {
    assert.ok(form.refusals.includes(feature), `${feature} in ${form.refusals}`);
  }
  assert.ok(form.refusals.some((r) => r.startsWith("Unsupported function digest()")));
  assert.deepEqual(new Form(DEF).refusals, []);
});

test("the visit and case forms are not refused", () => {
  for (const id of ["nezarat_visit", "nezarat_case"]) {
    const def = JSON.parse(readFileSync(new URL(`../../mobile_forms/build/${id}.json`, import.meta.url), "utf8"));
    assert.deepEqual(new Form(def, {"facilities.csv": []}).refusals, [], id);
  }
});

test("position(..) is the number of the repeat entry", () => {
  const def = {name: "p", id_string: "p", type: "survey", children: [
    {name: "rooms", type: "repeat", children: [
      field("number", "calculate", {calculate: "position(..)"}),
      {name: "g", type: "group", children: [field("inner", "calculate", {calculate: "position(..)"})]},
    ]},
  ]};
  const form = new Form(def);
  assert.deepEqual(form.refusals, []);
  const instance = form.newInstance("p");
  const rooms = form.named("rooms");
  for (let i = 0; i < 3; i += 1) form.newRepeatEntry(instance, rooms, {});
  form.calculate(instance);
  assert.deepEqual(instance.rooms.map((r) => [r.number, r.g.inner]), [["1", "1"], ["2", "1"], ["3", "1"]]);
  assert.ok(new Form({...def, children: [field("x", "calculate", {calculate: "position()"})]})
    .refusals.some((r) => r.includes("position() without a path")));
});

test("an absolute path into the repeat asking is that entry's question, as Collect", () => {
  // JavaRosa contextualizes /p/rooms/beds to the asking entry; ODK Web Forms reads the first's.
  const def = {name: "p", id_string: "p", type: "survey", children: [
    {name: "rooms", type: "repeat", children: [
      field("beds", "integer"),
      field("twice", "calculate", {calculate: "/p/rooms/beds * 2"}),
    ]},
    field("all", "calculate", {calculate: "sum(/p/rooms/beds)"}),
  ]};
  const form = new Form(def);
  assert.deepEqual(form.refusals, []);
  assert.ok(form.disagreements.some((d) => d.includes("/p/rooms/beds")));
  const instance = form.newInstance("p");
  const rooms = form.named("rooms");
  for (let i = 0; i < 2; i += 1) form.newRepeatEntry(instance, rooms, {});
  form.set(instance, form.named("beds"), {rooms: 0}, "3");
  form.set(instance, form.named("beds"), {rooms: 1}, "5");
  form.calculate(instance);
  assert.deepEqual(instance.rooms.map((r) => r.twice), ["6", "10"]);
  assert.equal(instance.all, "8");  // from outside the repeat: every entry's
});

test("a repeat count that reads the repeat's own entries is refused (Collect adds them one at a time)", () => {
  const def = (count) => ({name: "h", id_string: "h", type: "survey", children: [
    field("n", "calculate", {calculate: count}),
    {name: "flats", type: "repeat", control: {"jr:count": "${n}"}, children: [field("last", "text")]},
  ]});
  assert.deepEqual(new Form(def("2")).refusals, []);
  for (const count of ["count(${flats}) + 1", "if(indexed-repeat(${last}, ${flats}, 1) = 'yes', 1, 2)"]) {
    assert.deepEqual(new Form(def(count)).refusals, ["a repeat count that reads the repeat's own entries (/h/flats)"], count);
  }
});

test("readonly by expression, inherited from the group, as ODK", () => {
  const def = {name: "r", id_string: "r", type: "survey", children: [
    field("n", "integer"),
    field("m", "text", {readonly: "${n} > 3"}),
    {name: "g", type: "group", bind: {readonly: "${n} = 1"}, children: [field("inner", "text")]},
  ]};
  const form = new Form(def);
  assert.deepEqual(form.refusals, []);
  const instance = form.newInstance("x");
  const [m, inner] = [form.byPath.get("/r/m"), form.byPath.get("/r/g/inner")];
  assert.equal(form.isReadonly(instance, m), false);
  form.set(instance, form.byPath.get("/r/n"), {}, "5");
  assert.equal(form.isReadonly(instance, m), true);
  assert.equal(form.isReadonly(instance, inner), false);
  form.set(instance, form.byPath.get("/r/n"), {}, "1");
  assert.equal(form.isReadonly(instance, inner), true);
});

test("a calculated answer the monitor changes stands until an input of the calculation changes", () => {
  const def = {name: "c", id_string: "c", type: "survey", children: [
    field("n", "integer"),
    field("other", "text"),
    field("twice", "integer", {calculate: "${n} * 2"}),
  ]};
  const form = new Form(def);
  assert.deepEqual(form.refusals, []);
  const instance = form.newInstance("x");
  const [n, other, twice] = ["n", "other", "twice"].map((name) => form.byPath.get(`/c/${name}`));
  form.set(instance, n, {}, "3");
  form.calculate(instance);
  assert.equal(form.get(instance, twice), "6");
  const runs = form.calculations(instance, twice, {});
  form.set(instance, twice, {}, "7");  // the monitor's own answer
  form.calculate(instance);
  assert.equal(form.get(instance, twice), "7");
  form.set(instance, other, {}, "anything");  // not an input of the calculation
  form.calculate(instance);
  assert.equal(form.get(instance, twice), "7");
  form.set(instance, n, {}, "4");
  form.calculate(instance);
  assert.equal(form.get(instance, twice), "8");
  assert.ok(form.calculations(instance, twice, {}) > runs);
});

test("a calculation that needs its own value is refused", () => {
  const def = {name: "y", id_string: "y", type: "survey", children: [
    field("a", "integer", {calculate: "${b} + 1"}),
    field("b", "calculate", {calculate: "${a} + 1"}),
  ]};
  assert.ok(new Form(def).refusals.some((r) => r.startsWith("a calculation that depends on itself")));
  const self = {name: "s", id_string: "s", type: "survey", children: [field("a", "integer", {calculate: ". + 1"})]};
  assert.ok(new Form(self).refusals.some((r) => r.startsWith("a calculation that depends on itself")));
});

test("repeat_count makes as many entries as it says, as ODK", () => {
  const def = {name: "k", id_string: "k", type: "survey", children: [
    field("n", "integer"),
    {name: "kids", type: "repeat", control: {"jr:count": "current()/../n"}, children: [
      field("kid", "text", {}, {default: "x"}),
      field("number", "calculate", {calculate: "position(..)"}),
    ]},
  ]};
  const form = new Form(def);
  assert.deepEqual(form.refusals, []);
  const instance = form.newInstance("x");
  const [n, kids] = [form.byPath.get("/k/n"), form.byPath.get("/k/kids")];
  form.calculate(instance);
  assert.equal(form.get(instance, kids).length, 0);
  form.set(instance, n, {}, "3");
  form.calculate(instance);
  assert.deepEqual(form.get(instance, kids).map((e) => [e.kid, e.number]), [["x", "1"], ["x", "2"], ["x", "3"]]);
  form.set(instance, n, {}, "");  // blank: the entries stay
  form.calculate(instance);
  assert.equal(form.get(instance, kids).length, 3);
  form.set(instance, n, {}, "1");
  form.calculate(instance);
  assert.equal(form.get(instance, kids).length, 1);
  form.set(instance, n, {}, "-2");
  form.calculate(instance);
  assert.equal(form.get(instance, kids).length, 0);
});

test("a trigger sets the question when the question it names changes, and only then", () => {
  const def = {name: "g", id_string: "g", type: "survey", children: [
    field("n", "integer"),
    field("m", "integer", {calculate: "${n} + 1"}, {trigger: "${n}"}),
  ]};
  const form = new Form(def);
  assert.deepEqual(form.refusals, []);
  const instance = form.newInstance("x");
  const [n, m] = [form.byPath.get("/g/n"), form.byPath.get("/g/m")];
  form.calculate(instance);
  assert.equal(form.get(instance, m), "");
  form.set(instance, n, {}, "4");
  form.calculate(instance);
  assert.equal(form.get(instance, m), "5");
  form.set(instance, m, {}, "9");  // the monitor's own answer stands
  form.calculate(instance);
  assert.equal(form.get(instance, m), "9");
  form.set(instance, n, {}, "1");
  form.calculate(instance);
  assert.equal(form.get(instance, m), "2");
});

test("jr:choice-name() is the choice's label in the form's language; a filtered rank keeps what is offered", () => {
  const yn = [{name: "yes", label: {"English (en)": "Yes", "Dari (prs)": "بلی"}},
    {name: "no", label: {"English (en)": "No", "Dari (prs)": "نخیر"}},
    {name: "maybe", label: {"English (en)": "Maybe", "Dari (prs)": "شاید"}}];
  const def = {name: "c", id_string: "c", type: "survey", children: [
    field("all", "select one", {}, {choices: yn}),
    field("named", "calculate", {calculate: "jr:choice-name(${all}, '${all}')"}),
    field("sure", "select one", {}, {choices: [{name: "y", label: "Y"}, {name: "n", label: "N"}]}),
    field("order", "rank", {}, {choices: yn, choice_filter: "${sure} = 'n' or name != 'maybe'"}),
  ]};
  const form = new Form(def);
  assert.deepEqual(form.refusals, []);
  const instance = form.newInstance("x");
  const get = (name) => form.get(instance, form.byPath.get(`/c/${name}`));
  form.set(instance, form.byPath.get("/c/all"), {}, "no");
  form.calculate(instance);
  assert.equal(get("named"), "No");
  form.language = "prs";
  form.set(instance, form.byPath.get("/c/all"), {}, "yes");
  form.calculate(instance);
  assert.equal(get("named"), "بلی");
  form.calculate(instance);
  assert.equal(get("order"), "");  // blank until ranked
  form.set(instance, form.byPath.get("/c/sure"), {}, "n");
  form.set(instance, form.byPath.get("/c/order"), {}, "maybe no yes");
  form.calculate(instance);
  assert.equal(get("order"), "maybe no yes");
  form.set(instance, form.byPath.get("/c/sure"), {}, "y");
  form.calculate(instance);
  assert.equal(get("order"), "no yes");
  form.set(instance, form.byPath.get("/c/sure"), {}, "n");
  form.calculate(instance);
  assert.equal(get("order"), "no yes maybe");
});

test("widgets' answers and actions as pyxform writes them: fixed repeat, positions, typed defaults", () => {
  const def = {
    name: "w", id_string: "w", type: "survey", children: [
      {name: "where", type: "start-geopoint", actions: [{name: "odk:setgeopoint", event: "odk-instance-first-load"}]},
      field("t", "text"),
      {name: "moved", type: "background-geopoint", trigger: ["t"]},
      {name: "fixed", type: "repeat", control: {"jr:noAddRemove": "true()"}, children: [
        field("f", "text"),
        {...field("here", "text"), actions: [{name: "odk:setgeopoint", event: "odk-new-repeat"}]},
      ]},
      field("trace", "geotrace", {}, {default: "1 2 0 0; 3 4 0 0"}),
      field("day", "date", {}, {default: "2025-12-21T23:30:05"}),
      field("r", "range", {}, {parameters: {start: "-2.0", end: "2", step: "0.5"}}),
    ],
  };
  const form = new Form(def);
  assert.deepEqual(form.refusals, []);
  let position = "34.5 69.1 1000 5";
  form.locate = () => position;
  const instance = form.newInstance("00000000-0000-4000-8000-000000000000");
  form.calculate(instance);
  assert.equal(instance.where, "34.5 69.1 1000 5");
  assert.equal(instance.trace, "1 2 0 0;3 4 0 0");
  assert.equal(instance.day, "2025-12-21");
  // The fixed repeat has its one entry, made with the position of the moment; no more come.
  assert.equal(instance.fixed.length, 1);
  assert.equal(instance.fixed[0].here, "34.5 69.1 1000 5");
  // background-geopoint: taken again when its trigger changes, not before.
  assert.equal(instance.moved ?? "", "");
  position = "35 70 0 3";
  instance.t = "moved on";
  form.calculate(instance);
  assert.equal(instance.moved, "35 70 0 3");
  form.calculate(instance);
  assert.equal(form.get(instance, form.byPath.get("/w/fixed"), {}).length, 1);
  // A range's answer is a number.
  const r = form.byPath.get("/w/r");
  instance.r = "1.5";
  assert.equal(form.check(instance, r, {}), null);
  instance.r = "x";
  assert.equal(form.check(instance, r, {}).rule, "decimal");
  // No position to be had: left blank, as ODK without one.
  const none = new Form(def);
  assert.equal(none.newInstance("00000000-0000-4000-8000-000000000001").where ?? "", "");
  // A range ODK refuses (bounds that are not numbers) is refused.
  const bad = new Form({...def, children: [field("r", "range", {}, {parameters: {start: "-2.0.1", end: "2", step: "1"}})]});
  assert.ok(bad.refusals.includes("a range whose start, end or step is not a number"));
});

test("jr:itext(): a choice list's instance carries itextId when pyxform writes one; the id's text in the form's language", () => {
  // As pyxform 4.5 gives it (Survey.to_json_dict()) for a select of translated choices.
  const income = [{name: "1", label: {"English (en)": "Low", "Dari (prs)": "کم"}},
    {name: "2", label: {"English (en)": "High", "Dari (prs)": "زیاد"}}];
  const plain = [{name: "a", label: "A"}, {name: "b", label: "B"}];
  const def = {name: "t", id_string: "t", type: "survey",
    choices: {income, plain},
    children: [
      {name: "inc", type: "select one", itemset: "income", list_name: "income",
        label: {"English (en)": "Income", "Dari (prs)": "درآمد"}, children: income},
      {name: "p", type: "select one", itemset: "plain", list_name: "plain", label: "P", children: plain},
      {name: "cls", type: "calculate", bind: {calculate: "jr:itext(instance('income')/root/item[name = ${inc}]/itextId)"}},
      {name: "q", type: "calculate", bind: {calculate: "jr:itext('/t/inc:label')"}},
      {name: "id", type: "calculate", bind: {calculate: "instance('income')/root/item[name = ${inc}]/itextId"}},
      {name: "pl", type: "calculate", bind: {calculate: "instance('plain')/root/item[name = ${p}]/label"}},
      {name: "pi", type: "calculate", bind: {calculate: "count(instance('plain')/root/item/itextId)"}},
    ]};
  const form = new Form(def);
  assert.deepEqual(form.refusals, []);
  const instance = form.newInstance("x");
  const get = (name) => form.get(instance, form.byPath.get(`/t/${name}`));
  form.set(instance, form.byPath.get("/t/inc"), {}, "2");
  form.set(instance, form.byPath.get("/t/p"), {}, "b");
  form.calculate(instance);
  assert.equal(get("id"), "income-1");
  assert.equal(get("cls"), "High");  // no language chosen: the first, as ODK's default
  assert.equal(get("q"), "Income");
  assert.equal(get("pl"), "B");  // an untranslated list: label, no itextId
  assert.equal(get("pi"), "0");
  form.language = "prs";
  form.set(instance, form.byPath.get("/t/inc"), {}, "1");
  form.calculate(instance);
  assert.equal(get("cls"), "کم");

  // Ids the app cannot know from pyxform's JSON are refused, named.
  const refused = (calculate, extra = {}) => new Form({...def, ...extra, children: [...def.children,
    {name: "bad", type: "calculate", bind: {calculate}}]}).refusals;
  assert.deepEqual(refused("jr:itext('x')"), ["jr:itext() of an id the app cannot know ('x') (jr:itext('x'))"]);
  assert.deepEqual(refused("jr:itext('income-7')"), ["jr:itext() of an id the app cannot know ('income-7') (jr:itext('income-7'))"]);
  assert.deepEqual(refused("jr:itext('/t/p:label')"), ["jr:itext() of a label that is not translated (jr:itext('/t/p:label'))"]);
  assert.deepEqual(refused("jr:itext(${p})"), ["jr:itext() of an id the app cannot know (jr:itext(${p}))"]);
  assert.deepEqual(refused("jr:itext(instance('plain')/root/item[name = ${p}]/itextId)"),
    ["jr:itext() of instance('plain'), whose items have no itextId (jr:itext(instance('plain')/root/item[name = ${p}]/itextId))"]);
  assert.deepEqual(refused("jr:itext('income-0', 'x')"), ["Unsupported jr:itext() without one id in jr:itext('income-0', 'x')"]);
  const shows = [{name: "1", label: {"English (en)": "Hello ${p}"}}];
  assert.deepEqual(refused("jr:itext('hi-0')", {choices: {...def.choices, hi: shows}}),
    ["jr:itext() of a label that shows an answer (jr:itext('hi-0'))"]);
});
