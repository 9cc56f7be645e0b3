// ODK's XPath functions the app evaluates (static/mobile/js/odk_functions.js), each compared
// with ODK's own engine on small forms: every calculation below is filled in both and the
// submissions must be identical (the harness of tests/js/odk-conformance.test.mjs), so a value
// that differs in one digit, one shuffled place or one date field fails.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { compare } from "./odk/harness.mjs";
import { xformToDef } from "./odk/xform.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const escape = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

// A form with one calculation per expression (c0, c1, ...), and optional inputs and instances.
function form(expressions, { inputs = "", instances = "", body = "" } = {}) {
  const names = expressions.map((_, i) => `c${i}`);
  return `<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa">
  <h:head><h:title>f</h:title><model>
    <instance><data id="f">${inputs}${names.map((n) => `<${n}/>`).join("")}<meta><instanceID/></meta></data></instance>
    ${instances}
    ${expressions.map((e, i) => `<bind nodeset="/data/c${i}" type="string" calculate="${escape(e)}"/>`).join("\n    ")}
    <bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
  </model></h:head>
  <h:body>${body}</h:body>
</h:html>`;
}

async function same(xml) {
  const { def, media, repeats } = xformToDef(xml);
  const result = await compare({ xml, def, media, repeats });
  assert.equal(result.status, "identical", result.detail.join("\n"));
  return result;
}

const KENYA = "4.422999031048619 34.232889315986995;3.932561564992426 41.457767618067;" +
  "-1.7002591367439237 41.53342079400501;-4.562120072949384 39.43137845871903;" +
  "-0.9439342743115873 33.85462343629687;4.422999031048619 34.232889315986995";

test("format-date() and format-date-time(): every code, dates, date-times with and without offset", async () => {
  const codes = "'%Y|%y|%m|%n|%b|%d|%e|%a|%H|%h|%M|%S|%3|%%'";
  const values = ["'2024-03-09'", "'2018-01-01T10:20:30.4+00:00'", "'2021-12-31T23:05:07.123Z'",
    "'2021-12-31T23:05:07.123+04:30'", "'2020-02-29T05:06'", "'not a date'", "''",
    "date('2018-01-01T10:20:30.400')", "today()"];
  const expressions = values.flatMap((v) => [`format-date(${v}, ${codes})`, `format-date-time(${v}, ${codes})`]);
  expressions.push("date('2018-01-01T10:20:30.400')", "date('2018-01-01T00:00:00Z')", "date('2018-01-01')");
  const { compared } = await same(form(expressions));
  assert.ok(compared >= 20, `only ${compared} compared`);
  // And on a phone in Kabul (+04:30): both engines in a child process started in that zone.
  const script = `import { compare } from "./tests/js/odk/harness.mjs";
    import { xformToDef } from "./tests/js/odk/xform.mjs";
    const xml = ${JSON.stringify(form(expressions))};
    const { def, media, repeats } = xformToDef(xml);
    console.log(JSON.stringify({ offset: new Date(0).getTimezoneOffset(), ...(await compare({ xml, def, media, repeats })) }));`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script],
    { cwd: ROOT, env: { ...process.env, HARNESS_TZ: "Asia/Kabul" }, encoding: "utf8" });
  const kabul = JSON.parse(child.stdout.trim().split("\n").pop());
  assert.equal(kabul.offset, -270);
  assert.equal(kabul.status, "identical", kabul.detail.join("\n"));
});

test("distance(), area(), geofence(): ODK's geodesic formulas to the centimetre", async () => {
  const p = ["'-6.8137120026589315 39.29392995851879 400 10'", "'-6.815178491608137 39.29533915133268'",
    "'-6.81189589956027 39.2973513889647 600'", "'34.5 69.1'"];
  const { compared } = await same(form([
    `distance(${p[0]}, ${p[1]})`, `distance(${p[0]}, ${p[1]}, ${p[2]}, ${p[3]})`,
    `distance(concat(${p[0]}, ';', ${p[3]}))`, `area(concat(${p[0]}, ';', ${p[1]}, ';', ${p[2]}))`,
    `area(concat(${p[0]}, ';', ${p[1]}))`, "area('')",
    `area('${KENYA}')`, `distance('${KENYA}')`,
    `geofence('0.5 37.9', '${KENYA}')`, `geofence('34.5 69.1 1000 5', '${KENYA}')`,
    `geofence('0.5 37.9', '4.4 34.2;3.9 41.4;-1.7 41.5')`, "geofence('', '')",
    `geofence('-1 38 0 0', '${KENYA}')`,
  ]));
  assert.ok(compared >= 12, `only ${compared} compared`);
});

test("randomize(): JavaRosa's seeded shuffle for number, text and blank seeds", async () => {
  const fruits = ["apple", "banana", "cherimoya", "durian", "elderberry", "fig", "guava", "honeydew"];
  const instances = `<instance id="fruits"><root>${fruits.map((f) => `<item><name>${f}</name><label>${f}</label></item>`).join("")}</root></instance>`;
  const seeds = ["42", "1", "0", "-5", "1.7", "2147483647", "2147483648", "123456789012", "'hello'", "'سلام'", "''", "/data/seed"];
  const expressions = seeds.map((s) => `join(' ', randomize(instance('fruits')/root/item/name, ${s}))`);
  expressions.push("count(randomize(instance('fruits')/root/item/name))");
  const { compared } = await same(form(expressions, { inputs: "<seed>7</seed>", instances }));
  assert.ok(compared >= seeds.length, `only ${compared} compared`);
});

test("checklist(), weighted-checklist(), join(), count-non-empty(), base64-decode()", async () => {
  const { compared } = await same(form([
    "checklist(1, 2, true(), false(), 1 = 1)", "checklist(2, -1, true(), false())", "checklist(-1, -1)",
    "checklist(1, 1, true(), true())", "checklist(3, 5, /data/a, /data/b, /data/blank, 'x')",
    "weighted-checklist(3, 5, true(), 2, 1 = 1, 2)", "weighted-checklist(5, -1, true(), 2, true(), 2)",
    "weighted-checklist(0, 1, true(), 2)", "weighted-checklist(-1, -1)",
    "join(', ', /data/a, /data/blank, /data/b)", "join('', 'x')",
    "count-non-empty(/data/a)", "count-non-empty(/data/blank)",
    "base64-decode('SMOpbMOobmU=')", "base64-decode('8J+lsA==')", "base64-decode('not base64!')",
  ], { inputs: "<a>one</a><b>two</b><blank/>" }));
  assert.ok(compared >= 12, `only ${compared} compared`);
});

test("indexed-repeat(): a question of the n-th entry, in one repeat and in nested ones", async () => {
  const xml = `<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa">
  <h:head><h:title>f</h:title><model>
    <instance><data id="f">
      <n>2</n>
      <rep jr:template=""><q/><prev/><kid jr:template=""><k/></kid></rep>
      <rep><q/><prev/><kid><k/></kid></rep>
      <rep><q/><prev/><kid><k/></kid><kid><k/></kid></rep>
      <c1/><c2/><c3/><c4/><c5/><c6/><c7/><c8/><c9/>
      <meta><instanceID/></meta></data></instance>
    <bind nodeset="/data/n" type="int" readonly="true()"/>
    <bind nodeset="/data/rep/prev" type="string" calculate="indexed-repeat(/data/rep/q, /data/rep, position(..) - 1)"/>
    <bind nodeset="/data/c1" type="string" calculate="indexed-repeat(/data/rep/q, /data/rep, 1)"/>
    <bind nodeset="/data/c2" type="string" calculate="indexed-repeat(/data/rep/q, /data/rep, /data/n)"/>
    <bind nodeset="/data/c3" type="string" calculate="concat('[', indexed-repeat(/data/rep/q, /data/rep, 9), ']')"/>
    <bind nodeset="/data/c4" type="string" calculate="indexed-repeat(/data/rep/kid/k, /data/rep, 2, /data/rep/kid, 1)"/>
    <bind nodeset="/data/c5" type="string" calculate="indexed-repeat(/data/rep/kid/k, /data/rep/kid, 2, /data/rep, 3)"/>
    <bind nodeset="/data/c6" type="string" calculate="count(indexed-repeat(/data/rep/kid/k, /data/rep, 3))"/>
    <bind nodeset="/data/c7" type="string" calculate="join('+', indexed-repeat(/data/rep/kid/k, /data/rep, 3))"/>
    <bind nodeset="/data/c8" type="string" calculate="concat('[', indexed-repeat(/data/rep/q, /data/rep, 1.5), ']')"/>
    <bind nodeset="/data/c9" type="string" calculate="count(indexed-repeat(/data/n, /data/rep, 1))"/>
    <bind nodeset="/data/meta/instanceID" type="string" readonly="true()" jr:preload="uid"/>
  </model></h:head>
  <h:body>
    <input ref="/data/n"/>
    <repeat nodeset="/data/rep"><input ref="/data/rep/q"/>
      <repeat nodeset="/data/rep/kid"><input ref="/data/rep/kid/k"/></repeat></repeat>
  </h:body>
</h:html>`;
  const { compared } = await same(xml);
  assert.ok(compared >= 20, `only ${compared} compared`);
});
