/* The facility's conditions over time, drawn by the server (server/assessment/timeline_svg.py,
 * GET /api/map/facilities/<id>/timeline.svg): fetched as text, parsed as SVG by DOMParser and
 * adopted into the page; never innerHTML. The facility panel and the review card use it.
 *
 *   loadTimeline(url, holder, {signal}).then(function (svg) { ... });
 */
import {localPath} from "./nezarat.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/** Remove what an SVG picture never needs (scripts, foreign content, handlers, links). */
function clean(node) {
  Array.from(node.querySelectorAll("script, foreignObject, iframe, a, use[href^=http]"))
    .forEach(function (bad) { bad.remove(); });
  [node].concat(Array.from(node.querySelectorAll("*"))).forEach(function (element) {
    Array.from(element.attributes).forEach(function (attribute) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on") || name === "href" || name === "xlink:href") {
        element.removeAttribute(attribute.name);
      }
    });
  });
  return node;
}

/** An SVG element from SVG text, or null when it is not one. */
export function parseSvg(text) {
  const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
  const root = parsed.documentElement;
  if (!root || root.namespaceURI !== SVG_NS || root.localName !== "svg" ||
      parsed.getElementsByTagName("parsererror").length) {
    return null;
  }
  return clean(document.importNode(root, true));
}

/** Fetch the timeline at `url` and put it in `holder`; resolves with the SVG element. */
export function loadTimeline(url, holder, options) {
  return fetch(localPath(url), {
    credentials: "same-origin", signal: options && options.signal,
    headers: {"Accept": "image/svg+xml, application/problem+json"}
  }).then(function (response) {
    if (!response.ok) { throw new Error(response.status + " " + response.statusText); }
    return response.text();
  }).then(function (text) {
    const svg = parseSvg(text);
    if (!svg) { throw new Error("not an SVG picture"); }
    holder.textContent = "";
    holder.appendChild(svg);
    holder.setAttribute("data-ready", "true");
    return svg;
  });
}
