"""Where the knowledge base keeps its files."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = PACKAGE_DIR / "data"
POLICIES_DIR = DATA_DIR / "policies"
# Runtime files (SQLite databases, generated dictionaries) live here; git ignores it.
VAR_DIR = PROJECT_DIR / "var"
DEFAULT_SQLITE_PATH = VAR_DIR / "knowledge.db"
