"""What `rules list` and `rules explain` say about a rule, with its examples run for real."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from serverless_fit.data import catalog
from serverless_fit.format.workload import Workload
from serverless_fit.model.facts import derive_facts
from serverless_fit.rules.engine import Rule, render_template
from serverless_fit.rules.rulepacks import RuleSet, builtin_rules, claims

# Rule examples are partial workloads merged onto this one, so that they stay short.
MINIMAL_WORKLOAD: dict[str, Any] = {"name": "example", "archetype": "other"}


def merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`extra` laid over `base`, mapping by mapping."""
    result = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


@dataclass(frozen=True)
class ExampleRun:
    """A rule example assessed by the engine: whether the rule fired, and what it said."""

    partial: dict[str, Any]
    target: str
    fires: bool | None  # None: the rule could not be decided (or the example is invalid)
    message: str | None
    problem: str | None = None  # the example is not a valid workload


def run_example(rule: Rule, partial: dict[str, Any], target: str) -> ExampleRun:
    platform = catalog.platforms().get(target)
    if platform is None:
        return ExampleRun(partial, target, None, None, f"unknown target {target!r}")
    try:
        workload = Workload.model_validate(merged(MINIMAL_WORKLOAD, partial))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return ExampleRun(partial, target, None, None, f"{where}: {first['msg']}")
    facts = derive_facts(workload, platform)
    state = rule.evaluate(facts).state
    message = render_template(rule.message, facts) if state else None
    return ExampleRun(partial, target, state, message)


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
