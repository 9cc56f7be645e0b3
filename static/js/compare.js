/* The facility comparison table (/facilities/compare): sort by any column with the buttons in
 * its headers (keyboard: Tab to a header, Enter or Space), aria-sort telling which and how.
 * Empty cells (never visited, not assessed) sort last either way. */

/** Compare two cell values of a column: numbers or text; empty last. */
export function compareValues(a, b, type, sign) {
  if (a === "" && b === "") { return 0; }
  if (a === "") { return 1; }
  if (b === "") { return -1; }
  if (type === "number") { return sign * (Number(a) - Number(b)); }
  return sign * a.localeCompare(b);
}

export function sortTable(table, column, direction) {
  const head = table.tHead.rows[0].cells;
  const type = head[column].getAttribute("data-type") || "text";
  const sign = direction === "descending" ? -1 : 1;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort(function (r1, r2) {
    return compareValues(r1.cells[column].getAttribute("data-value") || "",
                         r2.cells[column].getAttribute("data-value") || "", type, sign);
  });
  rows.forEach(function (row) { body.appendChild(row); });
  Array.from(head).forEach(function (cell, i) {
    if (i === column) { cell.setAttribute("aria-sort", direction); }
    else { cell.removeAttribute("aria-sort"); }
  });
}

function start() {
  const table = document.querySelector(".nz-compare-table");
  if (!table) { return; }
  Array.from(table.tHead.rows[0].cells).forEach(function (cell, column) {
    const button = cell.querySelector("button.nz-sort");
    if (!button) { return; }
    button.addEventListener("click", function () {
      const next = cell.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      sortTable(table, column, next);
    });
  });
  table.setAttribute("data-ready", "true");
}

if (typeof document !== "undefined") { start(); }
