"""Buttons offered to a WeChat user, remembered so that typing "1" (or the title) picks one.

WeChat text chats have no buttons: the reply lists them as numbered choices, and the next
message of the same OpenID may answer with a number. Kept in memory, per Rasa server process.
"""

from __future__ import annotations

import time
import unicodedata
from collections import OrderedDict
from typing import Any, Dict, List, Sequence, Tuple

CHOICES_TTL_S = 30 * 60


class PendingChoices:
    def __init__(self, ttl_s: float = CHOICES_TTL_S, capacity: int = 50000) -> None:
        self.ttl_s = ttl_s
        self.capacity = capacity
        self._by_openid: OrderedDict[str, Tuple[float, List[Dict[str, Any]]]] = OrderedDict()

    def remember(self, openid: str, buttons: Sequence[Dict[str, Any]]) -> None:
        """The choices just offered to ``openid`` (none: forget the earlier ones)."""
        self._by_openid.pop(openid, None)
        if buttons:
            self._by_openid[openid] = (time.monotonic() + self.ttl_s, list(buttons))
            while len(self._by_openid) > self.capacity:
                self._by_openid.popitem(last=False)

    def forget(self, openid: str) -> None:
        self._by_openid.pop(openid, None)

    def payload_for(self, openid: str, text: str) -> str | None:
        """The payload of the choice ``text`` picks ("1", "１", " 2 ", or a title typed out), if any."""
        entry = self._by_openid.get(openid)
        if entry is None:
            return None
        expires_at, buttons = entry
        if time.monotonic() > expires_at:
            self.forget(openid)
            return None
        typed = unicodedata.normalize("NFKC", text).strip()
        # isdecimal, not isdigit: "፩" is a digit int() cannot read; a choice number has few digits
        # (int() of 5,000 digits raises).
        if typed.isdecimal() and len(typed) <= 3 and 1 <= int(typed) <= len(buttons):
            return buttons[int(typed) - 1]["payload"]
        for button in buttons:
            if typed and typed == str(button.get("title", "")).strip():
                return button["payload"]
        return None
