"""What of nginx's own log may be kept: its error lines without what identifies a user or opens
the API.

nginx writes a failed request's request line, upstream URL and referrer into its error log, and it
has no setting to leave them out. Those hold Rasa's API token (``?token=``), sender ids
(``/conversations/telegram:<chat id>/…``, the console's ``/console/api/conversations/<id>``) and web
chat session ids (``/webchat/history/<id>``, the key to that conversation). bot/processes/cluster.py
sends the error log to nginx's stderr, and bot/processes/servers.py passes every line through
``scrub`` before it reaches the log file.
"""

from __future__ import annotations

import re

from bot.rasa_server.log_masking import mask

# A path segment after one of these names a conversation; it is logged as "-".
_ID_AFTER = re.compile(r"(/(?:conversations|history)/)[^/\s?\"]+")
_QUERY = re.compile(r"\?[^\s\"]*")
# request: "GET /x?y HTTP/1.1", upstream: "http://127.0.0.1:5101/x?y", referrer: "https://…"
_QUOTED_URL = re.compile(r'((?:request|upstream): ")([^"]*)(")')
_REFERRER = re.compile(r'(referrer: ")[^"]*(")')


def scrub_path(path: str) -> str:
    return _ID_AFTER.sub(r"\1-", _QUERY.sub("", path))


def scrub(line: str) -> str:
    """One nginx log line with no query string, no conversation id in a path and no referrer."""
    line = _QUOTED_URL.sub(lambda m: m.group(1) + scrub_path(m.group(2)) + m.group(3), line)
    line = _REFERRER.sub(r"\1-\2", line)
    return mask(line)
