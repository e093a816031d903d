"""Derives the facts rules read: the workload's fields, the target's limits, and derived figures."""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from serverless_fit.data import catalog
from serverless_fit.data.catalog import Platform
from serverless_fit.format.units import Duration, Money, Quantity, Rate
from serverless_fit.format.workload import Workload
from serverless_fit.model.bills import (
    DEFAULT_SETTINGS,
    AlwaysOnBill,
    CostEstimate,
    CostSettings,
)
from serverless_fit.model.cost import estimate
from serverless_fit.model.inputs import CostInputs
from serverless_fit.model.latency import LatencyModel, latency, startup
from serverless_fit.model.serverless import provisioned_cost
from serverless_fit.model.traffic import day_shape
from serverless_fit.report import break_even_words

FactValue = Quantity | float | bool | str | tuple[str, ...]

# The vocabulary of facts a rule may name, with the kind of each value. Rules are checked
# against it when they load, so a misspelt fact is an error, not a rule that never fires.
FACT_KINDS: dict[str, str] = {
    "name": "string",
    "archetype": "string",
    "runtime": "string",
    "trigger": "string",
    "latency.p50": "duration",
    "latency.p99": "duration",
    "duration.typical": "duration",
    "duration.max": "duration",
    "traffic.pattern": "string",
    "traffic.average": "rate",
    "traffic.peak": "rate",
    "traffic.active_hours_per_day": "number",
    "resources.memory": "size",
    "resources.cpus": "number",
    "resources.architecture": "string",
    "resources.gpu": "bool",
    "resources.payload": "size",
    "resources.package": "size",
    "resources.ephemeral_storage": "size",
    "state.connections": "string",
    "state.in_memory_sessions": "bool",
    "state.local_disk": "bool",
    "dependencies": "list",
    "constraints.portability": "string",
    "constraints.providers": "list",
    "constraints.local_testing": "string",
    "constraints.compliance": "list",
    "team.ops_capacity": "string",
    "team.time_to_market": "string",
    "target.id": "string",
    "target.name": "string",
    "target.provider": "string",
    "target.limits.timeout": "duration",
    "target.limits.memory": "size",
    "target.limits.vcpus": "number",
    "target.limits.payload": "size",
    "target.limits.package": "size",
    "target.limits.ephemeral_storage": "size",
    "target.limits.gpu": "bool",
    "target.limits.concurrency": "number",
    "target.limits.runtimes": "list",
    "target.front_door.name": "string",
    "target.front_door.timeout": "duration",
    "target.cold_start.p50": "duration",
    "target.cold_start.p99": "duration",
    "target.cold_start.min_p99": "duration",
    "target.cold_start.idle_reclaim": "duration",
    "target.mitigation.cold_start": "string",
    "target.mitigation.long_runs": "string",
    "target.mitigation.large_payloads": "string",
    "target.mitigation.sessions": "string",
    "target.mitigation.connections": "string",
    "target.mitigation.local_disk": "string",
    "target.mitigation.static_site": "string",
    "derived.monthly_requests": "number",
    "derived.peak_rate": "rate",
    "derived.peak_concurrency": "number",
    "derived.average_concurrency": "number",
    "derived.burstiness": "number",
    "derived.cold_start_share": "share",
    "derived.cold_request_latency": "duration",
    "derived.startup_p99": "duration",
    "derived.latency_p50": "duration",
    "derived.latency_p95": "duration",
    "derived.latency_p99": "duration",
    "derived.throttled_share": "share",
    "derived.scale_out_throttled_share": "share",
    "derived.timeout_use": "share",
    "derived.vendor_dependencies": "list",
    "derived.vendor_dependency_count": "number",
    "derived.provisioned_cost_per_month": "money",
    "derived.provisioned_instances": "number",
    "cost.serverless.monthly_usd": "money",
    "cost.serverless.all_prices_published": "bool",
    "cost.always_on.monthly_usd": "money",
    "cost.always_on.instance": "string",
    "cost.ratio": "ratio",
    "cost.monthly_difference": "money",
    "cost.break_even": "rate",
    "cost.break_even_sentence": "string",
    "cost.always_on.fleet": "string",
}

HOURS_PER_DAY = 24.0
PORTABILITY_FACTS = frozenset({"derived.vendor_dependencies", "derived.vendor_dependency_count"})
TRAFFIC_FACTS = frozenset(
    f for f in FACT_KINDS if f.startswith("derived.") and f not in PORTABILITY_FACTS
)


@dataclass(frozen=True)
class Facts:
    """Known fact values, the workload fields each unknown fact needs, and the cost estimate."""

    values: dict[str, FactValue]
    missing: dict[str, tuple[str, ...]]
    sources: dict[str, tuple[str, ...]]  # derived fact -> workload fields it was computed from
    cost: CostEstimate | None
    latency: LatencyModel | None = None


class _Collector:
    def __init__(self) -> None:
        self.values: dict[str, FactValue] = {}
        self.missing: dict[str, tuple[str, ...]] = {}
        self.sources: dict[str, tuple[str, ...]] = {}
        self.latency: LatencyModel | None = None
        self.inputs: CostInputs | None = None  # built once per derivation: the day is costly

    def put(self, fact: str, value: FactValue | None, needs: tuple[str, ...] = ()) -> None:
        """Record `value`, or, when it is None, the workload fields that would make it known."""
        if value is None:
            self.missing[fact] = self.unknown(needs) or (fact,)
        else:
            self.values[fact] = value
            if needs:
                self.sources[fact] = needs

    def unknown(self, fields: tuple[str, ...]) -> tuple[str, ...]:
        found: list[str] = []
        for field in fields:
            if field in self.missing:
                found.extend(f for f in self.missing[field] if f not in found)
            elif field not in self.values and field not in found:
                found.append(field)
        return tuple(found)


@functools.cache
def _plan() -> tuple[tuple[str | None, tuple[tuple[str, str], ...]], ...]:
    """The workload's fact fields grouped by section: (section or None, ((name, path), ...)).

    Worked out once, not once per workload: reading annotations is slow.
    """
    top: list[tuple[str, str]] = []
    sections: list[tuple[str | None, tuple[tuple[str, str], ...]]] = []
    for name, info in Workload.model_fields.items():
        nested = _section_model(info.annotation)
        if nested is None:
            if name in FACT_KINDS:
                top.append((name, name))
            continue
        leaves = tuple(
            (leaf, f"{name}.{leaf}")
            for leaf in nested.model_fields
            if f"{name}.{leaf}" in FACT_KINDS
        )
        sections.append((name, leaves))
    return ((None, tuple(top)), *sections)


@functools.cache
def _field_places() -> dict[str, tuple[str | None, str]]:
    """Each workload fact's place: its fact name -> (section or None, field name)."""
    return {path: (section, name) for section, leaves in _plan() for name, path in leaves}


def _workload_facts(
    workload: Workload, out: _Collector, only: tuple[str, ...] | None = None
) -> None:
    """Each workload field that is a fact (or each of `only`); a field left out is missing,
    naming itself."""
    values, missing = out.values, out.missing
    if only is None:
        places: Iterable[tuple[str, tuple[str | None, str]]] = _field_places().items()
    else:
        known = _field_places()
        places = [(path, known[path]) for path in only if path in known]
    for path, (section_name, name) in places:
        section = workload if section_name is None else getattr(workload, section_name)
        value: Any = None if section is None else getattr(section, name)
        if value is None:
            missing[path] = (path,)
        elif isinstance(value, list):
            values[path] = tuple(str(item) for item in value)
        else:
            values[path] = value


def _section_model(annotation: Any) -> type[BaseModel] | None:
    """The section model of a field (`Latency | None` -> Latency); lists are not sections."""
    if typing.get_origin(annotation) is list:
        return None
    candidates = [annotation, *getattr(annotation, "__args__", ())]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def derive_facts(
    workload: Workload,
    platform: Platform,
    *,
    settings: CostSettings = DEFAULT_SETTINGS,
    with_cost: bool = True,
    with_break_even: bool = True,
    curve_points: int = 0,
    reads: tuple[str, ...] | None = None,
) -> Facts:
    """Every fact about the workload on the platform. Searches that evaluate one rule many
    times name the facts it `reads`, and leave out the derived groups, the cost estimate or
    its break-even search that it does not read."""
    out = _Collector()
    only = None if reads is None else frozenset(reads)
    _workload_facts(workload, out, reads)
    out.put("trigger", workload.effective_trigger)
    _target_facts(workload, platform, out)
    if only is None or not only.isdisjoint(TRAFFIC_FACTS):
        _traffic_facts(workload, platform, out, only, settings)
    if only is None or not only.isdisjoint(PORTABILITY_FACTS):
        _portability_facts(workload, out)
    cost = None
    if with_cost:
        cost = _cost_facts(
            workload,
            platform,
            out,
            settings=settings,
            break_even=with_break_even,
            curve_points=curve_points,
        )
    return Facts(out.values, out.missing, out.sources, cost, out.latency)


def _sourced(item: Any) -> FactValue | None:
    """The value of an optional sourced figure, or None when the profile publishes none."""
    return None if item is None else item.value


_STATIC_TARGET_FACTS: dict[str, tuple[dict[str, FactValue], dict[str, tuple[str, ...]]]] = {}


def _static_target_facts(
    platform: Platform,
) -> tuple[dict[str, FactValue], dict[str, tuple[str, ...]]]:
    """The facts of a platform that do not depend on the workload, worked out once."""
    cached = _STATIC_TARGET_FACTS.get(platform.id)
    if cached is not None:
        return cached
    out = _Collector()
    limits = platform.limits
    out.put("target.id", platform.id)
    out.put("target.name", platform.name)
    out.put("target.provider", platform.provider)
    out.put("target.limits.memory", limits.memory_max.value)
    out.put("target.limits.vcpus", _sourced(limits.vcpus_max))
    out.put("target.limits.ephemeral_storage", _sourced(limits.ephemeral_storage_max))
    out.put("target.limits.gpu", _sourced(limits.gpu))
    out.put("target.limits.concurrency", _sourced(limits.concurrency))
    runtimes = limits.runtimes
    out.put("target.limits.runtimes", tuple(runtimes.value) if runtimes else None)
    fastest = min(figure.p99 for figure in platform.cold_start.runtimes.values())
    out.put("target.cold_start.min_p99", fastest)
    out.put("target.cold_start.idle_reclaim", _sourced(platform.cold_start.idle_reclaim))
    out.put("target.front_door.name", platform.front_door.name)
    out.put("target.front_door.timeout", platform.front_door.timeout.value)
    mitigations = platform.mitigations
    out.put("target.mitigation.cold_start", mitigations.cold_start.name)
    out.put("target.mitigation.long_runs", mitigations.long_runs)
    out.put("target.mitigation.large_payloads", mitigations.large_payloads)
    out.put("target.mitigation.sessions", mitigations.sessions)
    out.put("target.mitigation.connections", mitigations.connections)
    out.put("target.mitigation.local_disk", mitigations.local_disk)
    out.put("target.mitigation.static_site", mitigations.static_site)
    _STATIC_TARGET_FACTS[platform.id] = (out.values, out.missing)
    return out.values, out.missing


def _target_facts(workload: Workload, platform: Platform, out: _Collector) -> None:
    values, missing = _static_target_facts(platform)
    out.values.update(values)
    out.missing.update(missing)
    limits = platform.limits
    out.put("target.limits.timeout", platform.timeout_for(workload.effective_trigger))
    http = workload.effective_trigger == "http"
    out.put(
        "target.limits.payload", _sourced(limits.payload_sync if http else limits.payload_async)
    )
    runtime = workload.runtime
    if runtime is None:
        out.put("target.limits.package", None, ("runtime",))
        out.put("target.cold_start.p50", None, ("runtime",))
        out.put("target.cold_start.p99", None, ("runtime",))
    else:
        package = limits.package_image if runtime == "container" else limits.package_zip
        out.put("target.limits.package", _sourced(package))
        figure = platform.cold_start.figure(runtime)
        out.put("target.cold_start.p50", figure.p50)
        out.put("target.cold_start.p99", figure.p99)


def _peak_rate(workload: Workload) -> Rate | None:
    traffic = workload.traffic
    if traffic is None:
        return None
    if traffic.peak is not None:
        return traffic.peak
    return traffic.average if traffic.pattern == "steady" else None


def _traffic_facts(
    workload: Workload,
    platform: Platform,
    out: _Collector,
    only: frozenset[str] | None = None,
    settings: CostSettings = DEFAULT_SETTINGS,
) -> None:
    """The derived facts of traffic, run time and memory, or each of `only` (a search that
    evaluates one rule many times derives just what the rule reads)."""
    traffic = workload.traffic
    average = traffic.average if traffic else None
    typical = workload.duration.typical if workload.duration else None
    peak = _peak_rate(workload)
    if only is None or "derived.peak_rate" in only:
        out.put("derived.peak_rate", peak, ("traffic.peak",))
    if only is None or "derived.monthly_requests" in only:
        monthly = average.per_month if average else None
        out.put("derived.monthly_requests", monthly, ("traffic.average",))
    if only is None or "derived.peak_concurrency" in only:
        out.put(
            "derived.peak_concurrency",
            peak.per_second * typical.seconds if peak and typical else None,
            ("traffic.peak", "duration.typical"),
        )
    if only is None or "derived.average_concurrency" in only:
        out.put(
            "derived.average_concurrency",
            average.per_second * typical.seconds if average and typical else None,
            ("traffic.average", "duration.typical"),
        )
    if only is None or "derived.burstiness" in only:
        burstiness = None
        if average and peak and average.per_second > 0:
            burstiness = peak.per_second / average.per_second
        out.put("derived.burstiness", burstiness, ("traffic.average", "traffic.peak"))
    if only is None or not only.isdisjoint(LATENCY_FACTS):
        _latency_facts(workload, platform, out)
    if only is None or "derived.timeout_use" in only:
        longest = workload.duration.max if workload.duration else None
        timeout = platform.timeout_for(workload.effective_trigger)
        use = longest.seconds / timeout.seconds if longest else None
        out.put("derived.timeout_use", use, ("duration.max",))
    if only is None or not only.isdisjoint(PROVISIONED_FACTS):
        priced = None
        if average is not None and typical is not None:
            inputs = _inputs(workload, platform, out)
            priced = provisioned_cost(platform, inputs, share=settings.provisioned_share)
        needs = ("resources.memory", "traffic.average", "duration.typical")
        out.put("derived.provisioned_cost_per_month", priced[0] if priced else None, needs)
        warm = float(priced[1]) if priced else None
        out.put("derived.provisioned_instances", warm, ("traffic.average", "duration.typical"))


LATENCY_FACTS = frozenset(
    {
        "derived.cold_start_share",
        "derived.cold_request_latency",
        "derived.startup_p99",
        "derived.latency_p50",
        "derived.latency_p95",
        "derived.latency_p99",
        "derived.throttled_share",
        "derived.scale_out_throttled_share",
    }
)
SIMULATION_NEEDS = ("traffic.average", "duration.typical", "runtime", "resources.package")


def _latency_facts(workload: Workload, platform: Platform, out: _Collector) -> None:
    """The start-up and the simulated cold starts, latency and throttling (README, "Cold
    starts and latency")."""
    typical = workload.duration.typical if workload.duration else None
    package = workload.resources.package
    start = startup(platform, workload.runtime, package)
    startup_p99 = Duration.from_seconds(start.p99) if workload.runtime else None
    out.put("derived.startup_p99", startup_p99, ("runtime",))
    cold = None
    if startup_p99 is not None and typical is not None:
        cold = Duration.from_seconds(start.p99 + typical.seconds)
    out.put("derived.cold_request_latency", cold, ("runtime", "duration.typical"))
    modelled = None
    if workload.traffic is not None and workload.traffic.average is not None:
        modelled = latency(platform, _inputs(workload, platform, out), package)
    out.latency = modelled
    result = modelled.simulation if modelled else None
    share = (
        result.cold_start_share if result and modelled and modelled.keep_alive_published else None
    )
    needs = (*SIMULATION_NEEDS, "target.cold_start.idle_reclaim")
    out.put("derived.cold_start_share", share, needs)
    for quantile in ("p50", "p95", "p99"):
        value = Duration.from_seconds(getattr(result, quantile)) if result else None
        out.put(f"derived.latency_{quantile}", value, SIMULATION_NEEDS)
    out.put("derived.throttled_share", result.throttled_share if result else None, SIMULATION_NEEDS)
    by_rate = result.throttled_share if result and result.throttled_by_rate else 0.0
    out.put("derived.scale_out_throttled_share", by_rate if result else None, SIMULATION_NEEDS)


def _portability_facts(workload: Workload, out: _Collector) -> None:
    if workload.dependencies is None:
        out.put("derived.vendor_dependencies", None, ("dependencies",))
        out.put("derived.vendor_dependency_count", None, ("dependencies",))
        return
    registry = catalog.services()
    vendor = tuple(d for d in workload.dependencies if registry.vendor_of(d) is not None)
    out.put("derived.vendor_dependencies", vendor, ("dependencies",))
    out.put("derived.vendor_dependency_count", float(len(vendor)), ("dependencies",))


FUNCTION_COST_FIELDS = ("traffic.average", "duration.typical", "resources.memory")
ALWAYS_ON_FIELDS = ("traffic.average", "duration.typical", "resources.memory")
PROVISIONED_FACTS = frozenset(
    {"derived.provisioned_cost_per_month", "derived.provisioned_instances"}
)


# Work that keeps its CPU busy for the whole run: one process serves one unit at a time.
CPU_BOUND_ARCHETYPES = frozenset(
    {"media-processing", "ml-inference", "ml-training", "batch-job", "scheduled-job"}
)


def concurrency_of(workload: Workload) -> int:
    """Requests one process serves at once: as given, one for CPU-bound archetypes, or the
    runtime's documented default."""
    given = workload.resources.concurrency
    if given is not None:
        return given
    if workload.archetype in CPU_BOUND_ARCHETYPES:
        return 1
    return catalog.runtime_defaults().concurrency_of(workload.runtime).value


def _inputs(workload: Workload, platform: Platform, out: _Collector) -> CostInputs:
    """The cost inputs, with the cold-start share where it is known by now."""
    share = out.values.get("derived.cold_start_share")
    if out.inputs is None:
        out.inputs = cost_inputs(workload, platform, share)
    elif isinstance(share, float) and out.inputs.cold_start_share != share:
        out.inputs = replace(out.inputs, cold_start_share=share)
    return out.inputs


def cost_inputs(
    workload: Workload, platform: Platform, cold_start_share: FactValue | None = None
) -> CostInputs:
    """What the bills read from a workload with an average rate (README, "Cost model")."""
    traffic = workload.traffic
    assert traffic is not None and traffic.average is not None
    resources = workload.resources
    static = workload.archetype == "static-website"
    state = workload.state
    start = startup(platform, workload.runtime, resources.package) if workload.runtime else None
    return CostInputs(
        monthly_requests=traffic.average.per_month,
        duration=workload.duration.typical if workload.duration else None,
        memory=resources.memory,
        cpus=resources.cpus,
        architecture=resources.architecture,
        peak_rate=_peak_rate(workload),
        http=workload.effective_trigger == "http",
        payload=resources.payload,
        ephemeral_storage=resources.ephemeral_storage,
        static_site=static,
        site_size=resources.package if static else None,
        shape=day_shape(traffic),
        trigger=workload.effective_trigger,
        batch_size=traffic.batch_size,
        egress=resources.egress,
        concurrency=concurrency_of(workload),
        long_lived=state is not None and state.connections == "long-lived",
        connected_clients=float(state.connected_clients)
        if state is not None and state.connected_clients is not None
        else None,
        cold_start_share=cold_start_share if isinstance(cold_start_share, float) else None,
        init_seconds=start.mean if start is not None else None,
        gpu=bool(resources.gpu),
        runtime=workload.runtime,
        waiting=workload.duration.waiting if workload.duration else None,
        queued=workload.effective_trigger != "http"
        and (workload.latency is None or workload.latency.p99 is None),
    )


def _cost_facts(
    workload: Workload,
    platform: Platform,
    out: _Collector,
    *,
    settings: CostSettings,
    break_even: bool,
    curve_points: int,
) -> CostEstimate | None:
    average = workload.traffic.average if workload.traffic else None
    static = workload.archetype == "static-website"
    cost = None
    if average is not None:
        if "derived.cold_start_share" not in out.values and out.latency is None:
            _latency_facts(workload, platform, out)
        inputs = _inputs(workload, platform, out)
        cost = estimate(
            platform, inputs, settings, break_even=break_even, curve_points=curve_points
        )
    serverless_needs = ("traffic.average",) if static else FUNCTION_COST_FIELDS
    always_on_needs = ALWAYS_ON_FIELDS
    both = ("cost.serverless.monthly_usd", "cost.always_on.monthly_usd")
    serverless = cost.serverless if cost else None
    always_on = cost.always_on if cost else None
    out.put(
        "cost.serverless.monthly_usd",
        Money.usd(serverless.monthly_usd) if serverless else None,
        serverless_needs,
    )
    # A bill with unconfirmed parts is a lower bound: it can show that always-on is cheaper,
    # never that serverless is; so "fully priced" is true or unknown, never false.
    fully_priced = True if serverless is not None and not serverless.unpriced else None
    out.put("cost.serverless.all_prices_published", fully_priced, ("cost.serverless.monthly_usd",))
    out.put(
        "cost.always_on.monthly_usd",
        Money.usd(always_on.monthly_usd) if always_on else None,
        always_on_needs,
    )
    out.put("cost.always_on.instance", always_on.instance if always_on else None, always_on_needs)
    out.put("cost.ratio", cost.ratio if cost else None, both)
    difference = None
    if serverless is not None and always_on is not None:
        difference = Money.usd(round(serverless.monthly_usd - always_on.monthly_usd, 2))
    out.put("cost.monthly_difference", difference, both)
    out.put("cost.break_even", cost.break_even if cost else None, both)
    out.put("cost.always_on.fleet", fleet_words(always_on) if always_on else None, always_on_needs)
    sentence = None
    if cost is not None and cost.ratio is not None and break_even:
        even = str(cost.break_even) if cost.break_even is not None else None
        sentence = break_even_words(cost.ratio, even)
    out.put("cost.break_even_sentence", sentence, both)
    return cost


def fleet_words(bill: AlwaysOnBill) -> str:
    """The always-on option in a few words: '2-4 x t3.medium (aws-ec2) with an ALB'."""
    sizing = bill.sizing
    if sizing is None:
        return bill.instance
    if sizing.mode == "scheduled":
        return f"a {sizing.instance} task per run ({sizing.baseline})"
    counts = (
        str(sizing.max_count)
        if sizing.min_count == sizing.max_count
        else f"{sizing.min_count}-{sizing.max_count}"
    )
    door = f" behind an {sizing.load_balancer}" if sizing.load_balancer else ""
    return f"{counts} x {sizing.instance} ({sizing.baseline}){door}"


def format_fact(value: FactValue, kind: str) -> str:
    """A fact value as a report prints it."""
    if isinstance(value, Quantity):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ", ".join(value) if value else "none"
    if isinstance(value, float | int):
        if kind == "share":
            percent = value * 100
            return f"{percent:,.0f}%" if percent >= 100 else f"{percent:.3g}%"
        if kind == "ratio":
            return f"{value:.2f}x"
        if kind == "number" and value >= 1e6:
            return f"{value / 1e6:.3g}M"
        return f"{float(value):.3g}" if value != int(value) else str(int(value))
    return str(value)
