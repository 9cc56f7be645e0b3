// Fills forms in JavaRosa, the engine of ODK Collect, for the conformance harness
// (tests/js/odk/javarosa.mjs): one JSON request a line on stdin, one JSON answer a line on stdout.
//   request: {"xml": form, "dir": attachments' directory, "variant": 0|1, "steps": [...]}
//     the steps harness.mjs fillReference played into ODK Web Forms: {ref, entries} adds repeat
//     entries, {ref, value} answers a question, {ref, readonly} is a question left alone; a select
//     or rank step carries k (its scripted number) and picks from JavaRosa's own choices by the
//     same rule as the harness.
//   answer: {"xml": submission, "steps": the steps as played into JavaRosa} or {"error": reason}.
// Compiled against the ODK Validate jar pyxform ships (it bundles JavaRosa).
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.javarosa.core.model.Constants;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.FormIndex;
import org.javarosa.core.model.SelectChoice;
import org.javarosa.core.model.data.AnswerDataFactory;
import org.javarosa.core.model.data.IAnswerData;
import org.javarosa.core.model.data.MultipleItemsData;
import org.javarosa.core.model.data.SelectMultiData;
import org.javarosa.core.model.data.SelectOneData;
import org.javarosa.core.model.data.UncastData;
import org.javarosa.core.model.data.helper.Selection;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeElement;
import org.javarosa.core.model.instance.TreeReference;
import org.javarosa.core.reference.Reference;
import org.javarosa.core.reference.ReferenceFactory;
import org.javarosa.core.reference.ReferenceManager;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.model.xform.XFormSerializingVisitor;
import org.javarosa.model.xform.XFormsModule;
import org.javarosa.xform.util.XFormUtils;

public class Fill {
  static String dir = ".";

  // jr://file/NAME -> DIR/NAME
  static class Files implements ReferenceFactory {
    public boolean derives(String uri) { return uri.startsWith("jr://file/") || uri.startsWith("jr://file-csv/"); }
    public Reference derive(String uri) {
      final File file = new File(dir, uri.substring(uri.lastIndexOf('/') + 1));
      return new Reference() {
        public boolean doesBinaryExist() { return file.exists(); }
        public InputStream getStream() throws java.io.IOException { return new FileInputStream(file); }
        public String getURI() { return uri; }
        public String getLocalURI() { return file.getAbsolutePath(); }
        public boolean isReadOnly() { return true; }
        public OutputStream getOutputStream() { throw new UnsupportedOperationException(); }
        public void remove() { throw new UnsupportedOperationException(); }
        public Reference[] probeAlternativeReferences() { return new Reference[0]; }
      };
    }
    public Reference derive(String uri, String context) { return derive(uri); }
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
    System.setOut(System.err);  // JavaRosa's own chatter stays off the answers
    new XFormsModule().registerModule();
    // Device properties (a "property" preload) as ODK Validate stubs them: the harness compares
    // no device's values.
    org.javarosa.core.services.PropertyManager.setPropertyManager(new org.opendatakit.validate.StubPropertyManager());
    ReferenceManager.instance().addReferenceFactory(new Files());
    ObjectMapper json = new ObjectMapper();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      ObjectNode answer = json.createObjectNode();
      try {
        fill(json.readTree(line), answer, json);
      } catch (Throwable e) {
        answer.removeAll();
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().trim();
        // Its first line (JavaRosa lists every node of a node-set it could not compare).
        answer.put("error", message.split("\n")[0]);
      }
      out.println(json.writeValueAsString(answer));
    }
  }

  // "/data/rep[2]/q" -> names and 0-based positions
  static boolean same(TreeReference ref, String path) {
    String[] parts = path.replaceFirst("^/", "").split("/");
    if (ref == null || ref.size() != parts.length) return false;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      int position = 0;
      int open = part.indexOf('[');
      if (open >= 0) {
        position = Integer.parseInt(part.substring(open + 1, part.length() - 1)) - 1;
        part = part.substring(0, open);
      }
      if (!part.equals(ref.getName(i)) || Math.max(0, ref.getMultiplicity(i)) != position) return false;
    }
    return true;
  }

  static FormIndex find(FormEntryModel model, String path, int event) {
    FormIndex index = FormIndex.createBeginningOfFormIndex();
    while (true) {
      index = model.incrementIndex(index, true);
      if (index.isEndOfFormIndex()) return null;
      if (model.getEvent(index) == event && same(index.getReference(), path)) return index;
    }
  }

  static int entries(FormDef form, String path) {
    String[] parts = path.replaceFirst("^/", "").split("/");
    TreeElement node = form.getMainInstance().getRoot();
    for (int i = 1; i < parts.length - 1 && node != null; i++) {
      String part = parts[i];
      int position = 0;
      int open = part.indexOf('[');
      if (open >= 0) {
        position = Integer.parseInt(part.substring(open + 1, part.length() - 1)) - 1;
        part = part.substring(0, open);
      }
      node = node.getChild(part, position);
    }
    return node == null ? 0 : node.getChildMultiplicity(parts[parts.length - 1]);
  }

  static void fill(JsonNode request, ObjectNode answer, ObjectMapper json) throws Exception {
    dir = request.get("dir").asText();
    int variant = request.get("variant").asInt();
    FormDef form = XFormUtils.getFormFromInputStream(
        new ByteArrayInputStream(request.get("xml").asText().getBytes(StandardCharsets.UTF_8)));
    form.initialize(true, new InstanceInitializationFactory());
    FormEntryModel model = new FormEntryModel(form);
    ArrayNode played = answer.putArray("steps");
    for (JsonNode step : request.get("steps")) {
      String ref = step.get("ref").asText();
      if (step.has("entries")) {
        int wanted = step.get("entries").asInt();
        for (int count = entries(form, ref); count < wanted; count++) {
          FormIndex prompt = find(model, ref + "[" + (count + 1) + "]", FormEntryController_PROMPT);
          if (prompt == null) throw new IllegalStateException("JavaRosa offers no new entry of " + ref);
          form.createNewRepeat(prompt);
        }
        played.add(step.deepCopy());
        continue;
      }
      FormIndex index = find(model, ref, org.javarosa.form.api.FormEntryController.EVENT_QUESTION);
      if (index == null) throw new IllegalStateException("JavaRosa has no question " + ref);
      FormEntryPrompt prompt = model.getQuestionPrompt(index);
      ObjectNode mine = played.addObject();
      mine.put("ref", ref);
      if (prompt.isReadOnly()) mine.put("readonly", true);
      if (step.has("readonly") || prompt.isReadOnly()) continue;
      IAnswerData data = null;
      int control = prompt.getControlType();
      if (step.has("options")) {
        List<String> options = new ArrayList<>();
        for (SelectChoice choice : prompt.getSelectChoices() == null ? List.<SelectChoice>of() : prompt.getSelectChoices()) {
          options.add(choice.getValue());
        }
        ArrayNode offered = mine.putArray("options");
        options.forEach(offered::add);
        if (options.isEmpty()) continue;
        int k = step.get("k").asInt();
        int n = options.size();
        List<String> picked = new ArrayList<>();
        if (control == Constants.CONTROL_RANK) {
          int turn = (k + variant) % n;
          for (int i = 0; i < n; i++) picked.add(options.get((turn + i) % n));
        } else if (control == Constants.CONTROL_SELECT_MULTI) {
          int a = (k + variant) % n;
          int b = (k + variant + 1) % n;
          picked.add(options.get(Math.min(a, b)));
          if (a != b) picked.add(options.get(Math.max(a, b)));
        } else {
          picked.add(options.get((k + variant) % n));
        }
        List<Selection> selections = new ArrayList<>();
        for (String value : picked) selections.add(new Selection(value));
        data = control == Constants.CONTROL_RANK ? new MultipleItemsData(selections)
            : control == Constants.CONTROL_SELECT_MULTI ? new SelectMultiData(selections) : new SelectOneData(selections.get(0));
        mine.put("value", String.join(" ", picked));
      } else if (step.has("value")) {
        String value = step.get("value").asText();
        data = AnswerDataFactory.templateByDataType(prompt.getDataType()).cast(new UncastData(value));
        mine.put("value", value);
      }
      if (data != null) form.setValue(data, index.getReference(), true);
    }
    form.postProcessInstance();
    answer.put("xml", new String(new XFormSerializingVisitor().serializeInstance(form.getInstance()), StandardCharsets.UTF_8));
  }

  static final int FormEntryController_PROMPT = org.javarosa.form.api.FormEntryController.EVENT_PROMPT_NEW_REPEAT;
}
