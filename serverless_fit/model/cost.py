"""The cost estimate: both bills, their ratio, the break-even traffic and, for charts, both
bills over a range of traffic around the workload's own (README, "Cost model")."""

from __future__ import annotations

import math
from dataclasses import replace

from serverless_fit.data.catalog import Platform
from serverless_fit.format.units import SECONDS_PER_MONTH, Rate
from serverless_fit.model.bills import AlwaysOnBill, Bill, CostEstimate, CostSettings
from serverless_fit.model.fleet import always_on_bill
from serverless_fit.model.inputs import CostInputs
from serverless_fit.model.serverless import serverless_bill

BREAK_EVEN_PRECISION = 1e-3  # relative, on the traffic factor: reports print three digits
SEARCH_SPAN = 1e4  # the farthest the break-even search moves the traffic, up or down
DIVERGING_STEPS = 2  # doublings in a row that move the bills apart end the search
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
    if serverless is not None:
        serverless = _with_other_billing(platform, inputs, settings, serverless)
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


def _with_other_billing(
    platform: Platform, inputs: CostInputs, settings: CostSettings, bill: Bill
) -> Bill:
    """The bill, with a note where the target's other way of billing instances (request- or
    instance-based) would cost at least a cent and 1% less, as Cloud Run's own recommender
    points out."""
    lifetime = platform.pricing.instance_billing
    if lifetime is None or (inputs.gpu and lifetime.required_for_gpu):
        return bill
    other = "request" if inputs.billing == "instance" else "instance"
    alternative = serverless_bill(
        platform, replace(inputs, billing=other), free_tier=settings.free_tier
    )
    if alternative is None or alternative.unpriced or bill.unpriced:
        return bill
    if alternative.monthly_usd >= bill.monthly_usd - max(0.01, 0.01 * bill.monthly_usd):
        return bill
    note = (
        f"{other}-based billing would cost ${alternative.monthly_usd:,.2f} a month "
        f"(deployment.billing: {other})"
    )
    return replace(bill, notes=(*bill.notes, note))


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

    Both bills are close to straight lines in the traffic (the serverless one through zero,
    the fleet's from its floor), so the search starts where those lines would cross, steps
    away from it by a growing factor (10%, then doubling) until serverless minus always-on
    changes sign between two points, and bisects that bracket (geometrically) to 0.1%. The
    instance steps of the fleet can make the bills cross more than once; the bracket found
    first is the one reported. None when the sign does not change within 10,000 times the
    workload's traffic, either way, or when two doublings in a row move the bills apart.
    """

    def gap(factor: float) -> float | None:
        serverless, always_on = _bills_at(platform, inputs, settings, fleet, factor)
        if serverless is None or always_on is None:
            return None
        return serverless.monthly_usd - always_on.monthly_usd

    here = gap(1.0)
    if here is None:
        return None
    own = inputs.monthly_requests / SECONDS_PER_MONTH
    if here == 0:
        return Rate.from_per_second(own)
    below = here < 0  # serverless is cheaper here: the crossing lies above

    def other_side(found: float) -> bool:
        return (found < 0) != below

    guess = fleet.monthly_usd / (fleet.monthly_usd + here) if fleet.monthly_usd + here > 0 else 1.0
    guess = min(max(guess, 1 / SEARCH_SPAN), SEARCH_SPAN)
    # same: a factor on the workload's side of the crossing; far: one past it.
    found = gap(guess) if (guess > 1.0) == below and guess != 1.0 else None
    if found is not None and other_side(found):
        same, far = 1.0, guess
    else:
        same = guess if found is not None else 1.0
        last = found if found is not None else here
        step, diverging = 1.1, 0
        while True:
            far = same * step if below else same / step
            if not 1 / SEARCH_SPAN <= far <= SEARCH_SPAN:
                return None
            found = gap(far)
            if found is None:
                return None
            if other_side(found):
                break
            # Doubling the traffic and the bills move apart twice running: they diverge.
            diverging = diverging + 1 if step == 2.0 and abs(found) >= abs(last) else 0
            if diverging == DIVERGING_STEPS:
                return None
            same, last, step = far, found, min(step * step, 2.0)
    while abs(far - same) > BREAK_EVEN_PRECISION * max(far, same):
        middle = math.sqrt(same * far)
        found = gap(middle)
        if found is None:
            return None
        if other_side(found):
            far = middle
        else:
            same = middle
    return Rate.from_per_second(own * far)


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
