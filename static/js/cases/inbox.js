/* Cases referred to this organisation: who referred what and when, the case opened with this
 * organisation's key, acknowledged, and an outcome code reported back (no content). */
import {Pages, getJSON, postJSON} from "../nezarat.js";
import * as keyring from "./keyring.js";
import {h, data, status, when, day} from "./dom.js";
import {moreButton, pageUrl, unlockForms} from "./queue.js";
import {readCase} from "./reader.js";

export async function inboxPage(config, root) {
  const strings = config.strings;
  const base = config.api + "/referrals";
  const reader = h("div", {class: "nz-case-reader", hidden: true, "data-role": "reader"});
  const list = h("table", {class: "nz-cases-table", "data-role": "inbox"});
  const inbox = new Pages(pageUrl(config, config.inboxUrl));
  const render = () => {
    const items = inbox.items;
    const head = h("thead", {}, h("tr", {}, [strings.from, strings.referredAt, strings.urgency, strings.date,
      strings.acknowledged, strings.outcomeColumn, ""].map((t) => h("th", {}, t))));
    list.replaceChildren(head, h("tbody", {}, items.length ? items.map((r) => h("tr", {"data-referral": r.id},
      h("td", {}, data(r.from_name)), h("td", {}, when(r.referred_at)),
      h("td", {}, config.urgencies[r.urgency] || "—"), h("td", {}, day(r.occurred_on)),
      h("td", {}, r.acknowledged_at ? strings.acknowledged : ""), h("td", {}, r.outcome ? config.outcomes[r.outcome] : ""),
      h("td", {}, h("button", {class: "nz-button nz-button-quiet", type: "button", "data-action": "open",
        onclick: () => open(r.id)}, strings.open)))) : h("tr", {}, h("td", {}, strings.empty))));
    more.hidden = !inbox.next;
  };
  const more = moreButton(strings, inbox, render);
  const refresh = async () => { await inbox.load(); render(); };
  const act = async (url, body) => {
    try { await postJSON(url, body); status(strings.saved); await refresh(); }
    catch (error) { status(`${strings.failed} ${error.message}`, "error"); }
  };
  async function open(id) {
    reader.hidden = false;
    if (!keyring.isUnlocked()) { reader.replaceChildren(h("p", {}, strings.locked)); return; }
    const url = `${base}/${id}`;
    const detail = await getJSON(url);
    const sealed = await readCase(strings, detail, detail.to_key_id, (name) => `${url}/photos/${encodeURIComponent(name)}`);
    const outcome = h("select", {name: "outcome"}, Object.entries(config.outcomes).map(([v, label]) => h("option", {value: v}, label)));
    reader.replaceChildren(h("h2", {}, strings.from, " ", data(detail.from_name), " · ", when(detail.referred_at)),
      sealed,
      h("div", {class: "nz-cases-form"},
        h("button", {class: "nz-button", type: "button", "data-action": "acknowledge", onclick: () => act(`${url}/acknowledge`)}, strings.acknowledge),
        outcome,
        h("button", {class: "nz-button", type: "button", "data-action": "outcome", onclick: () => act(`${url}/outcome`, {outcome: outcome.value})}, strings.outcome)));
  }
  keyring.onLock(() => { reader.replaceChildren(); reader.hidden = true; });
  await unlockForms(config, strings, root, () => {});
  root.append(list, more, reader);
  await refresh();
}
