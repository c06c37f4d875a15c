"""Maintainer CLI: ``python -m knowledge load | show [N] | vocab``."""

from __future__ import annotations

import argparse
import sys
from typing import List

from knowledge import loader, repository, vocabulary
from knowledge.answers import ASPECTS, answer_measure
from knowledge.db import database_url, session_scope


def _cmd_load(args: argparse.Namespace) -> int:
    report = loader.load(args.database)
    print(
        f"loaded {report.documents} document(s), {report.measures} measures, "
        f"{report.aliases} aliases into {database_url(args.database)}"
    )
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    with session_scope(args.database) as session:
        if args.measure is None:
            for measure in repository.all_measures(session):
                print(f"第{measure.number}条  {measure.key:32} {measure.title}")
            return 0
        measure = repository.get_measure(session, args.measure)
        if args.aspect:
            print(answer_measure(measure, args.aspect).text)
        else:
            print(f"第{measure.number}条 {measure.title}  ({measure.key})\n\n{measure.text}")
    return 0


def _cmd_vocab(args: argparse.Namespace) -> int:
    path = vocabulary.write_jieba_dictionary()
    print(f"wrote {len(vocabulary.policy_terms())} terms to {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description=__doc__)
    parser.add_argument("--database", help="SQLAlchemy URL (default: DATABASE_URL or var/knowledge.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("load", help="create tables and (re)load the policy YAML").set_defaults(run=_cmd_load)
    show = commands.add_parser("show", help="list measures, or print one measure's original text")
    show.add_argument("measure", nargs="?", help="number (13) or key (huishang_service_card)")
    show.add_argument("--aspect", choices=ASPECTS, help="print the assistant's answer for this aspect")
    show.set_defaults(run=_cmd_show)
    commands.add_parser("vocab", help="write the jieba dictionary from the policy vocabulary").set_defaults(
        run=_cmd_vocab
    )
    return parser


def main(argv: List[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except repository.MeasureNotFound as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
