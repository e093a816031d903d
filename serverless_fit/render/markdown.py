"""Markdown for a pull-request comment or a job summary: a table, then the top findings.

Written in two passes over the results (the table, then the details), so that a large batch
is never held in memory whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from serverless_fit.portfolio import Portfolio, portfolio
from serverless_fit.render.costwords import (
    change_words,
    fleet_label,
    money,
    saving_words,
    unresolved_words,
)
from serverless_fit.report import CompleteReport, RenderOptions, Result, counted

TABLE_HEAD = (
    "| workload | target | verdict | score | confidence | blockers and risks | per month "
    "| always-on |\n"
    "| --- | --- | --- | ---: | ---: | --- | ---: | ---: |\n"
)
TOP_FINDINGS = 3  # blockers and risks shown per workload and target
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!])")
_VERDICT = {
    "good-fit": "good fit",
    "fit-with-mitigations": "fit with mitigations",
    "poor-fit": "poor fit",
}


# What a pull-request comment would turn into a notification or a link: `@name` mentions
# (and e-mail addresses), `#12` and `GH-12` references are escaped or broken above; bare URLs
# (`scheme://`, `www.`) are broken here by a zero-width space written as an entity, as
# Dependabot does for mentions, so the text reads the same and links and pings nobody.
_MENTION = re.compile(r"@")
_BARE_LINK = re.compile(r"(?i)(?<=[a-z0-9])(://)|\b(www)(\.)")
ZERO_WIDTH = "&#8203;"


def _unlink(match: re.Match[str]) -> str:
    if match.group(1):
        return ":" + ZERO_WIDTH + "//"
    return match.group(2) + ZERO_WIDTH + match.group(3)


def escape(text: str) -> str:
    """User text (names, descriptions, values in messages) as literal Markdown, on one line,
    that mentions and links nobody."""
    flat = " ".join(text.split())
    literal = _SPECIAL.sub(r"\\\1", flat.replace("&", "&amp;"))
    literal = _MENTION.sub("@" + ZERO_WIDTH, literal)
    return _BARE_LINK.sub(_unlink, literal)


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


def stream(report: CompleteReport, options: RenderOptions) -> Iterator[str]:
    """Each section ends in a blank line; the last one's is dropped, so the file ends in one
    line break."""
    held = ""
    for chunk in _sections(report, options):
        if held:
            yield held
        held = chunk
    yield held.removesuffix("\n")


def _sections(report: CompleteReport, options: RenderOptions) -> Iterator[str]:
    summary = portfolio(report.iter_results())
    counts = ", ".join(f"{count} {_VERDICT[v]}" for v, count in summary.by_verdict.items())
    out: list[str] = [
        "## serverless-fit",
        "",
        f"{counted(summary.workloads, 'workload')} "
        f"({counted(summary.results, 'result')}, one per workload and target); "
        f"each at its best target: {counts}.",
        "",
    ]
    if report.gated:
        failed = report.failed_count
        out.append(
            f"**Thresholds: {counted(failed, 'result')} failed.**"
            if failed
            else "Thresholds: passed."
        )
        out.append("")
    if report.errors:
        files = len({e.file for e in report.errors})
        out.append(f"**{counted(files, 'file')} could not be assessed** (see below).")
        out.append("")
    yield "\n".join(out) + "\n"
    yield from _portfolio(summary)
    if options.summary_only:
        return
    compared = report.compared()
    if compared:  # several targets: every result, not only each workload's best
        yield "### Every target\n\n" + TABLE_HEAD
        for r in report.iter_results():
            best = " (best)" if r.best_fit and (r.file, r.workload) in compared else ""
            mark = " ❌" if r.failures else ""
            yield (
                f"| {escape(r.workload)}{mark} | {r.target}{best} | {_VERDICT[r.verdict]} "
                f"| {r.score:g} | {r.confidence:.0%} | {_issues(r)} | {_bill(r)} "
                f"| {_always_on(r)} |\n"
            )
        yield "\n"
    for result in report.iter_results():
        details = _details(result)
        if details:
            yield "\n".join(details) + "\n"
    if report.errors:
        out = ["### Files that could not be assessed", ""]
        out += [f"- {escape(str(problem))}" for problem in report.errors]
        out.append("")
        yield "\n".join(out) + "\n"


def _portfolio(summary: Portfolio) -> Iterator[str]:
    """The portfolio summary under the counts, a row at a time: a row per workload at its
    best target, the spend both ways, the biggest savings and risks (README, "Portfolio
    summary")."""
    if not summary.rows:
        return
    yield (
        "| workload | best target | verdict | score | confidence | blockers and risks "
        "| serverless a month | always-on a month |\n"
        "| --- | --- | --- | ---: | ---: | --- | ---: | ---: |\n"
    )
    for row in summary.rows:
        mark = " ❌" if row.failed else ""
        yield (
            f"| {escape(row.workload)}{mark} | {escape(row.target_name)} "
            f"| {_VERDICT[row.verdict]} | {row.score:g} | {row.confidence:.0%} "
            f"| {', '.join(row.issues) or '-'} "
            f"| {money(row.serverless_usd, row.serverless_floor)} "
            f"| {money(row.always_on_usd)} |\n"
        )
    out = [""]
    spend = summary.spend
    if spend.workloads:
        out += [
            f"**Monthly spend** of the {counted(spend.workloads, 'workload')} priced both ways "
            f"(of {summary.workloads}), each at its best target: all serverless "
            f"{money(spend.serverless_usd, spend.floor)}; all always-on "
            f"{money(spend.always_on_usd)}; each on the cheaper option that can run it "
            f"{money(spend.cheaper_usd, spend.cheaper_floor)}.",
            "",
        ]
    if summary.savings:
        out += ["**Biggest savings**, the cheaper option of each workload:", ""]
        for row in summary.savings:
            cheaper, amount = saving_words(row)
            out.append(f"- {escape(row.workload)}: {cheaper} saves {amount} a month")
        out.append("")
    if summary.risks:
        out += ["**Biggest risks**, at the best target:", ""]
        for row in summary.risks:
            more = len(row.issues) - 1
            out.append(
                f"- {escape(row.workload)} ({_VERDICT[row.verdict]}): {escape(row.reason or '')}"
                + (f" (and {more} more)" if more else "")
            )
        out.append("")
    if summary.frequent:
        found = "; ".join(
            f"{item.rule} {escape(item.title)} ({counted(item.workloads, 'workload')})"
            for item in summary.frequent
        )
        out += [f"**Found in more than one workload:** {found}.", ""]
    yield "\n".join(out) + "\n"


def _details(result: Result) -> list[str]:
    shown = [f for f in result.active if f.severity in ("blocker", "risk")][:TOP_FINDINGS]
    if not shown and not result.failures and not result.measured:
        return []
    out = [f"### {escape(result.workload)} on {result.target_name} ({code_span(result.file)})", ""]
    if result.measured:
        out += [f"_{escape(result.measured)}_", ""]
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
                out.append(f"  - What would clear it: {escape(change_words(change))}")
    if result.plan is not None:
        plan = result.plan
        out.append(f"- **Plan:** {escape(plan.summary)}; verdict with it: {plan.verdict}")
    if result.unresolved:
        out.append(f"- {escape(unresolved_words(result.unresolved))}")
    out.append("")
    return out


def render(report: CompleteReport, options: RenderOptions) -> str:
    return "".join(stream(report, options))
