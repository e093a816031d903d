"""A mitigation plan per target: the cheapest set of deployment options (and batching, for
queue and stream work) that clears the most of a result's blockers and risks, each set
verified by assessing the workload again with it applied (README, "Mitigation plans")."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator

from pydantic import ValidationError

from serverless_fit.data.catalog import Platform
from serverless_fit.format.workload import Deployment, Workload, check_consistency
from serverless_fit.report import Plan, Result

# A plan option: (field as the file writes it, value); the deployment's, or the batch size.
Option = tuple[str, int | bool | str]
Assess = Callable[[Workload], Result]
MAX_COUNT_STEPS = 14  # a binary search over a count of warm instances
MAX_WARM = 10_000  # the most warm instances a plan proposes (the format's limit)


def plan_for(workload: Workload, platform: Platform, result: Result, assess: Assess) -> Plan | None:
    """The plan for a result with blockers or risks; None when no option clears any."""
    targets = {f.rule for f in result.active if f.severity in ("blocker", "risk")}
    if not targets:
        return None
    best: tuple[tuple[float, ...], tuple[Option, ...], Result] | None = None
    dimensions = {f.dimension for f in result.active if f.rule in targets}
    for group in _groups(workload, platform, dimensions):
        for options in _completed(workload, platform, group, targets, assess):
            changed = _applied(workload, options)
            if changed is None:
                continue
            after = assess(changed)
            left = {f.rule for f in after.active if f.severity in ("blocker", "risk")}
            cleared = targets - left
            if not cleared or left - targets:
                continue  # clears nothing, or brings a finding of its own
            blockers = sum(
                1 for f in result.active if f.rule in cleared and f.severity == "blocker"
            )
            key = (-blockers, -len(cleared), float(len(options)), _bill(after))
            if best is None or _better(key, best[0]):
                best = (key, options, after)
    if best is None:
        return None
    _, options, after = best
    before = _bill(result)
    usd = _bill(after)
    priced = math.isfinite(usd) and math.isfinite(before) and not _unpriced(result, after)
    added = round(usd - before, 2) if priced else None
    cleared_rules = tuple(sorted(targets - {f.rule for f in after.active}))
    remaining = tuple(sorted(targets & {f.rule for f in after.active}))
    return Plan(
        options=tuple((name, _text(value)) for name, value in options),
        clears=cleared_rules,
        remaining=remaining,
        verdict=after.verdict,
        score=after.score,
        monthly_usd=usd if math.isfinite(usd) else None,
        added_usd=added,
        summary=_summary(options, cleared_rules, added, platform),
    )


def _better(key: tuple[float, ...], than: tuple[float, ...]) -> bool:
    """Clears more, or as much with fewer options, or costs at least a cent and 1% less: the
    first of near-equal plans (the smaller count or batch) stays."""
    if key[:3] != than[:3]:
        return key[:3] < than[:3]
    return key[3] < than[3] - max(0.01, 0.01 * abs(than[3]))


def _unpriced(*results: Result) -> bool:
    """Whether a bill has parts with no confirmed price: its difference means nothing."""
    return any(r.serverless_bill is not None and r.serverless_bill.unpriced for r in results)


def _bill(result: Result) -> float:
    bill = result.serverless_bill
    return bill.monthly_usd if bill is not None else math.inf


# Which findings an option can clear, by the dimension of the finding: warm instances and
# snapshots change start-up and scaling; a front door its timeout and price (a cheaper one can
# pay for warm instances); batching the invocations, their price and their concurrency;
# billing instances for their whole life, the price of steady traffic.
HELPS = {
    "snapstart": {"latency"},
    "provisioned_concurrency": {"latency", "operations"},
    "min_instances": {"latency", "operations"},
    "front_door": {"duration", "cost", "latency", "operations"},
    "batch_size": {"cost", "operations", "latency"},
    "billing": {"cost"},
}
MAX_OPTIONS = 2  # options combined in one plan


def _groups(
    workload: Workload, platform: Platform, dimensions: set[str]
) -> Iterator[tuple[str, ...]]:
    """Sets of option kinds to try, fewest first: combinations of up to two of what the target
    offers, the workload does not already use, and could clear a finding of these dimensions."""
    offered = platform.deployment
    given = workload.deployment or Deployment()
    kinds: list[str] = []
    if offered.snapstart is not None and not given.snapstart:
        kinds.append("snapstart")
    if offered.provisioned_concurrency is not None and given.provisioned_concurrency is None:
        kinds.append("provisioned_concurrency")
    if offered.min_instances is not None and given.min_instances is None:
        kinds.append("min_instances")
    if len(offered.front_doors) > 1 and workload.effective_trigger == "http":
        kinds.append("front_door")
    if workload.effective_trigger in ("queue", "stream") and platform.batching is not None:
        kinds.append("batch_size")
    if offered.billing is not None:
        kinds.append("billing")
    kinds = [kind for kind in kinds if HELPS[kind] & dimensions]
    for size in range(1, min(len(kinds), MAX_OPTIONS) + 1):
        yield from itertools.combinations(kinds, size)


def _completed(
    workload: Workload,
    platform: Platform,
    group: tuple[str, ...],
    targets: set[str],
    assess: Assess,
) -> Iterator[tuple[Option, ...]]:
    """The option sets of a group: counts found by search, choices tried one by one."""
    fixed = [k for k in group if k not in ("provisioned_concurrency", "min_instances")]
    counted = [k for k in group if k in ("provisioned_concurrency", "min_instances")]
    for values in itertools.product(*(_choices(workload, platform, kind) for kind in fixed)):
        base = tuple(zip(fixed, values, strict=True))
        if not counted:
            yield base
            continue
        kind = counted[0]
        count = _fewest(workload, base, kind, targets, assess)
        if count is not None:
            yield (*base, (kind, count))


def _choices(workload: Workload, platform: Platform, kind: str) -> list[int | bool | str]:
    if kind == "snapstart":
        return [True]
    if kind == "front_door":
        # Every other front door the target offers, but never none: HTTP work needs one.
        current = workload.deployment.front_door if workload.deployment else None
        offered = platform.deployment.front_doors
        return [door for door in offered if door not in (current, "none")]
    if kind == "billing":
        chosen = workload.deployment.billing if workload.deployment else None
        return ["request" if chosen == "instance" else "instance"]
    given = workload.traffic.batch_size if workload.traffic else None
    return [size for size in (10, 100, 1000, 10000) if given is None or size > given]


def _fewest(
    workload: Workload,
    base: tuple[Option, ...],
    kind: str,
    targets: set[str],
    assess: Assess,
) -> int | None:
    """The fewest warm instances, up to `_peak_count`, that clear the most of the
    targeted findings the highest count clears."""
    ceiling = _peak_count(workload)

    def cleared(count: int) -> int:
        changed = _applied(workload, (*base, (kind, count)))
        if changed is None:
            return -1
        after = assess(changed)
        return len(targets - {f.rule for f in after.active})

    most = cleared(ceiling)
    if most <= 0:
        return None
    low, high = 1, ceiling
    for _ in range(MAX_COUNT_STEPS):
        if low >= high:
            break
        middle = (low + high) // 2
        if cleared(middle) >= most:
            high = middle
        else:
            low = middle + 1
    return high


def _peak_count(workload: Workload) -> int:
    """The most warm instances tried: the peak's mean concurrency (Little's law) plus four
    standard deviations of a Poisson count around it, so the bursts within the peak are
    covered; ten when the traffic is unknown."""
    traffic, duration = workload.traffic, workload.duration
    if traffic is None or traffic.average is None or duration is None or duration.typical is None:
        return 10
    peak = traffic.peak or traffic.average
    mean = peak.per_second * duration.typical.seconds
    return min(MAX_WARM, max(1, math.ceil(mean + 4 * math.sqrt(mean) + 1 - 1e-9)))


def _applied(workload: Workload, options: tuple[Option, ...]) -> Workload | None:
    """The workload with the options written in; None when they cannot go together."""
    deployment = dict(vars(workload.deployment)) if workload.deployment else {}
    traffic = workload.traffic
    for name, value in options:
        if name == "batch_size":
            if traffic is None:
                return None
            traffic = traffic.model_copy(update={"batch_size": value})
        else:
            deployment[name] = value
    try:
        section = Deployment.model_validate(deployment)
    except ValidationError:  # a count beyond what the format allows
        return None
    changed = workload.model_copy(update={"deployment": section, "traffic": traffic})
    return None if check_consistency(changed) else changed


def _text(value: int | bool | str) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def option_words(name: str, value: str, platform: Platform) -> str:
    """One option in words: 'SnapStart', '4 provisioned environments', 'batches of 100'."""
    if name == "snapstart":
        return "SnapStart"
    if name == "provisioned_concurrency":
        return f"{value} provisioned environment{'' if value == '1' else 's'}"
    if name == "min_instances":
        return f"{value} minimum instance{'' if value == '1' else 's'}"
    if name == "front_door":
        door = platform.deployment.front_doors.get(value)  # type: ignore[call-overload]
        return door.name if door is not None else value
    if name == "batch_size":
        return f"batches of {value} messages"
    if name == "billing":
        return f"{value}-based billing"
    return f"{name} {value}"


def _summary(
    options: tuple[Option, ...], cleared: tuple[str, ...], added: float | None, platform: Platform
) -> str:
    words = [option_words(name, _text(value), platform) for name, value in options]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    rules = cleared[0] if len(cleared) == 1 else ", ".join(cleared[:-1]) + " and " + cleared[-1]
    verb = "clears" if len(cleared) == 1 else "clear"
    if added is None:
        cost = "what it costs is not confirmed"
    else:
        cost = f"{'+' if added >= 0 else '-'}${abs(added):,.2f} a month"
    return f"With {listed}: {rules} {verb}, {cost}"
