"""The cost parts of a result in words, as every format prints them."""

from __future__ import annotations

from serverless_fit.portfolio import PortfolioRow
from serverless_fit.report import AlwaysOnCost, CostSide, Counterfactual, Sizing


def usd(amount: float) -> str:
    return f"${amount:,.2f}"


def money(amount: float | None, floor: bool = False, missing: str = "-") -> str:
    """A monthly figure: `≥` before a lower bound (a bill with unconfirmed prices)."""
    if amount is None:
        return missing
    return ("≥ " if floor else "") + usd(amount)


def saving_words(row: PortfolioRow) -> tuple[str, str]:
    """Which option of a portfolio row is cheaper, and by how much a month. A lower-bound
    serverless bill makes a saving by serverless an upper bound, one by always-on a lower
    bound."""
    saving = row.saving or 0.0
    bound = ("≤ " if saving > 0 else "≥ ") if row.serverless_floor else ""
    return ("serverless" if saving > 0 else "always-on"), f"{bound}{usd(abs(saving))}"


def items_text(bill: CostSide | AlwaysOnCost) -> str:
    """'requests $21.02, compute $105.12', and what the bill leaves out for want of a price."""
    text = ", ".join(f"{name} {usd(amount)}" for name, amount in bill.items.items())
    unpriced = getattr(bill, "unpriced", ())
    if unpriced:
        text += f"; not included, price unconfirmed: {', '.join(unpriced)}"
    return text


def fleet_label(fleet: AlwaysOnCost) -> str:
    """The always-on option in a few words: '2-4 x t3.medium (aws-ec2)'."""
    sizing = fleet.sizing
    if sizing is None:
        return f"{fleet.count} x {fleet.instance} ({fleet.baseline})"
    if sizing.mode == "scheduled":
        return f"a {sizing.instance} task per run ({sizing.baseline})"
    return f"{_counts(sizing)} x {sizing.instance} ({sizing.baseline})"


def _counts(sizing: Sizing) -> str:
    if sizing.min_count == sizing.max_count:
        return str(sizing.max_count)
    return f"{sizing.min_count}-{sizing.max_count}"


def sizing_text(fleet: AlwaysOnCost) -> str:
    """How the always-on side was sized, in one line a person can check."""
    sizing = fleet.sizing
    if sizing is None:
        return fleet_label(fleet)
    if sizing.mode == "scheduled":
        return (
            f"a {sizing.instance} task per run ({sizing.baseline}), billed while it runs: "
            f"{sizing.instance_hours:,.1f} instance-hours a month"
        )
    each = f"{sizing.requests_per_instance} requests at once each"
    if sizing.processes_per_instance > 1:
        per_process = sizing.requests_per_instance // sizing.processes_per_instance
        each += f" ({sizing.processes_per_instance} processes x {per_process})"
    text = (
        f"{_counts(sizing)} x {sizing.instance} ({sizing.baseline}) an hour, {each}, "
        f"at {sizing.target_utilisation:.0%} utilisation, sized hour by hour from {sizing.shape}"
    )
    if sizing.load_balancer:
        text += f", behind an {sizing.load_balancer}"
    return text


def change_words(change: Counterfactual) -> str:
    """A proposal with what it does to the bill: '... (lever; bill -$18.50 a month)'."""
    if change.kind == "target" or change.bill_change is None:
        return f"{change.effect} ({change.kind})"
    if abs(change.bill_change) < 0.005:
        return f"{change.effect} ({change.kind}; bill unchanged)"
    sign = "+" if change.bill_change > 0 else "-"
    return f"{change.effect} ({change.kind}; bill {sign}{usd(abs(change.bill_change))} a month)"


def unresolved_words(rules: tuple[str, ...]) -> str:
    """The findings no proposal or plan clears, said once."""
    listed = ", ".join(rules)
    them = "it" if len(rules) == 1 else "them"
    return f"No useful proposal for {listed}: no lever, objective, target or plan clears {them}"
