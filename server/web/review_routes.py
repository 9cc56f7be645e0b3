"""The review queue page: a coordinator's organisation's visits and incidents waiting for review,
and the suggested duplicates. The page is a shell; the list and every decision go through the
JSON APIs (which check organisation and audit), driven by static/js/review/main.js."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validate

from ..core import access
from ..core.access import current_principal
from ..core.db import db
from ..core.errors import NotFound, ValidationFailed
from ..core.statuses import SUBMITTED, WAITING
from ..core.validation import StrictSchema
from ..facilities.models import Facility
from ..incidents import queries as incident_queries
from ..visits import queries as visit_queries
from . import method_labels, workspace
from .i18n import current_language
from .pages import install

blp = install(Blueprint("review_pages", __name__, template_folder="templates"))

TABS = ("incidents", "visits", "duplicates")


class QueueArgs(StrictSchema):
    tab = fields.String(load_default="incidents", validate=validate.OneOf(TABS))
    status = fields.String(load_default=SUBMITTED, validate=validate.OneOf(WAITING))
    facility = fields.UUID()


def _args() -> dict:
    try:
        return QueueArgs().load(request.args.to_dict())
    except ValidationError as exc:
        raise ValidationFailed("; ".join(f"{k}: {' '.join(map(str, v))}"
                                         for k, v in exc.messages.items()), exc.messages)


def queue_config(args: dict, facility: Facility | None) -> dict:
    return {
        "tab": args["tab"], "status": args["status"],
        "facility": str(facility.id) if facility else None,
        "incidentsUrl": url_for("incidents.list_incidents"),
        "visitsUrl": url_for("visits.list_visits"),
        "duplicatesUrl": url_for("incidents.list_duplicates"),
        "incidentUrl": "/api/incidents/{id}", "visitUrl": "/api/visits/{id}",
        "mapUrl": url_for("map_workspace.workspace"),
        "typeLabels": workspace.incident_type_labels(),
        "statusLabels": workspace.status_labels(),
        "flagLabels": workspace.flag_labels(),
        "accessLabels": workspace.access_labels(),
        **method_labels.method_config(),
        "ratingUrl": "/api/visits/{id}/dimensions/{dimension}",
        "timelineUrl": "/api/map/facilities/{id}/timeline.svg",
        # The mini-map of a visit's details: the built-in base map (no tile server).
        **workspace.basemap_config(),
        "language": current_language().code,
        "evidence": method_labels.evidence_config(current_language().code),
        "strings": queue_strings(),
    }


def queue_strings() -> dict[str, str]:
    return {
        "loading": _("Loading…"), "empty": _("Nothing is waiting for review here."),
        "failed": _("Could not load the queue:"),
        "verify": _("Verify"), "hasIssues": _("Has issues"), "reject": _("Reject"),
        "details": _("Details"), "hideDetails": _("Hide details"),
        "merge": _("Merge as duplicate"), "mergeOther": _("Merge the other way"),
        "skip": _("Not a duplicate"),
        "comment": _("Comment for the monitor (required)"),
        "commentRequired": _("Write what is wrong: the monitor sees this comment."),
        "send": _("Send"), "cancel": _("Cancel"),
        "verified": _("Verified."), "flagged": _("Marked as having issues."),
        "rejected": _("Rejected."), "merged": _("Merged: counted once, both reports linked."),
        "skipped": _("Hidden from this list."),
        "confirmMerge": _("Merge these two reports? The newer one will be counted as the same "
                          "event. You can undo this."),
        "undoMerge": _("Undo the merge"), "unmerged": _("Merge undone: both reports count again."),
        "actionFailed": _("The decision was not saved:"),
        "occurred": _("Date"), "severity": _("Severity"), "affected": _("Affected"),
        "place": _("Place"), "submitted": _("Sent"),
        "ring": _("Assessment"), "redFlags": _("Red flags"), "dimensions": _("Dimensions"),
        "timeline": _("Conditions over time"),
        "adjust": _("Adjust rating"), "reason": _("Reason (required, recorded)"),
        "adjusted": _("Rating adjusted."), "access": _("Access"), "held": _("People held"),
        "incidents": _("Incidents"), "distance": _("Distance"), "daysApart": _("Days apart"),
        "organisation": _("Reported by"), "status": _("Status"), "ours": _("our organisation"),
        "duplicate": _("Newer report (suggested duplicate)"), "original": _("Report to keep"),
        "narrative": _("Narrative"), "notes": _("Notes"), "none": _("none"),
        # an incident's count the monitor did not know (issue 15); its total is then a minimum
        "notKnown": _("not known"), "atLeast": _("at least %(n)s"),
        "readAudited": _("Reading the narrative and notes is recorded in the audit log."),
        "taken": _("Taken %(when)s"),
        "personsAtRisk": _("Persons at risk met during this visit: %(n)s (sealed; in the "
                           "protection case queue)."),
        "receivedHash": _("SHA-256 of the file as the phone sent it: %(hash)s"),
        "comparePair": _("Compare with the possible original"),
        "compareNarratives": _("Compare narratives and photos"),
        "hideComparison": _("Hide the comparison"), "photos": _("Photos"),
        "notShared": _("Not shared: another organisation's report."),
        "metres": _("%(n)s m"),
        "women": _("women"), "men": _("men"), "girls": _("girls"), "boys": _("boys"),
        "unaccompanied": _("unaccompanied"),
        **evidence_strings(),
    }


def evidence_strings() -> dict[str, str]:
    """The words of a visit's answers and evidence (static/js/review/evidence.js) and of its
    details (the previous visit, what a version changed, the mini-map)."""
    return {
        "answersEvidence": _("Answers and evidence"),
        "question": _("Question"), "answer": _("Answer"), "result": _("Result"),
        "standard": _("Minimum standard"), "source": _("Source of the standard"),
        "rating": _("Rating"), "evidenceKinds": _("Evidence"),
        "derived": _("computed from the counts"),
        "notRatedHere": _("not rated at this kind of facility"),
        "scoringInput": _("used to compute an indicator"), "critical": _("critical"),
        "adjustedFrom": _("adjusted at review from %(rating)s:"), "times": _("%(n)s times"),
        "noAnswers": _("No answer informs this dimension."),
        "howVisited": _("How the visit was done"), "otherAnswers": _("Other answers"),
        "returnees": _("Returnee interviews"), "returneeGroup": _("Group %(n)s"),
        "previousVisit": _("Previous visit"),
        "noPreviousVisit": _("No earlier visit to this facility."),
        "previousOn": _("On %(day)s. Ratings then → now:"),
        "versionChanges": _("What version %(to)s changed from version %(from)s"),
        "noChanges": _("No answer changed."),
        "changesUnknown": _("The answers of the earlier version are not kept."),
        "textChanged": _("the text was changed"),
        "mapTitle": _("Where"), "mapFacility": _("the facility's registered place"),
        "mapDevice": _("where the phone was"), "mapIncidents": _("where the incidents happened"),
        "mapNothing": _("No position was recorded."),
        **workspace.basemap_strings(),
    }


@blp.route("/review", methods=["GET"])
@access.access(access.role("coordinator"))
def queue():
    args = _args()
    facility = None
    if args.get("facility"):
        facility = db.session.get(Facility, args["facility"])
        if facility is None:
            raise NotFound(_("There is no such facility."))
    principal, facility_id = current_principal(), facility.id if facility else None
    counts = {"incidents": incident_queries.count_waiting(db.session, principal.organisation_id,
                                                          args["status"], facility_id),
              "visits": visit_queries.count_waiting(db.session, principal.organisation_id,
                                                    args["status"], facility_id)}
    return render_template("review.html", args=args, facility=facility, tabs=TABS, counts=counts,
                           config=queue_config(args, facility),
                           statuses=workspace.status_labels())
