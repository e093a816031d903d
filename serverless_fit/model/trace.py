"""A logged period of real traffic, for the simulation to replay instead of drawn arrivals
(`assess --trace`, README "Replaying a trace")."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from pydantic import BaseModel

from serverless_fit.format.workload import (
    Resources,
    RunDuration,
    Traffic,
    Workload,
    check_consistency,
)

SECTION_TYPES: dict[str, type[BaseModel]] = {
    "traffic": Traffic,
    "duration": RunDuration,
    "resources": Resources,
}


@dataclass(frozen=True, eq=False)
class Trace:
    arrivals: array[float]  # seconds from midnight UTC of the first day replayed, ascending
    runs: array[float]  # seconds each request took; NaN where the log gives none
    measured: tuple[tuple[str, str], ...]  # workload fields measured from it: (path, value)
    note: str  # what was measured and replayed, over which period, for the report

    def run_times(self, typical: float) -> list[float]:
        """Each request's run, the workload's typical run where the log has none."""
        return [typical if run != run else run for run in self.runs]  # NaN != NaN


def with_measured(workload: Workload, measured: tuple[tuple[str, str], ...]) -> Workload:
    """The workload with the trace's measured fields in place of the typed ones; ValueError
    (a list of (field, message)) when the result is inconsistent, e.g. a `duration.waiting`
    above the measured typical run."""
    sections: dict[str, dict[str, object]] = {}
    for path, value in measured:
        section, key = path.split(".", 1)
        sections.setdefault(section, {})[key] = _value(key, value)
    update: dict[str, object] = {}
    for name, values in sections.items():
        current = getattr(workload, name)
        model: type[BaseModel] = type(current) if current is not None else SECTION_TYPES[name]
        kept = (
            {}
            if current is None
            else {
                key: getattr(current, key)
                for key in type(current).model_fields
                if getattr(current, key) is not None
            }
        )
        update[name] = model.model_validate({**kept, **values})
    changed = workload.model_copy(update=update)
    problems = check_consistency(changed)
    if problems:
        raise InconsistentTrace(problems)
    return changed


class InconsistentTrace(ValueError):
    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.problems = problems


def _value(key: str, text: str) -> object:
    """A measured value as the workload file would hold it (flow lists parsed)."""
    if text.startswith("["):
        return [float(item) for item in text.strip("[]").split(",")]
    try:
        return float(text)  # a plain number (active hours)
    except ValueError:
        return text  # a value with its unit, or a word
