from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from serverless_fit.data.catalog import platforms
from serverless_fit.errors import InputError
from serverless_fit.format.workload import Workload
from serverless_fit.model.facts import derive_facts
from serverless_fit.rules.engine import Rule
from serverless_fit.rules.rulepacks import parse_rules

BASE_RULE: dict[str, Any] = {
    "id": "ORG001",
    "name": "org-rule",
    "title": "An organisation's rule",
    "dimension": "latency",
    "severity": "risk",
    "impact": 10,
    "claims": ["L1"],
    "message": "p99 is {latency.p99}",
    "docs": {"what": "w", "why": "y"},
    "examples": {"fail": {}, "pass": {}},
}


def rule_with(**changes: Any) -> Rule:
    return Rule.model_validate({**BASE_RULE, **changes})


def facts_for(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    workload = Workload.model_validate({"name": "w", "archetype": "api", **data})
    return derive_facts(workload, platforms()["aws-lambda"])


def test_three_valued_logic_reports_missing_fields() -> None:
    rule = rule_with(
        when={"all": [{"fact": "latency.p99", "lt": "50ms"}, {"fact": "runtime", "eq": "java"}]}
    )
    unknown = rule.evaluate(facts_for({}))
    assert unknown.state is None
    assert unknown.missing == ("latency.p99", "runtime")
    decided = rule.evaluate(facts_for({"runtime": "go"}))
    assert decided.state is False  # one false branch decides an `all`


def test_any_is_true_when_one_branch_is_true_even_with_unknowns() -> None:
    rule = rule_with(
        when={"any": [{"fact": "latency.p99", "lt": "50ms"}, {"fact": "runtime", "eq": "java"}]}
    )
    assert rule.evaluate(facts_for({"runtime": "java"})).state is True


def test_not_inverts_and_keeps_unknown() -> None:
    rule = rule_with(when={"not": {"fact": "runtime", "eq": "java"}})
    assert rule.evaluate(facts_for({"runtime": "go"})).state is True
    assert rule.evaluate(facts_for({})).state is None


def test_fact_against_fact_and_units() -> None:
    rule = rule_with(when={"fact": "duration.max", "gt": {"fact": "target.limits.timeout"}})
    assert rule.evaluate(facts_for({"duration": {"max": "16min"}})).state is True
    assert rule.evaluate(facts_for({"duration": {"max": "900s"}})).state is False


@pytest.mark.parametrize(
    ("when", "says"),
    [
        ({"fact": "latency.p90", "lt": "1s"}, "did you mean 'latency.p99'"),
        ({"fact": "latency.p99", "lt": 50}, "needs a unit"),
        ({"fact": "latency.p99", "contains": "x"}, "does not apply"),
        ({"fact": "latency.p99", "matches": "x"}, "one operator"),
        ({"fact": "latency.p99", "lt": {"fact": "resources.memory"}}, "cannot compare"),
        ({"all": []}, "non-empty list"),
        ({"eval": "__import__('os')"}, "one operator"),
    ],
)
def test_conditions_outside_the_language_are_refused(when: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        rule_with(when=when)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    "template", ["{__class__}", "{x.__init__}", "{latency.p99.__class__}", "{0}", "{"]
)
def test_templates_only_read_facts(template: str) -> None:
    with pytest.raises(ValidationError):
        rule_with(when={"fact": "runtime", "eq": "java"}, message=template)


def test_deep_nesting_is_refused() -> None:
    when: dict[str, Any] = {"fact": "runtime", "eq": "java"}
    for _ in range(40):
        when = {"not": when}
    with pytest.raises(ValidationError) as caught:
        rule_with(when=when)
    assert "deeper" in str(caught.value)


def test_messages_format_facts_with_units() -> None:
    from serverless_fit.rules.engine import render_template

    facts = facts_for({"latency": {"p99": "300ms"}, "runtime": "java"})
    text = render_template("{latency.p99} vs {target.cold_start.p99} on {target.name}", facts)
    assert text == "300ms vs 601ms on AWS Lambda"


def test_a_broken_rule_file_is_located() -> None:
    text = "id: ORG001\nname: x\ntitle: t\ndimension: latency\nseverity: risky\n"
    with pytest.raises(InputError) as caught:
        parse_rules(text, "pack.yaml")
    lines = [str(p) for p in caught.value.problems]
    assert any(
        line.startswith("pack.yaml:5:11") and "did you mean 'risk'" in line for line in lines
    )
