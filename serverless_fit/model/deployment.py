"""A target as the workload's `deployment:` section configures it: the front door chosen, the
concurrency reserved, start-up from a snapshot; and the options the target does not offer,
reported as notes (README, "Deployment options")."""

from __future__ import annotations

from dataclasses import dataclass

from serverless_fit.data.catalog import (
    ColdStart,
    ColdStartFigure,
    Platform,
    SourcedNumber,
    SourcedSize,
)
from serverless_fit.format.units import Duration, Size
from serverless_fit.format.workload import Deployment, Workload
from serverless_fit.model.latency import startup


@dataclass(frozen=True)
class Configured:
    platform: Platform  # the profile with the options it offers applied
    applied: tuple[tuple[str, str], ...]  # (option, value) the target took
    not_applicable: tuple[str, ...]  # one sentence per option it did not


def configure(platform: Platform, workload: Workload) -> Configured:
    """The target with the workload's deployment options applied."""
    deployment = workload.deployment
    if deployment is None:
        return Configured(platform, (), ())
    resources = workload.resources
    gpu = bool(resources.gpu)
    key = (
        platform.id,
        deployment,
        workload.runtime,
        resources.package,
        resources.ephemeral_storage,
        gpu,
    )
    found = _CONFIGURED.get(key)
    if found is None:
        found = _configure(
            platform,
            deployment,
            workload.runtime,
            resources.package,
            resources.ephemeral_storage,
            gpu,
        )
        if len(_CONFIGURED) < CACHE_SIZE:  # a batch repeats a few deployments
            _CONFIGURED[key] = found
    return found


CACHE_SIZE = 4096
_CONFIGURED: dict[tuple[object, ...], Configured] = {}


def _configure(
    platform: Platform,
    deployment: Deployment,
    runtime: str | None,
    package: Size | None,
    storage: Size | None,
    gpu: bool,
) -> Configured:
    offered = platform.deployment
    applied: list[tuple[str, str]] = []
    notes: list[str] = []
    update: dict[str, object] = {}
    limits: dict[str, object] = {}
    for option, value in deployment.chosen:
        if not offered.offers(option, value):
            notes.append(f"deployment.{option}: {value} is not offered by {platform.name}")
            continue
        if option == "front_door":
            door = offered.front_doors[value]  # type: ignore[index]
            update["front_door"] = door
            limit = door.payload_max
            if limit is not None and _tighter(limit.value, platform.limits.payload_sync):
                limits["payload_sync"] = limit
        elif option == "reserved_concurrency":
            source = offered.reserved_concurrency
            assert source is not None and deployment.reserved_concurrency is not None
            reserved = SourcedNumber(
                value=float(deployment.reserved_concurrency),
                source=source.source,
                as_of=source.as_of,
                note="the function's reserved concurrency (deployment.reserved_concurrency)",
            )
            limits["concurrency"] = reserved
        elif option == "snapstart":
            if not deployment.snapstart:
                applied.append((option, value))
                continue
            cold, why = _snapshot_start(platform, runtime, package, storage)
            if cold is None:
                notes.append(f"deployment.snapstart: {why}")
                continue
            update["cold_start"] = cold
        elif option == "billing" and value == "request" and gpu:
            lifetime = platform.pricing.instance_billing
            if lifetime is not None and lifetime.required_for_gpu:
                notes.append(
                    f"deployment.billing: request is not possible with a GPU on {platform.name}: "
                    "billed per instance"
                )
                continue
        applied.append((option, value))
    if limits:
        update["limits"] = platform.limits.model_copy(update=limits)
    configured = platform.model_copy(update=update) if update else platform
    return Configured(configured, tuple(applied), tuple(notes))


def _tighter(limit: Size, current: SourcedSize | None) -> bool:
    return current is None or limit < current.value


def _snapshot_start(
    platform: Platform, runtime: str | None, package: Size | None, storage: Size | None
) -> tuple[ColdStart | None, str]:
    """The start-up with SnapStart: the lesser of the restore figure and the start-up
    without it (package allowance included); None, and why, where it cannot apply."""
    snap = platform.deployment.snapstart
    assert snap is not None
    if runtime is None:
        return None, f"give runtime: {platform.name} takes snapshots of some runtimes only"
    if runtime not in snap.runtimes:
        allowed = ", ".join(snap.runtimes)
        return None, f"{platform.name} takes snapshots of {allowed} only, not {runtime}"
    limit = snap.incompatible_storage_above
    if limit is not None and storage is not None and storage > limit:
        return None, f"not with more than {limit} of scratch disk (resources.ephemeral_storage)"
    without = startup(platform, runtime, package)
    p50 = min(without.p50, snap.p50.seconds)
    p99 = max(p50, min(without.p99, snap.p99.seconds))
    figure = ColdStartFigure(
        p50=Duration.from_seconds(p50),
        p99=Duration.from_seconds(p99),
        mean=Duration.from_seconds(min(without.mean, snap.p50.seconds)),
        as_of=snap.as_of,
        note=f"SnapStart restore, the lesser of {snap.p50}/{snap.p99} and the start-up without it",
    )
    runtimes = {**platform.cold_start.runtimes, runtime: figure}
    cold = platform.cold_start.model_copy(update={"runtimes": runtimes, "package_allowance": None})
    return cold, ""
