"""The values the cost model returns: bills with named parts, the fleet's sizing, the estimate."""

from __future__ import annotations

import math
from dataclasses import dataclass

from serverless_fit.data.catalog import Tier
from serverless_fit.format.units import Rate

GIB = 1024.0**3


@dataclass(frozen=True)
class Bill:
    monthly_usd: float
    items: tuple[tuple[str, float], ...]  # named parts, each rounded to the cent
    unpriced: tuple[str, ...] = ()  # parts the provider bills but whose price is unconfirmed
    notes: tuple[str, ...] = ()  # how it was priced, where a reader needs to know


@dataclass(frozen=True)
class FleetSizing:
    """How the always-on side was sized, in figures a person can check."""

    mode: str  # "fleet" (instances all day) or "scheduled" (a task per run)
    instance: str
    baseline: str
    min_count: int
    max_count: int
    target_utilisation: float
    requests_per_instance: int  # units of work one instance serves at once
    processes_per_instance: int
    shape: str  # where the day's shape came from
    load_balancer: str | None
    instance_hours: float  # a month


@dataclass(frozen=True)
class AlwaysOnBill(Bill):
    instance: str = ""
    count: int = 0  # the most instances in any hour
    baseline: str = ""
    sizing: FleetSizing | None = None


@dataclass(frozen=True)
class CostEstimate:
    serverless: Bill | None
    always_on: AlwaysOnBill | None
    ratio: float | None  # serverless over always-on
    break_even: Rate | None  # average rate at which both cost the same
    free_tier: bool  # a free tier was asked for and the platform publishes one
    # (requests a second, serverless USD, always-on USD) at rates around the workload's own
    curve: tuple[tuple[float, float, float | None], ...] = ()
    per_second: float = 0.0  # the workload's average rate


def cents(usd: float) -> float:
    """USD to the cent, half a cent rounded up, as a hand-written bill rounds it."""
    return math.floor(usd * 100 + 0.5 + 1e-7) / 100 + 0.0


def make_bill(
    items: list[tuple[str, float]], unpriced: tuple[str, ...] = (), notes: tuple[str, ...] = ()
) -> Bill:
    rounded = tuple((name, cents(usd)) for name, usd in items)
    return Bill(round(sum(usd for _, usd in rounded), 2), rounded, unpriced, notes)


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


@dataclass(frozen=True)
class CostSettings:
    """How to price, beyond the workload: options a FinOps engineer sets for a run."""

    free_tier: bool = False
    target_utilisation: float = 0.6  # of an always-on instance's request slots, in busy hours
    min_instances: int = 2  # always-on instances kept for availability
    provisioned_share: float = 1.0  # share of requests provisioned concurrency must serve


DEFAULT_SETTINGS = CostSettings()
