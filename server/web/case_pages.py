"""Protection cases' pages (issue 19): the queue with its unlock (one page, so the unlocked key
lives only in that tab's memory), the organisation's sealing keys (make, add holders, recovery
sheet, rotate), and the inbox of cases referred to the organisation. The pages are shells: the
keys are made and opened by static/js/cases/ and every action goes through /api/cases."""
from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import gettext as _

from ..cases import vocabulary
from ..core import access
from ..core.access import PARTNER_ROLE, current_principal
from .pages import install, render

blp = install(Blueprint("case_pages", __name__, url_prefix="/cases",
                        template_folder="templates"))
MANAGER = access.role("coordinator", "admin")
# A protection partner's people (accounts of a partner organisation): their inbox and key.
RECEIVER = access.role("coordinator", "admin", PARTNER_ROLE)
AUTO_LOCK_MINUTES = 10
PAGE_SIZE = 50  # rows of the queue and the inbox per page (the pages follow `next` for more)


def _config(page: str) -> dict:
    return {
        "page": page, "partner": current_principal().role == PARTNER_ROLE,
        "autoLockMinutes": AUTO_LOCK_MINUTES,
        "me": str(current_principal().user_id),
        "api": url_for("cases.queue"), "keysUrl": url_for("cases.list_keys"),
        "countsUrl": url_for("cases.counts"), "partnersUrl": url_for("cases.partners"),
        "inboxUrl": url_for("cases.inbox"), "keysPage": url_for("case_pages.keys"),
        "candidatesUrl": url_for("cases.candidates"), "pageSize": PAGE_SIZE,
        "urgencies": {"immediate": _("Immediate (24 h)"), "within_72h": _("Within 72 hours"),
                      "routine": _("Routine"), "null": _("Not yet triaged")},
        "statuses": {"new": _("New"), "assessed": _("Assessed"), "referred": _("Referred"),
                     "closed": _("Closed")},
        "outcomes": outcomes(),
        "strings": strings(),
    }


def outcomes() -> dict[str, str]:
    words = {"protection_provided": _("Protection provided"), "relocated": _("Relocated"),
             "legal_aid": _("Legal aid"), "not_reachable": _("Not reachable"),
             "declined": _("Declined by the person"), "not_eligible": _("Not eligible"),
             "other": _("Other outcome")}
    return {code: words[code] for code in vocabulary.OUTCOMES}


def sealed_words() -> dict:
    """The sealed questions' labels and coded answers in the reader's language (by the names and
    codes of the case form and the visit's person at risk): the phone seals its own language's
    labels, which are shown only for a question not listed here."""
    return {
        "fields": {"profile": _("At-risk profile"), "person_name": _("Name"),
                   "story": _("What happened and what the person fears"),
                   "contact": _("How to reach the person safely"),
                   "consent": _("The person agrees to a referral to a protection partner"),
                   "photo": _("Photo"), "urgency": _("Urgency"), "facility": _("Facility"),
                   "met_on": _("Date you met the person")},
        "choices": {
            "profile": {"former_security": _("Former government or security staff"),
                        "journalist": _("Journalist"), "defender": _("Human-rights defender"),
                        "woman_activist": _("Woman activist"),
                        "minority": _("Member of a minority"),
                        "unaccompanied_child": _("Unaccompanied child"),
                        "other": _("Other profile")},
            "consent": {"yes": _("Yes"), "no": _("No")},
            "urgency": {"immediate": _("Immediate (24 h)"), "within_72h": _("Within 72 hours"),
                        "routine": _("Routine")}},
    }


def strings() -> dict[str, str]:
    return {
        "unlock": _("Unlock"), "lock": _("Lock"), "passphrase": _("Passphrase"),
        "wrongPassphrase": _("That passphrase does not open this key."),
        "locked": _("Locked. Unlock to read cases."),
        "unlocked": _("Unlocked in this tab only; it locks itself after %(n)s minutes "
                      "without use.", n=AUTO_LOCK_MINUTES),
        "altered": _("This record was altered: it cannot be shown."),
        "notHolder": _("You hold no copy of this organisation's key. Ask a key holder to add "
                       "you."),
        "open": _("Open"), "close": _("Close"), "overdue": _("Overdue"), "due": _("Due"),
        "assess": _("Mark assessed"), "closeCase": _("Close the case"),
        "refer": _("Refer"), "referTo": _("Refer to"), "referred": _("Referred to %(to)s"),
        "assignMe": _("Assign to me"), "empty": _("No cases."), "loading": _("Loading…"),
        "photo": _("Photo"), "acknowledge": _("Acknowledge"), "outcome": _("Report outcome"),
        "acknowledged": _("Acknowledged"), "makeKey": _("Make the organisation's key"),
        "rotate": _("Rotate: make a new key for new cases"),
        "addHolder": _("Add a key holder"), "newPassphrase": _("New passphrase (12+ characters)"),
        "repeatPassphrase": _("Repeat the passphrase"), "mismatch": _("The passphrases differ."),
        "tooShort": _("Use at least 12 characters."),
        "recoveryTitle": _("Recovery sheet"),
        "recoveryHelp": _("Print this sheet and keep it locked away. With this code the key "
                          "can be opened if every passphrase is lost. Without the passphrases "
                          "and this sheet, the cases are lost for good: nobody, not even the "
                          "server's administrators, can open them."),
        "print": _("Print"), "fingerprint": _("Fingerprint"), "holders": _("Key holders"),
        "retired": _("retired"), "working": _("Working… (this takes a few seconds)"),
        "saved": _("Saved."), "failed": _("Failed:"), "recoveryCode": _("Recovery code"),
        "useRecovery": _("Unlock with the recovery sheet"),
        "facility": _("Facility"), "date": _("Date"), "urgency": _("Urgency"),
        "status": _("Status"), "assigned": _("Assigned"), "received": _("Received"),
        "countsTitle": _("Cases (counted without any key)"), "open_cases": _("Open cases"),
        "from": _("From"), "referredAt": _("Referred"), "more": _("Load more"),
        "fromVisit": _("met during a visit"), "outcomeColumn": _("Outcome"),
        "sealed": sealed_words(),
    }


@blp.route("", methods=["GET"])
@access.access(MANAGER)
def queue():
    return render("cases.html", config=_config("queue"), title=_("Protection cases"))


@blp.route("/keys", methods=["GET"])
@access.access(RECEIVER)
def keys():
    return render("cases.html", config=_config("keys"), title=_("Sealing keys"))


@blp.route("/inbox", methods=["GET"])
@access.access(RECEIVER)
def inbox():
    return render("cases.html", config=_config("inbox"), title=_("Referred cases"))
