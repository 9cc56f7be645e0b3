"""Words for the codes the admin pages show: roles, audit actions, audit targets and the fields
of audit details, in the page's language. A code without a word here is shown as it is."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _


def role_labels() -> dict[str, str]:
    return {"admin": _("Administrator"), "coordinator": _("Coordinator"),
            "monitor": _("Monitor")}


def role_label(code: str | None) -> str:
    return role_labels().get(code or "", code or "")


def role_options_of(roles) -> list[tuple[str, str]]:
    """(code, word) pairs for a <select> of roles."""
    return [(code, role_label(code)) for code in roles]


def action_labels() -> dict[str, str]:
    return {
        "auth.sign_in": _("Signed in"), "auth.sign_out": _("Signed out"),
        "auth.sign_in_throttled": _("Sign-in slowed down after failures"),
        "auth.sign_in_failed": _("Sign-in refused"),
        "auth.second_factor_failed": _("Two-factor code refused"),
        "auth.password_changed": _("Changed the password"),
        "auth.password_change_failed": _("Password change refused"),
        "auth.password_reset": _("Set a password with a link"),
        "auth.reset_link_issued": _("Made a set-password link"),
        "auth.totp_enrolled": _("Set up two-factor sign-in"),
        "auth.totp_reset": _("Reset two-factor sign-in"),
        "auth.recovery_codes_renewed": _("Made new recovery codes"),
        "user.create": _("Created a user"), "user.update": _("Changed a user"),
        "organisation.create": _("Created an organisation"),
        "organisation.update": _("Changed an organisation"),
        "device_token.create": _("Created a device token"),
        "device_token.revoke": _("Revoked a device token"),
        "partner_key.create": _("Created a partner key"),
        "partner_key.revoke": _("Revoked a partner key"),
        "partner_policy.set": _("Set a partner's data policy"),
        "facility.create": _("Added a facility"), "facility.update": _("Changed a facility"),
        "facility.close": _("Closed a facility"),
        "visit.submit": _("Submitted a visit report"), "visit.edit": _("Edited a visit report"),
        "visit.review": _("Reviewed a visit report"),
        "visit.read_sensitive": _("Read a visit's sensitive fields"),
        "visit.attachments": _("Listed a visit's photos"),
        "incident.submit": _("Submitted an incident"),
        "incident.review": _("Reviewed an incident"),
        "incident.merge": _("Merged duplicate incidents"),
        "incident.read_sensitive": _("Read an incident's sensitive fields"),
        "attachment.read": _("Opened a photo"), "export": _("Exported incidents"),
        "form_key.rotate": _("Replaced a form's encryption key"),
        "form.upload": _("Uploaded a form"), "form.publish": _("Published a form"),
        "form.retire": _("Retired a form"),
        "alert_rule.add": _("Added an alert rule"), "alert_rule.delete": _("Deleted an alert rule"),
        "alert_settings.set": _("Changed alert settings"),
        "webhook.register": _("Registered a webhook"), "webhook.remove": _("Removed a webhook"),
    }


def action_label(code: str) -> str:
    return action_labels().get(code, code)


def target_type_labels() -> dict[str, str]:
    """Every kind of record the audit log names: the closed list of its Target type filter."""
    return {"user": _("User"), "organisation": _("Organisation"),
            "device_token": _("Device token"), "partner_key": _("Partner key"),
            "facility": _("Facility"), "visit": _("Visit report"), "incident": _("Incident"),
            "attachment": _("Photo"), "form_key": _("Form key"),
            "form_version": _("Form version"),
            "sealed_submission": _("Sealed submission"), "alert_rule": _("Alert rule"),
            "webhook": _("Webhook")}


def target_type_label(code: str | None) -> str:
    return target_type_labels().get(code or "", code or "")


def detail_labels() -> dict[str, str]:
    return {"email": _("Email"), "name": _("Name"), "role": _("Role"),
            "organisation_id": _("Organisation"), "label": _("Label"), "days": _("Days"),
            "reason": _("Reason"), "status": _("Status"), "rows": _("Rows"),
            "format": _("Format"), "filters": _("Filters"), "changes": _("Changes"),
            "demo": _("Demo data"), "scopes": _("Scopes"), "user_id": _("User"),
            "expires_at": _("Expires"), "via": _("Through"), "count": _("Count"),
            "second_factor": _("Second factor"), "form_id": _("Form id"),
            "version": _("Version"), "in_app": _("Phone app"),
            "app_problems": _("What the phone app cannot run"), "warnings": _("Warnings"),
            "retired": _("Retired")}


def detail_fields(details) -> list[tuple[str, str]]:
    """(label, value) of an audit entry's details, values as short plain text."""
    if not isinstance(details, dict):
        return [("", _text(details))] if details not in (None, "", {}) else []
    labels = detail_labels()
    return [(labels.get(key, key.replace("_", " ")), _text(value, key))
            for key, value in details.items()]


def _text(value, key: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "role":
        return role_label(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_text(v, k)}" for k, v in value.items())
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def init_app(app) -> None:
    for function in (role_label, role_options_of, action_label, target_type_label,
                     detail_fields):
        app.add_template_global(function)
    app.add_template_global(target_type_labels)
