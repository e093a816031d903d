"""The simulation's inputs from a platform profile and a workload, and its run per target."""

from __future__ import annotations

from dataclasses import dataclass

from serverless_fit.data.catalog import Platform
from serverless_fit.format.units import SECONDS_PER_MONTH, Size
from serverless_fit.model.inputs import MIB, CostInputs
from serverless_fit.model.simulation import PlatformModel, Simulation, replay, simulate
from serverless_fit.model.sizing import batching, instance_concurrency
from serverless_fit.model.trace import Trace
from serverless_fit.model.traffic import DayShape


@dataclass(frozen=True)
class Startup:
    """A new instance's start-up on a platform for a runtime and package, in seconds."""

    p50: float
    p99: float
    mean: float  # what INIT billing charges on average


def startup(
    platform: Platform, runtime: str | None, package: Size | None, gpu: bool = False
) -> Startup:
    """The runtime's measured start-up (the fastest runtime's when none is given: a lower
    bound), plus the platform's allowance per MiB of package and, for an instance with a
    GPU, the time the platform takes to attach it and load its drivers."""
    cold = platform.cold_start
    if runtime is None:
        figure = min(cold.runtimes.values(), key=lambda f: (f.p99.seconds, f.p50.seconds))
    else:
        figure = cold.figure(runtime)  # type: ignore[arg-type]
    allowance = 0.0
    if package is not None and cold.package_allowance is not None:
        allowance = cold.package_allowance.per_mib.seconds * package.bytes / MIB
    if gpu and cold.gpu_allowance is not None:
        allowance += cold.gpu_allowance.value.seconds
    mean = (figure.mean or figure.p50).seconds
    return Startup(figure.p50.seconds + allowance, figure.p99.seconds + allowance, mean + allowance)


@dataclass(frozen=True)
class LatencyModel:
    """The simulated figures, and what they were computed with."""

    simulation: Simulation
    keep_alive_published: bool  # False: the share assumes every request cold (an upper bound)
    batch: int  # messages per invocation (queue and stream triggers)
    startup: Startup


def platform_model(platform: Platform, inputs: CostInputs, start: Startup) -> PlatformModel:
    idle = platform.cold_start.idle_reclaim
    limits = platform.limits
    per = 1
    if platform.pricing.compute.billed_per == "instance":
        per = instance_concurrency(platform, inputs)
    scale = limits.scale_out
    return PlatformModel(
        keep_alive=idle.value.seconds if idle is not None else 0.0,
        init_p50=start.p50,
        init_p99=start.p99,
        per_instance=per,
        scale_step=scale.value if scale is not None else None,
        scale_window=scale.per.seconds if scale is not None else 10.0,
        scale_requests=scale.requests_per_second if scale is not None else None,
        quota=int(limits.concurrency.value) if limits.concurrency is not None else None,
        warm_minimum=inputs.warm_minimum,
    )


def latency(
    platform: Platform, inputs: CostInputs, trace: Trace | None = None
) -> LatencyModel | None:
    """Simulate the workload on the platform; None without a typical run time or for a static
    site (served from a CDN, with no instances to start). A trace's own arrivals and runs are
    replayed, one invocation each, in place of the day the traffic fields describe."""
    if inputs.duration is None or inputs.static_site or inputs.shape is None:
        return None
    start, model = _platform_run(platform, inputs)
    published = platform.cold_start.idle_reclaim is not None
    if trace is not None and len(trace.arrivals):
        result = replay(trace.arrivals, trace.run_times(inputs.duration.seconds), model)
        return LatencyModel(result, published, 1, start)
    result, batch = _simulated_day(platform, inputs, inputs.shape, model)
    return LatencyModel(result, published, batch, start)


def instance_seconds(platform: Platform, inputs: CostInputs) -> float:
    """Instance-seconds in a month, as instance-based billing charges them: the simulated
    instances alive in each hour (starting, serving, or idle until reclaimed, and those kept
    warm), averaged over the day, for a month. The day's rates are scaled with the inputs, so
    that a break-even search moves the traffic."""
    _, model = _platform_run(platform, inputs)
    day = inputs.day if inputs.scale == 1 else inputs.day.scaled(inputs.scale)
    result, _ = _simulated_day(platform, inputs, day, model)
    return sum(result.instances_by_hour) / len(result.instances_by_hour) * SECONDS_PER_MONTH


def _platform_run(platform: Platform, inputs: CostInputs) -> tuple[Startup, PlatformModel]:
    start = startup(platform, inputs.runtime, inputs.package, inputs.gpu)
    return start, platform_model(platform, inputs, start)


def _simulated_day(
    platform: Platform, inputs: CostInputs, day: DayShape, model: PlatformModel
) -> tuple[Simulation, int]:
    """The simulated day, queue and stream messages taken in the platform's batches (each
    invocation runs its batch's messages one after another); and the batch size."""
    assert inputs.duration is not None
    batch, _ = batching(platform, inputs)
    day = day if batch == 1 else day.scaled(1.0 / batch)
    return simulate(day, inputs.duration.seconds * batch, model), batch
