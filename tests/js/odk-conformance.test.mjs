// Conformance against ODK's own engine (issue 14): every form of the corpus is either filled
// to a submission identical to ODK's @getodk/xforms-engine, or refused by the app with the
// feature named. Nothing silently different. The visit and case forms are identical.
import assert from "node:assert/strict";
import { test } from "node:test";

import { cases } from "./odk/corpus.mjs";

const all = cases();

test("the corpus holds ODK's test forms and ours", () => {
  assert.ok(all.length > 100, `only ${all.length} forms`);
});

for (const c of all) {
  test(`${c.name}: identical to ODK's engine, or refused with the feature named`, async () => {
    const result = await c.run();
    assert.notEqual(result.status, "different", result.detail.join("\n"));
    if (result.status === "refused" || result.status === "invalid") {
      assert.ok(result.detail.length && result.detail.every((d) => d.trim()), "a refusal names the feature");
    }
    if (c.name.startsWith("mobile_forms/")) {
      assert.equal(result.status, "identical");
      assert.ok(result.compared > 10, `only ${result.compared} answers compared`);
    }
  });
}
