"""Maintainers' FAQ tool: ``python -m tools.faq add | sync | check | list`` (``make faq-add``).

The FAQ lives in one place, knowledge/data/faq.yaml. This tool turns it into Rasa training data
(data/faq.yml: the retrieval intent ``faq/<key>`` with its examples and ``utter_faq/<key>``
responses for the ResponseSelector) and adds entries safely: an entry that is malformed or
duplicates a question is refused with a clear message and every file stays as it was; a
written entry is validated with ``rasa data validate`` and the model retrained.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List

import yaml

from bot.paths import PROJECT_DIR
from bot.training.faq_data import (  # noqa: F401 - render_training_data is part of this tool's interface
    GENERATED_HEADER,
    _append_entry,
    other_training_questions,
    render_training_data,
)
from knowledge.faq import FaqEntry, FaqError, entry_from_mapping, load_entries, problems


@dataclass(frozen=True)
class Workspace:
    """The files the tool reads and writes, relative to a project folder (tests use a copy)."""

    root: Path

    @property
    def faq_file(self) -> Path:
        return self.root / "knowledge" / "data" / "faq.yaml"

    @property
    def generated(self) -> Path:
        return self.root / "data" / "faq.yml"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"


def check(workspace: Workspace) -> List[str]:
    entries = load_entries(workspace.faq_file)
    found = problems(entries, other_training_questions(workspace))
    expected = render_training_data(entries)
    current = workspace.generated.read_text(encoding="utf-8") if workspace.generated.exists() else ""
    if current != expected:
        found.append(
            f"{workspace.generated.relative_to(workspace.root)} is out of date: run `python -m tools.faq sync`"
        )
    return found


def sync(workspace: Workspace) -> Path:
    entries = load_entries(workspace.faq_file)
    errors = problems(entries, other_training_questions(workspace))
    if errors:
        raise FaqError("\n".join(errors))
    workspace.generated.write_text(render_training_data(entries), encoding="utf-8")
    return workspace.generated


def validate_rasa_data(workspace: Workspace) -> None:
    command = [
        sys.executable, "-m", "rasa", "data", "validate", "--fail-on-warnings",
        "--domain", str(workspace.root / "domain.yml"), "--data", str(workspace.data_dir),
        "--config", str(workspace.root / "config.yml"),
    ]  # fmt: skip
    # The config names the project's own components (bot.nlu…): they must import from anywhere.
    env = dict(os.environ, PYTHONPATH=str(PROJECT_DIR), PYTHONWARNINGS="ignore")
    result = subprocess.run(command, cwd=workspace.root, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).splitlines()
        lines = [line.split("UserWarning: ", 1)[-1] for line in output if "UserWarning" in line or "ERROR" in line]
        raise FaqError("rasa data validate refused the training data:\n" + "\n".join(lines[-15:]))


def add(workspace: Workspace, entry: FaqEntry, validate: bool = True, train: bool = True) -> None:
    """Add one FAQ entry; on any problem nothing is left changed."""
    entries = load_entries(workspace.faq_file)
    errors = problems([*entries, entry], other_training_questions(workspace))
    if errors:
        raise FaqError("\n".join(errors))
    snapshot = {
        path: path.read_bytes() if path.exists() else None for path in (workspace.faq_file, workspace.generated)
    }
    try:
        _append_entry(workspace.faq_file, entry)
        if load_entries(workspace.faq_file)[-1] != entry:
            raise FaqError("the entry did not read back as written; nothing was changed")
        sync(workspace)
        if validate:
            print("Validating the training data (rasa data validate)…", flush=True)
            validate_rasa_data(workspace)
    except BaseException:
        for path, content in snapshot.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(content)
        raise
    if train:
        from bot.training.model import ensure_model

        ensure_model()


def _ask_entry() -> FaqEntry:
    """Interactive: one field at a time, for maintainers who would rather not write YAML."""
    key = input("FAQ key (lowercase_with_underscores, e.g. issue_date): ").strip()
    print("Ways users ask it, one per line; an empty line ends the list:")
    questions: List[str] = []
    while line := input("  question: ").strip():
        questions.append(line)
    answer = input("Answer (facts from the document only; name cited measures as 第N条): ").strip()
    cites = input("Cited measure numbers, separated by spaces (empty for none): ").split()
    if not all(c.isdigit() for c in cites):
        raise FaqError("citations must be measure numbers such as 10 13")
    return FaqEntry(key=key, questions=questions, answer=answer, citations=[int(c) for c in cites])


def _entry_from_args(args: argparse.Namespace) -> FaqEntry:
    if args.file:
        try:
            raw = yaml.safe_load(Path(args.file).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise FaqError(f"cannot read {args.file}: {error}") from error
        return entry_from_mapping(raw, args.file)
    if args.key:
        return FaqEntry(
            key=args.key, questions=args.question or [], answer=args.answer or "", citations=args.cite or []
        )
    return _ask_entry()


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.faq", description=__doc__)
    parser.add_argument("--project", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True)
    add_cmd = commands.add_parser("add", help="add one FAQ (from --file, from flags, or asked interactively)")
    add_cmd.add_argument("--file", help="a YAML file with one entry: key, questions, answer, citations")
    add_cmd.add_argument("--key")
    add_cmd.add_argument("--question", action="append", help="a way users ask it (repeat)")
    add_cmd.add_argument("--answer")
    add_cmd.add_argument("--cite", type=int, action="append", help="a cited measure number (repeat)")
    add_cmd.add_argument("--no-train", action="store_true", help="write and validate, but do not retrain")
    add_cmd.add_argument("--no-validate", action="store_true", help=argparse.SUPPRESS)
    commands.add_parser("sync", help="rewrite data/faq.yml from knowledge/data/faq.yaml")
    commands.add_parser("check", help="report problems in the FAQ and whether data/faq.yml is up to date")
    commands.add_parser("list", help="list the FAQ entries")
    args = parser.parse_args(argv)
    workspace = Workspace(args.project.resolve())

    try:
        if args.command == "add":
            entry = _entry_from_args(args)
            add(workspace, entry, validate=not args.no_validate, train=not args.no_train)
            print(f"Added FAQ {entry.key} ({len(entry.questions)} questions); data/faq.yml updated.")
        elif args.command == "sync":
            print(f"Wrote {sync(workspace).relative_to(workspace.root)}")
        elif args.command == "check":
            found = check(workspace)
            for problem in found:
                print(f"problem: {problem}")
            print("FAQ ok" if not found else f"{len(found)} problem(s)")
            return 1 if found else 0
        else:
            for entry in load_entries(workspace.faq_file):
                cites = "".join(f"第{n}条" for n in entry.citations) or "-"
                print(f"{entry.key:28} {cites:14} {entry.questions[0]}")
    except FaqError as error:
        print(f"error: {error}\nNothing was changed.", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\nCancelled; nothing was changed.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
