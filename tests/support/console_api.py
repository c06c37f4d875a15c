"""Calls of the staff console's API as a token holder (Authorization: Bearer), for the hotline tests."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Dict, Tuple

from tools.assistant_client import AssistantClient


def console_call(
    assistant: AssistantClient, method: str, path: str, body: Dict[str, Any] | None = None
) -> Tuple[int, Dict[str, Any]]:
    request = urllib.request.Request(
        f"{assistant.rasa_url}/console/api{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {assistant.console_token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def set_on_duty(assistant: AssistantClient, on_duty: bool) -> Dict[str, Any]:
    """What the open console's heartbeat does (web/src/console.js); False goes off duty at once."""
    status, body = console_call(assistant, "POST", "/presence", {"on_duty": on_duty})
    assert status == 200, body
    return body


def handoff_records(tracker: Dict[str, Any]) -> list:
    return [
        e["data"]["handoff"]
        for e in tracker["events"]
        if e.get("event") == "agent" and "handoff" in (e.get("data") or {})
    ]
