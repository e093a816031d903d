"""What `rules list` and `rules explain` say about a rule, with its examples run for real."""

from __future__ import annotations

from dataclasses import dataclass

from serverless_fit.rules.engine import Rule
from serverless_fit.rules.examples import MINIMAL_WORKLOAD, ExampleRun, merged, run_example
from serverless_fit.rules.rulepacks import RuleSet, builtin_rules, claims

__all__ = ["MINIMAL_WORKLOAD", "ExampleRun", "merged", "run_example"]


@dataclass(frozen=True)
class RuleDoc:
    rule: Rule
    claims: tuple[tuple[str, str], ...]  # seed claim id and the claim in words
    fail: ExampleRun
    pass_: ExampleRun
    change: str | None  # what an organisation's override changed
    origin: str | None  # the pack file and line of an organisation's rule
    disabled: bool = False


def document(rule: Rule, rule_set: RuleSet) -> RuleDoc:
    words = claims()
    target = rule.examples.target
    return RuleDoc(
        rule=rule,
        claims=tuple((claim, words.get(claim, "")) for claim in rule.claims),
        fail=run_example(rule, rule.examples.fail, target),
        pass_=run_example(rule, rule.examples.pass_, target),
        change=rule_set.changes.get(rule.id),
        origin=rule_set.origins.get(rule.id),
        disabled=rule.id in rule_set.disabled,
    )


def find(rule_id: str, rule_set: RuleSet) -> Rule | None:
    """A rule of the run, or a built-in rule an override switched off."""
    wanted = rule_id.upper()
    for rule in (*rule_set.rules, *builtin_rules()):
        if rule.id == wanted:
            return rule
    return None


def selected(
    rule_set: RuleSet,
    dimensions: tuple[str, ...] = (),
    target: str | None = None,
    severities: tuple[str, ...] = (),
) -> list[Rule]:
    """The run's rules, filtered by dimension, by the target they apply to, and by severity."""
    return [
        rule
        for rule in rule_set.rules
        if (not dimensions or rule.dimension in dimensions)
        and (target is None or rule.applies_to(target))
        and (not severities or rule.severity in severities)
    ]


def coverage(rules: list[Rule]) -> dict[str, list[str]]:
    """Seed claim id -> the rules that implement it."""
    covered: dict[str, list[str]] = {claim: [] for claim in claims()}
    for rule in rules:
        for claim in rule.claims:
            covered.setdefault(claim, []).append(rule.id)
    return covered
