// Secondary instances as ODK reads them: a form's attachments (a CSV file, an XML file, a
// GeoJSON file), an XForm's inline instance, and the last saved report of the same form
// ("last-saved"), each a small read-only tree that instance('id')/any/path[predicate] walks
// (xpath.js). A node is {name, children} or, for a leaf, {name, text}; a CSV row is kept as
// {name: "item", row} and read lazily (a large list costs one object per row).
export const MAX_ATTACHMENT = 5_000_000;  // characters: larger attachments are refused

export class AttachmentError extends Error {}

const leaf = (name, text) => ({ name, text: text == null ? "" : String(text) });

export function kids(node) {
  if (!node) return [];
  if (node.row) return Object.entries(node.row).map(([name, text]) => leaf(name, text));
  return node.children || [];
}

// The string value of a node: a leaf's text, else its descendants' texts joined (XPath).
export function value(node) {
  if (node == null) return "";
  if (node.text != null) return node.text;
  return kids(node).map(value).join("");
}

// The values of the children called `name` (a node-set of strings: none when it has none).
export function childValues(node, name) {
  if (node.row) return Object.prototype.hasOwnProperty.call(node.row, name) ? [String(node.row[name] ?? "")] : [];
  return kids(node).filter((k) => k.name === name).map(value);
}

// A document: a nameless node whose one child is the instance's root element.
const documentOf = (root) => ({ name: "", children: root ? [root] : [] });

// A CSV attachment's rows (ui.js parseCSV) as ODK reads them: root/item/column.
export function fromRows(rows) {
  return documentOf({ name: "root", children: (rows || []).map((row) => ({ name: "item", row })) });
}

function fromElement(el) {
  const elements = [...el.childNodes].filter((n) => n.nodeType === 1);
  if (!elements.length) return leaf(el.localName, el.textContent);
  return { name: el.localName, children: elements.map(fromElement) };
}

// An XForm's inline <instance> (its first element is the root).
export function fromInstanceElement(instance) {
  const root = [...instance.childNodes].find((n) => n.nodeType === 1);
  return documentOf(root ? fromElement(root) : null);
}

// An XML attachment. No DOCTYPE (so no entities): ODK's attachments never need one.
export function fromXML(text) {
  const source = String(text);
  if (source.length > MAX_ATTACHMENT) throw new AttachmentError("larger than 5 MB");
  if (/<!DOCTYPE|<!ENTITY/i.test(source)) throw new AttachmentError("has a DOCTYPE");
  const doc = new globalThis.DOMParser().parseFromString(source, "text/xml");
  const root = doc.documentElement;
  if (!root || root.localName === "parsererror" || doc.getElementsByTagName("parsererror").length) {
    throw new AttachmentError("is not well-formed XML");
  }
  return documentOf(fromElement(root));
}

// A GeoJSON attachment as ODK reads it: root/item per feature, with `geometry` ("lat lon 0 0"
// points joined by "; "), then `id` (the feature's, or its properties'), then the properties.
const GEOMETRIES = new Set(["Point", "LineString", "Polygon"]);
const point = (c) => {
  if (!Array.isArray(c) || c.length !== 2 || typeof c[0] !== "number" || typeof c[1] !== "number") {
    throw new AttachmentError("has a point that is not [longitude, latitude]");
  }
  return `${c[1]} ${c[0]} 0 0`;
};

export function fromGeoJSON(text) {
  const source = String(text);
  if (source.length > MAX_ATTACHMENT) throw new AttachmentError("larger than 5 MB");
  let data;
  try { data = JSON.parse(source); } catch (e) { throw new AttachmentError("is not JSON"); }
  if (!data || data.type !== "FeatureCollection" || !Array.isArray(data.features)) {
    throw new AttachmentError("is not a GeoJSON FeatureCollection");
  }
  const items = data.features.map((feature) => {
    if (!feature || feature.type !== "Feature") throw new AttachmentError("has a member that is not a Feature");
    const geometry = feature.geometry;
    if (!geometry || !GEOMETRIES.has(geometry.type) || !Array.isArray(geometry.coordinates)) {
      throw new AttachmentError("has a geometry other than Point, LineString, Polygon");
    }
    let points;
    if (geometry.type === "Point") points = [point(geometry.coordinates)];
    else if (geometry.type === "LineString") points = geometry.coordinates.map(point);
    else {
      if (geometry.coordinates.length > 1) throw new AttachmentError("has a Polygon with holes");
      points = (geometry.coordinates[0] || []).map(point);
    }
    const children = [leaf("geometry", points.join("; "))];
    const properties = feature.properties;
    if (properties != null) {
      if (typeof properties !== "object") throw new AttachmentError("has properties that are not an object");
      const { id: own, ...rest } = properties;
      const id = feature.id !== undefined ? feature.id : own;
      if (id !== undefined) children.push(leaf("id", String(id)));
      for (const [name, v] of Object.entries(rest)) children.push(leaf(name, String(v)));
    }
    return { name: "item", children };
  });
  return documentOf({ name: "root", children: items });
}

// An attachment as stored by the app (sync.js): CSV rows, or the text of an XML/GeoJSON file.
export function fromAttachment(filename, content) {
  if (Array.isArray(content)) return fromRows(content);
  if (content && typeof content === "object" && content.children) return content;  // a tree already
  if (/\.geojson$/i.test(filename)) return fromGeoJSON(content);
  if (/\.xml$/i.test(filename)) return fromXML(content);
  throw new AttachmentError("is not a CSV, XML or GeoJSON file");
}

// A report's answers (groups are objects, repeats arrays), as the last-saved instance.
export function fromAnswers(rootName, answers) {
  if (!answers) return documentOf(null);
  const element = (name, v) => {
    if (v && typeof v === "object") {
      return { name, children: Object.entries(v).flatMap(([k, x]) => (Array.isArray(x) ? x.map((e) => element(k, e)) : [element(k, x)])) };
    }
    return leaf(name, v);
  };
  return documentOf(element(rootName, answers));
}

// The items of root/item (a list of choices): each a {column: value} row.
export function rowsOf(doc) {
  const root = kids(doc).find((n) => n.name === "root");
  return kids(root).filter((n) => n.name === "item").map((item) => (item.row
    ? item.row : Object.fromEntries(kids(item).map((k) => [k.name, value(k)]))));
}
