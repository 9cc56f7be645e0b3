"""Alert mail through SMTP (settings from the environment: SMTP_*).

A mail says only what happened where, at the facility level, and links to the notifications
page: never a narrative, a person's name or a coordinate (mail crosses servers we do not
control). It is composed from a notification's `summary` alone, which holds nothing else.

Sending is at least once: a worker killed between the SMTP server's 250 and the commit that
marks the notification mailed sends it again on the retry, under the same Message-ID (which
the receiving side can use to drop the copy).
"""
from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app

from .kinds import KINDS


def configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def line(kind: str, summary: dict) -> str:
    label = KINDS[kind].label if kind in KINDS else kind
    what = label
    if kind == "incident":
        what = f"{label}: {summary.get('type')} (severity {summary.get('severity')})"
    elif kind == "not_visited":
        what = f"{label} for more than {summary.get('days')} days"
    elif kind == "red_flag":
        what = f"{label}: {summary.get('code')} (state responsible: {summary.get('state')})"
    elif kind == "rating_lower":
        what = f"{label}: {summary.get('dimension')} {summary.get('previous')} -> " \
               f"{summary.get('rating')}"
    elif kind in ("case_urgent", "case_overdue"):
        what = f"{label} ({summary.get('urgency')})"
    where = summary.get("facility") or "no facility"
    if summary.get("facility_kind"):
        where += f" ({summary['facility_kind'].replace('_', ' ')})"
    region = ", ".join(v for v in (summary.get("admin1"), summary.get("country")) if v)
    return f"{what} - {where}{', ' + region if region else ''}"


def _link() -> str:
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    return f"{base}/notifications"


def compose(to: str, items: list, *, message_id: str, digest: str | None = None) -> EmailMessage:
    """`items`: (kind, summary) pairs, grouped by facility in a digest."""
    message = EmailMessage()
    if digest:
        message["Subject"] = f"[Nezarat] {len(items)} alert{'s' if len(items) != 1 else ''} " \
                             f"({digest} digest)"
    else:
        message["Subject"] = "[Nezarat] " + line(*items[0])
    message["From"] = current_app.config["SMTP_FROM"]
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{message_id}@nezarat>"
    by_facility: dict[str, list[str]] = {}
    for kind, summary in items:
        by_facility.setdefault(summary.get("facility") or "", []).append(line(kind, summary))
    body = [f"- {text}" for group in sorted(by_facility) for text in by_facility[group]]
    message.set_content("\n".join([
        "Nezarat alert" + ("s" if len(items) > 1 else "") + ":", "", *body, "",
        f"Details (sign in): {_link()}", "",
        "You get this mail because of alert rules of yours or of your organisation; "
        "change how you receive them on the notifications page."]) + "\n")
    return message


def send(message: EmailMessage) -> None:
    with connection() as client:
        client.send_message(message)


@contextlib.contextmanager
def connection():
    """One SMTP session, signed in, for as many messages as the caller sends."""
    config = current_app.config
    host, port, security = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_SECURITY"]
    if security == "tls":
        client = smtplib.SMTP_SSL(host, port, timeout=30,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=30)
    with client:
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            client.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        yield client
