// randomize=true (XLSForm parameters) in the phone app: the choices are offered in ODK's order,
// the seeded shuffle of JavaRosa (proven against ODK's engine by tests/js/odk-conformance and
// odk-functions); without a seed the order is drawn once per report and kept while it is filled.
// The renderer draws the radios in that order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { JSDOM } from "jsdom";

import { Form } from "../../static/mobile/js/model.js";
import { shuffle } from "../../static/mobile/js/odk_functions.js";

const FRUITS = ["apple", "banana", "cherimoya", "durian", "elderberry", "fig"].map((name) => ({ name, label: name }));
const DEF = {
  name: "r", id_string: "r", version: "1", type: "survey",
  children: [
    { name: "seed", type: "integer", label: "Seed", bind: {} },
    { name: "fixed", type: "select one", label: "Fixed", bind: {}, parameters: { randomize: "true", seed: "42" }, choices: FRUITS },
    { name: "by_seed", type: "select one", label: "By seed", bind: {}, parameters: { randomize: "true", seed: "${seed}" }, choices: FRUITS },
    { name: "chance", type: "select all that apply", label: "Chance", bind: {}, parameters: "randomize=true", choices: FRUITS },
    { name: "plain", type: "select one", label: "Plain", bind: {}, choices: FRUITS },
  ],
};
const names = (list) => list.map((c) => c.name);

test("seeded choices come in JavaRosa's order; the seed may be another answer", () => {
  const form = new Form(DEF);
  assert.deepEqual(form.refusals, []);
  const instance = form.newInstance("00000000-0000-4000-8000-000000000001");
  const at = (name) => names(form.choicesFor(instance, form.byPath.get(`/r/${name}`), {}));
  // ODK's engine offers these (tests/data/odk_corpus/.../randomize.xml, seed 42).
  assert.deepEqual(at("fixed"), ["apple", "fig", "cherimoya", "banana", "durian", "elderberry"]);
  assert.deepEqual(at("plain"), names(FRUITS));
  form.set(instance, form.byPath.get("/r/seed"), {}, "7");
  assert.deepEqual(at("by_seed"), names(shuffle(FRUITS, 7)));
  form.set(instance, form.byPath.get("/r/seed"), {}, "8");
  assert.deepEqual(at("by_seed"), names(shuffle(FRUITS, 8)));
  assert.notDeepEqual(shuffle(FRUITS, 7), shuffle(FRUITS, 8));
});

test("without a seed: every choice, one order for the report, drawn anew for the next", () => {
  const form = new Form(DEF);
  const node = form.byPath.get("/r/chance");
  const orders = new Set();
  for (let i = 0; i < 8; i += 1) {
    const instance = form.newInstance(`00000000-0000-4000-8000-00000000000${i}`);
    const first = names(form.choicesFor(instance, node, {}));
    assert.deepEqual([...first].sort(), names(FRUITS));
    assert.deepEqual(names(form.choicesFor(instance, node, {})), first);
    orders.add(first.join(" "));
  }
  assert.ok(orders.size > 1, "eight reports, one order");
});

test("the renderer draws the radios in that order", async () => {
  const dom = new JSDOM("<!doctype html><html><body></body></html>", { url: "https://example.org/m/" });
  for (const name of ["window", "document", "Node", "HTMLElement", "Event", "navigator", "localStorage"]) {
    if (!(name in globalThis)) globalThis[name] = dom.window[name];
  }
  const { renderForm } = await import("../../static/mobile/js/render.js");
  const form = new Form(DEF);
  const instance = form.newInstance("00000000-0000-4000-8000-000000000009");
  const page = renderForm({ form, instance, photos: new Map(), onChange: () => {} });
  const box = page.element;
  const radios = [...box.querySelectorAll('input[type="radio"]')].filter((r) => r.name.startsWith("/r/fixed#"));
  assert.deepEqual(radios.map((r) => r.value), ["apple", "fig", "cherimoya", "banana", "durian", "elderberry"]);
});
