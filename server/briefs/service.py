"""Periodic briefs: made on demand or by the schedule, kept (files in storage, a row in
`briefs`), listed and downloaded by the coordinators of their organisation. Each generation and
each download is audited.

Access: the routes admit coordinators only; here every brief is looked up within the caller's
organisation (another organisation's brief is "not found"), and a published brief names a
partner organisation whose sharing policy it is produced through.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from ..assessment import timeline
from ..core import audit, storage
from ..core.access import Principal
from ..core.errors import NotFound, ValidationFailed
from ..partner import policy as sharing
from . import compose, render, store
from .queries import Scope
from .words import LANGUAGES

SUFFIX = {"pdf": ".pdf", "html": ".html"}
MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def _spec(session: Session, spec: dict) -> dict:
    """Checked request: period, scope, audience and partner, language."""
    try:
        period = compose.period_of(spec["period_kind"], spec["period_start"])
    except ValueError as exc:
        raise ValidationFailed.field("period_kind", str(exc)) from exc
    kind, value = spec.get("scope_kind", "all"), (spec.get("scope_value") or "").strip()
    if kind == "all":
        value = ""
    elif kind == "country":
        value = value.upper()
        if len(value) != 3 or not value.isalpha():
            raise ValidationFailed.field("scope_value", "a country is its ISO 3166 alpha-3 code")
    elif kind == "facility":
        try:
            facility_id = uuid.UUID(value)
        except ValueError as exc:
            raise ValidationFailed.field("scope_value", "a facility is its id") from exc
        if not store.facility_exists(session, facility_id):
            raise NotFound("no such facility")
        value = str(facility_id)
    else:
        raise ValidationFailed.field("scope_kind", "all, country or facility")
    audience, partner_id = spec.get("audience", "internal"), spec.get("partner_id")
    if audience == "publication":
        if partner_id is None:
            raise ValidationFailed.field("partner_id", "a published brief needs a partner "
                                                       "whose sharing policy it goes through")
        if store.organisation_kind(session, partner_id) != "partner":
            raise NotFound("no such partner organisation")
    elif audience == "internal":
        partner_id = None
    else:
        raise ValidationFailed.field("audience", "internal or publication")
    language = spec.get("language", "en")
    if language not in LANGUAGES:
        raise ValidationFailed.field("language", "en, fa or ps")
    return {"period": period, "scope": Scope(kind, value), "audience": audience,
            "partner_id": partner_id, "language": language}


def _key(org, checked: dict) -> dict:
    period = checked["period"]
    return {"organisation_id": org, "period_start": period.start, "period_kind": period.kind,
            "scope_kind": checked["scope"].kind, "scope_value": checked["scope"].value,
            "audience": checked["audience"], "partner_id": checked["partner_id"],
            "language": checked["language"]}


def timeline_hooks(session: Session, org):
    """The workspace's timeline (one implementation for both) for an internal brief: (hook,
    svg). Internal briefs only: it shows every organisation's visits with the evidence behind
    each rating and red flags that may come from incidents, which a partner policy may hold
    back. The hook is called once, for the facilities that get a section (at most
    compose.SECTIONS_MAX): three statements for all of them."""
    def hook(facilities, period):
        return timeline.timelines_data(session, [m["id"] for m in facilities],
                                       organisation_id=org, since=period.start,
                                       until=period.end - timedelta(days=1))

    def svg(section, labels, direction):
        return timeline.timeline_svg(section["timeline"], labels, direction=direction)
    return hook, svg


def make(session: Session, org, checked: dict, now: datetime | None = None) -> dict:
    """Compose and render one brief: {"data", "html", "pdf", "policy_version"}. The HTML
    edition is whole (every row of every table: the annex); the PDF's long tables stop at
    render.PDF_ROWS rows and say how many more the HTML edition holds."""
    policy = None
    if checked["audience"] == "publication":
        policy = sharing.load(session, checked["partner_id"])
    hook = svg = None
    if policy is None:
        hook, svg = timeline_hooks(session, org)
    data = compose.compose(session, org, checked["period"], checked["scope"], policy=policy,
                           now=now, timeline=hook)
    drawings = render.draw(data)  # the same charts in both editions
    document = render.html(data, checked["language"], timeline_svg=svg, drawings=drawings)
    printed = render.html(data, checked["language"], timeline_svg=svg, rows=render.PDF_ROWS,
                          drawings=drawings)
    return {"data": data, "html": document, "pdf": render.pdf(printed),
            "policy_version": policy.version if policy else None}


def generate(session: Session, principal: Principal, spec: dict, *,
             scheduled: bool = False) -> dict:
    """Make the brief and keep it; a brief of the same edition is replaced (its old files stay
    in storage, named by their digest). Audited as `brief.generate`."""
    org = principal.organisation_id
    checked = _spec(session, spec)
    made = make(session, org, checked)
    row = store.keep(session, {
        **_key(org, checked), "id": uuid.uuid4(), "period_end": checked["period"].end,
        "policy_version": made["policy_version"],
        "pdf_sha256": storage.put(made["pdf"], SUFFIX["pdf"]),
        "html_sha256": storage.put(made["html"].encode("utf-8"), SUFFIX["html"]),
        "pdf_bytes": len(made["pdf"]), "generated_by": principal.user_id,
        "scheduled": scheduled})
    audit.record_and_commit(session, "brief.generate", principal, target_type="brief",
                            target_id=row["id"], details=_describe(row))
    return row


def _describe(row) -> dict:
    return {"period": f"{row['period_kind']}:{row['period_start'].isoformat()}",
            "scope": f"{row['scope_kind']}:{row['scope_value']}", "audience": row["audience"],
            "partner_id": str(row["partner_id"]) if row["partner_id"] else None,
            "language": row["language"]}


def listing(session: Session, principal: Principal, after, limit: int) -> list:
    return store.page(session, principal.organisation_id, after, limit)


def download(session: Session, principal: Principal, brief_id: uuid.UUID,
             fmt: str) -> tuple[bytes, str, str]:
    """(bytes, media type, file name) of a kept brief of the caller's organisation; audited
    as `brief.download`."""
    row = store.get(session, principal.organisation_id, brief_id)
    if row is None:
        raise NotFound("no such brief")
    digest = row["pdf_sha256"] if fmt == "pdf" else row["html_sha256"]
    data = storage.path_for(digest, SUFFIX[fmt]).read_bytes()
    audit.record_and_commit(session, "brief.download", principal, target_type="brief",
                            target_id=row["id"], details={"format": fmt})
    name = (f"brief-{row['period_start'].isoformat()}-{row['period_kind']}-"
            f"{row['audience']}-{row['language']}.{fmt}")
    return data, MEDIA[fmt], name


def choices(session: Session) -> dict:
    """What the briefs page offers: facilities for a scope, partners for a published brief."""
    return {"facilities": store.facility_choices(session),
            "partners": store.partner_choices(session)}


# --- the schedule ----------------------------------------------------------------------------

def add_schedule(session: Session, principal: Principal, spec: dict) -> dict:
    checked = _spec(session, {**spec, "period_start": date.today(),
                              "language": (spec.get("languages") or ["en"])[0]})
    languages = list(dict.fromkeys(spec.get("languages") or ["en"]))
    for language in languages:
        if language not in LANGUAGES:
            raise ValidationFailed.field("languages", "en, fa or ps")
    row = store.add_schedule(session, {
        "id": uuid.uuid4(), "organisation_id": principal.organisation_id,
        "period_kind": checked["period"].kind, "scope_kind": checked["scope"].kind,
        "scope_value": checked["scope"].value, "audience": checked["audience"],
        "partner_id": checked["partner_id"], "languages": languages,
        "created_by": principal.user_id})
    audit.record_and_commit(session, "brief.schedule", principal, target_type="brief_schedule",
                            target_id=row["id"], details={"period_kind": row["period_kind"]})
    return row


def schedules(session: Session, principal: Principal, *, after=None,
              limit: int | None = None) -> list:
    return store.schedules(session, principal.organisation_id, after=after, limit=limit)


def delete_schedule(session: Session, principal: Principal, schedule_id: uuid.UUID) -> None:
    if not store.delete_schedule(session, principal.organisation_id, schedule_id):
        raise NotFound("no such schedule")
    audit.record_and_commit(session, "brief.unschedule", principal,
                            target_type="brief_schedule", target_id=schedule_id)


def run_schedules(session: Session, today: date | None = None) -> int:
    """Every scheduled brief of the last complete period that is not kept yet: once per
    period (an edition already kept is left as it is). Returns how many were made."""
    today = today or datetime.now(timezone.utc).date()
    made = 0
    for schedule in store.schedules(session):
        period = compose.last_complete(schedule["period_kind"], today)
        for language in schedule["languages"]:
            spec = {"period_kind": period.kind, "period_start": period.start,
                    "scope_kind": schedule["scope_kind"],
                    "scope_value": schedule["scope_value"],
                    "audience": schedule["audience"], "partner_id": schedule["partner_id"],
                    "language": language}
            checked = _spec(session, spec)
            if store.edition(session, _key(schedule["organisation_id"], checked)):
                continue
            actor = Principal(kind="scheduler", organisation_id=schedule["organisation_id"])
            generate(session, actor, spec, scheduled=True)
            made += 1
    return made
