// The conformance corpus (tests/data/odk_corpus/): ODK's own test forms from getodk/web-forms,
// plus the project's two forms, each compared by harness.mjs. Shared by the node test and by
// the report that writes the README's table (`node tests/js/odk/report.mjs`).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { parseCSV } from "../../../static/mobile/js/ui.js";
import { compare } from "./harness.mjs";
import { xformToDef } from "./xform.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const CORPUS = join(ROOT, "tests", "data", "odk_corpus", "web-forms");
const BUILD = join(ROOT, "mobile_forms", "build");

// Features named in the issue, recognised in the XForm's text (what the form exercises).
export const FEATURES = {
  "relevance": /\brelevant="/,
  "constraints": /\bconstraint="/,
  "calculations": /\bcalculate="/,
  "repeats": /<repeat\b/,
  "choice filters": /<itemset[^>]*nodeset="[^"]*\[/,
  "secondary instances": /<instance\s[^>]*id="/,
  "external CSV / XML": /src="jr:\/\/file/,
  "date/time": /type="(xsd:)?(date|dateTime|time)"|\b(today|now|date|format-date|decimal-date-time)\(/,
  "once()": /\bonce\(/,
  "indexed-repeat()": /indexed-repeat\(/,
  "jr:choice-name()": /jr:choice-name\(/,
  "required (with messages)": /\brequired="|requiredMsg=/,
};

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  }).sort();
}

const FACILITY_KINDS = ["border_crossing", "reception_centre", "transit_centre", "holding_centre"];
function facilitiesCsv() {
  const rows = ["name,label,label_prs,label_ps,kind,country,lat,lon"];
  for (let i = 0; i < 40; i += 1) {
    rows.push(`f${i},Facility ${i},محل ${i},ځای ${i},${FACILITY_KINDS[i % 4]},${i % 2 ? "AF" : "IR"},34.5,69.1`);
  }
  return rows.join("\n") + "\n";
}

function repeatsOf(def) {
  const found = new Set();
  const walk = (node, path) => {
    for (const child of node.children || []) {
      if (/select/.test(child.type || "")) continue;
      if (child.type === "repeat") found.add(`${path}/${child.name}`);
      walk(child, `${path}/${child.name}`);
    }
  };
  walk(def, `/${def.name}`);
  return found;
}

// Every case: {name, features, run() -> {status, detail, compared}}.
export function cases() {
  const all = files(CORPUS);
  // An XML file is a form (an XForm's root is <h:html>) or an attachment of one.
  const isForm = (f) => f.endsWith(".xml") && /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<(\w+:)?html[\s>]/.test(readFileSync(f, "utf8"));
  const attachments = Object.fromEntries(all.filter((f) => /\.(csv|xml|geojson)$/.test(f) && !isForm(f))
    .map((f) => [basename(f), readFileSync(f, "utf8")]));
  // As the app holds them (sync.js): a CSV file's rows, an XML or GeoJSON file's text.
  const rows = Object.fromEntries(Object.entries(attachments).map(([n, text]) => [n, n.endsWith(".csv") ? parseCSV(text) : text]));
  const odk = all.filter(isForm).map((path) => {
    const xml = readFileSync(path, "utf8");
    return {
      name: relative(CORPUS, path),
      features: Object.keys(FEATURES).filter((f) => FEATURES[f].test(xml)),
      run: async () => {
        const { def, media, repeats } = xformToDef(xml, rows);
        return compare({ xml, def, media, attachments, repeats });
      },
    };
  });
  const csv = facilitiesCsv();
  const ours = ["nezarat_visit", "nezarat_case"].map((id) => {
    const xml = readFileSync(join(BUILD, `${id}.xml`), "utf8");
    const def = JSON.parse(readFileSync(join(BUILD, `${id}.json`), "utf8"));
    return {
      name: `mobile_forms/build/${id}`,
      features: Object.keys(FEATURES).filter((f) => FEATURES[f].test(xml)),
      // The app's own input: pyxform's JSON, as `flask forms build` writes it.
      run: () => compare({ xml, def, media: { "facilities.csv": parseCSV(csv) },
        attachments: { "facilities.csv": csv }, repeats: repeatsOf(def) }),
    };
  });
  return [...ours, ...odk];
}

export function table(results) {
  const lines = ["| Feature | forms | identical | refused (feature named) | invalid (ODK's engine refuses) | silently different | answers compared |",
    "|---|---:|---:|---:|---:|---:|---:|"];
  const row = (label, list) => {
    const count = (s) => list.filter((r) => r.status === s).length;
    const compared = list.reduce((n, r) => n + (r.compared || 0), 0);
    lines.push(`| ${label} | ${list.length} | ${count("identical")} | ${count("refused")} | ${count("invalid")} | ${count("different")} | ${compared} |`);
  };
  for (const feature of Object.keys(FEATURES)) row(feature, results.filter((r) => r.features.includes(feature)));
  row("**all forms**", results);
  // The target is over the forms ODK's engine can run (an invalid form has nothing to match).
  const runnable = results.filter((r) => r.status !== "invalid");
  const identical = runnable.filter((r) => r.status === "identical").length;
  lines.push("", `${identical} of ${runnable.length} forms ODK's engine runs are identical ` +
    `(${Math.round((100 * identical) / Math.max(1, runnable.length))} %).`);
  return lines.join("\n");
}
