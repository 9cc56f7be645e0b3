/* The review queue's state: the items listed, which one is selected, which are settled.
 * No DOM and no network (the unit tests run it under node). An item is
 * {kind: "incident" | "visit" | "pair", id, data, done, busy, ...} (rendering adds its elements).
 */

export class Queue {
  constructor() {
    this.items = [];
    this.index = -1;  // the selected item, -1 before the first is listed
    this.nextUrl = null;  // the API's next page, null when every item is listed
  }

  add(items) {
    this.items.push(...items);
  }

  /** The selected item if it still waits for a decision, else null. */
  current() {
    const item = this.items[this.index];
    return item && !item.done ? item : null;
  }

  /** The index of the item `step` open items away from the selection (+1 next, -1 previous),
   *  or -1 if there is none that way. */
  step(step) {
    let i = this.index;
    do { i += step; } while (i >= 0 && i < this.items.length && this.items[i].done);
    return i >= 0 && i < this.items.length ? i : -1;
  }

  /** The index of the first open item after the selection, else of the first open item, else -1
   *  (where the selection goes after a decision). */
  nextOpen() {
    const after = this.items.findIndex((item, i) => i > this.index && !item.done);
    return after >= 0 ? after : this.items.findIndex((item) => !item.done);
  }

  /** The other open pairs a merge of report `mergedId` settles (it is no longer counted). */
  settledByMerge(item, mergedId) {
    return this.items.filter((other) => other !== item && !other.done && other.kind === "pair" &&
      (other.data.duplicate.id === mergedId || other.data.original.id === mergedId));
  }
}
