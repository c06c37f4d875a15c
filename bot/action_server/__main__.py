"""``python -m bot.action_server --port N``: rasa_sdk's action server for ``actions/``, closed to callers
other than this project's Rasa servers.

rasa_sdk's own ``python -m rasa_sdk`` listens on every interface with no authentication, answers
any origin (CORS ``*``), and inflates a ``Content-Encoding: deflate`` body without limit (a 3 MB
body of zeros inflates to 3 GB: one request exhausts the memory). Here:

- it listens on ``ACTION_SERVER_HOST`` (default 127.0.0.1: only processes on this machine reach it);
  a non-loopback host needs ``ACTION_SERVER_TOKEN`` (it refuses to start without one);
- with ``ACTION_SERVER_TOKEN`` set, ``/webhook`` answers 401 unless the ``X-Action-Token`` header
  carries it (the Rasa servers send it: bot/stores/endpoints.py);
- a deflate body is inflated at most to ``MAX_BODY_BYTES`` (413 beyond), broken deflate is 400,
  any other Content-Encoding 415; raw bodies over ``MAX_BODY_BYTES`` get 413 from Sanic;
- no CORS: no browser has any business here.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import logging
import os
import sys
import zlib
from typing import Any, List

from sanic import Sanic, response

TOKEN_HEADER = "X-Action-Token"
DEFAULT_HOST = "127.0.0.1"
# An action call carries the whole tracker: a long conversation is some hundred KB; 16 MB is ample.
MAX_BODY_BYTES = 16 * 1024 * 1024
ACTIONS_PACKAGE = "actions"

logger = logging.getLogger(__name__)


class InsecureSetting(SystemExit):
    pass


def bounded_inflate(body: bytes, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """``body`` inflated (zlib/deflate, as aiohttp sends it), or None if it would exceed ``limit``.
    Raises zlib.error on broken data."""
    inflater = zlib.decompressobj()
    inflated = inflater.decompress(body, limit + 1)
    if len(inflated) > limit or inflater.unconsumed_tail:
        return None
    inflated += inflater.flush()
    return inflated if len(inflated) <= limit else None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def guard(app: Sanic, token: str | None) -> None:
    """Install the token check and the body limits on rasa_sdk's app."""
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

    async def check_request(request: Any) -> Any:
        if request.path == "/health":
            return None
        if token and not hmac.compare_digest(request.headers.get(TOKEN_HEADER, "").encode(), token.encode()):
            return response.json({"error": "unauthorized"}, status=401)
        encoding = request.headers.get("Content-Encoding", "").strip().lower()
        if encoding in ("", "identity"):
            return None
        if encoding != "deflate":
            return response.json({"error": f"Content-Encoding {encoding!r} is not accepted"}, status=415)
        try:
            inflated = bounded_inflate(request.body or b"")
        except zlib.error:
            return response.json({"error": "the body is not valid deflate data"}, status=400)
        if inflated is None:
            return response.json({"error": "the inflated body is too large"}, status=413)
        # rasa_sdk's handler inflates again when it sees the header: hand it the plain body.
        request.body = inflated
        del request.headers["Content-Encoding"]
        return None

    app.register_middleware(check_request, "request")


def main(argv: List[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.action_server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    host = os.environ.get("ACTION_SERVER_HOST", "").strip() or DEFAULT_HOST
    token = os.environ.get("ACTION_SERVER_TOKEN", "").strip() or None
    if not _is_loopback(host) and not token:
        raise InsecureSetting(
            f"ACTION_SERVER_HOST={host} makes the action server reachable from other machines: "
            "set ACTION_SERVER_TOKEN to a long random secret (the Rasa servers send it), or leave the host unset."
        )
    from rasa_sdk import utils
    from rasa_sdk.endpoint import create_app

    utils.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    app = create_app(ACTIONS_PACKAGE, cors_origins=None)
    guard(app, token)
    logger.info("Action server on http://%s:%d (%s)", host, args.port, "token required" if token else "no token")
    app.run(host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    sys.exit(main())
