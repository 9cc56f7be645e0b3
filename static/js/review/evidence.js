/* The evidence behind a visit's assessment, on its review card: every answer of the report,
 * grouped by the dimension it informs, each indicator beside its result, the minimum standard
 * and the source of that standard (Sphere, the Mandela Rules...); each dimension's rating as
 * stored (the monitor's, suggested, or adjusted at review) with its coverage and kinds of
 * evidence; the red flags; how the visit was done; the returnee interviews.
 *
 * Everything comes from the visit as listed (observations, dimensions, red_flags, returnees)
 * and the page's config.evidence (server/web/method_labels.evidence_config): the form's own
 * words for each question and answer, in the page's language. Each row names the stored code
 * and value (data-code, data-value) so that what is shown can be checked against what is kept.
 */
import {format, textElement} from "../nezarat.js";

export const DIMENSIONS = ["safety_treatment", "legal_protection", "material_conditions",
  "return_reception"];  // the method's order
const RETURNEE_FIELDS = ["consent_interview", "state_responsible", "people", "women", "children",
  "at_risk", "return_kind", "held_before", "days_held", "documents_taken", "fees_charged",
  "wages_or_property_left", "family_left_behind", "night_arrival", "transport_harsh",
  "signed_return_form", "asylum_refused", "force_alleged", "interview_private", "reprisal_risk"];

function el(tag, className, text) { return textElement(tag, text, className); }
function label(map, code) { return (map || {})[code] || code; }

/** Data (a standard's wording, a citation) kept as written, left to right in any page. */
function asWritten(tag, text) {
  const element = el(tag, "nz-as-written", text);
  element.setAttribute("dir", "ltr");
  element.setAttribute("translate", "no");
  return element;
}

/** The answer as the monitor chose it (the form's words) or as typed (a number). */
function shownValue(question, value) {
  if (value == null || value === "") { return "—"; }
  const choices = (question && question.choices) || {};
  if (typeof value === "string" && Object.prototype.hasOwnProperty.call(choices, value)) {
    return choices[value];
  }
  return String(value);
}

export function evidenceSection(data, config) {
  const strings = config.strings || {};
  const evidence = config.evidence || {};
  const questions = evidence.questions || {};
  const table = evidence.indicators || {};
  const observations = data.observations || {};
  const dimensions = data.dimensions || {};
  const shownCodes = new Set();

  function row(code, value, entry) {
    const question = questions[code];
    const indicator = table[code];
    const tr = document.createElement("tr");
    tr.setAttribute("data-code", code);
    tr.setAttribute("data-value", JSON.stringify(value === undefined ? null : value));
    const head = el("th", "", question ? question.label : code);
    head.scope = "row";
    tr.appendChild(head);
    const answer = el("td", "nz-evidence-answer", shownValue(question, value));
    if (entry && entry.derived) {
      answer.appendChild(el("span", "nz-hint", " (" + strings.derived + ")"));
      tr.setAttribute("data-derived", "true");
    }
    tr.appendChild(answer);
    const result = entry ? entry.result : (indicator ? "" : null);
    const resultCell = el("td", "nz-evidence-result" + (result ? " nz-result-" + result : ""),
      result ? label(evidence.resultLabels, result)
        : (result === "" ? strings.notRatedHere : strings.scoringInput));
    if (result != null) { tr.setAttribute("data-result", result); }
    if (indicator && indicator.critical) {
      resultCell.appendChild(el("span", "nz-critical", " · " + strings.critical));
    }
    tr.appendChild(resultCell);
    const standard = document.createElement("td");
    if (indicator) {  // "yes" as the form words it; a threshold or a citation as written
      const choices = (question && question.choices) || {};
      standard.appendChild(Object.prototype.hasOwnProperty.call(choices, indicator.standard)
        ? el("span", "", choices[indicator.standard]) : asWritten("span", indicator.standard));
    }
    tr.appendChild(standard);
    const source = document.createElement("td");
    if (indicator && indicator.source) {
      const cite = asWritten(indicator.sourceUrl ? "a" : "span", indicator.source);
      if (indicator.sourceUrl) {
        cite.href = indicator.sourceUrl;
        cite.rel = "noopener noreferrer";
        cite.target = "_blank";
      }
      source.appendChild(cite);
      tr.setAttribute("data-source", indicator.source);
    }
    tr.appendChild(source);
    shownCodes.add(code);
    return tr;
  }

  function answersTable(rows, caption) {
    const t = el("table", "nz-evidence-answers");
    t.appendChild(el("caption", "nz-visually-hidden", caption));
    const head = document.createElement("thead");
    const tr = document.createElement("tr");
    [strings.question, strings.answer, strings.result, strings.standard, strings.source]
      .forEach((text) => {
        const th = el("th", "", text);
        th.scope = "col";
        tr.appendChild(th);
      });
    head.appendChild(tr);
    t.appendChild(head);
    const body = document.createElement("tbody");
    rows.forEach((r) => body.appendChild(r));
    t.appendChild(body);
    return t;
  }

  function ratingLine(name, d) {
    const current = d.rating == null ? "insufficient_evidence" : String(d.rating);
    const p = el("p", "nz-evidence-rating");
    p.setAttribute("data-rating", current);
    p.setAttribute("data-coverage", d.coverage || "");
    p.setAttribute("data-evidence", (d.evidence || []).join(" "));
    p.setAttribute("data-source", d.source || "");
    const parts = [strings.rating + ": " + label(config.ratingLabels, current)];
    if (d.coverage) { parts.push(label(evidence.coverageLabels, d.coverage)); }
    parts.push(strings.evidenceKinds + ": " + ((d.evidence || []).length
      ? d.evidence.map((kind) => label(config.evidenceLabels, kind)).join(", ")
      : strings.none));
    if (d.source) { parts.push(label(evidence.ratingSourceLabels, d.source)); }
    p.textContent = parts.join(" · ");
    if (d.adjusted) {
      const was = d.adjusted.from == null ? "insufficient_evidence" : String(d.adjusted.from);
      const note = el("span", "nz-evidence-adjusted", " — " + format(strings.adjustedFrom, {
        rating: label(config.ratingLabels, was)}) + " ");
      note.appendChild(el("q", "", d.adjusted.reason));
      p.appendChild(note);
    }
    return p;
  }

  function flagItems(flags) {
    const list = el("ul", "nz-evidence-flags");
    flags.forEach((f) => {
      const li = el("li", "nz-red-flag-item", label(config.redFlagLabels, f.code) + " · " +
        label(config.stateLabels, f.state) + " · " + label(evidence.flagSourceLabels, f.source) +
        (f.count > 1 ? " · " + format(strings.times, {n: f.count}) : ""));
      li.setAttribute("data-flag", f.code);
      li.setAttribute("data-state", f.state || "");
      li.setAttribute("data-source", f.source || "");
      li.setAttribute("data-count", String(f.count == null ? "" : f.count));
      list.appendChild(li);
    });
    return list;
  }

  function group(key, title) {
    const section = el("section", "nz-evidence-group");
    section.setAttribute("data-group", key);
    section.appendChild(el("h3", "", title));
    return section;
  }

  const box = el("details", "nz-evidence");
  box.appendChild(el("summary", "", strings.answersEvidence));
  const flags = data.red_flags || [];

  DIMENSIONS.forEach((name) => {
    const d = dimensions[name] || {};
    const section = group(name, label(config.dimensionLabels, name));
    section.appendChild(ratingLine(name, d));
    const own = flags.filter((f) => f.dimension === name);
    if (own.length) {
      section.appendChild(el("p", "nz-red-flag", strings.redFlags));
      section.appendChild(flagItems(own));
    }
    const rows = [];
    (d.indicators || []).forEach((entry) => {
      const observed = Object.prototype.hasOwnProperty.call(observations, entry.code);
      rows.push(row(entry.code, observed ? observations[entry.code] : entry.value, entry));
    });
    (d.unobserved || []).forEach((code) => {
      rows.push(row(code, Object.prototype.hasOwnProperty.call(observations, code)
        ? observations[code] : null, {result: "not_observed"}));
    });
    // Answers that inform this dimension but were not rated here: scoring inputs, and
    // indicators not asked at this kind of facility.
    Object.keys(observations).sort().forEach((code) => {
      if (shownCodes.has(code)) { return; }
      const dimension = table[code] ? table[code].dimension : (evidence.inputs || {})[code];
      if (dimension === name) { rows.push(row(code, observations[code], null)); }
    });
    if (rows.length) {
      section.appendChild(answersTable(rows, label(config.dimensionLabels, name)));
    } else {
      section.appendChild(el("p", "nz-hint", strings.noAnswers));
    }
    box.appendChild(section);
  });

  const unplaced = flags.filter((f) => !DIMENSIONS.includes(f.dimension));
  if (unplaced.length) {
    const section = group("red_flags", strings.redFlags);
    section.appendChild(flagItems(unplaced));
    box.appendChild(section);
  }

  const factRows = (evidence.facts || []).filter((code) => (
    Object.prototype.hasOwnProperty.call(observations, code))).map((code) => (
    row(code, observations[code], null)));
  if (factRows.length) {
    const section = group("facts", strings.howVisited);
    section.appendChild(answersTable(factRows, strings.howVisited));
    box.appendChild(section);
  }
  const rest = Object.keys(observations).sort().filter((code) => !shownCodes.has(code))
    .map((code) => row(code, observations[code], null));
  if (rest.length) {
    const section = group("other", strings.otherAnswers);
    section.appendChild(answersTable(rest, strings.otherAnswers));
    box.appendChild(section);
  }
  if ((data.returnees || []).length) { box.appendChild(returnees(data.returnees)); }
  return box;

  function returnees(groups) {
    const asked = evidence.returneeQuestions || {};
    const section = group("returnees", strings.returnees);
    groups.forEach((answers, i) => {
      const list = el("dl", "nz-item-facts nz-returnee-group");
      list.setAttribute("data-returnee", String(i));
      list.setAttribute("aria-label", format(strings.returneeGroup, {n: i + 1}));
      section.appendChild(el("h4", "", format(strings.returneeGroup, {n: i + 1})));
      const keys = RETURNEE_FIELDS.filter((k) => k in answers)
        .concat(Object.keys(answers).filter((k) => !RETURNEE_FIELDS.includes(k)).sort());
      keys.forEach((key) => {
        const question = key === "state_responsible"
          ? {label: (asked[key] || {}).label || key, choices: config.stateLabels} : asked[key];
        list.appendChild(el("dt", "", question ? question.label : key));
        const dd = el("dd", "", shownValue(question, answers[key]));
        dd.setAttribute("data-field", key);
        dd.setAttribute("data-value", JSON.stringify(answers[key]));
        list.appendChild(dd);
      });
      section.appendChild(list);
    });
    return section;
  }
}
