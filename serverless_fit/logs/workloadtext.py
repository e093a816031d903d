"""A workload file written from measured figures: each measured field with a comment saying
where it came from, the fields a log cannot give from options or left for the user."""

from __future__ import annotations

import datetime as dt
import json
import re

from serverless_fit.format.units import Duration, Rate, Size, nice_amount
from serverless_fit.logs.figures import Figures, Percentiles, Traffic
from serverless_fit.logs.reader import LogSummary

COMMENT_COLUMN = 34


def _line(indent: str, key: str, value: str, comment: str) -> str:
    body = f"{indent}{key}: {value}"
    return f"{body:<{COMMENT_COLUMN}} # {comment}" if comment else body


def _ms(milliseconds: float) -> str:
    return str(Duration.from_seconds(nice_amount(milliseconds) / 1000))


def _bytes(count: float) -> str:
    return str(Size.from_bytes(count))


def _rate(per_second: float) -> str:
    return str(Rate.from_per_second(nice_amount(per_second)))


def _day(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M")


def _how(values: Percentiles) -> str:
    return "exact" if values.exact else "sketch, within 1%"


def _scalar(text: str) -> str:
    plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_./-]*", text)
    return text if plain else json.dumps(text, ensure_ascii=False)


def workload_text(figures: Figures, summary: LogSummary, name: str, archetype: str | None) -> str:
    formats = ", ".join(summary.formats())
    lines = ["# Measured by serverless-fit measure from " + _source(figures, summary) + "."]
    lines.append(f"# Log format: {formats}; files: {', '.join(f for f, _ in summary.files)}")
    if summary.bad:
        lines.append(f"# Bad lines skipped: {summary.bad:,} (the first few shown by the command).")
    lines.append(_line("", "name", _scalar(name), "set with --name"))
    if archetype is None:
        lines.append(_line("", "archetype", "other", "not in a log: set it (api, batch-job, ...)"))
    else:
        lines.append(_line("", "archetype", archetype, "set with --archetype"))
    lines += _traffic(figures)
    lines += _duration(figures)
    lines += _resources(figures)
    if figures.invocations:
        lines += _cold_starts(figures)
    return "\n".join(lines) + "\n"


def _source(figures: Figures, summary: LogSummary) -> str:
    text = f"{figures.requests:,} requests"
    if figures.first is not None and figures.last is not None:
        days = (figures.last - figures.first) / 86_400
        text += f", {_day(figures.first)} to {_day(figures.last)} UTC ({days:,.1f} days)"
    return text


def _traffic(figures: Figures) -> list[str]:
    traffic = figures.traffic
    if traffic is None:
        return ["", "# traffic: not measured (fewer than two timed requests, or all at once)"]
    lines = ["", _line("", "traffic", "", "measured")]
    average = traffic.average_per_second
    minute_rate = traffic.peak_minute / 60
    if traffic.pattern is None:
        lines.append("  # pattern: not measured (the log spans less than an hour)")
    else:
        why = f"1-min peak {minute_rate / average:.1f}x the average; busy minutes "
        why += f"{traffic.busy_minutes:.0%}"
        lines.append(_line("  ", "pattern", traffic.pattern, why))
    lines.append(_line("  ", "average", _rate(average), "(requests - 1) / logged period"))
    peak = _rate(max(traffic.peak_second, average))
    lines.append(_line("  ", "peak", peak, f"busiest second; busiest minute {_rate(minute_rate)}"))
    active = nice_amount(traffic.active_hours_per_day)
    lines.append(_line("  ", "active_hours_per_day", f"{active:g}", "hours with a request"))
    lines += _profile(figures, traffic)
    if traffic.interval is not None:
        interval = str(Duration.from_seconds(traffic.interval))
        lines.append(_line("  ", "interval", interval, "median time between runs"))
    return lines


def _profile(figures: Figures, traffic: Traffic) -> list[str]:
    """The day's shape, from a log of a day or more: a shorter one cannot tell it. The
    busiest hour it implies never exceeds the measured peak."""
    assert figures.first is not None and figures.last is not None
    if figures.last - figures.first < 86_400:
        return ["  # profile: not measured (the log spans less than a day)"]
    weights = [round(share * 100, 1) for share in traffic.profile]
    average = traffic.average_per_second
    busiest = average * 24 * max(weights) / sum(weights)
    if busiest > max(traffic.peak_second, average):
        return ["  # profile: not measured (the log's days are too uneven for one shape)"]
    text = ", ".join(f"{weight:g}" for weight in weights)
    return [f"  profile: [{text}]  # % of requests in each hour (UTC)"]


def _duration(figures: Figures) -> list[str]:
    duration = figures.duration
    if duration is None:
        return ["", "# duration: not in this log"]
    return [
        "",
        _line("", "duration", "", f"measured ({_how(duration)})"),
        _line("  ", "typical", _ms(duration.p50), f"p50; p99 {_ms(duration.p99)}"),
        _line("  ", "max", _ms(duration.maximum), "the longest logged"),
    ]


def _resources(figures: Figures) -> list[str]:
    lines: list[str] = []
    if figures.memory_size_mb is not None:
        used = figures.memory_used
        note = f"configured; used p99 {used.p99:g}MB, max {used.maximum:g}MB" if used else ""
        lines.append(_line("  ", "memory", f"{figures.memory_size_mb}MiB", note))
    if figures.payload is not None:
        payload = figures.payload
        lines.append(
            _line(
                "  ",
                "payload",
                _bytes(payload.maximum),
                f"largest response; p99 {_bytes(payload.p99)} ({_how(payload)})",
            )
        )
    if not lines:
        return []
    return ["", _line("", "resources", "", "measured"), *lines]


def _cold_starts(figures: Figures) -> list[str]:
    share = figures.cold_starts / figures.invocations
    text = (
        f"# Cold starts measured: {figures.cold_starts:,} of {figures.invocations:,} "
        f"invocations ({share:.2%})"
    )
    if figures.init is not None:
        text += f"; init p50 {_ms(figures.init.p50)}, p99 {_ms(figures.init.p99)}"
    return ["", text + "."]
