"""Where the project's files are, wherever the command is started from."""

from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
MODELS_DIR = PROJECT_DIR / "models"
VAR_DIR = PROJECT_DIR / "var"
CONFIG = PROJECT_DIR / "config.yml"
DOMAIN = PROJECT_DIR / "domain.yml"
DATA_DIR = PROJECT_DIR / "data"
CREDENTIALS = PROJECT_DIR / "credentials.yml"
