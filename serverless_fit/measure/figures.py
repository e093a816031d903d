"""The figures a log gives, measured in one pass in bounded memory (README, "Measured
figures"): the rate over the logged period, peaks at 1 s and 1 min, active hours, the 24-hour
profile, the pattern and interval, duration and payload percentiles, memory, cold starts.

Arrivals are counted per second of the logged period (4 bytes a second: 10 MiB for a month),
in any order, so that files from several load-balancer nodes can be read one after another.
"""

from __future__ import annotations

import itertools
import math
import statistics
from array import array
from collections import Counter
from dataclasses import dataclass

from serverless_fit.measure.formats import Columns, Record
from serverless_fit.measure.quantiles import Quantiles

FLUSH_EVERY = 65_536  # records between two counts of the arrivals
MAX_DAYS = 400  # a longer span is refused: its per-second counts would take 138 MB
SECONDS_PER_DAY = 86_400
# The documented thresholds of the pattern (README, "Measured figures").
SPIKY_RATIO = 4.0  # a burst: a minute, or an hour of the day, this many times its mean
# ...and beyond chance: random arrivals at the hour's rate m a minute seldom exceed
# m + 4 sqrt(m) + 1 in any of its minutes (four standard deviations, plus one).
NOISE_SIGMAS = 4.0
SPORADIC_BUSY_MINUTES = 0.10  # share of the period's minutes with any request
PERIODIC_BAND = 0.10  # a gap within this of the median gap between runs is on time
PERIODIC_ON_TIME = 0.80  # the share of gaps on time that makes work periodic
RUN_GAP = 5.0  # requests closer than this (seconds) belong to one run of a periodic job
PERIODIC_MIN_RUNS = 4
ARRIVALS_KEPT = 100_000  # runs kept to find an interval; more are not a periodic job
PATTERN_MIN_SPAN = 3600.0  # seconds of log the pattern needs


class SpanError(ValueError):
    """The log spans more than MAX_DAYS."""


class Timeline:
    """Requests per second since the earliest arrival seen."""

    def __init__(self) -> None:
        self.start: int | None = None
        self.counts: array[int] = array("I")

    def add_many(self, times: list[float]) -> None:
        """Count arrivals, in any order: per distinct second, not per arrival."""
        if not times:
            return
        seconds = Counter(map(math.floor, times))
        low, high = min(seconds), max(seconds)
        if self.start is None:
            self.start = low
        if low < self.start:  # earlier arrivals than any so far: make room before
            if len(self.counts) + self.start - low > MAX_DAYS * SECONDS_PER_DAY:
                raise SpanError
            self.counts = array("I", bytes(4 * (self.start - low))) + self.counts
            self.start = low
        top = high - self.start
        if top >= len(self.counts):
            if top >= MAX_DAYS * SECONDS_PER_DAY:
                raise SpanError
            grow = max(top + 1 - len(self.counts), len(self.counts) // 2, 3600)
            self.counts.extend(array("I", bytes(4 * grow)))
        counts, start = self.counts, self.start
        for second, count in seconds.items():
            counts[second - start] += count


@dataclass(frozen=True)
class Percentiles:
    p50: float
    p99: float
    maximum: float
    exact: bool  # False: from the sketch, within 1%


@dataclass(frozen=True)
class Traffic:
    average_per_second: float
    peak_second: int  # the most requests in one second
    peak_minute: int  # the most requests in one clock minute
    active_hours_per_day: float
    profile: tuple[float, ...]  # requests in each hour of the day (UTC), as a share
    pattern: str | None  # None: the log spans less than an hour
    interval: float | None  # seconds between the runs of a periodic job
    busy_minutes: float  # share of the period's minutes with a request
    minute_ratio: float  # the most a minute exceeds its hour's mean minute
    hour_ratio: float  # the busiest hour of the day over the mean hour


@dataclass(frozen=True)
class Figures:
    requests: int
    first: float | None  # the first and last arrival (epoch seconds)
    last: float | None
    traffic: Traffic | None  # None: fewer than two timed requests, or all at one moment
    duration: Percentiles | None  # milliseconds
    payload: Percentiles | None  # bytes
    memory_size_mb: int | None
    memory_used: Percentiles | None  # MB
    invocations: int  # function log records
    cold_starts: int
    init: Percentiles | None  # milliseconds


class Measurement:
    """Takes records one by one; `figures()` at the end."""

    def __init__(self) -> None:
        self.timeline = Timeline()
        self.requests = 0
        self.untimed = 0  # records without an arrival time (function text without timestamps)
        self.duration = Quantiles()
        self.payload = Quantiles()
        self.memory_used = Quantiles()
        self.init = Quantiles()
        self.memory_sizes: dict[int, int] = {}
        self.invocations = 0
        self.first: float | None = None
        self.last: float | None = None
        self._times: list[float] = []  # not yet counted
        self._durations: list[float] = []
        self._sizes: list[float] = []

    def add(self, record: Record) -> None:
        """Takes a record; arrivals, durations and sizes are kept in lists and counted a
        batch at a time (FLUSH_EVERY), which is several times faster than one by one."""
        time, duration, size, memory_size, used, init, _ = record
        self.requests += 1
        if time is None:
            self.untimed += 1
        else:
            self._times.append(time)
        if duration is not None:
            self._durations.append(duration)
        if size is not None:
            self._sizes.append(size)
        if memory_size is not None:
            self.invocations += 1
            self.memory_sizes[memory_size] = self.memory_sizes.get(memory_size, 0) + 1
            if used is not None:
                self.memory_used.add(used)
            if init is not None:
                self.init.add(init)
        if len(self._times) >= FLUSH_EVERY or len(self._durations) >= FLUSH_EVERY:
            self._flush()

    def add_columns(self, columns: Columns) -> None:
        """Many requests at once, as the reader's fast path gives them."""
        self.requests += len(columns.times)
        self._times.extend(columns.times)
        self._durations.extend(columns.durations)
        self._sizes.extend(columns.sizes)
        if len(self._times) >= FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        times = self._times
        if times:
            self.timeline.add_many(times)
            low, high = min(times), max(times)
            self.first = low if self.first is None else min(self.first, low)
            self.last = high if self.last is None else max(self.last, high)
        self.duration.extend(self._durations)
        self.payload.extend(self._sizes)
        self._times, self._durations, self._sizes = [], [], []

    def figures(self) -> Figures:
        self._flush()
        counts = self.timeline.counts
        timed = self.requests - self.untimed
        return Figures(
            requests=self.requests,
            first=self.first,
            last=self.last,
            traffic=_traffic(counts, timed, self.first, self.last),
            duration=_percentiles(self.duration),
            payload=_percentiles(self.payload),
            memory_size_mb=max(self.memory_sizes, key=lambda size: (self.memory_sizes[size], size))
            if self.memory_sizes
            else None,
            memory_used=_percentiles(self.memory_used),
            invocations=self.invocations,
            cold_starts=self.init.count,
            init=_percentiles(self.init),
        )


def _percentiles(values: Quantiles) -> Percentiles | None:
    if not values.count:
        return None
    p50, p99 = values.quantiles(0.5, 0.99)
    return Percentiles(p50, p99, values.maximum, values.exact)


def _traffic(
    counts: array[int], timed: int, first: float | None, last: float | None
) -> Traffic | None:
    if timed < 2 or first is None or last is None or last <= first:
        return None
    start = math.floor(first)
    span = last - first
    average = (timed - 1) / span  # n arrivals bound n - 1 gaps: the rate's unbiased estimate
    seconds = math.floor(last) - start + 1
    peak_second = 0
    minutes: dict[int, int] = {}
    hours: dict[int, int] = {}
    by_hour_of_day = [0] * 24
    runs: list[int] = []  # the second each run of requests starts in
    previous = None
    for index in range(seconds):
        count = counts[index]
        if not count:
            continue
        peak_second = max(peak_second, count)
        moment = start + index
        minutes[moment // 60] = minutes.get(moment // 60, 0) + count
        hours[moment // 3600] = hours.get(moment // 3600, 0) + count
        by_hour_of_day[(moment // 3600) % 24] += count
        if (previous is None or moment - previous > RUN_GAP) and len(runs) <= ARRIVALS_KEPT:
            runs.append(moment)
        previous = moment
    period_minutes = max(1, math.ceil(span / 60))
    busy = min(1.0, len(minutes) / period_minutes)
    days = span / SECONDS_PER_DAY
    active = min(24.0, len(hours) / days) if days >= 1 else float(len(hours))
    peak_minute = max(minutes.values())
    interval = _interval(runs)
    burst, minute_ratio = _bursts(minutes, hours)
    # Each hour of the day as often as the period holds it: a log of 25 hours has two 00:00s.
    seen = [0] * 24
    for hour in range(start // 3600, math.floor(last) // 3600 + 1):
        seen[hour % 24] += 1
    rates = [
        count / times if times else 0.0 for count, times in zip(by_hour_of_day, seen, strict=True)
    ]
    hour_ratio = max(rates) * 24 / sum(rates)
    if span < PATTERN_MIN_SPAN:
        pattern = None  # too short a log to tell
    elif interval is not None:
        pattern = "periodic"
    elif busy < SPORADIC_BUSY_MINUTES:
        pattern = "sporadic"
    elif burst or (span >= SECONDS_PER_DAY and hour_ratio >= SPIKY_RATIO):
        pattern = "spiky"
    else:
        pattern = "steady"
    total = sum(rates)
    return Traffic(
        average_per_second=average,
        peak_second=peak_second,
        peak_minute=peak_minute,
        active_hours_per_day=active,
        profile=tuple(rate / total for rate in rates),
        pattern=pattern,
        interval=interval,
        busy_minutes=busy,
        minute_ratio=minute_ratio,
        hour_ratio=hour_ratio,
    )


def _bursts(minutes: dict[int, int], hours: dict[int, int]) -> tuple[bool, float]:
    """Whether a minute is at least SPIKY_RATIO times its hour's mean minute and beyond
    chance; and the most any minute exceeds its hour's mean."""
    burst, ratio = False, 0.0
    for minute, count in minutes.items():
        mean = hours[minute // 60] / 60
        ratio = max(ratio, count / mean)
        if count >= SPIKY_RATIO * mean and count >= mean + NOISE_SIGMAS * math.sqrt(mean) + 1:
            burst = True
    return burst, ratio


def _interval(runs: list[int]) -> float | None:
    """The time between runs of a periodic job: at least PERIODIC_MIN_RUNS runs whose starts
    are more than 2 x RUN_GAP apart at the median, PERIODIC_ON_TIME of the gaps within
    PERIODIC_BAND of that median (so a missed run or a late one does not hide the period);
    the interval is the median gap."""
    if len(runs) < PERIODIC_MIN_RUNS or len(runs) > ARRIVALS_KEPT:
        return None
    gaps = [later - earlier for earlier, later in itertools.pairwise(runs)]
    median = statistics.median(gaps)
    on_time = sum(1 for gap in gaps if abs(gap - median) <= PERIODIC_BAND * median)
    if median <= 2 * RUN_GAP or on_time < PERIODIC_ON_TIME * len(gaps):
        return None
    return float(median)
