/* The "people affected" line of an incident's review card. A count the monitor did not know is
 * null (issue 15): it is said to be not known, never shown as 0 nor left out as if nobody; the
 * total of the known counts is then only "at least". Pure, for node --test.
 */
export const GROUPS = ["women", "men", "girls", "boys", "unaccompanied"];
const TOTAL_OF = ["women", "men", "girls", "boys"];

function known(value) { return value !== null && value !== undefined; }

/** `strings`: the group labels, none, notKnown and atLeast ("... %(n)s ..."). */
export function affectedText(affected, strings) {
  if (!affected) { return ""; }
  const name = (g) => strings[g] || g;
  if (!GROUPS.some((g) => known(affected[g]))) { return strings.notKnown; }
  const counted = GROUPS.filter((g) => known(affected[g]) && affected[g] > 0)
    .map((g) => name(g) + ": " + affected[g]);
  const unknown = GROUPS.filter((g) => !known(affected[g]))
    .map((g) => name(g) + ": " + strings.notKnown);
  if (!counted.length && !unknown.length) { return strings.none; }
  let text = counted.concat(unknown).join(", ");
  const partial = TOTAL_OF.some((g) => !known(affected[g]));
  if (partial && known(affected.total) && affected.total > 0) {
    text += " (" + String(strings.atLeast).replace("%(n)s", affected.total) + ")";
  }
  return text;
}

/** A visit's "people held": the sum of the known counts of women, men, girls and boys, "at least"
 * that when some are not known, not known when none is (never a 0 for what nobody counted). */
export function heldText(held, strings) {
  if (!held) { return null; }
  const counted = TOTAL_OF.filter((g) => known(held[g]));
  if (!counted.length) { return strings.notKnown; }
  const total = counted.reduce((sum, g) => sum + held[g], 0);
  return counted.length < TOTAL_OF.length ?
    String(strings.atLeast).replace("%(n)s", total) : String(total);
}
