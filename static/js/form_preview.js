// The preview of an uploaded form, phone-sized, in the phone app's own renderer
// (static/mobile/js: model.js, render.js): what a monitor will see, rules and all. The form's
// description and media come in the page (JSON blocks, not executed); nothing is stored or sent.
import { Form } from "../mobile/js/model.js";
import { renderForm } from "../mobile/js/render.js";
import { setLanguage, t } from "../mobile/js/i18n.js";
import { h, clear, parseCSV } from "../mobile/js/ui.js";

function data(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

// The page's language (en, fa-AF, ps) as the app names it (en, prs, ps).
function appLanguage() {
  const code = (document.documentElement.lang || "en").toLowerCase();
  if (code.startsWith("fa") || code.startsWith("prs")) return "prs";
  return code.startsWith("ps") ? "ps" : "en";
}

function memoryPhotos() {
  const kept = new Map();
  return {
    load: async (name) => kept.get(name) || null,
    save: async (name, bytes) => { kept.set(name, bytes); },
    remove: async (name) => { kept.delete(name); },
    forget: async () => {},
  };
}

function start() {
  setLanguage(appLanguage());
  const media = {};
  for (const [name, text] of Object.entries(data("form-media"))) media[name] = parseCSV(text);
  const form = new Form(data("form-definition"), media);
  const instance = form.newInstance(crypto.randomUUID());
  const renderer = renderForm({ form, instance, photos: memoryPhotos(), onChange: () => {} });
  const app = document.getElementById("app");
  const status = h("p", { class: "error", role: "status" });
  clear(app);
  app.append(h("h2", {}, form.def.title || form.id), renderer.element,
    h("div", { class: "actions" }, h("button", { type: "button", "data-action": "check",
      onclick: () => { status.textContent = renderer.validate() ? t("fix_errors") : "✓"; } }, t("finish"))),
    status);
  document.body.dataset.ready = "yes";
}

start();
