"""Every built-in rule's own examples are its tests; every seed claim has a rule."""

from __future__ import annotations

import pytest
import yaml

from serverless_fit.data.catalog import platforms
from serverless_fit.format.workload import Workload
from serverless_fit.model.facts import derive_facts
from serverless_fit.rules.engine import Rule
from serverless_fit.rules.rulepacks import builtin_rules
from tests.conftest import MINIMAL, deep_merge

RULES = builtin_rules()
SEED_CLAIMS = ["B1", "B2", "B3", "B4", "B5", "U1", "U2", "U3", "U4", "L1", "L2", "L3", "L4"]


def outcome(rule: Rule, example: dict[str, object]) -> bool | None:
    workload = Workload.model_validate(deep_merge(MINIMAL, example))
    facts = derive_facts(workload, platforms()[rule.examples.target])
    return rule.evaluate(facts).state


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_fires_on_its_fail_example(rule: Rule) -> None:
    assert outcome(rule, rule.examples.fail) is True


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_assessed_and_quiet_on_its_pass_example(rule: Rule) -> None:
    assert outcome(rule, rule.examples.pass_) is False


@pytest.mark.parametrize("claim", SEED_CLAIMS)
def test_every_seed_claim_has_a_rule(claim: str) -> None:
    assert any(claim in rule.claims for rule in RULES)


def test_rule_ids_and_names_are_unique() -> None:
    assert len({r.id for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


def test_rules_hold_no_platform_numbers() -> None:
    """Limits come from the platform profile: a rule compares with target facts, not literals."""
    for rule in RULES:
        for condition in _conditions(rule.when):
            if str(condition.get("fact", "")).startswith("cost."):
                continue  # money floors are the organisation's policy, not a platform's limit
            text = yaml.safe_dump(condition)
            for unit in ("15min", "900s", "10240", "6MiB", "250MiB", "30s", "1000"):
                assert unit not in text, (rule.id, unit)


def _conditions(node: object) -> list[dict[str, object]]:
    """The leaf conditions of a rule's `when` tree."""
    if isinstance(node, list):
        return [leaf for child in node for leaf in _conditions(child)]
    if isinstance(node, dict):
        for key in ("all", "any", "not"):
            if key in node:
                return _conditions(node[key])
        return [node]
    return []


def test_hard_platform_limits_are_blockers() -> None:
    by_id = {r.id: r for r in RULES}
    for rule_id in ("DUR001", "DUR003", "RES001", "RES002", "RES003", "RES004", "RES005", "RES006"):
        assert by_id[rule_id].severity == "blocker"


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("DynamoDB", "aws"),
        ("Amazon SQS", "aws"),
        ("aws_step_functions", "aws"),
        ("google-cloud-pubsub", "gcp"),
        ("Azure Cosmos DB", "azure"),
        ("amazon-s3", None),
        ("postgres", None),
        ("some-internal-service", None),
    ],
)
def test_vendor_services_are_recognised_as_people_write_them(
    name: str, provider: str | None
) -> None:
    from serverless_fit.data.catalog import services

    assert services().vendor_of(name) == provider


def test_limits_are_found_without_optional_fields() -> None:
    by_id = {r.id: r for r in RULES}
    # no runtime: the fastest runtime's cold start still rules out a 30 ms objective
    assert outcome(by_id["LAT002"], {"latency": {"p99": "30ms"}}) is True
    sporadic = {"pattern": "sporadic", "average": "20/h"}
    quick = {"latency": {"p99": "40ms"}, "duration": {"typical": "30ms"}, "traffic": sporadic}
    assert outcome(by_id["LAT001"], quick) is True
    # only a typical duration: a 2-hour job is still over the limit
    assert outcome(by_id["DUR001"], {"duration": {"typical": "2h"}}) is True
    # vendor services with portability unstated still raise lock-in
    assert outcome(by_id["PORT002"], {"dependencies": ["dynamodb"]}) is True


def test_a_run_over_the_timeout_is_one_blocker_not_also_a_risk() -> None:
    by_id = {r.id: r for r in RULES}
    over = {"duration": {"typical": "20min", "max": "40min"}}
    assert outcome(by_id["DUR001"], over) is True
    assert outcome(by_id["DUR002"], over) is False
    close = {"duration": {"typical": "5min", "max": "10min"}}
    assert outcome(by_id["DUR001"], close) is False
    assert outcome(by_id["DUR002"], close) is True


@pytest.mark.parametrize("target", ["aws-lambda", "azure-functions", "cloudflare-workers"])
def test_a_gpu_workload_is_blocked_where_the_platform_has_no_gpu(target: str) -> None:
    rule = next(r for r in RULES if r.id == "RES002")
    workload = Workload.model_validate(
        {"name": "w", "archetype": "ml-inference", "resources": {"gpu": True}}
    )
    facts = derive_facts(workload, platforms()[target])
    assert rule.evaluate(facts).state is True
    google = derive_facts(workload, platforms()["gcp-cloud-run-functions"])
    assert rule.evaluate(google).state is False
