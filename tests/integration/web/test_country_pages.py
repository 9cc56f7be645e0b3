"""The country record: a country's law (judicial review of detention, its time limit, an
asylum procedure) set once by an admin, audited; nobody else may change it."""
from sqlalchemy import text

from tests.conftest import csrf_of


def test_an_admin_sets_a_countrys_legal_facts_audited(signed_in_client, session):
    admin, _ = signed_in_client("admin")
    page = admin.get("/admin/countries")
    assert page.status_code == 200 and "Judicial review of detention" in page.get_data(True)
    form = {"country": "IRN", "judicial_review": "no", "detention_time_limit_days": "",
            "asylum_procedure": "partly", "source_url": "https://www.refworld.org/x",
            "csrf_token": csrf_of(admin)}
    saved = admin.post("/admin/countries", data=form)
    assert saved.status_code == 303
    row = session.execute(text("SELECT judicial_review, asylum_procedure, "
                               "detention_time_limit_days FROM country_legal_facts "
                               "WHERE country = 'IRN'")).one()
    assert tuple(row) == ("no", "partly", None)
    again = admin.post("/admin/countries", data={**form, "judicial_review": "partly",
                                                 "detention_time_limit_days": "30"})
    assert again.status_code == 303
    details = session.execute(text("SELECT details FROM audit_log WHERE action = "
                                   "'country.facts' ORDER BY seq")).scalars().all()
    assert [d["after"]["judicial_review"] for d in details] == ["no", "partly"]
    assert details[1]["before"]["judicial_review"] == "no"
    bad = admin.post("/admin/countries", data={**form, "country": "iran"})
    assert bad.status_code == 422


def test_only_admins_reach_the_country_record(signed_in_client):
    for role in ("coordinator", "monitor"):
        client, _ = signed_in_client(role)
        assert client.get("/admin/countries").status_code == 403
        assert client.post("/admin/countries", data={"country": "IRN",
                                                     "csrf_token": csrf_of(client)}
                           ).status_code == 403
