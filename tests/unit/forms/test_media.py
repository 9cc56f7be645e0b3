"""facilities.csv, the facility list the form chooses from."""
import csv
import io
import re

from server.facilities.models import KINDS
from server.forms import media

ROWS = [
    {"id": "b3f1c5d2-0000-4000-8000-000000000002", "name": "Torkham", "name_prs": "تورخم",
     "name_pus": "تورخم", "kind": "border_crossing", "country": "AFG", "lat": 34.11472,
     "lon": 71.08472},
    {"id": "b3f1c5d2-0000-4000-8000-000000000001", "name": "Islam Qala",
     "name_prs": "اسلام قلعه", "name_pus": None, "kind": "reception_centre", "country": "AFG",
     "lat": 34.66667, "lon": 61.06667},
    {"id": "b3f1c5d2-0000-4000-8000-000000000003", "name": "Camp X", "name_prs": None,
     "name_pus": None, "kind": "camp", "country": "PAK", "lat": None, "lon": None},
]


def test_columns_are_plain_xml_names_collect_can_load():
    for column in media.COLUMNS:
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", column), column


def test_rows_carry_id_bilingual_label_and_kind_sorted_by_name():
    data = media.facilities_csv(ROWS)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert [r["name"] for r in rows] == [ROWS[2]["id"], ROWS[1]["id"], ROWS[0]["id"]]
    assert rows[1]["label"] == "Islam Qala · اسلام قلعه"
    assert rows[1]["label_ps"] == "اسلام قلعه"  # falls back to the Dari name
    assert rows[2]["lat"] == "34.114720"
    assert rows[0] == {"name": ROWS[2]["id"], "label": "Camp X", "label_prs": "Camp X",
                       "label_ps": "Camp X", "kind": "camp", "country": "PAK", "lat": "",
                       "lon": ""}


def test_same_registry_same_bytes():
    assert media.facilities_csv(ROWS) == media.facilities_csv(list(reversed(ROWS)))


def test_the_kinds_the_form_tests_for_exist_in_the_registry():
    from .xform import described
    relevant = " ".join(str(q.get("bind", {}).get("relevant", ""))
                        for q in _all(described()))
    for kinds in re.findall(r"selected\('([a-z_ ]+)', \$\{facility_kind\}\)", relevant):
        assert set(kinds.split()) <= set(KINDS)


def _all(element):
    for child in element.get("children", []):
        yield child
        yield from _all(child)
