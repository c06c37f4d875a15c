"""Auditable eligibility rules: every threshold and list carries the document's own words
(verbatim in the source text), `python -m knowledge rules` prints every rule in plain Chinese,
and adding a rule is editing data: its form-validation action is generated and domain.yml's form
asks exactly the rule's facts (no model needed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from actions.eligibility import ASK_ACTIONS, FORM_VALIDATIONS
from knowledge.beneficiaries import audiences, document_scope
from knowledge.eligibility import Condition, Group, RuleDataError, leaves, read_rule, rules
from knowledge.facts import FACT_NAMES
from knowledge.source_data import read_all

PROJECT = Path(__file__).resolve().parent.parent
SOURCE_TEXT = (PROJECT / "knowledge" / "data" / "policies" / "wanjingxin_2021" / "source.txt").read_text(
    encoding="utf-8"
)
DOMAIN = yaml.safe_load((PROJECT / "domain.yml").read_text(encoding="utf-8"))
RULES_YML = yaml.safe_load((PROJECT / "data" / "rules.yml").read_text(encoding="utf-8"))


def conditions(node: Any) -> Iterator[Condition]:
    if isinstance(node, Group):
        for child in node.children:
            yield from conditions(child)
    else:
        yield node


@pytest.mark.parametrize("key", sorted(rules()))
def test_every_sentence_a_rule_quotes_is_in_the_document_verbatim(key: str) -> None:
    rule = rules()[key]
    assert rule.source and rule.source in SOURCE_TEXT, rule.source
    for condition in leaves(rule.conditions):
        assert condition.source, f"{key}: {condition.fact} has no source"
        assert condition.source in SOURCE_TEXT, condition.source
        assert condition.source in rule.source or condition.source in SOURCE_TEXT
    if rule.benefit.get("source"):
        assert rule.benefit["source"] in SOURCE_TEXT


@pytest.mark.parametrize("key", sorted(rules()))
def test_every_threshold_is_written_in_the_sentence_it_cites(key: str) -> None:
    for condition in leaves(rules()[key].conditions):
        if condition.comparison in ("at_most", "at_least"):
            assert f"{condition.expected}%" in condition.source, (condition.expected, condition.source)
            assert f"{condition.expected}%" in condition.requirement


def test_every_audience_sentence_is_in_the_document_verbatim() -> None:
    assert document_scope().source in SOURCE_TEXT
    keys = {measure["key"] for document in read_all() for measure in document.measures}
    assert set(audiences()) == keys, "every measure says whom it is for"
    for audience in audiences().values():
        assert audience.sources, audience.key
        for sentence in audience.sources:
            assert sentence in SOURCE_TEXT, (audience.key, sentence)


def test_a_condition_without_its_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rule.yaml"
    path.write_text(
        "key: x\nmeasure: 10\ntitle: t\nfacts: [guarantee_fee_rate]\nbenefit: {text: b}\n"
        "conditions: {all: [{fact: guarantee_fee_rate, at_most: 1.2, condition: c}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleDataError, match="source"):
        read_rule(path)


def test_the_rules_command_prints_every_rule_in_plain_chinese() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "knowledge", "rules"], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout
    for rule in rules().values():
        assert rule.title in out and rule.source in out
        for condition in leaves(rule.conditions):
            assert condition.condition in out and condition.source in out
    assert "不超过1.2%" in out and "以下满足其一即可" in out


@pytest.mark.parametrize("key", sorted(rules()))
def test_every_rule_has_its_form_asking_exactly_its_facts(key: str) -> None:
    form = DOMAIN["forms"][f"{key}_form"]
    assert form["required_slots"] == list(rules()[key].fact_names)
    assert f"validate_{key}_form" in DOMAIN["actions"]
    assert f"check_{key}" in DOMAIN["intents"]
    assert f"ask_{key}" in DOMAIN["slots"]["eligibility_status"]["values"]
    for fact in rules()[key].fact_names:
        assert f"action_ask_{fact}" in DOMAIN["actions"]
        # While the form runs, any message's fact entity fills the slot.
        loops = [
            condition.get("active_loop")
            for mapping in DOMAIN["slots"][fact]["mappings"]
            for condition in mapping.get("conditions") or []
        ]
        assert f"{key}_form" in loops, (fact, key)
    steps = [str(rule_entry.get("steps")) for rule_entry in RULES_YML["rules"]]
    assert any(f"{key}_form" in step and "active_loop" in step for step in steps)


# Forms of domain.yml that are not an eligibility check: the hotline's call-back (actions/callback.py).
NOT_ELIGIBILITY_FORMS = {"callback_form"}


def test_domain_has_no_form_loop_or_status_without_its_rule() -> None:
    """The other direction: a removed or renamed rule leaves nothing behind in domain.yml (the forms,
    their validation actions, check intents and statuses are written there by hand: editing
    domain.yml retrains, so they are checked here rather than generated at training time)."""
    keys = set(rules())
    check_forms = set(DOMAIN["forms"]) - NOT_ELIGIBILITY_FORMS
    assert NOT_ELIGIBILITY_FORMS <= set(DOMAIN["forms"]), "a form named below is gone: take it off the list"
    assert check_forms == {f"{key}_form" for key in keys}
    validations = {a for a in DOMAIN["actions"] if a.startswith("validate_")}
    assert validations - {f"validate_{form}" for form in NOT_ELIGIBILITY_FORMS} == {f"validate_{k}_form" for k in keys}
    checks = {i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]}
    assert {i for i in checks if i.startswith("check_")} == {f"check_{key}" for key in keys}
    statuses = set(DOMAIN["slots"]["eligibility_status"]["values"]) - {"decided"}
    assert statuses == {f"ask_{key}" for key in keys}
    # Every ask action the action server registers is in the domain, and no other.
    asked = {cls().name() for cls in ASK_ACTIONS}
    assert (
        {a for a in DOMAIN["actions"] if a.startswith("action_ask_")}
        == asked
        == {f"action_ask_{f}" for f in FACT_NAMES}
    )


@pytest.mark.parametrize("fact", sorted({fact for rule in rules().values() for fact in rule.fact_names}))
def test_every_fact_slot_fills_in_exactly_the_forms_that_ask_it(fact: str) -> None:
    slot = DOMAIN["slots"][fact]
    assert fact in DOMAIN["entities"], f"{fact}: the slot is filled from an entity the domain does not declare"
    loops = {c.get("active_loop") for m in slot["mappings"] for c in m.get("conditions") or []}
    asking = {f"{key}_form" for key, rule in rules().items() if fact in rule.fact_names}
    assert loops == asking, f"{fact}: filled during {sorted(loops)}, asked by {sorted(asking)}"
    assert all(m.get("entity") in (None, fact) for m in slot["mappings"]), f"{fact}: filled from another entity"
    # A check question that states the fact ("我的担保费率1.2%能办吗") fills it before the form starts.
    said_with = {i for m in slot["mappings"] if isinstance(m.get("intent"), list) for i in m["intent"]}
    for key, rule in rules().items():
        if fact in rule.fact_names:
            assert f"check_{key}" in said_with, (fact, key)


def test_every_rule_gets_a_generated_form_validation_action() -> None:
    names = {cls().name() for cls in FORM_VALIDATIONS}
    assert names == {f"validate_{key}_form" for key in rules()}


def test_the_card_source_is_the_rules_own_document() -> None:
    from knowledge.eligibility import document_source, evaluate

    for key, rule in rules().items():
        card = evaluate(key, {}).card()
        assert card.source == document_source(rule.measure_number) and card.source["title"]
