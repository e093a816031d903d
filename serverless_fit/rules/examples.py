"""A rule's own examples, run for real: they document the rule and they test it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from serverless_fit.data import catalog
from serverless_fit.errors import Problem
from serverless_fit.format.workload import Workload
from serverless_fit.model.facts import derive_facts
from serverless_fit.rules.engine import Rule, render_template

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
    missing: tuple[str, ...] = ()  # what the rule needed and the example did not give
    mitigation: str | None = None  # the mitigation as the example's finding says it
    out_of_scope: str | None = None  # the example's archetype, which the rule is not for


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
    if not rule.concerns(workload.archetype):  # as `assess` does: never evaluated
        return ExampleRun(partial, target, False, None, out_of_scope=workload.archetype)
    facts = derive_facts(workload, platform)
    outcome = rule.evaluate(facts)
    message = render_template(rule.message, facts) if outcome.state else None
    mitigation = (
        render_template(rule.mitigation, facts) if outcome.state and rule.mitigation else None
    )
    return ExampleRun(
        partial, target, outcome.state, message, missing=outcome.missing, mitigation=mitigation
    )


def example_problems(rule: Rule, where: Problem) -> list[Problem]:
    """Located problems when the rule does not fire on its fail example or fires on (or
    cannot assess) its pass example; none when both come out as written."""
    problems = []
    cases = (("fail", rule.examples.fail, True), ("pass", rule.examples.pass_, False))
    for kind, partial, wanted in cases:
        run = run_example(rule, partial, rule.examples.target)
        if run.fires is wanted:
            continue
        if run.problem is not None:
            found = f"the example is not a valid workload ({run.problem})"
        elif run.out_of_scope is not None:
            found = (
                f"the example's archetype is {run.out_of_scope}, which {rule.id} is not for "
                f"({rule.scope()}): give it an archetype the rule is for"
            )
        elif run.fires is None:
            found = f"{rule.id} cannot be assessed on it: it needs {', '.join(run.missing)}"
        else:
            found = f"{rule.id} {'stays quiet' if wanted else 'fires'} on it"
        expected = "fire" if wanted else "stay quiet"
        field = f"{where.field}.examples.{kind}" if where.field else f"examples.{kind}"
        message = f"{found}; a rule's {kind} example must make it {expected}"
        problems.append(Problem(where.file, where.line, where.column, field, message))
    return problems
