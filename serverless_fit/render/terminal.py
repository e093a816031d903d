"""The terminal report for architects: verdict, score, dimensions, findings, cost, gaps."""

from __future__ import annotations

import io
from collections.abc import Iterator

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from serverless_fit.portfolio import portfolio
from serverless_fit.render.console import string_console, titled_table
from serverless_fit.render.costwords import change_words, items_text, sizing_text, unresolved_words
from serverless_fit.render.latencywords import latency_text
from serverless_fit.render.portfolioview import portfolio_view
from serverless_fit.report import (
    CompleteReport,
    Finding,
    RenderOptions,
    Result,
    break_even_words,
    by_workload,
    counted,
)

VERDICT_STYLE = {
    "good-fit": ("GOOD FIT", "bold green"),
    "fit-with-mitigations": ("FIT WITH MITIGATIONS", "bold yellow"),
    "poor-fit": ("POOR FIT", "bold red"),
}
SEVERITY_STYLE = {
    "blocker": ("BLOCKER", "bold red"),
    "risk": ("RISK", "yellow"),
    "info": ("INFO", "cyan"),
    "benefit": ("BENEFIT", "green"),
}
BAR_WIDTH = 20


def bar(score: float, width: int = BAR_WIDTH) -> Text:
    filled = round(score / 100 * width)
    style = "green" if score >= 60 else "yellow" if score >= 35 else "red"
    return Text.assemble(("█" * filled, style), ("░" * (width - filled), "dim"))


def stream(report: CompleteReport, options: RenderOptions) -> Iterator[str]:
    """A workload at a time: its results are consecutive, as the batch assesses a file at a
    time, so a large batch is never held in memory whole."""
    buffer = io.StringIO()
    console = string_console(buffer, options)
    summary = portfolio(report.iter_results())
    if options.summary_only or summary.workloads > 1:  # a folder: the overview first
        errors = len({e.file for e in report.errors})
        console.print(portfolio_view(summary, errors, options.width))
        if options.summary_only:
            yield buffer.getvalue()
            return
        console.print()
        console.rule("Details", style="dim")
        console.print()
    for index, group in enumerate(by_workload(report.iter_results())):
        if index:
            console.print()
        if len(group) > 1:
            best = next(r for r in group if r.best_fit)
            console.print(_comparison(group, best))
            console.print()
            console.print(_result(best))
        else:
            console.print(_result(group[0]))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if report.result_count + len(report.errors) > 1 or report.errors:
        console.print(_summary(report))
    yield buffer.getvalue()


def render(report: CompleteReport, options: RenderOptions) -> str:
    return "".join(stream(report, options))


def _monthly(result: Result) -> str:
    bill = result.cost.serverless if result.cost else None
    if bill is None:
        return "-"
    # A bill with parts whose price is unconfirmed is a lower bound.
    return f"≥ ${bill.monthly_usd:,.2f}" if bill.unpriced else f"${bill.monthly_usd:,.2f}"


def _reason(result: Result) -> str:
    """What most shapes the verdict: the first blocker's or risk's message, else a benefit."""
    for severity in ("blocker", "risk"):
        for finding in result.active:
            if finding.severity == severity:
                return f"{finding.rule}: {finding.message}"
    benefits = [f.title.lower() for f in result.active if f.severity == "benefit"]
    return "No blockers or risks" + (f"; {benefits[0]}" if benefits else "")


def _comparison(group: list[Result], best: Result) -> Group:
    first = group[0]
    table = titled_table(
        f"{first.workload} on {len(group)} targets   {first.file}",
    )
    table.add_column("target", no_wrap=True)
    table.add_column("verdict", min_width=11)  # wraps, word by word, before a number is cut
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("blockers", justify="right", no_wrap=True)
    table.add_column("monthly", justify="right", no_wrap=True)
    table.add_column("cold p99", justify="right", no_wrap=True)  # one line at 80 columns
    reasons = Table.grid(padding=(0, 2), expand=True)
    reasons.add_column(no_wrap=True)
    reasons.add_column(ratio=1)
    for result in group:
        label, style = VERDICT_STYLE[result.verdict]
        blockers = sum(1 for f in result.active if f.severity == "blocker")
        name = ("* " if result is best else "  ") + result.target
        table.add_row(
            Text(name, style="bold" if result is best else ""),
            Text(label.lower(), style=style),
            f"{result.score:g}",
            str(blockers),
            _monthly(result),
            result.cold_start_p99 or "-",
        )
        reasons.add_row(Text(name, style="dim"), _reason(result))
    label, style = VERDICT_STYLE[best.verdict]
    verdict = Text.assemble(
        "Best fit: ",
        (best.target_name, "bold"),
        " (",
        (label.lower(), style),
        f", score {best.score:g}",
        f", {_monthly(best)} a month)" if best.cost and best.cost.serverless else ")",
        (" - its details follow; --format json has every target", "dim"),
    )
    parts: list[Table | Text] = [table]
    costs = _cost_bars(group)
    if costs is not None:
        parts += [Text(), Text("Monthly cost", style="bold"), costs]
    parts += [Text(), Text("Main reason per target", style="bold"), reasons, Text(), verdict]
    return Group(*parts)


COST_BAR_WIDTH = 40


def _cost_bars(group: list[Result]) -> Table | None:
    """Each target's monthly bill, and the always-on fleet's, as bars on one scale."""
    rows: list[tuple[str, float, str]] = []
    for result in group:
        bill = result.cost.serverless if result.cost else None
        if bill is not None:
            rows.append((result.target, bill.monthly_usd, _monthly(result)))
    fleets: dict[str, float] = {}  # each provider's own always-on option, once
    for result in group:
        fleet = result.cost.always_on if result.cost else None
        if fleet is not None:
            fleets.setdefault(f"always-on ({fleet.baseline})", fleet.monthly_usd)
    rows += [(name, amount, "") for name, amount in fleets.items()]
    if len(rows) < 2:
        return None
    largest = max(usd for _, usd, _ in rows) or 1.0
    table = Table.grid(padding=(0, 2))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    for name, usd, text in rows:
        filled = max(1, round(usd / largest * COST_BAR_WIDTH)) if usd > 0 else 0
        style = "dim" if name.startswith("always-on") else "cyan"
        bar_text = Text.assemble(("█" * filled, style), ("░" * (COST_BAR_WIDTH - filled), "dim"))
        table.add_row(Text(f"  {name}"), bar_text, text or f"${usd:,.2f}")
    return table


def _result(result: Result) -> Group:
    label, style = VERDICT_STYLE[result.verdict]
    headline = Text.assemble(
        (f" {label} ", f"reverse {style}"),
        "  ",
        (result.workload, "bold"),
        " on ",
        (result.target_name, "bold"),
    )
    score_line = Text.assemble(
        "Score ",
        bar(result.score),
        f" {result.score:g}/100",
        ("   confidence ", "dim"),
        f"{result.confidence:.0%} ({_confidence_word(result.confidence)})",
        (f"   {result.file}", "dim"),
    )
    parts: list[Table | Text | Panel] = [headline, score_line]
    if result.description:
        parts.append(Text(result.description, style="italic"))
    if result.measured:
        parts.append(Text(result.measured, style="dim"))
    parts.append(_dimensions(result))
    for severity in ("blocker", "risk", "info"):
        found = [f for f in result.active if f.severity == severity]
        if found:
            parts.append(_findings(severity, found))
    benefits = [f for f in result.active if f.severity == "benefit"]
    if benefits:
        parts.append(_benefits(benefits))
    waived = [f for f in result.findings if f.waived]
    if waived:
        parts.append(_waived(waived))
    expired = [f for f in result.active if f.waiver is not None]
    for finding in expired:
        assert finding.waiver is not None
        parts.append(
            Text(
                f"Waiver for {finding.rule} expired on {finding.waiver.expires}: it applies again.",
                style="yellow",
            )
        )
    if result.plan is not None:
        parts.append(
            Text.assemble(
                ("Plan ", "bold"),
                f"{result.plan.summary}; verdict with it: {result.plan.verdict.replace('-', ' ')}",
            )
        )
    if result.counterfactuals:
        parts.append(_counterfactuals(result))
    if result.unresolved:
        parts.append(Text(unresolved_words(result.unresolved), style="yellow"))
    if result.latency is not None:
        parts.append(Text.assemble(("Latency ", "bold"), latency_text(result.latency)))
    if result.cost is not None:
        parts.append(_cost(result))
    parts.append(_breakdown(result))
    if result.not_assessed:
        parts.append(_not_assessed(result))
    if result.evaluations:
        parts.append(_evaluations(result))
    spaced: list[Table | Text | Panel] = []
    for _index, part in enumerate(parts):
        if isinstance(part, Table):
            spaced.append(Text())
        spaced.append(part)
    return Group(*spaced)


def _confidence_word(confidence: float) -> str:
    if confidence >= 0.8:
        return "high"
    return "medium" if confidence >= 0.5 else "low: add the fields listed below"


def _dimensions(result: Result) -> Table:
    table = titled_table("Dimensions")
    table.add_column("dimension")
    table.add_column("score", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("weight", justify="right")
    for dimension in result.dimensions:
        table.add_row(
            dimension.name,
            f"{dimension.score:g}",
            bar(dimension.score, 10),
            f"{dimension.weight:g}",
        )
    return table


def _evidence(finding: Finding) -> str:
    parts = []
    for item in finding.evidence:
        where = f" (line {item.line})" if item.line is not None else ""
        parts.append(f"{item.field} = {item.value}{where}")
    return "; ".join(parts)


def _rule_table(title: str, rule_style: str, body: str, last: str) -> Table:
    """A full-width table: rule id, a wrapping body column, and one narrow column."""
    table = titled_table(title, expand=True)
    table.add_column("rule", no_wrap=True, style=rule_style)
    table.add_column(body, ratio=1)
    table.add_column(last, justify="right", no_wrap=True)
    return table


def _findings(severity: str, findings: list[Finding]) -> Table:
    label, style = SEVERITY_STYLE[severity]
    title = f"{label.title()}s" if severity != "info" else "Notes"
    table = _rule_table(title, style, "finding", "points")
    for finding in findings:
        body = Text()
        body.append(finding.title, style="bold")
        body.append(f"\n{finding.message}")
        if finding.evidence:
            body.append(f"\nevidence: {_evidence(finding)}", style="dim")
        if finding.mitigation:
            body.append(f"\nmitigation: {finding.mitigation}", style="italic")
        claims = ", ".join(finding.claims)
        if claims:
            body.append(f"\nclaims: {claims}", style="dim")
        table.add_row(f"{finding.rule}\n{label}", body, f"{finding.contribution:+g}")
    return table


def _benefits(findings: list[Finding]) -> Table:
    table = _rule_table("Benefits", "green", "benefit", "points")
    for finding in findings:
        body = Text.assemble((finding.title, "bold"), f"\n{finding.message}")
        table.add_row(finding.rule, body, f"{finding.contribution:+g}")
    return table


def _waived(findings: list[Finding]) -> Table:
    table = _rule_table("Waived", "dim", "finding", "until")
    for finding in findings:
        assert finding.waiver is not None
        body = f"{finding.title}\nreason: {finding.waiver.reason}"
        table.add_row(finding.rule, body, finding.waiver.expires or "no expiry")
    return table


def _counterfactuals(result: Result) -> Table:
    table = _rule_table("What would change the answer", "bold", "change", "field")
    for change in result.counterfactuals:
        table.add_row(change.rule, change_words(change), change.field)
    return table


def _cost(result: Result) -> Table:
    cost = result.cost
    assert cost is not None
    table = titled_table(
        "Monthly cost (USD" + (", free tier included)" if cost.free_tier else ", no free tier)"),
    )
    table.add_column("option")
    table.add_column("per month", justify="right")
    table.add_column("made of")
    if cost.serverless is not None:
        bill = cost.serverless
        made_of = items_text(bill)
        if bill.notes:
            made_of += "\n" + "; ".join(bill.notes)
        table.add_row(result.target_name, _monthly(result), made_of)
    else:
        table.add_row(result.target_name, "-", "no published prices for this workload")
    if cost.always_on is not None:
        fleet = cost.always_on
        made_of = f"{items_text(fleet)}\n{sizing_text(fleet)}"
        if fleet.notes:
            made_of += "\n" + "; ".join(fleet.notes)
        table.add_row("always-on", f"${fleet.monthly_usd:,.2f}", made_of)
    # With unconfirmed prices the bill is a lower bound: so is the ratio, and the break-even
    # rate is an upper bound.
    partial = cost.serverless is not None and bool(cost.serverless.unpriced)
    if cost.ratio is not None:
        ratio = ("≥ " if partial else "") + f"{cost.ratio:.2f}x"
        table.add_row("ratio", ratio, "serverless / always-on")
    if cost.break_even is not None:
        rate = ("≤ " if partial else "") + cost.break_even.rate
        table.add_row("break-even", rate, "average rate where both cost the same")
    elif cost.ratio is not None:
        table.add_row("break-even", "none", break_even_words(cost.ratio, None))
    return table


def _breakdown(result: Result) -> Text:
    terms = " ".join(f"{f.contribution:+g} {f.rule}" for f in result.active if f.contribution)
    text = f"Score: {result.score_base:g} base {terms} = {result.score_unclamped:g}".replace(
        "  ", " "
    )
    if result.score != result.score_unclamped:
        text += f", clamped to {result.score:g}"
    return Text(text, style="dim")


def _not_assessed(result: Result) -> Table:
    table = titled_table(
        "Not assessed (add these fields to decide them)",
    )
    table.add_column("rule", no_wrap=True, style="dim")
    table.add_column("check")
    table.add_column("add")
    for item in result.not_assessed:
        needs = ", ".join(item.fields)
        if item.unpublished:
            gap = f"no published {result.target} figure: {', '.join(item.unpublished)}"
            needs = f"{needs}; {gap}" if needs else gap
        table.add_row(item.rule, item.title, needs)
    return table


OUTCOME_STYLE = {
    "fired": "bold",
    "waived": "dim",
    "quiet": "",
    "not assessed": "yellow",
    "not for this target": "dim",
    "not for this archetype": "dim",
}


def _evaluations(result: Result) -> Table:
    table = titled_table(
        f"Every rule on {result.target_name} (--verbose)",
        expand=True,
    )
    table.add_column("rule", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("why: the condition that decided it", ratio=1)
    for item in result.evaluations:
        table.add_row(item.rule, Text(item.outcome, style=OUTCOME_STYLE[item.outcome]), item.why)
    return table


def _summary(report: CompleteReport) -> Text:
    counts = report.summary
    text = Text("\n")
    text.append(f"{counted(report.result_count, 'result')}: ")
    text.append(", ".join(f"{count} {verdict}" for verdict, count in counts.items()))
    if report.errors:
        files = len({e.file for e in report.errors})
        text.append(f"; {counted(files, 'file')} with errors", style="red")
    return text
