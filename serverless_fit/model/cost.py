"""The cost estimate: both bills, their ratio, the break-even traffic and, for charts, both
bills over a range of traffic around the workload's own (README, "Cost model")."""

from __future__ import annotations

import math

from serverless_fit.data.catalog import Platform
from serverless_fit.format.units import SECONDS_PER_MONTH, Rate
from serverless_fit.model.bills import AlwaysOnBill, Bill, CostEstimate, CostSettings
from serverless_fit.model.fleet import always_on_bill
from serverless_fit.model.inputs import CostInputs
from serverless_fit.model.serverless import serverless_bill

BREAK_EVEN_PRECISION = 1e-4  # relative, on the traffic factor
SEARCH_SPAN = 2.0**40  # the farthest the break-even search moves the traffic, up or down
CURVE_MARGIN = 30.0  # the chart spans this factor below and above the rates it marks


def estimate(
    platform: Platform,
    inputs: CostInputs,
    settings: CostSettings,
    *,
    break_even: bool = True,
    curve_points: int = 0,
) -> CostEstimate:
    """The bills, their ratio and break-even; with `curve_points`, also both bills over a
    range of traffic (for charts)."""
    serverless = serverless_bill(platform, inputs, free_tier=settings.free_tier)
    always_on = always_on_bill(platform.provider, inputs, settings)
    ratio = None
    even = None
    if serverless is not None and always_on is not None and always_on.monthly_usd > 0:
        ratio = serverless.monthly_usd / always_on.monthly_usd
        if break_even:
            even = _break_even(platform, inputs, settings, always_on)
    pricing = platform.pricing
    has_free_tier = pricing.free_tier is not None or (
        inputs.static_site
        and pricing.static_hosting is not None
        and pricing.static_hosting.free_cdn_requests is not None
    )
    rate = inputs.monthly_requests / SECONDS_PER_MONTH
    points: tuple[tuple[float, float, float | None], ...] = ()
    if curve_points and serverless is not None:
        points = _curve(platform, inputs, settings, always_on, even, curve_points)
    has_free = settings.free_tier and has_free_tier
    return CostEstimate(serverless, always_on, ratio, even, has_free, points, rate)


def _bills_at(
    platform: Platform,
    inputs: CostInputs,
    settings: CostSettings,
    fleet: AlwaysOnBill,
    factor: float,
) -> tuple[Bill | None, AlwaysOnBill | None]:
    """Both bills with the traffic `factor` times the workload's; the fleet keeps its
    instance type and follows the traffic in count."""
    scaled = inputs.scaled(factor)
    sizing = fleet.sizing
    keep = (sizing.mode, sizing.instance) if sizing is not None else None
    serverless = serverless_bill(platform, scaled, free_tier=settings.free_tier)
    return serverless, always_on_bill(platform.provider, scaled, settings, keep=keep)


def _break_even(
    platform: Platform, inputs: CostInputs, settings: CostSettings, fleet: AlwaysOnBill
) -> Rate | None:
    """The average rate, on the workload's own daily shape, at which both bills are equal.

    From the workload's traffic the search doubles (or halves) the traffic until the sign
    of serverless minus always-on changes, then bisects to 0.01%; the crossing nearest the
    workload's own traffic is the one reported. None when the sign never changes.
    """

    def gap(factor: float) -> float | None:
        serverless, always_on = _bills_at(platform, inputs, settings, fleet, factor)
        if serverless is None or always_on is None:
            return None
        return serverless.monthly_usd - always_on.monthly_usd

    here = gap(1.0)
    if here is None:
        return None
    if here == 0:
        return Rate.from_per_second(inputs.monthly_requests / SECONDS_PER_MONTH)
    step = 2.0 if here < 0 else 0.5
    inside, outside = 1.0, step
    while True:
        found = gap(outside)
        if found is None:
            return None
        if (found >= 0) != (here >= 0):
            break
        inside, outside = outside, outside * step
        if not 1 / SEARCH_SPAN <= outside <= SEARCH_SPAN:
            return None
    while abs(outside - inside) > BREAK_EVEN_PRECISION * max(inside, outside):
        middle = math.sqrt(inside * outside)
        found = gap(middle)
        if found is None:
            return None
        if (found >= 0) == (here >= 0):
            inside = middle
        else:
            outside = middle
    per_second = inputs.monthly_requests / SECONDS_PER_MONTH * outside
    return Rate.from_per_second(per_second)


def _curve(
    platform: Platform,
    inputs: CostInputs,
    settings: CostSettings,
    fleet: AlwaysOnBill | None,
    even: Rate | None,
    count: int,
) -> tuple[tuple[float, float, float | None], ...]:
    """Both bills at `count` average rates, evenly spaced on a log scale."""
    own = inputs.monthly_requests / SECONDS_PER_MONTH
    marked = [own]
    if even is not None:
        marked.append(even.per_second)
    marked = [rate for rate in marked if rate > 0] or [1.0]
    low = math.log10(min(marked) / CURVE_MARGIN)
    high = math.log10(max(marked) * CURVE_MARGIN)
    points = []
    for index in range(count):
        per_second = 10 ** (low + (high - low) * index / (count - 1))
        factor = per_second / own if own > 0 else 1.0
        scaled = inputs.scaled(factor)
        serverless = serverless_bill(platform, scaled, free_tier=settings.free_tier)
        always_on = None
        if fleet is not None:
            always_on = _bills_at(platform, inputs, settings, fleet, factor)[1]
        if serverless is not None:
            usd = always_on.monthly_usd if always_on is not None else None
            points.append((per_second, serverless.monthly_usd, usd))
    return tuple(points)
