/* The review queue's keyboard: j / k next and previous item; v verify; i has issues; r reject
 * (both ask for a comment: Ctrl+Enter sends, Esc cancels); o details (on a pair: both
 * narratives side by side); m merge and n "not a duplicate" on pairs; ? shows the shortcuts. Every action is also a button.
 * Bound to physical keys (KeyboardEvent.code), so they work on a Dari or Pashto layout too: the
 * key labelled J on a US keyboard is "ت" on a Dari one, and its code is KeyJ on both.
 */

/** Physical key -> the shortcut's letter (the US layout's label of that key). */
const CODES = {KeyJ: "j", KeyK: "k", KeyV: "v", KeyI: "i", KeyR: "r", KeyO: "o", KeyM: "m",
               KeyN: "n", Slash: "?"};

/** The shortcut an event means: by its physical key when it has one, else by its letter. */
export function shortcutOf(event) {
  if (event.code && Object.prototype.hasOwnProperty.call(CODES, event.code)) {
    const letter = CODES[event.code];
    if (letter === "?") { return event.shiftKey || event.key === "?" ? "?" : null; }
    return letter;
  }
  return event.key;
}

/** True when a key goes to a field the user is typing in (the shortcuts leave it alone). */
export function typing(target) {
  return Boolean(target && (target.isContentEditable ||
                            /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)));
}

/** The keydown handler: `queue` (state.js) says which item is selected; `actions` does the work:
 *  {move(step), decide(item, action), askComment(item, action), toggleDetails(item),
 *   compare(pair), merge(item, reversed), skip(item), toggleHelp()}. */
export function keyHandler(queue, actions) {
  const onReport = (work) => () => {
    const item = queue.current();
    if (item && item.kind !== "pair") { work(item); }
  };
  const onPair = (work) => () => {
    const item = queue.current();
    if (item && item.kind === "pair") { work(item); }
  };
  const handlers = {
    j: () => actions.move(1),
    k: () => actions.move(-1),
    v: onReport((item) => actions.decide(item, "verify")),
    i: onReport((item) => actions.askComment(item, "has_issues")),
    r: onReport((item) => actions.askComment(item, "reject")),
    o: () => {
      const item = queue.current();
      if (!item) { return; }
      if (item.kind === "pair") { actions.compare(item); } else { actions.toggleDetails(item); }
    },
    m: onPair((item) => actions.merge(item, false)),
    n: onPair((item) => actions.skip(item)),
    "?": () => actions.toggleHelp()
  };
  return function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    const key = shortcutOf(event);
    const handler = Object.prototype.hasOwnProperty.call(handlers, key) && handlers[key];
    if (handler) {
      event.preventDefault();
      handler();
    }
  };
}
