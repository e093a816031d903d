"""The cost model: monthly serverless bill, always-on baseline sized for peak, and break-even."""

from __future__ import annotations

import math
from dataclasses import dataclass

from serverless_fit.data.catalog import Baseline, ComputePrice, Platform, Tier
from serverless_fit.format.units import SECONDS_PER_MONTH, Duration, Rate, Size

MIB = 1024.0**2
GIB = 1024.0**3
# Memory that AWS Lambda pairs with one full vCPU; used to infer a CPU need when none is given.
MEMORY_PER_VCPU = 1769 * MIB
BREAK_EVEN_PRECISION = 1e-6


@dataclass(frozen=True)
class CostInputs:
    """What the bill depends on, taken from the workload; None where the workload is silent."""

    monthly_requests: float
    duration: Duration | None  # typical wall time of one request
    memory: Size | None
    cpus: float | None
    architecture: str
    peak_rate: Rate | None
    http: bool  # goes through the platform's HTTP front door
    payload: Size | None
    ephemeral_storage: Size | None
    static_site: bool = False  # served as files from object storage behind a CDN
    site_size: Size | None = None
    active_hours_per_day: float = 24.0  # the traffic comes in these hours of each day

    @property
    def cpu_need(self) -> float:
        if self.cpus is not None:
            return self.cpus
        assert self.memory is not None
        return self.memory.bytes / MEMORY_PER_VCPU

    @property
    def peak_concurrency(self) -> float:
        """Little's law: arrivals per second times seconds each unit of work takes."""
        assert self.peak_rate is not None and self.duration is not None
        return self.peak_rate.per_second * self.duration.seconds


@dataclass(frozen=True)
class Bill:
    monthly_usd: float
    items: tuple[tuple[str, float], ...]  # named parts, each rounded to the cent
    unpriced: tuple[str, ...] = ()  # parts the provider bills but whose price is unconfirmed


@dataclass(frozen=True)
class AlwaysOnBill(Bill):
    instance: str = ""
    count: int = 0
    baseline: str = ""


@dataclass(frozen=True)
class CostEstimate:
    serverless: Bill | None
    always_on: AlwaysOnBill | None
    ratio: float | None  # serverless over always-on
    break_even: Rate | None  # average rate at which both cost the same
    free_tier: bool  # a free tier was asked for and the platform publishes one
    curve: tuple[tuple[float, float], ...] = ()  # (requests a second, serverless USD a month)
    per_second: float = 0.0  # the workload's average rate


def _bill(items: list[tuple[str, float]], unpriced: tuple[str, ...] = ()) -> Bill:
    rounded = tuple((name, round(usd + 0.0, 2)) for name, usd in items)
    return Bill(round(sum(usd for _, usd in rounded), 2), rounded, unpriced)


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


def _round_up(amount: float, step: float) -> float:
    return math.ceil(amount / step - 1e-9) * step


def billed_memory(platform: Platform, memory: Size) -> Size:
    """Memory as the platform bills it: its next size or step up, at least its minimum."""
    compute = platform.pricing.compute
    floor = platform.limits.memory_min.value.bytes
    if compute.memory_sizes:
        fitting = [s for s in compute.memory_sizes if s.bytes >= memory.bytes - 1e-6]
        chosen = (
            min(fitting, key=lambda s: s.bytes)
            if fitting
            else max(compute.memory_sizes, key=lambda s: s.bytes)
        )
        return Size(max(chosen.bytes, floor) / MIB, "MiB")
    step = compute.memory_step.bytes if compute.memory_step else 1.0
    return Size(max(_round_up(memory.bytes, step), floor) / MIB, "MiB")


def billed_memory_gb(platform: Platform, memory: Size) -> float:
    """Billed memory in GB as price lists count it (1 GB = 1024 MB)."""
    return billed_memory(platform, memory).bytes / GIB


def billed_seconds(compute: ComputePrice, duration: Duration) -> float:
    """One run's duration as billed: rounded up to the step, at least the minimum."""
    seconds = _round_up(duration.seconds, compute.duration_step.seconds)
    if compute.minimum_duration is not None:
        seconds = max(seconds, compute.minimum_duration.seconds)
    return seconds


def billed_time(compute: ComputePrice, inputs: CostInputs, requests: float) -> float:
    """Seconds billed in a month for all runs (README, "Cost model").

    Per-run platforms bill each run's rounded duration. Instance-time platforms bill the time
    an instance is active: with requests arriving at random over the active hours, each keeping
    the instance billed for one run's rounded duration L, the share of time billed is
    1 - exp(-rate x L); the instance is never billed for less than the runs themselves take.
    """
    assert inputs.duration is not None
    per_run = billed_seconds(compute, inputs.duration)
    if compute.billed_per == "run" or requests <= 0:
        return requests * per_run
    active = SECONDS_PER_MONTH * inputs.active_hours_per_day / 24.0
    covered = active * -math.expm1(-requests / active * per_run)
    return max(covered, requests * inputs.duration.seconds)


def billed_vcpus(platform: Platform, memory: Size, cpus: float | None) -> float:
    """vCPUs billed per run: what the memory size comes with, or more when the workload asks."""
    price = platform.pricing.compute.vcpu_s
    assert price is not None
    billed = billed_memory(platform, memory).bytes
    tiers = sorted(price.vcpus_by_memory, key=lambda t: t.memory.bytes)
    fitting = [t.vcpus for t in tiers if t.memory.bytes >= billed - 1e-6]
    vcpus = fitting[0] if fitting else tiers[-1].vcpus
    return max(vcpus, cpus or 0.0)


def serverless_bill(platform: Platform, inputs: CostInputs, *, free_tier: bool) -> Bill | None:
    """The monthly serverless bill, or None when the platform or the workload cannot price it."""
    priced = _priced_parts(platform, inputs, inputs.monthly_requests, free_tier=free_tier)
    return None if priced is None else _bill(*priced)


def _priced_parts(
    platform: Platform, inputs: CostInputs, requests: float, *, free_tier: bool
) -> tuple[list[tuple[str, float]], tuple[str, ...]] | None:
    """The bill's parts in USD, not yet rounded, for `requests` a month."""
    if inputs.static_site:
        return _static_parts(platform, inputs, requests, free_tier=free_tier)
    if inputs.duration is None or inputs.memory is None:
        return None
    pricing = platform.pricing
    compute = pricing.compute
    free = pricing.free_tier if free_tier else None
    seconds = billed_time(compute, inputs, requests)  # all runs together
    items: list[tuple[str, float]] = []
    unpriced: list[str] = []
    if pricing.plan_fee is not None:
        items.append(("plan", pricing.plan_fee.usd_per_month))
    billable = max(0.0, requests - pricing.requests.included - (free.requests if free else 0.0))
    if pricing.requests.usd_per_million is None:
        unpriced.append("requests")
    else:
        items.append(("requests", billable * pricing.requests.usd_per_million / 1e6))
    if compute.gb_s is not None:
        gb_s = seconds * billed_memory_gb(platform, inputs.memory)
        gb_s = max(0.0, gb_s - (free.gb_s if free else 0.0))
        items.append(("compute", tiered(gb_s, compute.gb_s.for_architecture(inputs.architecture))))
    if compute.vcpu_s is not None:
        vcpu_s = seconds * billed_vcpus(platform, inputs.memory, inputs.cpus)
        vcpu_s = max(0.0, vcpu_s - (free.vcpu_s if free else 0.0))
        items.append(("cpu", vcpu_s * compute.vcpu_s.usd_per_vcpu_s))
    if compute.cpu_ms is not None:
        cpu_ms = max(0.0, seconds * 1000 - compute.cpu_ms.included_ms)
        items.append(("cpu", cpu_ms * compute.cpu_ms.usd_per_million_ms / 1e6))
    storage = inputs.ephemeral_storage
    storage_price = pricing.ephemeral_storage
    if storage_price is not None and storage is not None and storage > storage_price.included:
        extra_gb = (storage.bytes - storage_price.included.bytes) / GIB
        usd = seconds * extra_gb * storage_price.usd_per_gb_s
        items.append(("ephemeral_storage", usd))
    door = platform.front_door
    if inputs.http and door.usd_per_million_requests is not None:
        units = 1
        if inputs.payload is not None and door.metering_unit is not None:
            units = max(1, math.ceil(inputs.payload.bytes / door.metering_unit.value.bytes - 1e-9))
        price = door.usd_per_million_requests.tiers
        items.append(("front_door", tiered(requests * units, price, per=1e6)))
    return items, tuple(unpriced)


def _static_parts(
    platform: Platform, inputs: CostInputs, requests: float, *, free_tier: bool
) -> tuple[list[tuple[str, float]], tuple[str, ...]] | None:
    """Object storage behind a CDN: CDN requests plus stored bytes (data transfer not priced)."""
    hosting = platform.pricing.static_hosting
    if hosting is None:
        return None
    if free_tier and hosting.free_cdn_requests is not None:
        requests = max(0.0, requests - hosting.free_cdn_requests.value)
    items = [("cdn_requests", requests / 1e4 * hosting.cdn_requests_per_10k.usd)]
    if inputs.site_size is not None:
        items.append(("storage", inputs.site_size.bytes / GIB * hosting.storage_per_gb_month.usd))
    return items, ()


def always_on_bill(baselines: list[Baseline], inputs: CostInputs) -> AlwaysOnBill | None:
    """The cheapest always-on fleet that serves peak concurrency, with a floor for availability."""
    if inputs.duration is None or inputs.memory is None or inputs.peak_rate is None:
        return None
    peak = inputs.peak_concurrency
    cpu_need = inputs.cpu_need
    memory = inputs.memory.bytes
    best: tuple[float, str, int, str] | None = None  # usd, instance, count, baseline
    for baseline in baselines:
        hours = baseline.hours_per_month.value
        for shape in baseline.shapes(inputs.architecture):  # type: ignore[arg-type]
            by_cpu = math.floor(shape.vcpus / cpu_need + 1e-9)
            units = min(by_cpu, math.floor(shape.memory.bytes / memory + 1e-9))  # per instance
            if units < 1:
                continue
            count = max(baseline.min_instances, math.ceil(peak / units - 1e-9))
            usd = round(count * shape.usd_per_hour * hours, 2)
            if best is None or (usd, shape.name) < best[:2]:
                best = (usd, shape.name, count, baseline.id)
    if best is None:
        return None
    usd, instance, count, baseline_id = best
    return AlwaysOnBill(usd, (("instances", usd),), (), instance, count, baseline_id)


def estimate(
    platform: Platform,
    baselines: list[Baseline],
    inputs: CostInputs,
    *,
    free_tier: bool,
    break_even: bool = True,
    curve_points: int = 0,
) -> CostEstimate:
    """The bills, their ratio and break-even; with `curve_points`, also the serverless bill
    over a range of average rates around the workload's own and the break-even (for charts)."""
    serverless = serverless_bill(platform, inputs, free_tier=free_tier)
    always_on = always_on_bill(baselines, inputs)
    ratio = None
    even = None
    if serverless is not None and always_on is not None and always_on.monthly_usd > 0:
        ratio = serverless.monthly_usd / always_on.monthly_usd
        if break_even:
            even = _break_even(platform, inputs, always_on.monthly_usd, free_tier=free_tier)
    pricing = platform.pricing
    has_free_tier = pricing.free_tier is not None or (
        inputs.static_site
        and pricing.static_hosting is not None
        and pricing.static_hosting.free_cdn_requests is not None
    )
    points: tuple[tuple[float, float], ...] = ()
    if curve_points and serverless is not None:
        points = _curve(platform, inputs, even, curve_points, free_tier=free_tier)
    rate = inputs.monthly_requests / SECONDS_PER_MONTH
    has_free = free_tier and has_free_tier
    return CostEstimate(serverless, always_on, ratio, even, has_free, points, rate)


CURVE_MARGIN = 30.0  # the chart spans this factor below and above the rates it marks


def _curve(
    platform: Platform, inputs: CostInputs, even: Rate | None, count: int, *, free_tier: bool
) -> tuple[tuple[float, float], ...]:
    """The serverless bill at `count` average rates, evenly spaced on a log scale."""
    marked = [inputs.monthly_requests / SECONDS_PER_MONTH]
    if even is not None:
        marked.append(even.per_second)
    marked = [rate for rate in marked if rate > 0] or [1.0]
    low = math.log10(min(marked) / CURVE_MARGIN)
    high = math.log10(max(marked) * CURVE_MARGIN)
    points = []
    for index in range(count):
        per_second = 10 ** (low + (high - low) * index / (count - 1))
        priced = _priced_parts(
            platform, inputs, per_second * SECONDS_PER_MONTH, free_tier=free_tier
        )
        if priced is not None:
            points.append((per_second, round(sum(usd for _, usd in priced[0]), 2)))
    return tuple(points)


def _break_even(
    platform: Platform, inputs: CostInputs, target_usd: float, *, free_tier: bool
) -> Rate | None:
    """The average rate at which the serverless bill reaches `target_usd`, by bisection.

    The always-on fleet stays as sized for the workload's peak; only the average rate moves.
    None when serverless costs at least as much even with no traffic.
    """

    def bill_at(monthly: float) -> float:
        priced = _priced_parts(platform, inputs, monthly, free_tier=free_tier)
        assert priced is not None
        return sum(usd for _, usd in priced[0])

    at_zero = bill_at(0.0)
    if at_zero >= target_usd:
        return None
    low, high = 0.0, max(inputs.monthly_requests, 1.0)
    at_high = bill_at(high)
    if at_high > at_zero:  # start the search near where a straight line reaches the target
        guess = high * (target_usd - at_zero) / (at_high - at_zero) * 1.01
        if guess > high:
            high, at_high = guess, bill_at(guess)
    while at_high < target_usd:
        high *= 2
        if high > 1e16:
            return None
        at_high = bill_at(high)
    # Regula falsi (Illinois variant) on the bill, which is close to linear in the rate: a
    # handful of steps to a millionth, far finer than the three digits a report prints.
    low_gap, high_gap = at_zero - target_usd, at_high - target_usd
    side = 0
    while high - low > max(1.0, high * BREAK_EVEN_PRECISION):
        middle = high - high_gap * (high - low) / (high_gap - low_gap)
        if not low < middle < high:
            middle = (low + high) / 2
        gap = bill_at(middle) - target_usd
        if abs(gap) <= target_usd * BREAK_EVEN_PRECISION:
            return Rate.from_per_second(middle / SECONDS_PER_MONTH)
        if gap < 0:
            low, low_gap = middle, gap
            if side == -1:
                high_gap /= 2
            side = -1
        else:
            high, high_gap = middle, gap
            if side == 1:
                low_gap /= 2
            side = 1
    return Rate.from_per_second(high / SECONDS_PER_MONTH)
