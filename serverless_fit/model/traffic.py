"""A day's traffic from the workload: 24 hourly rates, bursts at the peak, a periodic interval.

The same shape sizes the always-on fleet hour by hour, bills instance-time platforms and
drives the simulation of cold starts, so all three read one description of the day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from serverless_fit.format.units import format_number
from serverless_fit.format.workload import HOURS_PER_DAY, Traffic

SECONDS_PER_HOUR = 3600.0
DEFAULT_BURST_SECONDS = 60.0  # traffic.burst when a spiky workload does not give one


@dataclass(frozen=True)
class Hour:
    """One hour of the day: its mean rate, and the burst at the peak within it, if any."""

    mean: float  # units of work a second, averaged over the hour
    base: float  # the rate outside the burst
    burst_rate: float = 0.0  # the rate during the burst (the peak); 0 when none
    burst_seconds: float = 0.0  # how long the burst lasts in this hour
    # Worked out once: the bills read them many times in a search.
    top: float = field(init=False, repr=False, compare=False)
    parts: tuple[tuple[float, float], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The highest rate reached in the hour (what capacity must be there for), and the
        # (rate, seconds) parts that together make the hour's traffic.
        parts: tuple[tuple[float, float], ...]
        if self.burst_seconds <= 0:
            top, parts = self.mean, ((self.mean, SECONDS_PER_HOUR),)
        else:
            top = max(self.base, self.burst_rate)
            parts = (
                (self.base, SECONDS_PER_HOUR - self.burst_seconds),
                (self.burst_rate, self.burst_seconds),
            )
        object.__setattr__(self, "top", top)
        object.__setattr__(self, "parts", parts)

    def segments(self) -> tuple[tuple[float, float], ...]:
        """(rate, seconds) parts of the hour that together make its traffic."""
        return self.parts

    def scaled(self, factor: float) -> Hour:
        # Built directly: searches scale every hour many times per workload.
        return Hour(
            self.mean * factor, self.base * factor, self.burst_rate * factor, self.burst_seconds
        )


@dataclass(frozen=True)
class DayShape:
    """The 24 hours of a representative day (UTC), and where the shape came from."""

    hours: tuple[Hour, ...]
    source: str  # in words, for the report: "traffic.profile", "16 active hours a day", ...
    pattern: str
    peak: float  # the highest rate a second anywhere in the day
    interval: float | None  # periodic work: seconds between units of work
    active_seconds: float  # seconds a day with any traffic

    @property
    def mean(self) -> float:
        return sum(hour.mean for hour in self.hours) / len(self.hours)

    def scaled(self, factor: float) -> DayShape:
        """The same shape with every rate multiplied (break-even searches move along it)."""
        interval = self.interval / factor if self.interval and factor > 0 else self.interval
        hours = tuple(hour.scaled(factor) for hour in self.hours)
        return DayShape(
            hours, self.source, self.pattern, self.peak * factor, interval, self.active_seconds
        )


def _window(active_hours: float) -> list[float]:
    """Weights of a contiguous window of active hours centred on the day; a fraction of an
    hour is a partly active last hour."""
    start = math.floor((HOURS_PER_DAY - active_hours) / 2)
    weights = [0.0] * HOURS_PER_DAY
    remaining = active_hours
    for offset in range(HOURS_PER_DAY):
        if remaining <= 0:
            break
        weights[(start + offset) % HOURS_PER_DAY] = min(1.0, remaining)
        remaining -= 1.0
    return weights


def day_shape(traffic: Traffic) -> DayShape | None:
    """The day's shape (README, "The day's traffic"); None without an average rate."""
    if traffic.average is None:
        return None
    average = traffic.average.per_second
    pattern = traffic.pattern or "steady"
    if traffic.profile is not None:
        weights = [float(w) for w in traffic.profile]
        source = "traffic.profile"
        active_seconds = SECONDS_PER_HOUR * sum(1 for w in weights if w > 0)
    else:
        hours = traffic.active_hours_per_day or float(HOURS_PER_DAY)
        weights = _window(hours)
        if hours >= HOURS_PER_DAY:
            source = "traffic around the clock"
        else:
            source = f"{format_number(hours)} active hours a day"
        active_seconds = SECONDS_PER_HOUR * hours
    total = sum(weights)
    means = [average * HOURS_PER_DAY * w / total for w in weights]
    busiest = max(means)
    peak = traffic.peak.per_second if traffic.peak is not None else busiest
    peak = max(peak, busiest)
    burst_hours: set[int] = set()
    if pattern == "spiky" and peak > busiest:
        # Bursts can come in any active hour; a profile says which hours are the busiest.
        top = max(weights)
        chosen = (i for i, w in enumerate(weights) if w > 0 and (w == top or not traffic.profile))
        burst_hours = set(chosen)
    length = traffic.burst.seconds if traffic.burst is not None else DEFAULT_BURST_SECONDS
    length = min(length, SECONDS_PER_HOUR)
    shaped = tuple(
        _hour(mean, peak, length) if index in burst_hours else Hour(mean, mean)
        for index, mean in enumerate(means)
    )
    interval = None
    if pattern == "periodic" or traffic.interval is not None:
        if traffic.interval is not None:
            interval = traffic.interval.seconds
        elif average > 0:
            interval = active_seconds / (average * HOURS_PER_DAY * SECONDS_PER_HOUR)
    return DayShape(shaped, source, pattern, peak, interval, active_seconds)


def _hour(mean: float, peak: float, length: float) -> Hour:
    """An hour with a burst at `peak`: the rest of the hour carries what the burst leaves of
    its mean, and a burst that would carry more than the whole hour is shortened."""
    if mean <= 0 or peak <= mean:
        return Hour(mean, mean)
    seconds = min(length, mean * SECONDS_PER_HOUR / peak)  # below the hour: peak > mean
    base = (mean * SECONDS_PER_HOUR - peak * seconds) / (SECONDS_PER_HOUR - seconds)
    return Hour(mean, max(0.0, base), peak, seconds)
