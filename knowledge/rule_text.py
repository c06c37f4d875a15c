"""Every eligibility rule in plain Chinese, for a maintainer to check against the document
(`python -m knowledge rules`): each condition with its threshold or list, how the conditions
combine, the document's words each comes from, the questions asked, and the benefit."""

from __future__ import annotations

from typing import Any, List

from knowledge.card import citation_label
from knowledge.eligibility import Condition, Group, Rule, rules
from knowledge.facts import fact_definitions, format_number

_COMPARISON_WORDS = {"equals": "等于", "one_of": "属于", "at_most": "不超过", "at_least": "不低于"}


def _expected(condition: Condition) -> str:
    definition = fact_definitions()[condition.fact]
    if condition.comparison in ("at_most", "at_least"):
        suffix = "%" if definition.type == "rate" else ""
        return f"{format_number(float(condition.expected))}{suffix}"
    values = condition.expected if isinstance(condition.expected, list) else [condition.expected]
    return "、".join(definition.value_labels.get(value, str(value)) for value in values)


def _node_lines(node: Any, depth: int) -> List[str]:
    indent = "  " * depth
    if isinstance(node, Condition):
        label = fact_definitions()[node.fact].label
        return [
            f"{indent}- {node.condition}",
            f"{indent}  判断：{label}（{node.fact}）{_COMPARISON_WORDS[node.comparison]}{_expected(node)}",
            f"{indent}  要求：{node.requirement}",
            f"{indent}  原文：“{node.source}”",
        ]
    assert isinstance(node, Group)
    heading = "以下条件全部满足：" if node.mode == "all" else "以下满足其一即可："
    lines = [f"{indent}{heading}"]
    for child in node.children:
        lines += _node_lines(child, depth + 1)
    return lines


def rule_in_chinese(rule: Rule) -> str:
    label = citation_label(rule.measure_number)
    lines = [f"【{label}·{rule.title}】（规则 {rule.key}）", f"对象：{rule.recipient}", f"原文：“{rule.source}”"]
    lines += _node_lines(rule.conditions, 0)
    lines.append("依次询问：" + "；".join(f"{fact.label}（{fact.question}）" for fact in rule.facts))
    lines.append(f"支持内容：{rule.benefit['text']}".replace("\n", ""))
    if rule.benefit.get("source"):
        lines.append(f"  原文：“{rule.benefit['source']}”")
    if rule.names:
        lines.append("用户可能的叫法：" + "、".join(rule.names))
    return "\n".join(lines)


def all_rules_in_chinese() -> str:
    return "\n\n".join(rule_in_chinese(rule) for rule in rules().values())
