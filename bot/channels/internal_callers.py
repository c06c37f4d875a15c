"""Internal callers of the REST channel: the Telegram bridge, the benchmark, the tests.

They speak for their own channel's users (``telegram:<chat>`` …), name the input channel and send
metadata; a public caller may do none of that (bot/channels/sender_ids.py). They prove who they are
with ``Authorization: Bearer <INTERNAL_CALLER_TOKEN>``. bot/processes/servers.py generates the
token for each stack when the environment sets none and hands it to the bridge; a cluster's
replicas share one.
"""

from __future__ import annotations

import enum
import hmac
import os
from typing import Dict, Mapping

TOKEN_ENV = "INTERNAL_CALLER_TOKEN"


class Caller(enum.Enum):
    PUBLIC = "public"  # no credentials: the REST channel's own namespace only
    INTERNAL = "internal"  # the internal caller token
    REFUSED = "refused"  # credentials that are wrong: refused outright, never downgraded to public


def configured_token(environ: Mapping[str, str] = os.environ) -> str | None:
    return environ.get(TOKEN_ENV, "").strip() or None


def authorization_header(token: str | None) -> Dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def identify(authorization: str | None, environ: Mapping[str, str] = os.environ) -> Caller:
    """Who sent a request, from its Authorization header."""
    if not authorization:
        return Caller.PUBLIC
    scheme, _, given = authorization.partition(" ")
    expected = configured_token(environ)
    if scheme.lower() != "bearer" or not expected or not given.strip():
        return Caller.REFUSED
    return Caller.INTERNAL if hmac.compare_digest(given.strip().encode(), expected.encode()) else Caller.REFUSED
