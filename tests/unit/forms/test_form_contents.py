"""What the visit form asks, and that it agrees with the data files, the standards table and
the domain's vocabularies."""
import csv
import re
from pathlib import Path

from server.forms import build, media
from server.incidents import taxonomy
from server.scoring.standards import INPUTS, KIND_GROUPS, indicators
from server.visits.models import ACCESS

from .xform import binds, described, primary_instance, questions, root

DATA = Path(build.FORMS_DIR).parent / "server" / "data"
SELECTED_KINDS = re.compile(r"selected\('([a-z_ ]+)', \$\{facility_kind\}\)")


def choice_names(list_name: str) -> list[str]:
    return [choice["name"] for choice in described()["choices"][list_name]]


def data_rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_committed_build_matches_the_source():
    for form in build.build_all():
        assert build.stale(form) == [], form.form_id


def test_form_identity_and_version():
    instance = primary_instance()
    assert instance.tag.endswith("nezarat_visit")
    assert instance.get("id") == "nezarat_visit"
    assert re.fullmatch(r"\d{10}", instance.get("version"))


def test_meta_carries_instance_and_deprecated_ids():
    declared = binds()
    assert declared["/nezarat_visit/meta/instanceID"]["{http://openrosa.org/javarosa}preload"] \
        == "uid"
    assert "/nezarat_visit/meta/deprecatedID" in declared


def test_incident_types_and_profiles_come_from_the_data_files():
    for list_name, data_file in (("incident_type", "incident_types.csv"),
                                 ("at_risk_profile", "at_risk_profiles.csv")):
        rows = data_rows(data_file)
        assert choice_names(list_name) == [row["code"] for row in rows]
    for choice, row in zip(described()["choices"]["incident_type"],
                           data_rows("incident_types.csv")):
        assert choice["label"] == {"English (en)": row["label_en"],
                                   "Dari (prs)": row["label_prs"],
                                   "Pashto (ps)": row["label_ps"]}


def test_profiles_are_shown_with_coded_labels_on_the_phone():
    """A seized phone must not read "1 former security official": P1..P11, key on a card."""
    words = {row[key] for row in data_rows("at_risk_profiles.csv")
             for key in ("label_en", "label_prs", "label_ps")}
    for n, choice in enumerate(described()["choices"]["at_risk_profile"], 1):
        assert choice["label"]["English (en)"] == f"Profile P{n}"
        assert not set(choice["label"].values()) & words
    asked = questions()
    for n, row in enumerate(data_rows("at_risk_profiles.csv"), 1):
        label = asked[f"/nezarat_visit/incident/profiles/{row['code']}"]["label"]
        assert label["English (en)"] == f"Profile P{n}"


def test_photo_hints_warn_against_what_identifies_people():
    asked = questions()
    for path in ("/nezarat_visit/photos/photo", "/nezarat_visit/incident/photo"):
        hint = asked[path]["hint"]["English (en)"]
        for word in ("documents", "faces", "scars", "tattoos", "consent"):
            assert word in hint, (path, word)


def test_the_position_is_optional():
    assert binds()["/nezarat_visit/position"].get("required") in (None, "false()")


def test_choices_are_what_the_domain_accepts():
    assert set(choice_names("incident_type")) == set(taxonomy.incident_types())
    assert set(choice_names("at_risk_profile")) == set(taxonomy.PROFILES)
    assert set(choice_names("perpetrator")) == set(taxonomy.PERPETRATORS)
    assert set(choice_names("source_type")) == set(taxonomy.SOURCE_TYPES)
    assert set(choice_names("consent")) == set(taxonomy.CONSENT)
    assert set(choice_names("date_precision")) == set(taxonomy.DATE_PRECISIONS)
    assert set(choice_names("location_precision")) == set(taxonomy.LOCATION_PRECISIONS)
    assert set(choice_names("access")) == set(ACCESS)
    assert choice_names("severity") == ["1", "2", "3", "4", "5"]


def _kinds_for(codes) -> set[str] | None:
    """Registry kinds where any of these indicators applies; None = every kind."""
    kinds = set()
    for code in codes:
        applies = indicators()[code].applies_to
        if "all" in applies:
            return None
        kinds |= {kind for kind, group in KIND_GROUPS.items() if group in applies}
    return kinds


def _asked_kinds(question: dict) -> set[str] | None:
    match = SELECTED_KINDS.search(question.get("bind", {}).get("relevant", ""))
    return set(match.group(1).split()) if match else None


def test_indicators_are_asked_only_where_their_standard_applies():
    asked = {path.rsplit("/", 1)[-1]: q for path, q in questions().items()}
    checked = 0
    for code in indicators():
        if code in asked:
            assert _asked_kinds(asked[code]) == _kinds_for([code]), code
            checked += 1
    assert checked >= 28
    for code, fed in INPUTS.items():
        if code != "daytime_only":  # asked whenever water quantity is answered
            assert _asked_kinds(asked[code]) == _kinds_for(fed), code
    area = asked["room_area"]
    assert _asked_kinds(area) == _kinds_for(["space_per_person", "covered_space"])


def test_counts_cannot_be_negative():
    for path, attributes in binds().items():
        if attributes.get("type") in ("int", "decimal"):
            assert attributes.get("constraint", "").startswith(". >= 0"), path


def test_dates_and_times_cannot_be_in_the_future():
    declared = binds()
    assert declared["/nezarat_visit/started_at"]["constraint"] == ". <= now()"
    assert ". <= now()" in declared["/nezarat_visit/ended_at"]["constraint"]
    assert declared["/nezarat_visit/incident/occurred_on"]["constraint"] == ". <= today()"


def test_the_answers_the_domain_needs_are_required():
    declared = binds()
    for path in ("facility", "started_at", "ended_at", "access/obtained",
                 "access/denied_reason", "assessment/safety_treatment_rating",
                 "assessment/return_reception_coverage", "returnees/consent_interview",
                 "incident/state_responsible", "incident/type", "incident/occurred_on", "incident/location_precision",
                 "incident/consent", "incident/severity"):
        assert declared[f"/nezarat_visit/{path}"].get("required") == "true()", path


def test_every_head_count_takes_dont_know():
    """Issue 15: a count left blank is "not known", so no count is required (a forced 0 would
    say nobody), each hint says so in the three languages, and no constraint refuses a count
    because another was left blank (an empty node in a sum is NaN)."""
    declared = binds()
    asked = {q["name"]: q for q in described()["children"] if q.get("name") == "incident"}
    affected = next(c for c in asked["incident"]["children"] if c["name"] == "affected")
    for group in ("women", "men", "girls", "boys", "unaccompanied"):
        for path in (f"people/{group}", f"incident/affected/{group}"):
            assert declared[f"/nezarat_visit/{path}"].get("required") in (None, "false()"), path
    for question in affected["children"]:
        hint = question["hint"]
        assert "Leave blank if you do not know" in hint["English (en)"], question["name"]
        assert "اگر نمی‌دانید خالی بگذارید" in hint["Dari (prs)"], question["name"]
        assert "که نه پوهېږئ خالي یې پرېږدئ" in hint["Pashto (ps)"], question["name"]
    sums = {path: bind["constraint"] for path, bind in declared.items()
            if " + " in bind.get("constraint", "") and "affected" in path}
    assert sums  # unaccompanied and every profile count
    for path, constraint in sums.items():
        assert "string(" in constraint and "= ''" in constraint, path


def test_the_position_has_an_accuracy_threshold():
    body = root().find("{http://www.w3.org/1999/xhtml}body")
    position = next(e for e in body.iter() if e.get("ref") == "/nezarat_visit/position")
    assert position.get("accuracyThreshold") == "20"
    assert position.get("unacceptableAccuracyThreshold") == "100"


def test_photos_are_images_scaled_down_on_the_phone():
    declared = binds()
    for path in ("/nezarat_visit/photos/photo", "/nezarat_visit/incident/photo"):
        assert declared[path]["type"] == "binary"
        assert declared[path]["{http://openrosa.org/xforms}max-pixels"] == "2048"


def test_the_facility_list_reads_facilities_csv_columns():
    model = root().find("{http://www.w3.org/1999/xhtml}head/{http://www.w3.org/2002/xforms}model")
    sources = {i.get("id"): i.get("src") for i in model if i.get("src")}
    assert sources == {"facilities": "jr://file-csv/facilities.csv"}
    itemset = next(root().iter("{http://www.w3.org/2002/xforms}itemset"))
    refs = {child.get("ref") for child in itemset}
    assert refs == {"name", "label"} and refs <= set(media.COLUMNS)
    kind_lookup = binds()["/nezarat_visit/facility_kind"]["calculate"]
    assert kind_lookup.startswith("instance('facilities')/root/item[")
    assert kind_lookup.endswith("]/kind") and "kind" in media.COLUMNS


def test_the_apps_form_keeps_every_groups_relevance():
    """pyxform's JSON drops a group's bind; the app's form must carry the XForm's relevance."""
    import json

    from server.forms.build import BUILD_DIR
    described = json.loads((BUILD_DIR / "nezarat_visit.json").read_text(encoding="utf-8"))
    declared = binds()
    checked = 0

    def walk(element, prefix):
        nonlocal checked
        for child in element.get("children") or ():
            path = f"{prefix}/{child['name']}"
            if child.get("type") in ("group", "repeat"):
                relevant = declared.get(path, {}).get("relevant")
                if relevant:
                    assert (child.get("bind") or {}).get("relevant"), path
                    checked += 1
                walk(child, path)
    walk(described, "/nezarat_visit")
    assert checked >= 15


def test_consent_to_be_interviewed_is_asked_apart_from_sharing_and_referral():
    asked = questions()
    held = asked["/nezarat_visit/method/interviews_held"]
    group = asked["/nezarat_visit/returnees/consent_interview"]
    for question in (held, group):
        assert "consent" in question["label"]["English (en)"].lower() + \
            question.get("hint", {}).get("English (en)", "").lower() or \
            "agree" in question["label"]["English (en)"].lower()
        assert "apart" in question["hint"]["English (en)"]
    assert asked["/nezarat_visit/incident/consent"]["label"]["English (en)"] == \
        "What may be shared?"
    assert "referral" in asked["/nezarat_visit/person_at_risk/consent"]["label"]["English (en)"]
