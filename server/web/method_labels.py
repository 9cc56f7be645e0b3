"""Labels of the assessment model for the pages (map legend, facility panel, review queue), in
the page's language: dimensions, ratings, rings, red flags, evidence kinds, states."""
from __future__ import annotations

from flask_babel import gettext as _

from ..assessment.vocabulary import DIMENSIONS, RED_FLAGS, RINGS


def dimension_labels() -> dict[str, str]:
    labels = {"safety_treatment": _("Safety and treatment"),
              "legal_protection": _("Legal and protection safeguards"),
              "material_conditions": _("Material conditions"),
              "return_reception": _("Return and reception process")}
    return {name: labels[name] for name in DIMENSIONS}


def rating_labels() -> dict[str, str]:
    return {"4": _("4 · good"), "3": _("3 · reasonably good"),
            "2": _("2 · not sufficiently good"), "1": _("1 · poor"),
            "insufficient_evidence": _("insufficient evidence")}


def ring_labels() -> dict[str, str]:
    labels = {"red_flag": _("Red flag at the last visit"),
              "1": _("Worst dimension: 1 · poor"),
              "2": _("Worst dimension: 2 · not sufficiently good"),
              "insufficient": _("Safety or legal safeguards not judged (insufficient evidence)"),
              "3": _("Worst dimension: 3 · reasonably good"),
              "4": _("All dimensions: 4 · good"),
              "none": _("Not assessed yet")}
    return {ring: labels[ring] for ring in RINGS}


def red_flag_labels() -> dict[str, str]:
    labels = {"death": _("A death"),
              "solitary_over_15_days": _("Solitary confinement beyond 15 days"),
              "solitary_child": _("A child in solitary confinement"),
              "force_or_torture": _("Force or torture reported first-hand"),
              "unaccompanied_child_detained": _("An unaccompanied child detained"),
              "children_detained": _("Children detained"),
              "asylum_denied": _("Access to asylum denied"),
              "at_risk_returned": _("People with at-risk profiles returned")}
    return {code: labels[code] for code in RED_FLAGS}


def evidence_labels() -> dict[str, str]:
    return {"observed": _("observed by the monitor"),
            "interview_private": _("interview in private"),
            "interview_not_private": _("interview, not in private"),
            "staff_statement": _("staff statement"),
            "register_or_document": _("register or document seen")}


def state_labels() -> dict[str, str]:
    return {"iran": _("Iran"), "pakistan": _("Pakistan"),
            "de_facto_authorities": _("de facto authorities (Afghanistan)"),
            "other": _("other"), "unknown": _("unknown")}


def method_config() -> dict:
    """Everything the pages need to show an assessment, for their JSON config."""
    return {"dimensionLabels": dimension_labels(), "ratingLabels": rating_labels(),
            "ringLabels": ring_labels(), "redFlagLabels": red_flag_labels(),
            "evidenceLabels": evidence_labels(), "stateLabels": state_labels()}


def timeline_labels() -> dict:
    """The words of the conditions-over-time picture (server.assessment.timeline_svg)."""
    return {"dimensions": dimension_labels(), "ratings": rating_labels(),
            "redFlags": red_flag_labels(),
            "title": _("Conditions over time"), "evidence": evidence_labels(),
            "evidenceWord": _("Evidence"),
            "noEvidence": _("evidence not recorded"),
            "suggested": _("suggested from the indicators of the earlier form"),
            "organisation": _("Reported by"), "redFlag": _("Red flag"),
            "noVisits": _("No visits yet."), "visitCount": _("Visits"),
            "latest": _("Latest visit"), "flaggedVisits": _("Visits with a red flag"),
            "belowStandard": _("Indicators most often below standard"),
            "belowCount": _("below standard at %(below)s of %(observed)s visits")}


def kind_labels() -> dict[str, str]:
    """Names of the facility kinds (server.facilities.models.KINDS) in the page's language."""
    return {"border_crossing": _("Border crossing"), "reception_centre": _("Reception centre"),
            "transit_centre": _("Transit centre"), "holding_centre": _("Holding centre"),
            "detention_centre": _("Detention centre"), "camp": _("Camp"), "other": _("Other")}
