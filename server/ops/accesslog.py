"""gunicorn's logs without secrets, as JSON lines (deploy/gunicorn.conf.py sets this class).

ODK Collect puts the device token in the path (`/key/<token>/submission`), so gunicorn's own
access log would write every token in clear. The access line written here holds only the time,
the request id (the app's `X-Request-Id` response header, see logs.py), method, path with the
token redacted, status, bytes and duration: no query string (search terms can be names), no
client address, user agent, referer, cookie or Authorization header. gunicorn's error log
(worker start/stop, "Error handling request <uri>") goes through the same JSON formatter as the
app's log, which redacts tokens and addresses and never writes an exception's message.
"""
from __future__ import annotations

import json
import os
import time

from gunicorn.glogging import Logger

from .logs import REDACTED, now_text, redact, use_json  # noqa: F401 (redact: re-exported)


def _header(headers, name: str) -> str | None:
    for key, value in headers or ():
        if key.lower() == name:
            return value
    return None


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        use_json(self.error_log)

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        request_id = (_header(resp.headers, "x-request-id")
                      or environ.get("nezarat.request_id"))
        line = {
            "time": now_text(time.time()),
            "level": "info", "logger": "gunicorn.access",
            "request_id": request_id,
            "method": environ.get("REQUEST_METHOD"),
            "path": redact(environ.get("PATH_INFO") or ""),
            "status": int(status) if str(status).isdigit() else status,
            "bytes": getattr(resp, "sent", None),
            "ms": round(request_time.total_seconds() * 1000, 1),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=False))
        except Exception:
            self.error("could not write an access log line")
