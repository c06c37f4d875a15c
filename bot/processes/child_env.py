"""Which environment variables each child process gets: only those it reads.

``make run`` is often started from a shell holding every secret of the deployment (Telegram bot
token, console token, WeChat app secret, database passwords, unrelated cloud keys). A child that
inherits them all leaks them through any bug that shows its environment (a crash dump, a debug
page, /proc). So each kind of child gets the variables of the system (PATH, locale, Python,
TensorFlow) and of its own settings, nothing else. What a caller passes explicitly (``extra``)
always arrives.
"""

from __future__ import annotations

from typing import Dict, Mapping, Tuple

# Needed by any program: the system, locale, Python and the numeric libraries under TensorFlow.
SYSTEM_NAMES = (
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "TERM",
    "VIRTUAL_ENV", "LD_LIBRARY_PATH", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "NO_PROXY", "no_proxy",
)  # fmt: skip
SYSTEM_PREFIXES = ("LC_", "PYTHON", "TF_", "CUDA_", "OMP_", "MKL_", "OPENBLAS_", "SQLALCHEMY_", "XDG_")

# Per kind of child: (names, prefixes) of its own settings (see README and docs/SECURITY.md).
OWN_SETTINGS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    # actions/ and knowledge/: the knowledge base and the action server's own settings.
    "action server": (("DATABASE_URL", "LOG_LEVEL"), ("KNOWLEDGE_", "ACTION_SERVER_")),
    # The Rasa server hosts the REST, web chat, WeChat and feedback channels, the staff console and the
    # review inbox (which retrains in the background: GATE_*), the hotline (HOTLINE_*, HANDOFF_*), and
    # sends staff replies to Telegram users with the bridge's bot token (bot/channels/delivery/telegram.py);
    # the tracker/lock stores come from the endpoints file. Rasa's own settings are RASA_* (telemetry,
    # caches); the Rasa API token only when the API runs (bot/rasa_server/api_token.py).
    "Rasa server": (
        (
            "DATABASE_URL",
            "MAX_MESSAGE_CHARS",
            "ACTION_TIMEOUT_S",
            "INTERNAL_CALLER_TOKEN",
            "CONVERSATION_RETENTION_DAYS",
            "MAINTAINER_TOKEN",
            "MAINTAINER_TOKENS",
            "MAX_TURNS_PER_SENDER",
            "MODEL_FOLLOW_INTERVAL_S",
            "TELEGRAM_BOT_TOKEN",
            "TELEGRAM_API_BASE_URL",
        ),
        (
            "RASA_",
            "LOG_LEVEL",
            "SANIC_",
            "REVIEW_",
            "GATE_",
            "WECHAT_",
            "WEBCHAT_",
            "CONSOLE_",
            "TRACKER_",
            "SQLITE_",
            "REDIS_",
            "KNOWLEDGE_",
            "HOTLINE_",
            "HANDOFF_",
        ),
    ),  # fmt: skip
    "telegram": (("RASA_URL", "RASA_PORT", "INTERNAL_CALLER_TOKEN", "LOG_LEVEL"), ("TELEGRAM_",)),
    # `rasa train` (make train, the review inbox's gate, cross-validation): the knowledge base for the
    # vocabulary, Rasa's own settings; none of the channels' or staff's secrets.
    "training": (("DATABASE_URL", "LOG_LEVEL"), ("RASA_", "KNOWLEDGE_")),
    "nginx": ((), ()),
}
# Not copied from the shell: the Rasa server gets it only when it runs the API (servers.spawn_rasa_server).
NEVER = ("RASA_API_TOKEN",)


def kind_of(name: str) -> str:
    """The kind of a child from its display name ("Rasa server 2" → "Rasa server")."""
    for kind in OWN_SETTINGS:
        if name.lower().startswith(kind.lower()):
            return kind
    raise KeyError(f"no environment allowlist for a child named {name!r}")


def for_child(kind: str, environ: Mapping[str, str], extra: Mapping[str, str] | None = None) -> Dict[str, str]:
    names, prefixes = OWN_SETTINGS[kind_of(kind)]
    kept = {
        key: value
        for key, value in environ.items()
        if key not in NEVER
        and (key in SYSTEM_NAMES or key.startswith(SYSTEM_PREFIXES) or key in names or key.startswith(prefixes))
    }
    return {**kept, **(extra or {})}
