/* The case queue: triage fields and counts without any key (overdue first), unlock, read,
 * assess, close, assign to me, refer to a partner (the record key re-wrapped here). */
import {Pages, allItems, getJSON, postJSON} from "../nezarat.js";
import {rewrap} from "./crypto.js";
import * as keyring from "./keyring.js";
import {h, data, status, when, day, passphraseForm} from "./dom.js";
import {readCase} from "./reader.js";

export async function unlockForms(config, strings, root, after) {
  const keys = await allItems(pageUrl(config, config.keysUrl));
  const copies = keys.filter((k) => k.my_copy).map((k) => ({id: k.id, fingerprint: k.fingerprint, wrapped: k.my_copy}));
  const box = h("section", {class: "nz-cases-unlock", "data-role": "unlock-box"});
  const draw = () => {
    box.replaceChildren();
    if (keyring.isUnlocked()) {
      box.append(h("p", {"data-role": "unlocked"}, strings.unlocked, " ",
        h("button", {class: "nz-button nz-button-quiet", type: "button", onclick: () => keyring.lock()}, strings.lock)));
      return;
    }
    box.append(h("p", {"data-role": "locked"}, strings.locked));
    if (!copies.length) { box.append(h("p", {}, strings.notHolder)); }
    else {
      box.append(passphraseForm(strings, strings.unlock, async (passphrase) => {
        const count = await keyring.unlock(copies, passphrase);
        if (!count) { return strings.wrongPassphrase; }
        draw();
        after();
        return null;
      }));
    }
    const recovery = h("details", {}, h("summary", {}, strings.useRecovery));
    recovery.append(passphraseForm(strings, strings.unlock, async (code) => {
      const found = [];
      for (const key of keys) {
        try {
          found.push({id: key.id, fingerprint: key.fingerprint,
            wrapped: (await getJSON(`${config.keysUrl}/${key.id}/recovery`)).wrapped});
        } catch (e) { /* no sheet for this key */ }
      }
      const count = await keyring.unlock(found, code.replace(/\s+/g, "").toUpperCase());
      if (!count) { return strings.wrongPassphrase; }
      draw();
      after();
      return null;
    }, "recovery"));
    box.append(recovery);
  };
  keyring.onLock(draw);
  draw();
  root.append(box);
  return keys;
}

// "Referred to %(to)s" with the organisation's name as data, wherever the language puts it.
function referredTo(template, name) {
  const [before, after = ""] = template.split("%(to)s");
  return [before, data(name), after];
}

function countsTable(config, strings, counts) {
  const urgency = Object.entries(counts.by_urgency).map(([k, v]) => `${config.urgencies[k === "unknown" ? "null" : k] || k}: ${v}`).join(" · ");
  return h("section", {class: "nz-cases-counts", "data-role": "counts"},
    h("h2", {}, strings.countsTitle),
    h("p", {}, strings.open_cases, ": ", h("strong", {"data-count": "open"}, counts.open), " · ",
      strings.overdue, ": ", h("strong", {"data-count": "overdue"}, counts.overdue), " · ", urgency),
    h("table", {class: "nz-cases-table"}, h("tbody", {},
      counts.by_facility.map((r) => h("tr", {"data-facility": r.facility_id || ""},
        h("td", {}, r.name ? data(r.name) : config.urgencies["null"]), h("td", {}, r.cases),
        h("td", {}, r.overdue ? `${strings.overdue}: ${r.overdue}` : ""))))));
}

/** The "Load more" button of a list shown page by page: hidden once every page is shown. */
export function moreButton(strings, pages, render) {
  const button = h("button", {class: "nz-button nz-button-quiet", type: "button", "data-action": "more", hidden: true},
    strings.more);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try { await pages.more(); render(); }
    catch (error) { status(`${strings.failed} ${error.message}`, "error"); }
    finally { button.disabled = false; }
  });
  return button;
}

/** The first page of a list at the page's page size (its `next` links keep the size). */
export function pageUrl(config, href) {
  return `${href}?limit=${encodeURIComponent(config.pageSize)}`;
}

export async function queuePage(config, root) {
  const strings = config.strings;
  const reader = h("div", {class: "nz-case-reader", hidden: true, "data-role": "reader"});
  const table = h("table", {class: "nz-cases-table", "data-role": "queue"});
  const queue = new Pages(pageUrl(config, config.api));
  let openedId = null;
  const render = () => {
    table.replaceChildren(h("thead", {}, h("tr", {},
      [strings.facility, strings.date, strings.urgency, strings.status, strings.due, strings.assigned, ""].map((t) => h("th", {}, t)))));
    const body = h("tbody");
    if (!queue.items.length) { body.append(h("tr", {}, h("td", {colspan: 7}, strings.empty))); }
    for (const item of queue.items) {
      body.append(h("tr", {"data-case": item.id, "data-status": item.status, class: item.overdue ? "nz-case-overdue" : ""},
        h("td", {}, data(item.facility_name),
          item.visit_id ? h("small", {class: "nz-case-visit", "data-visit": item.visit_id}, " · ", strings.fromVisit) : ""),
        h("td", {}, day(item.occurred_on)),
        h("td", {"data-urgency": item.urgency || ""}, config.urgencies[item.urgency] || "—"),
        h("td", {}, config.statuses[item.status]),
        h("td", {class: "nz-case-due"}, item.overdue ? strings.overdue + " · " : "", when(item.due_at)),
        h("td", {}, data(item.assigned_name)),
        h("td", {}, h("button", {class: "nz-button nz-button-quiet", type: "button", "data-action": "open",
          onclick: () => openCase(item.id)}, strings.open))));
    }
    table.append(body);
    more.hidden = !queue.next;
  };
  const more = moreButton(strings, queue, render);
  const refresh = async () => {
    const [counts] = await Promise.all([getJSON(config.countsUrl), queue.load()]);
    root.querySelector("[data-role=counts]")?.remove();
    root.prepend(countsTable(config, strings, counts));
    render();
  };
  const act = async (url, body) => {
    try { await postJSON(url, body); status(strings.saved); await refresh(); await openCase(openedId); }
    catch (error) { status(`${strings.failed} ${error.message}`, "error"); }
  };
  async function openCase(id) {
    openedId = id;
    reader.hidden = false;
    reader.replaceChildren(h("p", {}, strings.loading));
    if (!keyring.isUnlocked()) { reader.replaceChildren(h("p", {}, strings.locked)); return; }
    const url = `${config.api}/${id}`;
    let detail;
    try { detail = await getJSON(url); }
    catch (error) { reader.replaceChildren(h("p", {class: "nz-case-altered"}, error.message)); return; }
    const sealed = await readCase(strings, detail, detail.sealing_key_id, (name) => `${url}/photos/${encodeURIComponent(name)}`);
    if (detail.source === "odk" && !detail.urgency && sealed.answers && sealed.answers.urgency) {
      // An ODK case's triage fields were encrypted too: the key holder's browser files them.
      const a = sealed.answers;
      try {
        await postJSON(`${url}/triage`, {urgency: a.urgency, facility_id: a.facility || null,
          occurred_on: a.met_on || null});
        detail.urgency = a.urgency;
        refresh();
      } catch (error) { status(`${strings.failed} ${error.message}`, "error"); }
    }
    const partners = await allItems(pageUrl(config, config.partnersUrl));
    const select = h("select", {name: "partner"}, partners.map((p) => h("option", {value: p.organisation_id}, `${p.name} (${p.fingerprint.slice(0, 8)})`)));
    const refer = async () => {
      const partner = partners.find((p) => p.organisation_id === select.value);
      const entry = keyring.get(detail.sealing_key_id);
      if (!partner || !entry) { return; }
      const body = {to_organisation_id: partner.organisation_id, to_key_id: partner.key_id,
        wrapped_key: await rewrap(entry.privateKey, detail.wrapped_key, partner.public_key)};
      if (detail.source === "odk") {  // the signature is wrapped like the key
        body.wrapped_signature = await rewrap(entry.privateKey, detail.odk.signature, partner.public_key);
      }
      await act(`${url}/referrals`, body);
    };
    reader.replaceChildren(
      h("h2", {}, config.statuses[detail.status], " · ", config.urgencies[detail.urgency] || ""),
      h("dl", {}, h("dt", {}, strings.facility), h("dd", {}, data(detail.facility_name)),
        h("dt", {}, strings.date), h("dd", {}, day(detail.occurred_on)),
        h("dt", {}, strings.received), h("dd", {}, when(detail.received_at)),
        h("dt", {}, strings.due), h("dd", {}, when(detail.due_at))),
      sealed,
      h("ul", {"data-role": "referrals"}, (detail.referrals || []).map((r) => h("li", {"data-referral": r.id},
        ...referredTo(strings.referred, r.to_name), " · ", when(r.referred_at), " · ", data(r.referred_by_name),
        r.acknowledged_at ? ` · ${strings.acknowledged} ${when(r.acknowledged_at)}` : "",
        r.outcome ? ` · ${config.outcomes[r.outcome]}` : ""))),
      h("div", {class: "nz-cases-form"},
        detail.status === "new" ? h("button", {class: "nz-button", type: "button", "data-action": "assess", onclick: () => act(`${url}/status`, {status: "assessed"})}, strings.assess) : null,
        detail.status !== "closed" ? h("button", {class: "nz-button", type: "button", "data-action": "close", onclick: () => act(`${url}/status`, {status: "closed"})}, strings.closeCase) : null,
        h("button", {class: "nz-button nz-button-quiet", type: "button", "data-action": "assign-me", onclick: () => act(`${url}/assign`, {user_id: config.me})}, strings.assignMe)),
      partners.length ? h("div", {class: "nz-cases-form", "data-role": "refer"},
        h("label", {}, strings.referTo, " ", select),
        h("button", {class: "nz-button", type: "button", "data-action": "refer", onclick: refer}, strings.refer)) : null);
  }
  keyring.onLock(() => { reader.replaceChildren(); reader.hidden = true; });
  await unlockForms(config, strings, root, () => { if (openedId) { openCase(openedId); } });
  root.append(table, more, reader);
  await refresh();
}
