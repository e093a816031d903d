"""Plain text for pipes and logs: one line per result and per finding, `file:line:` first."""

from __future__ import annotations

from serverless_fit.report import RenderOptions, Report, Result

SHOWN = ("blocker", "risk", "info")  # benefits are in the other formats


def _bill(result: Result) -> str:
    bill = result.cost.serverless if result.cost else None
    if bill is None:
        return ""
    lower_bound = "at least " if bill.unpriced else ""
    return f", {lower_bound}${bill.monthly_usd:,.2f} a month"


def _line(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file


def render(report: Report, options: RenderOptions) -> str:
    lines: list[str] = []
    compared = report.compared()
    for result in report.results:
        several = (result.file, result.workload) in compared
        best = " (best fit)" if result.best_fit and several else ""
        lines.append(
            f"{result.file}: {result.workload} on {result.target}{best}: {result.verdict}, "
            f"score {result.score:g}/100{_bill(result)}"
        )
        for finding in result.active:
            if finding.severity not in SHOWN:
                continue
            located = next((e.line for e in finding.evidence if e.line is not None), None)
            lines.append(
                f"{_line(result.file, located)}: {finding.severity} {finding.rule}: "
                f"{finding.message}"
            )
        for item in result.evaluations:
            lines.append(f"{result.file}: rule {item.rule} {item.outcome}: {item.why}")
        for change in result.counterfactuals:
            lines.append(f"{result.file}: what-if {change.rule}: {change.effect}")
        for reason in result.failures:
            lines.append(f"{result.file}: FAIL {result.workload} on {result.target}: {reason}")
    counts = ", ".join(f"{count} {verdict}" for verdict, count in report.summary.items())
    summary = f"{len(report.results)} results: {counts}"
    if report.gated:
        failed = sum(1 for r in report.results if r.failures)
        summary += f"; {failed} failed the thresholds" if failed else "; thresholds passed"
    if report.errors:
        summary += f"; {len({e.file for e in report.errors})} file(s) with errors"
    lines.append(summary)
    return "\n".join(lines) + "\n"
