"""The phone app's form check (issue 14): forms the app cannot run exactly as ODK Collect are
refused for the app with the feature named, by `flask forms build` (and at publishing, which
calls the same function); the app's own rules (model.js, xpath.js) are the same lists."""
import csv
import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo

from server.forms import app_support, build
from server.forms.cli import forms_cli

REPO = Path(build.FORMS_DIR).parent
MOBILE_JS = REPO / "static" / "mobile" / "js"


def xlsform(tmp_path: Path, survey: list[dict], choices: list[dict] = (), name="t") -> Path:
    """A one-file CSV XLSForm (pyxform's flavour: a column naming the sheet)."""
    survey_cols = sorted({k for row in survey for k in row},
                         key=lambda k: (k not in ("type", "name", "label"), k))
    rows = [["survey", *survey_cols]] + [["", *[r.get(c, "") for c in survey_cols]] for r in survey]
    if choices:
        cols = ["list_name", "name", "label", *sorted({k for r in choices for k in r} -
                                                      {"list_name", "name", "label"})]
        rows += [["choices", *cols]] + [["", *[r.get(c, "") for c in cols]] for r in choices]
    rows += [["settings", "form_id", "version"], ["", name, "1"]]
    path = tmp_path / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def refusals(tmp_path, survey, choices=()):
    built = build.build(xlsform(tmp_path, survey, choices))
    assert list(built.app_refusals) == app_support.unsupported(json.loads(built.json))
    return list(built.app_refusals)


YN = [{"list_name": "yn", "name": "yes", "label": "Yes"}, {"list_name": "yn", "name": "no", "label": "No"}]


@pytest.mark.parametrize("form_id", ["nezarat_visit", "nezarat_case"])
def test_the_project_forms_run_in_the_app(form_id):
    data = json.loads((build.BUILD_DIR / f"{form_id}.json").read_text(encoding="utf-8"))
    assert app_support.unsupported(data) == []


def test_a_form_of_what_the_app_runs_is_accepted(tmp_path):
    survey = [
        {"type": "select_one yn", "name": "consent", "label": "Consent?", "required": "yes",
         "required_message": "Say yes or no"},
        {"type": "integer", "name": "n", "label": "How many?", "constraint": ". >= 0",
         "relevant": "${consent} = 'yes'"},
        {"type": "begin_repeat", "name": "people", "label": "People"},
        {"type": "select_one yn", "name": "adult", "label": "Adult?", "choice_filter": "name != ${consent}"},
        {"type": "calculate", "name": "twice", "calculation": "${n} * 2"},
        {"type": "end_repeat", "name": "people"},
        {"type": "calculate", "name": "first_seen", "calculation": "once(today())"},
        {"type": "calculate", "name": "total", "calculation": "count(${people}) + sum(${twice})"},
        {"type": "begin_repeat", "name": "rooms", "label": "Rooms"},
        {"type": "calculate", "name": "room_number", "calculation": "position(..)"},
        {"type": "end_repeat", "name": "rooms"},
        {"type": "text", "name": "note_on_n", "label": "Note", "readonly": "${n} > 3"},
        {"type": "integer", "name": "doubled", "label": "Doubled", "calculation": "${n} * 2"},
        {"type": "integer", "name": "set_on_change", "label": "Set", "trigger": "${n}",
         "calculation": "${n} + 1"},
    ]
    assert refusals(tmp_path, survey, YN) == []


@pytest.mark.parametrize("row, feature", [
    ({"type": "audio", "name": "r", "label": "R"}, "question type audio" + app_support.MEDIA_WHY),
    ({"type": "select_one yn", "name": "s", "label": "S",
      "appearance": "search('people', 'matches', 'name', ${n})"}, "appearance search()"),
    ({"type": "image", "name": "i", "label": "I", "appearance": "annotate"}, "appearance annotate"),
    ({"type": "calculate", "name": "c", "calculation": "jr:itext('x')"},
     "jr:itext() of an id the app cannot know ('x') (jr:itext('x'))"),
    ({"type": "calculate", "name": "c", "calculation": "digest(${n}, 'SHA-256')"},
     "function digest()"),
    ({"type": "calculate", "name": "c", "calculation": "position()"},
     "position() without a path (only position(..))"),
    ({"type": "date", "name": "d", "label": "D", "appearance": "ethiopian"}, "appearance ethiopian"),
    ({"type": "text", "name": "x", "label": "X", "readonly": "digest(${n}, 'MD5') = ''"},
     "function digest()"),
    ({"type": "video", "name": "u", "label": "U"}, "question type video" + app_support.MEDIA_WHY),
])
def test_a_feature_the_app_cannot_run_is_named(tmp_path, row, feature):
    survey = [{"type": "integer", "name": "n", "label": "N"}, row]
    assert feature in refusals(tmp_path, survey, YN)


def test_widgets_metadata_and_geopoint_actions_are_run(tmp_path):
    """What the app draws as Collect does (render.js) and fills as ODK's engine (the corpus)."""
    survey = [
        {"type": "range", "name": "r", "label": "R", "parameters": "start=-2 end=2 step=0.5",
         "appearance": "vertical no-ticks"},
        {"type": "range", "name": "stars", "label": "Stars", "parameters": "start=1 end=5 step=1",
         "appearance": "rating"},
        {"type": "time", "name": "t", "label": "T"},
        {"type": "date", "name": "m", "label": "M", "appearance": "month-year"},
        {"type": "barcode", "name": "b", "label": "B"},
        {"type": "geotrace", "name": "gt", "label": "GT"},
        {"type": "geoshape", "name": "gs", "label": "GS"},
        {"type": "acknowledge", "name": "ack", "label": "OK?"},
        {"type": "text", "name": "x", "label": "X", "appearance": "ex:org.example.app(a=1)"},
        {"type": "integer", "name": "n", "label": "N", "appearance": "thousands-sep"},
        {"type": "select_one yn", "name": "s", "label": "S", "appearance": "columns-3 no-buttons"},
        {"type": "select_one yn", "name": "s2", "label": "S2", "appearance": "minimal search"},
        {"type": "phonenumber", "name": "pn"}, {"type": "username", "name": "un"},
        {"type": "email", "name": "em"}, {"type": "simserial", "name": "ss"},
        {"type": "subscriberid", "name": "si"},
        {"type": "start-geopoint", "name": "where"},
        {"type": "background-geopoint", "name": "where_t", "trigger": "${t}"},
        {"type": "begin_repeat", "name": "fixed", "label": "Fixed", "body::jr:noAddRemove": "true()"},
        {"type": "text", "name": "f", "label": "F"},
        {"type": "end_repeat", "name": "fixed"},
    ]
    assert refusals(tmp_path, survey, YN) == []


def test_a_range_with_bounds_that_are_not_numbers_is_named():
    """pyxform refuses it; a JSON made otherwise is refused as ODK refuses the XForm."""
    form = {"name": "t", "type": "survey", "children": [
        {"name": "r", "type": "range", "parameters": {"start": "-2.0.1", "end": "2", "step": "1"}}]}
    assert app_support.unsupported(form) == ["a range whose start, end or step is not a number"]
    form["children"][0]["parameters"]["start"] = "-2.0"
    assert app_support.unsupported(form) == []


def test_indexed_repeat_and_repeat_count_are_run(tmp_path):
    survey = [
        {"type": "integer", "name": "n", "label": "N"},
        {"type": "begin_repeat", "name": "kids", "label": "Kids", "repeat_count": "${n}"},
        {"type": "text", "name": "kid", "label": "Kid"},
        {"type": "end_repeat", "name": "kids"},
        {"type": "calculate", "name": "first", "calculation": "indexed-repeat(${kid}, ${kids}, 1)"},
    ]
    found = refusals(tmp_path, survey)
    assert found == []


def test_an_instance_that_is_not_a_file_or_choice_list_of_the_form_is_named(tmp_path):
    """A choice list is the instance pyxform writes for it (the app builds the same: itext.js)."""
    survey = [{"type": "select_one yn", "name": "a", "label": "A"},
              {"type": "calculate", "name": "c",
               "calculation": "instance('yn')/root/item[name = ${a}]/label"}]
    assert refusals(tmp_path, survey, YN) == []
    survey[1]["calculation"] = "instance('ny')/root/item[name = ${a}]/label"
    assert "instance('ny')" in refusals(tmp_path, survey, YN)


def test_jr_itext_of_an_id_pyxform_writes_is_run_any_other_named(tmp_path):
    """pyxform gives a list with translated labels itext ids "<list>-<i>" (its instance's items
    carry itextId); jr:itext() of those, or of a translated question label, is run (model.js:
    the text in the form's language); any id the app cannot know from the JSON is named."""
    def form(calculation):
        rows = [["survey", "type", "name", "label::English (en)", "label::Dari (prs)", "calculation"],
                ["", "select_one income", "inc", "Income", "درآمد", ""],
                ["", "select_one yn", "p", "P", "پ", ""],
                ["", "calculate", "c", "", "", calculation],
                ["choices", "list_name", "name", "label::English (en)", "label::Dari (prs)", "label"],
                ["", "income", "1", "Low", "کم", ""],
                ["", "income", "2", "High", "زیاد", ""],
                ["", "yn", "yes", "", "", "Yes"],
                ["", "yn", "no", "", "", "No"],
                ["settings", "form_id", "version"], ["", "t", "1"]]
        path = tmp_path / "t.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
        built = build.build(path)
        assert list(built.app_refusals) == app_support.unsupported(json.loads(built.json))
        assert "<itextId>income-1</itextId>" in built.xml and "<label>No</label>" in built.xml
        return list(built.app_refusals)

    assert form("jr:itext(instance('income')/root/item[name = ${inc}]/itextId)") == []
    assert form("jr:itext('income-1')") == []
    assert form("jr:itext('/data/inc:label')") == []
    assert form("jr:itext('x')") == ["jr:itext() of an id the app cannot know ('x') (jr:itext('x'))"]
    assert form("jr:itext('income-2')") == [
        "jr:itext() of an id the app cannot know ('income-2') (jr:itext('income-2'))"]
    assert form("jr:itext(${inc})") == ["jr:itext() of an id the app cannot know (jr:itext(${inc}))"]
    assert form("jr:itext(instance('yn')/root/item[name = ${p}]/itextId)") == [
        "jr:itext() of instance('yn'), whose items have no itextId "
        "(jr:itext(instance('yn')/root/item[name = ${p}]/itextId))"]


def test_a_csv_lookup_of_the_form_is_accepted(tmp_path):
    survey = [{"type": "select_one_from_file places.csv", "name": "p", "label": "P"},
              {"type": "calculate", "name": "k", "calculation": "instance('places')/root/item[name=${p}]/kind"}]
    assert refusals(tmp_path, survey) == []


def test_xml_and_geojson_files_any_instance_path_and_last_saved_are_accepted(tmp_path):
    survey = [
        {"type": "xml-external", "name": "towns"},
        {"type": "calculate", "name": "ds", "calculation": "instance('towns')/towndata/data_set[2]"},
        {"type": "select_one_from_file sites.geojson", "name": "site", "label": "Site"},
        {"type": "select_one_from_file places.xml", "name": "pl", "label": "P",
         "parameters": "value=code label=title", "choice_filter": "region = 'east'"},
        {"type": "text", "name": "who", "label": "Who", "default": "${last-saved#who}"},
        {"type": "calculate", "name": "prev", "calculation": "${last-saved#ds}"},
    ]
    assert refusals(tmp_path, survey) == []


def test_an_instance_that_is_no_attachment_of_the_form_is_still_named(tmp_path):
    survey = [{"type": "calculate", "name": "c", "calculation": "instance('towns')/towndata/data_set"}]
    assert "instance('towns')" in refusals(tmp_path, survey)


def test_the_build_leaves_the_app_json_out_of_a_refused_form(tmp_path):
    source = xlsform(tmp_path, [{"type": "audio", "name": "r", "label": "R"}], name="ranged")
    built = build.build(source)
    assert built.app_refusals == ("question type audio" + app_support.MEDIA_WHY,)
    out = tmp_path / "out"
    out.mkdir()
    (out / "ranged.json").write_text("{}")  # an earlier build the app could still fetch
    build.write(built, out)
    assert (out / "ranged.xml").is_file()  # still built for ODK Collect
    assert not (out / "ranged.json").exists()
    assert build.stale(built, out) == []


def test_flask_forms_build_names_the_refusal(monkeypatch, tmp_path, app):
    source = xlsform(tmp_path, [{"type": "audio", "name": "r", "label": "R"}], name="ranged")
    monkeypatch.setattr(build, "SOURCES", (source.name,))
    monkeypatch.setattr(build, "FORMS_DIR", tmp_path)
    monkeypatch.setattr(build, "BUILD_DIR", tmp_path / "build")
    result = CliRunner().invoke(forms_cli, ["build", "--skip-validate"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "ranged: refused for the phone app (built for ODK Collect only): question type audio (" \
        in result.output
    assert (tmp_path / "build" / "ranged.xml").is_file()
    assert not (tmp_path / "build" / "ranged.json").exists()


def _js_set(source: str, name: str) -> set[str]:
    block = re.search(rf"const {name} = new Set\(\[(.*?)\]\);", source, re.S).group(1)
    return set(re.findall(r'"([^"]+)"', block))


def test_the_app_applies_the_same_lists():
    model = (MOBILE_JS / "model.js").read_text(encoding="utf-8")
    assert _js_set(model, "TYPES") == app_support.TYPES
    assert _js_set(model, "APPEARANCES") == app_support.APPEARANCES
    assert _js_set(model, "PARAMETERS") == app_support.PARAMETERS
    xpath = (MOBILE_JS / "xpath.js").read_text(encoding="utf-8")
    table = re.search(r"const FUNCTIONS = \{(.*?)\n\};", xpath, re.S).group(1)
    functions = set(re.findall(r'^\s+"([\w:-]+)":', table, re.M))
    functions |= set(re.findall(r"^FUNCTIONS\.(\w+) =", xpath, re.M))
    assert functions == app_support.FUNCTIONS


def test_an_absolute_path_into_its_own_repeat_is_run(tmp_path):
    """/data/rooms/beds from inside rooms is the asking entry's beds, as in Collect (JavaRosa
    contextualizes it; ODK Web Forms reads the first entry's): the app runs it as Collect."""
    survey = [
        {"type": "begin_repeat", "name": "rooms", "label": "Rooms"},
        {"type": "integer", "name": "beds", "label": "Beds"},
        {"type": "calculate", "name": "by_name", "calculation": "${beds} * 2"},
        {"type": "calculate", "name": "relative", "calculation": "../beds * 2"},
        {"type": "calculate", "name": "absolute", "calculation": "/data/rooms/beds * 2"},
        {"type": "end_repeat", "name": "rooms"},
    ]
    assert refusals(tmp_path, survey) == []


def test_a_repeat_count_reading_its_own_entries_is_named(tmp_path):
    """Collect adds the entries of such a repeat one at a time as the monitor steps on; the app,
    with every entry on one page, cannot: refused, as model.js refuses it."""
    survey = [
        {"type": "integer", "name": "n", "label": "How many?"},
        {"type": "begin_repeat", "name": "rooms", "label": "Rooms", "repeat_count": "${n}"},
        {"type": "select_one yn", "name": "last", "label": "Last room?"},
        {"type": "end_repeat", "name": "rooms"},
    ]
    assert refusals(tmp_path, survey, YN) == []
    survey[0] = {"type": "calculate", "name": "n",
                 "calculation": "if(count(${rooms}) = 0 or ${last} != 'yes', count(${rooms}) + 1, count(${rooms}))"}
    assert refusals(tmp_path, survey, YN) == ["a repeat count that reads the repeat's own entries (/data/rooms)"]


def test_a_rank_and_jr_choice_name_are_run(tmp_path):
    survey = [{"type": "rank yn", "name": "order", "label": "Order"},
              {"type": "calculate", "name": "first",
               "calculation": "jr:choice-name(selected-at(${order}, 0), '${order}')"}]
    built = build.build(xlsform(tmp_path, survey, YN))
    assert [c["type"] for c in json.loads(built.json)["children"][:1]] == ["rank"]
    assert refusals(tmp_path, survey, YN) == []


def test_randomized_choices_and_odk_functions_are_run(tmp_path):
    """randomize=true (with or without a seed) and ODK's functions the app evaluates
    (static/mobile/js/odk_functions.js): the app runs them; pyxform's JSON keeps the parameters."""
    survey = [{"type": "integer", "name": "s", "label": "Seed"},
              {"type": "select_one yn", "name": "a", "label": "A", "parameters": "randomize=true"},
              {"type": "select_one yn", "name": "b", "label": "B", "parameters": "randomize=true seed=${s}"},
              {"type": "calculate", "name": "c", "calculation":
               "concat(format-date-time(now(), '%Y %H'), distance('1 2', '1 3'), join(' ', ${a}, ${b}))"}]
    built = build.build(xlsform(tmp_path, survey, YN))
    children = {c["name"]: c for c in json.loads(built.json)["children"]}
    assert children["b"]["parameters"] == {"randomize": "true", "seed": "${s}"}
    assert refusals(tmp_path, survey, YN) == []


def test_images_in_labels_are_run_audio_and_video_named(tmp_path):
    """An image beside a question's or a choice's label is drawn by the app (render.js); audio
    and video in labels are not played, so the form is refused for the app, the kind named."""
    survey = [{"type": "select_one animals", "name": "a", "label": "Animal",
               "image": "q.png", "media::image::English (en)": "q_en.png",
               "label::English (en)": "Animal"}]
    choices = [{"list_name": "animals", "name": "tiger", "label": "Tiger",
                "label::English (en)": "Tiger", "image": "tiger.jpg"},
               {"list_name": "animals", "name": "camel", "label": "Camel",
                "label::English (en)": "Camel", "media::image::English (en)": "camel.webp"}]
    assert refusals(tmp_path, survey, choices) == []
    assert refusals(tmp_path, [{**survey[0], "audio": "moo.mp3"}], choices) == \
        ["media (audio) in labels"]
    assert refusals(tmp_path, survey, [{**choices[0], "video": "run.mp4"}, choices[1]]) == \
        ["media (video) in labels"]


def test_the_app_shows_the_same_label_media():
    model = (MOBILE_JS / "model.js").read_text(encoding="utf-8")
    assert _js_set(model, "LABEL_MEDIA") == app_support.LABEL_MEDIA


def test_a_cascading_select_of_the_choices_sheet_keeps_its_filter_columns(tmp_path):
    """The XLSForm way of a cascade: the choices sheet's own column (`country`) read by the
    choice filter. pyxform's JSON leaves such columns out of the choices; the build gives them to
    the app, which offers exactly the cities of the country chosen, as Collect does."""
    survey = [{"type": "select_one country", "name": "country", "label": "Country"},
              {"type": "select_one city", "name": "city", "label": "City",
               "choice_filter": "country=${country}"}]
    choices = [{"list_name": "country", "name": "af", "label": "Afghanistan"},
               {"list_name": "country", "name": "ir", "label": "Iran"},
               {"list_name": "city", "name": "kbl", "label": "Kabul", "country": "af"},
               {"list_name": "city", "name": "hrt", "label": "Herat", "country": "af"},
               {"list_name": "city", "name": "thr", "label": "Tehran", "country": "ir"}]
    built = build.build(xlsform(tmp_path, survey, choices))
    assert built.app_refusals == ()
    definition = json.loads(built.json)
    assert [c.get("country") for c in definition["choices"]["city"]] == ["af", "af", "ir"]
    (tmp_path / "def.json").write_text(built.json)
    script = (
        f"import {{ Form }} from {json.dumps((MOBILE_JS / 'model.js').as_uri())};\n"
        "import { readFileSync } from 'node:fs';\n"
        f"const form = new Form(JSON.parse(readFileSync({json.dumps(str(tmp_path / 'def.json'))}, 'utf8')));\n"
        "const answers = form.newInstance('00000000-0000-4000-8000-000000000000');\n"
        "const at = (name) => form.nodes.find((n) => n.name === name);\n"
        "const offered = () => form.choicesFor(answers, at('city'), {}).map((c) => c.name).join(' ');\n"
        "const seen = [offered()];\n"
        "for (const country of ['af', 'ir']) { form.set(answers, at('country'), {}, country);"
        " form.calculate(answers); seen.push(offered()); }\n"
        "console.log(JSON.stringify(seen));\n")
    run = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == ["", "kbl hrt", "thr"]
