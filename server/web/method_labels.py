"""Labels of the assessment model for the pages (map legend, facility panel, review queue), in
the page's language: dimensions, ratings, rings, red flags, evidence kinds, states."""
from __future__ import annotations

from flask_babel import gettext as _

from ..assessment.vocabulary import DIMENSIONS, RED_FLAGS, RINGS
from ..forms.labels import question_labels
from ..scoring.standards import FACTS, INPUTS, indicators


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


def _unasked_indicator_labels() -> dict[str, str]:
    """Indicators with no question of their own in the current form: derived from counts, or
    asked only by the earlier form."""
    return {"space_per_person": _("Floor space per person in shared rooms"),
            "covered_space": _("Covered living space per person"),
            "occupancy_rate": _("People held against capacity"),
            "water_point_users": _("People per water point"),
            "toilet_users": _("People per toilet"),
            "toilet_female_ratio": _("Share of toilets for women"),
            "toilet_accessible": _("Toilets accessible to people with disabilities"),
            "children_detained": _("Children detained"),
            "uac_detained": _("Unaccompanied children detained"),
            "unhcr_access": _("UNHCR can reach the people held"),
            "judicial_review": _("Detention reviewed by a judge"),
            "use_of_force": _("Force used only as the rules allow"),
            "force_seen_or_alleged": _("Force, restraints, weapons or dogs seen or alleged"),
            "rights_information": _("Told the reasons and rights, with an interpreter"),
            "family_contact": _("Family contact, and the family told of the detention"),
            "monitor_access": _("Monitors' access to the facility")}


def evidence_config(language: str) -> dict:
    """What the review card needs to show a visit's answers beside the standards they are judged
    against: each indicator's question (the form's words, in `language`), dimension, standard
    and source; the scoring inputs and the facts of how the visit was done with the dimension
    they inform; the words of results, coverage and rating sources."""
    table = indicators()
    questions = question_labels(language)
    unasked = _unasked_indicator_labels()
    codes = (*table, *INPUTS, *FACTS)
    # The words of every answer of a kind (yes / partly / no, daily / weekly...), for the
    # indicators the form no longer asks and answers a question's own list lacks.
    choices_of: dict[str, dict] = {}
    for code, indicator in table.items():
        if code in questions:
            choices_of.setdefault(indicator.value_type, {}).update(questions[code]["choices"])

    def question(code: str) -> dict:
        kind = table[code].value_type if code in table else None
        asked = questions.get(code) or {"label": unasked.get(code, code), "choices": {}}
        return {"label": asked["label"], "choices": {**choices_of.get(kind, {}),
                                                     **asked["choices"]}}
    return {
        "questions": {code: question(code) for code in codes},
        "returneeQuestions": question_labels(language, "returnees"),
        "indicators": {code: {"dimension": i.dimension, "standard": i.minimum_standard,
                              "unit": i.unit, "source": i.source, "sourceUrl": i.source_url,
                              "critical": i.critical} for code, i in table.items()},
        # a scoring input informs the dimension of the indicators it feeds
        "inputs": {code: table[feeds[0]].dimension for code, feeds in INPUTS.items()},
        "facts": list(FACTS),
        "resultLabels": {"met": _("met"), "partly_met": _("partly met"),
                         "not_met": _("not met"), "not_observed": _("not observed")},
        "coverageLabels": {"full": _("full coverage"), "partial": _("partial coverage"),
                           "none": _("not covered")},
        "ratingSourceLabels": {"monitor": _("the monitor's rating"),
                               "derived": _("suggested from the indicators"),
                               "derived_from_earlier_form":
                                   _("suggested from the indicators of the earlier form"),
                               "coordinator": _("adjusted at review")},
        "flagSourceLabels": {"visit": _("found in the visit's answers"),
                             "incident": _("reported as an incident"),
                             "returnee_interview": _("told in returnee interviews")},
    }
