"""The always-on alternative as an engineer would run it (README, "Always-on fleet").

A fleet of instances sized hour by hour for the day's traffic at a target utilisation, with
a floor for availability, each instance running as many processes of the workload as fit and
each process serving several requests at once; a load balancer in front of HTTP work; data
transfer out. Scheduled work runs as one task per run instead, when that is cheaper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from serverless_fit.data import catalog
from serverless_fit.data.catalog import Baseline, Burstable, ProviderData
from serverless_fit.model.bills import GIB, AlwaysOnBill, CostSettings, FleetSizing, make_bill
from serverless_fit.model.inputs import CostInputs
from serverless_fit.model.network import load_balancer_usd, transfer_usd


@dataclass(frozen=True)
class Shape:
    """One instance or task shape, with the processes of the workload it holds."""

    name: str
    baseline: str
    vcpus: float
    usd_per_hour: float
    processes: int
    share: float  # of a process's vCPUs each process gets: below 1 on the smallest tasks
    hours_per_month: float
    minimum_seconds: float
    burstable: Burstable | None = None


def _packing(inputs: CostInputs, vcpus: float, memory: float, one: bool) -> tuple[int, float]:
    """How many processes of the workload a machine of `vcpus` and `memory` bytes runs, and
    the share of a process's CPU each gets; (0, 0) when it cannot run one.

    A fleet runs a process per `process_vcpus`; a machine with fewer vCPUs than a process
    asks for runs one at that share, unless the workload gave its vCPUs. A task per run
    needs the CPU share the function would have had."""
    assert inputs.memory is not None
    by_memory = math.floor(memory / inputs.memory.bytes + 1e-9)
    if one:
        return (1, 1.0) if by_memory >= 1 and vcpus >= inputs.cpu_share - 1e-9 else (0, 0.0)
    need = inputs.process_vcpus
    if vcpus >= need - 1e-9:
        return min(by_memory, math.floor(vcpus / need + 1e-9)), 1.0
    if inputs.cpus is not None or by_memory < 1:
        return 0, 0.0
    return 1, vcpus / need


def _instance_shapes(baseline: Baseline, inputs: CostInputs, one: bool) -> list[Shape]:
    """The instance types that run the workload: GPU work only on instances with a GPU, a
    process per GPU; other work only on instances without one."""
    shapes = []
    for instance in baseline.instances_for(inputs.architecture):  # type: ignore[arg-type]
        if inputs.gpu != (instance.gpus > 0):
            continue
        processes, share = _packing(inputs, instance.vcpus, instance.memory.bytes, one)
        if inputs.gpu:
            processes = min(processes, instance.gpus)
        if processes < 1:
            continue
        shapes.append(
            Shape(
                instance.name,
                baseline.id,
                instance.vcpus,
                instance.usd_per_hour,
                processes,
                share,
                baseline.hours_per_month.value,
                baseline.billing.minimum_seconds,
                instance.burstable,
            )
        )
    return shapes


def _task_shapes(baseline: Baseline, inputs: CostInputs, one: bool) -> list[Shape]:
    """For each valid task vCPU size, the least memory that holds the processes its vCPUs
    can run (one process for a task per run)."""
    if baseline.rates is None or baseline.task_sizes is None or inputs.gpu:
        return []  # no task size here comes with a GPU
    assert inputs.memory is not None
    memory = inputs.memory.bytes
    rate = baseline.rates.for_architecture(inputs.architecture)
    shapes = []
    for size in baseline.task_sizes.sizes:
        top = size.memory_max.bytes
        processes, share = _packing(inputs, size.vcpus, top, one)
        if processes < 1:
            continue
        low, step = size.memory_min.bytes, size.memory_step.bytes
        steps = max(0, math.ceil((processes * memory - low) / step - 1e-9))
        chosen = min(top, low + steps * step)
        gib = chosen / GIB
        shapes.append(
            Shape(
                f"{baseline.id}-{_compact(size.vcpus)}vcpu-{_compact(gib)}gb",
                baseline.id,
                size.vcpus,
                size.vcpus * rate.usd_per_vcpu_hour + gib * rate.usd_per_gb_hour,
                processes,
                share,
                baseline.hours_per_month.value,
                baseline.billing.minimum_seconds,
            )
        )
    return shapes


def _compact(number: float) -> str:
    return str(int(number)) if number == int(number) else f"{number:g}"


def shapes_for(inputs: CostInputs, baselines: list[Baseline], *, one: bool = False) -> list[Shape]:
    assert inputs.memory is not None
    key = (
        tuple(b.id for b in baselines),
        inputs.architecture,
        inputs.cpus,
        inputs.memory.bytes,
        one,
        inputs.gpu,
    )
    found = _SHAPES.get(key)
    if found is None:  # the same few shapes recur across a batch and within a search
        found = []
        for baseline in baselines:
            found += _instance_shapes(baseline, inputs, one) + _task_shapes(baseline, inputs, one)
        if len(_SHAPES) > 4096:
            _SHAPES.clear()
        _SHAPES[key] = found
    return found


_SHAPES: dict[tuple[object, ...], list[Shape]] = {}


@dataclass(frozen=True)
class _Priced:
    usd: float
    items: list[tuple[str, float]]
    counts: list[int]
    instance_hours: float


def _slots(shape: Shape, inputs: CostInputs) -> int:
    """Units of work one instance serves at once: each process's concurrency, scaled down
    on a machine too small for a whole process."""
    return shape.processes * max(1, math.floor(inputs.concurrency * shape.share + 1e-9))


def _fleet(shape: Shape, inputs: CostInputs, settings: CostSettings) -> _Priced:
    """Instances hour by hour: enough request slots at the target utilisation for the
    highest rate each hour reaches, never fewer than the availability floor."""
    assert inputs.duration is not None
    typical = inputs.duration.seconds * inputs.scale  # in flight per unit of the day's rates
    slots = _slots(shape, inputs)
    usable = slots * settings.target_utilisation
    cpu = inputs.cpu_seconds  # with a known wait, CPU bounds an instance too
    vcpus = shape.vcpus * settings.target_utilisation
    counts = []
    for hour in inputs.day.hours:
        rate = hour.mean if inputs.queued else hour.top
        needed = math.ceil(rate * typical / usable - 1e-9)
        if cpu is not None:
            needed = max(needed, math.ceil(rate * inputs.scale * cpu / vcpus - 1e-9))
        counts.append(max(settings.min_instances, needed))
    days = shape.hours_per_month / 24.0
    instance_hours = sum(counts) * days
    items = [("instances", instance_hours * shape.usd_per_hour)]
    if shape.burstable is not None:
        # CPU credits: the day's CPU use over its vCPUs where the wait is known, else its
        # requests in flight over its slots.
        if cpu is not None:
            busy = sum(hour.mean for hour in inputs.day.hours) * inputs.scale * cpu
            used = busy / (sum(counts) * shape.vcpus)
        else:
            used = sum(hour.mean * typical for hour in inputs.day.hours) / (sum(counts) * slots)
        surplus = max(0.0, used - shape.burstable.baseline)
        vcpu_hours = surplus * shape.vcpus * instance_hours
        if vcpu_hours > 0:
            usd = vcpu_hours * shape.burstable.usd_per_vcpu_hour_surplus
            items.append(("cpu_credits", usd))
    return _Priced(sum(usd for _, usd in items), items, counts, instance_hours)


def _tasks(shape: Shape, inputs: CostInputs) -> _Priced:
    """One task per run, billed for the run (at least the billing minimum)."""
    assert inputs.duration is not None
    seconds = max(shape.minimum_seconds, inputs.duration.seconds)
    instance_hours = inputs.monthly_requests * seconds / 3600.0
    items = [("tasks", instance_hours * shape.usd_per_hour)]
    if shape.burstable is not None:
        # A run keeps its CPU busy: everything above the baseline is surplus.
        busy = 1.0 - shape.burstable.baseline
        if inputs.cpu_seconds is not None and inputs.duration is not None:
            busy = max(0.0, inputs.cpu_seconds / (shape.vcpus * seconds) - shape.burstable.baseline)
        vcpu_hours = busy * shape.vcpus * instance_hours
        if vcpu_hours > 0:
            items.append(("cpu_credits", vcpu_hours * shape.burstable.usd_per_vcpu_hour_surplus))
    top = max(1, math.ceil(inputs.peak_concurrency - 1e-9))
    return _Priced(sum(usd for _, usd in items), items, [0, top], instance_hours)


def _network(provider: ProviderData) -> ProviderData:
    """The provider whose network the fleet uses: the baselines' own (Cloudflare is compared
    with AWS, so its fleet pays AWS's load balancer and data transfer)."""
    baseline = catalog.baselines()[provider.always_on[0]]
    return catalog.providers()[baseline.provider]


def always_on_bill(
    provider: str,
    inputs: CostInputs,
    settings: CostSettings,
    *,
    keep: tuple[str, str] | None = None,
) -> AlwaysOnBill | None:
    """The cheapest always-on option on the provider's own baselines, or None without the
    duration and memory to size it. `keep` (mode, instance) prices a choice already made,
    as the break-even search does while it moves the traffic."""
    if inputs.duration is None or inputs.memory is None or inputs.static_site:
        return None
    data = catalog.providers()[provider]
    baselines = [catalog.baselines()[name] for name in data.always_on]
    options: list[tuple[str, Shape, _Priced]] = []
    if keep is None or keep[0] == "fleet":
        for shape in shapes_for(inputs, baselines):
            if keep is None or keep[1] == shape.name:
                options.append(("fleet", shape, _fleet(shape, inputs, settings)))
    if inputs.trigger == "schedule" and (keep is None or keep[0] == "scheduled"):
        for shape in shapes_for(inputs, baselines, one=True):
            if keep is None or keep[1] == shape.name:
                options.append(("scheduled", shape, _tasks(shape, inputs)))
    if not options:
        return None
    mode, shape, priced = min(options, key=lambda o: (o[2].usd, o[0], o[1].name))
    network = _network(data)
    items = list(priced.items)
    door = None
    if mode == "fleet" and inputs.http and network.load_balancer is not None:
        door = network.load_balancer.name
        items.append(("load_balancer", load_balancer_usd(network, inputs, shape.hours_per_month)))
    if inputs.egress is not None:
        gigabytes = inputs.monthly_requests * inputs.egress.bytes / GIB
        usd = transfer_usd(network.id, gigabytes, free_tier=settings.free_tier)
        items.append(("data_transfer", usd))
    bill = make_bill(items)
    counts = priced.counts
    sizing = FleetSizing(
        mode=mode,
        instance=shape.name,
        baseline=shape.baseline,
        min_count=min(counts),
        max_count=max(counts),
        target_utilisation=settings.target_utilisation,
        requests_per_instance=_slots(shape, inputs) if mode == "fleet" else 1,
        processes_per_instance=shape.processes,
        shape=inputs.day.source,
        load_balancer=door,
        instance_hours=round(priced.instance_hours, 2),
    )
    notes = (data.always_on_note,) if data.always_on_note else ()
    return AlwaysOnBill(
        bill.monthly_usd,
        bill.items,
        (),
        notes,
        shape.name,
        max(counts),
        shape.baseline,
        sizing,
    )
