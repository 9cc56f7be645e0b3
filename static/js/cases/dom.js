/* A small element builder: text only through textContent (never innerHTML). */
import * as dates from "../dates.js";

export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value == null || value === false) { continue; }
    if (name.startsWith("on")) { element.addEventListener(name.slice(2), value); }
    else { element.setAttribute(name, value === true ? "" : value); }
  }
  for (const child of children.flat()) {
    if (child == null || child === false) { continue; }
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Data (a name, a typed answer) among the page's words: isolated for right-to-left pages. */
export function data(value) {
  return h("bdi", {}, value == null || value === "" ? "—" : value);
}

/** A code that stays as it is in every language (fingerprint, recovery code). */
export function code(value, attributes = {}) {
  return h("span", {dir: "ltr", translate: "no", ...attributes}, value);
}

export function status(text, kind) {
  const element = document.getElementById("nz-cases-status");
  element.textContent = text || "";
  element.dataset.kind = kind || "info";
}

/** A moment and a day in the person's calendar (static/js/dates.js), or a dash. */
export function when(value) {
  return value ? dates.when(value) : "—";
}

export function day(value) {
  return value ? dates.day(value) : "—";
}

/** The passphrase form: onSubmit(passphrase) resolves to an error text or null. */
export function passphraseForm(strings, label, onSubmit, name) {
  const input = h("input", {type: "password", name: name || "passphrase", autocomplete: "off", required: true});
  const error = h("p", {class: "nz-field-error", role: "alert"});
  const form = h("form", {class: "nz-cases-form", "data-role": name || "unlock"},
    h("label", {}, strings.passphrase, " ", input),
    h("button", {class: "nz-button", type: "submit"}, label), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = strings.working;
    const problem = await onSubmit(input.value);
    input.value = "";
    error.textContent = problem || "";
  });
  return form;
}
