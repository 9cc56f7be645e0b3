// Prints the conformance table for the README, and each refused form with the features named.
//   node tests/js/odk/report.mjs
import { cases, table } from "./corpus.mjs";

const results = [];
for (const c of cases()) results.push({ ...c, ...(await c.run()) });
console.log(table(results));
console.log();
for (const r of results) {
  const status = r.against && r.status === "identical"
    ? `identical (to Collect's JavaRosa; Web Forms ${r.webFormsDiffers ? "differs" : "agrees"})` : r.status;
  console.log(`${status.padEnd(10)} ${r.name}${r.status === "identical" ? "" : `: ${r.detail.join("; ")}`}`);
}
