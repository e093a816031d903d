"""The cost model against bills computed by hand from the providers' published prices."""

from __future__ import annotations

import pytest

from serverless_fit.catalog import Tier, baselines, platforms
from serverless_fit.cost import CostInputs, always_on_bill, estimate, serverless_bill, tiered
from serverless_fit.units import parse_duration, parse_rate, parse_size

LAMBDA = platforms()["aws-lambda"]
AWS_BASELINES = [b for b in baselines().values() if b.provider == "aws"]


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
    bill = serverless_bill(LAMBDA, inputs(), free_tier=False)
    assert dict(bill.items) == {"requests": 2.00, "compute": 16.67}
    assert bill.monthly_usd == 18.67


def test_free_tier_is_subtracted_only_when_asked() -> None:
    # (1,000,000 - 400,000) GB-s x $0.0000166667 = $10.00; (10M - 1M) x $0.20/M = $1.80
    bill = serverless_bill(LAMBDA, inputs(), free_tier=True)
    assert dict(bill.items) == {"requests": 1.80, "compute": 10.00}


def test_arm_is_cheaper_per_gb_second() -> None:
    bill = serverless_bill(LAMBDA, inputs(architecture="arm64"), free_tier=False)
    assert dict(bill.items)["compute"] == 13.33  # 1,000,000 x $0.0000133334


def test_duration_bills_by_the_millisecond_and_memory_by_the_mib() -> None:
    # 1M x 0.1005 s rounds up to 0.101 s; 130 MiB bills as 130/1024 GB
    bill = serverless_bill(
        LAMBDA,
        inputs(
            monthly_requests=1_000_000,
            duration=parse_duration("100.5ms"),
            memory=parse_size("130MiB"),
        ),
        free_tier=False,
    )
    expected = 1_000_000 * 0.101 * (130 / 1024) * 0.0000166667
    assert dict(bill.items)["compute"] == round(expected, 2)


def test_http_work_pays_the_front_door_per_512kib() -> None:
    # 10M requests of 700 KiB count twice: 20M x $1.00/M = $20.00
    bill = serverless_bill(LAMBDA, inputs(http=True, payload=parse_size("700KiB")), free_tier=False)
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
    at_break_even = inputs(monthly_requests=cost.break_even.per_month)
    bill = serverless_bill(LAMBDA, at_break_even, free_tier=False)
    assert bill.monthly_usd == pytest.approx(cost.always_on.monthly_usd, rel=0.01)
