"""What would change the answer: for a finding, the nearest value of a workload field that
clears it, found by running the real rule on edited copies of the workload.

Each candidate is written back as the workload file would hold it (a value string in the
field's own unit), validated like a file, and assessed; so applying a counterfactual to the
file really clears that finding.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from serverless_fit.data.catalog import Platform
from serverless_fit.format.units import Quantity, format_number
from serverless_fit.format.workload import Workload, check_consistency
from serverless_fit.model.bills import CostSettings
from serverless_fit.model.facts import Facts, derive_facts
from serverless_fit.report import Counterfactual
from serverless_fit.rules.engine import Rule, workload_fields

SPAN = 2.0**20  # the farthest a value is moved: a million times up or down
BISECTIONS = 8  # narrows a doubling to about 0.3% of the value
NEAR = 0.05  # a rounded value may stand this far (relative) beyond the boundary
# What a person could act on (README, "What would change the answer"). Levers are the
# team's to change; objectives the business could relax; everything else is a fact of the
# workload (its traffic, the duration of its work, what it needs) and is never proposed.
LEVERS = (
    "resources.memory",
    "resources.architecture",
    "resources.cpus",
    "resources.concurrency",
    "resources.package",
    "runtime",
    "traffic.batch_size",
    "traffic.cacheable",
    "state.in_memory_sessions",
    "state.local_disk",
)
OBJECTIVES = (
    "latency.p99",
    "latency.p50",
    "constraints.portability",
    "constraints.local_testing",
    "constraints.providers",
)


def field_class(field: str) -> str:
    """lever, objective or fact; every deployment option is a lever."""
    if field in LEVERS or field.startswith("deployment."):
        return "lever"
    return "objective" if field in OBJECTIVES else "fact"


def to_data(value: Any) -> Any:
    """A workload as the plain data of its file: units as their strings, None left out."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return {
            name: to_data(getattr(value, name))
            for name in fields
            if getattr(value, name) is not None
        }
    if isinstance(value, list):
        return [to_data(item) for item in value]
    if isinstance(value, Quantity):
        return str(value)
    return value


def _with(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed = dict(data)
    if len(path) == 1:
        changed[path[0]] = value
    else:
        changed[path[0]] = _with(dict(data.get(path[0]) or {}), path[1:], value)
    return changed


def _get(workload: Workload, path: tuple[str, ...]) -> Any:
    value: Any = workload
    for part in path:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _choices(path: tuple[str, ...]) -> tuple[Any, ...]:
    """The values an enum or true/false field allows, in the order the format lists them."""
    model: type[BaseModel] = Workload
    annotation: Any = None
    for part in path:
        info = model.model_fields.get(part)
        if info is None:
            return ()
        annotation = info.annotation
        for candidate in (annotation, *typing.get_args(annotation)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                model = candidate
    for candidate in (annotation, *typing.get_args(annotation)):
        if candidate is bool:
            return (False, True)
        if typing.get_origin(candidate) is Literal:
            return typing.get_args(candidate)
    return ()


# True when the edited workload, checked for consistency by the caller, clears the finding.
Verdict = Callable[[Workload], bool]


def _clears_with(rule: Rule, platform: Platform, settings: CostSettings) -> Verdict:
    reads = rule.facts
    reads_cost = any(fact.startswith("cost.") for fact in reads)
    reads_break_even = any(fact.startswith("cost.break_even") for fact in reads)

    def clears(workload: Workload) -> bool:
        facts: Facts = derive_facts(
            workload,
            platform,
            settings=settings,
            with_cost=reads_cost,
            with_break_even=reads_break_even,
            reads=reads,
        )
        return rule.evaluate(facts).state is False

    return clears


def _section_class(model: type[BaseModel], name: str) -> type[BaseModel] | None:
    annotation = model.model_fields[name].annotation
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _edited(value: BaseModel, path: tuple[str, ...], leaf: Any) -> Any:
    """A copy with one field changed, without validation: the search's candidates are
    built from values of the right type; the value it reports is validated as a file."""
    if len(path) == 1:
        return value.model_copy(update={path[0]: leaf})
    section = getattr(value, path[0])
    if section is None:
        cls = _section_class(type(value), path[0])
        if cls is None:
            return value
        section = cls()
    return value.model_copy(update={path[0]: _edited(section, path[1:], leaf)})


def _in_bounds(workload: Workload, path: tuple[str, ...]) -> bool:
    """A number field within its limits (hours in a day, CPUs): its section still validates."""
    section = getattr(workload, path[0]) if len(path) > 1 else None
    if not isinstance(section, BaseModel):
        return True
    try:
        type(section).model_validate(dict(vars(section)))
    except ValidationError:
        return False
    return True


def _as_file(data: dict[str, Any], path: tuple[str, ...], text: Any) -> Workload | None:
    """The workload with the field written as text, validated exactly as a file is."""
    try:
        workload = Workload.model_validate(_with(data, path, text))
    except ValidationError:
        return None
    return None if check_consistency(workload) else workload


def _nice(amount: float, upward: bool, digits: int) -> float:
    """`amount` rounded to `digits` significant digits, up or down."""
    if amount <= 0:
        return amount
    scale = 10 ** (math.floor(math.log10(amount)) - digits + 1)
    steps = amount / scale
    rounded = math.ceil(steps - 1e-9) if upward else math.floor(steps + 1e-9)
    return float(f"{rounded * scale:.12g}")


def _numeric(
    workload: Workload,
    data: dict[str, Any],
    path: tuple[str, ...],
    current: Quantity | float,
    clears: Verdict,
) -> tuple[str, bool] | None:
    """The nearest value that clears, as the file would hold it, and whether it lies above."""
    amount_now = current.amount if isinstance(current, Quantity) else float(current)

    def value(amount: float) -> Any:
        return type(current)(amount, current.unit) if isinstance(current, Quantity) else amount

    def text(amount: float) -> Any:
        if isinstance(current, Quantity):
            return f"{format_number(amount)}{current.unit}"
        whole = isinstance(current, int) and amount == int(amount)
        return int(amount) if whole else amount  # a count is written as a whole number

    bounded = not isinstance(current, Quantity)  # plain numbers have limits; units do not

    def candidate(amount: float) -> Workload | None:
        edited = _edited(workload, path, value(amount))
        if bounded and not _in_bounds(edited, path):
            return None
        return None if check_consistency(edited) else edited

    def ok(amount: float) -> bool:
        edited = candidate(amount)
        return edited is not None and clears(edited)

    def bracket(factor: float) -> tuple[float, float] | None:
        """The last firing and the first clearing value, stepping from the current value by
        `factor`; None when no value within the span clears."""
        firing, clearing = amount_now, amount_now * factor
        while True:
            edited = candidate(clearing)
            if edited is not None and clears(edited):
                return firing, clearing
            if edited is None or not amount_now / SPAN <= clearing <= amount_now * SPAN:
                return None
            firing, clearing = clearing, clearing * factor

    found: list[tuple[float, bool]] = []
    for upward in (True, False):
        far = candidate(amount_now * SPAN if upward else amount_now / SPAN)
        if far is not None and not clears(far):
            continue  # rules are monotonic in a field: even the farthest value still fires
        around = bracket(2.0 if upward else 0.5)
        if around is None:
            continue
        firing, clearing = around
        for _ in range(BISECTIONS):
            middle = math.sqrt(firing * clearing)
            if ok(middle):
                clearing = middle
            else:
                firing = middle
        # The shortest round value within 5% of the boundary that clears as a file; of two
        # such values, the one nearer the boundary: the boundary lies between the last value
        # that fires and the first that clears, and may itself be round (50ms, not 51ms).
        for rounded in _round_values(firing, clearing, upward):
            if rounded == amount_now or not ok(rounded):
                continue
            as_file = _as_file(data, path, text(rounded))
            if as_file is not None and clears(as_file):
                found.append((rounded, upward))
                break
    if not found:
        return None
    amount, upward = min(found, key=lambda item: abs(math.log(item[0] / amount_now)))
    return format_number(amount) + (current.unit if isinstance(current, Quantity) else ""), upward


def _round_values(firing: float, clearing: float, upward: bool) -> Iterator[float]:
    """Round values within 5% of `clearing`, shortest first; of the two at each length, the
    one nearer `firing` first."""
    for digits in (2, 3, 4, 6):
        for rounded in dict.fromkeys(
            (_nice(firing, upward, digits), _nice(clearing, upward, digits))
        ):
            close = abs(rounded - clearing) <= NEAR * clearing or digits == 6
            if close and rounded != firing:
                yield rounded


def _enum(
    workload: Workload, data: dict[str, Any], path: tuple[str, ...], current: Any, clears: Verdict
) -> Any | None:
    """The nearest other choice that clears; a field left out (such as a trigger that follows
    from the archetype) tries the choices in the order the format lists them."""
    choices = _choices(path)
    if current is not None and current not in choices:
        return None
    here = choices.index(current) if current is not None else 0
    for choice in sorted(
        (c for c in choices if c != current), key=lambda c: abs(choices.index(c) - here)
    ):
        edited = _edited(workload, path, choice)
        if not check_consistency(edited) and clears(edited):
            as_file = _as_file(data, path, choice)
            if as_file is not None and clears(as_file):
                return choice
    return None


def _sentence(field: str, value: str, upward: bool | None, rule: Rule, target: str) -> str:
    if upward is None:
        condition = f"With {field}: {value}"
    else:
        condition = f"With {field} of {value} or {'more' if upward else 'less'}"
    return f"{condition}, {rule.id} no longer applies on {target} ({rule.title})"


def counterfactuals(
    workload: Workload, platform: Platform, rule: Rule, facts: Facts, *, settings: CostSettings
) -> list[Counterfactual]:
    """For one finding, the nearest value of each workload field behind it that clears it."""
    data = to_data(workload)
    clears = _clears_with(rule, platform, settings)
    serverless = facts.cost.serverless if facts.cost is not None else None
    context = _Context(platform, settings, data, serverless.monthly_usd if serverless else None)
    found: list[Counterfactual] = []
    fields = list(dict.fromkeys(workload_fields(rule, facts)))
    if workload.effective_trigger in ("queue", "stream") and "traffic.batch_size" not in fields:
        fields.append("traffic.batch_size")  # batching changes every per-invocation figure
    classes = {field: field_class(field) for field in fields}
    order = {"lever": 0, "objective": 1}
    for field in sorted(
        (f for f in fields if classes[f] != "fact"), key=lambda f: order[classes[f]]
    ):
        path = tuple(field.split("."))
        current = _get(workload, path)
        if current is None and field == "traffic.batch_size" and platform.batching is not None:
            current = getattr(platform.batching, workload.effective_trigger).default
        numeric = isinstance(current, Quantity) or (
            isinstance(current, float | int) and not isinstance(current, bool)
        )
        if numeric:
            amount = current.amount if isinstance(current, Quantity) else float(current)
            if amount <= 0 or not math.isfinite(amount):
                continue
            nearest = _numeric(workload, data, path, current, clears)
            if nearest is not None:
                value, upward = nearest
                found.append(_counterfactual(rule, field, value, upward, context))
        elif current is None or isinstance(current, bool | str):
            choice = _enum(workload, data, path, current, clears)
            if choice is not None:
                value = ("true" if choice else "false") if isinstance(choice, bool) else str(choice)
                found.append(_counterfactual(rule, field, value, None, context))
    return found


def _counterfactual(
    rule: Rule, field: str, value: str, upward: bool | None, context: _Context
) -> Counterfactual:
    effect = _sentence(field, value, upward, rule, context.platform.name)
    kind = field_class(field)
    changed = _as_file(context.data, tuple(field.split(".")), _file_value(value))
    usd = change = None
    if changed is not None:
        usd = monthly_bill(changed, context.platform, context.settings)
        if usd is not None and context.monthly_usd is not None:
            change = round(usd - context.monthly_usd, 2)
    return Counterfactual(rule.id, field, value, effect, kind, usd, change)


def _file_value(value: str) -> Any:
    """A proposed value as the file would hold it: true/false as booleans, whole numbers as
    numbers, anything else (units, choices) as written."""
    if value in ("true", "false"):
        return value == "true"
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value) if "." in value and value.replace(".", "", 1).isdigit() else value
    except ValueError:
        return value


@dataclass(frozen=True)
class _Context:
    platform: Platform
    settings: CostSettings
    data: dict[str, Any]
    monthly_usd: float | None


def monthly_bill(workload: Workload, platform: Platform, settings: CostSettings) -> float | None:
    """The serverless bill a month for the workload on the platform, without a break-even."""
    facts = derive_facts(workload, platform, settings=settings, with_break_even=False)
    bill = facts.cost.serverless if facts.cost is not None else None
    return bill.monthly_usd if bill is not None else None
