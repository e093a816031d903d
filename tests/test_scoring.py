"""Scoring: contributions add up, blockers force poor-fit, and harder never scores higher."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from serverless_fit.data.catalog import platforms
from serverless_fit.format.loader import LoadedWorkload
from serverless_fit.format.units import format_number
from serverless_fit.format.workload import Workload
from serverless_fit.pipeline.assess import assess_workload
from serverless_fit.report import Result
from serverless_fit.rules.engine import Rule
from serverless_fit.rules.rulepacks import builtin_rules

LAMBDA = platforms()["aws-lambda"]
AS_OF = dt.date(2026, 11, 27)


def assess(data: dict[str, Any], rules: tuple[Rule, ...] | None = None) -> Result:
    workload = Workload.model_validate(data)
    # counterfactuals do not change a score; leaving them out keeps the properties fast
    return assess_workload(
        LoadedWorkload(workload, "w.yaml", {}),
        LAMBDA,
        builtin_rules() if rules is None else rules,
        as_of=AS_OF,
        with_counterfactuals=False,
    )


def test_contributions_add_up_to_the_score() -> None:
    result = assess(
        {
            "name": "w",
            "archetype": "mobile-backend",
            "runtime": "java",
            "latency": {"p99": "300ms"},
            "team": {"ops_capacity": "low"},
            "constraints": {"portability": "required"},
            "dependencies": ["dynamodb"],
        }
    )
    total = result.score_base + sum(f.contribution for f in result.active)
    assert round(total, 1) == result.score_unclamped
    assert result.score == max(0.0, min(100.0, result.score_unclamped))


def test_a_blocker_forces_poor_fit_whatever_the_score() -> None:
    result = assess(
        {
            "name": "w",
            "archetype": "api",
            "duration": {"max": "20min"},
            "team": {"ops_capacity": "low", "time_to_market": "high"},
            "traffic": {"pattern": "spiky"},
        }
    )
    assert any(f.severity == "blocker" for f in result.active)
    assert result.verdict == "poor-fit"


def test_a_waived_finding_does_not_count_and_an_expired_waiver_does() -> None:
    base = {"name": "w", "archetype": "api", "duration": {"max": "20min"}}
    waived = assess(
        {**base, "waivers": [{"rule": "DUR001", "reason": "r", "expires": "2027-01-01"}]}
    )
    expired = assess(
        {**base, "waivers": [{"rule": "DUR001", "reason": "r", "expires": "2026-01-01"}]}
    )
    assert [f.rule for f in waived.findings if f.waived] == ["DUR001"]
    assert all(f.rule != "DUR001" for f in waived.active)
    [again] = [f for f in expired.active if f.rule == "DUR001"]
    assert again.waiver is not None and again.waiver.expired


def test_a_sparse_file_has_low_confidence() -> None:
    sparse = assess({"name": "w", "archetype": "api"})
    assert sparse.confidence < 0.5
    assert len(sparse.not_assessed) > 20


ms = st.integers(min_value=1, max_value=600_000)


@st.composite
def workloads(draw: st.DrawFn) -> dict[str, Any]:
    typical = draw(ms)
    average = draw(st.integers(min_value=1, max_value=5000))
    return {
        "name": "w",
        "archetype": draw(
            st.sampled_from(["api", "mobile-backend", "event-processing", "batch-job", "web-app"])
        ),
        "runtime": draw(st.sampled_from(["nodejs", "python", "java", "go", "container"])),
        "latency": {"p99": f"{draw(ms)}ms"},
        "duration": {"typical": f"{typical}ms", "max": f"{typical + draw(ms)}ms"},
        "traffic": {
            "pattern": draw(st.sampled_from(["spiky", "sporadic", "periodic", "steady"])),
            "average": f"{average}/min",
            "peak": f"{average * draw(st.integers(min_value=1, max_value=50))}/min",
            "active_hours_per_day": draw(st.integers(min_value=1, max_value=24)),
        },
        "resources": {"memory": f"{draw(st.integers(min_value=128, max_value=12000))}MiB"},
        "dependencies": draw(
            st.lists(st.sampled_from(["dynamodb", "postgres", "sqs", "redis"]), max_size=3)
        ),
        "constraints": {
            "portability": draw(st.sampled_from(["none", "preferred", "required"])),
            "local_testing": draw(st.sampled_from(["optional", "required"])),
        },
        "team": {"ops_capacity": draw(st.sampled_from(["low", "medium", "high"]))},
    }


@settings(max_examples=150, deadline=None)
@given(workloads(), st.floats(min_value=0.01, max_value=1.0))
def test_a_tighter_p99_never_raises_the_score(data: dict[str, Any], factor: float) -> None:
    before = assess(data).score
    p99 = float(data["latency"]["p99"][:-2])
    data["latency"]["p99"] = f"{format_number(max(1.0, round(p99 * factor)))}ms"
    assert assess(data).score <= before


@settings(max_examples=150, deadline=None)
@given(workloads(), ms)
def test_a_longer_max_duration_never_raises_the_score(data: dict[str, Any], extra: int) -> None:
    before = assess(data).score
    longest = float(data["duration"]["max"][:-2])
    data["duration"]["max"] = f"{format_number(longest + extra)}ms"
    assert assess(data).score <= before


@settings(max_examples=150, deadline=None)
@given(workloads())
def test_steadier_full_load_never_raises_the_score_outside_cost_and_latency(
    data: dict[str, Any],
) -> None:
    # The cost rules are thresholds on a ratio that volume discounts can nudge down (below);
    # a busier steady load reaches concurrency levels it rarely holds, whose cold starts can
    # enter the p99 (the simulation's own tests hold latency); CONC002 is about bursts, which
    # a steady load has none of.
    rules = tuple(
        rule
        for rule in builtin_rules()
        if rule.dimension not in ("cost", "latency") and rule.id != "CONC002"
    )
    before = assess(data, rules).score
    traffic = data["traffic"]
    traffic.update(pattern="steady", average=traffic["peak"], active_hours_per_day=24)
    assert assess(data, rules).score <= before


# Lambda's deepest duration tier is 20% below its first ($0.0000133334 against $0.0000166667
# per GB-second); nothing else in a serverless bill gets cheaper per unit with volume
VOLUME_DISCOUNT = 0.8


@settings(max_examples=150, deadline=None)
@given(workloads())
def test_steadier_full_load_never_lowers_the_cost_ratio_beyond_volume_discounts(
    data: dict[str, Any],
) -> None:
    before = assess(data).cost
    traffic = data["traffic"]
    traffic.update(pattern="steady", average=traffic["peak"], active_hours_per_day=24)
    after = assess(data).cost
    assert before is not None and after is not None
    if before.ratio is not None and after.ratio is not None:
        assert after.ratio >= before.ratio * VOLUME_DISCOUNT - 0.01  # ratios print to 2 places


@settings(max_examples=150, deadline=None)
@given(workloads())
def test_stricter_portability_never_raises_the_score(data: dict[str, Any]) -> None:
    order = ["none", "preferred", "required"]
    current = order.index(data["constraints"]["portability"])
    before = assess(data).score
    for stricter in order[current + 1 :]:
        data["constraints"]["portability"] = stricter
        after = assess(data).score
        assert after <= before
        before = after
