"""Network prices both bills share: internet data transfer out, and the provider's load
balancer (in front of an always-on fleet, or of functions as their front door)."""

from __future__ import annotations

from serverless_fit.data import catalog
from serverless_fit.data.catalog import ProviderData
from serverless_fit.model.bills import GIB, tiered
from serverless_fit.model.inputs import CostInputs


def transfer_usd(provider: str, gigabytes: float, *, free_tier: bool) -> float:
    """Internet data transfer out at the provider's tiered rates (its free GB with --free-tier)."""
    price = catalog.providers()[provider].data_transfer
    billable = max(0.0, gigabytes - (price.free_gb if free_tier else 0.0))
    return tiered(billable, price.tiers)


def load_balancer_usd(network: ProviderData, inputs: CostInputs, hours: float) -> float:
    """The provider's load balancer for `hours` a month: its hourly charge, the capacity units
    each hour of the day's traffic uses, and any charge per GB processed."""
    balancer = network.load_balancer
    if balancer is None:
        return 0.0
    egress = inputs.egress.bytes / GIB if inputs.egress is not None else 0.0
    days = hours / 24.0
    usd = hours * balancer.usd_per_hour
    unit = balancer.capacity_unit
    if unit is not None:
        # Each hour's capacity units: the larger of new connections (one a request, an
        # upper bound) and bytes processed; billed per unit-hour.
        for hour in inputs.day.hours:
            rate = hour.mean * inputs.scale
            units = max(
                rate / unit.new_connections_per_second,
                rate * 3600.0 * egress / unit.gb_processed_per_hour,
            )
            usd += days * units * unit.usd_per_hour
    usd += inputs.monthly_requests * egress * balancer.usd_per_gb_processed
    return usd
