"""The workload fields measured from a log, each with a comment saying where it came from; a
new workload file written from them, the fields a log cannot give from options or left for
the user (README, "Measured figures")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from serverless_fit.format.units import Duration, Rate, Size, nice_amount
from serverless_fit.format.yamltext import line, scalar
from serverless_fit.measure.figures import Figures, Percentiles, Traffic
from serverless_fit.measure.reader import LogSummary

FILES_SHOWN = 5  # log files named in the header; a folder of node logs is summed up
SECTIONS = ("traffic", "duration", "resources")


@dataclass(frozen=True)
class Measured:
    """A workload field as measured: its dotted path, its YAML value, where it came from."""

    path: str
    value: str
    comment: str


@dataclass(frozen=True)
class Measurements:
    fields: tuple[Measured, ...]
    notes: dict[str, tuple[str, ...]]  # per section: what could not be measured, and why
    cold_starts: str | None  # measured cold starts, a comment (the format has no field)


def _ms(milliseconds: float) -> str:
    return str(Duration.from_seconds(nice_amount(milliseconds) / 1000))


def _bytes(count: float) -> str:
    return str(Size.from_bytes(count))


def _rate(per_second: float) -> str:
    return str(Rate.from_per_second(nice_amount(per_second)))


def day(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M")


def _how(values: Percentiles) -> str:
    return "exact" if values.exact else "sketch, within 1%"


def source(figures: Figures, summary: LogSummary) -> str:
    """`4,211,907 requests, 2026-11-01 00:00 to 2026-11-30 23:59 UTC (30.0 days), ALB access
    log`: what the figures were measured from."""
    text = f"{figures.requests:,} requests"
    if figures.first is not None and figures.last is not None:
        days = (figures.last - figures.first) / 86_400
        text += f", {day(figures.first)} to {day(figures.last)} UTC ({days:,.1f} days)"
    return f"{text}, {', '.join(summary.formats())}"


def measurements(figures: Figures) -> Measurements:
    fields: list[Measured] = []
    notes: dict[str, list[str]] = {section: [] for section in SECTIONS}
    traffic = figures.traffic
    if traffic is None:
        notes["traffic"].append("not measured (fewer than two timed requests, or all at once)")
    else:
        _traffic(figures, traffic, fields, notes["traffic"])
    duration = figures.duration
    if duration is None:
        notes["duration"].append("not in this log")
    else:
        fields.append(
            Measured(
                "duration.typical",
                _ms(duration.p50),
                f"p50; p99 {_ms(duration.p99)} ({_how(duration)})",
            )
        )
        fields.append(Measured("duration.max", _ms(duration.maximum), "the longest logged"))
    if figures.memory_size_mb is not None:
        used = figures.memory_used
        note = (
            f"configured; used p99 {used.p99:g}MB, max {used.maximum:g}MB" if used else "configured"
        )
        fields.append(Measured("resources.memory", f"{figures.memory_size_mb}MiB", note))
    if figures.payload is not None:
        payload = figures.payload
        note = f"largest response; p99 {_bytes(payload.p99)} ({_how(payload)})"
        fields.append(Measured("resources.payload", _bytes(payload.maximum), note))
    cold = None
    if figures.invocations:
        share = figures.cold_starts / figures.invocations
        cold = (
            f"Cold starts measured: {figures.cold_starts:,} of {figures.invocations:,} "
            f"invocations ({share:.2%})"
        )
        if figures.init is not None:
            cold += f"; init p50 {_ms(figures.init.p50)}, p99 {_ms(figures.init.p99)}"
        cold += "."
    return Measurements(
        tuple(fields), {section: tuple(items) for section, items in notes.items()}, cold
    )


def _traffic(figures: Figures, traffic: Traffic, fields: list[Measured], notes: list[str]) -> None:
    average = traffic.average_per_second
    minute_rate = traffic.peak_minute / 60
    if traffic.pattern is None:
        notes.append("pattern: not measured (the log spans less than an hour)")
    else:
        why = (
            f"minute/hour {traffic.minute_ratio:.1f}x, hour/day {traffic.hour_ratio:.1f}x, "
            f"busy minutes {traffic.busy_minutes:.0%}"
        )
        fields.append(Measured("traffic.pattern", traffic.pattern, why))
    fields.append(Measured("traffic.average", _rate(average), "(requests - 1) / logged period"))
    peak = _rate(max(traffic.peak_second, average))
    fields.append(
        Measured("traffic.peak", peak, f"busiest second; busiest minute {_rate(minute_rate)}")
    )
    active = f"{nice_amount(traffic.active_hours_per_day):g}"
    fields.append(Measured("traffic.active_hours_per_day", active, "hours with a request"))
    profile = _profile(figures, traffic)
    if profile.startswith("["):
        fields.append(Measured("traffic.profile", profile, "% of requests in each hour (UTC)"))
    else:
        notes.append(f"profile: {profile}")
    if traffic.interval is not None:
        interval = str(Duration.from_seconds(traffic.interval))
        fields.append(Measured("traffic.interval", interval, "median time between runs"))


def _profile(figures: Figures, traffic: Traffic) -> str:
    """The day's shape as a flow list, from a log of a day or more (a shorter one cannot tell
    it), or why there is none. The busiest hour it implies never exceeds the measured peak."""
    assert figures.first is not None and figures.last is not None
    if figures.last - figures.first < 86_400:
        return "not measured (the log spans less than a day)"
    weights = [round(share * 100, 1) for share in traffic.profile]
    average = traffic.average_per_second
    busiest = average * 24 * max(weights) / sum(weights)
    if busiest > max(traffic.peak_second, average):
        return "not measured (the log's days are too uneven for one shape)"
    return "[" + ", ".join(f"{weight:g}" for weight in weights) + "]"


def workload_text(figures: Figures, summary: LogSummary, name: str, archetype: str | None) -> str:
    found = measurements(figures)
    lines = header(figures, summary)
    lines.append(line("", "name", scalar(name), "set with --name"))
    if archetype is None:
        lines.append(line("", "archetype", "other", "not in a log: set it (api, batch-job, ...)"))
    else:
        lines.append(line("", "archetype", archetype, "set with --archetype"))
    for section in SECTIONS:
        members = [f for f in found.fields if f.path.startswith(f"{section}.")]
        notes = found.notes[section]
        if not members and not notes:
            continue
        lines.append("")
        if members:
            lines.append(line("", section, "", "measured"))
        for field in members:
            lines.append(line("  ", field.path.split(".", 1)[1], field.value, field.comment))
        for note in notes:
            lines.append(f"  # {note}" if members else f"# {section}: {note}")
    if found.cold_starts:
        lines += ["", f"# {found.cold_starts}"]
    lines += ["", *NOT_IN_A_LOG]
    return "\n".join(lines) + "\n"


# What no log says: left for the user, said once at the end of a new file.
NOT_IN_A_LOG = (
    "# Not in a log, so left for you: runtime, latency (the p99 objective), state,",
    "# dependencies, constraints and team. `serverless-fit init` asks for each, and",
    "# `serverless-fit schema workload` describes every field.",
)


def header(figures: Figures, summary: LogSummary) -> list[str]:
    lines = [f"# Measured by serverless-fit measure from {source(figures, summary)}."]
    files = [file for file, _ in summary.files]
    shown = ", ".join(files[:FILES_SHOWN])
    more = len(files) - FILES_SHOWN
    lines.append(f"# Files: {shown}" + (f" and {more:,} more" if more > 0 else ""))
    if summary.bad:
        lines.append(f"# Bad lines skipped: {summary.bad:,} (the first few shown by the command).")
    return lines
