"""The main menu of each kind of account, and what a protection partner's people may open
(issue 19): a person of a partner organisation sees their referred cases, their organisation's
sealing key and their account, never the coalition's workspace, whatever role is stored for
them; the workspace pages and APIs refuse them too, so hiding a link hides nothing that opens."""
from __future__ import annotations

import re

import pytest

from tests import factories
from tests.conftest import csrf_of, totp_code

NAV = re.compile(r'<ul class="nz-nav-links">(.*?)</ul>', re.S)
HREF = re.compile(r'<a href="([^"]+)"')
WORKSPACE = {"/map", "/review", "/notifications", "/devices", "/facilities/compare", "/timeline",
             "/admin/users", "/cases", "/forms", "/briefs"}
EXPECTED = {
    "monitor": ["/my-reports", "/account"],
    "coordinator": ["/map", "/review", "/facilities/compare", "/notifications", "/briefs", "/cases", "/devices", "/forms", "/account"],
    "admin": ["/cases", "/devices", "/forms", "/admin/users", "/admin/organisations", "/admin/countries",
              "/admin/partner-keys", "/admin/audit", "/account"],
    "partner": ["/cases/inbox", "/cases/keys", "/account"],
}


def menu(client) -> list[str]:
    page = client.get("/account")
    assert page.status_code == 200
    found = NAV.search(page.get_data(as_text=True))
    return HREF.findall(found.group(1)) if found else []


class Accounts(dict):
    """role -> a client signed in as a new user of that role, made when a test first asks (a
    sign-in checks an argon2id hash: most tests here need one role, not four)."""

    def __init__(self, session, signed_in_client):
        super().__init__()
        self.make = signed_in_client
        self.partner_org = factories.organisation(session, kind="partner",
                                                  name="Protection partner")

    def __missing__(self, role: str):
        # A partner's person is stored as a coordinator (the role their accounts are made
        # with): the partner organisation, not the stored role, decides what they see.
        self[role] = (self.make("coordinator", organisation=self.partner_org)
                      if role == "partner" else self.make(role))[0]
        return self[role]


@pytest.fixture()
def accounts(session, signed_in_client):
    return Accounts(session, signed_in_client)


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_its_own_menu(accounts, role):
    assert menu(accounts[role]) == EXPECTED[role]


def test_a_partners_person_sees_no_workspace_link(accounts):
    links = set(menu(accounts["partner"]))
    assert not links & WORKSPACE
    assert not any(link.startswith("/admin") for link in links)


@pytest.mark.parametrize("path", ["/api/map/incidents?bbox=60,29,75,38&zoom=6", "/api/visits", "/review",
                                  "/notifications", "/devices",
                                  "/cases", "/api/cases", "/api/cases/counts",
                                  "/api/cases/partners", "/admin/users", "/briefs", "/forms",
                                  "/facilities/compare", "/api/briefs"])
def test_the_workspace_refuses_a_partners_person(accounts, path):
    response = accounts["partner"].get(path)
    assert response.status_code == 403, (path, response.status_code)


@pytest.mark.parametrize("path", ["/cases/inbox", "/cases/keys", "/api/cases/inbox",
                                  "/api/cases/keys", "/account"])
def test_a_partners_person_opens_their_own_pages(accounts, path):
    assert accounts["partner"].get(path).status_code == 200, path


def test_the_partners_case_pages_have_no_queue_tab(accounts):
    html = accounts["partner"].get("/cases/inbox").get_data(as_text=True)
    assert 'href="/cases/inbox"' in html and 'href="/cases"' not in html
    coordinator = accounts["coordinator"].get("/cases/inbox").get_data(as_text=True)
    assert 'href="/cases"' in coordinator


def test_a_partners_person_lands_on_their_inbox(session, client):
    partner_org = factories.organisation(session, kind="partner")
    person = factories.user(session, role="coordinator", organisation=partner_org)
    response = client.post("/sign-in", data={"email": person.email,
                                             "password": factories.DEFAULT_PASSWORD,
                                             "csrf_token": csrf_of(client)})
    response = client.post("/sign-in/two-factor", data={"code": totp_code(person),
                                                        "csrf_token": csrf_of(client)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/cases/inbox")


def test_a_partners_person_needs_a_second_factor_whatever_their_stored_role(session):
    partner_org = factories.organisation(session, kind="partner")
    person = factories.user(session, role="monitor", organisation=partner_org, totp=False)
    assert person.needs_second_factor
    assert not factories.user(session, role="monitor", totp=False).needs_second_factor
