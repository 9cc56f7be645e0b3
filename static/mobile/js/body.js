// The JSON body of POST /api/submissions, built from the answers with the server's field
// mapping (GET /m/forms/<form>/fields.json, made from server/forms/fields.py): the app knows how
// to convert a kind of value, never which question goes where.
import { parseGeopoint } from "./geo.js";

export class MappingError extends Error {}

// By the JSON type the server gives each field (server/mobile/fieldmap.py).
const CONVERT = {
  string: (v) => v,
  instance_id: (v) => v.replace(/^uuid:/, ""),
  date: (v) => v.slice(0, 10),
  integer: (v) => {
    if (!/^-?\d+$/.test(v)) throw new MappingError(`${v} is not a whole number`);
    return Number.parseInt(v, 10);
  },
  number: (v) => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new MappingError(`${v} is not a number`);
    return n;
  },
  point: (v) => {
    const point = parseGeopoint(v);
    return point ? { type: "Point", coordinates: [point.lon, point.lat] } : null;
  },
  accuracy: (v) => {
    const point = parseGeopoint(v);
    return point && Number.isFinite(point.acc) ? point.acc : null;
  },
  boolean: (v) => v === "yes",
  rating: (v) => (/^[1-4]$/.test(v) ? Number(v) : v),  // 1-4 or insufficient_evidence
  list: (v) => v.split(/\s+/),  // a select_multiple's answer
};

function convert(type, value) {
  const text = String(value ?? "").trim();
  if (!text) return null;
  if (!(type in CONVERT)) throw new MappingError(`unknown JSON type ${type}`);
  return CONVERT[type](text);
}

function put(target, key, value) {
  if (value == null) return;
  const parts = key.split(".");
  const last = parts.pop();
  let into = target;
  for (const part of parts) into = into[part] ||= {};
  if (last.endsWith("[]")) (into[last.slice(0, -2)] ||= []).push(value);
  else into[last] = value;
}

// answers: the instance with non-relevant answers already blanked (Form.relevantAnswers).
export function reportBody(form, mapping, answers) {
  const body = { form_id: form.id, form_version: form.version || null };
  const incidentRepeat = form.byPath.get(mapping.incident_repeat);
  const count = incidentRepeat ? form.get(answers, incidentRepeat, {}).length : 0;
  const incidents = Array.from({ length: count }, () => ({}));
  const returneeRepeat = form.byPath.get(mapping.returnee_repeat);
  const groupCount = returneeRepeat ? form.get(answers, returneeRepeat, {}).length : 0;
  const groups = Array.from({ length: groupCount }, () => ({}));
  for (const field of mapping.fields) {
    const node = form.byPath.get(field.path);
    if (!node) throw new MappingError(`the form has no ${field.path}`);
    if (field.scope === "incident") {
      incidents.forEach((incident, index) => {
        put(incident, field.key, convert(field.type, form.get(answers, node, { [incidentRepeat.name]: index })));
      });
    } else if (field.scope === "returnee") {
      groups.forEach((group, index) => {
        put(group, field.key, convert(field.type, form.get(answers, node, { [returneeRepeat.name]: index })));
      });
    } else {
      const raw = form.get(answers, node, {});
      for (const value of Array.isArray(raw) ? raw : [raw]) put(body, field.key, convert(field.type, value));
    }
  }
  if (mapping.answers) body.answers = extraAnswers(form, mapping.answers, answers);
  body.incidents = incidents;
  // Only groups that agreed to be interviewed; their consent is the form's, not the report's.
  body.returnees = groups.filter((g) => g.consent_interview === "yes")
    .map(({ consent_interview, ...group }) => group);
  return body;
}

// A form published in the browser: the answers no field of the report takes, kept whole by
// their path under the form's root, repeat entries numbered from 1 (family[2]/members).
function extraAnswers(form, paths, answers) {
  const wanted = new Set(paths);
  const out = {};
  form.walk(answers, (node, scope) => {
    if (!wanted.has(node.path)) return;
    const value = String(form.get(answers, node, scope) ?? "").trim();
    if (!value) return;
    const steps = node.ancestors.map((a) => (a.kind === "repeat" ? `${a.name}[${scope[a.name] + 1}]` : a.name));
    out[[...steps, node.name].join("/")] = value;
  });
  return out;
}

// Every file the body names: these are the photos to upload after it.
export function photoNames(body) {
  return [...(body.photos || []), ...body.incidents.flatMap((i) => i.photos || [])];
}
