/* The review queue (/review): the organisation's incidents or visits waiting for review, or the
 * suggested duplicate pairs, from the JSON APIs; every decision is a POST to those APIs, which
 * check the organisation and write the audit entry. Nothing sensitive is fetched until the
 * coordinator opens an item's details (that read is audited by the API).
 *
 * Keyboard: j / k next and previous item; v verify; i has issues; r reject (both ask for a
 * comment: Ctrl+Enter sends, Esc cancels); o details; m merge and n "not a duplicate" on pairs.
 * Every action is also a button.
 */
(function () {
  "use strict";

  var Nezarat = window.Nezarat = window.Nezarat || {};
  var RESULT = {verify: "verified", has_issues: "flagged", reject: "rejected"};
  var GROUPS = ["women", "men", "girls", "boys", "unaccompanied"];

  var config, strings, list, statusLine, moreButton;
  var items = [], index = -1, nextUrl = null;

  function el(tag, className, text) { return Nezarat.textElement(tag, text, className); }
  function label(map, code) { return (map || {})[code] || code; }

  function say(text, isError) {
    statusLine.textContent = text || "";
    statusLine.classList.toggle("nz-error", Boolean(isError));
  }

  function affectedText(affected) {
    if (!affected) { return ""; }
    var parts = GROUPS.filter(function (g) { return affected[g]; }).map(function (g) {
      return (strings[g] || g) + ": " + affected[g];
    });
    return parts.length ? parts.join(", ") : strings.none;
  }

  function place(record) {
    return [record.facility_name, record.admin1, record.country].filter(Boolean).join(", ");
  }

  function incidentFacts(record) {
    return [
      [strings.occurred, Nezarat.isoDay(record.occurred_on)],
      [strings.severity, record.severity],
      [strings.affected, affectedText(record.affected)],
      [strings.place, place(record)],
      [strings.status, label(config.statusLabels, record.verification_status)],
      [strings.submitted, Nezarat.isoDay(record.created_at)]
    ];
  }

  function flagList(codes) {
    var box = el("ul", "nz-flags");
    codes.forEach(function (code) {
      box.appendChild(el("li", "nz-flag nz-flag-" + code, label(config.flagLabels, code)));
    });
    return box;
  }

  function button(text, key, handler, className) {
    var b = el("button", "nz-button " + (className || "nz-button-quiet"), text);
    b.type = "button";
    if (key) {
      b.setAttribute("aria-keyshortcuts", key);
      b.appendChild(el("kbd", "nz-key", key));
    }
    b.addEventListener("click", function (event) {
      event.stopPropagation();
      handler();
    });
    return b;
  }

  // --- items --------------------------------------------------------------------------------

  function shell(item, title) {
    var article = el("article", "nz-review-item");
    article.tabIndex = -1;
    article.setAttribute("data-id", item.id);
    article.setAttribute("data-kind", item.kind);
    var heading = el("h2", "nz-item-title", title);
    heading.id = "nz-item-" + item.kind + "-" + item.id;
    article.setAttribute("aria-labelledby", heading.id);
    article.appendChild(heading);
    article.addEventListener("click", function () { select(items.indexOf(item), false); });
    item.element = article;
    item.result = el("p", "nz-item-result");  // the page's status line announces it
    return article;
  }

  function decisionButtons(item) {
    var box = el("div", "nz-item-actions");
    box.appendChild(button(strings.verify, "v", function () { decide(item, "verify"); },
                           "nz-action-verify"));
    box.appendChild(button(strings.hasIssues, "i", function () { askComment(item, "has_issues"); },
                           "nz-button-quiet nz-action-has_issues"));
    box.appendChild(button(strings.reject, "r", function () { askComment(item, "reject"); },
                           "nz-button-quiet nz-action-reject"));
    item.detailsButton = button(strings.details, "o", function () { toggleDetails(item); },
                                "nz-button-quiet nz-action-details");
    box.appendChild(item.detailsButton);
    return box;
  }

  function incidentItem(data) {
    var item = {kind: "incident", id: data.id, data: data};
    var article = shell(item, label(config.typeLabels, data.type));
    article.appendChild(Nezarat.facts(incidentFacts(data), "nz-item-facts"));
    var flags = (data.flags || []).concat(data.visit_flags || []).map(function (f) {
      return f.code || f;
    });
    if ((data.possible_duplicate_of || []).length) { flags.push("possible_duplicate"); }
    if (flags.length) { article.appendChild(flagList(flags)); }
    article.appendChild(decisionButtons(item));
    if ((data.possible_duplicate_of || []).length) {
      var compare = el("a", "nz-compare", strings.comparePair);
      var query = new URLSearchParams({tab: "duplicates"});
      if (config.facility) { query.set("facility", config.facility); }
      compare.href = window.location.pathname + "?" + query.toString();
      article.appendChild(compare);
    }
    article.appendChild(item.result);
    return item;
  }

  /** Red flags apart (never averaged), then each dimension's rating with an adjust control:
   *  a coordinator changes a rating with a reason (POST .../dimensions/{dimension}, audited). */
  function visitAssessment(data) {
    var box = Nezarat.textElement("div", "", "nz-visit-assessment");
    var redFlags = (data.red_flags || []).map(function (f) {
      return label(config.redFlagLabels, f.code) + " · " + label(config.stateLabels, f.state);
    });
    if (redFlags.length) {
      box.appendChild(Nezarat.textElement("p", strings.redFlags + ": " + redFlags.join("; "),
                                          "nz-red-flag"));
    }
    var list = Nezarat.textElement("ul", "", "nz-dimension-list");
    ["safety_treatment", "legal_protection", "material_conditions",
     "return_reception"].forEach(function (name) {  // the method's order
      list.appendChild(dimensionRow(data, name));
    });
    box.appendChild(list);
    return box;
  }

  function dimensionRow(data, name) {
    var d = (data.dimensions || {})[name] || {};
    var current = d.rating == null ? "insufficient_evidence" : String(d.rating);
    var row = Nezarat.textElement("li", label(config.dimensionLabels, name) + ": " +
                                  label(config.ratingLabels, current) + " ");
    row.setAttribute("data-dimension", name);
    var select = document.createElement("select");
    select.setAttribute("aria-label", strings.adjust);
    Object.keys(config.ratingLabels || {}).forEach(function (value) {
      var option = Nezarat.textElement("option", label(config.ratingLabels, value));
      option.value = value;
      option.selected = value === current;
      select.appendChild(option);
    });
    var reason = document.createElement("input");
    reason.type = "text";
    reason.placeholder = strings.reason;
    reason.setAttribute("aria-label", strings.reason);
    var send = Nezarat.textElement("button", strings.adjust, "nz-button nz-button-quiet");
    send.type = "button";
    var result = Nezarat.textElement("span", "", "nz-hint");
    send.addEventListener("click", function () {
      var value = select.value === "insufficient_evidence" ? select.value : Number(select.value);
      var url = config.ratingUrl.replace("{id}", encodeURIComponent(data.id))
        .replace("{dimension}", encodeURIComponent(name));
      Nezarat.postJSON(url, {rating: value, reason: reason.value}).then(function () {
        result.textContent = strings.adjusted;
      }).catch(function (error) {
        result.textContent = strings.actionFailed + " " + error.message;
      });
    });
    [select, reason, send, result].forEach(function (part) { row.appendChild(part); });
    return row;
  }

  function visitItem(data) {
    var item = {kind: "visit", id: data.id, data: data};
    var held = data.held ? GROUPS.reduce(function (sum, g) {
      return g === "unaccompanied" ? sum : sum + (data.held[g] || 0);
    }, 0) : null;
    var article = shell(item, data.facility_name);
    article.appendChild(Nezarat.facts([
      [strings.occurred, Nezarat.isoDay(data.started_at)],
      [strings.ring, label(config.ringLabels, data.ring || "none")],
      [strings.access, label(config.accessLabels, data.access)],
      [strings.held, held],
      [strings.incidents, data.incident_count],
      [strings.status, label(config.statusLabels, data.review_status)],
      [strings.submitted, Nezarat.isoDay(data.submitted_at)]
    ], "nz-item-facts"));
    var flags = (data.flags || []).map(function (f) { return f.code || f; });
    if (flags.length) { article.appendChild(flagList(flags)); }
    article.appendChild(visitAssessment(data));
    article.appendChild(decisionButtons(item));
    article.appendChild(item.result);
    return item;
  }

  function side(record, title) {
    var box = el("section", "nz-pair-side" + (record.own ? " nz-own" : ""));
    box.appendChild(el("h3", "", title));
    box.appendChild(Nezarat.facts([
      [strings.organisation, record.own ? record.organisation + " (" + strings.ours + ")"
                                        : record.organisation]
    ].concat(incidentFacts(record)), "nz-item-facts"));
    return box;
  }

  function pairItem(data) {
    var dup = data.duplicate, original = data.original;
    var item = {kind: "pair", id: dup.id + ":" + original.id, data: data};
    var article = shell(item, label(config.typeLabels, dup.type));
    article.appendChild(el("p", "nz-pair-distance",
      strings.distance + ": " + Nezarat.format(strings.metres, {n: data.distance_m}) + " · " +
      strings.daysApart + ": " + data.days_apart));
    var sides = el("div", "nz-pair");
    sides.appendChild(side(dup, strings.duplicate));
    sides.appendChild(side(original, strings.original));
    article.appendChild(sides);
    var box = el("div", "nz-item-actions");
    box.appendChild(button(strings.merge, "m", function () { merge(item, false); },
                           "nz-action-merge"));
    if (original.own && ["submitted", "has_issues"].indexOf(original.verification_status) >= 0) {
      box.appendChild(button(strings.mergeOther, null, function () { merge(item, true); },
                             "nz-button-quiet nz-action-merge-other"));
    }
    box.appendChild(button(strings.skip, "n", function () { skip(item); },
                           "nz-button-quiet nz-action-skip"));
    article.appendChild(box);
    article.appendChild(item.result);
    return item;
  }

  // --- selection ----------------------------------------------------------------------------

  function select(i, focus) {
    if (i < 0 || i >= items.length) { return; }
    if (items[index] && items[index].element) {
      items[index].element.classList.remove("nz-selected");
      items[index].element.removeAttribute("aria-current");
    }
    index = i;
    var element = items[i].element;
    element.classList.add("nz-selected");
    element.setAttribute("aria-current", "true");
    if (focus !== false) {
      element.focus({preventScroll: true});
      element.scrollIntoView({block: "nearest"});
    }
  }

  function move(step) {
    var i = index;
    do { i += step; } while (i >= 0 && i < items.length && items[i].done);
    if (i >= 0 && i < items.length) { select(i); }
  }

  function current() { return items[index] && !items[index].done ? items[index] : null; }

  function finish(item, text) {
    item.done = true;
    item.element.classList.add("nz-done");
    item.element.setAttribute("data-done", "true");
    Array.prototype.forEach.call(item.element.querySelectorAll("button, textarea"),
                                 function (control) { control.disabled = true; });
    item.result.textContent = text;
    say(text);
    var next = items.findIndex(function (other, i) { return i > index && !other.done; });
    if (next < 0) { next = items.findIndex(function (other) { return !other.done; }); }
    if (next >= 0) { select(next); }
  }

  function failed(item, error) {
    item.result.textContent = strings.actionFailed + " " + error.message;
    item.result.classList.add("nz-error");
    say(strings.actionFailed + " " + error.message, true);
  }

  // --- actions ------------------------------------------------------------------------------

  function reviewUrl(item) {
    var base = item.kind === "visit" ? config.visitUrl : config.incidentUrl;
    return base.replace("{id}", encodeURIComponent(item.id)) + "/review";
  }

  function decide(item, action, comment) {
    if (item.done || item.busy) { return Promise.resolve(null); }
    item.busy = true;
    var body = {action: action};
    if (comment) { body.comment = comment; }
    return Nezarat.postJSON(reviewUrl(item), body).then(function (answer) {
      item.busy = false;
      closeComment(item);
      finish(item, strings[RESULT[action]]);
      return answer;
    }, function (error) {
      item.busy = false;
      failed(item, error);
      return null;
    });
  }

  function closeComment(item) {
    if (item.comment) {
      item.comment.remove();
      item.comment = null;
    }
  }

  function askComment(item, action) {
    if (item.done) { return; }
    closeComment(item);
    var form = el("form", "nz-item-comment nz-form");
    var id = "nz-comment-" + item.id;
    var fieldLabel = el("label", "", strings.comment);
    fieldLabel.htmlFor = id;
    var area = document.createElement("textarea");
    area.id = id;
    area.name = "comment";
    area.required = true;
    area.rows = 3;
    area.maxLength = 4000;
    area.setAttribute("dir", "auto");
    var error = el("p", "nz-field-error");
    error.id = id + "-error";
    area.setAttribute("aria-describedby", error.id);
    var actions = el("div", "nz-item-actions");
    var send = el("button", "nz-button nz-comment-send",
                  (action === "reject" ? strings.reject : strings.hasIssues) + " · " + strings.send);
    send.type = "submit";
    var cancel = el("button", "nz-button nz-button-quiet nz-comment-cancel", strings.cancel);
    cancel.type = "button";
    actions.appendChild(send);
    actions.appendChild(cancel);
    [fieldLabel, area, error, actions].forEach(function (part) { form.appendChild(part); });
    form.setAttribute("data-action", action);

    function submit() {
      var text = area.value.trim();
      if (!text) {
        error.textContent = strings.commentRequired;
        area.setAttribute("aria-invalid", "true");
        area.focus();
        return;
      }
      decide(item, action, text);
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submit();
    });
    cancel.addEventListener("click", function () {
      closeComment(item);
      item.element.focus();
    });
    area.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      } else if (event.key === "Escape") {
        event.preventDefault();
        closeComment(item);
        item.element.focus();
      }
    });
    item.element.insertBefore(form, item.result);
    item.comment = form;
    area.focus();
  }

  function detailUrl(item) {
    var base = item.kind === "visit" ? config.visitUrl : config.incidentUrl;
    return base.replace("{id}", encodeURIComponent(item.id));
  }

  function renderDetails(item, detail) {
    var box = el("div", "nz-item-details");
    box.appendChild(el("p", "nz-hint", strings.readAudited));
    var text = item.kind === "visit" ? detail.notes : detail.narrative;
    box.appendChild(el("h3", "", item.kind === "visit" ? strings.notes : strings.narrative));
    box.appendChild(el("p", "nz-item-text", text || strings.none));
    var photos = (detail.photos || []).filter(function (p) { return p.received; });
    if (photos.length) {
      var grid = el("ul", "nz-item-photos");
      photos.forEach(function (photo) {
        var li = el("li"), link = el("a"), image = document.createElement("img");
        link.href = "/api/attachments/" + encodeURIComponent(photo.id);
        link.target = "_blank";
        link.rel = "noopener";
        image.src = "/api/attachments/" + encodeURIComponent(photo.id) + "/thumbnail";
        image.alt = photo.filename || "";
        link.appendChild(image);
        li.appendChild(link);
        if (photo.captured_at) {  // chain of custody: when the camera says it was taken
          li.appendChild(el("span", "nz-photo-taken",
            Nezarat.format(strings.taken, {when: photo.captured_at.replace("T", " ")})));
        }
        if (photo.received_sha256) {
          li.title = Nezarat.format(strings.receivedHash, {hash: photo.received_sha256});
        }
        grid.appendChild(li);
      });
      box.appendChild(grid);
    }
    return box;
  }

  function toggleDetails(item) {
    if (item.details) {
      item.details.remove();
      item.details = null;
      item.detailsButton.firstChild.textContent = strings.details;
      return;
    }
    Nezarat.getJSON(detailUrl(item)).then(function (detail) {
      item.details = renderDetails(item, detail);
      item.element.insertBefore(item.details, item.result);
      item.detailsButton.firstChild.textContent = strings.hideDetails;
    }, function (error) { failed(item, error); });
  }

  function merge(item, reversed) {
    if (item.done || item.busy) { return; }
    var dup = item.data.duplicate, original = item.data.original;
    var from = reversed ? original : dup, into = reversed ? dup : original;
    item.busy = true;
    Nezarat.postJSON(config.incidentUrl.replace("{id}", encodeURIComponent(from.id)) + "/merge",
                     {original_id: into.id}).then(function () {
      item.busy = false;
      // Other pairs with the merged report are settled too: it is no longer counted.
      items.forEach(function (other) {
        if (other !== item && !other.done && other.kind === "pair" &&
            (other.data.duplicate.id === from.id || other.data.original.id === from.id)) {
          other.done = true;
          other.element.classList.add("nz-done");
          other.element.setAttribute("data-done", "true");
          other.result.textContent = strings.merged;
        }
      });
      finish(item, strings.merged);
    }, function (error) {
      item.busy = false;
      failed(item, error);
    });
  }

  function skip(item) {
    if (!item.done) { finish(item, strings.skipped); }
  }

  // --- loading ------------------------------------------------------------------------------

  function firstUrl() {
    var query = new URLSearchParams();
    var url;
    if (config.tab === "duplicates") {
      url = config.duplicatesUrl;
      query.set("limit", "20");
    } else if (config.tab === "visits") {
      url = config.visitsUrl;
      query.set("review_status", config.status);
      query.set("limit", "50");
    } else {
      url = config.incidentsUrl;
      query.set("verification_status", config.status);
      query.set("limit", "50");
    }
    if (config.facility) { query.set("facility_id", config.facility); }
    return url + "?" + query.toString();
  }

  function load(url) {
    list.setAttribute("aria-busy", "true");
    say(strings.loading);
    return Nezarat.getJSON(url).then(function (body) {
      var make = config.tab === "duplicates" ? pairItem
        : config.tab === "visits" ? visitItem : incidentItem;
      body.items.forEach(function (data) {
        var item = make(data);
        items.push(item);
        list.appendChild(item.element);
      });
      var next = (body.links || []).filter(function (link) { return link.rel === "next"; })[0];
      nextUrl = next ? next.href : null;
      items.forEach(function (item, i) {
        item.element.setAttribute("aria-posinset", String(i + 1));
        item.element.setAttribute("aria-setsize", nextUrl ? "-1" : String(items.length));
      });
      moreButton.hidden = !nextUrl;
      list.setAttribute("aria-busy", "false");
      list.setAttribute("data-ready", "true");
      say(items.length ? "" : strings.empty);
      if (index < 0 && items.length) { select(0, false); }
    }, function (error) {
      list.setAttribute("aria-busy", "false");
      list.setAttribute("data-ready", "error");
      say(strings.failed + " " + error.message, true);
    });
  }

  function typing(target) {
    return target && (target.isContentEditable ||
                      /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var item = current();
    var handlers = {
      j: function () { move(1); },
      k: function () { move(-1); },
      v: function () { if (item && item.kind !== "pair") { decide(item, "verify"); } },
      i: function () { if (item && item.kind !== "pair") { askComment(item, "has_issues"); } },
      r: function () { if (item && item.kind !== "pair") { askComment(item, "reject"); } },
      o: function () { if (item && item.kind !== "pair") { toggleDetails(item); } },
      m: function () { if (item && item.kind === "pair") { merge(item, false); } },
      n: function () { if (item && item.kind === "pair") { skip(item); } },
      "?": function () {
        var help = document.querySelector(".nz-shortcuts");
        if (help) { help.open = !help.open; }
      }
    };
    var handler = handlers[event.key];
    if (handler) {
      event.preventDefault();
      handler();
    }
  }

  function start() {
    list = document.getElementById("nz-review-list");
    if (!list) { return; }
    config = Nezarat.readData("nz-review-config", {});
    strings = config.strings || {};
    statusLine = document.getElementById("nz-review-status");
    moreButton = document.getElementById("nz-review-more");
    list.setAttribute("role", "feed");
    moreButton.addEventListener("click", function () { if (nextUrl) { load(nextUrl); } });
    document.addEventListener("keydown", onKey);
    Nezarat.reviewQueue = {items: items, select: select, decide: decide, merge: merge,
                           ready: load(firstUrl())};
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
