/* Dates as the pages show them, in the browser: the twin of server/web/dates.py, and the one
 * place page scripts format a date (the map's slider, tooltips and panel, the review cards, the
 * case pages). The person's calendar, the month names of the page's language and its digits
 * come from the server in the nz-dates JSON block of base.html; the browser's Intl does only
 * the calendar arithmetic (Chromium's ICU "persian" calendar, which agrees day for day with the
 * server's jdatetime), since browsers know no Pashto month names.
 *
 *   day("2023-11-15") -> "24 Aqrab 1402" (or "15 Nov 2023"), digits of the page's language
 *   month("2023-11-15"), when("2023-11-15T14:03:00Z"), monthStart(iso), nextMonthStart(iso)
 */
import {isoDay, readData} from "./nezarat.js";

const ENGLISH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
  "Dec"];
const DIGITS = {latn: "0123456789", arabext: "۰۱۲۳۴۵۶۷۸۹"};
const DAY_MS = 86400000;

let settings = null;
const formatters = {};  // by ICU calendar, made on first use

function current() {
  if (!settings) {
    settings = readData("nz-dates", null) || {};
    if (settings.calendar !== "solar_hijri") { settings.calendar = "gregorian"; }
    if (!settings.months || settings.months.length !== 12) { settings.months = ENGLISH; }
  }
  return settings;
}

/** "gregorian" or "solar_hijri": the calendar of the signed-in person. */
export function calendar() { return current().calendar; }

/** `text` with 0-9 in the page language's digits. */
export function digits(text) {
  const system = DIGITS[current().digits] || DIGITS.latn;
  return String(text).replace(/[0-9]/g, function (d) { return system.charAt(+d); });
}

function utc(iso) { return new Date(iso + "T00:00:00Z"); }

function iso(date) { return date.toISOString().slice(0, 10); }

/** [year, month 1-12, day] of an ISO day in the person's calendar. A Gregorian day is read
 *  from its ISO text; only Solar Hijri asks ICU, whose formatter is made on first use (making
 *  one loads calendar data: tens of milliseconds on a phone, which the map paid at start). */
export function parts(value) {
  const text = isoDay(value);
  const ymd = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (ymd && current().calendar !== "solar_hijri") {
    return [parseInt(ymd[1], 10), parseInt(ymd[2], 10), parseInt(ymd[3], 10)];
  }
  const icu = current().calendar === "solar_hijri" ? "persian" : "gregory";
  if (!formatters[icu]) {
    formatters[icu] = new Intl.DateTimeFormat("en-u-ca-" + icu + "-nu-latn",
      {year: "numeric", month: "numeric", day: "numeric", timeZone: "UTC"});
  }
  const found = {};
  formatters[icu].formatToParts(utc(text)).forEach(function (part) {
    found[part.type] = part.value;
  });
  return [parseInt(found.year, 10), parseInt(found.month, 10), parseInt(found.day, 10)];
}

/** "24 Aqrab 1402" / "15 Nov 2023" (an ISO day or RFC 3339 moment, read in UTC), or "". */
export function day(value) {
  if (!value) { return ""; }
  const p = parts(value);
  return digits(p[2] + " " + current().months[p[1] - 1] + " " + p[0]);
}

/** "Aqrab 1402" / "Nov 2023". */
export function month(value) {
  if (!value) { return ""; }
  const p = parts(value);
  return digits(current().months[p[1] - 1] + " " + p[0]);
}

/** A moment: its day in the person's calendar and its time in UTC. */
export function when(value) {
  if (!value) { return ""; }
  const moment = new Date(value);
  if (isNaN(moment)) { return String(value); }
  return day(iso(moment)) + " " + digits(moment.toISOString().slice(11, 16)) + " UTC";
}

/** The ISO day on which the calendar month holding `value` begins. */
export function monthStart(value) {
  const start = utc(isoDay(value));
  return iso(new Date(start.getTime() - (parts(value)[2] - 1) * DAY_MS));
}

/** The ISO day the next calendar month begins. */
export function nextMonthStart(value) {
  const start = utc(monthStart(value));
  return monthStart(iso(new Date(start.getTime() + 32 * DAY_MS)));
}

/** The ISO day the calendar month holding `value` ends. */
export function monthEnd(value) {
  return iso(new Date(utc(nextMonthStart(value)).getTime() - DAY_MS));
}

/** A moment as a device wrote it ("2025-03-04T10:11:12+04:30"): its day in the person's
 *  calendar and its wall-clock time (to the second) and offset as written (a camera's claim,
 *  not converted: chain of custody). */
export function wallClock(value) {
  const found = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/
    .exec(String(value || ""));
  if (!found) { return String(value || ""); }
  return day(found[1]) + " " + digits(found[2] + (found[3] ? " " + found[3] : ""));
}
