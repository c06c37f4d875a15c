"""Maintainer CLI of the knowledge base.

python -m knowledge load                      migrate the schema, (re)load the policy YAML
python -m knowledge check                     validate the data (schema, texts vs source, aliases…)
python -m knowledge show [N] [--aspect A]     list measures / print one measure's original text
python -m knowledge search TEXT               ranked measures for a question
python -m knowledge match [TEXT] [--plan 技改 …]   measures for an enterprise profile
python -m knowledge eligible RULE --fact name=value …   evaluate an eligibility rule
python -m knowledge rules                     print every eligibility rule in plain Chinese
python -m knowledge vocab                     write the jieba dictionary for the NLU
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from typing import Dict, List

from knowledge import check as data_check
from knowledge import eligibility, loader, matching, repository, vocabulary
from knowledge.answers import ASPECTS, answer_measure
from knowledge.db import database_url, session_scope


def _cmd_load(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    report = loader.load(args.database)
    print(
        f"loaded {report.documents} document(s), {report.measures} measures, {report.aliases} aliases "
        f"into {_masked(database_url(args.database))} (schema {report.revision}) "
        f"in {time.perf_counter() - started:.2f} s"
    )
    return 0


def _masked(url: str) -> str:
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - printing must not fail on an odd URL
        return url


def _cmd_check(args: argparse.Namespace) -> int:
    report = data_check.check()
    print(report.summary(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def _today(args: argparse.Namespace) -> dt.date | None:
    return dt.date.fromisoformat(args.today) if getattr(args, "today", None) else None


def _cmd_show(args: argparse.Namespace) -> int:
    with session_scope(args.database) as session:
        if args.measure is None:
            for measure in repository.all_measures(session):
                print(f"第{measure.number}条  {measure.key:32} {measure.kind:12} {measure.title}")
            return 0
        measure = repository.get_measure(session, args.measure)
        if args.aspect:
            answer = answer_measure(measure, args.aspect, today=_today(args))
            print(answer.text)
        else:
            print(f"第{measure.number}条 {measure.title}  ({measure.key})\n\n{measure.text}")
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from knowledge.search import search

    hits = search(" ".join(args.text), limit=args.limit)
    if not hits:
        print("no measure matches; try other words (e.g. 技改, 徽商卡, 担保费补贴)")
        return 1
    for hit in hits:
        print(f"{hit.score:7.3f}  第{hit.number}条  {hit.key:32} {hit.title}  [{' '.join(hit.matched)}]")
    return 0


def _cmd_match(args: argparse.Namespace) -> int:
    profile: Dict[str, object] = {}
    if args.text:
        profile["text"] = " ".join(args.text)
    for name in ("role", "ownership", "honour_level"):
        if getattr(args, name):
            profile[name] = getattr(args, name)
    for name, values in (("qualifications", args.qualification), ("plans", args.plan), ("industries", args.industry)):
        if values:
            profile[name] = values
    if not profile:
        print("error: give a profile, e.g. `match 我们是专精特新企业想做技改` or `--plan 技改`", file=sys.stderr)
        return 2
    read = matching.read_profile(profile)
    for value in read.unrecognised:
        print(f"warning: not understood: {value}", file=sys.stderr)
    matches = matching.match(read, limit=args.limit)
    for item in matches:
        print(f"{item.score:5.1f}  {item.citation}·{item.title}：{item.reason}")
    return 0 if matches else 1


def _parse_facts(pairs: List[str]) -> Dict[str, str]:
    facts = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--fact takes name=value, got {pair!r}")
        facts[name.strip()] = value.strip()
    return facts


def _cmd_eligible(args: argparse.Namespace) -> int:
    known = eligibility.rules()
    if args.rule is None:
        for rule in known.values():
            print(f"{rule.key:32} 第{rule.measure_number}条  {rule.title}  facts: {', '.join(rule.fact_names)}")
        return 0
    rule_key = args.rule
    if rule_key not in known:
        # A measure number or key with exactly one rule names that rule.
        ref = rule_key.strip("第条")
        candidates = [r for r in known.values() if ref in (str(r.measure_number), eligibility.measure_key(r))]
        if len(candidates) != 1:
            names = ", ".join(r.key for r in candidates) or ", ".join(known)
            print(f"error: no eligibility rule {rule_key!r}; choose one of: {names}", file=sys.stderr)
            return 2
        rule_key = candidates[0].key
    facts = _parse_facts(args.fact)
    unknown = [name for name in facts if name not in known[rule_key].fact_names and name != "loan_amount"]
    for name in unknown:
        print(f"warning: {rule_key} does not use fact {name!r}", file=sys.stderr)
    result = eligibility.evaluate(rule_key, facts)
    if args.json:
        print(json.dumps(result.card().as_message(), ensure_ascii=False, indent=2))
    else:
        print(result.text)
    return 0


def _cmd_rules(args: argparse.Namespace) -> int:
    from knowledge.rule_text import all_rules_in_chinese

    print(all_rules_in_chinese())
    return 0


def _cmd_vocab(args: argparse.Namespace) -> int:
    path = vocabulary.write_jieba_dictionary()
    print(f"wrote {len(vocabulary.policy_terms())} terms to {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m knowledge", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="SQLAlchemy URL (default: DATABASE_URL or var/knowledge.db)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("load", help="migrate the schema (Alembic) and (re)load the policy YAML").set_defaults(
        run=_cmd_load
    )
    commands.add_parser("check", help="validate the policy data, rules and vocabularies").set_defaults(run=_cmd_check)
    show = commands.add_parser("show", help="list measures, or print one measure's original text")
    show.add_argument("measure", nargs="?", help="number (13) or key (huishang_service_card)")
    show.add_argument("--aspect", choices=ASPECTS, help="print the assistant's answer for this aspect")
    show.add_argument("--today", help="answer as of this date (YYYY-MM-DD), for the time notes")
    show.set_defaults(run=_cmd_show)
    search = commands.add_parser("search", help="ranked measures for a question")
    search.add_argument("text", nargs="+")
    search.add_argument("--limit", type=int, default=5)
    search.set_defaults(run=_cmd_search)
    match = commands.add_parser("match", help="measures for an enterprise profile (政策找企业)")
    match.add_argument("text", nargs="*", help="the profile in words, e.g. 我们是专精特新企业，想做技改")
    match.add_argument(
        "--role", help="enterprise | guarantee_institution | service_platform | incubation_base | entrepreneur"
    )
    match.add_argument("--ownership", help="private | state")
    match.add_argument("--honour-level", dest="honour_level", help="province | city | county | none")
    match.add_argument("--qualification", action="append", help="e.g. provincial_specialized_sme, 小巨人 (repeatable)")
    match.add_argument("--plan", action="append", help="e.g. 技改, 数字化, 融资, 挂牌上市 (repeatable)")
    match.add_argument("--industry", action="append", help="e.g. 机器人, 智能家电 (repeatable)")
    match.add_argument("--limit", type=int, default=8)
    match.set_defaults(run=_cmd_match)
    eligible = commands.add_parser("eligible", help="evaluate an eligibility rule against facts")
    eligible.add_argument(
        "rule", nargs="?", help="rule key (guarantee_fee_subsidy …) or measure number; none lists them"
    )
    eligible.add_argument(
        "--fact", action="append", metavar="NAME=VALUE", help="e.g. guarantee_fee_rate=1.2%% (repeatable)"
    )
    eligible.add_argument("--json", action="store_true", help="print the answer card instead of the text")
    eligible.set_defaults(run=_cmd_eligible)
    commands.add_parser("rules", help="print every eligibility rule in plain Chinese").set_defaults(run=_cmd_rules)
    commands.add_parser("vocab", help="write the jieba dictionary from the policy vocabulary").set_defaults(
        run=_cmd_vocab
    )
    return parser


def main(argv: List[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (repository.MeasureNotFound, eligibility.UnknownRule, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
