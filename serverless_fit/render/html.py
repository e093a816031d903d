"""A self-contained HTML report: overview, per-workload verdicts, findings and cost charts.

One file with inline CSS, SVG and script: no fonts, styles or scripts from anywhere else, so it
opens offline and prints. The page comes from a Jinja2 template with autoescaping on, since
names, descriptions and messages are user text. This module only lays out what the report
holds (chart coordinates, labels); every figure comes from the assessment.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from serverless_fit.portfolio import Portfolio, portfolio
from serverless_fit.render import latencychart
from serverless_fit.render.costwords import (
    change_words,
    fleet_label,
    items_text,
    money,
    saving_words,
    sizing_text,
    unresolved_words,
    usd,
)
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
# Each provider's always-on option: greys, told apart by dash pattern.
ALWAYS_ON_STYLES = (("#444444", ""), ("#777777", "10 4"), ("#222222", "3 3"))
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
    runs: bool = True  # False: the target has a blocker, it cannot run the workload
    title: str = ""  # the full label, where the legend shortens it


@dataclass(frozen=True)
class Marker:
    label: str
    x: float
    y: float
    color: str
    runs: bool = True  # False: faint, as its target's line


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
    x_axis: str  # the axis title, with the unit of its ticks
    apart_y: float | None  # where the legend's "cannot run it" heading stands


def cannot_run(result: Result) -> bool:
    """A target with a blocker cannot run the workload as described: drawn apart."""
    return any(f.severity == "blocker" for f in result.active)


def _money_tick(usd: float) -> str:
    """An axis label in one style at every magnitude: $0.01, $0.1, $1, $10, $1k, $1M."""
    for divisor, suffix in ((1e6, "M"), (1e3, "k")):
        if usd >= divisor:
            return f"${usd / divisor:g}{suffix}"
    return f"${usd:g}"


def _rate(per_second: float) -> str:
    for unit, seconds in (("s", 1), ("min", 60), ("h", 3600), ("day", 86400)):
        amount = per_second * seconds
        if amount >= 1:
            return f"{amount:.3g}/{unit}"
    return f"{per_second * 730 * 3600:.3g}/month"


def _log_ticks(low: float, high: float, place: Any, label: Any) -> tuple[Tick, ...]:
    """A tick at every power of ten in range (over more than nine, every second or third
    one: always the same step), and at 2 and 5 times each when fewer than three would show."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    step = 1 if last - first <= 9 else 2 if last - first <= 18 else 3
    exponents = [e for e in range(first, last + 1) if e % step == 0]
    values = [10.0**e for e in exponents if low <= 10.0**e <= high]
    if len(values) < 3:
        values = [
            m * 10.0**e
            for e in range(first - 1, last + 1)
            for m in (1, 2, 5)
            if low <= m * 10.0**e <= high
        ]
    return tuple(Tick(round(place(value), 1), label(value)) for value in values)


def cost_chart(results: list[Result]) -> CostChart | None:
    """Monthly cost against average traffic, log-log: each target's serverless bill and each
    provider's always-on option, both moving with the traffic. Targets that cannot run the
    workload (a blocker) come last, faint, under their own heading in the legend."""
    priced = [r for r in results if r.cost is not None and r.cost.curve]
    priced.sort(key=cannot_run)  # stable: report order within each group
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

    runnable = [r for r in priced if not cannot_run(r)]
    blocked = [r for r in priced if cannot_run(r)]
    series: list[Series] = []
    markers: list[Marker] = []
    fleets: dict[str, tuple[str, list[tuple[float, float]]]] = {}
    for index, result in enumerate(runnable + blocked):
        assert result.cost is not None
        color, dash = SERIES_STYLES[index % len(SERIES_STYLES)]
        points = [(p.per_second, p.monthly_usd) for p in result.cost.curve]
        runs = not cannot_run(result)
        series.append(Series(result.target, color, dash, path(points), 0.0, "serverless", runs, ""))
        fleet = result.cost.always_on
        fleet_points = [
            (p.per_second, p.always_on_usd)
            for p in result.cost.curve
            if p.always_on_usd is not None
        ]
        if fleet is not None and fleet_points:
            fleets.setdefault(fleet.baseline, (fleet_label(fleet), fleet_points))
        even = result.cost.break_even
        if even is not None and fleet_points:
            bill = result.cost.serverless
            bound = "≤ " if bill is not None and bill.unpriced else ""  # the bill is a floor
            label = f"{result.target} break-even: {bound}{even.rate}"
            level = _at(fleet_points, even.per_second)
            markers.append(
                Marker(label, round(x(even.per_second), 1), round(y(level), 1), color, runs)
            )
    for index, (baseline, (label, points)) in enumerate(fleets.items()):
        color, dash = ALWAYS_ON_STYLES[index % len(ALWAYS_ON_STYLES)]
        series.append(
            Series(
                f"always-on ({baseline})",
                color,
                dash,
                path(points),
                0.0,
                "always-on",
                True,
                f"always-on: {label}",
            )
        )
    # The legend: the targets that can run it and the always-on options, then a heading and
    # the targets that cannot.
    drawn = [s for s in series if s.runs] + [s for s in series if not s.runs]
    legend: list[Series] = []
    apart_y = None
    slot = 0
    for item in drawn:
        if not item.runs and apart_y is None:
            apart_y = _legend_y(slot) + 4
            slot += 1
        legend.append(dataclasses.replace(item, legend_y=_legend_y(slot)))
        slot += 1
    first = priced[0]
    traffic = first.cost.per_second if first.cost else None
    workload = first.workload
    description = (
        f"Monthly cost in US dollars (log scale) against average requests (log scale) for "
        f"{workload} on {', '.join(r.target for r in runnable) or 'no target that can run it'}"
        + (", with each provider's always-on option" if fleets else "")
        + (f"; apart, faint, the targets that cannot run it: {_names(blocked)}" if blocked else "")
        + ". Break-even points mark where a serverless line crosses an always-on line."
    )
    unit, seconds = _rate_unit(x_low)
    return CostChart(
        title=f"Monthly cost against traffic: {workload}",
        description=description,
        series=tuple(legend),
        break_evens=tuple(markers),
        traffic_x=round(x(traffic), 1) if traffic else None,
        traffic_label=f"this workload: {_rate(traffic)}" if traffic else "",
        x_ticks=_log_ticks(
            x_low * seconds,
            x_high * seconds,
            lambda value: x(value / seconds),
            lambda value: f"{_compact(value)}/{unit}",
        ),
        y_ticks=_log_ticks(y_low, y_high, y, _money_tick),
        x_axis=f"average requests a {RATE_UNIT_WORDS[unit]} (log scale)",
        apart_y=apart_y,
    )


def _names(results: list[Result]) -> str:
    return ", ".join(result.target for result in results)


def _compact(value: float) -> str:
    for divisor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= divisor:
            return f"{value / divisor:g}{suffix}"
    return f"{value:g}"


# The traffic axis counts requests in one unit of time, the shortest in which the chart's
# lowest rate is at least 0.1, so that its ticks are powers of ten in that one unit.
RATE_UNITS = (("s", 1.0), ("min", 60.0), ("h", 3600.0), ("day", 86400.0), ("month", 730 * 3600.0))
RATE_UNIT_WORDS = {"s": "second", "min": "minute", "h": "hour", "day": "day", "month": "month"}


def _rate_unit(low: float) -> tuple[str, float]:
    for unit, seconds in RATE_UNITS:
        if low * seconds >= 0.1:
            return unit, seconds
    return RATE_UNITS[-1]


def _at(points: list[tuple[float, float]], rate: float) -> float:
    """A curve's value at `rate`, interpolated on the log-log scale the chart draws."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= rate <= x1 and x1 > x0 and y0 > 0 and y1 > 0:
            share = (math.log(rate) - math.log(x0)) / (math.log(x1) - math.log(x0))
            return math.exp(math.log(y0) + share * (math.log(y1) - math.log(y0)))
    return min(points, key=lambda point: abs(point[0] - rate))[1]


def _legend_y(index: int) -> float:
    return TOP + 10 + index * 30


def _dimensions(result: Result) -> list[dict[str, Any]]:
    """Each dimension as a bar from the neutral 50 (where it starts): up in green, down in
    red, none when no finding moved it, so that the chart says what moved and which way."""
    rows = []
    for d in result.dimensions:
        moved = d.score - 50
        width = round(abs(moved), 1)  # in % of the track, which spans 0 to 100 points
        rows.append(
            {
                "name": d.name,
                "score": d.score,
                "weight": d.weight,
                "width": width,
                "left": round(50 - (width if moved < 0 else 0), 1),
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


def _bills(results: list[Result]) -> list[dict[str, Any]]:
    """Each target's bill and its provider's always-on option, in words: the targets that
    can run the workload first."""
    rows = []
    for result in sorted(results, key=cannot_run):
        cost = result.cost
        if cost is None or cost.serverless is None:
            continue
        bill = cost.serverless
        fleet = cost.always_on
        rows.append(
            {
                "target": result.target,
                "runs": not cannot_run(result),
                "serverless": ("≥ " if bill.unpriced else "") + usd(bill.monthly_usd),
                "serverless_parts": "; ".join((items_text(bill), *bill.notes)),
                "always_on": usd(fleet.monthly_usd) if fleet else "not sized",
                "always_on_parts": "; ".join((items_text(fleet), sizing_text(fleet), *fleet.notes))
                if fleet
                else "give duration.typical and resources.memory to size it",
            }
        )
    return rows


def _best(results: list[Result]) -> Result:
    return next((r for r in results if r.best_fit), results[0])


# The page's own anchors, which no workload's may take.
PAGE_IDS = frozenset({"contents-heading", "overview-heading", "overview", "spend", "savings"})
PAGE_IDS |= {"risks", "errors-heading", "contents", "errors"}
TOC_LIMIT = 200  # workloads listed in the contents; the overview table lists them all


def _ids(summary: Portfolio) -> list[str]:
    """Each workload's anchor: its name as a slug, numbered when two share one."""
    used: set[str] = set(PAGE_IDS)
    return [_slug(row.workload, used) for row in summary.rows]


def _groups(report: CompleteReport, summary: Portfolio) -> Iterator[dict[str, Any]]:
    """The second pass: each workload's section, its charts built as it is written."""
    rows = zip(_ids(summary), summary.rows, strict=True)
    for (anchor, row), results in zip(rows, by_workload(report.iter_results()), strict=True):
        best = _best(results)
        yield {
            "id": anchor,
            "name": row.workload,
            "file": best.file,
            "description": best.description,
            "results": sorted(results, key=cannot_run),  # those that can run it first
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
    summary = portfolio(report.iter_results())
    return template.generate(
        report=report,
        summary=summary,
        summary_only=options.summary_only,
        overview=list(zip(_ids(summary), summary.rows, strict=True)),
        groups=iter(()) if options.summary_only else _groups(report, summary),
        # the counts sit above the overview table: workloads at their best target, as it has
        counts=[(VERDICT_LABELS[v], v, count) for v, count in summary.by_verdict.items()],
        cannot_run=cannot_run,
        money=lambda amount, floor=False: money(amount, floor, "not priced"),
        saving_words=saving_words,
        change_words=change_words,
        unresolved_words=unresolved_words,
        toc_limit=TOC_LIMIT,
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
