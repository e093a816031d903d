"""Format checks only: every file loaded and validated, nothing assessed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from serverless_fit.errors import InputError, Problem
from serverless_fit.format.limits import DEFAULT_LIMITS, InputLimits
from serverless_fit.format.loader import load_file
from serverless_fit.pipeline.assess import duplicate_name
from serverless_fit.rules.rulepacks import builtin_rules


@dataclass(frozen=True)
class Checked:
    workloads: int  # valid workloads found
    problems: tuple[Problem, ...]


def validate_files(
    paths: Sequence[Path],
    rule_ids: frozenset[str] | None = None,
    limits: InputLimits = DEFAULT_LIMITS,
) -> Checked:
    """Load every file as assess would, reporting the same problems, names used twice included."""
    known = rule_ids if rule_ids is not None else frozenset(r.id for r in builtin_rules())
    problems: list[Problem] = []
    first_seen: dict[str, tuple[str, int | None]] = {}
    workloads = 0
    for path in paths:
        try:
            loaded = load_file(path, known, limits)
        except InputError as error:
            problems.extend(error.problems)
            continue
        for item in loaded:
            name, line = item.workload.name, item.lines.get("name")
            if name in first_seen:
                problems.append(duplicate_name(name, item.file, line, *first_seen[name]))
                continue
            first_seen[name] = (item.file, line)
            workloads += 1
    return Checked(workloads, tuple(problems))
