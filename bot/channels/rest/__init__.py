"""The public REST channel (credentials key ``bot.channels.rest.GuardedRestInput``): Rasa's REST
contract, inside its own sender namespace. Loaded on first use so body.py imports without Rasa."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "GuardedRestInput":
        from bot.channels.rest.channel import GuardedRestInput

        return GuardedRestInput
    raise AttributeError(name)
