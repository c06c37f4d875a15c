"""Which other sites may embed the web chat: ``WEBCHAT_ALLOWED_ORIGINS``.

The widget runs on other organisations' pages (one script tag) and talks Rasa's socket.io protocol
to this server, and fetches its config, measure texts and history. Those routes, and only those,
answer other origins: with ``*`` (the default: any site may embed the widget; nothing these routes
return depends on a cookie, so no credentials are ever allowed) or with a comma-separated list of
origins (``https://www.ahjxw.gov.cn,https://zwfw.example.cn``). The server's own pages are always
allowed. The staff console, the REST channel and Rasa's HTTP API send no CORS headers at all
(bot/processes/servers.py no longer passes ``--cors`` to Rasa).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Mapping
from urllib.parse import urlsplit

ALLOWED_ORIGINS_ENV = "WEBCHAT_ALLOWED_ORIGINS"
AllowedOrigins = str | List[str]  # "*" or a list of origins


def allowed_origins(environ: Mapping[str, str] = os.environ) -> AllowedOrigins:
    raw = environ.get(ALLOWED_ORIGINS_ENV, "").strip()
    if not raw or raw == "*":
        return "*"
    return [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]


def allow_origin_header(origin: str | None, allowed: AllowedOrigins) -> str | None:
    """The Access-Control-Allow-Origin value for a request from ``origin``, or None (not allowed)."""
    if not origin:
        return None
    if allowed == "*":
        return "*"
    return origin if origin.rstrip("/") in allowed else None


def widget_cors_headers(request: Any, allowed: AllowedOrigins) -> Dict[str, str]:
    value = allow_origin_header(request.headers.get("origin"), allowed)
    return {"Access-Control-Allow-Origin": value, "Vary": "Origin"} if value else {}


def socketio_origin_check(allowed: AllowedOrigins) -> str | Callable[[str | None, Dict[str, Any]], bool]:
    """python-socketio's ``cors_allowed_origins``: ``*``, or a check that also lets in this server's own pages."""
    if allowed == "*":
        return "*"
    listed = list(allowed)

    def check(origin: str | None, environ: Dict[str, Any]) -> bool:
        if not origin:
            return True  # not a browser (browsers always send Origin on socket.io requests)
        own_host = environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST") or ""
        return origin.rstrip("/") in listed or urlsplit(origin).netloc.lower() == own_host.lower()

    return check
