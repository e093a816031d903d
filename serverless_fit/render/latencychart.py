"""The HTML report's latency charts: the share of requests answered within each latency
(warm runs, then the cold tail), and the instances alive in each hour of the day."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from serverless_fit.format.units import Duration
from serverless_fit.report import Latency

WIDTH, HEIGHT = 640, 220  # each chart's drawing area, in SVG units
LEFT, RIGHT, TOP, BOTTOM = 70, 30, 16, 46
Z99 = NormalDist().inv_cdf(0.99)
POINTS = 60


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # "14:00 UTC: 34 instances"


@dataclass(frozen=True)
class LatencyChart:
    target: str
    description: str
    cdf_path: str  # share of requests within each latency (log scale)
    warm_x: float  # where the warm runs end
    objective_x: float | None
    objective_label: str
    p99_x: float
    p99_label: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]
    bar_ticks: tuple[Tick, ...]
    hour_ticks: tuple[Tick, ...]


def _ms(milliseconds: float) -> str:
    return str(Duration.from_seconds(milliseconds / 1000))


def _share_within(latency: Latency, x: float) -> float:
    """The share of requests answered within x ms: warm runs take `run`, cold ones add a
    log-normal start-up through its p50 and p99."""
    cold = latency.cold_start_share if latency.cold_start_share is not None else 1.0
    if x < latency.run:
        return 0.0
    share = 1.0 - cold
    extra = x - latency.run
    if cold <= 0 or extra <= 0 or latency.startup_p50 <= 0:
        return share if extra <= 0 else 1.0
    sigma = math.log(latency.startup_p99 / latency.startup_p50) / Z99
    if sigma <= 0:
        return share + (cold if extra >= latency.startup_p50 else 0.0)
    z = (math.log(extra) - math.log(latency.startup_p50)) / sigma
    return share + cold * NormalDist().cdf(z)


def latency_chart(target: str, latency: Latency) -> LatencyChart:
    low = max(0.1, latency.run * 0.8)
    tail = latency.run + latency.startup_p99 * 2.5
    marks = [latency.p99, *([latency.objective_p99] if latency.objective_p99 else [])]
    high = max(tail, *(m * 1.25 for m in marks), low * 10)
    span = math.log10(high) - math.log10(low)

    def x(ms: float) -> float:
        return LEFT + (math.log10(max(ms, low)) - math.log10(low)) / span * WIDTH

    def y(share: float) -> float:
        return TOP + (1.0 - share) * HEIGHT

    points: list[tuple[float, float]] = [(x(low), y(0.0)), (x(latency.run), y(0.0))]
    points.append((x(latency.run), y(_share_within(latency, latency.run))))
    for index in range(1, POINTS + 1):
        ms = latency.run * (high / latency.run) ** (index / POINTS)
        points.append((x(ms), y(_share_within(latency, ms))))
    path = "M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in points)
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    x_ticks = tuple(
        Tick(round(x(10.0**d), 1), _ms(10.0**d)) for d in decades if low <= 10.0**d <= high
    )
    y_ticks = tuple(Tick(round(y(s), 1), f"{s:.0%}") for s in (0.0, 0.25, 0.5, 0.75, 1.0))
    objective = latency.objective_p99
    cold = latency.cold_start_share
    cold_words = f"{cold:.2%} cold" if cold is not None else "every request taken as cold"
    bars, bar_ticks, hour_ticks = _instance_bars(latency)
    description = (
        f"Share of requests answered within each latency on {target}: warm runs take "
        f"{_ms(latency.run)}, {cold_words}, cold ones add a start-up of "
        f"{_ms(latency.startup_p50)} at p50 and {_ms(latency.startup_p99)} at p99; the "
        f"simulated p99 is {_ms(latency.p99)}"
        + (f" against an objective of {_ms(objective)}." if objective else ".")
    )
    return LatencyChart(
        target=target,
        description=description,
        cdf_path=path,
        warm_x=round(x(latency.run), 1),
        objective_x=round(x(objective), 1) if objective else None,
        objective_label=f"objective {_ms(objective)}" if objective else "",
        p99_x=round(x(latency.p99), 1),
        p99_label=f"p99 {_ms(latency.p99)}",
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        bars=bars,
        bar_ticks=bar_ticks,
        hour_ticks=hour_ticks,
    )


def _instance_bars(latency: Latency) -> tuple[tuple[Bar, ...], tuple[Tick, ...], tuple[Tick, ...]]:
    """A bar per hour of the day on a round scale, its ticks, and every third hour's label."""
    hours = latency.instances_by_hour
    top = max(hours, default=0.0)
    scale = _nice(top)
    slot = WIDTH / 24

    def y(count: float) -> float:
        return TOP + (1.0 - count / scale) * HEIGHT

    bars = tuple(
        Bar(
            round(LEFT + hour * slot + 2, 1),
            round(y(count), 1),
            round(slot - 4, 1),
            round(TOP + HEIGHT - y(count), 1),
            f"{hour:02d}:00 UTC: {count:,.1f} instances",
        )
        for hour, count in enumerate(hours)
    )
    bar_ticks = tuple(Tick(round(y(scale * f), 1), f"{scale * f:,.4g}") for f in (0, 0.5, 1))
    hour_ticks = tuple(
        Tick(round(LEFT + h * slot + slot / 2, 1), f"{h:02d}") for h in range(0, 24, 3)
    )
    return bars, bar_ticks, hour_ticks


def _nice(value: float) -> float:
    """The next round number at or above value (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10.0 * power
