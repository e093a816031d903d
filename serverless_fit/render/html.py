"""A self-contained HTML report: overview, per-workload verdicts, findings and cost charts.

One file with inline CSS, SVG and script: no fonts, styles or scripts from anywhere else, so it
opens offline and prints. The page comes from a Jinja2 template with autoescaping on, since
names, descriptions and messages are user text. This module only lays out what the report
holds (chart coordinates, labels); every figure comes from the assessment.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from serverless_fit.render import latencychart
from serverless_fit.render.costwords import fleet_label, items_text, sizing_text, usd
from serverless_fit.render.latencychart import Tick, latency_chart
from serverless_fit.report import (
    VERDICTS,
    CompleteReport,
    Finding,
    RenderOptions,
    Result,
    by_workload,
    counted,
)

WIDTH, HEIGHT = 640, 300  # the cost chart's drawing area, in SVG units
LEFT, RIGHT, TOP, BOTTOM = 70, 200, 20, 46
# Series are told apart by dash pattern and by a label at the line's end, not by colour alone.
SERIES_STYLES = (
    ("#1f5fbf", ""),
    ("#b3261e", "6 3"),
    ("#2e7d32", "2 3"),
    ("#7b3fa0", "8 3 2 3"),
    ("#8a5a00", "12 4"),
)
ALWAYS_ON_STYLE = ("#444444", "1 0")
VERDICT_LABELS = {
    "good-fit": "Good fit",
    "fit-with-mitigations": "Fit with mitigations",
    "poor-fit": "Poor fit",
}
SEVERITY_MARKS = {
    "blocker": "■ Blocker",
    "risk": "▲ Risk",
    "info": "● Note",
    "benefit": "✓ Benefit",
}


@dataclass(frozen=True)
class Series:
    label: str
    color: str
    dash: str
    path: str  # SVG path data
    legend_y: float  # where its entry stands in the legend beside the plot
    kind: str  # serverless or always-on


@dataclass(frozen=True)
class Marker:
    label: str
    x: float
    y: float
    color: str


@dataclass(frozen=True)
class CostChart:
    title: str
    description: str
    series: tuple[Series, ...]
    break_evens: tuple[Marker, ...]
    traffic_x: float | None
    traffic_label: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]


def _money(usd: float) -> str:
    return f"${usd:,.0f}" if usd >= 100 else f"${usd:,.2f}"


def _rate(per_second: float) -> str:
    for unit, seconds in (("s", 1), ("min", 60), ("h", 3600), ("day", 86400)):
        amount = per_second * seconds
        if amount >= 1:
            return f"{amount:.3g}/{unit}"
    return f"{per_second * 730 * 3600:.3g}/month"


def _log_ticks(low: float, high: float, place: Any, label: Any) -> tuple[Tick, ...]:
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    step = max(1, (last - first) // 6)
    ticks = []
    for exponent in range(first, last + 1, step):
        value = 10.0**exponent
        if low <= value <= high:
            ticks.append(Tick(round(place(value), 1), label(value)))
    return tuple(ticks)


def cost_chart(results: list[Result]) -> CostChart | None:
    """Monthly cost against average traffic, log-log: each target's serverless bill and each
    provider's always-on option, both moving with the traffic."""
    priced = [r for r in results if r.cost is not None and r.cost.curve]
    if not priced:
        return None
    curves = [r.cost.curve for r in priced if r.cost]
    # A log axis needs positive rates: traffic of a few a year rounds to 0 a second.
    rates = [p.per_second for curve in curves for p in curve if p.per_second > 0]
    if not rates:
        return None
    costs = [max(p.monthly_usd, 0.01) for curve in curves for p in curve]
    costs += [max(p.always_on_usd, 0.01) for c in curves for p in c if p.always_on_usd is not None]
    x_low, x_high = min(rates), max(rates)
    y_low, y_high = min(costs), max(costs) * 1.5
    if y_high <= y_low:
        y_high = y_low * 10

    def x(rate: float) -> float:
        span = math.log10(x_high) - math.log10(x_low) or 1.0
        return LEFT + (math.log10(max(rate, x_low)) - math.log10(x_low)) / span * WIDTH

    def y(usd: float) -> float:
        span = math.log10(y_high) - math.log10(y_low) or 1.0
        return TOP + HEIGHT - (math.log10(max(usd, y_low)) - math.log10(y_low)) / span * HEIGHT

    def path(points: list[tuple[float, float]]) -> str:
        return "M" + " L".join(f"{x(rate):.1f},{y(usd):.1f}" for rate, usd in points)

    series: list[Series] = []
    markers: list[Marker] = []
    fleets: dict[str, list[tuple[float, float]]] = {}
    for index, result in enumerate(priced):
        assert result.cost is not None
        color, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        points = [(p.per_second, p.monthly_usd) for p in result.cost.curve]
        series.append(
            Series(result.target, color, dash, path(points), _legend_y(index), "serverless")
        )
        fleet = result.cost.always_on
        fleet_points = [
            (p.per_second, p.always_on_usd)
            for p in result.cost.curve
            if p.always_on_usd is not None
        ]
        if fleet is not None and fleet_points:
            fleets.setdefault(f"always-on: {fleet_label(fleet)}", fleet_points)
        even = result.cost.break_even
        if even is not None and fleet_points:
            bill = result.cost.serverless
            bound = "≤ " if bill is not None and bill.unpriced else ""  # the bill is a floor
            label = f"{result.target} break-even: {bound}{even.rate}"
            level = _at(fleet_points, even.per_second)
            markers.append(Marker(label, round(x(even.per_second), 1), round(y(level), 1), color))
    for label, points in fleets.items():
        color, dash = ALWAYS_ON_STYLE
        series.append(Series(label, color, dash, path(points), _legend_y(len(series)), "always-on"))
    first = priced[0]
    traffic = first.cost.per_second if first.cost else None
    workload = first.workload
    description = (
        f"Monthly cost in US dollars (log scale) against average requests a second (log scale) "
        f"for {workload} on {', '.join(r.target for r in priced)}"
        + (", with each provider's always-on option" if fleets else "")
        + ". Break-even points mark where a serverless line crosses an always-on line."
    )
    return CostChart(
        title=f"Monthly cost against traffic: {workload}",
        description=description,
        series=tuple(series),
        break_evens=tuple(markers),
        traffic_x=round(x(traffic), 1) if traffic else None,
        traffic_label=f"this workload: {_rate(traffic)}" if traffic else "",
        x_ticks=_rate_ticks(x_low, x_high, x),
        y_ticks=_log_ticks(y_low, y_high, y, _money),
    )


def _at(points: list[tuple[float, float]], rate: float) -> float:
    """A curve's value at `rate`, interpolated on the log-log scale the chart draws."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= rate <= x1 and x1 > x0 and y0 > 0 and y1 > 0:
            share = (math.log(rate) - math.log(x0)) / (math.log(x1) - math.log(x0))
            return math.exp(math.log(y0) + share * (math.log(y1) - math.log(y0)))
    return min(points, key=lambda point: abs(point[0] - rate))[1]


def _legend_y(index: int) -> float:
    return TOP + 10 + index * 34


# Rates people think in, for the traffic axis: a tick at each that falls in the chart's range.
RATE_TICKS = (
    (1 / (730 * 3600), "1/month"),
    (1 / 86400, "1/day"),
    (1 / 3600, "1/h"),
    (1 / 60, "1/min"),
    (1.0, "1/s"),
    (10.0, "10/s"),
    (100.0, "100/s"),
    (1000.0, "1k/s"),
    (10_000.0, "10k/s"),
    (100_000.0, "100k/s"),
)


def _rate_ticks(low: float, high: float, place: Any) -> tuple[Tick, ...]:
    return tuple(
        Tick(round(place(rate), 1), label) for rate, label in RATE_TICKS if low <= rate <= high
    )


BAR_SCALE = 2.4  # px a point: 100 points fill the 240px track, 50 is its middle


def _dimensions(result: Result) -> list[dict[str, Any]]:
    """Each dimension as a bar from the neutral 50 (where it starts): up in green, down in
    red, none when no finding moved it, so that the chart says what moved and which way."""
    rows = []
    for d in result.dimensions:
        moved = d.score - 50
        width = round(abs(moved) * BAR_SCALE, 1)
        rows.append(
            {
                "name": d.name,
                "score": d.score,
                "weight": d.weight,
                "width": width,
                "left": round(50 * BAR_SCALE - (width if moved < 0 else 0), 1),
                "kind": "bar-up" if moved > 0 else "bar-down",
                "words": (f"{moved:+g} from 50" if moved else "50, no finding moved it"),
            }
        )
    return rows


def _evidence(finding: Finding, file: str) -> list[str]:
    return [
        f"{item.field} = {item.value}" + (f" ({file}:{item.line})" if item.line else "")
        for item in finding.evidence
    ]


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-") or "workload"
    slug, number = base, 2
    while slug in used:
        slug, number = f"{base}-{number}", number + 1
    used.add(slug)
    return slug


def _bills(results: list[Result]) -> list[dict[str, str]]:
    """Each target's bill and its provider's always-on option, in words."""
    rows = []
    for result in results:
        cost = result.cost
        if cost is None or cost.serverless is None:
            continue
        bill = cost.serverless
        fleet = cost.always_on
        rows.append(
            {
                "target": result.target,
                "serverless": ("≥ " if bill.unpriced else "") + usd(bill.monthly_usd),
                "serverless_parts": "; ".join((items_text(bill), *bill.notes)),
                "always_on": usd(fleet.monthly_usd) if fleet else "not sized",
                "always_on_parts": "; ".join((items_text(fleet), sizing_text(fleet), *fleet.notes))
                if fleet
                else "give duration.typical and resources.memory to size it",
            }
        )
    return rows


@dataclass(frozen=True)
class OverviewRow:
    """A workload at its best target, as the overview table shows it."""

    id: str
    name: str
    target: str
    verdict: str
    score: float
    confidence: float
    monthly: float | None
    monthly_text: str


def _best(results: list[Result]) -> Result:
    return next((r for r in results if r.best_fit), results[0])


def _monthly_text(result: Result) -> str:
    bill = result.cost.serverless if result.cost else None
    if bill is None:
        return "not priced"
    return ("≥ " if bill.unpriced else "") + f"${bill.monthly_usd:,.2f}"


def _overview(report: CompleteReport) -> list[OverviewRow]:
    """The first pass: one small row per workload (the sections come in a second pass)."""
    used: set[str] = set()
    rows = []
    for results in by_workload(report.iter_results()):
        best = _best(results)
        bill = best.cost.serverless if best.cost else None
        rows.append(
            OverviewRow(
                id=_slug(best.workload, used),
                name=best.workload,
                target=best.target,
                verdict=best.verdict,
                score=best.score,
                confidence=best.confidence,
                monthly=bill.monthly_usd if bill else None,
                monthly_text=_monthly_text(best),
            )
        )
    return rows


def _groups(report: CompleteReport, overview: list[OverviewRow]) -> Iterator[dict[str, Any]]:
    """The second pass: each workload's section, its charts built as it is written."""
    for row, results in zip(overview, by_workload(report.iter_results()), strict=True):
        best = _best(results)
        yield {
            "id": row.id,
            "name": row.name,
            "file": best.file,
            "description": best.description,
            "results": results,
            "best": best,
            "chart": cost_chart(results),
            "latency": latency_chart(best.target, best.latency) if best.latency else None,
            "bills": _bills(results),
        }


def stream(report: CompleteReport, options: RenderOptions) -> Iterator[str]:
    from importlib import resources

    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: (
                resources.files("serverless_fit.render")
                .joinpath("templates", name)
                .read_text(encoding="utf-8")
            )
        ),
        autoescape=True,  # names, descriptions and messages are user text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = environment.get_template("report.html.j2")
    overview = _overview(report)
    return template.generate(
        report=report,
        overview=overview,
        groups=_groups(report, overview),
        # the counts sit above the overview table: workloads at their best target, as it has
        counts=[
            (VERDICT_LABELS[v], v, sum(1 for row in overview if row.verdict == v)) for v in VERDICTS
        ],
        verdict_labels=VERDICT_LABELS,
        counted=counted,
        verdict_rank={verdict: rank for rank, verdict in enumerate(VERDICTS)},
        severity_marks=SEVERITY_MARKS,
        dimensions=_dimensions,
        evidence=_evidence,
        chart_box={"width": LEFT + WIDTH + RIGHT, "height": TOP + HEIGHT + BOTTOM},
        plot={"left": LEFT, "top": TOP, "width": WIDTH, "height": HEIGHT},
        latency_box={
            "width": latencychart.LEFT + latencychart.WIDTH + latencychart.RIGHT,
            "height": latencychart.TOP + latencychart.HEIGHT + latencychart.BOTTOM,
        },
        latency_plot={
            "left": latencychart.LEFT,
            "top": latencychart.TOP,
            "width": latencychart.WIDTH,
            "height": latencychart.HEIGHT,
        },
    )


def render(report: CompleteReport, options: RenderOptions) -> str:
    return "".join(stream(report, options))
