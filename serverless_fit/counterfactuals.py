"""What would change the answer: for a finding, the nearest value of a workload field that
clears it, found by running the real rule on edited copies of the workload.

Each candidate is written back as the workload file would hold it (a value string in the
field's own unit), validated like a file, and assessed; so applying a counterfactual to the
file really clears that finding.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from serverless_fit.catalog import Platform
from serverless_fit.engine import Rule, workload_fields
from serverless_fit.facts import Facts, derive_facts
from serverless_fit.report import Counterfactual
from serverless_fit.units import Quantity, format_number
from serverless_fit.workload import Workload, check_consistency

SPAN = 2.0**20  # the farthest a value is moved: a million times up or down
BISECTIONS = 14  # narrows the boundary to about 0.01% of the value
NEAR = 0.05  # a rounded value may stand this far (relative) beyond the boundary
# Fields that say what the workload is, not a property to tune.
FIXED_FIELDS = frozenset({"name", "archetype", "description", "owner", "version"})


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


Verdict = Callable[[dict[str, Any]], bool]  # True when the edited workload clears the finding


def _clears_with(rule: Rule, platform: Platform, free_tier: bool) -> Verdict:
    reads_cost = any(fact.startswith("cost.") for fact in rule.facts)
    reads_break_even = "cost.break_even" in rule.facts

    def clears(data: dict[str, Any]) -> bool:
        try:
            workload = Workload.model_validate(data)
        except ValidationError:
            return False
        if check_consistency(workload):
            return False
        facts: Facts = derive_facts(
            workload,
            platform,
            free_tier=free_tier,
            with_cost=reads_cost,
            with_break_even=reads_break_even,
        )
        return rule.evaluate(facts).state is False

    return clears


def _valid(data: dict[str, Any]) -> bool:
    try:
        return not check_consistency(Workload.model_validate(data))
    except ValidationError:
        return False


def _nice(amount: float, upward: bool, digits: int) -> float:
    """`amount` rounded to `digits` significant digits, up or down."""
    if amount <= 0:
        return amount
    scale = 10 ** (math.floor(math.log10(amount)) - digits + 1)
    steps = amount / scale
    rounded = math.ceil(steps - 1e-9) if upward else math.floor(steps + 1e-9)
    return float(f"{rounded * scale:.12g}")


def _numeric(
    data: dict[str, Any], path: tuple[str, ...], current: float, unit: str, clears: Verdict
) -> tuple[float, bool] | None:
    """The nearest amount (in `unit`) that clears, and whether it lies above the current one."""

    def text(amount: float) -> Any:
        return f"{format_number(amount)}{unit}" if unit else amount

    def ok(amount: float) -> bool:
        return clears(_with(data, path, text(amount)))

    def valid(amount: float) -> bool:
        return _valid(_with(data, path, text(amount)))

    found: list[tuple[float, bool]] = []
    for upward in (True, False):
        factor = 2.0 if upward else 0.5
        far = current * SPAN if upward else current / SPAN
        if valid(far) and not ok(far):
            continue  # rules are monotonic in a field: even the farthest value still fires
        firing, clearing = current, current * factor
        while not ok(clearing):
            if not valid(clearing) or not (current / SPAN <= clearing <= current * SPAN):
                break
            firing, clearing = clearing, clearing * factor
        else:
            for _ in range(BISECTIONS):
                middle = math.sqrt(firing * clearing)
                if ok(middle):
                    clearing = middle
                else:
                    firing = middle
            # The shortest round value that clears and stays within 5% of the boundary.
            for digits in (2, 3, 4, 6):
                rounded = _nice(clearing, upward, digits)
                close = abs(rounded - clearing) <= NEAR * clearing or digits == 6
                if close and rounded != current and ok(rounded):
                    found.append((rounded, upward))
                    break
    if not found:
        return None
    return min(found, key=lambda item: abs(math.log(item[0] / current)))


def _enum(data: dict[str, Any], path: tuple[str, ...], current: Any, clears: Verdict) -> Any | None:
    """The nearest other choice that clears; a field left out (such as a trigger that follows
    from the archetype) tries the choices in the order the format lists them."""
    choices = _choices(path)
    if current is not None and current not in choices:
        return None
    here = choices.index(current) if current is not None else 0
    for candidate in sorted(
        (c for c in choices if c != current), key=lambda c: abs(choices.index(c) - here)
    ):
        if clears(_with(data, path, candidate)):
            return candidate
    return None


def _sentence(field: str, value: str, upward: bool | None, rule: Rule, target: str) -> str:
    if upward is None:
        condition = f"With {field}: {value}"
    else:
        condition = f"With {field} of {value} or {'more' if upward else 'less'}"
    return f"{condition}, {rule.id} no longer applies on {target} ({rule.title})"


def counterfactuals(
    workload: Workload, platform: Platform, rule: Rule, facts: Facts, *, free_tier: bool
) -> list[Counterfactual]:
    """For one finding, the nearest value of each workload field behind it that clears it."""
    data = to_data(workload)
    if not _valid(data):
        return []
    clears = _clears_with(rule, platform, free_tier)
    found: list[Counterfactual] = []
    for field in workload_fields(rule, facts):
        path = tuple(field.split("."))
        if path[0] in FIXED_FIELDS:
            continue
        current = _get(workload, path)
        if isinstance(current, Quantity) and current.amount > 0 and math.isfinite(current.amount):
            nearest = _numeric(data, path, current.amount, current.unit, clears)
            if nearest is not None:
                amount, upward = nearest
                value = f"{format_number(amount)}{current.unit}"
                found.append(_counterfactual(rule, field, value, upward, platform))
        elif isinstance(current, float | int) and not isinstance(current, bool) and current > 0:
            nearest = _numeric(data, path, float(current), "", clears)
            if nearest is not None:
                amount, upward = nearest
                found.append(_counterfactual(rule, field, format_number(amount), upward, platform))
        elif current is None or isinstance(current, bool | str):
            choice = _enum(data, path, current, clears)
            if choice is not None:
                value = ("true" if choice else "false") if isinstance(choice, bool) else str(choice)
                found.append(_counterfactual(rule, field, value, None, platform))
    return found


def _counterfactual(
    rule: Rule, field: str, value: str, upward: bool | None, platform: Platform
) -> Counterfactual:
    effect = _sentence(field, value, upward, rule, platform.name)
    return Counterfactual(rule=rule.id, field=field, value=value, effect=effect)
