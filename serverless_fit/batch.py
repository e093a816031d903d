"""Assess many files on several processes, with the same report as one process gives."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from serverless_fit.assess import FileOutcome, Options, assess_file, build_report, resolve_targets
from serverless_fit.engine import Rule
from serverless_fit.errors import Problem
from serverless_fit.report import Report
from serverless_fit.rulepacks import load_rules

# Below this many files a second process costs more than it saves.
PARALLEL_MIN_FILES = 16
# Chunks per worker: large enough to amortise the hand-over, small enough to balance the load.
CHUNKS_PER_WORKER = 4

Progress = Callable[[int], None]  # called with the number of files just finished

_worker_rules: tuple[Rule, ...] = ()
_worker_options = Options()
_worker_as_of = dt.date(1970, 1, 1)


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def _start_worker(packs: tuple[str, ...], options: Options, as_of: dt.date) -> None:
    # Each worker builds its rules once: compiled conditions are closures and do not pickle.
    global _worker_rules, _worker_options, _worker_as_of
    _worker_rules = load_rules(packs)
    _worker_options = options
    _worker_as_of = as_of


def _assess_chunk(paths: list[Path]) -> list[FileOutcome]:
    return [assess_file(path, _worker_rules, _worker_options, _worker_as_of) for path in paths]


def assess_batch(
    paths: Sequence[Path],
    packs: Sequence[str],
    options: Options,
    jobs: int,
    progress: Progress | None = None,
    problems: Sequence[Problem] = (),
) -> Report:
    """Assess every file with `jobs` processes; results keep the order of `paths`."""
    as_of = options.as_of or dt.date.today()
    resolve_targets(options.targets)
    rules = load_rules(tuple(packs))
    if jobs <= 1 or len(paths) < PARALLEL_MIN_FILES:
        outcomes = []
        for path in paths:
            outcomes.append(assess_file(path, rules, options, as_of))
            if progress:
                progress(1)
        return build_report(outcomes, as_of, rules, problems)
    size = max(1, math.ceil(len(paths) / (jobs * CHUNKS_PER_WORKER)))
    chunks = [list(paths[i : i + size]) for i in range(0, len(paths), size)]
    outcomes_by_chunk: list[list[FileOutcome]] = []
    with ProcessPoolExecutor(
        max_workers=jobs, initializer=_start_worker, initargs=(tuple(packs), options, as_of)
    ) as pool:
        for chunk, outcome in zip(chunks, pool.map(_assess_chunk, chunks), strict=True):
            outcomes_by_chunk.append(outcome)
            if progress:
                progress(len(chunk))
    in_order = (o for chunk in outcomes_by_chunk for o in chunk)
    return build_report(in_order, as_of, rules, problems)
