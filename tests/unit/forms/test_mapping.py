"""server/forms/fields.py: one row per form field, each naming a real element of the built
XForm, read with the bind's type."""
from server.forms import fields
from server.scoring.derive import DERIVED_INDICATORS
from server.scoring.standards import FACTS, INPUTS, indicators

from .xform import XF, binds, instance_paths, leaf_paths, primary_instance

# Elements that deliberately map to nothing (see the comment under fields.FIELDS).
UNMAPPED = {"/nezarat_visit/safety_note", "/nezarat_visit/facility_kind",
            "/nezarat_visit/facility_country", "/nezarat_visit/incident/profiles_present"}
CURRENT = [field for field in fields.FIELDS if not field.earlier]
# What each kind of the mapping expects the XForm to declare.
BIND_TYPES = {"int": {"int"}, "int_choice": {"string"}, "decimal": {"decimal"}, "date": {"date"},
              "datetime": {"dateTime"}, "geopoint": {"geopoint"},
              "geopoint_accuracy": {"geopoint"}, "file": {"binary"}, "choice": {"string"},
              "yes_no": {"string"}, "text": {"string"}, "uuid": {"string"},
              "rating": {"string"}, "multi": {"string"}}


def test_every_mapped_path_exists_in_the_built_xform():
    paths = instance_paths()
    missing = [field.path for field in CURRENT if field.path not in paths]
    assert missing == []
    # Fields of the earlier versions stay mapped (their phones still send them), never asked
    # now: renamed when their meaning changed (a double question split in two).
    assert {f.path.rsplit("/", 1)[-1] for f in fields.FIELDS if f.earlier} == {
        "unhcr_access", "judicial_review", "use_of_force", "force_seen_or_alleged",
        "rights_information", "family_contact"}
    assert not any(field.path in paths for field in fields.FIELDS if field.earlier)


def test_every_answer_of_the_form_is_mapped_or_deliberately_left_out():
    mapped = {field.path for field in CURRENT}
    assert leaf_paths() - mapped == UNMAPPED


def test_each_field_is_read_as_the_xform_types_it():
    declared = binds()
    for field in CURRENT:
        assert declared[field.path]["type"] in BIND_TYPES[field.kind], field.path


def test_targets_are_unique():
    targets = [field.target for field in fields.FIELDS if not field.target.endswith("[]")]
    assert len(targets) == len(set(targets))


def test_repeats_hold_the_incident_and_photo_fields():
    templates = {f"/nezarat_visit/{element.tag.removeprefix(XF)}"
                 for element in primary_instance()
                 if element.get("{http://openrosa.org/javarosa}template") is not None}
    assert templates == {fields.INCIDENT_REPEAT, fields.PHOTO_REPEAT, fields.RETURNEE_REPEAT}
    for field in fields.FIELDS:
        if field.target.startswith("incident."):
            assert field.repeat == fields.INCIDENT_REPEAT, field.path
        elif field.target.startswith("returnee."):
            assert field.repeat == fields.RETURNEE_REPEAT, field.path
        elif field.target == "visit.photos[]":
            assert field.repeat == fields.PHOTO_REPEAT
        else:
            assert field.repeat is None, field.path


def test_the_domain_names_of_the_visit_and_incident():
    targets = {field.target for field in fields.FIELDS}
    visit = {"facility_id", "started_at", "ended_at", "position", "position_accuracy_m",
             "access", "access_denied_reason", "held_women", "held_men", "held_girls",
             "held_boys", "held_unaccompanied", "room_area_m2", "notes", "photos[]"}
    incident = {"type", "occurred_on", "date_precision", "location_precision", "position",
                "affected_women", "affected_men", "affected_girls", "affected_boys",
                "affected_unaccompanied", "perpetrator", "source_type", "consent", "severity",
                "follow_up", "narrative", "photos[]"}
    assert {f"visit.{name}" for name in visit} <= targets
    assert {f"incident.{name}" for name in incident} <= targets
    assert {"meta.instance_id", "meta.deprecated_id"} <= targets


def test_observations_are_indicators_or_scoring_inputs():
    codes = {field.target.removeprefix("visit.observations.") for field in fields.FIELDS
             if field.target.startswith("visit.observations.")}
    assert codes <= set(indicators()) | set(INPUTS) | set(FACTS)
    assert set(INPUTS) <= codes


def test_every_indicator_is_asked_or_derived():
    asked = {field.target.rsplit(".", 1)[-1] for field in fields.FIELDS}
    for code in indicators():
        assert code in asked or code in DERIVED_INDICATORS or code == "monitor_access", code


def test_sensitive_fields_are_the_free_text_and_photos():
    sensitive = {field.target for field in fields.FIELDS if field.sensitive}
    assert sensitive == {"visit.notes", "visit.photos[]", "incident.narrative",
                         "incident.photos[]"}
