// ODK's own engine (@getodk/xforms-engine): the same visit form, from its XForm, made ready.
import { createInstance } from "@getodk/xforms-engine";

export async function ready(xml, csv) {
  const form = await createInstance(xml, { form: {
    fetchFormAttachment: async () => new Response(csv, { headers: { "Content-Type": "text/csv" } }),
  } });
  return form.root.validationState.violations.length;
}
