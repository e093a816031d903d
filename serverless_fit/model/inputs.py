"""What the bills depend on, taken from the workload; None where the workload is silent."""

from __future__ import annotations

from dataclasses import dataclass, replace

from serverless_fit.format.units import SECONDS_PER_MONTH, Duration, Rate, Size
from serverless_fit.format.workload import Traffic
from serverless_fit.model.traffic import DayShape, day_shape

MIB = 1024.0**2
# Memory that AWS Lambda pairs with one full vCPU; a function's CPU share follows its memory.
MEMORY_PER_VCPU = 1769 * MIB


@dataclass(frozen=True)
class CostInputs:
    monthly_requests: float  # units of work a month (requests, messages, runs)
    duration: Duration | None  # typical wall time of one unit of work
    memory: Size | None
    cpus: float | None
    architecture: str
    peak_rate: Rate | None
    http: bool  # goes through the platform's HTTP front door
    payload: Size | None
    ephemeral_storage: Size | None
    static_site: bool = False  # served as files from object storage behind a CDN
    site_size: Size | None = None
    shape: DayShape | None = None  # the day's traffic; None: flat around the clock
    trigger: str = "event"
    batch_size: int | None = None  # as the workload gives it
    egress: Size | None = None  # bytes sent out per unit of work
    concurrency: int = 1  # units one process serves at once (given, or the runtime default)
    long_lived: bool = False  # holds long-lived client connections
    connected_clients: float | None = None
    cold_start_share: float | None = None  # of invocations, where it is known
    init_seconds: float | None = None  # the mean start-up of the runtime on the platform
    gpu: bool = False
    runtime: str | None = None
    waiting: Duration | None = None  # part of a typical run spent waiting on other systems
    queued: bool = False  # nobody waits on it: bursts can wait in the queue for capacity
    scale: float = 1.0  # the day's rates times this: a search moves the traffic, not the day
    warm_minimum: int = 0  # instances kept warm whatever the traffic (deployment:)
    warm_kind: str | None = None  # "provisioned" (provisioned concurrency) or "minimum"
    billing: str = "request"  # "instance": each instance billed for its whole life (Cloud Run)
    package: Size | None = None  # the deployment package: its size lengthens start-up

    @property
    def cpu_seconds(self) -> float | None:
        """vCPU-seconds one unit of work uses, where the workload says how long it waits: the
        rest of the run at its CPU share. None when it does not say."""
        if self.waiting is None or self.duration is None or self.memory is None:
            return None
        return max(0.0, self.duration.seconds - self.waiting.seconds) * self.cpu_share

    @property
    def cpu_share(self) -> float:
        """vCPUs one unit of work runs on: those given, else the share a function of this
        memory gets on Lambda, so that both sides of a comparison do the same work."""
        if self.cpus is not None:
            return self.cpus
        assert self.memory is not None
        return self.memory.bytes / MEMORY_PER_VCPU

    @property
    def process_vcpus(self) -> float:
        """vCPUs one server process of the workload is given on an always-on instance: those
        given, else one, the usual one worker per core (README, "Always-on fleet")."""
        return self.cpus if self.cpus is not None else 1.0

    @property
    def peak_concurrency(self) -> float:
        """Little's law: arrivals per second at the peak times seconds each unit takes."""
        assert self.duration is not None
        if self.peak_rate is not None:
            return self.peak_rate.per_second * self.duration.seconds
        return self.day.peak * self.scale * self.duration.seconds

    @property
    def day(self) -> DayShape:
        """The day's shape, or a flat day carrying the monthly volume; its rates are to be
        multiplied by `scale`."""
        if self.shape is not None:
            return self.shape
        average = self.monthly_requests / self.scale / SECONDS_PER_MONTH
        flat = day_shape(Traffic(average=Rate(average, "/s")))
        assert flat is not None
        return flat

    def scaled(self, factor: float) -> CostInputs:
        """The same workload with `factor` times the traffic (same shape, same peak ratio)."""
        peak = Rate(self.peak_rate.per_second * factor, "/s") if self.peak_rate else None
        clients = self.connected_clients * factor if self.connected_clients else None
        return replace(
            self,
            monthly_requests=self.monthly_requests * factor,
            shape=self.day,
            peak_rate=peak,
            connected_clients=clients,
            scale=self.scale * factor,
        )
