"""gunicorn's access log without secrets: ODK Collect puts the device token in the path
(`/key/<token>/submission`), so gunicorn's own logger would write every token in clear. This
logger class redacts it, and any token-like query parameter, from every field it writes
(request line, path, query, referer, headers). Set by deploy/gunicorn.conf.py."""
from __future__ import annotations

import re

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
_PATH_TOKEN = re.compile(r"(/key/)[^/?#\s\"]+")
_QUERY_SECRET = re.compile(
    r"((?:^|[?&;])(?:token|key|access_token|api_key|password|secret|code)=)[^&;#\s\"]*",
    re.IGNORECASE)
_AUTH_HEADERS = {"{authorization}i", "{cookie}i", "{x-csrf-token}i"}


def redact(value: str) -> str:
    return _QUERY_SECRET.sub(r"\1" + REDACTED, _PATH_TOKEN.sub(r"\1" + REDACTED, value))


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        found = super().atoms(resp, req, environ, request_time)
        for name, value in list(found.items()):
            if name in _AUTH_HEADERS:
                found[name] = REDACTED
            elif isinstance(value, str):
                found[name] = redact(value)
        return found
