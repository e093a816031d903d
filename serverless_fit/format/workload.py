"""Pydantic models of the workload description format, version 1."""

from __future__ import annotations

import datetime as dt
import typing
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from serverless_fit.format.units import (
    EXAMPLE_UNITS,
    PARSERS,
    PERCENT_ALLOWED,
    Duration,
    Quantity,
    Rate,
    Size,
    UnitError,
    format_number,
    parse_percent,
)
from serverless_fit.format.vocabulary import (
    DEFAULT_TRIGGERS,
    Archetype,
    Level,
    Provider,
    Runtime,
    Trigger,
)

_ALLOWED = {"duration": Duration.allowed, "size": Size.allowed, "rate": Rate.allowed}


def _unit_validator(kind: str) -> PlainValidator:
    parse = PARSERS[kind]

    def validate(value: object) -> Quantity:
        if isinstance(value, Quantity) and value.kind == kind:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise PydanticCustomError(
                "unit_type",
                "found {found}; allowed: {allowed}",
                {"found": describe_value(value), "allowed": _ALLOWED[kind]},
            )
        if isinstance(value, int | float):
            fix = f"{format_number(float(value))}{EXAMPLE_UNITS[kind]}"
            raise PydanticCustomError(
                "bare_number",
                "found the bare number {found}, which has no unit; write it with one, "
                "for example `{fix}`",
                {"found": format_number(float(value)), "fix": fix},
            )
        try:
            return parse(value)
        except UnitError as error:
            raise PydanticCustomError(
                "unit_syntax",
                "found {found}; allowed: {allowed}",
                {"found": repr(value), "allowed": error.allowed},
            ) from None

    return PlainValidator(validate)


def _unit_schema(kind: str) -> WithJsonSchema:
    pattern = {
        "duration": r"^\s*(\d+(\.\d+)?|\.\d+)\s*(ms|s|m|min|h|d)\s*$",
        "size": r"^\s*(\d+(\.\d+)?|\.\d+)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$",
        "rate": r"^\s*(\d+(\.\d+)?|\.\d+)\s*[kMB]?\s*/\s*(s|min|h|day|month)\s*$",
    }[kind]
    return WithJsonSchema({"type": "string", "pattern": pattern, "description": _ALLOWED[kind]})


def describe_value(value: object) -> str:
    """A found value as an error message names it: YAML words, not Python types."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


DurationValue = Annotated[Duration, _unit_validator("duration"), _unit_schema("duration")]
SizeValue = Annotated[Size, _unit_validator("size"), _unit_schema("size")]
RateValue = Annotated[Rate, _unit_validator("rate"), _unit_schema("rate")]


def _percent(value: object) -> float:
    """`90%` as the share 0.9; a bare number has no unit, as everywhere in the format."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PydanticCustomError(
            "unit_type",
            "found {found}; allowed: {allowed}",
            {"found": describe_value(value), "allowed": PERCENT_ALLOWED},
        )
    if isinstance(value, int | float):
        raise PydanticCustomError(
            "bare_number",
            "found the bare number {found}, which has no unit; write it with one, "
            "for example `{fix}`",
            # 0.9 is most likely a share: suggest 90%, not 0.9%
            {
                "found": format_number(float(value)),
                "fix": f"{format_number(float(value) * 100 if value <= 1 else value)}%",
            },
        )
    try:
        return parse_percent(value)
    except UnitError:
        raise PydanticCustomError(
            "unit_syntax",
            "found {found}; allowed: {allowed}",
            {"found": repr(value), "allowed": PERCENT_ALLOWED},
        ) from None


PercentValue = Annotated[
    float,
    PlainValidator(_percent),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*(\d+(\.\d+)?|\.\d+)\s*%\s*$",
            "description": PERCENT_ALLOWED,
        }
    ),
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Latency(_Section):
    p50: DurationValue | None = None
    p99: DurationValue | None = None


class RunDuration(_Section):
    typical: DurationValue | None = None
    max: DurationValue | None = None
    waiting: Annotated[
        DurationValue | None,
        Field(description="part of one typical run spent waiting on other systems"),
    ] = None


HOURS_PER_DAY = 24


class Traffic(_Section):
    pattern: Literal["steady", "spiky", "periodic", "sporadic"] | None = None
    average: RateValue | None = None
    peak: RateValue | None = None
    active_hours_per_day: Annotated[float, Field(ge=0, le=24)] | None = None
    profile: (
        Annotated[
            list[Annotated[float, Field(ge=0, le=1e9)]],
            Field(
                min_length=HOURS_PER_DAY,
                max_length=HOURS_PER_DAY,
                description="24 relative weights, one per hour of the day (UTC, hour 0 first); "
                "the monthly average stays `average`; overrides the shape that "
                "`active_hours_per_day` implies",
            ),
        ]
        | None
    ) = None
    interval: Annotated[
        DurationValue | None,
        Field(description="periodic work: one unit every interval (default: from the average)"),
    ] = None
    burst: Annotated[
        DurationValue | None,
        Field(description="spiky work: how long a burst at `peak` lasts (default 1min)"),
    ] = None
    batch_size: Annotated[
        int | None,
        Field(
            ge=1,
            le=10_000,
            description="queue and stream triggers: messages per invocation "
            "(default: the provider's documented default)",
        ),
    ] = None
    cacheable: Annotated[
        PercentValue | None,
        Field(
            description="share of requests a cache or CDN in front could answer, as a "
            "percentage (e.g. 90%); none is in front today"
        ),
    ] = None


class Resources(_Section):
    memory: SizeValue | None = None
    cpus: Annotated[float, Field(gt=0, le=1024)] | None = None
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    gpu: bool | None = None
    payload: SizeValue | None = None
    package: SizeValue | None = None
    ephemeral_storage: SizeValue | None = None
    concurrency: Annotated[
        int | None,
        Field(
            ge=1,
            le=10_000,
            description="units of work one instance or process serves at once (instance-billed "
            "platforms and always-on sizing); default per runtime",
        ),
    ] = None
    egress: Annotated[
        SizeValue | None,
        Field(description="bytes sent out to the internet per unit of work (data transfer)"),
    ] = None


class State(_Section):
    connections: Literal["none", "long-lived"] | None = None
    in_memory_sessions: bool | None = None
    local_disk: bool | None = None
    connected_clients: Annotated[
        int | None,
        Field(
            ge=0,
            le=1_000_000_000,
            description="long-lived connections: clients connected at once, on average "
            "(prices WebSocket connection time)",
        ),
    ] = None


class Constraints(_Section):
    portability: Literal["none", "preferred", "required"] | None = None
    providers: list[Provider] | None = None
    local_testing: Literal["optional", "required"] | None = None
    compliance: list[str] = Field(default_factory=list)


class Team(_Section):
    ops_capacity: Level | None = None
    time_to_market: Level | None = None


class Dependency(_Section):
    """A dependency with the limits it puts on the workload."""

    name: Annotated[str, Field(min_length=1, max_length=200, description="the service's name")]
    max_connections: Annotated[
        int | None,
        Field(ge=1, le=10_000_000, description="connections the service accepts at once"),
    ] = None
    connections_per_instance: Annotated[
        int | None,
        Field(
            ge=1,
            le=10_000,
            description="connections each instance of the workload opens to it (default 1)",
        ),
    ] = None
    rate_limit: Annotated[
        RateValue | None, Field(description="calls a second (or /min, ...) the service accepts")
    ] = None


class Waiver(_Section):
    rule: Annotated[str, Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1)]
    expires: Annotated[dt.date, Field(strict=False)] | None = None


def _count_or_peak(value: object) -> int | str:
    """A whole number of environments of at least one, or `peak`."""
    if value == "peak" or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    raise PydanticCustomError(
        "count_or_peak",
        "found {found}; allowed: a whole number of 1 or more, or peak",
        {"found": describe_value(value)},
    )


FrontDoorName = Literal[
    "api-gateway-http", "api-gateway-rest", "function-url", "alb", "cdn", "none"
]
FRONT_DOORS: tuple[FrontDoorName, ...] = typing.get_args(FrontDoorName)


class Deployment(_Section):
    """What is, or would be, switched on at the target; a target that does not offer an
    option reports it as not applicable."""

    provisioned_concurrency: Annotated[
        int | Literal["peak"] | None,
        PlainValidator(_count_or_peak),
        WithJsonSchema({"oneOf": [{"type": "integer", "minimum": 1}, {"const": "peak"}]}),
        Field(
            description="execution environments kept initialised (AWS Lambda): a count, or "
            "`peak` for the peak's concurrency",
        ),
    ] = None
    snapstart: Annotated[
        bool | None,
        Field(
            description="start new environments from a snapshot (AWS Lambda: Java, Python, .NET)"
        ),
    ] = None
    reserved_concurrency: Annotated[
        int | None,
        Field(
            ge=0,
            le=1_000_000,
            description="concurrency set aside for this function, and its ceiling (AWS Lambda)",
        ),
    ] = None
    min_instances: Annotated[
        int | None,
        Field(
            ge=0,
            le=10_000,
            description="instances kept running whatever the traffic (Cloud Run, Container Apps, "
            "Azure always-ready, Fargate services)",
        ),
    ] = None
    front_door: Annotated[
        FrontDoorName | None,
        Field(description="what receives HTTP requests in front of the code"),
    ] = None
    billing: Annotated[
        Literal["request", "instance"] | None,
        Field(
            description="how instances are billed (Cloud Run services): `request`, while they "
            "serve requests, with a fee per request (the default); `instance`, for each "
            "instance's whole life, idle time included, with no request fee (needed for GPUs)",
        ),
    ] = None

    @property
    def chosen(self) -> tuple[tuple[str, str], ...]:
        """The options given, as (name, value as the file writes it), in the format's order."""
        found = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is not None:
                text = ("true" if value else "false") if isinstance(value, bool) else str(value)
                found.append((name, text))
        return tuple(found)


class Workload(_Section):
    """One workload: everything is optional except `name` and `archetype`."""

    version: Literal[1] = 1
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", min_length=1, max_length=200)]
    description: str | None = None
    owner: str | None = None
    archetype: Archetype
    runtime: Runtime | None = None
    trigger: Trigger | None = None
    latency: Latency | None = None
    duration: RunDuration | None = None
    traffic: Traffic | None = None
    resources: Resources = Field(default_factory=Resources)
    state: State | None = None
    dependencies: Annotated[
        list[str | Dependency] | None,
        Field(
            description="services the workload calls: a name, or a mapping with the name and "
            "its limits (max_connections, connections_per_instance, rate_limit)"
        ),
    ] = None
    labels: Annotated[
        dict[
            Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=63)],
            Annotated[str, Field(max_length=200)],
        ]
        | None,
        Field(description="free-form keys and values for rule packs (facts `labels.KEY`)"),
    ] = None
    constraints: Constraints | None = None
    team: Team | None = None
    waivers: list[Waiver] = Field(default_factory=list)
    deployment: Deployment | None = None

    @property
    def dependency_names(self) -> tuple[str, ...]:
        """Each dependency's name, whether it was given as a name or as a mapping."""
        return tuple(d if isinstance(d, str) else d.name for d in self.dependencies or ())

    @property
    def dependency_limits(self) -> tuple[Dependency, ...]:
        """The dependencies given as mappings (with limits)."""
        return tuple(d for d in self.dependencies or () if isinstance(d, Dependency))

    @property
    def effective_trigger(self) -> Trigger:
        return self.trigger or DEFAULT_TRIGGERS.get(self.archetype, "event")


def check_consistency(workload: Workload) -> list[tuple[str, str]]:
    """Cross-field checks the spec requires, as (field path, message) pairs."""
    problems: list[tuple[str, str]] = []
    traffic = workload.traffic
    if traffic and traffic.average and traffic.peak and traffic.peak < traffic.average:
        problems.append(
            (
                "traffic.peak",
                f"peak {traffic.peak} is below average {traffic.average}; "
                "allowed: a peak at or above the average",
            )
        )
    if traffic:
        problems.extend(_traffic_shape_problems(traffic))
    duration = workload.duration
    if duration and duration.typical and duration.max and duration.typical > duration.max:
        problems.append(
            (
                "duration.typical",
                f"typical {duration.typical} is above max {duration.max}; "
                "allowed: a typical duration at or below the max",
            )
        )
    if duration and duration.waiting and duration.typical and duration.waiting > duration.typical:
        problems.append(
            (
                "duration.waiting",
                f"waiting {duration.waiting} is above typical {duration.typical}; "
                "allowed: a wait at or below the typical run",
            )
        )
    memory = workload.resources.memory
    if memory is not None and memory.bytes <= 0:
        # Nothing runs in no memory, and every per-GB price and packing would divide by it.
        problems.append(("resources.memory", f"found {memory}; allowed: a size above 0"))
    if workload.deployment is not None:
        problems.extend(_deployment_problems(workload.deployment))
    latency = workload.latency
    if latency and latency.p50 and latency.p99 and latency.p50 > latency.p99:
        problems.append(
            (
                "latency.p50",
                f"p50 {latency.p50} is above p99 {latency.p99}; allowed: p50 at or below p99",
            )
        )
    return problems


def _deployment_problems(deployment: Deployment) -> list[tuple[str, str]]:
    """Options that cannot be switched on together (AWS Lambda documents both limits)."""
    problems: list[tuple[str, str]] = []
    provisioned = deployment.provisioned_concurrency
    reserved = deployment.reserved_concurrency
    if isinstance(provisioned, int) and reserved is not None and provisioned > reserved:
        problems.append(
            (
                "deployment.provisioned_concurrency",
                f"found {provisioned}, above reserved_concurrency {reserved}; allowed: at most "
                "the reserved concurrency",
            )
        )
    if deployment.snapstart and provisioned is not None:
        problems.append(
            (
                "deployment.snapstart",
                "found snapstart with provisioned_concurrency; allowed: one of the two (AWS Lambda "
                "does not combine them)",
            )
        )
    return problems


def _traffic_shape_problems(traffic: Traffic) -> list[tuple[str, str]]:
    """The day's shape must describe some traffic, and never more than the peak."""
    problems: list[tuple[str, str]] = []
    for name in ("interval", "burst"):
        value = getattr(traffic, name)
        if value is not None and value.seconds <= 0:
            problems.append((f"traffic.{name}", f"found {value}; allowed: a duration above 0"))
    profile = traffic.profile
    if profile is None:
        return problems
    total = sum(profile)
    if total <= 0:
        message = "found 24 zeros; allowed: weights with at least one above 0"
        problems.append(("traffic.profile", message))
    elif traffic.average is not None and traffic.peak is not None:
        busiest = traffic.average.per_second * HOURS_PER_DAY * max(profile) / total
        if busiest > traffic.peak.per_second * (1 + 1e-9):
            hour = profile.index(max(profile))
            problems.append(
                (
                    "traffic.profile",
                    f"its busiest hour ({hour}:00) averages {format_number(round(busiest, 3))}/s, "
                    f"above the peak {traffic.peak}; allowed: hourly averages at or below "
                    "the peak",
                )
            )
    return problems
