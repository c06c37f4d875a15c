"""Every hook of this project's Rasa server, installed in one call: ``python -m bot.rasa_server`` runs it
before handing over to Rasa, and in-process profiling (tools/bench/profile_turns.py) runs it so the
profiled turns are the served ones."""

from __future__ import annotations

from bot.rasa_server import (
    action_failure,
    action_validation,
    event_types,
    hotline_stamp,
    input_guard,
    log_masking,
    model_loading,
    recent_tracker,
    sender_limit,
)
from bot.rasa_server.patched_targets import check_rasa_version


def install_hooks() -> None:
    check_rasa_version()  # the patches below were written for one Rasa version
    log_masking.install()
    action_failure.install()
    input_guard.install()
    action_validation.install()
    model_loading.install()
    recent_tracker.install()
    event_types.install()
    sender_limit.install()
    hotline_stamp.install()  # wraps the sender limit: the stamp is a cached read
