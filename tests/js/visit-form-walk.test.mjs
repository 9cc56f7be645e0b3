// The visit form walked by the engine the phone runs (static/mobile/js/model.js) over the
// committed build, at each facility kind on each side of the border: the facility chosen from
// facilities.csv fills the hidden facility_kind and facility_country, and what is asked follows
// from them (tests/unit/forms/test_relevance_walk.py checks the same rules on the XForm's words).
import assert from "node:assert/strict";
import {readFileSync} from "node:fs";
import {test} from "node:test";

import {Form} from "../../static/mobile/js/model.js";

const DEF = JSON.parse(readFileSync(new URL("../../mobile_forms/build/nezarat_visit.json",
  import.meta.url), "utf-8"));
const KINDS = ["border_crossing", "reception_centre", "transit_centre", "holding_centre",
  "detention_centre", "camp", "other"];
const COUNTRIES = ["IRN", "PAK", "AFG"];
// facilities.csv as the server writes it (server/forms/media.py COLUMNS), one row per kind and side.
const FACILITIES = KINDS.flatMap((kind) => COUNTRIES.map((country) => ({
  name: `${kind}-${country}`, label: `${kind} ${country}`, label_prs: kind, label_ps: kind,
  kind, country, lat: "34.1", lon: "62.2"})));
const DEPORTING = ["reasons_and_rights", "interpreter_available", "asylum_access", "unhcr_contact",
  "individual_assessment"];
const ARRIVAL = ["cash_assistance", "onward_transport", "arrival_health_screening",
  "women_travel_onward", "family_tracing"];
const HELD = ["discipline_register", "age_assessment", "guardianship",
  "family_unity", "length_of_detention", "solitary_over_15_days", "solitary_children",
  "lawyer_access", "family_notified"];

/** The report after choosing the facility and answering `answers` (name -> value, outside
 *  repeats), with one returnee group when the form offers it; returns the form, the report and
 *  the names of the questions shown. */
function fill(kind, country, answers = {}) {
  const form = new Form(DEF, {"facilities.csv": FACILITIES});
  assert.deepEqual(form.problems, []);
  const report = form.newInstance("walk");
  form.set(report, form.named("facility"), {}, `${kind}-${country}`);
  for (const [name, value] of Object.entries({obtained: "full", ...answers})) {
    form.set(report, form.named(name, form.named("people")), {}, value);
  }
  form.calculate(report);
  const returnees = form.named("returnees");
  if (form.isRelevant(report, returnees, {})) {
    form.newRepeatEntry(report, returnees, {});
    form.set(report, form.named("consent_interview", returnees), {returnees: 0}, "yes");
    form.calculate(report);
  }
  const shown = new Set();
  form.walk(report, (node, scope) => {
    if (node.kind === "field" && form.isRelevant(report, node, scope)) shown.add(node.name);
  });
  return {form, report, shown};
}

test("the facility chosen fills the hidden kind and country", () => {
  for (const kind of KINDS) {
    for (const country of COUNTRIES) {
      const {form, report} = fill(kind, country);
      assert.equal(form.get(report, form.named("facility_kind"), {}), kind);
      assert.equal(form.get(report, form.named("facility_country"), {}), country);
    }
  }
});

test("before a facility is chosen, nothing that depends on its kind is asked", () => {
  const form = new Form(DEF, {"facilities.csv": FACILITIES});
  const report = form.newInstance("empty");
  form.set(report, form.named("obtained"), {}, "full");
  form.calculate(report);
  for (const name of [...HELD, ...ARRIVAL, ...DEPORTING, "room_area"]) {
    assert.equal(form.isRelevant(report, form.named(name), {}), false, name);
  }
});

test("holding and detention centres are asked treatment, women, children and duration", () => {
  for (const kind of ["holding_centre", "detention_centre"]) {
    for (const country of ["IRN", "PAK"]) {
      const {shown} = fill(kind, country, {pregnant_or_nursing: "2"});
      for (const name of [...HELD, ...DEPORTING, "menstrual_supplies", "pregnancy_care",
        "restraints_used", "weapons_or_dogs", "body_searches", "physical_force",
        "deaths_known"]) {
        assert.ok(shown.has(name), `${kind} ${country}: ${name}`);
      }
      for (const name of [...ARRIVAL, "consent_interview", "documents_taken"]) {
        assert.ok(!shown.has(name), `${kind} ${country}: ${name}`);
      }
      assert.ok(!fill(kind, country, {pregnant_or_nursing: "0"}).shown.has("pregnancy_care"));
    }
  }
});

test("an Afghan-side place of arrival asks reception and the returnees, not the deporting state's procedures", () => {
  for (const kind of ["border_crossing", "reception_centre", "transit_centre", "camp"]) {
    const {shown} = fill(kind, "AFG");
    for (const name of [...ARRIVAL, "uac_handover", "vulnerable_referred", "female_staff",
      "consent_interview", "state_responsible", "documents_taken", "signed_return_form",
      "reprisal_risk"]) {
      assert.ok(shown.has(name), `${kind}: ${name}`);
    }
    for (const name of [...DEPORTING, ...HELD]) assert.ok(!shown.has(name), `${kind}: ${name}`);
  }
  const iranian = fill("border_crossing", "IRN").shown;
  for (const name of DEPORTING) assert.ok(iranian.has(name), name);
  for (const name of ARRIVAL) assert.ok(!iranian.has(name), name);
});

test("per-person measures only where people stay overnight; denied access asks no conditions", () => {
  for (const kind of ["border_crossing", "reception_centre", "holding_centre"]) {
    assert.ok(fill(kind, "PAK", {daytime_only: "no"}).shown.has("soap"), kind);
    assert.ok(!fill(kind, "PAK", {daytime_only: "yes"}).shown.has("food_energy"), kind);
  }
  const denied = fill("detention_centre", "IRN", {obtained: "denied"}).shown;
  assert.ok(denied.has("denied_reason"));
  for (const name of [...HELD, "water_quantity", "safety_treatment_rating", "interviews_held"]) {
    assert.ok(!denied.has(name), name);
  }
});
