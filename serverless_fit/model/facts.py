"""Derives the facts rules read: the workload's fields, the target's limits, and derived figures."""

from __future__ import annotations

import functools
import math
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from serverless_fit.data import catalog
from serverless_fit.data.catalog import Platform
from serverless_fit.format.units import Duration, Money, Quantity, Rate
from serverless_fit.format.vocabulary import Trigger
from serverless_fit.format.workload import Workload
from serverless_fit.model.bills import (
    DEFAULT_SETTINGS,
    AlwaysOnBill,
    Bill,
    CostEstimate,
    CostSettings,
)
from serverless_fit.model.cost import estimate
from serverless_fit.model.deployment import configure
from serverless_fit.model.inputs import CostInputs
from serverless_fit.model.latency import LatencyModel, latency, startup
from serverless_fit.model.serverless import provisioned_cost, serverless_bill
from serverless_fit.model.sizing import instance_concurrency
from serverless_fit.model.trace import Trace
from serverless_fit.model.traffic import day_shape
from serverless_fit.report import break_even_words

FactValue = Quantity | float | bool | str | tuple[str, ...]

# The vocabulary of facts a rule may name, with the kind of each value. Rules are checked
# against it when they load, so a misspelt fact is an error, not a rule that never fires.
FACT_KINDS: dict[str, str] = {
    "name": "string",
    "description": "string",
    "owner": "string",
    "archetype": "string",
    "runtime": "string",
    "trigger": "string",
    "latency.p50": "duration",
    "latency.p99": "duration",
    "duration.typical": "duration",
    "duration.max": "duration",
    "duration.waiting": "duration",
    "traffic.pattern": "string",
    "traffic.average": "rate",
    "traffic.peak": "rate",
    "traffic.active_hours_per_day": "number",
    "traffic.cacheable": "share",
    "traffic.interval": "duration",
    "traffic.burst": "duration",
    "traffic.batch_size": "number",
    "resources.memory": "size",
    "resources.cpus": "number",
    "resources.architecture": "string",
    "resources.gpu": "bool",
    "resources.payload": "size",
    "resources.package": "size",
    "resources.ephemeral_storage": "size",
    "resources.concurrency": "number",
    "resources.egress": "size",
    "state.connections": "string",
    "state.in_memory_sessions": "bool",
    "state.local_disk": "bool",
    "state.connected_clients": "number",
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
    "target.kind": "string",
    "target.limits.triggers": "list",
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
    "derived.vendor_dependency_vendors": "list",
    "derived.foreign_dependencies": "list",
    "derived.foreign_dependency_count": "number",
    "derived.peak_instances": "number",
    "derived.peak_connections": "number",
    "derived.connection_limit": "number",
    "derived.connection_limited_dependency": "string",
    "derived.dependency_rate_limit": "rate",
    "derived.rate_limited_dependency": "string",
    "derived.waiting_share": "share",
    "derived.waiting_cost_per_month": "money",
    "derived.cached_serverless_usd": "money",
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

# A workload's labels are facts too, one per key (`labels.team`), always text.
LABEL_FACT = re.compile(r"^labels\.[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def fact_kind(name: str) -> str | None:
    """The kind of a fact name, or None when no fact has that name."""
    kind = FACT_KINDS.get(name)
    if kind is None and LABEL_FACT.match(name):
        return "string"
    return kind


HOURS_PER_DAY = 24.0
PORTABILITY_FACTS = frozenset(
    {
        "derived.vendor_dependencies",
        "derived.vendor_dependency_count",
        "derived.vendor_dependency_vendors",
        "derived.foreign_dependencies",
        "derived.foreign_dependency_count",
    }
)
DEPENDENCY_FACTS = frozenset(
    {
        "derived.peak_instances",
        "derived.peak_connections",
        "derived.connection_limit",
        "derived.connection_limited_dependency",
        "derived.dependency_rate_limit",
        "derived.rate_limited_dependency",
        "derived.waiting_share",
    }
)
TRAFFIC_FACTS = frozenset(
    f
    for f in FACT_KINDS
    if f.startswith("derived.") and f not in PORTABILITY_FACTS | DEPENDENCY_FACTS
)


@dataclass(frozen=True)
class Facts:
    """Known fact values, the workload fields each unknown fact needs, and the cost estimate."""

    values: dict[str, FactValue]
    missing: dict[str, tuple[str, ...]]
    sources: dict[str, tuple[str, ...]]  # derived fact -> workload fields it was computed from
    cost: CostEstimate | None
    latency: LatencyModel | None = None
    deployment: tuple[tuple[str, str], ...] = ()  # options the target took, as written
    not_applicable: tuple[str, ...] = ()  # options it does not offer, one sentence each


class _Collector:
    def __init__(self, trace: Trace | None = None) -> None:
        self.trace = trace  # real arrivals to replay instead of drawn ones
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
        elif path == "dependencies":
            values[path] = workload.dependency_names
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
    trace: Trace | None = None,
) -> Facts:
    """Every fact about the workload on the platform. Searches that evaluate one rule many
    times name the facts it `reads`, and leave out the derived groups, the cost estimate or
    its break-even search that it does not read. A `trace` is replayed by the latency
    simulation in place of the arrivals the traffic fields describe."""
    configured = configure(platform, workload)
    platform = configured.platform
    out = _Collector(trace)
    only = None if reads is None else frozenset(reads)
    _workload_facts(workload, out, reads)
    for key, value in (workload.labels or {}).items():
        out.put(f"labels.{key}", value)
    out.put("trigger", workload.effective_trigger)
    _target_facts(workload, platform, out)
    if only is None or not only.isdisjoint(TRAFFIC_FACTS):
        _traffic_facts(workload, platform, out, only, settings)
    if only is None or not only.isdisjoint(PORTABILITY_FACTS):
        _portability_facts(workload, platform, out)
    if only is None or not only.isdisjoint(DEPENDENCY_FACTS):
        _dependency_facts(workload, platform, out)
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
    return Facts(
        out.values,
        out.missing,
        out.sources,
        cost,
        out.latency,
        configured.applied,
        configured.not_applicable,
    )


def _sourced(item: Any) -> FactValue | None:
    """The value of an optional sourced figure, or None when the profile publishes none."""
    return None if item is None else item.value


_STATIC_TARGET_FACTS: dict[
    tuple[object, ...], tuple[dict[str, FactValue], dict[str, tuple[str, ...]]]
] = {}


def _catalog_cold_start(platform: Platform) -> object:
    profile = catalog.platforms().get(platform.id)
    return profile.cold_start if profile is not None else platform.cold_start


def _static_target_facts(
    platform: Platform,
) -> tuple[dict[str, FactValue], dict[str, tuple[str, ...]]]:
    """The facts of a platform that do not depend on the workload, worked out once."""
    # A deployment changes the front door and the concurrency limit, so they are in the key.
    concurrency = platform.limits.concurrency
    key = (
        platform.id,
        platform.front_door.name,
        concurrency.value if concurrency else None,
        id(platform.cold_start) if platform.cold_start is not _catalog_cold_start(platform) else 0,
    )
    cached = _STATIC_TARGET_FACTS.get(key)
    if cached is not None:
        return cached
    out = _Collector()
    limits = platform.limits
    out.put("target.id", platform.id)
    out.put("target.name", platform.name)
    out.put("target.provider", platform.provider)
    out.put("target.kind", platform.kind)
    triggers = limits.triggers.value if limits.triggers else typing.get_args(Trigger)
    out.put("target.limits.triggers", tuple(triggers))
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
    _STATIC_TARGET_FACTS[key] = (out.values, out.missing)
    return out.values, out.missing


def served_by(workload: Workload, platform: Platform) -> str:
    """What serves the workload on this target: a static website is priced as the provider's
    object storage behind its CDN, not as the function platform."""
    hosting = platform.pricing.static_hosting
    if workload.archetype == "static-website" and hosting is not None:
        return hosting.name
    return platform.name


def _target_facts(workload: Workload, platform: Platform, out: _Collector) -> None:
    values, missing = _static_target_facts(platform)
    out.values.update(values)
    out.missing.update(missing)
    out.put("target.name", served_by(workload, platform))
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
    resources = workload.resources
    start = startup(platform, workload.runtime, resources.package, bool(resources.gpu))
    startup_p99 = Duration.from_seconds(start.p99) if workload.runtime else None
    out.put("derived.startup_p99", startup_p99, ("runtime",))
    cold = None
    if startup_p99 is not None and typical is not None:
        cold = Duration.from_seconds(start.p99 + typical.seconds)
    out.put("derived.cold_request_latency", cold, ("runtime", "duration.typical"))
    modelled = None
    if workload.traffic is not None and workload.traffic.average is not None:
        modelled = latency(platform, _inputs(workload, platform, out), out.trace)
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


def _portability_facts(workload: Workload, platform: Platform, out: _Collector) -> None:
    """Vendor-specific dependencies, whose vendor each is, and those of another cloud."""
    if workload.dependencies is None:
        for fact in PORTABILITY_FACTS:
            out.put(fact, None, ("dependencies",))
        return
    registry = catalog.services()
    vendors = [(d, registry.vendor_of(d)) for d in workload.dependency_names]
    specific = [(d, v) for d, v in vendors if v is not None]
    hosts = [(d, registry.host_of(d)) for d in workload.dependency_names]
    foreign = tuple(f"{d} ({h})" for d, h in hosts if h is not None and h != platform.provider)
    needs = ("dependencies",)
    out.put("derived.vendor_dependencies", tuple(d for d, _ in specific), needs)
    out.put("derived.vendor_dependency_count", float(len(specific)), needs)
    out.put("derived.vendor_dependency_vendors", tuple(f"{d} ({v})" for d, v in specific), needs)
    out.put("derived.foreign_dependencies", foreign, needs)
    out.put("derived.foreign_dependency_count", float(len(foreign)), needs)


FUNCTION_COST_FIELDS = ("traffic.average", "duration.typical", "resources.memory")
ALWAYS_ON_FIELDS = ("traffic.average", "duration.typical", "resources.memory")
PROVISIONED_FACTS = frozenset(
    {"derived.provisioned_cost_per_month", "derived.provisioned_instances"}
)


# Work that keeps its CPU busy for the whole run: one process serves one unit at a time.
CPU_BOUND_ARCHETYPES = frozenset(
    {"media-processing", "ml-inference", "ml-training", "batch-job", "scheduled-job"}
)


def _dependency_facts(workload: Workload, platform: Platform, out: _Collector) -> None:
    """Pressure on what the workload calls (README, "Downstream limits"): instances at the
    peak against a database's connections, the peak rate against a rate limit, and the
    share of a run spent waiting."""
    duration = workload.duration
    typical = duration.typical if duration else None
    waiting = duration.waiting if duration else None
    share = None
    if typical is not None and waiting is not None and typical.seconds > 0:
        share = waiting.seconds / typical.seconds
    out.put("derived.waiting_share", share, ("duration.waiting", "duration.typical"))
    peak = _peak_rate(workload)
    instances = None
    if peak is not None and typical is not None:
        per = 1
        if platform.pricing.compute.billed_per == "instance" and workload.traffic is not None:
            per = instance_concurrency(platform, cost_inputs(workload, platform))
        instances = float(math.ceil(peak.per_second * typical.seconds / per - 1e-9))
    out.put("derived.peak_instances", instances, ("traffic.peak", "duration.typical"))
    registry = catalog.services()
    pressed: tuple[float, str, float, float] | None = None  # (ratio, name, connections, limit)
    limited: tuple[float, str, Rate] | None = None  # (calls a second, name, as given)
    for item in workload.dependencies or ():
        name = item if isinstance(item, str) else item.name
        given = None if isinstance(item, str) else item.max_connections
        database = registry.database(name)
        limit = given or (database.default_max_connections if database else None)
        if limit is not None and instances is not None:
            each = 1 if isinstance(item, str) else item.connections_per_instance or 1
            ratio = instances * each / limit
            if pressed is None or ratio > pressed[0]:
                pressed = (ratio, name, instances * each, float(limit))
        if not isinstance(item, str) and item.rate_limit is not None:
            allowed = item.rate_limit.per_second
            if limited is None or allowed < limited[0]:
                limited = (allowed, name, item.rate_limit)
    needs = ("dependencies", "traffic.peak", "duration.typical")
    out.put("derived.peak_connections", pressed[2] if pressed else None, needs)
    out.put("derived.connection_limit", pressed[3] if pressed else None, ("dependencies",))
    out.put("derived.connection_limited_dependency", pressed[1] if pressed else None, needs)
    out.put("derived.dependency_rate_limit", limited[2] if limited else None, ("dependencies",))
    out.put("derived.rate_limited_dependency", limited[1] if limited else None, ("dependencies",))


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
    start = None
    if workload.runtime:
        start = startup(platform, workload.runtime, resources.package, bool(resources.gpu))
    inputs = CostInputs(
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
        package=resources.package,
    )
    return _with_billing(_with_warm(inputs, workload, platform), workload, platform)


def _with_billing(inputs: CostInputs, workload: Workload, platform: Platform) -> CostInputs:
    """Instance-based billing where the target offers it and the deployment asks for it, or
    the workload needs a GPU that can only be billed that way."""
    priced = platform.pricing.instance_billing
    if priced is None:
        return inputs
    chosen = workload.deployment.billing if workload.deployment else None
    if chosen == "instance" or (inputs.gpu and priced.required_for_gpu):
        return replace(inputs, billing="instance")
    return inputs


def _with_warm(inputs: CostInputs, workload: Workload, platform: Platform) -> CostInputs:
    """The instances the deployment keeps warm, where the target offers it: provisioned
    concurrency (a count, or the peak's concurrency) or minimum instances."""
    deployment = workload.deployment
    if deployment is None:
        return inputs
    offered = platform.deployment
    provisioned = deployment.provisioned_concurrency
    if provisioned is not None and offered.provisioned_concurrency is not None:
        if provisioned == "peak":
            if inputs.duration is None:
                return inputs
            count = max(1, math.ceil(inputs.peak_concurrency - 1e-9))
        else:
            count = int(provisioned)
        return replace(inputs, warm_minimum=count, warm_kind="provisioned")
    if deployment.min_instances and offered.min_instances is not None:
        return replace(inputs, warm_minimum=deployment.min_instances, warm_kind="minimum")
    return inputs


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
    _waiting_and_cache_costs(workload, platform, out, serverless, settings)
    return cost


def _waiting_and_cache_costs(
    workload: Workload,
    platform: Platform,
    out: _Collector,
    serverless: Bill | None,
    settings: CostSettings,
) -> None:
    """What the waiting part of each run costs (the compute bill's share of it), and the
    serverless bill when a cache in front answers `traffic.cacheable` of the requests."""
    waiting = out.values.get("derived.waiting_share")
    if waiting is None and workload.duration and workload.duration.waiting:
        typical = workload.duration.typical
        if typical is not None and typical.seconds > 0:
            waiting = workload.duration.waiting.seconds / typical.seconds
    paid = None
    parts = dict(serverless.items) if serverless is not None else {}
    if isinstance(waiting, float) and "compute" in parts:
        paid = Money.usd(round(parts["compute"] * waiting, 2))
    out.put("derived.waiting_cost_per_month", paid, ("duration.waiting", *FUNCTION_COST_FIELDS))
    cacheable = workload.traffic.cacheable if workload.traffic else None
    cached = None
    if cacheable is not None and serverless is not None:
        inputs = _inputs(workload, platform, out)
        left = 1.0 - cacheable
        fewer = replace(
            inputs, monthly_requests=inputs.monthly_requests * left, scale=inputs.scale * left
        )
        bill = serverless_bill(platform, fewer, free_tier=settings.free_tier)
        cached = Money.usd(bill.monthly_usd) if bill is not None else None
    out.put("derived.cached_serverless_usd", cached, ("traffic.cacheable", *FUNCTION_COST_FIELDS))


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
