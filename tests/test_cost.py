"""The cost model against bills computed by hand from the providers' published prices."""

from __future__ import annotations

import dataclasses
import math

import pytest

from serverless_fit.data.catalog import Platform, Tier, baselines, platforms
from serverless_fit.format.units import parse_duration, parse_rate, parse_size
from serverless_fit.model.cost import (
    Bill,
    CostInputs,
    always_on_bill,
    billed_memory,
    billed_seconds,
    billed_time,
    billed_vcpus,
    estimate,
    serverless_bill,
    tiered,
)

LAMBDA = platforms()["aws-lambda"]
AZURE = platforms()["azure-functions"]
GCP = platforms()["gcp-cloud-run-functions"]
CLOUDFLARE = platforms()["cloudflare-workers"]
AWS_BASELINES = [b for b in baselines().values() if b.provider == "aws"]


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


def test_always_on_is_sized_for_peak_with_two_instances_at_least() -> None:
    # 20/s x 0.2 s = 4 concurrent units of 512 MiB, ~0.29 vCPU each: the cheapest shape that
    # holds them is two Fargate tasks of 0.25 vCPU... each holds none, so 0.5 vCPU / 1 GB
    # tasks hold one unit each: 4 tasks.
    bill = always_on_bill(AWS_BASELINES, inputs())
    assert bill is not None
    assert bill.count >= 2
    assert bill.monthly_usd > 0
    busy = always_on_bill(AWS_BASELINES, inputs(peak_rate=parse_rate("2000/s")))
    assert busy is not None and busy.monthly_usd > bill.monthly_usd


def test_break_even_is_where_the_bills_meet() -> None:
    cost = estimate(LAMBDA, AWS_BASELINES, inputs(), free_tier=False)
    assert cost.always_on is not None and cost.break_even is not None
    bill = bill_of(LAMBDA, monthly_requests=cost.break_even.per_month)
    assert bill.monthly_usd == pytest.approx(cost.always_on.monthly_usd, rel=0.01)


@pytest.mark.parametrize("platform", [LAMBDA, AZURE, GCP, CLOUDFLARE], ids=lambda p: p.id)
def test_break_even_holds_on_every_platform(platform: Platform) -> None:
    steady = inputs(monthly_requests=300_000_000, peak_rate=parse_rate("120/s"))
    cost = estimate(platform, AWS_BASELINES, steady, free_tier=False)
    assert cost.always_on is not None and cost.break_even is not None
    moved = dataclasses.replace(steady, monthly_requests=cost.break_even.per_month)
    bill = serverless_bill(platform, moved, free_tier=False)
    assert bill is not None
    assert bill.monthly_usd == pytest.approx(cost.always_on.monthly_usd, rel=0.01, abs=0.02)


def test_google_bills_requests_cpu_and_memory_of_the_tier() -> None:
    # 512 MiB comes with 0.333 vCPU. 10M x $0.40/M = $4.00;
    # 10M x 0.2 s x 0.5 GiB = 1,000,000 GiB-s x $0.0000025 = $2.50;
    # 10M x 0.2 s x 0.333 vCPU = 666,000 vCPU-s x $0.000024 = $15.984
    bill = bill_of(GCP)
    assert dict(bill.items) == {"requests": 4.00, "compute": 2.50, "cpu": 15.98}
    assert bill.monthly_usd == 22.48


def test_google_free_tier_covers_each_meter() -> None:
    # (10M - 2M) x $0.40/M = $3.20; (1,000,000 - 360,000) x $0.0000025 = $1.60;
    # (666,000 - 180,000) x $0.000024 = $11.664
    bill = bill_of(GCP, free_tier=True)
    assert dict(bill.items) == {"requests": 3.20, "compute": 1.60, "cpu": 11.66}


def test_google_rounds_memory_up_to_the_next_tier() -> None:
    assert str(billed_memory(GCP, parse_size("600MiB"))) == "1024MiB"
    assert billed_vcpus(GCP, parse_size("600MiB"), None) == 0.583
    assert billed_vcpus(GCP, parse_size("600MiB"), 2.0) == 2.0  # asked for more CPU
    # a 150 ms run is billed as 200 ms when it runs alone
    assert billed_seconds(GCP.pricing.compute, parse_duration("150ms")) == pytest.approx(0.2)
    rare = inputs(monthly_requests=10_000, duration=parse_duration("150ms"))
    assert billed_time(GCP.pricing.compute, rare, 10_000) == pytest.approx(10_000 * 0.2, rel=1e-3)


def test_azure_flex_bills_instance_time_of_the_instance_size() -> None:
    # A run keeps the 512 MB instance billed for at least 1 s. 10M requests spread over the
    # month's 2,628,000 s arrive at 3.805/s, so the instance is active 1 - e^(-3.805 x 1 s) =
    # 97.8% of the time: 2,569,537 s x 0.5 GB x $0.000026 = $33.40
    bill = bill_of(AZURE)
    assert dict(bill.items) == {"compute": 33.40}
    assert bill.unpriced == ("requests",)  # the execution price is not confirmed
    # rare runs: each is billed alone, at least 1 s: 1,000 x 1 s x 0.5 GB x $0.000026
    rare = bill_of(AZURE, monthly_requests=1000)
    assert dict(rare.items)["compute"] == round(1000 * 1 * 0.5 * 0.000026, 2)
    # busy: never less than the runs themselves; 1 GiB needs the 2 GB instance
    busy = bill_of(AZURE, memory=parse_size("1GiB"), duration=parse_duration("1.25s"))
    assert dict(busy.items)["compute"] == round(10_000_000 * 1.25 * 2 * 0.000026, 2)


def test_instance_time_counts_only_the_active_hours() -> None:
    # the same requests packed into 6 hours a day overlap more, so less instance time is billed
    spread = bill_of(AZURE, monthly_requests=2_000_000)
    packed = bill_of(AZURE, monthly_requests=2_000_000, active_hours_per_day=6.0)
    assert packed.monthly_usd < spread.monthly_usd
    active = 730 * 3600 / 4
    expected = max(active * -math.expm1(-2_000_000 / active * 1.0), 2_000_000 * 0.2)
    assert dict(packed.items)["compute"] == round(expected * 0.5 * 0.000026, 2)


def test_cloudflare_bills_the_plan_and_cpu_time_over_its_allowance() -> None:
    # $5 plan with 10M requests and 30M CPU-ms included:
    # 10M x 200 ms = 2,000M CPU-ms; (2,000M - 30M) x $0.02/M = $39.40
    bill = bill_of(CLOUDFLARE)
    assert dict(bill.items) == {"plan": 5.00, "requests": 0.00, "cpu": 39.40}
    assert bill.monthly_usd == 44.40
    quiet = bill_of(CLOUDFLARE, monthly_requests=1000, duration=parse_duration("5ms"))
    assert quiet.monthly_usd == 5.00


def test_static_website_is_object_storage_plus_cdn() -> None:
    # 100M requests: 100M / 10,000 x $0.01 = $100.00; 10 GiB stored x $0.023 = $0.23
    site = {"static_site": True, "site_size": parse_size("10GiB"), "monthly_requests": 100e6}
    bill = bill_of(LAMBDA, **site)
    assert dict(bill.items) == {"cdn_requests": 100.00, "storage": 0.23}
    # the always-free 10M CloudFront requests: 90M / 10,000 x $0.01 = $90.00
    assert dict(bill_of(LAMBDA, free_tier=True, **site).items)["cdn_requests"] == 90.00
    # providers without published static-hosting prices give no bill rather than a guess
    assert serverless_bill(GCP, inputs(**site), free_tier=False) is None
