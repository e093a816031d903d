"""What a platform gives and bills one unit of work: memory and vCPUs as billed, the billed
duration of a run, messages per invocation, and requests one instance serves at once."""

from __future__ import annotations

import math

from serverless_fit.data.catalog import ComputePrice, Platform
from serverless_fit.format.units import Size
from serverless_fit.model.bills import GIB
from serverless_fit.model.inputs import MIB, CostInputs


def round_up(amount: float, step: float) -> float:
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
    return Size(max(round_up(memory.bytes, step), floor) / MIB, "MiB")


def billed_memory_gb(platform: Platform, memory: Size) -> float:
    """Billed memory in GB as price lists count it (1 GB = 1024 MB)."""
    return billed_memory(platform, memory).bytes / GIB


def billed_seconds(compute: ComputePrice, seconds: float) -> float:
    """One invocation's duration as billed: rounded up to the step, at least the minimum."""
    billed = round_up(seconds, compute.duration_step.seconds)
    if compute.minimum_duration is not None:
        billed = max(billed, compute.minimum_duration.seconds)
    return billed


def billed_vcpus(platform: Platform, memory: Size, cpus: float | None) -> float:
    """vCPUs billed per run: what the memory size comes with, or more when the workload asks."""
    price = platform.pricing.compute.vcpu_s
    assert price is not None
    billed = billed_memory(platform, memory).bytes
    tiers = sorted(price.vcpus_by_memory, key=lambda t: t.memory.bytes)
    fitting = [t.vcpus for t in tiers if t.memory.bytes >= billed - 1e-6]
    vcpus = fitting[0] if fitting else tiers[-1].vcpus
    return max(vcpus, cpus or 0.0)


def batching(platform: Platform, inputs: CostInputs) -> tuple[int, str | None]:
    """Messages per invocation for queue and stream triggers, and a note saying whose."""
    if inputs.trigger not in ("queue", "stream") or platform.batching is None:
        return 1, None
    default = getattr(platform.batching, inputs.trigger)
    if inputs.batch_size is None:
        return default.default, f"{default.default} messages per invocation (provider default)"
    if default.max is not None and inputs.batch_size > default.max:
        return default.max, (
            f"{default.max} messages per invocation (traffic.batch_size {inputs.batch_size} is "
            f"above the {default.max} {platform.name} allows)"
        )
    return inputs.batch_size, f"{inputs.batch_size} messages per invocation (traffic.batch_size)"


def instance_concurrency(platform: Platform, inputs: CostInputs) -> int:
    """Requests one instance of an instance-billed platform serves at once."""
    limit = platform.limits.instance_concurrency
    concurrency = inputs.concurrency
    if limit is None:
        return concurrency
    concurrency = min(concurrency, limit.value)
    needs = limit.min_vcpus
    if needs and inputs.memory is not None and platform.pricing.compute.vcpu_s:
        vcpus = billed_vcpus(platform, inputs.memory, inputs.cpus)
        return 1 if vcpus < needs - 1e-9 else concurrency
    return concurrency
