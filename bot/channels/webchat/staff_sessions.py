"""Who is signed in to the staff console (and the review inbox), and which of their requests may change anything.

- A sign-in with the token in ``CONSOLE_TOKEN`` gets a session cookie that is *not* the token: its
  expiry and a random id, signed (HMAC-SHA256) with a key derived from the token. It expires after
  ``CONSOLE_SESSION_HOURS`` (8 by default); changing the token ends every session.
- Logout clears the cookie on the path it was set on and revokes the session id: in Redis when
  ``REDIS_URL`` is set (every cluster replica then refuses a copy of the signed-out cookie; while
  Redis does not answer, cookies are refused — the token as a Bearer header still works), else in
  this server process.
- The cookie is ``Secure`` when the request came over HTTPS (directly, or as a proxy says in
  ``X-Forwarded-Proto``/``Forwarded``) and always with ``CONSOLE_SECURE_COOKIE=1``.
- ``MAX_FAILED_LOGINS`` wrong tokens from one address block that address's sign-ins for
  ``LOGIN_WINDOW_S``. The address is Sanic's ``remote_addr`` (the client behind a proxy when
  ``SANIC_PROXIES_COUNT`` is set, see docs/SECURITY.md), else the peer's.
- A token weaker than ``MIN_TOKEN_CHARS`` characters, or with few distinct characters, stops the
  server at start-up with advice.
- State-changing calls (POST) come from the console's own origin: a cookie-authenticated POST must
  carry an ``Origin`` equal to the console's; API POSTs must be ``application/json`` (a cross-site
  form or a ``text/plain`` fetch cannot be). A caller holding the token itself
  (``Authorization: Bearer``) is not a forgery and needs no Origin.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Any, Callable, Deque, Dict, Mapping, Protocol, Tuple
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

SESSION_HOURS_ENV = "CONSOLE_SESSION_HOURS"
SECURE_COOKIE_ENV = "CONSOLE_SECURE_COOKIE"
DEFAULT_SESSION_HOURS = 8.0
MIN_TOKEN_CHARS = 20
MIN_DISTINCT_CHARS = 6
MAX_FAILED_LOGINS = 5
LOGIN_WINDOW_S = 600
MAX_JSON_DEPTH = 16
_VERSION = "v1"

TOKEN_ADVICE = (
    'generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))" '
    "and set it as {name} (or unset {name} to disable what it opens)"
)


class WeakConsoleToken(ValueError):
    """CONSOLE_TOKEN is too easy to guess; the server does not start with it."""


def check_token_strength(token: str, name: str = "CONSOLE_TOKEN") -> None:
    advice = TOKEN_ADVICE.format(name=name)
    if len(token) < MIN_TOKEN_CHARS:
        raise WeakConsoleToken(f"{name} has {len(token)} characters, at least {MIN_TOKEN_CHARS} are needed: {advice}")
    if len(set(token)) < MIN_DISTINCT_CHARS or token.isdigit():
        raise WeakConsoleToken(f"{name} is too regular (few distinct characters or only digits): {advice}")


def session_ttl_s() -> float:
    try:
        hours = float(os.environ.get(SESSION_HOURS_ENV, DEFAULT_SESSION_HOURS))
    except ValueError:
        hours = DEFAULT_SESSION_HOURS
    return max(60.0, hours * 3600)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Revocations(Protocol):
    """The session ids signed out before they expire."""

    def add(self, session_id: str, expires: float, now: float) -> None: ...

    def __contains__(self, session_id: object) -> bool: ...


class LocalRevocations:
    """In this process (one server)."""

    def __init__(self) -> None:
        self._revoked: Dict[str, float] = {}  # session id → its expiry (forgotten after it)
        self._lock = threading.Lock()

    def add(self, session_id: str, expires: float, now: float) -> None:
        with self._lock:
            self._revoked = {sid: exp for sid, exp in self._revoked.items() if exp > now}
            self._revoked[session_id] = expires

    def __contains__(self, session_id: object) -> bool:
        with self._lock:
            return session_id in self._revoked


class RedisRevocations:
    """In Redis, shared by every replica; each entry expires with its session."""

    def __init__(self, client: Any, key_prefix: str) -> None:
        self._redis = client
        self._prefix = f"{key_prefix}:staff_session:revoked"

    def add(self, session_id: str, expires: float, now: float) -> None:
        try:
            self._redis.set(f"{self._prefix}:{session_id}", "1", ex=max(1, int(expires - now) + 1))
        except Exception:  # noqa: BLE001 - the browser's cookie is cleared all the same
            logger.error("Redis does not answer: a signed-out session stays valid on other replicas until it expires")

    def __contains__(self, session_id: object) -> bool:
        try:
            return bool(self._redis.exists(f"{self._prefix}:{session_id}"))
        except Exception:  # noqa: BLE001 - no answer from Redis: a revoked session must not pass
            logger.warning("Redis does not answer: staff session cookies are refused until it does")
            return True


def revocations_from_env(environ: Mapping[str, str] = os.environ) -> Revocations:
    url = environ.get("REDIS_URL", "").strip()
    if not url:
        return LocalRevocations()
    import redis

    prefix = environ.get("REDIS_KEY_PREFIX", "").strip() or "wanqi"
    return RedisRevocations(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2), prefix)


class StaffSessions:
    """Issues and checks signed session cookies for one console token."""

    def __init__(
        self,
        token: str,
        ttl_s: float | None = None,
        clock: Callable[[], float] = time.time,
        revocations: Revocations | None = None,
    ) -> None:
        self._key = hmac.new(token.encode(), b"wanqi staff console session", hashlib.sha256).digest()
        self.ttl_s = ttl_s if ttl_s is not None else session_ttl_s()
        self._clock = clock
        self._revoked = revocations if revocations is not None else LocalRevocations()

    def _signature(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def issue(self) -> str:
        payload = f"{_VERSION}.{int(self._clock() + self.ttl_s)}.{secrets.token_urlsafe(16)}"
        return f"{payload}.{self._signature(payload)}"

    def _parse(self, cookie: str | None) -> Tuple[str, float] | None:
        """(session id, expiry) of a cookie this object signed and that has not expired."""
        if not cookie or cookie.count(".") != 3:
            return None
        version, expires, session_id, signature = cookie.split(".")
        if version != _VERSION or not expires.isdigit():
            return None
        if not hmac.compare_digest(signature, self._signature(f"{version}.{expires}.{session_id}")):
            return None
        if int(expires) <= self._clock():
            return None
        return session_id, float(expires)

    def session_id(self, cookie: str | None) -> str | None:
        """The id of a valid session cookie (what names a signed-in console, e.g. for staff presence)."""
        parsed = self._parse(cookie)
        return parsed[0] if parsed is not None and self.valid(cookie) else None

    def valid(self, cookie: str | None) -> bool:
        parsed = self._parse(cookie)
        return parsed is not None and parsed[0] not in self._revoked

    def revoke(self, cookie: str | None) -> None:
        parsed = self._parse(cookie)
        if parsed is not None:
            self._revoked.add(parsed[0], parsed[1], self._clock())


class LoginThrottle:
    """At most ``MAX_FAILED_LOGINS`` wrong tokens per address in ``LOGIN_WINDOW_S``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._failures: Dict[str, Deque[float]] = defaultdict(deque)
        self._clock = clock
        self._lock = threading.Lock()

    def _recent(self, address: str) -> Deque[float]:
        failures = self._failures[address]
        while failures and failures[0] <= self._clock() - LOGIN_WINDOW_S:
            failures.popleft()
        return failures

    def retry_after_s(self, address: str) -> int:
        """Seconds until ``address`` may try again; 0 if it may now."""
        with self._lock:
            failures = self._recent(address)
            if len(failures) < MAX_FAILED_LOGINS:
                return 0
            return max(1, int(failures[0] + LOGIN_WINDOW_S - self._clock()) + 1)

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(self._clock())
            if len(self._failures) > 10_000:  # bounded memory under a spray from many addresses
                for stale in [a for a, f in self._failures.items() if not f][:5_000]:
                    del self._failures[stale]


_sessions: Dict[str, StaffSessions] = {}
_throttle = LoginThrottle()


def sessions_for(token: str) -> StaffSessions:
    """The sessions of this token (one per token: the console's and each maintainer's; a changed token
    starts afresh, its old sessions no longer verify)."""
    if token not in _sessions:
        if len(_sessions) >= 64:  # tokens come from the environment; this only bounds a misuse
            _sessions.clear()
        _sessions[token] = StaffSessions(token, revocations=revocations_from_env())
    return _sessions[token]


def throttle() -> LoginThrottle:
    return _throttle


def reset_for_tests() -> None:
    global _throttle
    _sessions.clear()
    _throttle = LoginThrottle()


def client_address(request: Any) -> str:
    return getattr(request, "remote_addr", "") or getattr(request, "ip", "") or "unknown"


def over_https(request: Any) -> bool:
    if os.environ.get(SECURE_COOKIE_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    if getattr(request, "scheme", "") == "https":
        return True
    headers = request.headers
    if headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() == "https":
        return True
    return "proto=https" in headers.get("forwarded", "").replace(" ", "").lower()


def _own_origin_problem(request: Any) -> str | None:
    origin = request.headers.get("origin")
    if not origin:
        return "a signed-in browser sends its Origin with every POST; this request has none"
    given = urlsplit(origin).netloc.lower()
    if not given or given != (request.headers.get("host") or "").lower():
        return f"the console accepts changes only from its own origin, not from {origin}"
    return None


def state_change_refusal(request: Any, by_cookie: bool, needs_json: bool) -> Tuple[int, str] | None:
    """(status, reason) if this POST may not change anything, else None."""
    if by_cookie or request.headers.get("origin"):
        problem = _own_origin_problem(request)
        if problem:
            return 403, problem
    if needs_json:
        content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return 415, "console calls that change something are application/json"
        try:
            body = json.loads((request.body or b"{}").decode("utf-8"))
        except RecursionError:
            return 400, f"the body nests deeper than {MAX_JSON_DEPTH} levels"
        except ValueError:
            return 400, "the body is not valid JSON"
        if _depth(body) > MAX_JSON_DEPTH:
            return 400, f"the body nests deeper than {MAX_JSON_DEPTH} levels"
    return None


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack and deepest <= MAX_JSON_DEPTH:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return deepest
