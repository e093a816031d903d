"""The cost model: monthly serverless bill, always-on baseline sized for peak, and break-even."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from serverless_fit.catalog import Baseline, Instance, Platform, Tier
from serverless_fit.units import SECONDS_PER_MONTH, Duration, Rate, Size

MIB = 1024.0**2
GIB = 1024.0**3
# Memory that AWS Lambda pairs with one full vCPU; used to infer a CPU need when none is given.
MEMORY_PER_VCPU = 1769 * MIB


@dataclass(frozen=True)
class CostInputs:
    """What the bill depends on, taken from the workload."""

    monthly_requests: float
    duration: Duration  # typical wall time of one request
    memory: Size
    cpus: float | None
    architecture: str
    peak_rate: Rate
    http: bool  # goes through the platform's HTTP front door
    payload: Size | None
    ephemeral_storage: Size | None

    @property
    def cpu_need(self) -> float:
        return self.cpus if self.cpus is not None else self.memory.bytes / MEMORY_PER_VCPU

    @property
    def peak_concurrency(self) -> float:
        """Little's law: arrivals per second times seconds each unit of work takes."""
        return self.peak_rate.per_second * self.duration.seconds


@dataclass(frozen=True)
class Bill:
    monthly_usd: float
    items: tuple[tuple[str, float], ...]  # named parts, each rounded to the cent


@dataclass(frozen=True)
class AlwaysOnBill(Bill):
    instance: str
    count: int
    baseline: str


@dataclass(frozen=True)
class CostEstimate:
    serverless: Bill
    always_on: AlwaysOnBill | None
    ratio: float | None  # serverless over always-on
    break_even: Rate | None  # average rate at which both cost the same
    free_tier: bool


def _bill(items: list[tuple[str, float]]) -> Bill:
    rounded = tuple((name, round(usd + 0.0, 2)) for name, usd in items)
    return Bill(round(sum(usd for _, usd in rounded), 2), rounded)


def tiered(quantity: float, tiers: list[Tier], per: float = 1.0) -> float:
    """Price `quantity` through cumulative tiers; each tier's price is per `per` units."""
    total = 0.0
    start = 0.0
    for tier in tiers:
        end = math.inf if tier.up_to is None else tier.up_to
        if quantity <= start:
            break
        total += (min(quantity, end) - start) * tier.price / per
        start = end
    return total


def billed_memory_gb(platform: Platform, memory: Size) -> float:
    """Memory as the platform bills it: rounded up to its step, at least its minimum, in GB."""
    step = platform.pricing.compute.memory_step.bytes
    billed = max(
        math.ceil(memory.bytes / step - 1e-9) * step, platform.limits.memory_min.value.bytes
    )
    return billed / GIB


def billed_seconds(platform: Platform, duration: Duration) -> float:
    step = platform.pricing.compute.duration_step.seconds
    return math.ceil(duration.seconds / step - 1e-9) * step


def serverless_bill(platform: Platform, inputs: CostInputs, *, free_tier: bool) -> Bill:
    pricing = platform.pricing
    requests = inputs.monthly_requests
    seconds = billed_seconds(platform, inputs.duration)
    gb_s = requests * seconds * billed_memory_gb(platform, inputs.memory)
    billable_requests = requests
    if free_tier:
        gb_s = max(0.0, gb_s - pricing.free_tier.compute_gb_s)
        billable_requests = max(0.0, requests - pricing.free_tier.requests)
    tiers = pricing.compute.tiers[inputs.architecture]  # type: ignore[index]
    items = [
        ("requests", billable_requests * pricing.requests.usd_per_million / 1e6),
        ("compute", tiered(gb_s, tiers)),
    ]
    storage = inputs.ephemeral_storage
    included = pricing.ephemeral_storage.included
    if storage is not None and storage > included:
        extra_gb = (storage.bytes - included.bytes) / GIB
        usd = requests * seconds * extra_gb * pricing.ephemeral_storage.usd_per_gb_s
        items.append(("ephemeral_storage", usd))
    if inputs.http:
        door = platform.front_door
        units = 1
        if inputs.payload is not None:
            units = max(1, math.ceil(inputs.payload.bytes / door.metering_unit.value.bytes - 1e-9))
        price = door.usd_per_million_requests.tiers
        items.append(("front_door", tiered(requests * units, price, per=1e6)))
    return _bill(items)


def _units_per_instance(shape: Instance, inputs: CostInputs) -> int:
    by_cpu = math.floor(shape.vcpus / inputs.cpu_need + 1e-9)
    by_memory = math.floor(shape.memory.bytes / inputs.memory.bytes + 1e-9)
    return min(by_cpu, by_memory)


def always_on_bill(baselines: list[Baseline], inputs: CostInputs) -> AlwaysOnBill | None:
    """The cheapest always-on fleet that serves peak concurrency, with a floor for availability."""
    best: AlwaysOnBill | None = None
    for baseline in baselines:
        hours = baseline.hours_per_month.value
        for shape in baseline.shapes(inputs.architecture):  # type: ignore[arg-type]
            units = _units_per_instance(shape, inputs)
            if units < 1:
                continue
            needed = math.ceil(inputs.peak_concurrency / units - 1e-9)
            count = max(baseline.min_instances, needed)
            usd = round(count * shape.usd_per_hour * hours, 2)
            bill = AlwaysOnBill(usd, (("instances", usd),), shape.name, count, baseline.id)
            if best is None or (usd, shape.name) < (best.monthly_usd, best.instance):
                best = bill
    return best


def estimate(
    platform: Platform, baselines: list[Baseline], inputs: CostInputs, *, free_tier: bool
) -> CostEstimate:
    serverless = serverless_bill(platform, inputs, free_tier=free_tier)
    always_on = always_on_bill(baselines, inputs)
    ratio = None
    break_even = None
    if always_on is not None and always_on.monthly_usd > 0:
        ratio = serverless.monthly_usd / always_on.monthly_usd
        break_even = _break_even(platform, inputs, always_on.monthly_usd, free_tier=free_tier)
    return CostEstimate(serverless, always_on, ratio, break_even, free_tier)


def _break_even(
    platform: Platform, inputs: CostInputs, target_usd: float, *, free_tier: bool
) -> Rate | None:
    """The average rate at which the serverless bill equals `target_usd`, by bisection.

    The always-on fleet stays as sized for the workload's peak; only the average rate moves.
    """

    def bill_at(monthly: float) -> float:
        moved = replace(inputs, monthly_requests=monthly)
        return serverless_bill(platform, moved, free_tier=free_tier).monthly_usd

    low, high = 0.0, max(inputs.monthly_requests, 1.0)
    while bill_at(high) < target_usd:
        high *= 2
        if high > 1e16:
            return None
    for _ in range(100):
        middle = (low + high) / 2
        if bill_at(middle) < target_usd:
            low = middle
        else:
            high = middle
        if high - low <= max(1.0, high * 1e-9):
            break
    return Rate.from_per_second(high / SECONDS_PER_MONTH)
