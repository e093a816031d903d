"""Markdown for a pull-request comment or a job summary: a table, then the top findings."""

from __future__ import annotations

import re

from serverless_fit.render.costwords import fleet_label
from serverless_fit.report import RenderOptions, Report, Result

TOP_FINDINGS = 3  # blockers and risks shown per workload and target
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!])")
_VERDICT = {
    "good-fit": "good fit",
    "fit-with-mitigations": "fit with mitigations",
    "poor-fit": "poor fit",
}


def escape(text: str) -> str:
    """User text (names, descriptions, values in messages) as literal Markdown, on one line."""
    flat = " ".join(text.split())
    return _SPECIAL.sub(r"\\\1", flat.replace("&", "&amp;"))


def code_span(text: str) -> str:
    """Text as a code span: backslashes are literal inside one, so it is fenced with more
    backticks than it holds in a row, never escaped."""
    flat = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _bill(result: Result) -> str:
    bill = result.cost.serverless if result.cost else None
    if bill is None:
        return "-"
    return ("≥ " if bill.unpriced else "") + f"${bill.monthly_usd:,.2f}"


def _always_on(result: Result) -> str:
    fleet = result.cost.always_on if result.cost else None
    if fleet is None:
        return "-"
    return f"${fleet.monthly_usd:,.2f} ({fleet_label(fleet)})"


def _issues(result: Result) -> str:
    rules = [f.rule for f in result.active if f.severity in ("blocker", "risk")]
    return ", ".join(rules) if rules else "-"


def render(report: Report, options: RenderOptions) -> str:
    out: list[str] = ["## serverless-fit", ""]
    counts = ", ".join(f"{count} {_VERDICT[v]}" for v, count in report.summary.items())
    out.append(f"{len(report.results)} results: {counts}.")
    if report.gated:
        failed = sum(1 for r in report.results if r.failures)
        out.append(
            f"**Thresholds: {failed} result(s) failed.**" if failed else "Thresholds: passed."
        )
    if report.errors:
        files = len({e.file for e in report.errors})
        out.append(f"**{files} file(s) could not be assessed** (see below).")
    out.append("")
    if report.results:
        out += [
            "| workload | target | verdict | score | blockers and risks | per month | always-on |",
            "| --- | --- | --- | ---: | --- | ---: | ---: |",
        ]
        compared = report.compared()
        for r in report.results:
            best = " (best)" if r.best_fit and (r.file, r.workload) in compared else ""
            mark = " ❌" if r.failures else ""
            out.append(
                f"| {escape(r.workload)}{mark} | {r.target}{best} | {_VERDICT[r.verdict]} "
                f"| {r.score:g} | {_issues(r)} | {_bill(r)} | {_always_on(r)} |"
            )
        out.append("")
    for result in report.results:
        shown = [f for f in result.active if f.severity in ("blocker", "risk")][:TOP_FINDINGS]
        if not shown and not result.failures:
            continue
        out.append(
            f"### {escape(result.workload)} on {result.target_name} ({code_span(result.file)})"
        )
        out.append("")
        for reason in result.failures:
            out.append(f"- **Fails:** {escape(reason)}")
        for finding in shown:
            line = next((e.line for e in finding.evidence if e.line is not None), None)
            where = f" (line {line})" if line is not None else ""
            out.append(f"- **{finding.severity} {finding.rule}**{where}: {escape(finding.message)}")
            if finding.mitigation:
                out.append(f"  - Mitigation: {escape(finding.mitigation)}")
            for change in result.counterfactuals:
                if change.rule == finding.rule:
                    out.append(f"  - What would clear it: {escape(change.effect)}")
        out.append("")
    if report.errors:
        out += ["### Files that could not be assessed", ""]
        for problem in report.errors:
            out.append(f"- {escape(str(problem))}")
        out.append("")
    return "\n".join(out)
