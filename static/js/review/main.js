/* The review queue (/review): the organisation's incidents or visits waiting for review, or the
 * suggested duplicate pairs, from the JSON APIs; every decision is a POST to those APIs, which
 * check the organisation and write the audit entry. Nothing sensitive is fetched until the
 * coordinator opens an item's details (that read is audited by the API).
 *
 * The page's entry module (bundled by esbuild, server/web/assets.py); the parts by concern:
 * state.js (the items and the selection), render.js (the DOM), keyboard.js (the shortcuts),
 * api.js (the requests). The page gives its settings in
 * <script type="application/json" id="nz-review-config">.
 */
import {readData} from "../nezarat.js";
import * as api from "./api.js";
import {keyHandler} from "./keyboard.js";
import {markDone, markFailed, markSelected, renderer} from "./render.js";
import {Queue} from "./state.js";

const RESULT = {verify: "verified", has_issues: "flagged", reject: "rejected"};
const STATUS = {verify: "verified", has_issues: "has_issues", reject: "rejected"};

function start() {
  const list = document.getElementById("nz-review-list");
  if (!list) { return; }
  const config = readData("nz-review-config", {});
  const strings = config.strings || {};
  const statusLine = document.getElementById("nz-review-status");
  const moreButton = document.getElementById("nz-review-more");
  const queue = new Queue();
  // The tabs' counts (server-rendered), one less for each decision taken here.
  const counts = {
    settle(tab) {
      const badge = document.querySelector(`[data-tab-count="${tab}"]`);
      const n = badge ? Number.parseInt(badge.getAttribute("data-count"), 10) : NaN;
      if (Number.isFinite(n) && n > 0) {
        badge.setAttribute("data-count", String(n - 1));
        badge.textContent = String(n - 1);
      }
    }
  };

  function say(text, isError) {
    statusLine.textContent = text || "";
    statusLine.classList.toggle("nz-error", Boolean(isError));
  }

  function select(i, focus) {
    if (i < 0 || i >= queue.items.length) { return; }
    if (queue.items[queue.index]) { markSelected(queue.items[queue.index], false); }
    queue.index = i;
    const element = queue.items[i].element;
    markSelected(queue.items[i], true);
    if (focus !== false) {
      element.focus({preventScroll: true});
      element.scrollIntoView({block: "nearest"});
    }
  }

  // The decided card stays selected, showing its new status: `j` then goes to the next open
  // item (moving on by itself here made the next `j` skip one).
  function finish(item, text, status) {
    item.done = true;
    markDone(item, text, status && (config.statusLabels || {})[status]);
    say(text);
    counts.settle(config.tab);
  }

  function failed(item, error) {
    markFailed(item, strings.actionFailed + " " + error.message);
    say(strings.actionFailed + " " + error.message, true);
  }

  function closeComment(item) {
    if (item.comment) {
      item.comment.remove();
      item.comment = null;
    }
  }

  function offerUndo(item, merged) {
    const undo = document.createElement("button");
    undo.type = "button";
    undo.className = "nz-button nz-button-quiet";
    undo.setAttribute("data-action", "unmerge");
    undo.textContent = strings.undoMerge;
    undo.addEventListener("click", () => {
      undo.disabled = true;
      api.sendUnmerge(config, merged).then(() => {
        undo.remove();
        item.result.textContent = strings.unmerged;
        say(strings.unmerged);
      }, (error) => { undo.disabled = false; failed(item, error); });
    });
    item.element.appendChild(undo);
  }

  const actions = {
    select: (item) => select(queue.items.indexOf(item), false),
    move(step) {
      // From a decided card at the end of the list, on to the first one still open.
      const i = queue.step(step);
      const here = queue.items[queue.index];
      select(i >= 0 ? i : (here && here.done ? queue.nextOpen() : -1));
    },
    decide(item, action, comment) {
      if (item.done || item.busy) { return; }
      item.busy = true;
      api.sendDecision(config, item, action, comment).then(() => {
        item.busy = false;
        closeComment(item);
        finish(item, strings[RESULT[action]], STATUS[action]);
      }, (error) => {
        item.busy = false;
        failed(item, error);
      });
    },
    askComment(item, action) {
      if (item.done) { return; }
      closeComment(item);
      item.comment = render.commentForm(item, action,
        (text) => actions.decide(item, action, text),
        () => { closeComment(item); item.element.focus(); });
    },
    toggleDetails(item) {
      if (item.details) {
        item.details.remove();
        item.details = null;
        item.detailsButton.firstChild.textContent = strings.details;
        return;
      }
      api.fetchDetails(config, item).then((detail) => {
        item.details = render.details(item, detail);
        item.detailsButton.firstChild.textContent = strings.hideDetails;
      }, (error) => failed(item, error));
    },
    compare(item) {
      if (item.comparison) {
        item.comparison.forEach((box) => box.remove());
        item.comparison = null;
        const note = item.element.querySelector(".nz-pair-audited");
        if (note) { note.remove(); }
        item.detailsButton.firstChild.textContent = strings.compareNarratives;
        return;
      }
      const data = item.data;
      Promise.all([data.duplicate, data.original].map((record) => (
        api.fetchDetails(config, {kind: "incident", id: record.id})))).then((details) => {
        render.pairDetails(item, details);
        item.detailsButton.firstChild.textContent = strings.hideComparison;
      }, (error) => failed(item, error));
    },
    merge(item, reversed) {
      if (item.done || item.busy) { return; }
      const dup = item.data.duplicate, original = item.data.original;
      const from = reversed ? original : dup, into = reversed ? dup : original;
      // A merge hides a report from every count: asked once more, and it can be undone.
      if (!window.confirm(strings.confirmMerge)) { return; }
      item.busy = true;
      api.sendMerge(config, from, into).then(() => {
        item.busy = false;
        // Other pairs with the merged report are settled too: it is no longer counted.
        queue.settledByMerge(item, from.id).forEach((other) => {
          other.done = true;
          markDone(other, strings.merged);
        });
        finish(item, strings.merged);
        offerUndo(item, from);  // after finish, which disables the card's other buttons
      }, (error) => {
        item.busy = false;
        failed(item, error);
      });
    },
    skip(item) {
      if (!item.done) { finish(item, strings.skipped); }
    },
    toggleHelp() {
      const help = document.querySelector(".nz-shortcuts");
      if (help) { help.open = !help.open; }
    }
  };
  const render = renderer(config, actions);
  const make = config.tab === "duplicates" ? render.pair
    : config.tab === "visits" ? render.visit : render.incident;

  function load(url) {
    list.setAttribute("aria-busy", "true");
    say(strings.loading);
    return api.fetchPage(url).then((page) => {
      const added = page.items.map(make);
      queue.add(added);
      added.forEach((item) => list.appendChild(item.element));
      queue.items.forEach((item, i) => {
        item.element.setAttribute("aria-posinset", String(i + 1));
        item.element.setAttribute("aria-setsize", page.next ? "-1" : String(queue.items.length));
      });
      queue.nextUrl = page.next;
      moreButton.hidden = !queue.nextUrl;
      list.setAttribute("aria-busy", "false");
      list.setAttribute("data-ready", "true");
      say(queue.items.length ? "" : strings.empty);
      if (queue.index < 0 && queue.items.length) { select(0, false); }
    }, (error) => {
      list.setAttribute("aria-busy", "false");
      list.setAttribute("data-ready", "error");
      say(strings.failed + " " + error.message, true);
    });
  }

  list.setAttribute("role", "feed");
  moreButton.addEventListener("click", () => { if (queue.nextUrl) { load(queue.nextUrl); } });
  document.addEventListener("keydown", keyHandler(queue, actions));
  load(api.firstUrl(config));
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
