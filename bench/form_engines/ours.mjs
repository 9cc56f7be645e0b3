// The app's own engine, as the phone loads it: the form model and the renderer, a visit opened.
import { Form } from "/m/static/js/model.js";
import { renderForm } from "/m/static/js/render.js";

export async function ready(def, media) {
  const form = new Form(def, media);
  const instance = form.newInstance("bench");
  const view = renderForm({ form, instance, photos: { load: async () => null }, onChange: () => {} });
  document.body.append(view.element);
  return form.errors(instance, "en").length;
}
