"""Counterfactuals change the finding when applied to the file; --verbose says why each rule
came out as it did."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serverless_fit.data import catalog
from serverless_fit.format.units import Duration, parse_duration
from serverless_fit.format.workload import Workload
from serverless_fit.model.bills import CostSettings
from serverless_fit.model.facts import derive_facts
from serverless_fit.pipeline.assess import Options, assess_files
from serverless_fit.report import Result
from serverless_fit.rules.counterfactuals import _clears_with
from serverless_fit.rules.engine import explain
from serverless_fit.rules.rulepacks import builtin_rules
from tests.conftest import WORKLOADS
from tests.test_cli import run

RULES = builtin_rules()
AS_OF = dt.date(2026, 11, 27)


def _scalar(value: str) -> Any:
    """A counterfactual value as YAML holds it: true/false, a number, or text with a unit."""
    parsed = yaml.safe_load(value)
    return parsed if isinstance(parsed, bool | int | float) else value


def apply(data: dict[str, Any], field: str, value: str) -> dict[str, Any]:
    changed = json.loads(json.dumps(data, default=str))
    node = changed
    *parents, leaf = field.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = _scalar(value)
    return changed


def assess_data(
    tmp_path: Path, data: dict[str, Any], target: str, *, proposals: bool = True
) -> Result:
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    options = Options(targets=(target,), as_of=AS_OF, counterfactuals=proposals)
    report = assess_files([path], RULES, options)
    assert not report.errors, report.errors
    return report.results[0]


def check_every_counterfactual(tmp_path: Path, data: dict[str, Any], result: Result) -> int:
    """Apply each counterfactual to the file: its finding must be gone, the rest unchanged."""
    before = {f.rule for f in result.active}
    for change in result.counterfactuals:
        if change.kind == "target":  # another target: its own result says the rule is quiet
            continue
        changed = apply(data, change.field, change.value)
        edited = assess_data(tmp_path, changed, result.target, proposals=False)
        after = {f.rule for f in edited.active}
        assert change.rule in before and change.rule not in after, change
    return len(result.counterfactuals)


@pytest.mark.parametrize("path", sorted(WORKLOADS.glob("*.yaml")), ids=lambda p: p.stem)
def test_counterfactuals_of_the_examples_clear_their_finding(tmp_path: Path, path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    data.pop("constraints", None)  # every target, so that each platform's limits are searched
    for target in catalog.platforms():
        result = assess_data(tmp_path, data, target)
        check_every_counterfactual(tmp_path, data, result)


def test_the_examples_have_counterfactuals_where_a_field_can_lift_a_finding() -> None:
    report = assess_files(sorted(WORKLOADS.glob("*.yaml")), RULES, Options(as_of=AS_OF))
    found = {(c.rule, c.field) for r in report.results for c in r.counterfactuals}
    assert {
        ("LAT002", "latency.p99"),  # an objective
        ("COST002", "resources.memory"),  # a lever
        ("STATE002", "state.in_memory_sessions"),
        ("DUR001", "target"),  # another target clears the blocker
    } <= found
    # Facts of the workload (its traffic, its payload, its trigger) are never proposed.
    assert not {field for _, field in found} & {"traffic.average", "resources.payload", "trigger"}


def test_a_counterfactual_is_the_nearest_value(tmp_path: Path) -> None:
    data = {
        "name": "pricer",
        "archetype": "api",
        "runtime": "java",
        "latency": {"p99": "300ms"},
        "duration": {"typical": "50ms", "max": "200ms"},
        "traffic": {"pattern": "sporadic", "average": "20/h"},
    }
    result = assess_data(tmp_path, data, "aws-lambda")
    by_field = {c.field: c for c in result.counterfactuals if c.rule == "LAT001"}
    assert by_field["runtime"].value == "python"  # the nearest runtime whose cold start fits
    change = by_field["latency.p99"]
    # The simulated p99 (warm 50 ms runs, 13.7% cold adding Java's start-up) is the boundary;
    # the counterfactual takes the next round value above it.
    workload = Workload.model_validate(data)
    simulated = derive_facts(workload, catalog.platforms()["aws-lambda"]).values[
        "derived.latency_p99"
    ]
    assert isinstance(simulated, Duration)
    proposed = parse_duration(change.value)
    assert simulated.seconds <= proposed.seconds <= simulated.seconds * 1.05
    assert change.effect.startswith(f"With latency.p99 of {change.value} or more, LAT001 no")
    below = f"{math.floor(simulated.seconds * 1000) - 5}ms"
    closer = assess_data(tmp_path, apply(data, "latency.p99", below), "aws-lambda")
    assert "LAT001" in {f.rule for f in closer.active}


def test_cost_counterfactuals_never_move_the_traffic(
    tmp_path: Path,
) -> None:
    data = {
        "name": "busy",
        "archetype": "api",
        "runtime": "go",
        "trigger": "queue",
        "duration": {"typical": "200ms", "max": "1s"},
        "traffic": {"pattern": "steady", "average": "300/s"},
        "resources": {"memory": "1GiB"},
    }
    result = assess_data(tmp_path, data, "aws-lambda")
    assert "COST002" in {f.rule for f in result.active}
    # The traffic is a fact: not proposed; the rate where the bills cross is the break-even.
    assert not [c for c in result.counterfactuals if c.field == "traffic.average"]
    assert result.cost is not None and result.cost.break_even is not None
    assert "COST002" in result.unresolved or any(
        c.rule == "COST002" for c in result.counterfactuals
    )
    check_every_counterfactual(tmp_path, data, result)


durations = st.sampled_from(["5ms", "40ms", "120ms", "800ms", "3s", "40s", "4min", "20min"])
rates = st.sampled_from(["2/day", "30/h", "1/s", "20/s", "200/s", "2k/s"])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    runtime=st.sampled_from(["nodejs", "python", "java", "dotnet", "go", "container"]),
    p99=st.sampled_from(["20ms", "80ms", "300ms", "2s"]),
    typical=durations,
    average=rates,
    memory=st.sampled_from(["128MiB", "1GiB", "6GiB", "16GiB"]),
    trigger=st.sampled_from(["http", "queue", "schedule"]),
    sessions=st.booleans(),
    target=st.sampled_from(sorted(catalog.platforms())),
)
def test_every_counterfactual_of_generated_workloads_clears_its_finding(
    tmp_path: Path,
    runtime: str,
    p99: str,
    typical: str,
    average: str,
    memory: str,
    trigger: str,
    sessions: bool,
    target: str,
) -> None:
    data = {
        "name": "generated",
        "archetype": "api",
        "runtime": runtime,
        "trigger": trigger,
        "latency": {"p99": p99},
        "duration": {"typical": typical, "max": typical},
        "traffic": {"pattern": "spiky", "average": average},
        "resources": {"memory": memory},
        "state": {"in_memory_sessions": sessions},
    }
    result = assess_data(tmp_path, data, target)
    check_every_counterfactual(tmp_path, data, result)


def test_counterfactuals_show_in_terminal_and_json() -> None:
    path = str(WORKLOADS / "quote-pricer.yaml")
    _, out, _ = run("assess", path, "--format", "terminal", "--width", "200")
    assert "What would change the answer" in out
    _, out, _ = run("assess", path, "--format", "json")
    [result] = json.loads(out)["results"]
    keys = {"rule", "field", "value", "effect", "kind", "monthly_usd", "bill_change", "verdict"}
    assert keys == set(result["counterfactuals"][0])
    _, out, _ = run("assess", path, "--format", "json", "--no-counterfactuals")
    assert json.loads(out)["results"][0]["counterfactuals"] == []


@pytest.mark.parametrize("path", sorted(WORKLOADS.glob("*.yaml")), ids=lambda p: p.stem)
@pytest.mark.parametrize("free_tier", [False, True])
def test_the_search_decides_each_rule_as_assessing_does(path: Path, free_tier: bool) -> None:
    settings = CostSettings(free_tier=free_tier)
    # The search derives only the facts a rule reads; it must never decide otherwise.
    for document in yaml.safe_load_all(path.read_text()):
        workload = Workload.model_validate(json.loads(json.dumps(document, default=str)))
        for platform in catalog.platforms().values():
            facts = derive_facts(workload, platform, settings=settings)
            for rule in RULES:
                clears = _clears_with(rule, platform, settings)
                assert clears(workload) == (rule.evaluate(facts).state is False), rule.id


@pytest.mark.parametrize("path", sorted(WORKLOADS.glob("*.yaml")), ids=lambda p: p.stem)
def test_explanations_agree_with_the_engine(path: Path) -> None:
    for document in yaml.safe_load_all(path.read_text()):
        workload = Workload.model_validate(json.loads(json.dumps(document, default=str)))
        for platform in catalog.platforms().values():
            facts = derive_facts(workload, platform)
            for rule in RULES:
                state, why = explain(rule, facts)
                assert state == rule.evaluate(facts).state and why


def test_verbose_shows_every_rule_and_why() -> None:
    path = str(WORKLOADS / "quote-pricer.yaml")
    code, out, _ = run("assess", path, "--verbose", "--format", "json")
    assert code == 0
    [result] = json.loads(out)["results"]
    outcomes = {e["rule"]: e for e in result["evaluations"]}
    assert set(outcomes) == {rule.id for rule in RULES}
    assert outcomes["LAT002"]["outcome"] == "fired"
    assert "latency.p99 (20ms) < 50ms: yes" in outcomes["LAT002"]["why"]
    assert outcomes["BEN002"]["outcome"] == "quiet"
    assert "team.ops_capacity (high) in [low, medium]: no" in outcomes["BEN002"]["why"]
    assert outcomes["RES004"]["outcome"] == "not assessed"
    assert "unknown without resources.package" in outcomes["RES004"]["why"]
    _, out, _ = run("assess", path, "-v", "--format", "terminal", "--width", "200")
    assert "Every rule on AWS Lambda (--verbose)" in out
    assert "team.ops_capacity (high) in [low, medium]: no" in out  # brackets are not markup
    _, out, _ = run("assess", path, "--format", "json")
    assert "evaluations" not in json.loads(out)["results"][0]


def test_square_brackets_in_user_text_are_printed_not_parsed(tmp_path: Path) -> None:
    data = {
        "name": "w",
        "archetype": "api",
        "description": "[bold red]not markup[/] [/]",
        "latency": {"p99": "20ms"},
        "waivers": [{"rule": "LAT002", "reason": "[/] closing tag [link=x]"}],
    }
    path = tmp_path / "w.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, out, err = run("assess", str(path), "--format", "terminal", "--width", "200")
    assert code == 0 and "Traceback" not in err
    assert "[bold red]not markup[/] [/]" in out and "[/] closing tag [link=x]" in out


def test_a_round_boundary_is_itself_the_counterfactual(tmp_path: Path) -> None:
    # Lambda allows 10240 MiB: 10GiB clears the memory finding, and is nearer than 9.9GiB.
    data = {"name": "big", "archetype": "batch-job", "resources": {"memory": "16GiB"}}
    result = assess_data(tmp_path, data, "aws-lambda")
    [change] = [c for c in result.counterfactuals if c.rule == "RES001" and c.kind == "lever"]
    assert change.value == "10GiB"
    check_every_counterfactual(tmp_path, data, result)
