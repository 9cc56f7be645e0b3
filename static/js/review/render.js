/* The review queue's rendering: an <article> per item (incident, visit or duplicate pair) with
 * its facts, flags and action buttons, the comment form, an item's details, and the marks of
 * selection and of a settled item. Everything user-written is set as text, never as HTML.
 */
import {day, wallClock} from "../dates.js";
import {facts, format, postJSON, textElement} from "../nezarat.js";
import {loadTimeline} from "../timeline.js";
import {affectedText as affectedLine, heldText} from "./counts.js";
import {DIMENSIONS, evidenceSection} from "./evidence.js";
import {miniMap} from "./minimap.js";

function el(tag, className, text) { return textElement(tag, text, className); }
function label(map, code) { return (map || {})[code] || code; }

function button(text, key, handler, className) {
  const b = el("button", "nz-button " + (className || "nz-button-quiet"), text);
  b.type = "button";
  if (key) {
    b.setAttribute("aria-keyshortcuts", key);
    b.appendChild(el("kbd", "nz-key", key));
  }
  b.addEventListener("click", (event) => {
    event.stopPropagation();
    handler();
  });
  return b;
}

/** The renderer of one page: config and strings from the page, `actions` the queue's
 *  {select(item), decide(item, action), askComment(item, action), toggleDetails(item),
 *   merge(item, reversed), skip(item)}. */
export function renderer(config, actions) {
  const strings = config.strings || {};

  function affectedText(affected) { return affectedLine(affected, strings); }

  function place(record) {
    return [record.facility_name, record.admin1, record.country].filter(Boolean).join(", ");
  }

  function incidentFacts(record) {
    return [
      [strings.occurred, day(record.occurred_on)],
      [strings.severity, record.severity],
      [strings.affected, affectedText(record.affected)],
      [strings.place, place(record)],
      [strings.status, label(config.statusLabels, record.verification_status)],
      [strings.submitted, day(record.created_at)]
    ];
  }

  function flagList(codes) {
    const box = el("ul", "nz-flags");
    codes.forEach((code) => {
      box.appendChild(el("li", "nz-flag nz-flag-" + code, label(config.flagLabels, code)));
    });
    return box;
  }

  function shell(item, title) {
    const article = el("article", "nz-review-item");
    article.tabIndex = -1;
    article.setAttribute("data-id", item.id);
    article.setAttribute("data-kind", item.kind);
    const heading = el("h2", "nz-item-title", title);
    heading.id = "nz-item-" + item.kind + "-" + item.id;
    article.setAttribute("aria-labelledby", heading.id);
    article.appendChild(heading);
    article.addEventListener("click", () => actions.select(item));
    item.element = article;
    item.result = el("p", "nz-item-result");  // the page's status line announces it
    item.statusTerm = strings.status;  // markDone finds the status fact by its term
    return article;
  }

  function decisionButtons(item) {
    const box = el("div", "nz-item-actions");
    box.appendChild(button(strings.verify, "v", () => actions.decide(item, "verify"),
                           "nz-action-verify"));
    box.appendChild(button(strings.hasIssues, "i", () => actions.askComment(item, "has_issues"),
                           "nz-button-quiet nz-action-has_issues"));
    box.appendChild(button(strings.reject, "r", () => actions.askComment(item, "reject"),
                           "nz-button-quiet nz-action-reject"));
    item.detailsButton = button(strings.details, "o", () => actions.toggleDetails(item),
                                "nz-button-quiet nz-action-details");
    box.appendChild(item.detailsButton);
    return box;
  }

  function incident(data) {
    const item = {kind: "incident", id: data.id, data: data};
    const article = shell(item, label(config.typeLabels, data.type));
    article.appendChild(facts(incidentFacts(data), "nz-item-facts"));
    const flags = (data.flags || []).concat(data.visit_flags || []).map((f) => f.code || f);
    if ((data.possible_duplicate_of || []).length) { flags.push("possible_duplicate"); }
    if (flags.length) { article.appendChild(flagList(flags)); }
    article.appendChild(decisionButtons(item));
    if ((data.possible_duplicate_of || []).length) {
      const compare = el("a", "nz-compare", strings.comparePair);
      const query = new URLSearchParams({tab: "duplicates"});
      if (config.facility) { query.set("facility", config.facility); }
      compare.href = window.location.pathname + "?" + query.toString();
      article.appendChild(compare);
    }
    article.appendChild(item.result);
    return item;
  }

  function visit(data) {
    const item = {kind: "visit", id: data.id, data: data};
    const held = heldText(data.held, strings);
    const article = shell(item, data.facility_name);
    article.appendChild(facts([
      [strings.occurred, day(data.started_at)],
      [strings.ring, label(config.ringLabels, data.ring || "none")],
      [strings.access, label(config.accessLabels, data.access)],
      [strings.held, held],
      [strings.incidents, data.incident_count],
      [strings.status, label(config.statusLabels, data.review_status)],
      [strings.submitted, day(data.submitted_at)]
    ], "nz-item-facts"));
    const flags = (data.flags || []).map((f) => f.code || f);
    if (flags.length) { article.appendChild(flagList(flags)); }
    article.appendChild(visitAssessment(data));
    article.appendChild(evidenceSection(data, config));
    if (data.facility_id && config.timelineUrl) { article.appendChild(timeline(data)); }
    article.appendChild(decisionButtons(item));
    article.appendChild(item.result);
    return item;
  }

  /** The facility's conditions over time (the same server-drawn SVG as the map's panel),
   *  fetched when the reader opens it. */
  function timeline(data) {
    const box = el("details", "nz-review-timeline");
    box.appendChild(el("summary", "", strings.timeline));
    const holder = el("div", "nz-timeline-holder");
    holder.setAttribute("data-ready", "false");
    box.appendChild(holder);
    box.addEventListener("toggle", () => {
      if (!box.open || holder.getAttribute("data-ready") !== "false") { return; }
      holder.setAttribute("data-ready", "loading");
      loadTimeline(config.timelineUrl.replace("{id}", encodeURIComponent(data.facility_id)),
                   holder).catch((error) => {
        holder.setAttribute("data-ready", "error");
        holder.appendChild(el("p", "nz-error", error.message));
      });
    });
    return box;
  }

  /** Red flags apart (never averaged), then each dimension's rating with an adjust control:
   *  a coordinator changes a rating with a reason (POST .../dimensions/{dimension}, audited). */
  function visitAssessment(data) {
    const box = el("div", "nz-visit-assessment");
    const redFlags = (data.red_flags || []).map((f) => (
      label(config.redFlagLabels, f.code) + " · " + label(config.stateLabels, f.state)));
    if (redFlags.length) {
      box.appendChild(el("p", "nz-red-flag", strings.redFlags + ": " + redFlags.join("; ")));
    }
    const list = el("ul", "nz-dimension-list");
    DIMENSIONS.forEach((name) => { list.appendChild(dimensionRow(data, name)); });
    box.appendChild(list);
    return box;
  }

  function dimensionRow(data, name) {
    const d = (data.dimensions || {})[name] || {};
    const current = d.rating == null ? "insufficient_evidence" : String(d.rating);
    const row = el("li", "", label(config.dimensionLabels, name) + ": " +
                   label(config.ratingLabels, current) + " ");
    row.setAttribute("data-dimension", name);
    const select = document.createElement("select");
    select.setAttribute("aria-label", strings.adjust);
    Object.keys(config.ratingLabels || {}).forEach((value) => {
      const option = el("option", "", label(config.ratingLabels, value));
      option.value = value;
      option.selected = value === current;
      select.appendChild(option);
    });
    const reason = document.createElement("input");
    reason.type = "text";
    reason.placeholder = strings.reason;
    reason.setAttribute("aria-label", strings.reason);
    const send = el("button", "nz-button nz-button-quiet", strings.adjust);
    send.type = "button";
    const result = el("span", "nz-hint");
    send.addEventListener("click", (event) => {
      event.stopPropagation();
      const value = select.value === "insufficient_evidence" ? select.value : Number(select.value);
      const url = config.ratingUrl.replace("{id}", encodeURIComponent(data.id))
        .replace("{dimension}", encodeURIComponent(name));
      postJSON(url, {rating: value, reason: reason.value}).then(() => {
        result.textContent = strings.adjusted;
      }).catch((error) => {
        result.textContent = strings.actionFailed + " " + error.message;
      });
    });
    [select, reason, send, result].forEach((part) => { row.appendChild(part); });
    return row;
  }

  function side(record, title) {
    const box = el("section", "nz-pair-side" + (record.own ? " nz-own" : ""));
    box.appendChild(el("h3", "", title));
    box.appendChild(facts([
      [strings.organisation, record.own ? record.organisation + " (" + strings.ours + ")"
                                        : record.organisation]
    ].concat(incidentFacts(record)), "nz-item-facts"));
    return box;
  }

  function pair(data) {
    const dup = data.duplicate, original = data.original;
    const item = {kind: "pair", id: dup.id + ":" + original.id, data: data};
    const article = shell(item, label(config.typeLabels, dup.type));
    article.appendChild(el("p", "nz-pair-distance",
      strings.distance + ": " + format(strings.metres, {n: data.distance_m}) + " · " +
      strings.daysApart + ": " + data.days_apart));
    const sides = el("div", "nz-pair");
    item.sides = [side(dup, strings.duplicate), side(original, strings.original)];
    item.sides.forEach((box) => sides.appendChild(box));
    article.appendChild(sides);
    const box = el("div", "nz-item-actions");
    box.appendChild(button(strings.merge, "m", () => actions.merge(item, false), "nz-action-merge"));
    item.detailsButton = button(strings.compareNarratives, "o", () => actions.compare(item),
                                "nz-button-quiet nz-action-compare");
    box.appendChild(item.detailsButton);
    if (original.own && ["submitted", "has_issues"].includes(original.verification_status)) {
      box.appendChild(button(strings.mergeOther, null, () => actions.merge(item, true),
                             "nz-button-quiet nz-action-merge-other"));
    }
    box.appendChild(button(strings.skip, "n", () => actions.skip(item),
                           "nz-button-quiet nz-action-skip"));
    article.appendChild(box);
    article.appendChild(item.result);
    return item;
  }

  /** The comment form of a "has issues" or "reject" decision, shown in the item.
   *  onSend(text) gets the trimmed comment (never empty); onCancel() closes it. */
  function commentForm(item, action, onSend, onCancel) {
    const form = el("form", "nz-item-comment nz-form");
    const id = "nz-comment-" + item.id;
    const fieldLabel = el("label", "", strings.comment);
    fieldLabel.htmlFor = id;
    const area = document.createElement("textarea");
    area.id = id;
    area.name = "comment";
    area.required = true;
    area.rows = 3;
    area.maxLength = 4000;
    area.setAttribute("dir", "auto");
    const error = el("p", "nz-field-error");
    error.id = id + "-error";
    area.setAttribute("aria-describedby", error.id);
    const buttons = el("div", "nz-item-actions");
    const send = el("button", "nz-button nz-comment-send",
                    (action === "reject" ? strings.reject : strings.hasIssues) + " · " + strings.send);
    send.type = "submit";
    const cancel = el("button", "nz-button nz-button-quiet nz-comment-cancel", strings.cancel);
    cancel.type = "button";
    buttons.appendChild(send);
    buttons.appendChild(cancel);
    [fieldLabel, area, error, buttons].forEach((part) => form.appendChild(part));
    form.setAttribute("data-action", action);

    function submit() {
      const text = area.value.trim();
      if (!text) {
        error.textContent = strings.commentRequired;
        area.setAttribute("aria-invalid", "true");
        area.focus();
        return;
      }
      onSend(text);
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    cancel.addEventListener("click", onCancel);
    area.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      } else if (event.key === "Escape") {
        event.preventDefault();
        onCancel();
      }
    });
    item.element.insertBefore(form, item.result);
    area.focus();
    return form;
  }

  /** Both reports of a pair read in full (audited reads), each under its own column: the
   *  narrative (or that the other organisation does not share it) and the photos. */
  function pairDetails(item, details) {
    item.comparison = details.map((detail, i) => {
      const box = el("div", "nz-pair-details");
      box.appendChild(el("h4", "", strings.narrative));
      const shared = detail.view !== "coalition";
      const text = el("p", "nz-item-text nz-pair-narrative",
                      shared ? (detail.narrative || strings.none) : strings.notShared);
      text.setAttribute("data-shared", String(shared));
      box.appendChild(text);
      const received = (detail.photos || []).filter((p) => p.received);
      box.appendChild(el("h4", "", strings.photos));
      if (received.length) {
        box.appendChild(photoGrid(received));
      } else {
        box.appendChild(el("p", "nz-item-text", shared ? strings.none : strings.notShared));
      }
      item.sides[i].appendChild(box);
      return box;
    });
    item.element.insertBefore(el("p", "nz-hint nz-pair-audited", strings.readAudited),
                              item.element.querySelector(".nz-pair").nextSibling);
    return item.comparison;
  }

  function photoGrid(photos) {
    const grid = el("ul", "nz-item-photos");
    photos.forEach((photo) => {
      const li = el("li"), link = el("a"), image = document.createElement("img");
      link.href = "/api/attachments/" + encodeURIComponent(photo.id);
      link.target = "_blank";
      link.rel = "noopener";
      image.src = "/api/attachments/" + encodeURIComponent(photo.id) + "/thumbnail";
      image.alt = photo.filename || "";
      link.appendChild(image);
      li.appendChild(link);
      if (photo.captured_at) {  // chain of custody: when the camera says it was taken
        li.appendChild(el("span", "nz-photo-taken",
          format(strings.taken, {when: wallClock(photo.captured_at)})));
      }
      if (photo.received_sha256) {
        li.title = format(strings.receivedHash, {hash: photo.received_sha256});
      }
      grid.appendChild(li);
    });
    return grid;
  }

  /** An item's details: its narrative or notes and its received photos (thumbnails linking to
   *  the photo), with when the camera says each was taken and its received hash. */
  function details(item, detail) {
    const box = el("div", "nz-item-details");
    box.appendChild(el("p", "nz-hint", strings.readAudited));
    const text = item.kind === "visit" ? detail.notes : detail.narrative;
    box.appendChild(el("h3", "", item.kind === "visit" ? strings.notes : strings.narrative));
    box.appendChild(el("p", "nz-item-text", text || strings.none));
    if (item.kind === "visit" && detail.persons_at_risk) {  // sealed cases naming the visit: a count only
      const cases = el("p", "nz-item-cases", format(strings.personsAtRisk, {n: detail.persons_at_risk}));
      cases.dataset.personsAtRisk = String(detail.persons_at_risk);
      box.appendChild(cases);
    }
    const photos = (detail.photos || []).filter((p) => p.received);
    if (photos.length) { box.appendChild(photoGrid(photos)); }
    item.element.insertBefore(box, item.result);
    if (item.kind === "visit") {
      visitContext(box, detail);
      box.appendChild(el("h3", "", strings.mapTitle));
      miniMap(detail, config, box);
    }
    return box;
  }

  function ratingText(dimension) {
    const d = dimension || {};
    return label(config.ratingLabels, d.rating == null ? "insufficient_evidence" : String(d.rating));
  }

  /** The previous visit's ratings beside this one's, and what this version changed. */
  function visitContext(box, detail) {
    const previous = detail.previous;
    box.appendChild(el("h3", "", strings.previousVisit));
    if (!previous) {
      box.appendChild(el("p", "nz-item-text", strings.noPreviousVisit));
    } else {
      const list = el("ul", "nz-previous");
      list.setAttribute("data-previous", previous.id);
      box.appendChild(el("p", "nz-hint", format(strings.previousOn,
                                                 {day: day(previous.started_at)})));
      DIMENSIONS.forEach((name) => {
        const before = ratingText((previous.dimensions || {})[name]);
        const now = ratingText((detail.dimensions || {})[name]);
        const li = el("li", before === now ? "" : "nz-changed",
          label(config.dimensionLabels, name) + ": " + before + " → " + now);
        li.setAttribute("data-dimension", name);
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    const changes = detail.changes || {};
    if (changes.from) {
      box.appendChild(el("h3", "", format(strings.versionChanges,
                                          {from: changes.from, to: changes.to})));
      if (!changes.available || !(changes.changes || []).length) {
        box.appendChild(el("p", "nz-item-text", changes.available ? strings.noChanges
                                                                  : strings.changesUnknown));
      } else {
        const list = el("ul", "nz-changes");
        changes.changes.forEach((change) => {
          const text = change.changed_text ? strings.textChanged
            : JSON.stringify(change.before) + " → " + JSON.stringify(change.after);
          const li = el("li", "");
          li.setAttribute("data-field", change.field);
          li.appendChild(el("code", "", change.field));
          li.appendChild(document.createTextNode(": "));
          li.appendChild(el("bdi", "", text));
          list.appendChild(li);
        });
        box.appendChild(list);
      }
    }
  }

  return {incident, visit, pair, commentForm, details, pairDetails};
}

/** Mark an item's element selected (aria-current) or not. */
export function markSelected(item, selected) {
  item.element.classList.toggle("nz-selected", selected);
  if (selected) {
    item.element.setAttribute("aria-current", "true");
  } else {
    item.element.removeAttribute("aria-current");
  }
}

/** Mark an item settled: greyed, its controls disabled, `text` saying what happened. */
export function markDone(item, text, statusLabel) {
  item.element.classList.add("nz-done");
  if (statusLabel) {  // the card says its new status, not the one it was listed with
    item.element.querySelectorAll("dt").forEach((term) => {
      const value = term.nextElementSibling;
      if (term.textContent === item.statusTerm && value) {
        value.textContent = statusLabel;
        value.setAttribute("data-role", "status");
      }
    });
  }
  item.element.setAttribute("data-done", "true");
  item.element.querySelectorAll("button, textarea").forEach((control) => {
    control.disabled = true;
  });
  item.result.textContent = text;
}

/** Say in an item that its action failed. */
export function markFailed(item, text) {
  item.result.textContent = text;
  item.result.classList.add("nz-error");
}
