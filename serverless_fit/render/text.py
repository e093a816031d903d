"""Plain text for pipes and logs: one line per result and per finding, `file:line:` first."""

from __future__ import annotations

from collections.abc import Iterator

from serverless_fit.render.costwords import change_words, fleet_label, unresolved_words
from serverless_fit.report import (
    RenderOptions,
    Report,
    ReportStream,
    Result,
    SpooledReport,
    by_workload,
    counted,
)

SHOWN = ("blocker", "risk", "info")  # benefits are in the other formats


def _bill(result: Result) -> str:
    bill = result.cost.serverless if result.cost else None
    if bill is None:
        return ""
    lower_bound = "at least " if bill.unpriced else ""
    text = f", {lower_bound}${bill.monthly_usd:,.2f} a month"
    fleet = result.cost.always_on if result.cost else None
    if fleet is not None:
        text += f" (always-on ${fleet.monthly_usd:,.2f}: {fleet_label(fleet)})"
    return text


def _line(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file


def _result_lines(result: Result, several: bool) -> Iterator[str]:
    best = " (best fit)" if result.best_fit and several else ""
    yield (
        f"{result.file}: {result.workload} on {result.target}{best}: {result.verdict}, "
        f"score {result.score:g}/100, confidence {result.confidence:.0%}{_bill(result)}"
    )
    if result.measured:
        yield f"{result.file}: measured: {result.measured}"
    for finding in result.active:
        if finding.severity not in SHOWN:
            continue
        located = next((e.line for e in finding.evidence if e.line is not None), None)
        yield f"{_line(result.file, located)}: {finding.severity} {finding.rule}: {finding.message}"
    for item in result.evaluations:
        yield f"{result.file}: rule {item.rule} {item.outcome}: {item.why}"
    if result.plan is not None:
        plan = result.plan
        yield f"{result.file}: plan: {plan.summary}; verdict with it: {plan.verdict}"
    for change in result.counterfactuals:
        yield f"{result.file}: what-if {change.rule}: {change_words(change)}"
    if result.unresolved:
        yield f"{result.file}: {unresolved_words(result.unresolved)}"
    for reason in result.failures:
        yield f"{result.file}: FAIL {result.workload} on {result.target}: {reason}"


def stream(report: Report | ReportStream | SpooledReport, options: RenderOptions) -> Iterator[str]:
    """Written as results arrive; a workload's targets are consecutive, so one group at a
    time tells which result is the best of several."""
    total = failed = 0
    for results in by_workload(report.iter_results()):
        for result in results:
            total += 1
            failed += bool(result.failures)
            yield "".join(f"{line}\n" for line in _result_lines(result, len(results) > 1))
    counts = ", ".join(f"{count} {verdict}" for verdict, count in report.summary.items())
    summary = f"{counted(total, 'result')}: {counts}"
    if report.gated:
        summary += f"; {failed} failed the thresholds" if failed else "; thresholds passed"
    if report.errors:
        summary += f"; {counted(len({e.file for e in report.errors}), 'file')} with errors"
    yield summary + "\n"


def render(report: Report, options: RenderOptions) -> str:
    return "".join(stream(report, options))
