"""Loads and validates the data shipped in the package: platform profiles, baselines, services."""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from serverless_fit.errors import CatalogError
from serverless_fit.workload import DurationValue, Provider, Runtime, SizeValue

Architecture = Literal["x86_64", "arm64"]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Data):
    """Where a figure comes from: the page, and the date it was published or read."""

    source: str = Field(pattern=r"^https?://")
    as_of: dt.date
    note: str | None = None


class SourcedDuration(Sourced):
    value: DurationValue


class SourcedSize(Sourced):
    value: SizeValue


class SourcedNumber(Sourced):
    value: float


class SourcedFlag(Sourced):
    value: bool


class Tier(_Data):
    up_to: float | None  # cumulative monthly quantity where this tier ends; None: no end
    price: float


class Limits(_Data):
    timeout: SourcedDuration
    memory_max: SourcedSize
    memory_min: SourcedSize
    vcpus_max: SourcedNumber
    payload_sync: SourcedSize
    payload_async: SourcedSize
    package_zip: SourcedSize
    package_image: SourcedSize
    ephemeral_storage_max: SourcedSize
    gpu: SourcedFlag
    concurrency: SourcedNumber


class TieredPrice(Sourced):
    tiers: list[Tier]


class FrontDoor(_Data):
    name: str
    timeout: SourcedDuration
    metering_unit: SourcedSize
    usd_per_million_requests: TieredPrice


class ColdStartFigure(_Data):
    p50: DurationValue
    p99: DurationValue
    as_of: dt.date
    note: str


class ColdStart(_Data):
    idle_reclaim: SourcedDuration
    runtimes: dict[Runtime, ColdStartFigure]
    source: str


class RequestPrice(Sourced):
    usd_per_million: float


class ComputePrice(Sourced):
    unit: Literal["GB-s"]
    memory_step: SizeValue
    duration_step: DurationValue
    tiers: dict[Architecture, list[Tier]]


class StoragePrice(Sourced):
    included: SizeValue
    usd_per_gb_s: float


class FreeTier(Sourced):
    requests: float
    compute_gb_s: float


class Pricing(_Data):
    requests: RequestPrice
    compute: ComputePrice
    ephemeral_storage: StoragePrice
    free_tier: FreeTier


class ColdStartMitigation(Sourced):
    name: str
    usd_per_gb_s: dict[Architecture, float]


class Mitigations(_Data):
    cold_start: ColdStartMitigation
    long_runs: str
    large_payloads: str
    sessions: str
    connections: str
    local_disk: str


class Platform(_Data):
    """A serverless target: its limits, cold starts, prices and mitigations."""

    id: str
    name: str
    provider: Provider
    kind: Literal["serverless"]
    region: str
    limits: Limits
    front_door: FrontDoor
    cold_start: ColdStart
    pricing: Pricing
    mitigations: Mitigations


class Instance(_Data):
    name: str
    vcpus: float
    memory: SizeValue
    architecture: Architecture
    usd_per_hour: float
    source: str = Field(pattern=r"^https?://")
    as_of: dt.date
    note: str | None = None


class TaskRate(_Data):
    usd_per_vcpu_hour: float
    usd_per_gb_hour: float


class TaskRates(Sourced):
    x86_64: TaskRate
    arm64: TaskRate


class TaskSize(_Data):
    vcpus: float
    memory: SizeValue


class Baseline(_Data):
    """Always-on capacity to compare serverless cost against: fixed instances or sized tasks."""

    id: str
    name: str
    provider: Provider
    hours_per_month: SourcedNumber
    min_instances: int = Field(ge=1)
    instances: list[Instance] = Field(default_factory=list)
    rates: TaskRates | None = None
    task_sizes: list[TaskSize] = Field(default_factory=list)

    def shapes(self, architecture: Architecture) -> list[Instance]:
        """Every instance shape on offer for one architecture, priced per hour."""
        shapes = [i for i in self.instances if i.architecture == architecture]
        if self.rates is not None:
            rate = getattr(self.rates, architecture)
            for size in self.task_sizes:
                gib = size.memory.gib
                shapes.append(
                    Instance(
                        name=f"{self.id}-{_compact(size.vcpus)}vcpu-{_compact(gib)}gb",
                        vcpus=size.vcpus,
                        memory=size.memory,
                        architecture=architecture,
                        usd_per_hour=size.vcpus * rate.usd_per_vcpu_hour
                        + gib * rate.usd_per_gb_hour,
                        source=self.rates.source,
                        as_of=self.rates.as_of,
                        note="vCPU-hours plus GB-hours",
                    )
                )
        return shapes


def _compact(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


class Services(_Data):
    vendor_specific: dict[Provider, list[str]]
    portable: list[str]

    def vendor_of(self, dependency: str) -> Provider | None:
        """The provider whose own service this is, or None for portable and unknown names."""
        for key in _service_keys(dependency):
            if key in self.portable:
                return None
            for provider, names in self.vendor_specific.items():
                if key in names:
                    return provider
        return None


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
    text = resources.files("serverless_fit").joinpath(*parts).read_text(encoding="utf-8")
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
    folder = resources.files("serverless_fit").joinpath("platforms")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        profile = _validated(Platform, "platforms", entry.name)
        if f"{profile.id}.yaml" != entry.name:
            raise CatalogError(f"platforms/{entry.name}: id {profile.id!r} differs from file name")
        found[profile.id] = profile
    return found


@functools.cache
def baselines() -> dict[str, Baseline]:
    """Always-on baselines by id."""
    found: dict[str, Baseline] = {}
    folder = resources.files("serverless_fit").joinpath("baselines")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            profile = _validated(Baseline, "baselines", entry.name)
            found[profile.id] = profile
    return found


@functools.cache
def services() -> Services:
    return _validated(Services, "services.yaml")
