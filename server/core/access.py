"""Who is calling, and the one gate every route passes through.

Each view declares its rule with `@access(rule)`. `init_app` installs a before-request hook that
authenticates the caller and enforces the rule of the matched endpoint, so no route can forget to
check; `check_every_route` makes the app refuse to start if a view has no rule.

Feature packages plug in authenticators (session cookie, device token, partner key) with
`register_authenticator`; core knows none of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from uuid import UUID

from flask import Flask, g, request

from .errors import Forbidden, NotFound, Unauthorized

ROLES = ("admin", "coordinator", "monitor")
# The role the gate sees for a person of a partner organisation (a protection agency receiving
# referred cases, issue 19), whatever role is stored for them: they use the case inbox, their
# organisation's sealing key and their account, never the coalition's workspace.
PARTNER_ROLE = "partner"


@dataclass(frozen=True)
class Principal:
    kind: str = "anonymous"  # anonymous | user | device | partner
    user_id: UUID | None = None
    organisation_id: UUID | None = None
    role: str | None = None
    scopes: frozenset = field(default_factory=frozenset)
    credential_id: UUID | None = None  # device token or partner key used
    email: str | None = None
    two_factor_ok: bool = True

    @property
    def authenticated(self) -> bool:
        return self.kind != "anonymous"

    @property
    def acts_as_user(self) -> bool:
        """A signed-in person, or a monitor's device acting for that monitor."""
        return self.kind in ("user", "device")

    def is_role(self, *roles: str) -> bool:
        return self.acts_as_user and self.role in roles


ANONYMOUS = Principal()


@dataclass(frozen=True)
class Rule:
    """A named predicate over the caller. Anonymous callers failing it get 401, others 403."""
    name: str
    allows: Callable[[Principal], bool]
    challenge: str | None = None  # WWW-Authenticate value for 401s
    # The credentials that can satisfy it ("session", "device", "partner"; none: public). The
    # OpenAPI document derives each operation's security from this (core.openapi).
    schemes: tuple[str, ...] = ()

    def __or__(self, other: "Rule") -> "Rule":
        return any_of(self, other)


def any_of(*rules: Rule) -> Rule:
    schemes = tuple(dict.fromkeys(s for r in rules for s in r.schemes))
    challenges = list(dict.fromkeys(r.challenge for r in rules if r.challenge))
    return Rule(" or ".join(r.name for r in rules), lambda p: any(r.allows(p) for r in rules),
                ", ".join(challenges) or None, schemes)


# A browser session has no standard challenge; this one (draft-broyer-http-cookie-auth) names
# the sign-in form, so that every 401 carries WWW-Authenticate as RFC 9110 requires.
SESSION_CHALLENGE = 'Cookie realm="nezarat", form-action="/sign-in", cookie-name="session"'
DEVICE_CHALLENGE = 'Bearer realm="nezarat-device"'
PARTNER_CHALLENGE = 'Bearer realm="nezarat-partner"'

public = Rule("public", lambda p: True)
signed_in = Rule("any signed-in user", lambda p: p.kind == "user", SESSION_CHALLENGE, ("session",))


def role(*roles: str) -> Rule:
    return Rule("role " + "/".join(roles), lambda p: p.kind == "user" and p.role in roles,
                SESSION_CHALLENGE, ("session",))


def device() -> Rule:
    """A monitor's device token (ODK Collect, the mobile app)."""
    return Rule("monitor device token", lambda p: p.kind == "device",
                challenge=DEVICE_CHALLENGE, schemes=("device",))


def member(*roles: str) -> Rule:
    """A signed-in user with one of `roles`, or a monitor's device when 'monitor' is among them."""
    with_device = "monitor" in roles
    return Rule("member " + "/".join(roles), lambda p: p.is_role(*roles),
                SESSION_CHALLENGE + (", " + DEVICE_CHALLENGE if with_device else ""),
                ("session", "device") if with_device else ("session",))


def partner(scope: str) -> Rule:
    return Rule(f"partner key with scope {scope}",
                lambda p: p.kind == "partner" and scope in p.scopes,
                challenge=PARTNER_CHALLENGE, schemes=("partner",))


def access(rule: Rule):
    """Declare the access rule of a view. Returns the view itself (order of decorators is free)."""
    def mark(view):
        view._access_rule = rule
        return view
    return mark


def rule_of(view) -> Rule | None:
    while view is not None:
        found = getattr(view, "_access_rule", None)
        if found is not None:
            return found
        view = getattr(view, "__wrapped__", None)
    return None


Authenticator = Callable[[], "Principal | None"]


def register_authenticator(app: Flask, authenticator: Authenticator) -> None:
    app.extensions.setdefault("nezarat.authenticators", []).append(authenticator)


def declare(app: Flask, endpoint: str, rule: Rule) -> None:
    """Rules for views we do not write ourselves (static files, the OpenAPI document)."""
    app.extensions.setdefault("nezarat.declared_rules", {})[endpoint] = rule


def route_rules(app: Flask) -> dict[str, Rule | None]:
    declared = app.extensions.get("nezarat.declared_rules", {})
    return {endpoint: declared.get(endpoint) or rule_of(view)
            for endpoint, view in app.view_functions.items()}


def check_every_route(app: Flask) -> None:
    missing = sorted(e for e, r in route_rules(app).items() if r is None)
    if missing:
        raise RuntimeError("routes without an access rule: " + ", ".join(missing))


def current_principal() -> Principal:
    return g.get("principal", ANONYMOUS)


def authenticate(app: Flask) -> Principal:
    for authenticator in app.extensions.get("nezarat.authenticators", []):
        principal = authenticator()
        if principal is not None:
            return principal
    return ANONYMOUS


def enforce(rule: Rule, principal: Principal) -> None:
    if rule.allows(principal):
        return
    if not principal.authenticated:
        headers = {"WWW-Authenticate": rule.challenge} if rule.challenge else {}
        raise Unauthorized(f"Sign in first: this needs {rule.name}.", headers=headers)
    raise Forbidden(f"This needs {rule.name}.")


def require_access(allowed: bool, what: str = "this record") -> None:
    """Object-level check: records outside the caller's reach are answered as not found."""
    if not allowed:
        raise NotFound(f"No such {what}, or not yours to see.")


def init_app(app: Flask) -> None:
    @app.before_request
    def _gate():
        endpoint = request.endpoint
        if endpoint is None:  # no route matched: Flask answers 404/405 itself
            return
        rule = route_rules_cache().get(endpoint)
        if rule is None:
            raise Forbidden("This route has no access rule.")
        principal = authenticate(app)
        g.principal = principal
        enforce(rule, principal)

    def route_rules_cache() -> dict:
        cache = app.extensions.get("nezarat.rule_cache")
        if cache is None:
            cache = app.extensions["nezarat.rule_cache"] = route_rules(app)
        return cache


def sees_full_record(principal: Principal, organisation_id, monitor_id) -> bool:
    """Full detail (narratives, notes, photos, monitor identity): the organisation's
    coordinators, and the monitor who submitted it while they are still of that organisation
    (the record's organisation against the reader's current one: a monitor who moved to
    another organisation leaves what they reported with the one they reported it for)."""
    if principal.organisation_id is None or principal.organisation_id != organisation_id:
        return False
    if principal.is_role("coordinator") and principal.kind == "user":
        return True
    if principal.is_role("monitor"):
        return principal.user_id is not None and principal.user_id == monitor_id
    return False


def may_edit_record(principal: Principal, organisation_id, monitor_id) -> bool:
    """A new version of a record (an edit through `deprecated_id`): the monitor who submitted
    it, or a coordinator of its organisation; never a colleague, whatever they can read."""
    if principal.organisation_id is None or principal.organisation_id != organisation_id:
        return False
    if principal.is_role("coordinator"):
        return True
    return principal.is_role("monitor") and principal.user_id is not None and \
        principal.user_id == monitor_id


def sees_coalition_record(principal: Principal) -> bool:
    """The coalition view of other organisations' records: counts, places, types, no people."""
    return principal.kind == "user" and principal.role == "coordinator"


def view_of(principal: Principal, organisation_id, monitor_id, what: str) -> str:
    """'full' or 'coalition' for a record, or NotFound when the caller may see neither."""
    if sees_full_record(principal, organisation_id, monitor_id):
        return "full"
    require_access(sees_coalition_record(principal), what)
    return "coalition"
