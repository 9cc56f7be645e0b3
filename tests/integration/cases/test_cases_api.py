"""Protection cases through /api/cases: the server keeps triage fields in clear and the rest
only as ciphertext; key holders (and only they) get the ciphertext, which opens with their
passphrase-wrapped copy; referral re-wraps the record key for a partner's key; nothing sealed
appears in any table, response or audit entry."""
from __future__ import annotations

import base64
import json
import uuid

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import text

from tests import case_crypto as cc
from tests import factories

CANARY_NAME = "CANARY-Malalai-90210"
CANARY_STORY = "CANARY-story-fled-Kandahar-4471"
PHOTO = b"\xff\xd8\xff\xe0CANARY-PHOTO-BYTES" + b"x" * 200
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def org_keys():
    return cc.new_key(), cc.new_key()


def fields():
    return [{"name": "person_name", "label": "Name", "value": CANARY_NAME},
            {"name": "story", "label": "Story", "value": CANARY_STORY},
            {"name": "photo", "label": "Photo", "value": "p1", "photo": True}]


@pytest.fixture()
def world(session, signed_in_client, client, org_keys):
    org = factories.organisation(session)
    facility = factories.facility(session)
    holder_client, holder = signed_in_client("coordinator", organisation=org)
    key, partner_key = org_keys
    responses = []

    def call(c, method, url, **kw):
        response = getattr(c, method)(url, **kw)
        responses.append(response.get_data())
        return response

    made = call(holder_client, "post", "/api/cases/keys", json={
        "public_key": key.public_b64, "wrapped": cc.wrap(key, PASSPHRASE),
        "recovery_wrapped": cc.wrap(key, "RECOVERYCODE")})
    assert made.status_code == 201, made.get_json()
    monitor = factories.user(session, role="monitor", organisation=org)
    token = factories.device_token(session, monitor)
    return {"org": org, "facility": facility, "holder_client": holder_client, "holder": holder,
            "key": key, "partner_key": partner_key, "device": factories.bearer(token),
            "client": client, "call": call, "responses": responses, "monitor": monitor}


def submit(w, urgency="immediate"):
    case_id = str(uuid.uuid4())
    sealed = cc.seal_case(w["key"], case_id, fields(), photos={"p1": PHOTO},
                          facility_id=w["facility"].id, urgency=urgency)
    response = w["call"](w["client"], "post", "/api/cases/submissions", json=sealed.body,
                         headers=w["device"])
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["missing_photos"] == ["p1"]
    put = w["call"](w["client"], "put", f"/api/cases/submissions/{case_id}/photos/p1",
                    data=sealed.photos["p1"], headers={**w["device"],
                                                       "Content-Type": "application/octet-stream"})
    assert put.status_code == 201, put.get_json()
    return case_id, sealed


def everything_in_the_database(session) -> str:
    tables = session.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
    return "\n".join(str(row) for t in tables
                     for row in session.execute(text(f'SELECT t::text FROM "{t}" t')).scalars())


def test_sealed_case_is_ciphertext_everywhere_and_opens_for_the_key_holder(session, world, app):
    w = world
    case_id, sealed = submit(w)
    again = w["client"].post("/api/cases/submissions", json=sealed.body, headers=w["device"])
    assert again.status_code == 200 and again.get_json()["missing_photos"] == []

    queue = w["call"](w["holder_client"], "get", "/api/cases").get_json()["items"]
    assert [(i["id"], i["urgency"], i["status"], i["facility_id"]) for i in queue] == [
        (case_id, "immediate", "new", str(w["facility"].id))]
    detail = w["call"](w["holder_client"], "get", f"/api/cases/{case_id}").get_json()
    photo = w["call"](w["holder_client"], "get", f"/api/cases/{case_id}/photos/p1")
    keys = w["call"](w["holder_client"], "get", "/api/cases/keys").get_json()["items"]

    dump = everything_in_the_database(session)
    storage = b"".join(p.read_bytes() for p in __import__("pathlib").Path(
        app.config["STORAGE_DIR"]).rglob("*") if p.is_file())
    for canary in (CANARY_NAME, CANARY_STORY):
        assert canary not in dump
        assert canary.encode() not in storage
        assert not any(canary.encode() in body for body in w["responses"])
    assert b"CANARY-PHOTO-BYTES" not in storage and b"CANARY-PHOTO-BYTES" not in photo.data
    assert "CANARY" not in dump

    # The key holder's side: the copy opens with the passphrase, the case with the key.
    private = cc.unwrap(keys[0]["my_copy"], PASSPHRASE, keys[0]["fingerprint"])
    opened = cc.open_case(private, detail["wrapped_key"], detail["envelope"], case_id)
    assert [f["value"] for f in opened["fields"]][:2] == [CANARY_NAME, CANARY_STORY]
    with pytest.raises(InvalidTag):
        cc.unwrap(keys[0]["my_copy"], "wrong passphrase entirely", keys[0]["fingerprint"])


def test_a_flipped_bit_does_not_open(session, world):
    case_id, _ = submit(world)
    envelope = json.loads(session.execute(text("SELECT envelope FROM cases WHERE id = :id"),
                                          {"id": case_id}).scalar())
    ct = bytearray(base64.b64decode(envelope["ct"]))
    ct[3] ^= 0x01
    envelope["ct"] = base64.b64encode(bytes(ct)).decode()
    session.execute(text("UPDATE cases SET envelope = :e WHERE id = :id"),
                    {"e": json.dumps(envelope), "id": case_id})
    detail = world["holder_client"].get(f"/api/cases/{case_id}").get_json()
    private = world["key"].private
    with pytest.raises(InvalidTag):
        cc.open_case(private, detail["wrapped_key"], detail["envelope"], case_id)


def test_only_key_holders_get_the_ciphertext(session, world, signed_in_client):
    case_id, _ = submit(world)
    colleague_client, _ = signed_in_client("coordinator", organisation=world["org"])
    assert colleague_client.get("/api/cases").status_code == 200  # triage fields: yes
    assert colleague_client.get(f"/api/cases/{case_id}").status_code == 403
    assert colleague_client.get(f"/api/cases/{case_id}/photos/p1").status_code == 403
    stranger_client, _ = signed_in_client("coordinator")
    assert stranger_client.get(f"/api/cases/{case_id}").status_code == 404
    assert stranger_client.get("/api/cases").get_json()["items"] == []
    monitor_client, _ = signed_in_client("monitor", organisation=world["org"])
    assert monitor_client.get(f"/api/cases/{case_id}").status_code == 403
    # A device cannot read cases either.
    assert world["client"].get(f"/api/cases/{case_id}", headers=world["device"]).status_code \
        in (401, 403)


def test_a_non_holder_cannot_rotate_the_key_to_one_of_their_own(world, signed_in_client):
    colleague_client, _ = signed_in_client("coordinator", organisation=world["org"])
    mine = cc.new_key()
    response = colleague_client.post("/api/cases/keys", json={
        "public_key": mine.public_b64, "wrapped": cc.wrap(mine, PASSPHRASE),
        "recovery_wrapped": cc.wrap(mine, "x" * 20)})
    assert response.status_code == 403


def test_a_weakly_wrapped_copy_is_refused(session, signed_in_client):
    holder_client, _ = signed_in_client("coordinator")
    key = cc.new_key()
    response = holder_client.post("/api/cases/keys", json={
        "public_key": key.public_b64, "wrapped": cc.wrap(key, PASSPHRASE, iterations=1000),
        "recovery_wrapped": cc.wrap(key, "x" * 20)})
    assert response.status_code == 422
    assert "wrapped" in response.get_json()["errors"]


def as_documented(client, path: str, template: str | None = None) -> dict:
    """GET `path` validated against the OpenAPI response schema of `template` (the path with
    its {parameters}; default: `path`); a list must not be empty."""
    from openapi_schema_validator import OAS30Validator
    spec = client.get("/api/openapi.json").get_json()
    response = client.get(path)
    assert response.status_code == 200, (path, response.get_data(as_text=True))
    body = response.get_json()
    assert body.get("items", True), path
    schema = spec["paths"][template or path]["get"]["responses"]["200"]["content"][
        "application/json"]
    OAS30Validator({**schema["schema"], "components": spec["components"]}).validate(body)
    return body


def test_referral_reseals_for_the_partner_and_records_who_when_outcome(session, world,
                                                                      signed_in_client):
    w = world
    case_id, _ = submit(w, urgency="within_72h")
    partner_org = factories.organisation(session, kind="partner")
    partner_client, _ = signed_in_client("coordinator", organisation=partner_org)
    pk = w["partner_key"]
    assert partner_client.post("/api/cases/keys", json={
        "public_key": pk.public_b64, "wrapped": cc.wrap(pk, PASSPHRASE),
        "recovery_wrapped": cc.wrap(pk, "y" * 20)}).status_code == 201
    partners = w["holder_client"].get("/api/cases/partners").get_json()["items"]
    target = next(p for p in partners if p["organisation_id"] == str(partner_org.id))
    detail = w["holder_client"].get(f"/api/cases/{case_id}").get_json()
    wrapped = cc.rewrap(w["key"].private, detail["wrapped_key"], target["public_key"])
    # The partner sees nothing before the referral.
    assert partner_client.get("/api/cases/inbox").get_json()["items"] == []
    referred = w["call"](w["holder_client"], "post", f"/api/cases/{case_id}/referrals", json={
        "to_organisation_id": target["organisation_id"], "to_key_id": target["key_id"],
        "wrapped_key": wrapped})
    assert referred.status_code == 201, referred.get_json()
    referral_id = referred.get_json()["id"]

    inbox = partner_client.get("/api/cases/inbox").get_json()["items"]
    assert [r["id"] for r in inbox] == [referral_id]
    received = partner_client.get(f"/api/cases/referrals/{referral_id}").get_json()
    keys = partner_client.get("/api/cases/keys").get_json()["items"]
    private = cc.unwrap(keys[0]["my_copy"], PASSPHRASE, keys[0]["fingerprint"])
    opened = cc.open_case(private, received["wrapped_key"], received["envelope"], case_id)
    assert opened["fields"][0]["value"] == CANARY_NAME
    assert partner_client.get(f"/api/cases/referrals/{referral_id}/photos/p1").status_code == 200
    # The partner cannot open the case itself, nor any queue: a partner's people are refused
    # every route of the referring side (the same 403 for any id: nothing is told).
    assert partner_client.get(f"/api/cases/{case_id}").status_code == 403
    assert partner_client.get(f"/api/cases/{uuid.uuid4()}").status_code == 403
    assert partner_client.get("/api/cases").status_code == 403

    assert partner_client.post(f"/api/cases/referrals/{referral_id}/acknowledge").status_code \
        == 200
    assert partner_client.post(f"/api/cases/referrals/{referral_id}/outcome",
                               json={"outcome": "relocated"}).status_code == 200
    # Every list of both sides holds what the document says its items hold.
    for c, path in ((w["holder_client"], "/api/cases"), (w["holder_client"], "/api/cases/keys"),
                    (w["holder_client"], "/api/cases/partners"),
                    (w["holder_client"], "/api/cases/candidates"),
                    (partner_client, "/api/cases/inbox"), (partner_client, "/api/cases/keys")):
        as_documented(c, path)
    as_documented(w["holder_client"], "/api/cases/counts")
    as_documented(w["holder_client"], f"/api/cases/{case_id}", "/api/cases/{case_id}")
    as_documented(partner_client, f"/api/cases/referrals/{referral_id}",
                  "/api/cases/referrals/{referral_id}")
    key_id = keys[0]["id"]
    as_documented(partner_client, f"/api/cases/keys/{key_id}/recovery",
                  "/api/cases/keys/{key_id}/recovery")
    seen = w["holder_client"].get(f"/api/cases/{case_id}").get_json()
    assert seen["status"] == "referred" and seen["referred_at"]
    [record] = seen["referrals"]
    assert (record["to_organisation_id"], record["outcome"]) == (str(partner_org.id), "relocated")
    assert record["acknowledged_at"] and record["referred_by"] == str(w["holder"].id)
    audit = session.execute(text(
        "SELECT action, details::text FROM audit_log WHERE action LIKE 'case.%'")).all()
    assert {"case.receive", "case.open", "case.refer", "case.referral_ack",
            "case.referral_outcome"} <= {a for a, _ in audit}
    assert not any("CANARY" in d for _, d in audit)


def test_status_assign_and_counts_without_a_key(session, world, signed_in_client):
    case_id, _ = submit(world, urgency="routine")
    submit(world, urgency="immediate")
    session.execute(text("UPDATE cases SET due_at = now() - interval '1 hour' "
                         "WHERE urgency = 'immediate'"))
    c = world["holder_client"]
    assert c.post(f"/api/cases/{case_id}/status", json={"status": "assessed"}).status_code == 200
    assert c.post(f"/api/cases/{case_id}/status", json={"status": "assessed"}).status_code == 409
    assert c.post(f"/api/cases/{case_id}/assign",
                  json={"user_id": str(world["holder"].id)}).status_code == 200
    colleague_client, _ = signed_in_client("coordinator", organisation=world["org"])
    counts = colleague_client.get("/api/cases/counts").get_json()
    assert (counts["open"], counts["overdue"]) == (2, 1)
    assert counts["by_urgency"] == {"immediate": 1, "routine": 1}
    assert counts["by_facility"][0]["cases"] == 2 and counts["by_facility"][0]["overdue"] == 1
    queue = colleague_client.get("/api/cases").get_json()["items"]
    assert [q["overdue"] for q in queue] == [True, False]  # overdue first
    assert queue[1]["status"] == "assessed" and queue[1]["assessed_at"]


def test_a_colleague_cannot_plant_the_photo_of_anothers_case(session, world):
    """Second adversarial pass: monitor B of the same organisation PUTs bytes under the photo
    name of monitor A's case before A's phone sends it. The server must refuse B, so that A's
    own photo is still taken (else A's phone hears "already stored" and drops the real one)."""
    case_id = str(uuid.uuid4())
    sealed = cc.seal_case(world["key"], case_id, fields(), photos={"p1": PHOTO},
                          facility_id=world["facility"].id)
    sent = world["client"].post("/api/cases/submissions", json=sealed.body,
                                headers=world["device"])
    assert sent.status_code == 201
    colleague = factories.user(session, role="monitor", organisation=world["org"])
    planted = bytes(12) + b"not the photo of this case" * 4
    put = world["client"].put(
        f"/api/cases/submissions/{case_id}/photos/p1", data=planted,
        headers={**factories.bearer(factories.device_token(session, colleague)),
                 "Content-Type": "application/octet-stream"})
    assert put.status_code == 404
    resent = world["client"].post("/api/cases/submissions", json=sealed.body, headers=factories
                                  .bearer(factories.device_token(session, colleague)))
    assert resent.status_code == 409  # nor learn which photos are still missing
    own = world["client"].put(f"/api/cases/submissions/{case_id}/photos/p1",
                              data=sealed.photos["p1"],
                              headers={**world["device"],
                                       "Content-Type": "application/octet-stream"})
    assert own.status_code == 201 and own.get_json()["stored"] is True
    photo = world["holder_client"].get(f"/api/cases/{case_id}/photos/p1").data
    assert photo == sealed.photos["p1"]


def test_a_non_holder_cannot_revoke_the_key_holders(session, world, signed_in_client):
    """Second adversarial pass: a coordinator or admin of the organisation who holds no copy of
    the key revoked every holder's copy (204). Nobody could then open a case, add a holder or
    rotate the key (each needs a holder), not even with the recovery sheet: every case sealed
    to that key, and every case sealed to it afterwards, was lost to the organisation."""
    case_id, _ = submit(world)
    key_id = world["holder_client"].get("/api/cases/keys").get_json()["items"][0]["id"]
    holder_id = world["holder"].id
    for role in ("coordinator", "admin"):
        outsider, _ = signed_in_client(role, organisation=world["org"])
        refused = outsider.delete(f"/api/cases/keys/{key_id}/holders/{holder_id}")
        assert refused.status_code == 403, refused.get_json()
    # nor may the last holder revoke their own copy (that too would lock every case away)
    alone = world["holder_client"].delete(f"/api/cases/keys/{key_id}/holders/{holder_id}")
    assert alone.status_code == 409, alone.get_json()
    assert world["holder_client"].get(f"/api/cases/{case_id}").status_code == 200
    # with a second holder, a holder revokes a copy (here the first holder's)
    colleague_client, colleague = signed_in_client("coordinator", organisation=world["org"])
    added = world["holder_client"].post(f"/api/cases/keys/{key_id}/holders", json={
        "user_id": str(colleague.id), "wrapped": cc.wrap(world["key"], PASSPHRASE)})
    assert added.status_code == 201, added.get_json()
    assert colleague_client.delete(f"/api/cases/keys/{key_id}/holders/{holder_id}"
                                   ).status_code == 204
    assert world["holder_client"].get(f"/api/cases/{case_id}").status_code == 403
    assert colleague_client.get(f"/api/cases/{case_id}").status_code == 200


def test_the_queue_and_the_inbox_page_through_every_case(session, world):
    """The queue answered its first 200 cases with no `next` link (the rest unreachable); it
    now pages like every list, in the same order, overdue first, whatever the page size."""
    ids = [submit(w=world, urgency=u)[0] for u in ("immediate", "within_72h", "routine",
                                                   "routine", "immediate")]
    session.execute(text("UPDATE cases SET due_at = now() - interval '1 hour' WHERE id = :id"),
                    {"id": ids[2]})  # overdue
    session.execute(text("UPDATE cases SET status = 'closed' WHERE id = :id"), {"id": ids[0]})
    holder = world["holder_client"]
    whole = holder.get("/api/cases?limit=100").get_json()
    order = [c["id"] for c in whole["items"]]
    assert sorted(order) == sorted(ids) and order[0] == ids[2] and order[-1] == ids[0]
    paged, url = [], "/api/cases?limit=2"
    while url:
        body = holder.get(url).get_json()
        assert len(body["items"]) <= 2
        paged += [c["id"] for c in body["items"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert paged == order
    inbox = holder.get("/api/cases/inbox?limit=1")
    assert inbox.status_code == 200 and set(inbox.get_json()) == {"items", "links"}
