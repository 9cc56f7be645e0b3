/* The time slider: incidents per month (GET /api/map/histogram, for every filter but the
 * dates) drawn as bars, with two range inputs choosing the first and last month. Clicking a bar
 * chooses that month. Keyboard: the range inputs (arrows, Home, End).
 *
 *   var timeline = create(element, {strings: {...}, onChange: fn(from, to)});
 *   timeline.update([["2025-01-01", 12], ...], "2025-01-01", "2025-03-31");
 */
import * as dates from "../dates.js";
import {format, isoDay, textElement} from "../nezarat.js";

const SVG = "http://www.w3.org/2000/svg";
const BAR = 10, HEIGHT = 48;

// A month is the ISO day it begins on, in the person's calendar (static/js/dates.js): the
// server buckets the histogram the same way (interval=month or solar_month).
function monthOf(day) { return dates.monthStart(day); }

const nextMonth = dates.nextMonthStart;
const lastDay = dates.monthEnd;

/** Every month from the first to the last (bars for empty months too). */
function monthsBetween(first, last) {
  const months = [];
  let month = first, guard = 0;
  while (month <= last && guard < 1200) {
    months.push(month);
    month = nextMonth(month);
    guard += 1;
  }
  return months;
}

/** "Aqrab 1402" / "Nov 2023": the month in the person's calendar and the page's language. */
function monthName(month) {
  return month ? dates.month(month) : "";
}

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG, name);
  Object.keys(attributes || {}).forEach(function (key) {
    element.setAttribute(key, String(attributes[key]));
  });
  return element;
}

function create(element, options) {
  const strings = options.strings || {};
  const state = {months: [], counts: {}, from: "", to: ""};

  const chart = svgElement("svg", {"class": "nz-timeline-bars", preserveAspectRatio: "none",
                                 role: "img", focusable: "false"});
  const ranges = document.createElement("div");
  ranges.className = "nz-timeline-ranges";
  ranges.dir = "ltr";  // time runs left to right under the bars, in Dari too
  const start = document.createElement("input"), end = document.createElement("input");
  [start, end].forEach(function (input, i) {
    input.type = "range";
    input.min = "0";
    input.step = "1";
    input.className = "nz-timeline-" + (i ? "end" : "start");
    input.setAttribute("aria-label", i ? (strings.toMonth || "Last month")
                                       : (strings.fromMonth || "First month"));
    ranges.appendChild(input);
  });
  const caption = textElement("p", "", "nz-timeline-caption");
  const all = document.createElement("button");
  all.type = "button";
  all.className = "nz-button nz-button-quiet nz-timeline-all";
  all.textContent = strings.allDates || "All dates";
  element.appendChild(chart);
  element.appendChild(ranges);
  element.appendChild(caption);
  element.appendChild(all);

  function selection() {
    const i0 = parseInt(start.value, 10), i1 = parseInt(end.value, 10);
    return i0 <= i1 ? [i0, i1] : [i1, i0];
  }

  function emit() {
    const chosen = selection(), months = state.months;
    if (!months.length) { return; }
    const whole = chosen[0] === 0 && chosen[1] === months.length - 1;
    options.onChange(whole ? "" : months[chosen[0]],
                     whole ? "" : lastDay(months[chosen[1]]));
  }

  function paint() {
    const chosen = selection(), months = state.months;
    Array.prototype.forEach.call(chart.querySelectorAll("rect"), function (bar, i) {
      bar.classList.toggle("nz-bar-selected", i >= chosen[0] && i <= chosen[1]);
    });
    [start, end].forEach(function (input) {
      input.setAttribute("aria-valuetext", monthName(months[input.value] || ""));
    });
    caption.textContent = months.length ? monthName(months[chosen[0]]) + " – " +
      monthName(months[chosen[1]]) : "";
  }

  function draw() {
    while (chart.firstChild) { chart.removeChild(chart.firstChild); }
    const months = state.months;
    const biggest = Math.max.apply(null, months.map(function (m) {
      return state.counts[m] || 0;
    }).concat([1]));
    chart.setAttribute("viewBox", "0 0 " + Math.max(months.length * BAR, BAR) + " " + HEIGHT);
    months.forEach(function (month, i) {
      const n = state.counts[month] || 0;
      const h = n ? Math.max(2, HEIGHT * n / biggest) : 0;
      const bar = svgElement("rect", {x: i * BAR + 1, y: HEIGHT - h, width: BAR - 2, height: h,
                                    "class": "nz-bar", "data-month": month, "data-count": n});
      const title = svgElement("title");
      title.textContent = format(strings.incidentsInMonth || "%(count)s",
                                         {count: n, month: monthName(month)});
      bar.appendChild(title);
      bar.addEventListener("click", function () {
        start.value = end.value = String(i);
        paint();
        emit();
      });
      chart.appendChild(bar);
    });
    const total = months.reduce(function (sum, m) { return sum + (state.counts[m] || 0); }, 0);
    chart.setAttribute("aria-label", format(strings.inView || "%(count)s",
                                                    {count: total}));
    [start, end].forEach(function (input) {
      input.max = String(Math.max(months.length - 1, 0));
      input.disabled = months.length < 2;
    });
  }

  /** New bars (month buckets) and the chosen dates ("" = open). */
  function update(buckets, from, to) {
    state.counts = {};
    buckets.forEach(function (bucket) {
      state.counts[monthOf(isoDay(bucket[0]))] = bucket[1];
    });
    const known = Object.keys(state.counts).sort();
    if (from) { known.push(monthOf(from)); }
    if (to) { known.push(monthOf(to)); }
    known.sort();
    state.months = known.length ? monthsBetween(known[0], known[known.length - 1]) : [];
    state.from = from;
    state.to = to;
    draw();
    start.value = String(from ? Math.max(0, state.months.indexOf(monthOf(from))) : 0);
    end.value = String(to ? state.months.indexOf(monthOf(to))
                          : Math.max(state.months.length - 1, 0));
    paint();
  }

  start.addEventListener("input", paint);
  end.addEventListener("input", paint);
  start.addEventListener("change", emit);
  end.addEventListener("change", emit);
  all.addEventListener("click", function () { options.onChange("", ""); });
  return {update: update, element: element, months: function () { return state.months; }};
}

export {create, lastDay};
