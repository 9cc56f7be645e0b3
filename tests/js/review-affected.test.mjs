// The review card's "people affected" line (static/js/review/counts.js): a count the monitor did
// not know (null, issue 15) is said to be not known, never shown as 0 or left out as if nobody.
import assert from "node:assert/strict";
import {test} from "node:test";

import {affectedText, heldText} from "../../static/js/review/counts.js";

const STRINGS = {women: "Women", men: "Men", girls: "Girls", boys: "Boys",
                 unaccompanied: "Unaccompanied", none: "none", notKnown: "not known",
                 atLeast: "at least %(n)s"};

test("known counts are listed, zeros left out, all zero is none", () => {
  assert.equal(affectedText({women: 2, men: 0, girls: 0, boys: 1, unaccompanied: 0, total: 3},
                            STRINGS), "Women: 2, Boys: 1");
  assert.equal(affectedText({women: 0, men: 0, girls: 0, boys: 0, unaccompanied: 0, total: 0},
                            STRINGS), "none");
});

test("a count not known says so, and the total is at least the known ones", () => {
  assert.equal(affectedText({women: null, men: 3, girls: null, boys: 0, unaccompanied: null,
                             total: 3}, STRINGS),
               "Men: 3, Women: not known, Girls: not known, Unaccompanied: not known (at least 3)");
  assert.equal(affectedText({women: null, men: 0, girls: 0, boys: 0, unaccompanied: 0,
                             total: 0}, STRINGS), "Women: not known");
});

test("nothing known is not known, not none", () => {
  assert.equal(affectedText({women: null, men: null, girls: null, boys: null,
                             unaccompanied: null, total: null}, STRINGS), "not known");
  assert.equal(affectedText({}, STRINGS), "not known");
  assert.equal(affectedText(null, STRINGS), "");
});

test("people held: the known counts' sum, at least that when some are not known", () => {
  assert.equal(heldText({women: 2, men: 10, girls: 0, boys: 1, unaccompanied: 1}, STRINGS), "13");
  assert.equal(heldText({women: null, men: 10, boys: 1}, STRINGS), "at least 11");
  assert.equal(heldText({women: null, men: null, girls: null, boys: null}, STRINGS), "not known");
  assert.equal(heldText({}, STRINGS), "not known");
  assert.equal(heldText(null, STRINGS), null);
});
