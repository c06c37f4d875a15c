"""The eligibility rules engine: rules are YAML (``data/eligibility/*.yaml``), one engine
evaluates them.

``evaluate(rule_key, facts)`` returns the verdict (eligible | not_eligible | need_info), a
reason per condition the document states, the next missing fact with its question, and the
benefit. Conditions form a tree of ``all`` / ``any`` nodes with leaves such as
``{fact: guarantee_fee_rate, at_most: 1.2}``; unknown facts make a leaf unknown, and the
verdict follows three-valued logic, so a rule stops asking as soon as the answer is settled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

import yaml

from knowledge import statements
from knowledge.card import VERDICT_LABELS, VERDICTS, AnswerCard, Reason, citation_label
from knowledge.facts import (
    FactDefinition,
    Option,
    fact_definitions,
    format_number,
    format_yuan,
    keyword_value,
    parse_amount,
    parse_bool,
    parse_rate,
    prepare_text,
)
from knowledge.paths import DATA_DIR
from knowledge.source_data import read_all
from knowledge.textnorm import normalise

RULES_DIR = DATA_DIR / "eligibility"
# YAML folds long lines with a space; between Chinese characters that space is noise.
_FOLD_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
_COMPARISONS = ("equals", "one_of", "at_most", "at_least")


class UnknownRule(KeyError):
    def __str__(self) -> str:
        return f"no eligibility rule {self.args[0]!r}; known rules: {', '.join(sorted(rules()))}"


class RuleDataError(ValueError):
    """A rule YAML file is malformed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class RuleFact:
    """A fact the rule asks for, with its question and the buttons to offer."""

    name: str
    label: str
    question: str
    options: Tuple[Option, ...]


@dataclass(frozen=True)
class Condition:
    """A leaf of the condition tree: one fact compared with what the document states."""

    fact: str
    condition: str
    comparison: str
    expected: Any
    explain_not_met: Mapping[Any, str] = field(default_factory=dict)
    # What meets it ("年化担保费率需不超过1.2%") and the document's words it comes from (verbatim).
    requirement: str = ""
    source: str = ""

    def test(self, value: Any) -> bool | None:
        if value is None:
            return None
        qualifier = statements.qualified(value)
        if qualifier is not None:
            return self._test_qualified(*qualifier)
        if self.comparison == "equals":
            return value == self.expected
        if self.comparison == "one_of":
            return value in self.expected
        if self.comparison == "at_most":
            return float(value) <= float(self.expected)
        return float(value) >= float(self.expected)  # at_least

    def _test_qualified(self, prefix: str, value: str) -> bool | None:
        """A negated value fails the condition it names and leaves any other unknown ("不是国企" does
        not say 民营); a rate bound meets or fails only when the bound itself decides it."""
        if prefix == statements.NOT_PREFIX:
            if self.comparison == "equals" and value == str(self.expected):
                return False
            if self.comparison == "one_of" and [value] == [str(item) for item in self.expected]:
                return False
            return None
        bound = float(value)
        if self.comparison == "at_most":
            if prefix == statements.AT_MOST_PREFIX:
                return True if bound <= float(self.expected) else None
            return False if bound >= float(self.expected) else None
        if self.comparison == "at_least":
            if prefix == statements.ABOVE_PREFIX:
                return True if bound >= float(self.expected) else None
            return False if bound < float(self.expected) else None
        return None


@dataclass(frozen=True)
class Group:
    mode: str  # all | any
    children: Tuple[Any, ...]  # Condition | Group


@dataclass(frozen=True)
class Rule:
    key: str
    measure_number: int
    title: str
    recipient: str
    facts: Tuple[RuleFact, ...]
    conditions: Group
    benefit: Mapping[str, Any]
    notes: Tuple[str, ...] = ()
    # The document's sentence the rule comes from (verbatim), and how people name the programme.
    source: str = ""
    names: Tuple[str, ...] = ()

    @property
    def fact_names(self) -> Tuple[str, ...]:
        return tuple(fact.name for fact in self.facts)

    def fact(self, name: str) -> RuleFact:
        return next(fact for fact in self.facts if fact.name == name)


@dataclass
class Evaluation:
    rule: Rule
    measure_number: int
    verdict: str
    reasons: List[Reason]
    next_fact: str | None
    next_question: str | None
    benefit_text: str
    notes: List[str]
    # Additions beyond the agreed interface: the buttons for next_fact, and the facts as read.
    next_options: List[Option] = field(default_factory=list)
    facts: Dict[str, Any] = field(default_factory=dict)
    # The facts still unknown whose answer could change the verdict (need_info).
    open_facts: Tuple[str, ...] = ()
    # Facts the conversation stated and then took back (a correction, a doubt): unknown again.
    taken_back: Tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return explain(self)

    def card(self, confidence: float | None = None, source: Dict[str, str] | None = None) -> AnswerCard:
        """The eligibility answer card (kind "eligibility", cites the rule's measure).

        ``source`` defaults to the document the rule's measure belongs to."""
        return AnswerCard(
            kind="eligibility",
            citations=[self.measure_number],
            measure=self.rule.key,
            verdict=self.verdict,
            reasons=list(self.reasons),
            next_question=self.next_question,
            source=source or document_source(self.measure_number),
            notes=list(self.notes),
            confidence=confidence,
        )


# --- reading the rules -----------------------------------------------------------------------


def _parse_node(raw: Any, path: Path, definitions: Dict[str, FactDefinition]) -> Any:
    if not isinstance(raw, dict):
        raise RuleDataError(f"{path}: a condition must be a mapping, got {raw!r}")
    for mode in ("all", "any"):
        if mode in raw:
            children = raw[mode]
            if not isinstance(children, list) or not children:
                raise RuleDataError(f"{path}: '{mode}' needs a non-empty list")
            return Group(mode, tuple(_parse_node(child, path, definitions) for child in children))
    fact = raw.get("fact")
    if fact not in definitions:
        raise RuleDataError(f"{path}: condition names unknown fact {fact!r} (facts are in data/facts.yaml)")
    comparisons = [name for name in _COMPARISONS if name in raw]
    if len(comparisons) != 1:
        raise RuleDataError(f"{path}: condition on {fact} needs exactly one of {', '.join(_COMPARISONS)}")
    if not raw.get("condition"):
        raise RuleDataError(f"{path}: condition on {fact} needs its 'condition' text")
    if not raw.get("source"):
        # Auditable rules: every threshold and list carries the document's words it comes from.
        raise RuleDataError(f"{path}: condition on {fact} needs its 'source' (the document's words)")
    comparison = comparisons[0]
    return Condition(
        fact=fact,
        condition=raw["condition"],
        comparison=comparison,
        expected=raw[comparison],
        explain_not_met=dict(raw.get("explain_not_met") or {}),
        requirement=_squash(str(raw.get("requirement") or raw["condition"])),
        source=_squash(str(raw.get("source") or "")),
    )


def leaves(node: Any) -> List[Condition]:
    if isinstance(node, Condition):
        return [node]
    return [leaf for child in node.children for leaf in leaves(child)]


def read_rule(path: Path) -> Rule:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise RuleDataError(f"{path}: not valid YAML ({error})") from error
    missing = [name for name in ("key", "measure", "title", "facts", "conditions", "benefit") if not raw.get(name)]
    if missing:
        raise RuleDataError(f"{path}: missing {', '.join(missing)}")
    definitions = fact_definitions()
    unknown = [name for name in raw["facts"] if name not in definitions]
    if unknown:
        raise RuleDataError(f"{path}: unknown facts {unknown}")
    conditions = _parse_node(raw["conditions"], path, definitions)
    if isinstance(conditions, Condition):
        conditions = Group("all", (conditions,))
    asked = set(raw["facts"])
    unasked = sorted({leaf.fact for leaf in leaves(conditions)} - asked)
    if unasked:
        raise RuleDataError(f"{path}: conditions use facts not listed under 'facts': {unasked}")
    facts = tuple(
        RuleFact(
            name=name,
            label=definitions[name].label,
            question=(raw.get("questions") or {}).get(name) or definitions[name].question,
            options=definitions[name].options,
        )
        for name in raw["facts"]
    )
    return Rule(
        key=raw["key"],
        measure_number=int(raw["measure"]),
        title=raw["title"],
        recipient=raw.get("recipient", ""),
        facts=facts,
        conditions=conditions,
        benefit=raw["benefit"],
        notes=tuple(raw.get("notes") or ()),
        source=_squash(str(raw.get("source") or "")),
        names=tuple(normalise(str(name)) for name in raw.get("names") or ()),
    )


@lru_cache(maxsize=1)
def _rules() -> Dict[str, Rule]:
    loaded: Dict[str, Rule] = {}
    for path in sorted(RULES_DIR.glob("*.yaml")):
        rule = read_rule(path)
        if rule.key in loaded:
            raise RuleDataError(f"{path}: rule key {rule.key!r} is used twice")
        loaded[rule.key] = rule
    return loaded


def rules() -> Dict[str, Rule]:
    """Every rule by key: guarantee_fee_subsidy, guarantee_fee_reduction_award, huishang_service_card…"""
    return dict(_rules())


@lru_cache(maxsize=1)
def _measure_index() -> Dict[int, Tuple[str, Dict[str, str]]]:
    """Measure number → (measure key, the card's source block of its document), from the YAML."""
    index = {}
    for data in read_all():
        meta = data.document
        source = {"title": meta["title"], "issuer": meta["issuer"], "date": str(meta["date"])}
        for measure in data.measures:
            index[measure["number"]] = (measure["key"], source)
    return index


def document_source(number: int) -> Dict[str, str] | None:
    """The answer card's ``source`` for the document holding measure ``number``."""
    entry = _measure_index().get(number)
    return dict(entry[1]) if entry else None


def measure_key(rule: Rule) -> str | None:
    """The key of the measure a rule belongs to (fiscal_funds_and_guarantee for 第10条)."""
    entry = _measure_index().get(rule.measure_number)
    return entry[0] if entry else None


def rules_for_measure(number: int) -> List[Rule]:
    return [rule for rule in _rules().values() if rule.measure_number == number]


# --- reading facts ---------------------------------------------------------------------------


def coerce_fact(name: str, value: Any) -> Any:
    """A fact value as the engine compares it: slot strings and free text become the value.

    "1.2%" → 1.2 for a rate, "500万" → 5000000.0 for an amount, "是" → True for a yes/no fact,
    "信用" → "credit" for a category. Returns None when the value cannot be read.
    """
    definition = fact_definitions().get(name)
    if definition is None or value is None or value == "" or not isinstance(value, (str, int, float, bool)):
        return None
    qualifier = statements.qualified(value)
    if qualifier is not None:
        return _valid_qualified(definition, *qualifier)
    if definition.type == "rate":
        return parse_rate(value)
    if definition.type == "amount":
        return parse_amount(value)
    if definition.type == "bool":
        if isinstance(value, bool):
            return value
        answer = parse_bool(value)
        if answer is not None:
            return answer
        return keyword_value(prepare_text(value), definition)
    if value in definition.value_labels:
        return value
    text = prepare_text(str(value))
    for known, label in definition.value_labels.items():
        if text == str(known) or text == prepare_text(label):
            return known
    for option in definition.options:
        if text == prepare_text(option.title):
            return option.value
    return keyword_value(text, definition)


def _valid_qualified(definition: FactDefinition, prefix: str, value: str) -> str | None:
    """ "not:province" stays when province is a value of the fact; "at_most:1.2" when it is a rate."""
    if prefix == statements.NOT_PREFIX:
        known = {str(item) for item in definition.value_labels}
        return f"{prefix}{value}" if value in known else None
    rate = parse_rate(value) if definition.type == "rate" else None
    if rate is None:
        return None
    return f"{prefix}{format_number(rate)}"


def _evaluate_node(node: Any, facts: Mapping[str, Any]) -> bool | None:
    if isinstance(node, Condition):
        return node.test(facts.get(node.fact))
    results = [_evaluate_node(child, facts) for child in node.children]
    if node.mode == "all":
        if any(result is False for result in results):
            return False
        return True if all(result is True for result in results) else None
    if any(result is True for result in results):
        return True
    return False if all(result is False for result in results) else None


def _openleaves(node: Any, facts: Mapping[str, Any]) -> List[Condition]:
    """Unknown leaves whose answer could still change the outcome."""
    if _evaluate_node(node, facts) is not None:
        return []
    if isinstance(node, Condition):
        return [node]
    return [leaf for child in node.children for leaf in _openleaves(child, facts)]


def evaluate(
    rule_key: str,
    facts: Mapping[str, Any] | None = None,
    stated_in: Mapping[str, Mapping[str, Any]] | None = None,
) -> Evaluation:
    """Evaluate one rule against what is known. Unknown facts may simply be left out.

    ``stated_in`` says, per fact, where the user gave it ({"message": 2, "text": "…"}): it goes
    into each reason's trace."""
    try:
        rule = _rules()[rule_key]
    except KeyError:
        raise UnknownRule(rule_key) from None
    given = dict(facts or {})
    known = {name: coerce_fact(name, value) for name, value in given.items()}
    known = {name: value for name, value in known.items() if value is not None}
    definitions = fact_definitions()

    outcome = _evaluate_node(rule.conditions, known)
    verdict = {True: "eligible", False: "not_eligible", None: "need_info"}[outcome]
    reasons = []
    notes: List[str] = []
    for leaf in leaves(rule.conditions):
        value = known.get(leaf.fact)
        met = leaf.test(value)
        shown = definitions[leaf.fact].describe(value) if value is not None else None
        where = (stated_in or {}).get(leaf.fact) if value is not None else None
        reasons.append(
            Reason(
                leaf.condition,
                met,
                shown,
                fact_name=leaf.fact,
                requirement=f"{leaf.requirement}（{citation_label(rule.measure_number)}）",
                source=leaf.source or rule.source,
                stated_in=dict(where) if where else None,
            )
        )
        if met is False and verdict == "not_eligible" and leaf.explain_not_met:
            explanation = leaf.explain_not_met.get(value) or leaf.explain_not_met.get("default")
            if explanation:
                notes.append(_squash(explanation))
    unreadable = [name for name in given if name in definitions and given[name] not in (None, "") and name not in known]
    for name in unreadable:
        notes.append(f"没能识别“{given[name]}”作为{definitions[name].label}，请换个说法。")
    notes.extend(_squash(note) for note in rule.notes)

    next_fact = next_question = None
    next_options: List[Option] = []
    open_facts: set = set()
    if verdict == "need_info":
        open_facts = {leaf.fact for leaf in _openleaves(rule.conditions, known)}
        next_fact = next(name for name in rule.fact_names if name in open_facts)
        asked = rule.fact(next_fact)
        next_question, next_options = asked.question, list(asked.options)

    return Evaluation(
        rule=rule,
        measure_number=rule.measure_number,
        verdict=verdict,
        reasons=reasons,
        next_fact=next_fact,
        next_question=next_question,
        benefit_text=_benefit_text(rule, known, verdict),
        notes=notes,
        next_options=next_options,
        facts=known,
        open_facts=tuple(name for name in rule.fact_names if name in open_facts),
    )


def _benefit_text(rule: Rule, known: Mapping[str, Any], verdict: str) -> str:
    text = _squash(str(rule.benefit["text"]))
    base_fact = rule.benefit.get("percent_of")
    amount = known.get(base_fact) if base_fact else None
    if amount is not None and verdict != "not_eligible":
        benefit = amount * float(rule.benefit["percent"]) / 100
        text += rule.benefit["computed"].format(amount=format_yuan(amount), benefit=format_yuan(benefit))
    return text


def _squash(text: str) -> str:
    return _FOLD_SPACE.sub("", text.strip())


_MARKS = {True: "✓", False: "✗", None: "？"}


def explain(evaluation: Evaluation) -> str:
    """The evaluation as chat text, citing the measure (第N条).

    A not_eligible answer names the failed condition first, with what would meet it and the
    document's words; a need_info answer names what is still unknown the same way. Then every
    condition with the user's value, so the other conditions that would matter are visible too."""
    rule = evaluation.rule
    label = citation_label(evaluation.measure_number)
    lines = [f"【{label}·{rule.title}】", f"结论：{VERDICT_LABELS[evaluation.verdict]}。"]
    if evaluation.verdict == "not_eligible":
        for reason in evaluation.reasons:
            if reason.met is False:
                lines.append(f"不符合：{requirement_with_source(reason)}；您的情况：{reason.fact}。")
    elif evaluation.verdict == "need_info":
        missing = [reason for reason in evaluation.reasons if reason.fact_name in evaluation.open_facts]
        for reason in missing:
            lines.append(f"还需确认：{requirement_with_source(reason)}。")
    lines.append("逐条对照文件规定的条件：")
    for reason in evaluation.reasons:
        fact = f"（您的情况：{reason.fact}）" if reason.fact else "（尚不清楚）"
        lines.append(f"{_MARKS[reason.met]} {reason.condition}{fact}")
    lines.append(f"支持内容：{evaluation.benefit_text}")
    lines.extend(evaluation.notes)
    if evaluation.next_question:
        lines.append(evaluation.next_question)
    lines.append(f"（依据：《若干意见》实施意见{label}）")
    return "\n".join(lines)


def requirement_with_source(reason: Reason) -> str:
    """ "年化担保费率需不超过1.2%（第10条，原文：“年化担保费率不超过1.2%”）"."""
    requirement = reason.requirement or reason.condition
    if reason.source:
        return (
            f"{requirement[:-1]}，原文：“{reason.source}”）"
            if requirement.endswith("）")
            else f"{requirement}（原文：“{reason.source}”）"
        )
    return requirement


__all__ = [
    "Evaluation",
    "Rule",
    "RuleFact",
    "UnknownRule",
    "VERDICTS",
    "VERDICT_LABELS",
    "coerce_fact",
    "evaluate",
    "explain",
    "format_number",
    "rules",
    "rules_for_measure",
]
