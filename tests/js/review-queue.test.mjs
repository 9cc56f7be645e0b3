// The review queue's parts without a DOM (static/js/review/): the selection state, the API's
// URLs and links, and the keyboard shortcuts.
import assert from "node:assert/strict";
import {test} from "node:test";

import {firstUrl, itemUrl, nextLink} from "../../static/js/review/api.js";
import {keyHandler, shortcutOf, typing} from "../../static/js/review/keyboard.js";
import {Queue} from "../../static/js/review/state.js";

const CONFIG = {incidentsUrl: "/api/incidents", visitsUrl: "/api/visits",
                duplicatesUrl: "/api/review/duplicates", incidentUrl: "/api/incidents/{id}",
                visitUrl: "/api/visits/{id}", status: "submitted"};

function queueOf(...kinds) {
  const queue = new Queue();
  queue.add(kinds.map((kind, i) => ({kind, id: String(i)})));
  return queue;
}

test("moving skips settled items and stops at the ends", () => {
  const queue = queueOf("incident", "incident", "incident", "incident");
  queue.index = 0;
  queue.items[1].done = true;
  assert.equal(queue.step(1), 2);
  assert.equal(queue.step(-1), -1);
  queue.index = 2;
  assert.equal(queue.step(-1), 0);
  queue.items[3].done = true;
  assert.equal(queue.step(1), -1);
});

test("after a decision the selection goes to the next open item, else back to the first", () => {
  const queue = queueOf("incident", "incident", "incident");
  queue.index = 1;
  queue.items[1].done = true;
  assert.equal(queue.nextOpen(), 2);
  queue.items[2].done = true;
  assert.equal(queue.nextOpen(), 0);
  queue.items[0].done = true;
  assert.equal(queue.nextOpen(), -1);
  assert.equal(queue.current(), null);
});

test("a merge settles the other pairs of the merged report", () => {
  const queue = new Queue();
  const pair = (dup, original) => ({kind: "pair", id: dup + ":" + original,
                                    data: {duplicate: {id: dup}, original: {id: original}}});
  const merged = pair("a", "b"), withA = pair("c", "a"), other = pair("c", "d");
  queue.add([merged, withA, other]);
  assert.deepEqual(queue.settledByMerge(merged, "a"), [withA]);
});

test("the first page of each tab, and the next link of a list", () => {
  assert.equal(firstUrl({...CONFIG, tab: "incidents", facility: "f1"}),
               "/api/incidents?verification_status=submitted&limit=50&facility_id=f1");
  assert.equal(firstUrl({...CONFIG, tab: "visits"}), "/api/visits?review_status=submitted&limit=50");
  assert.equal(firstUrl({...CONFIG, tab: "duplicates"}), "/api/review/duplicates?limit=20");
  assert.equal(nextLink({items: [], links: [{rel: "self", href: "/a"},
                                            {rel: "next", href: "/a?cursor=x"}]}), "/a?cursor=x");
  assert.equal(nextLink({items: [], links: []}), null);
  assert.equal(nextLink({items: []}), null);
  assert.equal(itemUrl(CONFIG, "visit", "a/b"), "/api/visits/a%2Fb");
  assert.equal(itemUrl(CONFIG, "incident", "7"), "/api/incidents/7");
});

test("shortcuts act on the selected item of the right kind, never while typing", () => {
  const calls = [];
  const record = (name) => (...args) => calls.push([name, ...args.map((a) => a.id ?? a)]);
  const actions = {move: record("move"), decide: record("decide"), askComment: record("ask"),
                   toggleDetails: record("details"), merge: record("merge"), skip: record("skip"),
                   toggleHelp: record("help")};
  const queue = queueOf("incident", "pair");
  const onKey = keyHandler(queue, actions);
  const press = (key, more = {}) => {
    const event = {key, target: {tagName: "BODY"}, prevented: false, ...more,
                   preventDefault() { event.prevented = true; }};
    onKey(event);
    return event.prevented;
  };
  queue.index = 0;
  assert.equal(press("v"), true);
  press("r");
  press("m");  // not a pair: nothing
  press("j");
  queue.index = 1;
  press("m");
  press("n");
  press("v");  // a pair cannot be verified
  assert.equal(press("v", {ctrlKey: true}), false);
  assert.equal(press("v", {target: {tagName: "TEXTAREA"}}), false);
  assert.equal(press("constructor"), false);
  assert.deepEqual(calls, [["decide", "0", "verify"], ["ask", "0", "reject"], ["move", 1],
                           ["merge", "1", false], ["skip", "1"]]);
  assert.equal(typing({isContentEditable: true}), true);
  assert.equal(typing(null), false);
});

test("shortcuts follow the physical key, so a Dari layout works", () => {
  assert.equal(shortcutOf({code: "KeyV", key: "ر"}), "v");
  assert.equal(shortcutOf({code: "KeyJ", key: "ت"}), "j");
  assert.equal(shortcutOf({code: "Slash", key: "/", shiftKey: false}), null);
  assert.equal(shortcutOf({code: "Slash", key: "؟", shiftKey: true}), "?");
  assert.equal(shortcutOf({key: "v"}), "v");
  const calls = [];
  const queue = queueOf("incident");
  queue.index = 0;
  const onKey = keyHandler(queue, {decide: (item, action) => calls.push(action)});
  onKey({code: "KeyV", key: "ر", target: {tagName: "BODY"}, preventDefault() {}});
  assert.deepEqual(calls, ["verify"]);
});
