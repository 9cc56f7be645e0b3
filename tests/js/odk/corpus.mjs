// The conformance corpus (tests/data/odk_corpus/): ODK's own test forms from getodk/web-forms,
// plus the project's two forms, each compared by harness.mjs. Shared by the node test and by
// the report that writes the README's table (`node tests/js/odk/report.mjs`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
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

// ODK Validate, the jar pyxform ships (JavaRosa: the engine of ODK Collect), over every form in
// one run: path -> null when valid, else its first reason. Nezarat's publishing runs the same
// check (server/forms/build.py), so a form it rejects never reaches a phone.
export function validatorJar() {
  const lib = join(ROOT, ".venv", "lib");
  for (const python of existsSync(lib) ? readdirSync(lib) : []) {
    const jar = join(lib, python, "site-packages", "pyxform", "validators", "odk_validate", "bin", "ODK_Validate.jar");
    if (existsSync(jar)) return jar;
  }
  throw new Error("ODK Validate not found: run `make install` (pyxform in .venv)");
}

export function javarosaVerdicts(paths) {
  // Its reasons go to stderr, its verdicts to stdout: one stream keeps them in order.
  const run = spawnSync("sh", ["-c", 'exec java -Djava.awt.headless=true -jar "$0" "$@" 2>&1', validatorJar(), ...paths],
    { encoding: "utf8", maxBuffer: 64 << 20 });
  const out = run.stdout || "";
  if (!out.includes("Validating: ")) throw new Error(`ODK Validate did not run: ${run.error || out}`);
  const verdicts = new Map();
  for (const block of out.split(/^Validating: /m).slice(1)) {
    const [path, ...rest] = block.split("\n");
    const lines = rest.map((l) => l.trim()).filter((l) => l && !l.startsWith("at "));
    const valid = lines.some((l) => /^>> Xform is valid!/i.test(l));
    const reason = lines.find((l) => !l.startsWith(">>") && !/^Result:|files failed validation/.test(l));
    verdicts.set(path.trim(), valid ? null : (reason || "invalid").replace(/^[\w.$]+(Exception|Error): /, ""));
  }
  return verdicts;
}

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
  const forms = all.filter(isForm);
  let verdicts;  // ODK Validate's, computed once for all forms, when the first refused form asks
  const javarosa = (path) => (verdicts ??= javarosaVerdicts(forms)).get(path) ?? null;
  const odk = forms.map((path) => {
    const xml = readFileSync(path, "utf8");
    return {
      name: relative(CORPUS, path),
      features: Object.keys(FEATURES).filter((f) => FEATURES[f].test(xml)),
      run: async () => {
        const { def, media, repeats } = xformToDef(xml, rows);
        return compare({ xml, def, media, attachments, repeats, javarosa: () => javarosa(path) });
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
  const lines = ["| Feature | forms | identical | refused (feature named) | invalid (ODK's engines refuse) | silently different | answers compared |",
    "|---|---:|---:|---:|---:|---:|---:|"];
  const row = (label, list) => {
    const count = (s) => list.filter((r) => r.status === s).length;
    const compared = list.reduce((n, r) => n + (r.compared || 0), 0);
    lines.push(`| ${label} | ${list.length} | ${count("identical")} | ${count("refused")} | ${count("invalid")} | ${count("different")} | ${compared} |`);
  };
  for (const feature of Object.keys(FEATURES)) row(feature, results.filter((r) => r.features.includes(feature)));
  row("**all forms**", results);
  // The target is over the forms ODK's engines run (an invalid form has nothing to match).
  const runnable = results.filter((r) => r.status !== "invalid");
  const identical = runnable.filter((r) => r.status === "identical").length;
  lines.push("", `${identical} of ${runnable.length} forms ODK's engines run are identical ` +
    `(${Math.round((100 * identical) / Math.max(1, runnable.length))} %).`);
  // Where ODK Web Forms and Collect's JavaRosa part, the app runs the form as Collect.
  const collect = runnable.filter((r) => r.against === "javarosa");
  if (collect.length) {
    lines.push(`${collect.length} of them, where ODK's two engines part, compared with Collect's JavaRosa ` +
      `(${collect.filter((r) => r.status === "identical").length} identical).`);
  }
  return lines.join("\n");
}
