"""What a REST webhook body must be before any of it reaches Rasa (no Rasa import).

A JSON object with a text ``message``, nested at most ``MAX_JSON_DEPTH`` deep (a body nested
100,000 deep made Python's parser raise RecursionError: a 500), with ``metadata`` an object of at
most ``MAX_METADATA_BYTES`` (it is stored with every message). Everything else gets a 4xx that says
what is wrong. Who may name which sender is bot/channels/sender_ids.py.
"""

from __future__ import annotations

import json
from typing import Any, Dict

MAX_JSON_DEPTH = 16
MAX_METADATA_BYTES = 8_000
INPUT_CHANNEL_CHARS = 32


class BodyRefused(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def nesting_depth(value: Any, limit: int) -> int:
    """How deep ``value`` nests (a scalar is 0), counting no further than ``limit + 1``; iterative."""
    deepest = 0
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            break
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def parse(body: bytes) -> Dict[str, Any]:
    """The body as a JSON object fit to be a user message, or BodyRefused."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BodyRefused("the body is not valid UTF-8") from None
    except RecursionError:
        raise BodyRefused(f"the body nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:
        raise BodyRefused("the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BodyRefused('the body must be a JSON object like {"sender": "…", "message": "…"}')
    if nesting_depth(payload, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise BodyRefused(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(payload.get("message"), str):
        raise BodyRefused('"message" must be a string')
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BodyRefused('"metadata" must be a JSON object')
    if metadata and len(json.dumps(metadata, ensure_ascii=False).encode()) > MAX_METADATA_BYTES:
        raise BodyRefused(f'"metadata" is at most {MAX_METADATA_BYTES} bytes', status=413)
    channel = payload.get("input_channel")
    if channel is not None and not (
        isinstance(channel, str) and channel.isidentifier() and len(channel) <= INPUT_CHANNEL_CHARS
    ):
        raise BodyRefused('"input_channel" must be a channel name such as "telegram"')
    return payload
