"""A trace for `assess --trace`: a log's arrivals and runs, and the workload fields measured
from it. Up to REPLAY_LIMIT requests are replayed whole; a longer log replays its busiest UTC
day (a second pass over the files), so memory stays bounded."""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from pathlib import Path

from serverless_fit.measure.figures import Measurement
from serverless_fit.measure.formats import Record
from serverless_fit.measure.reader import read_logs
from serverless_fit.measure.workloadtext import day, measurements, source
from serverless_fit.model.trace import Trace

REPLAY_LIMIT = 2_000_000  # requests replayed one by one: 32 MB of arrivals and runs
SECONDS_PER_DAY = 86_400


class _Collector:
    """Arrivals and runs, kept while there are at most `limit` of them (within `window`)."""

    def __init__(self, limit: int, window: tuple[float, float] | None = None) -> None:
        self.limit = limit
        self.window = window
        self.pairs: list[tuple[float, float]] | None = []

    def add(self, record: Record) -> None:
        if self.pairs is None or record.time is None:
            return
        if self.window is not None and not self.window[0] <= record.time < self.window[1]:
            return
        if len(self.pairs) >= self.limit:
            self.pairs = None  # too many: the busiest day instead
            return
        run = record.duration_ms / 1000 if record.duration_ms is not None else math.nan
        self.pairs.append((record.time, run))


def load_trace(paths: Sequence[Path], limit: int = REPLAY_LIMIT) -> Trace:
    """Read the logs (InputError as `measure` raises it) into a trace to replay."""
    measurement = Measurement()
    collector = _Collector(limit)

    def take(record: Record) -> None:
        measurement.add(record)
        collector.add(record)

    summary = read_logs(paths, take)
    figures = measurement.figures()
    replayed = "every request"
    pairs = collector.pairs
    if pairs is None:  # the busiest UTC day, read again
        start, busiest = _busiest_day(measurement)
        window = (float(start), float(start + SECONDS_PER_DAY))
        again = _Collector(limit, window)
        read_logs(paths, again.add)
        pairs = again.pairs or []
        replayed = f"its busiest day, {day(start)[:10]} ({busiest:,} requests)"
    pairs.sort()
    midnight = math.floor(pairs[0][0] / SECONDS_PER_DAY) * SECONDS_PER_DAY if pairs else 0.0
    found = measurements(figures)
    note = (
        f"Measured from {', '.join(str(p) for p in paths)}: {source(figures, summary)}; "
        f"cold starts and throttling replayed from {replayed}"
    )
    return Trace(
        arrivals=array("d", (time - midnight for time, _ in pairs)),
        runs=array("d", (run for _, run in pairs)),
        measured=tuple((field.path, field.value) for field in found.fields),
        note=note,
    )


def _busiest_day(measurement: Measurement) -> tuple[int, int]:
    """The UTC day with the most requests: (its midnight, its requests)."""
    timeline = measurement.timeline
    assert timeline.start is not None
    counts: dict[int, int] = {}
    for index, count in enumerate(timeline.counts):
        if count:
            midnight = (timeline.start + index) // SECONDS_PER_DAY * SECONDS_PER_DAY
            counts[midnight] = counts.get(midnight, 0) + count
    start = max(counts, key=lambda midnight: (counts[midnight], -midnight))
    return start, counts[start]
