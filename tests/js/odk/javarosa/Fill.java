// Fills forms in JavaRosa, the engine of ODK Collect, for the conformance harness
// (tests/js/odk/javarosa.mjs): one JSON request a line on stdin, one JSON answer a line on stdout.
//   request: {"xml": form, "dir": attachments' directory, "variant": 0|1}
//   answer: {"xml": submission, "steps": [...]} or {"error": reason}: the form filled by the
//     harness's script (harness.mjs fillReference: the same walk, values and picks) as Collect
//     steps through it; the steps, in the harness's format, are then played into the app.
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.javarosa.core.model.Constants;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.FormIndex;
import org.javarosa.core.model.GroupDef;
import org.javarosa.core.model.IFormElement;
import org.javarosa.core.model.SelectChoice;
import org.javarosa.core.model.data.AnswerDataFactory;
import org.javarosa.core.model.data.IAnswerData;
import org.javarosa.core.model.data.MultipleItemsData;
import org.javarosa.core.model.data.SelectMultiData;
import org.javarosa.core.model.data.SelectOneData;
import org.javarosa.core.model.data.UncastData;
import org.javarosa.core.model.data.helper.Selection;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeReference;
import org.javarosa.core.reference.Reference;
import org.javarosa.core.reference.ReferenceFactory;
import org.javarosa.core.reference.ReferenceManager;
import org.javarosa.form.api.FormEntryController;
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

  // The repeats' paths ("/data/rep"): the levels a path shows positions of, as Web Forms does.
  static void repeats(IFormElement element, Set<String> into) {
    if (element instanceof GroupDef && ((GroupDef) element).getRepeat()) {
      into.add(plain((TreeReference) ((GroupDef) element).getBind().getReference()));
    }
    if (element.getChildren() != null) for (IFormElement child : element.getChildren()) repeats(child, into);
  }

  static String plain(TreeReference ref) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < ref.size(); i++) out.append('/').append(ref.getName(i));
    return out.toString();
  }

  // "/data/rep[2]/q", positions on repeat levels only
  static String path(TreeReference ref, Set<String> repeats) {
    StringBuilder out = new StringBuilder();
    StringBuilder plain = new StringBuilder();
    for (int i = 0; i < ref.size(); i++) {
      plain.append('/').append(ref.getName(i));
      out.append('/').append(ref.getName(i));
      if (repeats.contains(plain.toString())) out.append('[').append(Math.max(0, ref.getMultiplicity(i)) + 1).append(']');
    }
    return out.toString();
  }

  // The harness's valueFor (harness.mjs): a value of the question's type, from k and the variant.
  static String valueFor(int type, int k, int variant) {
    int n = (k * 7 + variant * 5) % 23;
    String b = variant == 1 ? "b" : "";
    switch (type) {
      case Constants.DATATYPE_INTEGER: case Constants.DATATYPE_LONG: return String.valueOf(n);
      case Constants.DATATYPE_DECIMAL: return n + ".5";
      case Constants.DATATYPE_DATE: return "2024-0" + (k % 9 + 1) + "-1" + (k % 9);
      case Constants.DATATYPE_TIME: return "1" + (k % 10) + ":30:00.000+00:00";
      case Constants.DATATYPE_DATE_TIME: return "2024-03-1" + (k % 9) + "T10:30:00.000+00:00";
      case Constants.DATATYPE_GEOPOINT: return "34.5" + k + " 69.1" + variant + " 1000 5";
      case Constants.DATATYPE_GEOTRACE: return "34.5" + k + " 69.1" + variant + " 1000 5;34.6" + k + " 69.2" + variant + " 1010 4";
      case Constants.DATATYPE_GEOSHAPE: return "34.5" + k + " 69.1" + variant + " 1000 5;34.6" + k + " 69.2" + variant
          + " 1010 4;34.7" + k + " 69.1" + variant + " 990 6;34.5" + k + " 69.1" + variant + " 1000 5";
      case Constants.DATATYPE_BARCODE: return "code-" + k + b;
      case Constants.DATATYPE_BOOLEAN: return variant == 1 ? "true" : "false";
      case Constants.DATATYPE_TEXT: case Constants.DATATYPE_NULL: return "answer " + k + (variant == 1 ? " b" : "");
      default: return null;
    }
  }

  // The harness's walk (harness.mjs fillReference), in JavaRosa: every relevant question in
  // document order, as Collect steps through them, gets a value of its type; every repeat without
  // a count gets one entry more than it starts with.
  static void fill(JsonNode request, ObjectNode answer, ObjectMapper json) throws Exception {
    dir = request.get("dir").asText();
    int variant = request.get("variant").asInt();
    FormDef form = XFormUtils.getFormFromInputStream(
        new ByteArrayInputStream(request.get("xml").asText().getBytes(StandardCharsets.UTF_8)));
    form.initialize(true, new InstanceInitializationFactory());
    Set<String> repeats = new HashSet<>();
    repeats(form, repeats);
    FormEntryController entry = new FormEntryController(new FormEntryModel(form));
    FormEntryModel model = entry.getModel();
    ArrayNode steps = answer.putArray("steps");
    Set<String> grown = new HashSet<>();
    int k = 0;
    for (int event = entry.stepToNextEvent(); event != FormEntryController.EVENT_END_OF_FORM; event = entry.stepToNextEvent()) {
      FormIndex index = model.getFormIndex();
      if (event == FormEntryController.EVENT_PROMPT_NEW_REPEAT) {
        GroupDef repeat = (GroupDef) form.getChild(index);
        String at = path(index.getReference(), repeats);
        String range = at.substring(0, at.lastIndexOf('['));
        if (repeat.getCountReference() == null && grown.add(range)) {
          entry.newRepeat();
          steps.addObject().put("ref", range).put("entries", index.getReference().getMultiplicity(index.getReference().size() - 1) + 1);
        }
        continue;
      }
      if (event != FormEntryController.EVENT_QUESTION) continue;
      FormEntryPrompt prompt = model.getQuestionPrompt(index);
      String ref = path(index.getReference(), repeats);
      int control = prompt.getControlType();
      boolean answerable = control == Constants.CONTROL_INPUT || control == Constants.CONTROL_SELECT_ONE
          || control == Constants.CONTROL_SELECT_MULTI || control == Constants.CONTROL_RANK
          || control == Constants.CONTROL_RANGE || control == Constants.CONTROL_TRIGGER;
      if (!answerable) continue;
      if (prompt.isReadOnly()) {
        steps.addObject().put("ref", ref).put("readonly", true);
        continue;
      }
      k += 1;
      IAnswerData data = null;
      String text = null;
      List<String> options = new ArrayList<>();
      if (control == Constants.CONTROL_SELECT_ONE || control == Constants.CONTROL_SELECT_MULTI || control == Constants.CONTROL_RANK) {
        for (SelectChoice choice : prompt.getSelectChoices() == null ? List.<SelectChoice>of() : prompt.getSelectChoices()) {
          options.add(choice.getValue());
        }
        ObjectNode step = steps.addObject().put("ref", ref);
        ArrayNode offered = step.putArray("options");
        options.forEach(offered::add);
        if (options.isEmpty()) continue;
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
        step.put("value", String.join(" ", picked));
      } else if (control == Constants.CONTROL_INPUT) {
        text = valueFor(prompt.getDataType(), k, variant);
        if (text == null) continue;
        data = AnswerDataFactory.templateByDataType(prompt.getDataType()).cast(new UncastData(text));
        // As JavaRosa holds it (a geopoint's numbers as doubles: "1000.0"), as Collect's widget gives it.
        steps.addObject().put("ref", ref).put("value", data.uncast().getString());
      } else {
        throw new IllegalStateException("the harness scripts no " + (control == Constants.CONTROL_RANGE ? "range" : "trigger") + " in JavaRosa (" + ref + ")");
      }
      form.setValue(data, index.getReference(), true);
    }
    form.postProcessInstance();
    answer.put("xml", new String(new XFormSerializingVisitor().serializeInstance(form.getInstance()), StandardCharsets.UTF_8));
  }
}
