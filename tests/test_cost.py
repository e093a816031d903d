"""The cost model against bills computed by hand from the providers' published prices."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest

from serverless_fit.data.catalog import Platform, Tier, baselines, platforms
from serverless_fit.format.units import SECONDS_PER_MONTH, parse_duration, parse_rate, parse_size
from serverless_fit.format.workload import Workload
from serverless_fit.model.bills import AlwaysOnBill, Bill, CostSettings, tiered
from serverless_fit.model.cost import _bills_at, estimate
from serverless_fit.model.facts import cost_inputs
from serverless_fit.model.fleet import always_on_bill, shapes_for
from serverless_fit.model.inputs import CostInputs
from serverless_fit.model.serverless import provisioned_cost, serverless_bill
from serverless_fit.model.sizing import billed_memory, billed_seconds, billed_vcpus
from tests.conftest import deep_merge

LAMBDA = platforms()["aws-lambda"]
AZURE = platforms()["azure-functions"]
GCP = platforms()["gcp-cloud-run-functions"]
CLOUDFLARE = platforms()["cloudflare-workers"]
DAYS = 730 / 24  # a 730-hour month


def bill_of(platform: Platform, free_tier: bool = False, **changes: object) -> Bill:
    bill = serverless_bill(platform, inputs(**changes), free_tier=free_tier)
    assert bill is not None
    return bill


def inputs(**changes: object) -> CostInputs:
    values: dict[str, object] = {
        "monthly_requests": 10_000_000,
        "duration": parse_duration("200ms"),
        "memory": parse_size("512MiB"),
        "cpus": None,
        "architecture": "x86_64",
        "peak_rate": parse_rate("20/s"),
        "http": False,
        "payload": None,
        "ephemeral_storage": None,
    }
    values.update(changes)
    return CostInputs(**values)  # type: ignore[arg-type]


def workload(**fields: Any) -> Workload:
    base = {"name": "w", "archetype": "api", "runtime": "nodejs"}
    return Workload.model_validate(deep_merge(base, fields))


def fleet_of(data: dict[str, Any], settings: CostSettings | None = None) -> AlwaysOnBill:
    chosen = workload(**data)
    bill = always_on_bill("aws", cost_inputs(chosen, LAMBDA), settings or CostSettings())
    assert bill is not None and bill.sizing is not None
    return bill


# --- the serverless bill ---------------------------------------------------------------


def test_ten_million_requests_at_200ms_and_512mib() -> None:
    # 10M x 0.2 s x 0.5 GB = 1,000,000 GB-s x $0.0000166667 = $16.67; 10M x $0.20/M = $2.00
    bill = bill_of(LAMBDA)
    assert dict(bill.items) == {"requests": 2.00, "compute": 16.67}
    assert bill.monthly_usd == 18.67


def test_free_tier_is_subtracted_only_when_asked() -> None:
    # (1,000,000 - 400,000) GB-s x $0.0000166667 = $10.00; (10M - 1M) x $0.20/M = $1.80
    bill = bill_of(LAMBDA, free_tier=True)
    assert dict(bill.items) == {"requests": 1.80, "compute": 10.00}


def test_arm_is_cheaper_per_gb_second() -> None:
    bill = bill_of(LAMBDA, architecture="arm64")
    assert dict(bill.items)["compute"] == 13.33  # 1,000,000 x $0.0000133334


def test_duration_bills_by_the_millisecond_and_memory_by_the_mib() -> None:
    # 1M x 0.1005 s rounds up to 0.101 s; 130 MiB bills as 130/1024 GB
    bill = bill_of(
        LAMBDA,
        monthly_requests=1_000_000,
        duration=parse_duration("100.5ms"),
        memory=parse_size("130MiB"),
    )
    expected = 1_000_000 * 0.101 * (130 / 1024) * 0.0000166667
    assert dict(bill.items)["compute"] == round(expected, 2)


def test_http_work_pays_the_front_door_per_512kib() -> None:
    # 10M requests of 700 KiB count twice: 20M x $1.00/M = $20.00
    bill = bill_of(LAMBDA, http=True, payload=parse_size("700KiB"))
    assert dict(bill.items)["front_door"] == 20.00


def test_tiers_apply_to_the_part_above_each_boundary() -> None:
    tiers = [Tier(up_to=100, price=1.0), Tier(up_to=None, price=0.5)]
    assert tiered(150, tiers) == 125.0
    assert tiered(50, tiers) == 50.0


def test_a_stream_is_billed_per_batch_not_per_message() -> None:
    # 50,000 messages/s x 2,628,000 s = 131.4B messages; Kinesis batches of 100 (AWS's
    # default): 1.314B invocations x $0.20/M = $262.80 (one per message: $26,280).
    stream = {"trigger": "stream", "monthly_requests": 50_000 * SECONDS_PER_MONTH}
    ten_ms = parse_duration("10ms")
    bill = bill_of(LAMBDA, duration=ten_ms, **stream)
    assert dict(bill.items)["requests"] == 262.80
    assert "100 messages per invocation (provider default)" in bill.notes
    # A batch runs its messages one after another: the compute is the same as unbatched.
    unbatched = bill_of(LAMBDA, duration=ten_ms, monthly_requests=stream["monthly_requests"])
    assert dict(bill.items)["compute"] == dict(unbatched.items)["compute"]
    assert dict(unbatched.items)["requests"] == 26_280.00
    # The workload's own batch size, and the provider's maximum as a ceiling.
    ten = bill_of(LAMBDA, duration=ten_ms, batch_size=10, **stream)
    assert dict(ten.items)["requests"] == 2_628.00
    huge = bill_of(LAMBDA, duration=ten_ms, batch_size=20_000, **stream)
    assert dict(huge.items)["requests"] == 2.63  # capped at 10,000
    assert any("allows" in note for note in huge.notes)


def test_queues_batch_by_the_providers_own_defaults() -> None:
    queue = {"trigger": "queue"}
    assert dict(bill_of(LAMBDA, **queue).items)["requests"] == 0.20  # SQS: 10 a batch
    assert dict(bill_of(CLOUDFLARE, monthly_requests=1e9, **queue).items)["requests"] == 27.00
    # Google delivers one event per invocation: 10M x $0.40/M
    assert dict(bill_of(GCP, **queue).items)["requests"] == 4.00


def test_data_transfer_is_priced_on_the_providers_tiers() -> None:
    # 10M x 2 MiB = 19,531.25 GB: 10,240 GB x $0.09 + 9,291.25 GB x $0.085 = $1,711.36
    bill = bill_of(LAMBDA, egress=parse_size("2MiB"))
    assert dict(bill.items)["data_transfer"] == 1711.36
    # with --free-tier the first 100 GB are free: 10,240 x $0.09 + 9,191.25 x $0.085
    assert dict(bill_of(LAMBDA, True, egress=parse_size("2MiB")).items)["data_transfer"] == 1702.86
    # Cloudflare bills no data transfer
    assert dict(bill_of(CLOUDFLARE, egress=parse_size("2MiB")).items)["data_transfer"] == 0.0
    # and a workload that does not say what it sends out is told so
    assert "data transfer out not priced: give resources.egress" in bill_of(LAMBDA).notes


def test_a_static_site_pays_the_cdn_for_requests_and_bytes() -> None:
    # 2 MiB pages at 5 a second: 13,140,000 requests a month. Requests: 1,314 x $0.01 =
    # $13.14. Bytes: 26,280,000 MiB = 25,664.0625 GB: 10,240 x $0.085 + 15,424.0625 x
    # $0.080 = $870.40 + $1,233.93 = $2,104.33.
    site = {
        "static_site": True,
        "monthly_requests": 5 * SECONDS_PER_MONTH,
        "egress": parse_size("2MiB"),
        "site_size": parse_size("10GiB"),
    }
    bill = bill_of(LAMBDA, **site)
    assert dict(bill.items) == {
        "cdn_requests": 13.14,
        "cdn_data_transfer": 2104.33,
        "storage": 0.23,
    }
    # Free: 10M requests and 1 TB: 3.14M x $0.01/10k, 10,240 x $0.085 + 14,400.0625 x $0.080
    free = dict(bill_of(LAMBDA, True, **site).items)
    assert free["cdn_requests"] == 3.14 and free["cdn_data_transfer"] == 2022.41
    # Without a byte count the payload stands in for every response, and the bill says so.
    upper = bill_of(LAMBDA, **{**site, "egress": None, "payload": parse_size("2MiB")})
    assert dict(upper.items)["cdn_data_transfer"] == 2104.33
    assert any("upper bound" in note for note in upper.notes)
    # providers without published static-hosting prices give no bill rather than a guess
    assert serverless_bill(GCP, inputs(**site), free_tier=False) is None


def test_long_lived_connections_pay_the_websocket_api() -> None:
    # 1M messages of 8 KiB (one 32 KB unit each) x $1.00/M = $1.00; 500 clients connected
    # all month: 500 x 43,800 min = 21.9M connection-minutes x $0.25/M = $5.475
    socket = {"http": True, "long_lived": True, "payload": parse_size("8KiB")}
    bill = bill_of(LAMBDA, monthly_requests=1_000_000, connected_clients=500, **socket)
    assert dict(bill.items)["websocket_messages"] == 1.00
    assert dict(bill.items)["websocket_connections"] == 5.48
    assert "front_door" not in dict(bill.items)
    unknown = bill_of(LAMBDA, monthly_requests=1_000_000, **socket)
    assert unknown.unpriced == ("websocket_connections",)


def test_cold_starts_pay_for_their_init_phase_on_lambda() -> None:
    # 10M invocations, 1% cold, Java's mean init 249 ms (maxday/lambda-perf), 2 GiB:
    # 100,000 x 0.249 s x 2 GB = 49,800 GB-s x $0.0000166667 = $0.83
    java = {"memory": parse_size("2GiB"), "cold_start_share": 0.01, "init_seconds": 0.249}
    assert dict(bill_of(LAMBDA, **java).items)["init"] == 0.83
    assert "init" not in dict(bill_of(GCP, **java).items)  # not billed separately there


def test_google_bills_requests_cpu_and_memory_of_the_tier() -> None:
    # 512 MiB comes with 0.333 vCPU, so one request an instance. 10M x $0.40/M = $4.00;
    # 10M x 0.2 s x 0.5 GiB = 1,000,000 GiB-s x $0.0000025 = $2.50;
    # 10M x 0.2 s x 0.333 vCPU = 666,000 vCPU-s x $0.000024 = $15.984
    bill = bill_of(GCP, concurrency=80)
    assert dict(bill.items) == {"requests": 4.00, "compute": 2.50, "cpu": 15.98}
    assert bill.monthly_usd == 22.48


def test_google_shares_an_instance_among_concurrent_requests() -> None:
    # 2 GiB comes with 1 vCPU, so concurrency applies. 10M requests of 200 ms around the
    # clock: 3.805 arrivals/s x 0.2 s = 0.761 requests in flight on average; with up to 80
    # an instance, one is busy whenever any is: 1 - e^(-0.761) of the time.
    shared = bill_of(GCP, memory=parse_size("2GiB"), concurrency=80)
    busy = SECONDS_PER_MONTH * -math.expm1(-10_000_000 / SECONDS_PER_MONTH * 0.2)
    assert dict(shared.items)["compute"] == round(busy * 2 * 0.0000025, 2)
    assert dict(shared.items)["cpu"] == round(busy * 1 * 0.000024, 2)
    alone = bill_of(GCP, memory=parse_size("2GiB"), concurrency=1)
    assert dict(alone.items)["cpu"] == round(10_000_000 * 0.2 * 0.000024, 2)


def test_google_free_tier_covers_each_meter() -> None:
    # (10M - 2M) x $0.40/M = $3.20; (1,000,000 - 360,000) x $0.0000025 = $1.60;
    # (666,000 - 180,000) x $0.000024 = $11.664
    bill = bill_of(GCP, free_tier=True)
    assert dict(bill.items) == {"requests": 3.20, "compute": 1.60, "cpu": 11.66}


def test_google_rounds_memory_up_to_the_next_tier() -> None:
    assert str(billed_memory(GCP, parse_size("600MiB"))) == "1024MiB"
    assert billed_vcpus(GCP, parse_size("600MiB"), None) == 0.583
    assert billed_vcpus(GCP, parse_size("600MiB"), 2.0) == 2.0  # asked for more CPU
    assert billed_seconds(GCP.pricing.compute, 0.15) == pytest.approx(0.2)


def test_azure_flex_bills_instance_time_of_the_instance_size() -> None:
    # One execution an instance: each keeps its 512 MB instance billed for at least 1 s:
    # 10M x 1 s x 0.5 GB x $0.000026 = $130.00
    bill = bill_of(AZURE)
    assert dict(bill.items) == {"compute": 130.00}
    assert bill.unpriced == ("requests",)  # the execution price is not confirmed
    # 80 at once: an instance is billed while any runs, 1 - e^(-3.805 x 1 s) of the month,
    # 2,569,537 s x 0.5 GB x $0.000026 = $33.40
    assert dict(bill_of(AZURE, concurrency=80).items) == {"compute": 33.40}


def test_instance_time_follows_the_days_shape() -> None:
    # The same requests packed into 6 hours overlap more, so less instance time is billed.
    from serverless_fit.model.traffic import day_shape

    spread = workload(traffic={"average": "2M/month"}, resources={"memory": "512MiB"})
    packed = workload(
        traffic={"average": "2M/month", "active_hours_per_day": 6},
        resources={"memory": "512MiB"},
        duration={"typical": "200ms"},
    )
    spread = packed.model_copy(update={"traffic": spread.traffic})
    costs = []
    for chosen in (spread, packed):
        assert chosen.traffic is not None
        costs.append(
            bill_of(
                AZURE,
                monthly_requests=2_000_000,
                concurrency=80,
                shape=day_shape(chosen.traffic),
            ).monthly_usd
        )
    assert costs[1] < costs[0]
    active = 730 * 3600 / 4
    expected = active * -math.expm1(-2_000_000 / active * 1.0)
    assert costs[1] == round(expected * 0.5 * 0.000026, 2)


def test_cloudflare_bills_the_plan_and_cpu_time_over_its_allowance() -> None:
    # $5 plan with 10M requests and 30M CPU-ms included:
    # 10M x 200 ms = 2,000M CPU-ms; (2,000M - 30M) x $0.02/M = $39.40
    bill = bill_of(CLOUDFLARE)
    assert dict(bill.items) == {"plan": 5.00, "requests": 0.00, "cpu": 39.40}
    assert bill.monthly_usd == 44.40
    quiet = bill_of(CLOUDFLARE, monthly_requests=1000, duration=parse_duration("5ms"))
    assert quiet.monthly_usd == 5.00


def test_a_gpu_is_a_priced_gap_or_a_stated_absence() -> None:
    assert "gpu" in bill_of(GCP, gpu=True).unpriced  # offered, price unconfirmed
    # Not offered: the bill of work that cannot run as described is only a floor, so it
    # never shows serverless to be cheaper (COST001 needs every price).
    absent = bill_of(LAMBDA, gpu=True)
    assert "gpu" in absent.unpriced
    assert "no GPU on AWS Lambda: the bill leaves out the GPU the work needs" in absent.notes


def test_provisioned_concurrency_covers_the_peak_at_its_real_price() -> None:
    # A Java API of 2 GiB: 50/s steady, 600/s at peak, 200 ms: 120 environments at the peak.
    # Kept warm: 120 x 2 GB x 2,628,000 s x $0.0000041667 = $2,628.01. The runs on them bill
    # $0.0000097222 instead of $0.0000166667 a GB-s: 131.4M x 0.2 s x 2 GB = 52.56M GB-s x
    # $0.0000069445 = $365.00 less. Net: $2,263.01.
    api = inputs(
        monthly_requests=50 * SECONDS_PER_MONTH,
        memory=parse_size("2GiB"),
        peak_rate=parse_rate("600/s"),
    )
    priced = provisioned_cost(LAMBDA, api)
    assert priced is not None
    money, warm = priced
    assert warm == 120
    assert money.amount == pytest.approx(2628.01 - 365.00, abs=0.02)
    # Serving 99% of requests warm needs far fewer: the average 10 in flight and its spread.
    fewer = provisioned_cost(LAMBDA, api, share=0.99)
    assert fewer is not None and fewer[1] < 25
    assert provisioned_cost(AZURE, api) is None  # the always-ready price is not confirmed


# --- the always-on side ----------------------------------------------------------------


def test_an_api_instance_serving_80_at_once_is_sized_for_its_busiest_hour() -> None:
    # 1,000/s at 100 ms: 100 requests in flight around the clock; a process of 512 MiB runs
    # on one vCPU and serves 80 at once, 48 at 60%. The candidates, by hand:
    #   t3.medium holds 2 processes (160 slots, 96 usable): 2 x $0.0416 = $0.0832 an hour,
    #     and 100 / 320 = 31% busy over its 20% baseline: 0.1125 x 2 vCPU x $0.05 x 2
    #     = $0.0225 an hour of CPU credits; $0.1057 in all
    #   Fargate 0.25 vCPU / 0.5 GB runs one process at a quarter (20 slots, 12 usable):
    #     ceil(100 / 12) = 9 x $0.0123425 = $0.1111
    #   Fargate 0.5 vCPU / 1 GB at half (40 slots): 5 x $0.024685 = $0.1234
    #   Fargate 1 vCPU / 2 GB (80 slots): 3 x $0.04937 = $0.1481
    # The cheapest: two t3.medium, 1,460 h x $0.0416 = $60.74 and $16.43 of credits.
    api = {
        "duration": {"typical": "100ms"},
        "traffic": {"pattern": "steady", "average": "1000/s"},
        "resources": {"memory": "512MiB", "concurrency": 80},
    }
    bill = fleet_of(api)
    sizing = bill.sizing
    assert sizing is not None
    assert sizing.instance == "t3.medium"
    assert sizing.requests_per_instance == 160 and (sizing.min_count, sizing.max_count) == (2, 2)
    assert dict(bill.items)["instances"] == 60.74
    assert dict(bill.items)["cpu_credits"] == 16.43
    # The Fargate sizes as priced above: a process per vCPU, a part of one on smaller tasks.
    tasks = shapes_for(cost_inputs(workload(**api), LAMBDA), [baselines()["aws-fargate"]])
    by_vcpus = {shape.vcpus: shape for shape in tasks}
    assert (by_vcpus[0.25].processes, by_vcpus[0.25].share) == (1, 0.25)
    assert by_vcpus[0.25].usd_per_hour == pytest.approx(0.0123425)
    assert (by_vcpus[2].processes, by_vcpus[2].share) == (2, 1.0)
    # Given vCPUs are a floor: a 2-vCPU process never runs on a smaller task.
    wide = deep_merge(api, {"resources": {"cpus": 2}})
    tasks = shapes_for(cost_inputs(workload(**wide), LAMBDA), [baselines()["aws-fargate"]])
    assert min(shape.vcpus for shape in tasks) == 2
    # The ALB: $0.0225 an hour plus 1,000 new connections/s / 25 = 40 LCU x $0.008 an hour
    assert dict(bill.items)["load_balancer"] == round(730 * (0.0225 + 40 * 0.008), 2)
    assert sizing.load_balancer == "Application Load Balancer"
    # No load balancer for work no caller waits on.
    queued = fleet_of({**api, "trigger": "queue"})
    assert "load_balancer" not in dict(queued.items)


def test_the_fleet_follows_the_hours_and_keeps_its_floor() -> None:
    # 1,000/s by day (500/s on average over 12 hours) at 100 ms: 100 in flight by day, none
    # at night; a 2 GiB JVM serves 200 at once (Tomcat's default) on a vCPU. By hand:
    #   Fargate 0.25 vCPU / 2 GB runs one at a quarter (50 slots, 30 at 60%): 4 by day,
    #     the floor of 2 by night: 72 task-hours a day x $0.01901 = $41.63 a month
    #   t3.medium holds two (400 slots, 240 at 60%): 2 all day = $60.74
    day = {
        "runtime": "java",
        "duration": {"typical": "100ms"},
        "traffic": {"average": "500/s", "active_hours_per_day": 12},
        "resources": {"memory": "2GiB"},
    }
    bill = fleet_of(day)
    assert bill.sizing is not None and bill.sizing.instance == "aws-fargate-0.25vcpu-2gb"
    assert (bill.sizing.min_count, bill.sizing.max_count) == (2, 4)
    assert dict(bill.items)["instances"] == 41.63
    # A floor of 1: one t3.medium all day, 730 h x $0.0416 = $30.37, under its CPU baseline
    lone = fleet_of(day, CostSettings(min_instances=1))
    assert lone.sizing is not None and (lone.sizing.instance, lone.sizing.max_count) == (
        "t3.medium",
        1,
    )
    assert dict(lone.items) == {"instances": 30.37, "load_balancer": 133.23}
    # At 20%: t3.medium has 80 usable slots, 2 by day; the small tasks need 10 by day.
    tight = fleet_of(day, CostSettings(target_utilisation=0.2))
    assert tight.sizing is not None and tight.sizing.instance == "t3.medium"
    assert tight.sizing.max_count == 2 and dict(tight.items)["instances"] == 60.74


def test_http_bursts_size_every_active_hour_for_the_peak_but_queues_absorb_them() -> None:
    spiky = {
        "trigger": "http",
        "duration": {"typical": "200ms"},
        "traffic": {"pattern": "spiky", "average": "10/s", "peak": "2000/s"},
        "resources": {"memory": "512MiB"},
    }
    http = fleet_of(spiky).sizing
    queued = fleet_of({**spiky, "trigger": "queue"}).sizing
    assert http is not None and queued is not None
    # 2,000/s x 0.2 s = 400 in flight: a t3.medium's 2 x 80 slots at 60% = 96: 5
    assert (http.instance, http.max_count) == ("t3.medium", 5)
    # Queued, the hour's mean of 10/s is 2 in flight: the floor of two quarter-vCPU tasks
    assert (queued.instance, queued.max_count) == ("aws-fargate-0.25vcpu-0.5gb", 2)
    bigger = fleet_of({**spiky, "traffic": {**spiky["traffic"], "peak": "20000/s"}}).sizing
    queued_bigger = fleet_of(
        {**spiky, "trigger": "queue", "traffic": {**spiky["traffic"], "peak": "20000/s"}}
    ).sizing
    assert bigger is not None and queued_bigger is not None
    assert bigger.max_count == math.ceil(20000 * 0.2 / 96)  # held for the burst
    assert queued_bigger.max_count == 2  # the hour's mean: bursts wait in the queue


def test_cpu_bound_work_is_sized_by_its_cpu_too() -> None:
    # A known wait leaves the CPU time: (1 s - 0.2 s) x 0.5 vCPU = 0.4 vCPU-s a request; at
    # 50/s that is 20 vCPUs, at 60% of 2-vCPU instances: ceil(20 / 1.2) = 17.
    work = {
        "trigger": "http",
        "duration": {"typical": "1s", "waiting": "200ms"},
        "traffic": {"pattern": "steady", "average": "50/s"},
        "resources": {"memory": "1GiB", "cpus": 0.5},
    }
    sizing = fleet_of(work).sizing
    assert sizing is not None and sizing.max_count * 2 >= 17 * 2 * 0.99
    assert (
        fleet_of({**work, "duration": {"typical": "1s"}}).monthly_usd < fleet_of(work).monthly_usd
    )


def test_burstable_instances_pay_for_sustained_cpu() -> None:
    # A batch run keeps its CPU busy: on a t3.medium everything above the 20% baseline costs
    # $0.05 a vCPU-hour, so a 2-hour nightly job on 2 vCPUs picks a c6i.large instead:
    # 30.4 runs x 2 h x $0.085 = $5.17.
    job = {
        "archetype": "batch-job",
        "runtime": "python",
        "duration": {"typical": "2h"},
        "traffic": {"pattern": "periodic", "average": "1/day"},
        "resources": {"memory": "4GiB", "cpus": 2},
    }
    bill = fleet_of(job)
    assert bill.sizing is not None and bill.sizing.mode == "scheduled"
    assert bill.instance == "c6i.large"
    assert bill.monthly_usd == round(DAYS * 2 * 0.085, 2) == 5.17


def test_each_provider_is_compared_with_its_own_fleet() -> None:
    api = workload(
        duration={"typical": "100ms"},
        traffic={"average": "100/s"},
        resources={"memory": "512MiB"},
    )
    baselines = {}
    for platform in platforms().values():
        bill = always_on_bill(platform.provider, cost_inputs(api, platform), CostSettings())
        assert bill is not None
        baselines[platform.id] = bill.baseline
    assert baselines["azure-functions"] == "azure-vm"
    assert baselines["gcp-cloud-run-functions"] == "gcp-compute"
    assert baselines["aws-lambda"].startswith("aws-")
    assert baselines["cloudflare-workers"].startswith("aws-")  # Cloudflare sells no VMs


def test_break_even_is_where_the_bills_cross() -> None:
    settings = CostSettings()
    chosen = workload(
        trigger="http",
        duration={"typical": "100ms"},
        traffic={"pattern": "steady", "average": "20/s"},
        resources={"memory": "512MiB"},
    )
    for platform in (LAMBDA, GCP, CLOUDFLARE):
        base = cost_inputs(chosen, platform)
        cost = estimate(platform, base, settings)
        assert cost.always_on is not None and cost.break_even is not None, platform.id
        factor = cost.break_even.per_second / 20
        before = _bills_at(platform, base, settings, cost.always_on, factor * 0.99)
        after = _bills_at(platform, base, settings, cost.always_on, factor * 1.01)
        gaps = [s.monthly_usd - a.monthly_usd for s, a in (before, after) if s and a]
        assert len(gaps) == 2 and (gaps[0] < 0) != (gaps[1] < 0), platform.id


def test_steady_volume_is_cheaper_always_on_and_sporadic_traffic_serverless() -> None:
    steady = cost_inputs(
        workload(
            trigger="http",
            duration={"typical": "50ms"},
            traffic={"pattern": "steady", "average": "500/s"},
            resources={"memory": "512MiB"},
        ),
        LAMBDA,
    )
    sporadic = dataclasses.replace(
        steady,
        monthly_requests=20 * 24 * 30.4,
        shape=None,
        peak_rate=parse_rate("1/s"),
    )
    assert (estimate(LAMBDA, steady, CostSettings()).ratio or 0) > 2
    assert (estimate(LAMBDA, sporadic, CostSettings()).ratio or 9) < 0.5


def test_gpu_work_is_compared_with_gpu_instances_and_other_work_never_is() -> None:
    # One process per GPU; the floor of two instances holds the sporadic traffic:
    # 2 x g5.xlarge x 730 h x $1.006 = $1,468.76 on AWS, 2 x g2-standard-4 x $0.708 = $1,033.68.
    data = {
        "archetype": "ml-inference",
        "trigger": "queue",
        "duration": {"typical": "40s"},
        "traffic": {"average": "200/day", "active_hours_per_day": 10},
        "resources": {"memory": "16GiB", "cpus": 4, "gpu": True},
    }
    aws = fleet_of(data)
    assert aws.instance == "g5.xlarge" and aws.monthly_usd == 1468.76
    chosen = workload(**data)
    gcp = always_on_bill("gcp", cost_inputs(chosen, GCP), CostSettings())
    assert gcp is not None and gcp.instance == "g2-standard-4" and gcp.monthly_usd == 1033.68
    cpu_only = fleet_of(deep_merge(data, {"resources": {"gpu": False}}))
    assert cpu_only.instance != "g5.xlarge"
