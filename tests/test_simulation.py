"""The cold-start, latency and scaling simulation: closed forms, SimFaaS, the issue's cases."""

from __future__ import annotations

import math
import random
from statistics import NormalDist
from typing import Any

import numpy as np
import pytest
from simfaas.ServerlessSimulator import ServerlessSimulator

from serverless_fit.data import catalog
from serverless_fit.format.workload import Traffic, Workload
from serverless_fit.model.facts import derive_facts
from serverless_fit.model.simulation import (
    PlatformModel,
    _levels,
    percentile,
    run_exact,
    simulate,
)
from serverless_fit.model.traffic import day_shape

LAMBDA = catalog.platforms()["aws-lambda"]
KEEP_ALIVE = 360.0  # Lambda's measured idle reclaim (6 min)


def facts_of(data: dict[str, Any], target: str = "aws-lambda") -> dict[str, Any]:
    workload = Workload.model_validate({"name": "w", "archetype": "api", **data})
    return derive_facts(workload, catalog.platforms()[target]).values


def share_of(data: dict[str, Any]) -> float:
    value = facts_of(data)["derived.cold_start_share"]
    assert isinstance(value, float)
    return value


# Closed forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("average", "cold"),
    [("1/min", 0.0), ("12/h", 0.0), ("6/h", 1.0), ("1/h", 1.0)],
)
def test_timers_are_all_warm_or_all_cold(average: str, cold: float) -> None:
    # Every minute or 5 minutes stays within Lambda's 6-minute keep-alive: warm; every 10
    # minutes or hour is beyond it: every run cold.
    data = {
        "runtime": "python",
        "trigger": "schedule",
        "duration": {"typical": "2s"},
        "traffic": {"pattern": "periodic", "average": average},
    }
    assert share_of(data) == cold


def test_periodic_runs_after_a_quiet_night_start_cold_once() -> None:
    # Every 5 minutes for 8 hours a day: one stretch, its first run cold, 96 runs a day.
    data = {
        "duration": {"typical": "2s"},
        "traffic": {"pattern": "periodic", "average": "4/h", "active_hours_per_day": 8},
    }
    assert share_of(data) == pytest.approx(1 / 96)


def test_poisson_arrivals_to_one_instance_match_the_closed_form() -> None:
    # At 5 an hour with 50 ms runs requests never overlap: a request is cold when none came
    # in the keep-alive and the run before it, P = exp(-rate (K + s)).
    rate = 5 / 3600
    expected = math.exp(-rate * (KEEP_ALIVE + 0.05))
    model = PlatformModel(keep_alive=KEEP_ALIVE, init_p50=0.24, init_p99=0.6)
    rng = random.Random(3)
    arrivals, t = [], rng.expovariate(rate)
    while t < 2_000_000:
        arrivals.append(t)
        t += rng.expovariate(rate)
    cold, throttled, _, _ = run_exact(arrivals, lambda _: 0.05, lambda _: 0.29, model, t)
    share = cold / len(arrivals)
    sigma = math.sqrt(expected * (1 - expected) / len(arrivals))
    assert throttled == 0
    assert abs(share - expected) < 4 * sigma
    # The simulation of the workload (its own seed) is within its sampling error too.
    workload = Workload.model_validate(
        {
            "name": "w",
            "archetype": "api",
            "duration": {"typical": "50ms"},
            "traffic": {"average": "5/h"},
        }
    )
    modelled = derive_facts(workload, LAMBDA).latency
    assert modelled is not None and modelled.simulation.method == "exact"
    drawn = modelled.simulation.arrivals
    assert drawn >= 300
    share = modelled.simulation.cold_start_share
    assert abs(share - expected) < 4 * math.sqrt(expected * (1 - expected) / drawn)


def test_the_aggregated_levels_reduce_to_the_closed_form_for_one_instance() -> None:
    # With runs far shorter than the gaps, level 1 is crossed at the arrival rate and left for
    # about 1/rate: reclaimed with probability exp(-rate K).
    rate, service = 0.002, 0.001
    levels = _levels(rate, service, KEEP_ALIVE, 1)
    assert levels.colds[0] / rate == pytest.approx(math.exp(-rate * KEEP_ALIVE), rel=1e-3)


def test_latency_percentiles_mix_warm_runs_and_log_normal_start_ups() -> None:
    # README example: 13.5% cold, 50 ms runs, Java's start-up p50 239 ms and p99 601 ms.
    model = PlatformModel(keep_alive=KEEP_ALIVE, init_p50=0.239, init_p99=0.601)
    sigma = math.log(0.601 / 0.239) / NormalDist().inv_cdf(0.99)
    within = (0.99 - (1 - 0.135)) / 0.135
    by_hand = 0.05 + 0.239 * math.exp(sigma * NormalDist().inv_cdf(within))
    assert percentile(0.99, 0.135, 0.05, model) == pytest.approx(by_hand)
    assert round(by_hand * 1000) == 474
    assert percentile(0.5, 0.135, 0.05, model) == 0.05  # the median request is warm
    assert percentile(0.99, 0.005, 0.05, model) == 0.05  # rare cold starts miss the p99


def test_the_package_allowance_is_the_measured_slope() -> None:
    # adriantanasa's gist (2023-11-20): mean init duration against code size, nodejs20.x.
    kib = [65536, 32768, 16384, 8192, 4096, 2048, 1024, 512, 256, 128, 1]
    init_ms = [3184, 1354, 703, 474, 374, 305, 297, 288, 290, 255, 242]
    mib = [k / 1024 for k in kib]
    mx, my = sum(mib) / len(mib), sum(init_ms) / len(init_ms)
    slope = sum((x - mx) * (y - my) for x, y in zip(mib, init_ms, strict=True)) / sum(
        (x - mx) ** 2 for x in mib
    )
    allowance = LAMBDA.cold_start.package_allowance
    assert allowance is not None
    assert round(slope) == round(allowance.per_mib.seconds * 1000) == 44


# Against SimFaaS -------------------------------------------------------------------------

# (arrival rate /s, warm run s, cold run s, keep-alive s): Poisson arrivals, exponential runs
GRID = [
    (0.01, 1.0, 2.0, 600.0),
    (0.1, 1.0, 2.0, 60.0),
    (1.0, 1.0, 2.0, 60.0),
    (0.9, 1.991, 2.244, 600.0),
    (2.0, 2.0, 3.0, 30.0),
]
ARRIVALS = 30_000  # each point simulates this many arrivals on average


def simfaas(rate: float, warm: float, cold: float, keep: float) -> tuple[float, float]:
    np.random.seed(11)
    sim = ServerlessSimulator(
        arrival_rate=rate,
        warm_service_rate=1 / warm,
        cold_service_rate=1 / cold,
        expiration_threshold=keep,
        max_time=ARRIVALS / rate,
    )
    sim.generate_trace()
    sim.calculate_time_lengths()
    return float(sim.get_cold_start_prob()), float(sim.get_average_server_count())


@pytest.mark.parametrize(("rate", "warm", "cold", "keep"), GRID)
def test_cold_share_and_instances_agree_with_simfaas(
    rate: float, warm: float, cold: float, keep: float
) -> None:
    reference_cold, reference_instances = simfaas(rate, warm, cold, keep)
    horizon = ARRIVALS / rate
    rng = random.Random(7)
    arrivals, t = [], rng.expovariate(rate)
    while t < horizon:
        arrivals.append(t)
        t += rng.expovariate(rate)
    model = PlatformModel(keep_alive=keep, init_p50=cold - warm, init_p99=cold - warm)
    count, _, _, hourly = run_exact(
        arrivals,
        lambda _: rng.expovariate(1 / warm),
        lambda _: rng.expovariate(1 / cold),
        model,
        horizon,
    )
    exact_cold, exact_instances = count / len(arrivals), sum(hourly) / horizon
    levels = _levels(rate, warm, keep, 1)
    aggregated_cold, aggregated_instances = levels.cold_rate(0) / rate, levels.count
    # Both are samples or approximations: within 25% (or 0.2 points) on the cold share, 10%
    # on the instances.
    for share in (exact_cold, aggregated_cold):
        assert abs(share - reference_cold) <= max(0.25 * reference_cold, 0.002)
    for instances in (exact_instances, aggregated_instances):
        assert instances == pytest.approx(reference_instances, rel=0.1)


# The cases the issue names ----------------------------------------------------------------

JAVA_API = {
    "runtime": "java",
    "latency": {"p99": "500ms"},
    "duration": {"typical": "60ms"},
    "resources": {"memory": "1GiB"},
}


def test_a_steady_java_api_is_rarely_cold_and_keeps_its_p99() -> None:
    values = facts_of({**JAVA_API, "traffic": {"pattern": "steady", "average": "500/s"}})
    assert values["derived.cold_start_share"] < 0.0001
    assert values["derived.latency_p99"].seconds == pytest.approx(0.06)
    workload = Workload.model_validate(
        {"name": "w", "archetype": "api", **JAVA_API, "traffic": {"average": "500/s"}}
    )
    facts = derive_facts(workload, LAMBDA)
    from serverless_fit.rules.rulepacks import builtin_rules

    lat001 = next(rule for rule in builtin_rules() if rule.id == "LAT001")
    assert lat001.evaluate(facts).state is False  # 601 ms cold starts, but too rare for a p99


def test_a_sporadic_api_misses_a_p99_below_its_cold_requests() -> None:
    values = facts_of({**JAVA_API, "traffic": {"pattern": "sporadic", "average": "4/h"}})
    assert values["derived.cold_start_share"] > 0.5
    assert values["derived.latency_p99"].seconds > 0.5


def test_a_spike_to_5000_a_second_is_throttled_on_lambda() -> None:
    data = {
        "runtime": "nodejs",
        "duration": {"typical": "100ms"},
        "traffic": {"pattern": "spiky", "average": "10/s", "peak": "5000/s", "burst": "1s"},
    }
    values = facts_of(data)
    # 500 instances needed at once, each holding its first request for the 140 ms start-up
    # as well: 1,200 in use against a quota of 1,000.
    assert values["derived.throttled_share"] > 0.01
    assert values["derived.scale_out_throttled_share"] == values["derived.throttled_share"]


def test_a_large_package_slows_the_start_up() -> None:
    spring = {"runtime": "java", "duration": {"typical": "100ms"}, "traffic": {"average": "1/s"}}
    plain = derive_facts(
        Workload.model_validate({"name": "w", "archetype": "api", **spring}), LAMBDA
    )
    heavy = Workload.model_validate(
        {"name": "w", "archetype": "api", **spring, "resources": {"package": "90MiB"}}
    )
    boot = derive_facts(heavy, LAMBDA)
    assert plain.latency is not None and boot.latency is not None
    assert plain.latency.startup.p50 == pytest.approx(0.239)
    assert boot.latency.startup.p50 == pytest.approx(0.239 + 90 * 0.044)


def test_the_simulation_is_deterministic() -> None:
    day = day_shape(Traffic.model_validate({"pattern": "sporadic", "average": "5/h"}))
    assert day is not None
    model = PlatformModel(keep_alive=KEEP_ALIVE, init_p50=0.2, init_p99=0.5)
    first = simulate(day, 0.1, model)
    from serverless_fit.model.simulation import _simulate

    _simulate.cache_clear()
    assert simulate(day, 0.1, model) == first
    assert first.method == "exact"


def test_high_rates_cost_no_more_than_low_ones() -> None:
    # A 50k/s stream is aggregated, not drawn request by request: no arrival is drawn, and
    # the levels it sums are a few hundred, as for 1/s (counted, not timed: a loaded machine
    # must not fail the test).
    model = PlatformModel(keep_alive=KEEP_ALIVE, init_p50=0.2, init_p99=0.5, quota=1000)
    sizes = []
    for average in ("1/s", "50k/s"):
        day = day_shape(Traffic.model_validate({"pattern": "steady", "average": average}))
        assert day is not None
        result = simulate(day, 0.05, model)
        assert result.method == "aggregated" and result.arrivals == 0
        levels = _levels(day.hours[0].mean, 0.05, KEEP_ALIVE, 1)
        sizes.append(len(levels.alive))
    assert sizes[1] < 1000


@pytest.mark.parametrize("average", ["10/h", "2/s", "300/s"])
def test_instances_kept_warm_take_the_cold_starts_away(average: str) -> None:
    # Provisioned concurrency or minimum instances: as many kept warm as the traffic ever
    # needs leave no cold start, by every method; fewer leave some.
    day = day_shape(Traffic.model_validate({"pattern": "steady", "average": average}))
    assert day is not None
    bare = PlatformModel(keep_alive=KEEP_ALIVE, init_p50=0.2, init_p99=0.5)
    plain = simulate(day, 0.1, bare)
    covered = PlatformModel(keep_alive=KEEP_ALIVE, init_p50=0.2, init_p99=0.5, warm_minimum=100)
    assert plain.cold_start_share > 0
    assert simulate(day, 0.1, covered).cold_start_share == 0
    assert min(simulate(day, 0.1, covered).instances_by_hour) >= 100


def test_short_runs_scale_out_by_requests_a_second() -> None:
    # 50,000/s of 20 ms runs need 1,000 instances; Lambda adds 10,000 requests a second per
    # 10 seconds, 200 instances of 20 ms: the ramp takes 50 s and throttles.
    data = {
        "runtime": "go",
        "duration": {"typical": "20ms"},
        "traffic": {"pattern": "spiky", "average": "1000/s", "peak": "50k/s", "burst": "2min"},
    }
    assert facts_of(data)["derived.scale_out_throttled_share"] > 0.1
    slower = {**data, "duration": {"typical": "200ms"}}  # 10,000 instances: the quota binds
    values = facts_of(slower)
    assert values["derived.throttled_share"] > 0.8
    assert values["derived.scale_out_throttled_share"] == 0
