"""``python -m bot.rasa_server run …``: Rasa's own command line, with this project's server hooks.

Exactly ``rasa run`` (same arguments), after installing in the server process what Rasa has no
configuration for:

- phone and ID-card masking in every log line (bot.rasa_server.log_masking);
- a clear reply when the action server is down or slow (bot.rasa_server.action_failure);
- guards against hostile input (bot.rasa_server.input_guard);
- a cheap check of action-server answers, which Rasa makes expensive (bot.rasa_server.action_validation);
- loading the TensorFlow models without tracing a throw-away training graph (bot.rasa_server.model_loading);
- handling each message with the recent part of the conversation only (bot.rasa_server.recent_tracker);
- looking up each event's class once, not at every event read (bot.rasa_server.event_types);
- the hotline status (staff on duty, office hours) stamped on every message (bot.rasa_server.hotline_stamp);
- at most a few messages of one sender in the server at once, the rest answered "请稍候" (bot.rasa_server.sender_limit).

It refuses to start on any Rasa version other than the one these patches were written for
(bot.rasa_server.patched_targets).

bot/processes/servers.py starts the Rasa server through this module.
"""

from __future__ import annotations

import os
import sys

from bot.rasa_server import api_token
from bot.rasa_server.hooks import install_hooks


def main() -> None:
    # Every file this server creates (tracker database, logs) holds conversations: owner only.
    os.umask(0o077)
    install_hooks()
    from rasa.__main__ import main as rasa_main

    # The API token comes in the environment (bot/rasa_server/api_token.py), not on the command line.
    sys.argv = ["rasa", *api_token.with_token(sys.argv[1:], os.environ)]
    rasa_main()


if __name__ == "__main__":
    main()
