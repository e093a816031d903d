"""Loads and validates the data shipped in the package: platform profiles, baselines, services."""

from __future__ import annotations

import datetime as dt
import functools
import math
from importlib import resources
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from serverless_fit.errors import CatalogError
from serverless_fit.format.units import Duration, Quantity
from serverless_fit.format.vocabulary import Provider, Runtime, Trigger
from serverless_fit.format.workload import DurationValue, FrontDoorName, SizeValue

Architecture = Literal["x86_64", "arm64"]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Data):
    """Where a figure comes from: the page, and the date it was published or read."""

    source: str = Field(pattern=r"^https?://")
    as_of: dt.date
    note: str | None = None


def _unlimited(value: Any) -> Any:
    """`unlimited` in a profile is a limit the provider does not enforce."""
    return Duration(math.inf, "s") if value == "unlimited" else value


class SourcedDuration(Sourced):
    value: Annotated[DurationValue, BeforeValidator(_unlimited)]


class SourcedSize(Sourced):
    value: SizeValue


class SourcedNumber(Sourced):
    value: float


class SourcedFlag(Sourced):
    value: bool


class SourcedRuntimes(Sourced):
    value: list[Runtime]


class SourcedTriggers(Sourced):
    value: list[Trigger]


class Tier(_Data):
    up_to: float | None  # cumulative monthly quantity where this tier ends; None: no end
    price: float


class InstanceConcurrency(Sourced):
    """Requests one instance may serve at once, and the vCPUs it needs to serve more than one."""

    value: int = Field(ge=1)
    min_vcpus: float | None = None


class ScaleOut(Sourced):
    """How fast new instances may be added: `value` of them every `per`."""

    value: int = Field(ge=1)
    per: DurationValue
    requests_per_second: float | None = None  # the same limit in requests a second, if any


class Limits(_Data):
    """Hard limits. Optional ones are absent when the provider publishes no figure."""

    timeout: SourcedDuration
    timeout_http: SourcedDuration | None = None  # when HTTP functions get a different limit
    memory_max: SourcedSize
    memory_min: SourcedSize
    vcpus_max: SourcedNumber | None = None
    payload_sync: SourcedSize | None = None
    payload_async: SourcedSize | None = None
    package_zip: SourcedSize | None = None
    package_image: SourcedSize | None = None  # None: container images are not deployable
    ephemeral_storage_max: SourcedSize | None = None
    gpu: SourcedFlag | None = None
    concurrency: SourcedNumber | None = None
    runtimes: SourcedRuntimes | None = None  # None: no published list, every runtime assumed
    instance_concurrency: InstanceConcurrency | None = None  # instance-billed platforms
    triggers: SourcedTriggers | None = None  # None: every trigger is served
    scale_out: ScaleOut | None = None  # None: the provider publishes no scale-out rate


class TieredPrice(Sourced):
    tiers: list[Tier]


class FrontDoor(_Data):
    name: str
    timeout: SourcedDuration
    metering_unit: SourcedSize | None = None
    usd_per_million_requests: TieredPrice | None = None  # None: no charge of its own
    # Priced as the provider's load balancer (hours and capacity units), not per request.
    load_balancer: bool = False
    payload_max: SourcedSize | None = None  # a request or response limit below the platform's


class ColdStartFigure(_Data):
    p50: DurationValue
    p99: DurationValue
    mean: DurationValue | None = None  # where the source publishes it (INIT billing uses it)
    as_of: dt.date
    note: str


class PackageAllowance(Sourced):
    """Start-up time added per MiB of deployment package, above the measured hello-world."""

    per_mib: DurationValue


class ColdStart(_Data):
    idle_reclaim: SourcedDuration | None  # None: the provider publishes no figure
    runtimes: dict[Runtime, ColdStartFigure]
    source: str
    package_allowance: PackageAllowance | None = None  # None: package size not modelled
    gpu_allowance: SourcedDuration | None = None  # added to an instance with a GPU

    @model_validator(mode="after")
    def _has_fallback(self) -> ColdStart:
        if "other" not in self.runtimes:
            raise ValueError("cold_start.runtimes needs an 'other' figure for unlisted runtimes")
        return self

    def figure(self, runtime: Runtime) -> ColdStartFigure:
        """The runtime's figure, or the `other` figure when the runtime was not measured."""
        return self.runtimes.get(runtime) or self.runtimes["other"]


class RequestPrice(Sourced):
    usd_per_million: float | None  # None: the price is not confirmed; the bill says so
    included: float = 0.0  # requests a month that the plan fee already covers


class MemoryPrice(Sourced):
    """Memory-time: GB-s (GiB of billed memory times billed seconds), tiered per architecture."""

    tiers: dict[Architecture, list[Tier]]

    def for_architecture(self, architecture: str) -> list[Tier]:
        # A platform that prices one architecture bills every workload at that price.
        return self.tiers.get(architecture) or next(iter(self.tiers.values()))  # type: ignore[call-overload]


class VcpuTier(_Data):
    memory: SizeValue
    vcpus: float


class VcpuPrice(Sourced):
    """CPU-time: vCPU-s, with the vCPUs that come with each memory size."""

    usd_per_vcpu_s: float
    vcpus_by_memory: list[VcpuTier]


class CpuTimePrice(Sourced):
    """CPU-time measured in CPU milliseconds, with an allowance the plan fee covers."""

    usd_per_million_ms: float
    included_ms: float = 0.0


class ComputePrice(Sourced):
    """How one run is metered (memory and duration rounding) and the meters it is priced on."""

    # "run": every run is billed on its own; "instance": an instance's active time is billed,
    # so runs that overlap or follow closely share it.
    billed_per: Literal["run", "instance"] = "run"
    memory_step: SizeValue | None = None  # memory billed in steps of this size ...
    memory_sizes: list[SizeValue] | None = None  # ... or as the smallest size that fits
    duration_step: DurationValue
    minimum_duration: DurationValue | None = None
    gb_s: MemoryPrice | None = None
    vcpu_s: VcpuPrice | None = None
    cpu_ms: CpuTimePrice | None = None
    # Meters the provider bills whose rates no source confirms: the bill lists them as
    # unpriced (a lower bound), with the vCPUs that come with each memory size for the record.
    unconfirmed: list[str] = Field(default_factory=list)


class StoragePrice(Sourced):
    included: SizeValue
    usd_per_gb_s: float


class FreeTier(Sourced):
    requests: float = 0.0
    gb_s: float = 0.0
    vcpu_s: float = 0.0


class PlanFee(Sourced):
    usd_per_month: float


class StaticPrice(Sourced):
    usd: float


class TieredTransfer(Sourced):
    """Bytes sent out, priced per GB (1,024^3 bytes) through cumulative monthly tiers."""

    name: str = "data transfer out"
    tiers: list[Tier]
    free_gb: float = 0.0  # subtracted with --free-tier


class StaticHosting(_Data):
    """How the provider serves a static website: object storage behind a CDN."""

    name: str
    cdn_requests_per_10k: StaticPrice
    storage_per_gb_month: StaticPrice
    free_cdn_requests: SourcedNumber | None = None
    cdn_data_transfer: TieredTransfer | None = None  # None: the CDN's egress is not priced


class WebSocketPrice(Sourced):
    """A managed WebSocket front door: messages (metered in units) and connection time."""

    name: str
    usd_per_million_messages: float
    message_unit: SizeValue
    usd_per_million_connection_minutes: float


class BatchDefault(_Data):
    default: int = Field(ge=1)
    max: int | None = None  # None: no published maximum


class Batching(Sourced):
    """Messages per invocation for queue and stream triggers, as the provider sets them."""

    queue: BatchDefault
    stream: BatchDefault


class Orchestration(Sourced):
    """A workflow service whose steps run on a function platform: the work is split into
    steps no longer than `step_limit`, waits cost nothing, and each step is a transition."""

    steps_on: str  # the profile id of the platform the steps run on
    step_limit: DurationValue
    standard_usd_per_thousand_transitions: float
    standard_free_transitions: float = 0.0
    express_usd_per_million_requests: float
    express_usd_per_gb_s: float
    express_memory: SizeValue  # what an Express execution is billed for (its 64 MB unit)
    express_duration_step: DurationValue
    express_max: DurationValue


class InstanceBilling(Sourced):
    """Billing for each instance's whole life (Cloud Run's instance-based billing): vCPUs and
    memory from start to shutdown, idle time included, and no request fee."""

    usd_per_vcpu_s: float = Field(gt=0)
    usd_per_gib_s: float = Field(gt=0)
    free_vcpu_s: float = Field(ge=0)  # a month, with --free-tier
    free_gib_s: float = Field(ge=0)
    gpu: GpuPrice | None = None  # None: a GPU instance's GPU time is not priced
    required_for_gpu: bool = False  # a GPU instance can only be billed this way


class GpuPrice(Sourced):
    """One GPU per instance: its price, and the vCPUs and memory an instance with it needs."""

    name: str
    usd_per_gpu_s: float = Field(gt=0)
    min_vcpus: float = Field(gt=0)
    min_memory: SizeValue


class Pricing(_Data):
    plan_fee: PlanFee | None = None
    requests: RequestPrice
    compute: ComputePrice
    ephemeral_storage: StoragePrice | None = None
    free_tier: FreeTier | None = None
    static_hosting: StaticHosting | None = None
    init_billed: SourcedFlag | None = None  # the start-up (INIT) phase of a cold start is billed
    websocket: WebSocketPrice | None = None  # None: no priced WebSocket front door
    orchestration: Orchestration | None = None  # a workflow of steps on another platform
    instance_billing: InstanceBilling | None = None  # offered besides per-request billing


class ColdStartMitigation(Sourced):
    name: str
    usd_per_gb_s: dict[Architecture, float] | None = None  # None: price not confirmed
    # Duration of runs served by the kept-warm instances, where it differs from on-demand.
    duration_usd_per_gb_s: dict[Architecture, float] | None = None


class UnitPrice(_Data):
    unit: str
    usd: float


class RuntimeMitigation(Sourced):
    """Another way to cut cold starts, for some runtimes only (such as snapshots)."""

    name: str
    runtimes: list[Runtime]
    prices: list[UnitPrice] = Field(default_factory=list)  # empty: no extra charge


class Mitigations(_Data):
    cold_start: ColdStartMitigation
    cold_start_by_runtime: list[RuntimeMitigation] = Field(default_factory=list)
    long_runs: str
    large_payloads: str
    sessions: str
    connections: str
    local_disk: str
    static_site: str


class SnapStart(Sourced):
    """Start-up from a snapshot: the runtimes it serves and the measured restore figures."""

    runtimes: list[Runtime]
    p50: DurationValue
    p99: DurationValue
    incompatible_storage_above: SizeValue | None = None  # more scratch disk rules it out


class MinimumInstances(Sourced):
    """Instances kept running whatever the traffic, and what an idle one is billed."""

    # "compute": an idle instance is billed at the compute rates (an upper bound where the
    # provider bills idle time at an unconfirmed lower rate, as the note says).
    idle_billing: Literal["compute"] = "compute"


class DeploymentOptions(_Data):
    """The `deployment:` options a target offers, with what each changes. An option left
    out is not offered: a workload that asks for it gets a note, not an error."""

    provisioned_concurrency: Sourced | None = None  # priced by mitigations.cold_start
    snapstart: SnapStart | None = None
    reserved_concurrency: Sourced | None = None
    min_instances: MinimumInstances | None = None
    front_doors: dict[FrontDoorName, FrontDoor] = Field(default_factory=dict)
    billing: Sourced | None = None  # instance-based billing, priced by pricing.instance_billing

    def offers(self, option: str, value: str) -> bool:
        if option == "front_door":
            return value in self.front_doors
        return getattr(self, option) is not None


class Platform(_Data):
    """A serverless target: its limits, cold starts, prices and mitigations."""

    id: str
    name: str
    provider: Provider
    # What runs the code: functions, containers, functions at the edge, or an orchestrator
    # of other services' steps.
    kind: Literal["functions", "containers", "edge", "orchestration"]
    region: str
    summary: str
    limits: Limits
    front_door: FrontDoor
    cold_start: ColdStart
    pricing: Pricing
    mitigations: Mitigations
    batching: Batching | None = None  # None: queue and stream triggers are not batched
    deployment: DeploymentOptions = Field(default_factory=DeploymentOptions)

    @model_validator(mode="after")
    def _billing_is_priced(self) -> Platform:
        if (self.deployment.billing is None) != (self.pricing.instance_billing is None):
            raise ValueError(
                "deployment.billing and pricing.instance_billing go together: the option is "
                "offered only where its prices are given"
            )
        return self

    def timeout_for(self, trigger: str) -> Duration:
        if trigger == "http" and self.limits.timeout_http is not None:
            return self.limits.timeout_http.value
        return self.limits.timeout.value


class Burstable(Sourced):
    """A burstable instance: CPU above `baseline` (a share per vCPU) costs a surplus charge."""

    baseline: float = Field(gt=0, le=1)
    usd_per_vcpu_hour_surplus: float


class Instance(_Data):
    name: str
    vcpus: float
    memory: SizeValue
    architecture: Architecture
    usd_per_hour: float
    gpus: int = Field(0, ge=0)  # accelerators attached: GPU work runs only on these
    gpu: str | None = None  # which one
    source: str = Field(pattern=r"^https?://")
    as_of: dt.date
    note: str | None = None
    burstable: Burstable | None = None


class TaskRate(_Data):
    usd_per_vcpu_hour: float
    usd_per_gb_hour: float


class TaskRates(Sourced):
    x86_64: TaskRate
    arm64: TaskRate

    def for_architecture(self, architecture: str) -> TaskRate:
        return self.arm64 if architecture == "arm64" else self.x86_64


class TaskSize(_Data):
    """The memory a task of `vcpus` may have: `memory_min` to `memory_max` in steps."""

    vcpus: float
    memory_min: SizeValue
    memory_max: SizeValue
    memory_step: SizeValue


class TaskSizes(Sourced):
    sizes: list[TaskSize]


class BillingMinimum(Sourced):
    minimum_seconds: float = Field(ge=0)


class Baseline(_Data):
    """Always-on capacity to compare serverless cost against: fixed instances or sized tasks."""

    id: str
    name: str
    provider: Provider
    hours_per_month: SourcedNumber
    billing: BillingMinimum
    instances: list[Instance] = Field(default_factory=list)
    rates: TaskRates | None = None
    task_sizes: TaskSizes | None = None

    def instances_for(self, architecture: Architecture) -> tuple[Instance, ...]:
        """The instances of one architecture, or every instance when none is of it (a
        provider that prices no Arm VM sizes Arm workloads on x86)."""
        matching = tuple(i for i in self.instances if i.architecture == architecture)
        return matching or tuple(self.instances)


class LoadBalancerUnit(_Data):
    """A load balancer's capacity unit: its price and what one unit carries an hour."""

    usd_per_hour: float
    new_connections_per_second: float
    gb_processed_per_hour: float


class LoadBalancer(Sourced):
    name: str
    usd_per_hour: float
    usd_per_gb_processed: float = 0.0
    capacity_unit: LoadBalancerUnit | None = None


class ProviderData(_Data):
    """What a provider's targets and baselines share: data transfer, the load balancer in
    front of an always-on fleet, and which baselines its targets are compared with."""

    id: Provider
    name: str
    data_transfer: TieredTransfer
    load_balancer: LoadBalancer | None = None
    always_on: list[str]
    always_on_note: str | None = None


class RuntimeDefault(Sourced):
    value: int = Field(ge=1)


class RuntimeDefaults(_Data):
    concurrency: dict[Runtime, RuntimeDefault]

    @model_validator(mode="after")
    def _has_fallback(self) -> RuntimeDefaults:
        if "other" not in self.concurrency:
            raise ValueError("concurrency needs an 'other' default for unlisted runtimes")
        return self

    def concurrency_of(self, runtime: Runtime | None) -> RuntimeDefault:
        return self.concurrency.get(runtime or "other") or self.concurrency["other"]


class Database(Sourced):
    """A relational database engine: the names it goes by and its default connection limit."""

    names: list[str]
    managed: dict[str, Provider] = Field(default_factory=dict)  # managed names -> provider
    default_max_connections: int = Field(ge=1)


class Services(_Data):
    vendor_specific: dict[Provider, list[str]]
    portable: list[str]
    databases: dict[str, Database] = Field(default_factory=dict)

    def host_of(self, dependency: str) -> Provider | None:
        """The provider a dependency runs at: a vendor-specific service's vendor, or the
        provider of a managed database; None for portable or unknown names."""
        vendor = self.vendor_of(dependency)
        if vendor is not None:
            return vendor
        database = self.database(dependency)
        keys = _service_keys(dependency)
        if database is not None:
            return next((database.managed[k] for k in keys if k in database.managed), None)
        return None

    def database(self, dependency: str) -> Database | None:
        """The relational engine a dependency name stands for, if it is one."""
        keys = set(_service_keys(dependency))
        return next((d for d in self.databases.values() if keys & set(d.names)), None)

    def vendor_of(self, dependency: str) -> Provider | None:
        """The provider whose own service this is, or None for portable and unknown names."""
        if dependency not in _VENDORS:  # the same few names recur across a batch
            _VENDORS[dependency] = self._vendor(dependency)
        return _VENDORS[dependency]

    def _vendor(self, dependency: str) -> Provider | None:
        for key in _service_keys(dependency):
            if key in self.portable:
                return None
            for provider, names in self.vendor_specific.items():
                if key in names:
                    return provider
        return None


_VENDORS: dict[str, Provider | None] = {}

# Vendor prefixes people write before a service name ("Amazon SQS", "google-cloud-pubsub").
_SERVICE_PREFIXES = (
    "amazon-",
    "aws-",
    "azure-",
    "microsoft-",
    "google-cloud-",
    "google-",
    "gcp-",
    "cloud-",
    "cloudflare-",
)


def _service_keys(name: str) -> list[str]:
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    keys = [key]
    for prefix in _SERVICE_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            keys.append(key[len(prefix) :])
    return keys


def read_package_yaml(*parts: str) -> Any:
    text = resources.files("serverless_fit.data").joinpath(*parts).read_text(encoding="utf-8")
    try:
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover
        from yaml import SafeLoader as Loader  # type: ignore[assignment]
    return yaml.load(text, Loader=Loader)


M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], *parts: str) -> M:
    try:
        return model.model_validate(read_package_yaml(*parts))
    except (ValidationError, yaml.YAMLError) as error:
        raise CatalogError(f"{'/'.join(parts)}: {error}") from error


@functools.cache
def platforms() -> dict[str, Platform]:
    """Serverless target profiles by id (the file name is the id)."""
    found: dict[str, Platform] = {}
    folder = resources.files("serverless_fit.data").joinpath("platforms")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        profile = _platform(entry.name)
        if f"{profile.id}.yaml" != entry.name:
            raise CatalogError(f"platforms/{entry.name}: id {profile.id!r} differs from file name")
        found[profile.id] = profile
    return found


def _platform(file: str) -> Platform:
    """A profile; one that `extends` another is that profile's data with its own on top
    (mappings merged key by key, anything else replaced)."""
    data = read_package_yaml("platforms", file)
    base = data.pop("extends", None) if isinstance(data, dict) else None
    if isinstance(base, str):
        data = _merged(read_package_yaml("platforms", f"{base}.yaml"), data)
    try:
        return Platform.model_validate(data)
    except ValidationError as error:
        raise CatalogError(f"platforms/{file}: {error}") from error


def _merged(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            merged[key] = _merged(base.get(key), value) if value is not None else None
        return {k: v for k, v in merged.items() if v is not None}
    return over


@functools.cache
def baselines() -> dict[str, Baseline]:
    """Always-on baselines by id."""
    found: dict[str, Baseline] = {}
    folder = resources.files("serverless_fit.data").joinpath("baselines")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            profile = _validated(Baseline, "baselines", entry.name)
            found[profile.id] = profile
    return found


@functools.cache
def providers() -> dict[str, ProviderData]:
    """Provider data by id; each names baselines that exist."""
    found: dict[str, ProviderData] = {}
    folder = resources.files("serverless_fit.data").joinpath("providers")
    known = baselines()
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data = _validated(ProviderData, "providers", entry.name)
            missing = [b for b in data.always_on if b not in known]
            if missing or f"{data.id}.yaml" != entry.name:
                raise CatalogError(f"providers/{entry.name}: unknown baselines {missing}")
            found[data.id] = data
    return found


@functools.cache
def runtime_defaults() -> RuntimeDefaults:
    return _validated(RuntimeDefaults, "runtimes.yaml")


@functools.cache
def services() -> Services:
    return _validated(Services, "services.yaml")


def as_data(value: Any) -> Any:
    """A profile as plain JSON data: units as their strings, dates as ISO dates, None dropped."""
    if isinstance(value, BaseModel):
        fields = ((name, getattr(value, name)) for name in type(value).model_fields)
        return {name: as_data(item) for name, item in fields if item is not None}
    if isinstance(value, dict):
        return {str(key): as_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_data(item) for item in value]
    if isinstance(value, Duration | Quantity):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def dates(value: Any) -> list[dt.date]:
    """Every as-of date in a profile, to show how fresh its figures are."""
    if isinstance(value, BaseModel):
        as_of = getattr(value, "as_of", None)
        found = [as_of] if isinstance(as_of, dt.date) else []
        for name in type(value).model_fields:
            if name != "as_of":
                found.extend(dates(getattr(value, name)))
        return found
    if isinstance(value, dict):
        return [d for item in value.values() for d in dates(item)]
    if isinstance(value, list):
        return [d for item in value for d in dates(item)]
    return []
