/* The facility panel: opens when a facility is chosen on the map. Shows the facility, its
 * conditions over time (the server's SVG timeline, static/js/timeline.js), its visit history, the incidents nearby,
 * the latest photos (only the caller's organisation's: the API sends no others), a button that
 * filters the map to the facility and a link to its reports in the review queue. Everything
 * comes from GET /api/map/facilities/<id>/history.
 *
 *   var panel = create(element, {historyUrl: ".../{id}/history", ...});
 *   panel.open(id).then(function (history) { ... });   panel.close();
 */
import {day} from "../dates.js";
import {facts, format, getJSON, textElement} from "../nezarat.js";
import {loadTimeline} from "../timeline.js";

const VISITS_SHOWN = 12;

function el(tag, className, text) {
  return textElement(tag, text, className);
}

function section(title) {
  const box = el("section", "nz-panel-section");
  box.appendChild(el("h3", "", title));
  return box;
}

const RINGS = ["red_flag", "1", "2", "insufficient", "3", "4", "none"];
// In the method's order (JSON configs arrive with sorted keys).
const DIMENSIONS = ["safety_treatment", "legal_protection", "material_conditions",
                    "return_reception"];
const BADGE_TEXT = {red_flag: "!", insufficient: "?", none: "–"};

/** The ring of a visit as a badge: "!" red flag, 1-4 the worst dimension, "?" safety or legal
 *  safeguards not judged, "–" not assessed; its label says it in words. */
function ringBadge(ring, labels) {
  const known = RINGS.indexOf(ring) >= 0 ? ring : "none";
  const badge = el("span", "nz-ring-badge nz-ring-" + known.replace("_", "-"),
                   BADGE_TEXT[known] || known);
  badge.title = (labels || {})[known] || known;
  badge.setAttribute("aria-label", badge.title);
  return badge;
}

/** Red flags of the last visit, shown apart and never averaged, with the state responsible. */
function redFlagList(flags, method, strings) {
  const box = el("div", "nz-red-flags");
  box.appendChild(el("h4", "", strings.redFlags));
  if (!flags.length) {
    box.appendChild(el("p", "nz-hint", strings.noRedFlags));
    return box;
  }
  const list = el("ul", "nz-red-flag-list");
  flags.forEach(function (flag) {
    const text = ((method.redFlagLabels || {})[flag.code] || flag.code) + " · " +
      ((method.stateLabels || {})[flag.state] || flag.state) +
      (flag.count > 1 ? " · " + flag.count : "");
    list.appendChild(el("li", "nz-red-flag", text));
  });
  box.appendChild(list);
  return box;
}

/** The four dimensions of the last visit: rating, coverage, evidence; derived ratings say so. */
function dimensionTable(dimensions, method, strings) {
  const table = el("table", "nz-table nz-table-dense nz-dimensions");
  const body = table.createTBody();
  DIMENSIONS.forEach(function (name) {
    const d = dimensions[name] || {};
    const row = body.insertRow();
    row.setAttribute("data-dimension", name);
    row.appendChild(el("th", "", (method.dimensionLabels || {})[name] || name));
    const rating = d.rating == null ? "insufficient_evidence" : String(d.rating);
    row.appendChild(el("td", "nz-rating nz-rating-" + rating,
                       (method.ratingLabels || {})[rating] || rating));
    const evidence = (d.evidence || []).map(function (e) {
      return (method.evidenceLabels || {})[e] || e;
    }).join(", ");
    const note = [d.coverage ? strings.coverage + ": " + d.coverage : "", evidence,
                  d.source && d.source.indexOf("derived") === 0 ? strings.derived : ""];
    row.appendChild(el("td", "nz-hint", note.filter(Boolean).join(" · ")));
  });
  return table;
}

function create(element, options) {
  const strings = options.strings || {};
  let current = null, request = null;

  function label(map, code) { return (map || {})[code] || code; }

  function header(summary) {
    const head = el("header", "nz-panel-header");
    const title = el("h2", "nz-panel-title", summary.name);
    title.id = "nz-panel-title";
    title.tabIndex = -1;
    head.appendChild(ringBadge(summary.ring, (options.method || {}).ringLabels));
    head.appendChild(title);
    const close = el("button", "nz-panel-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", strings.close || "Close");
    close.addEventListener("click", function () { api.close(); });
    head.appendChild(close);
    return head;
  }

  function notices(summary) {
    const box = el("div", "nz-panel-notices");
    if (summary.stale) {
      box.appendChild(el("p", "nz-notice nz-notice-stale",
                         format(strings.staleNotice, {days: summary.stale_after_days})));
    }
    if (summary.access_denied) {
      box.appendChild(el("p", "nz-notice nz-notice-denied", strings.deniedNotice));
    }
    return box;
  }

  function details(summary) {
    const place = [summary.admin1, summary.country].filter(Boolean).join(", ");
    return facts([
      [strings.place, place],
      [strings.facilityStatus, summary.status === "closed" ? strings.closed : strings.open],
      [strings.capacity, summary.capacity],
      [strings.lastVisit, summary.last_visit ? day(summary.last_visit) : strings.never]
    ], "nz-facts");
  }

  function actions(summary) {
    const box = el("div", "nz-panel-actions");
    const only = el("button", "nz-button nz-button-quiet nz-panel-filter", strings.onlyThisFacility);
    only.type = "button";
    only.addEventListener("click", function () {
      if (options.onFilterFacility) { options.onFilterFacility(summary.id); }
    });
    const reports = el("a", "nz-button nz-button-quiet nz-panel-reports", strings.reports);
    reports.href = options.reviewUrl + "?facility=" + encodeURIComponent(summary.id);
    box.appendChild(only);
    box.appendChild(reports);
    return box;
  }

  function assessment(summary) {
    const method = options.method || {};
    const box = section(strings.dimensions);
    box.classList.add("nz-assessment");
    box.appendChild(redFlagList(summary.red_flags || [], method, strings));
    box.appendChild(dimensionTable(summary.dimensions || {}, method, strings));
    box.appendChild(el("p", "nz-hint", strings.noGrade));
    return box;
  }

  function timeline(summary) {
    const box = section(strings.trend);
    box.classList.add("nz-trend");
    const holder = el("div", "nz-timeline-holder");
    holder.setAttribute("data-ready", "false");
    box.appendChild(holder);
    const url = (options.timelineUrl ||
                 options.historyUrl.replace(/\/history$/, "/timeline.svg"))
      .replace("{id}", encodeURIComponent(summary.id));
    return {box: box, draw: function (signal) {
      loadTimeline(url, holder, {signal: signal}).catch(function (error) {
        if (error.name === "AbortError") { return; }
        holder.setAttribute("data-ready", "error");
        holder.appendChild(el("p", "nz-hint", strings.noTrend));
      });
    }};
  }

  function visitTable(visits) {
    const box = section(strings.visits);
    if (!visits.length) {
      box.appendChild(el("p", "nz-hint", strings.noVisits));
      return box;
    }
    const table = el("table", "nz-table nz-table-dense nz-visit-history");
    const head = table.createTHead().insertRow();
    [strings.occurred, strings.ringShort, strings.access, strings.review, strings.organisation]
      .forEach(function (text) { head.appendChild(el("th", "", text)); });
    const body = table.createTBody();
    visits.slice(-VISITS_SHOWN).reverse().forEach(function (visit) {
      const row = body.insertRow();
      row.appendChild(el("td", "", day(visit.date)));
      const ring = row.insertCell();
      ring.appendChild(ringBadge(visit.ring, (options.method || {}).ringLabels));
      row.appendChild(el("td", "", label(options.accessLabels, visit.access)));
      row.appendChild(el("td", "", label(options.statusLabels, visit.review_status)));
      row.appendChild(el("td", "", visit.own ? strings.ownVisit : strings.otherVisit));
    });
    box.appendChild(table);
    return box;
  }

  function nearby(near) {
    const km = Math.round(near.radius_m / 100) / 10;
    const box = section(strings.nearby + " · " + format(strings.withinKm, {km: km}));
    box.classList.add("nz-nearby");
    box.setAttribute("data-total", String(near.total));
    if (!near.total) {
      box.appendChild(el("p", "nz-hint", strings.noNearby));
      return box;
    }
    const byType = el("ul", "nz-nearby-types");
    Object.keys(near.by_type).forEach(function (type) {
      byType.appendChild(el("li", "", label(options.typeLabels, type) + ": " +
                                      near.by_type[type]));
    });
    box.appendChild(byType);
    const latest = el("ul", "nz-nearby-latest");
    near.latest.forEach(function (incident) {
      latest.appendChild(el("li", "nz-severity-text-" + incident.severity,
        day(incident.occurred_on) + " · " + label(options.typeLabels, incident.type) +
        " · " + strings.severity + " " + incident.severity + " · " +
        label(options.statusLabels, incident.status) + " · " +
        format(strings.km, {n: Math.round(incident.distance_m / 100) / 10})));
    });
    box.appendChild(latest);
    return box;
  }

  function photos(list) {
    const box = section(strings.photos);
    box.appendChild(el("p", "nz-hint", strings.photosHint));
    if (!list.length) {
      box.appendChild(el("p", "nz-hint", strings.noPhotos));
      return box;
    }
    const grid = el("ul", "nz-photos");
    list.forEach(function (photo) {
      const item = el("li"), link = el("a"), image = document.createElement("img");
      link.href = photo.url;
      link.target = "_blank";
      link.rel = "noopener";
      image.src = photo.thumbnail_url;
      image.alt = format(strings.photoAlt, {date: day(photo.received_at)});
      image.loading = "lazy";
      link.appendChild(image);
      item.appendChild(link);
      grid.appendChild(item);
    });
    box.appendChild(grid);
    return box;
  }

  // Protection cases at this facility: counts the server keeps in clear (no key needed).
  function cases(summary) {
    const box = section(strings.cases);
    box.classList.add("nz-panel-cases");
    getJSON(options.casesUrl).then(function (counts) {
      const row = counts.by_facility.find(function (r) { return r.facility_id === summary.id; });
      box.setAttribute("data-cases", String(row ? row.cases : 0));
      box.appendChild(el("p", "", row ? format(strings.casesCount, {n: row.cases,
        immediate: row.immediate, within_72h: row.within_72h, routine: row.routine,
        overdue: row.overdue}) : strings.noCases));
      const link = el("a", "nz-button nz-button-quiet", strings.openCases);
      link.href = options.casesPage;
      box.appendChild(link);
    }).catch(function () { box.remove(); });
    return box;
  }

  function render(history) {
    element.textContent = "";
    const summary = history.facility;
    element.appendChild(header(summary));
    element.appendChild(el("p", "nz-panel-kind", label(options.kindLabels, summary.kind)));
    element.appendChild(notices(summary));
    element.appendChild(details(summary));
    element.appendChild(actions(summary));
    element.appendChild(assessment(summary));
    if (options.casesUrl) { element.appendChild(cases(summary)); }
    const chartPart = timeline(summary);
    element.appendChild(chartPart.box);
    element.appendChild(visitTable(history.visits));
    element.appendChild(nearby(history.nearby));
    element.appendChild(photos(history.photos));
    chartPart.draw(request && request.signal);
  }

  function destroyChart() {}

  const api = {
    element: element,
    current: function () { return current; },
    /** Show facility `id`; resolves with the history the API sent. */
    open: function (id) {
      if (request) { request.abort(); }
      request = new AbortController();
      current = id;
      destroyChart();
      element.hidden = false;
      element.setAttribute("aria-busy", "true");
      element.setAttribute("data-facility", id);
      element.setAttribute("data-ready", "false");
      element.textContent = "";
      element.appendChild(el("p", "nz-hint", strings.loading));
      if (options.onOpen) { options.onOpen(id); }
      const url = options.historyUrl.replace("{id}", encodeURIComponent(id));
      const signal = request.signal;
      return getJSON(url, {signal: signal}).then(function (history) {
        if (signal.aborted || current !== id) { return null; }
        render(history);
        element.setAttribute("aria-busy", "false");
        element.setAttribute("data-ready", "true");
        const title = element.querySelector("#nz-panel-title");
        if (title) { title.focus(); }
        return history;
      }).catch(function (error) {
        if (error.name === "AbortError") { return null; }
        element.textContent = "";
        element.appendChild(header({name: "", ring: "none"}));
        element.appendChild(el("p", "nz-error", strings.panelFailed + " " + error.message));
        element.setAttribute("aria-busy", "false");
        element.setAttribute("data-ready", "error");
        return null;
      });
    },
    close: function () {
      if (request) { request.abort(); }
      destroyChart();
      current = null;
      element.hidden = true;
      element.textContent = "";
      element.removeAttribute("data-facility");
      if (options.onClose) { options.onClose(); }
    }
  };
  element.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { api.close(); }
  });
  return api;
}

export {create};
