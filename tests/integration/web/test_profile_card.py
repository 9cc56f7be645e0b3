"""The profile card: the key to the coded at-risk profiles the phone shows (Profile P1 ... P11),
printed by a coordinator and kept apart from the phone. Without it the coded labels could not be
answered; on the phone it would undo them, so it is a page for coordinators and admins, never
cached, and the phone app has no link to it."""
import csv
from pathlib import Path

from server.forms.labels import question_labels

PROFILES = Path(__file__).parents[3] / "server" / "data" / "at_risk_profiles.csv"


def test_a_coordinator_prints_the_key_to_the_coded_profiles(signed_in_client):
    coordinator, _ = signed_in_client("coordinator")
    page = coordinator.get("/devices/profile-card")
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    html = page.get_data(as_text=True)
    coded = question_labels("en", "incident")["profiles_present"]["choices"]
    with PROFILES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(coded) == 11
    for row in rows:  # the phone's code beside the profile it stands for, in three languages
        code = coded[row["code"]]
        assert f'data-code="{row["code"]}"' in html
        for label in (code, row["label_en"], row["label_prs"], row["label_ps"]):
            assert label in html, label
    devices = coordinator.get("/devices").get_data(as_text=True)
    assert 'href="/devices/profile-card"' in devices


def test_monitors_do_not_get_the_key(signed_in_client):
    monitor, _ = signed_in_client("monitor")
    assert monitor.get("/devices/profile-card").status_code == 403
