// A form's choice lists as the secondary instances pyxform writes for them, and jr:itext(id):
// the text of an itext id in the form's language. pyxform (Itemset.requires_itext) gives a list
// an itext id per choice, "<list>-<index>", when a label is translated, shows an answer
// (${...}) or has media; the list's instance items then carry `itextId` instead of `label`.
// The app knows only the ids it can rebuild from pyxform's JSON: a choice's ("<list>-<i>") and
// a question's translated label ("/path:label"); anything else is refused (model.js).

const leaf = (name, text) => ({ name, text: text == null ? "" : String(text) });
const SHOWS_ANSWER = /\$\{[^}]+\}/;
const BUILT = new Set(["name", "label", "media", "sms_option"]);

export function requiresItext(choices) {
  return (choices || []).some((c) => c.media || (c.label && typeof c.label === "object") ||
    (typeof c.label === "string" && SHOWS_ANSWER.test(c.label)));
}

// instance('list') as pyxform writes it: root/item with [itextId], name, [label], other
// columns, [sms_option].
export function fromChoiceList(list, choices) {
  const itext = requiresItext(choices);
  const items = (choices || []).map((choice, index) => {
    const children = [];
    if (itext) children.push(leaf("itextId", `${list}-${index}`));
    children.push(leaf("name", choice.name));
    if (!itext && typeof choice.label === "string") children.push(leaf("label", choice.label));
    for (const [key, v] of Object.entries(choice)) {
      if (!BUILT.has(key) && (v == null || typeof v !== "object")) children.push(leaf(key, v));
    }
    if (typeof choice.sms_option === "string") children.push(leaf("sms_option", choice.sms_option));
    return { name: "item", children };
  });
  return { name: "", children: [{ name: "root", children: items }] };
}

// The label an itext id stands for: {label} (a string or {language: text}), or {why} when the
// app cannot give ODK's text for it.
export function itextLabel(def, id, question) {
  const choice = /^(.+)-(\d+)$/.exec(id);
  const lists = def.choices || {};
  if (choice && Object.prototype.hasOwnProperty.call(lists, choice[1]) && requiresItext(lists[choice[1]])) {
    const item = lists[choice[1]][Number(choice[2])];
    if (item) return translatedOnly(item);
  }
  const label = /^(\/.+):label$/.exec(id);
  const node = label && question(label[1]);
  if (node) return translatedOnly(node);
  return { why: `jr:itext() of an id the app cannot know ('${id}')` };
}

function translatedOnly(element) {
  const { label } = element;
  if (element.media) return { why: "jr:itext() of a label with media" };
  if (!label || typeof label !== "object") return { why: "jr:itext() of a label that is not translated" };
  if (Object.values(label).some((t) => SHOWS_ANSWER.test(String(t)))) return { why: "jr:itext() of a label that shows an answer" };
  return { label };
}

// Why the app cannot run jr:itext(argument) (argument as xpath.js itextArguments gives it), or
// null: a literal id it knows, or instance('list')/.../itextId of a list with itext ids.
export function itextRefusal(def, argument, question, media = {}) {
  if (argument.literal != null) return itextLabel(def, argument.literal, question).why || null;
  const lists = def.choices || {};
  const list = argument.instance;
  if (list != null && argument.last === "itextId" && Object.prototype.hasOwnProperty.call(lists, list) &&
      !Object.keys(media).some((f) => f.replace(/\.(csv|xml|geojson)$/i, "") === list)) {
    if (!requiresItext(lists[list])) return `jr:itext() of instance('${list}'), whose items have no itextId`;
    const why = lists[list].map((c) => translatedOnly(c).why).find(Boolean);
    return why || null;
  }
  return "jr:itext() of an id the app cannot know";
}
