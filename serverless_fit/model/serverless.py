"""The monthly serverless bill: requests (batched), compute (per run or per instance-second,
shared across concurrent requests), start-up, front door or WebSocket API, data transfer,
static hosting, and the price of provisioned concurrency (README, "Cost model")."""

from __future__ import annotations

import math
from dataclasses import replace

from serverless_fit.data import catalog
from serverless_fit.data.catalog import InstanceBilling, Orchestration, Platform
from serverless_fit.format.units import SECONDS_PER_MONTH, Duration, Money, Size
from serverless_fit.model.bills import GIB, Bill, make_bill, tiered
from serverless_fit.model.inputs import CostInputs
from serverless_fit.model.latency import instance_seconds
from serverless_fit.model.network import load_balancer_usd, transfer_usd
from serverless_fit.model.poisson import expected_instances_at_least, expected_served
from serverless_fit.model.sizing import (
    batching,
    billed_memory_gb,
    billed_seconds,
    billed_vcpus,
    instance_concurrency,
    round_up,
)

DAYS_PER_MONTH = SECONDS_PER_MONTH / 86400.0
MINUTES_PER_MONTH = SECONDS_PER_MONTH / 60.0
HOURS_PER_MONTH = SECONDS_PER_MONTH / 3600.0


def billed_time(platform: Platform, inputs: CostInputs, batch: int) -> float:
    """Seconds of billed compute in a month.

    Per-run platforms bill each invocation's rounded duration. Instance platforms bill the
    time instances hold at least one invocation: invocations in flight at an instant are
    Poisson (arrivals at random, mean rate x billed duration L), an instance holds up to c
    of them, so instances billed = E[ceil(N / c)], summed over the day's hours and bursts.
    """
    compute = platform.pricing.compute
    assert inputs.duration is not None
    per_invocation = billed_seconds(compute, inputs.duration.seconds * batch)
    if compute.billed_per == "run":
        return inputs.monthly_requests / batch * per_invocation
    concurrency = instance_concurrency(platform, inputs)
    # Minimum instances are billed while idle (at the compute rates: see the profile's note).
    floor = inputs.warm_minimum if inputs.warm_kind == "minimum" else 0
    total = 0.0
    per_rate = inputs.scale / batch * per_invocation
    for hour in inputs.day.hours:
        for rate, seconds in hour.parts:
            in_flight = rate * per_rate
            total += seconds * expected_instances_at_least(in_flight, concurrency, floor)
    return total * DAYS_PER_MONTH


def serverless_bill(platform: Platform, inputs: CostInputs, *, free_tier: bool) -> Bill | None:
    """The monthly serverless bill, or None when the platform or the workload cannot price it."""
    if inputs.static_site:
        return _static_bill(platform, inputs, free_tier=free_tier)
    if inputs.duration is None or inputs.memory is None:
        return None
    pricing = platform.pricing
    if pricing.orchestration is not None:
        return _workflow_bill(platform, pricing.orchestration, inputs, free_tier=free_tier)
    batch, batch_note = batching(platform, inputs)
    notes = [batch_note] if batch_note else []
    items: list[tuple[str, float]] = []
    unpriced: list[str] = []
    if pricing.plan_fee is not None:
        items.append(("plan", pricing.plan_fee.usd_per_month))
    lifetime = pricing.instance_billing if inputs.billing == "instance" else None
    if lifetime is not None:
        _instance_compute(platform, lifetime, inputs, items, notes, free_tier=free_tier)
    else:
        _request_compute(platform, inputs, batch, items, unpriced, free_tier=free_tier)
    if inputs.warm_kind == "provisioned":
        kept = _provisioned_usd(platform, inputs, inputs.warm_minimum)
        if kept is None:
            unpriced.append("provisioned_concurrency")
        else:
            items.append(("provisioned_concurrency", kept))
            notes.append(f"{inputs.warm_minimum} environments kept warm (provisioned concurrency)")
    if inputs.warm_kind == "minimum":
        notes.append(f"{inputs.warm_minimum} minimum instances billed while idle")
    if inputs.http:
        _front_door(platform, inputs, items, unpriced, notes)
    _data_transfer(platform, inputs, items, notes, free_tier=free_tier)
    if inputs.gpu and (lifetime is None or lifetime.gpu is None):  # else priced above
        offered = platform.limits.gpu.value if platform.limits.gpu else None
        if offered:
            unpriced.append("gpu")
            notes.append(f"GPU time on {platform.name} has no confirmed price")
        elif offered is False:
            # The work cannot run as described: a bill without its GPU is only a floor.
            unpriced.append("gpu")
            notes.append(f"no GPU on {platform.name}: the bill leaves out the GPU the work needs")
    return make_bill(items, tuple(unpriced), tuple(notes))


def _request_compute(
    platform: Platform,
    inputs: CostInputs,
    batch: int,
    items: list[tuple[str, float]],
    unpriced: list[str],
    *,
    free_tier: bool,
) -> None:
    """Requests, and compute while invocations run (per run, or per instance-second shared
    by the requests an instance holds), start-up and scratch disk."""
    assert inputs.memory is not None
    pricing = platform.pricing
    compute = pricing.compute
    free = pricing.free_tier if free_tier else None
    invocations = inputs.monthly_requests / batch
    seconds = billed_time(platform, inputs, batch)
    billable = max(0.0, invocations - pricing.requests.included - (free.requests if free else 0))
    if pricing.requests.usd_per_million is None:
        unpriced.append("requests")
    else:
        items.append(("requests", billable * pricing.requests.usd_per_million / 1e6))
    gb = billed_memory_gb(platform, inputs.memory)
    if compute.gb_s is not None:
        tiers = compute.gb_s.for_architecture(inputs.architecture)
        gb_s = max(0.0, seconds * gb - (free.gb_s if free else 0.0))
        items.append(("compute", tiered(gb_s, tiers)))
        init = _init_gb_s(platform, inputs, invocations, gb)
        if init > 0:
            items.append(("init", tiered(gb_s + init, tiers) - tiered(gb_s, tiers)))
    if compute.vcpu_s is not None:
        vcpu_s = seconds * billed_vcpus(platform, inputs.memory, inputs.cpus)
        vcpu_s = max(0.0, vcpu_s - (free.vcpu_s if free else 0.0))
        items.append(("cpu", vcpu_s * compute.vcpu_s.usd_per_vcpu_s))
    unpriced.extend(compute.unconfirmed)
    if compute.cpu_ms is not None:
        cpu_ms = max(0.0, seconds * 1000 - compute.cpu_ms.included_ms)
        items.append(("cpu", cpu_ms * compute.cpu_ms.usd_per_million_ms / 1e6))
    storage = inputs.ephemeral_storage
    storage_price = pricing.ephemeral_storage
    if storage_price is not None and storage is not None and storage > storage_price.included:
        extra_gb = (storage.bytes - storage_price.included.bytes) / GIB
        items.append(("ephemeral_storage", seconds * extra_gb * storage_price.usd_per_gb_s))


def _instance_compute(
    platform: Platform,
    lifetime: InstanceBilling,
    inputs: CostInputs,
    items: list[tuple[str, float]],
    notes: list[str],
    *,
    free_tier: bool,
) -> None:
    """Instance-based billing: each instance's vCPUs, memory and GPU for its whole life (from
    the simulation: starting, serving, idle until reclaimed, kept warm); no request fee."""
    assert inputs.memory is not None
    seconds = instance_seconds(platform, inputs)
    vcpus = billed_vcpus(platform, inputs.memory, inputs.cpus)
    gib = billed_memory_gb(platform, inputs.memory)
    gpu = lifetime.gpu if inputs.gpu else None
    if gpu is not None:
        vcpus = max(vcpus, gpu.min_vcpus)
        gib = max(gib, gpu.min_memory.bytes / GIB)
    vcpu_s = max(0.0, seconds * vcpus - (lifetime.free_vcpu_s if free_tier else 0.0))
    gib_s = max(0.0, seconds * gib - (lifetime.free_gib_s if free_tier else 0.0))
    items.append(("compute", gib_s * lifetime.usd_per_gib_s))
    items.append(("cpu", vcpu_s * lifetime.usd_per_vcpu_s))
    if gpu is not None:
        items.append(("gpu", seconds * gpu.usd_per_gpu_s))
    hours = seconds / 3600
    why = " (required for a GPU)" if inputs.gpu and lifetime.required_for_gpu else ""
    notes.append(
        f"instance-based billing{why}: {hours:,.1f} instance-hours a month of "
        f"{vcpus:g} vCPU and {gib:g} GiB, idle time included, no request fee"
    )


def workflow_steps(orchestration: Orchestration, inputs: CostInputs) -> tuple[int, float]:
    """Steps a run is split into, and the seconds each computes: the run less its waiting,
    in steps of at most half the step platform's limit (the margin DUR002 asks for)."""
    assert inputs.duration is not None
    waiting = inputs.waiting.seconds if inputs.waiting is not None else 0.0
    active = max(inputs.duration.seconds - waiting, 0.0)
    steps = max(1, math.ceil(active / (orchestration.step_limit.seconds / 2) - 1e-9))
    return steps, active / steps


def _workflow_bill(
    platform: Platform, orchestration: Orchestration, inputs: CostInputs, *, free_tier: bool
) -> Bill | None:
    """A workflow of steps: the steps' own bill on the step platform (their compute only,
    waits are free), plus Standard transitions or, for runs within Express's limit, Express
    requests and duration, whichever is cheaper (README, "Cost model")."""
    assert inputs.duration is not None
    steps, seconds = workflow_steps(orchestration, inputs)
    runs = inputs.monthly_requests
    pricing = platform.pricing.model_copy(update={"orchestration": None})
    step_platform = platform.model_copy(update={"pricing": pricing})
    step_inputs = replace(
        inputs,
        monthly_requests=runs * steps,
        duration=Duration.from_seconds(seconds),
        scale=inputs.scale * steps,
        waiting=None,
        http=False,  # the front door and data transfer count runs, not steps: priced below
        egress=None,
    )
    bill = serverless_bill(step_platform, step_inputs, free_tier=free_tier)
    if bill is None:
        return None
    items = [(f"steps_{name}", usd) for name, usd in bill.items]
    per_run = steps + (1 if inputs.waiting is not None and inputs.waiting.seconds > 0 else 0)
    transitions = runs * per_run
    if free_tier:
        transitions = max(0.0, transitions - orchestration.standard_free_transitions)
    standard = transitions / 1000 * orchestration.standard_usd_per_thousand_transitions
    express = None
    if inputs.duration.seconds <= orchestration.express_max.seconds:
        billed = round_up(inputs.duration.seconds, orchestration.express_duration_step.seconds)
        gb = orchestration.express_memory.bytes / GIB
        express = runs * (
            orchestration.express_usd_per_million_requests / 1e6
            + billed * gb * orchestration.express_usd_per_gb_s
        )
    notes = [n for n in bill.notes if not n.startswith("data transfer")]
    unpriced = list(bill.unpriced)
    if inputs.http:
        _front_door(platform, inputs, items, unpriced, notes)
    _data_transfer(platform, inputs, items, notes, free_tier=free_tier)
    word = "step" if steps == 1 else "steps"
    if express is not None and express < standard:
        items.append(("express_workflow", express))
        notes.append(f"Express workflow: {steps} Lambda {word} a run")
    else:
        items.append(("transitions", standard))
        notes.append(f"Standard workflow: {steps} Lambda {word} and {per_run} transitions a run")
    return make_bill(items, tuple(unpriced), tuple(notes))


def _init_gb_s(platform: Platform, inputs: CostInputs, invocations: float, gb: float) -> float:
    """GB-s of billed start-up: cold invocations times the runtime's mean init duration."""
    billed = platform.pricing.init_billed
    if billed is None or not billed.value:
        return 0.0
    if inputs.cold_start_share is None or inputs.init_seconds is None:
        return 0.0
    return invocations * inputs.cold_start_share * inputs.init_seconds * gb


def _front_door(
    platform: Platform,
    inputs: CostInputs,
    items: list[tuple[str, float]],
    unpriced: list[str],
    notes: list[str],
) -> None:
    """The HTTP front door: a gateway per request, or for long-lived connections a WebSocket
    API billed by messages and connection-minutes."""
    socket = platform.pricing.websocket
    if inputs.long_lived and socket is not None:
        units = _units(inputs.payload, socket.message_unit)
        messages = inputs.monthly_requests * units
        items.append(("websocket_messages", messages * socket.usd_per_million_messages / 1e6))
        if inputs.connected_clients is None:
            unpriced.append("websocket_connections")
            notes.append("connection-minutes not priced: give state.connected_clients")
        else:
            minutes = inputs.connected_clients * MINUTES_PER_MONTH
            usd = minutes * socket.usd_per_million_connection_minutes / 1e6
            items.append(("websocket_connections", usd))
        notes.append(f"long-lived connections through {socket.name}")
        return
    if inputs.long_lived:
        notes.append(f"long-lived connections are not priced on {platform.name}")
    door = platform.front_door
    if door.load_balancer:
        network = catalog.providers()[platform.provider]
        items.append(("front_door", load_balancer_usd(network, inputs, HOURS_PER_MONTH)))
        return
    if door.usd_per_million_requests is None:
        return
    units = _units(inputs.payload, door.metering_unit.value if door.metering_unit else None)
    price = door.usd_per_million_requests.tiers
    items.append(("front_door", tiered(inputs.monthly_requests * units, price, per=1e6)))


def _units(payload: Size | None, unit: Size | None) -> int:
    """Metering units of one message: its size over the unit, rounded up, at least one."""
    if payload is None or unit is None:
        return 1
    return max(1, math.ceil(payload.bytes / unit.bytes - 1e-9))


def _data_transfer(
    platform: Platform,
    inputs: CostInputs,
    items: list[tuple[str, float]],
    notes: list[str],
    *,
    free_tier: bool,
) -> None:
    if inputs.egress is None:
        notes.append("data transfer out not priced: give resources.egress")
        return
    gigabytes = inputs.monthly_requests * inputs.egress.bytes / GIB
    items.append(("data_transfer", transfer_usd(platform.provider, gigabytes, free_tier=free_tier)))


def _static_bill(platform: Platform, inputs: CostInputs, *, free_tier: bool) -> Bill | None:
    """Object storage behind a CDN: CDN requests and data transfer, plus stored bytes."""
    hosting = platform.pricing.static_hosting
    if hosting is None:
        return None
    requests = inputs.monthly_requests
    if free_tier and hosting.free_cdn_requests is not None:
        requests = max(0.0, requests - hosting.free_cdn_requests.value)
    items = [("cdn_requests", requests / 1e4 * hosting.cdn_requests_per_10k.usd)]
    unpriced: list[str] = []
    notes: list[str] = []
    size = inputs.egress or inputs.payload
    transfer = hosting.cdn_data_transfer
    if transfer is None:
        unpriced.append("cdn_data_transfer")
    elif size is None:
        unpriced.append("cdn_data_transfer")
        notes.append("CDN data transfer not priced: give resources.egress")
    else:
        if inputs.egress is None:
            notes.append("each response counted at resources.payload, an upper bound")
        gigabytes = inputs.monthly_requests * size.bytes / GIB
        billable = max(0.0, gigabytes - (transfer.free_gb if free_tier else 0.0))
        items.append(("cdn_data_transfer", tiered(billable, transfer.tiers)))
    if inputs.site_size is not None:
        items.append(("storage", inputs.site_size.bytes / GIB * hosting.storage_per_gb_month.usd))
    return make_bill(items, tuple(unpriced), tuple(notes))


def warm_instances(inputs: CostInputs, share: float) -> int:
    """Provisioned environments that serve `share` of the requests: the peak's concurrency
    for all of them, or the fewest whose expected share of requests in flight reaches it."""
    assert inputs.duration is not None
    peak = max(1, math.ceil(inputs.peak_concurrency - 1e-9))
    if share >= 1:
        return peak
    low, high = 1, peak
    while low < high:
        middle = (low + high) // 2
        if served_share(inputs, middle) >= share:
            high = middle
        else:
            low = middle + 1
    return low


def served_share(inputs: CostInputs, warm: int) -> float:
    """Share of the requests in flight that `warm` kept-warm environments hold, over the day."""
    assert inputs.duration is not None
    typical = inputs.duration.seconds * inputs.scale
    held = total = 0.0
    for hour in inputs.day.hours:
        for rate, seconds in hour.parts:
            in_flight = rate * typical
            held += seconds * expected_served(in_flight, warm)
            total += seconds * in_flight
    return 1.0 if total <= 0 else held / total


def provisioned_cost(
    platform: Platform, inputs: CostInputs, *, share: float = 1.0
) -> tuple[Money, int] | None:
    """What keeping environments warm adds a month, and how many: the kept-warm GB-s charge,
    less what the runs they serve save at the lower duration rate, where there is one."""
    if inputs.memory is None or inputs.duration is None:
        return None
    warm = warm_instances(inputs, share)
    usd = _provisioned_usd(platform, inputs, warm)
    return None if usd is None else (Money.usd(round(usd, 2)), warm)


def _provisioned_usd(platform: Platform, inputs: CostInputs, warm: int) -> float | None:
    """The kept-warm GB-s charge of `warm` environments, less what the runs they serve save at
    the lower duration rate; None where the platform publishes no price."""
    mitigation = platform.mitigations.cold_start
    prices = mitigation.usd_per_gb_s
    if inputs.memory is None or inputs.duration is None or not prices:
        return None
    architecture = inputs.architecture
    gb = billed_memory_gb(platform, inputs.memory)
    price = prices.get(architecture, next(iter(prices.values())))  # type: ignore[call-overload]
    charge = warm * gb * SECONDS_PER_MONTH * price
    credit = 0.0
    durations = mitigation.duration_usd_per_gb_s
    compute = platform.pricing.compute.gb_s
    if durations and compute is not None:
        on_demand = compute.for_architecture(architecture)[0].price
        on_warm = durations.get(architecture, next(iter(durations.values())))  # type: ignore[call-overload]
        served = inputs.monthly_requests * inputs.duration.seconds * gb
        credit = served * served_share(inputs, warm) * (on_demand - on_warm)
    return float(charge - credit)
