"""What this project's patches of Rasa internals were written against, checked before any is installed.

The patches in this package replace private parts of Rasa (a method, a constructor, a module
function). Another Rasa version may rename them, change their arguments or change what they do, and
a patch would then fail silently or break the server in ways no test of ours sees. So the server
refuses to start on any other version than ``RASA_VERSION`` (``check_rasa_version``), and
tests/test_rasa_patches.py asserts every target below still exists with the parameters its patch
expects. A new patch adds its target here.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any, Tuple

RASA_VERSION = "3.6.21"


@dataclass(frozen=True)
class PatchedTarget:
    module: str
    qualname: str
    parameters: Tuple[str, ...]
    patch: str  # the module of this package that replaces it

    def resolve(self) -> Any:
        target: Any = importlib.import_module(self.module)
        for part in self.qualname.split("."):
            target = getattr(target, part)
        return target

    def actual_parameters(self) -> Tuple[str, ...]:
        target = inspect.unwrap(self.resolve())
        return tuple(inspect.signature(target).parameters)


PATCHED_TARGETS: Tuple[PatchedTarget, ...] = (
    PatchedTarget("rasa.core.agent", "Agent.handle_message", ("self", "message"), "bot.rasa_server.sender_limit"),
    PatchedTarget("rasa.core.agent", "Agent.handle_message", ("self", "message"), "bot.rasa_server.hotline_stamp"),
    PatchedTarget(
        "rasa.core.actions.action",
        "RemoteAction.run",
        ("self", "output_channel", "nlg", "tracker", "domain"),
        "bot.rasa_server.action_failure",
    ),
    PatchedTarget(
        "rasa.core.actions.action",
        "RemoteAction._validate_action_result",
        ("self", "result"),
        "bot.rasa_server.action_validation",
    ),
    PatchedTarget(
        "rasa.core.actions.action",
        "RemoteAction.action_response_format_spec",
        (),
        "bot.rasa_server.action_validation",
    ),
    PatchedTarget(
        "rasa.core.channels.channel",
        "UserMessage.__init__",
        ("self", "text", "output_channel", "sender_id", "parse_data", "input_channel", "message_id", "metadata"),
        "bot.rasa_server.input_guard",
    ),
    PatchedTarget(
        "rasa.core.run",
        "configure_app",
        (
            "input_channels",
            "cors",
            "auth_token",
            "enable_api",
            "response_timeout",
            "jwt_secret",
            "jwt_private_key",
            "jwt_method",
            "route",
            "port",
            "endpoints",
            "log_file",
            "conversation_id",
            "use_syslog",
            "syslog_address",
            "syslog_port",
            "syslog_protocol",
            "request_timeout",
            "server_listeners",
            "use_uvloop",
            "keep_alive_timeout",
        ),
        "bot.rasa_server.input_guard",
    ),  # fmt: skip
    PatchedTarget(
        "rasa.utils.tensorflow.models",
        "RasaModel.load",
        ("model_file_name", "model_data_example", "predict_data_example", "finetune_mode", "args", "kwargs"),
        "bot.rasa_server.model_loading",
    ),
    PatchedTarget(
        "rasa.core.processor",
        "MessageProcessor.fetch_tracker_and_update_session",
        ("self", "sender_id", "output_channel", "metadata"),
        "bot.rasa_server.recent_tracker",
    ),
    PatchedTarget(
        "rasa.shared.core.events", "Event.resolve_by_type", ("type_name", "default"), "bot.rasa_server.event_types"
    ),
)


class UnsupportedRasaVersion(SystemExit):
    pass


def check_rasa_version(installed: str | None = None) -> None:
    """Refuse to go on (SystemExit with what to do) unless Rasa is the version the patches were written for."""
    if installed is None:
        import rasa

        installed = rasa.__version__
    if installed == RASA_VERSION:
        return
    targets = "\n".join(f"  - {t.module}.{t.qualname} (patched by {t.patch})" for t in PATCHED_TARGETS)
    raise UnsupportedRasaVersion(
        f"Rasa {installed} is installed, but this server's patches of Rasa internals were written for Rasa "
        f"{RASA_VERSION}.\nBefore changing RASA_VERSION in bot/rasa_server/patched_targets.py, re-check in the new "
        f"version that each of these still exists, takes the same parameters and does what its patch assumes:\n"
        f"{targets}\nthen run tests/test_rasa_patches.py. Or install the pinned version: "
        "`.venv/bin/python -m pip install -r requirements.txt -c constraints.txt`."
    )
