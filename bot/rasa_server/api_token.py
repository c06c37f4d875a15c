"""Rasa's HTTP API token reaches the Rasa server in its environment, never on its command line.

``rasa run --auth-token T`` would put the token in /proc/<pid>/cmdline, which every local user reads
(``ps``); /proc/<pid>/environ is the owner's only. bot/processes/servers.py sets ``RASA_API_TOKEN``
for the child; ``with_token`` moves it from the environment into the argument list Rasa parses
in-process, so it is in neither the command line nor the environment of anything started later
(the review inbox's retraining, for one).
"""

from __future__ import annotations

from typing import List, MutableMapping

ENV = "RASA_API_TOKEN"
FLAG = "--auth-token"


def with_token(argv: List[str], environ: MutableMapping[str, str]) -> List[str]:
    """``argv`` with ``--auth-token <the token>`` when the environment has one (taken out of it)."""
    token = (environ.pop(ENV, None) or "").strip()
    if not token or FLAG in argv:
        return list(argv)
    return [*argv, FLAG, token]
