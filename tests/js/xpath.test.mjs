// The XLSForm expression engine of the mobile app (static/mobile/js/xpath.js), run under node.
import assert from "node:assert/strict";
import {test} from "node:test";

import {compile, ExpressionError, itextArguments, references, toBoolean, toNumber, toString} from
  "../../static/mobile/js/xpath.js";

const values = {obtained: "partial", facility_kind: "border_crossing", toilets: "4",
                profiles_present: "journalist elderly", type: "other"};
const ctx = {
  ref: (name) => values[name] ?? "",
  current: () => "3",
  path: (steps) => ({girls: "1", boys: "1"})[steps[steps.length - 1]] ?? "",
  instance: () => [{name: "f1", kind: "detention_centre"}],
};
const run = (expression) => compile(expression)(ctx);

test("comparisons of references and the current value", () => {
  assert.equal(run("${obtained} != 'full'"), true);
  assert.equal(run("${type} = 'other'"), true);
  assert.equal(run(". >= 0 and . <= ../girls + ../boys"), false);  // 3 > 1 + 1
  assert.equal(run("${toilets} != '' and . <= ${toilets}"), true);
});

test("select functions", () => {
  assert.equal(run("selected('border_crossing holding_centre', ${facility_kind})"), true);
  assert.equal(run("selected(${profiles_present}, 'journalist')"), true);
  assert.equal(run("selected(${profiles_present}, 'child')"), false);
  assert.equal(run("count-selected(${profiles_present})"), 2);
});

test("arithmetic, strings and conditionals", () => {
  assert.equal(run("1 + 2 * 3"), 7);
  assert.equal(run("7 mod 4"), 3);
  assert.equal(run("10 div 4"), 2.5);
  assert.equal(run("concat('a', 'b', 1)"), "ab1");
  assert.equal(run("if(${toilets} > 3, 'many', 'few')"), "many");
  assert.equal(run("string-length('دری')"), 3);
});

test("instance lookups and dates", () => {
  assert.equal(run("string(instance('facilities')/root/item[name='f1']/kind)"), "detention_centre");
  assert.equal(run("'2020-01-01' <= today()"), true);
});

test("expressions that are not XLSForm are refused, never run", () => {
  // Names inherited by every JS object are no XLSForm functions either.
  for (const bad of ["alert(1)", "${a} +", "constructor.constructor('x')()", "1 ) (",
                     "constructor('x')", "__proto__(1)", "toString()", "hasOwnProperty('a')"]) {
    assert.throws(() => compile(bad), ExpressionError, bad);
  }
});

test("references lists the ${names} an expression reads", () => {
  assert.deepEqual([...new Set(references("${a} + ${b} > ${a}"))].sort(), ["a", "b"]);
});

test("conversions follow XPath", () => {
  assert.equal(toNumber(""), NaN);
  assert.equal(toNumber(" 4 "), 4);
  assert.equal(toBoolean(""), false);
  assert.equal(toBoolean("0"), true);  // a non-empty string is true
  assert.equal(toString(true), "true");
});

test("jr:itext(id): the id's text from the context; what each call reads, for the app's check", () => {
  const texts = {"seclass-2": "Middle"};
  const doc = {name: "", children: [{name: "root", children: [
    {name: "item", children: [{name: "itextId", text: "seclass-2"}, {name: "name", text: "3"}]}]}]};
  const with_ = {...ctx, itext: (id) => texts[id] ?? "", instance: (id) => (id === "seclass" ? doc : null)};
  assert.equal(compile("jr:itext(instance('seclass')/root/item[name = '3']/itextId)")(with_), "Middle");
  assert.equal(compile("jr:itext('seclass-2')")(with_), "Middle");
  assert.equal(compile("jr:itext(instance('seclass')/root/item[name = '9']/itextId)")(with_), "");
  assert.deepEqual(itextArguments("concat(jr:itext('a-0'), jr:itext(instance('l')/root/item[name = ${x}]/itextId), jr:itext(${x}))"),
    [{literal: "a-0"}, {instance: "l", last: "itextId"}, {}]);
  assert.throws(() => compile("jr:itext('a', 'b')"), ExpressionError);
});
