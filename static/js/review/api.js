/* The review queue's network: the JSON API URLs for the page's tab and its items, and the
 * requests (reads of lists and details, review decisions, merges). Decisions are POSTs the API
 * checks (organisation, state) and audits; reading an item's details is audited too.
 */
import {getJSON, nextLink, postJSON} from "../nezarat.js";

export {nextLink};

/** The first page of the tab's list: config.tab ("incidents", "visits" or "duplicates"),
 *  config.status, config.facility (optional) and the lists' URLs come from the page. */
export function firstUrl(config) {
  const query = new URLSearchParams();
  let url;
  if (config.tab === "duplicates") {
    url = config.duplicatesUrl;
    query.set("limit", "20");
  } else if (config.tab === "visits") {
    url = config.visitsUrl;
    query.set("review_status", config.status);
    query.set("limit", "50");
  } else {
    url = config.incidentsUrl;
    query.set("verification_status", config.status);
    query.set("limit", "50");
  }
  if (config.facility) { query.set("facility_id", config.facility); }
  return url + "?" + query.toString();
}

/** The API URL of an item (incident or visit). */
export function itemUrl(config, kind, id) {
  const base = kind === "visit" ? config.visitUrl : config.incidentUrl;
  return base.replace("{id}", encodeURIComponent(id));
}

/** One page of a list: {items, next}. */
export function fetchPage(url) {
  return getJSON(url).then((body) => ({items: body.items || [], next: nextLink(body)}));
}

/** An item's details (audited by the API). */
export function fetchDetails(config, item) {
  return getJSON(itemUrl(config, item.kind, item.id));
}

/** A review decision: action "verify", "has_issues" or "reject" (the last two with a comment).
 *  It names the updated_at of the record as listed: if its monitor edited it since, the API
 *  answers 409 and decides nothing (the coordinator reads it again). */
export function sendDecision(config, item, action, comment) {
  const body = {action: action};
  if (comment) { body.comment = comment; }
  if (item.data && item.data.updated_at) { body.updated_at = item.data.updated_at; }
  return postJSON(itemUrl(config, item.kind, item.id) + "/review", body);
}

/** Merge incident `from` into incident `into` (both {id}). */
export function sendMerge(config, from, into) {
  return postJSON(itemUrl(config, "incident", from.id) + "/merge", {original_id: into.id});
}

/** Undo a merge: the incident counts on its own again (audited by the API). */
export function sendUnmerge(config, merged) {
  return postJSON(itemUrl(config, "incident", merged.id) + "/unmerge", {});
}
