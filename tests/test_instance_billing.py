"""Cloud Run's instance-based billing: instance lifetimes from the simulation, priced by hand
from the price list and checked against a closed form of an instance's life."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from serverless_fit.data.catalog import platforms
from serverless_fit.format.units import SECONDS_PER_MONTH
from serverless_fit.format.workload import Workload
from serverless_fit.model.bills import CostSettings
from serverless_fit.model.cost import estimate
from serverless_fit.model.facts import cost_inputs
from serverless_fit.model.latency import instance_seconds
from serverless_fit.model.serverless import serverless_bill
from tests.conftest import deep_merge
from tests.test_plans import assess

RUN = platforms()["gcp-cloud-run"]
LAMBDA = platforms()["aws-lambda"]


def workload(**fields: Any) -> Workload:
    base = {"name": "w", "archetype": "api", "runtime": "go"}
    return Workload.model_validate(deep_merge(base, fields))


def bill(chosen: Workload, *, free_tier: bool = False) -> tuple[float, dict[str, float], Any]:
    inputs = cost_inputs(chosen, RUN)
    found = serverless_bill(RUN, inputs, free_tier=free_tier)
    assert found is not None
    return found.monthly_usd, dict(found.items), found


# A run every minute, taking 10 s: one instance takes every run, idle 50 s between runs,
# well inside the 15-minute keep-alive, so it is alive all month.
EVERY_MINUTE = {
    "trigger": "http",
    "duration": {"typical": "10s"},
    "traffic": {"average": "1/min", "interval": "1min", "pattern": "periodic"},
    "resources": {"memory": "2GiB"},
    "deployment": {"billing": "instance"},
}


def test_one_instance_alive_all_month_by_hand() -> None:
    # 730 h x 3,600 s = 2,628,000 instance-seconds; 2 GiB comes with 1 vCPU on Cloud Run.
    # CPU 2,628,000 x $0.000018 = $47.304; memory 2,628,000 x 2 x $0.000002 = $10.512.
    total, items, found = bill(workload(**EVERY_MINUTE))
    assert items == {"compute": 10.51, "cpu": 47.30}
    assert total == 57.81
    assert "requests" not in items  # no request fee
    assert any("730.0 instance-hours" in note for note in found.notes)


def test_free_grant_by_hand() -> None:
    # (2,628,000 - 240,000) vCPU-s x $0.000018 = $42.984;
    # (5,256,000 - 450,000) GiB-s x $0.000002 = $9.612.
    total, items, _ = bill(workload(**EVERY_MINUTE), free_tier=True)
    assert items == {"compute": 9.61, "cpu": 42.98}
    assert total == 52.59


def _alive_share_closed_form(rate: float, keep: float, run: float) -> tuple[float, float]:
    """With arrivals at random and an instance that serves them all, the instance is alive
    from each arrival for as long as the next gap, up to the run plus the keep-alive
    T = run + keep: alive share = E[min(G, T)] / E[G] = 1 - exp(-rate T). Also the relative
    standard error of that share estimated from n gaps, per sqrt(n)."""
    window = run + keep
    mean = (1 - math.exp(-rate * window)) / rate  # E[min(G, T)]
    # E[min(G, T)^2] = 2 / rate^2 (1 - exp(-rate T)(1 + rate T))
    second = 2 / rate**2 * (1 - math.exp(-rate * window) * (1 + rate * window))
    spread = math.sqrt(second - mean**2) / mean
    return mean * rate, spread


def test_sparse_traffic_matches_the_closed_form_of_an_instance_life() -> None:
    # Four requests an hour at random, 1 s each: the exact method draws them one by one.
    chosen = workload(
        trigger="http",
        duration={"typical": "1s"},
        traffic={"average": "4/h", "pattern": "steady"},
        resources={"memory": "512MiB"},
        deployment={"billing": "instance"},
    )
    inputs = cost_inputs(chosen, RUN)
    seconds = instance_seconds(RUN, inputs)
    keep = RUN.cold_start.idle_reclaim
    assert keep is not None
    rate = 4 / 3600
    share, spread = _alive_share_closed_form(rate, keep.value.seconds, 1.0)
    arrivals = 300  # what the exact method draws at least (EXACT_SAMPLE)
    tolerance = 4 * spread / math.sqrt(arrivals)  # four standard errors
    # Cold starts add their start-up (under 2 s) to a life of 15 minutes: far inside it.
    assert abs(seconds / SECONDS_PER_MONTH - share) <= tolerance * share


def test_gpu_needs_instance_billing_and_is_priced() -> None:
    # A GPU instance has at least 4 vCPU and 16 GiB, and one L4 at $0.0002909 a second.
    chosen = workload(
        archetype="ml-inference",
        trigger="http",
        duration={"typical": "10s"},
        traffic={"average": "1/min", "interval": "1min", "pattern": "periodic"},
        resources={"memory": "8GiB", "gpu": True},
    )
    total, items, found = bill(chosen)
    month = SECONDS_PER_MONTH
    assert items["gpu"] == round(month * 0.0002909, 2)  # $764.49
    assert items["cpu"] == round(month * 4 * 0.000018, 2)
    assert items["compute"] == round(month * 16 * 0.000002, 2)
    assert found.unpriced == ()
    assert any("required for a GPU" in note for note in found.notes)
    assert total == round(sum(items.values()), 2)


def test_asking_for_request_billing_with_a_gpu_is_a_note(tmp_path: Path) -> None:
    chosen = {
        "name": "gpu-request",
        "archetype": "ml-inference",
        "runtime": "python",
        "trigger": "http",
        "duration": {"typical": "10s"},
        "traffic": {"average": "1/min"},
        "resources": {"memory": "16GiB", "gpu": True},
        "deployment": {"billing": "request"},
    }
    (result,) = assess(tmp_path, chosen, "gcp-cloud-run")
    assert result["not_applicable"] == [
        "deployment.billing: request is not possible with a GPU on Google Cloud Run services: "
        "billed per instance"
    ]
    assert "gpu" in result["cost"]["serverless"]["items"]


def test_a_target_without_the_choice_notes_it(tmp_path: Path) -> None:
    chosen = {
        "name": "instance-on-lambda",
        "archetype": "api",
        "runtime": "go",
        "duration": {"typical": "100ms"},
        "traffic": {"average": "1/s"},
        "resources": {"memory": "512MiB"},
        "deployment": {"billing": "instance"},
    }
    (result,) = assess(tmp_path, chosen, "aws-lambda")
    assert result["not_applicable"] == ["deployment.billing: instance is not offered by AWS Lambda"]


STEADY = {
    "trigger": "http",
    "duration": {"typical": "120ms"},
    "traffic": {"average": "40/s", "pattern": "steady"},
    "resources": {"memory": "1GiB", "cpus": 1},
}


def test_the_cheaper_way_of_billing_is_pointed_out_with_its_bill() -> None:
    by_request = workload(**STEADY)
    by_instance = workload(**deep_merge(STEADY, {"deployment": {"billing": "instance"}}))
    settings = CostSettings()
    request_side = estimate(RUN, cost_inputs(by_request, RUN), settings).serverless
    instance_side = estimate(RUN, cost_inputs(by_instance, RUN), settings).serverless
    assert request_side is not None and instance_side is not None
    assert instance_side.monthly_usd < request_side.monthly_usd
    expected = (
        f"instance-based billing would cost ${instance_side.monthly_usd:,.2f} a month "
        "(deployment.billing: instance)"
    )
    assert expected in request_side.notes
    assert not any("would cost" in note for note in instance_side.notes)


def test_sparse_traffic_is_cheaper_per_request() -> None:
    # A request every few minutes keeps an instance alive 15 minutes for a second's work.
    sparse = workload(
        trigger="http",
        duration={"typical": "1s"},
        traffic={"average": "10/h"},
        resources={"memory": "512MiB"},
        deployment={"billing": "instance"},
    )
    _, _, found = bill(sparse)
    settings = CostSettings()
    noted = estimate(RUN, cost_inputs(sparse, RUN), settings).serverless
    assert noted is not None
    assert any(note.startswith("request-based billing would cost") for note in noted.notes)
    assert found.monthly_usd > 0


def test_instance_lifetimes_follow_the_traffic_in_a_break_even_search() -> None:
    chosen = workload(**deep_merge(STEADY, {"deployment": {"billing": "instance"}}))
    inputs = cost_inputs(chosen, RUN)
    once = instance_seconds(RUN, inputs)
    tenfold = instance_seconds(RUN, inputs.scaled(10.0))
    assert tenfold > once
    assert instance_seconds(RUN, inputs.scaled(1.0)) == once


def test_a_plan_switches_to_instance_billing_and_the_plan_holds_when_applied(
    tmp_path: Path,
) -> None:
    busy: dict[str, Any] = {
        "name": "busy-api",
        "archetype": "api",
        "runtime": "go",
        "trigger": "http",
        "latency": {"p99": "800ms"},
        "duration": {"typical": "300ms"},
        "traffic": {"pattern": "steady", "average": "300/s", "peak": "320/s"},
        "resources": {"memory": "2GiB", "cpus": 2, "concurrency": 8},
    }
    (result,) = assess(tmp_path, busy, "gcp-cloud-run")
    assert any(f["rule"] == "COST002" for f in result["findings"])
    plan = result["plan"]
    assert plan["options"] == {"billing": "instance"}
    assert plan["clears"] == ["COST002"]
    assert plan["summary"].startswith("With instance-based billing: COST002 clears, -$")
    applied = deep_merge(busy, {"deployment": {"billing": "instance"}})
    (after,) = assess(tmp_path, applied, "gcp-cloud-run")
    assert not any(f["rule"] == "COST002" for f in after["findings"])
    assert after["cost"]["serverless"]["monthly_usd"] == plan["monthly_usd"]
    before = result["cost"]["serverless"]["monthly_usd"]
    assert plan["added_usd"] == round(plan["monthly_usd"] - before, 2)


ALB_API: dict[str, Any] = {
    "name": "busy-lambda-api",
    "archetype": "api",
    "runtime": "nodejs",
    "latency": {"p99": "1s"},
    "duration": {"typical": "50ms"},
    "traffic": {"pattern": "steady", "average": "400/s"},
    "resources": {"memory": "512MiB"},
    "deployment": {"front_door": "alb"},
}


def test_an_alb_in_front_of_lambda_is_priced_as_the_load_balancer(tmp_path: Path) -> None:
    # 730 h x $0.0225 = $16.425; 400 requests a second are 400 / 25 = 16 capacity units
    # every hour: 730 x 16 x $0.008 = $93.44. Together $109.87, against 1,051.2M requests x
    # $1.00/M through the HTTP API.
    (result,) = assess(tmp_path, ALB_API, "aws-lambda")
    assert result["cost"]["serverless"]["items"]["front_door"] == 109.87
    gateway = {**ALB_API, "deployment": {"front_door": "api-gateway-http"}}
    (behind,) = assess(tmp_path, gateway, "aws-lambda")
    assert behind["cost"]["serverless"]["items"]["front_door"] == 976.08  # 300M at $1, rest $0.90


def test_an_alb_limits_payloads_to_1_mb_and_runs_to_its_idle_timeout(tmp_path: Path) -> None:
    large = deep_merge(ALB_API, {"resources": {"payload": "2MB"}})
    (result,) = assess(tmp_path, large, "aws-lambda")
    assert "RES005" in {f["rule"] for f in result["findings"]}
    (direct,) = assess(
        tmp_path, {**large, "deployment": {"front_door": "function-url"}}, "aws-lambda"
    )
    assert "RES005" not in {f["rule"] for f in direct["findings"]}  # 6 MB behind a URL
    slow = deep_merge(ALB_API, {"duration": {"typical": "20s", "max": "90s"}})
    (cut,) = assess(tmp_path, slow, "aws-lambda")
    assert "DUR003" in {f["rule"] for f in cut["findings"]}


def test_an_instance_with_a_gpu_starts_slower_where_the_platform_says_so() -> None:
    from serverless_fit.model.latency import startup

    plain = startup(RUN, "python", None)
    with_gpu = startup(RUN, "python", None, gpu=True)
    assert with_gpu.p50 == pytest.approx(plain.p50 + 5.0)
    assert with_gpu.p99 == pytest.approx(plain.p99 + 5.0)
    assert startup(LAMBDA, "python", None, gpu=True) == startup(LAMBDA, "python", None)


def test_a_minimum_instance_is_billed_whole_and_takes_sparse_traffic() -> None:
    # Ten requests a day all land on the one instance kept (80 at once): it alone lives all
    # month, 2,628,000 s x (1 vCPU x $0.000018 + 1 GiB x $0.000002) = $52.56.
    kept = workload(
        trigger="http",
        duration={"typical": "1s"},
        traffic={"average": "10/day"},
        resources={"memory": "1GiB"},
        deployment={"billing": "instance", "min_instances": 1},
    )
    total, items, _ = bill(kept)
    assert items == {"compute": 5.26, "cpu": 47.30}
    assert total == 52.56
