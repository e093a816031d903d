"""The terminal report for architects: verdict, score, dimensions, findings, cost, gaps."""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from serverless_fit.report import Finding, RenderOptions, Report, Result

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


def render(report: Report, options: RenderOptions) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    for index, result in enumerate(report.results):
        if index:
            console.print()
        console.print(_result(result))
    if len(report.results) + len(report.errors) > 1 or report.errors:
        console.print(_summary(report))
    return buffer.getvalue()


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
    if result.cost is not None:
        parts.append(_cost(result))
    parts.append(_breakdown(result))
    if result.not_assessed:
        parts.append(_not_assessed(result))
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
    table = Table(title="Dimensions", title_justify="left", show_edge=False, pad_edge=False)
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
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False, expand=True)
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


def _cost(result: Result) -> Table:
    cost = result.cost
    assert cost is not None
    table = Table(
        title="Monthly cost (USD"
        + (", free tier included)" if cost.free_tier else ", no free tier)"),
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("option")
    table.add_column("per month", justify="right")
    table.add_column("made of")
    items = ", ".join(f"{name} ${usd:,.2f}" for name, usd in cost.serverless.items.items())
    table.add_row(result.target_name, f"${cost.serverless.monthly_usd:,.2f}", items)
    if cost.always_on is not None:
        fleet = f"{cost.always_on.count} x {cost.always_on.instance} ({cost.always_on.baseline})"
        table.add_row("always-on", f"${cost.always_on.monthly_usd:,.2f}", fleet)
    if cost.ratio is not None:
        table.add_row("ratio", f"{cost.ratio:.2f}x", "serverless / always-on")
    if cost.break_even is not None:
        table.add_row("break-even", cost.break_even.rate, "average rate where both cost the same")
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
    table = Table(
        title="Not assessed (add these fields to decide them)",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("rule", no_wrap=True, style="dim")
    table.add_column("check")
    table.add_column("add")
    for item in result.not_assessed:
        table.add_row(item.rule, item.title, ", ".join(item.fields))
    return table


def _summary(report: Report) -> Text:
    counts = report.summary
    text = Text("\n")
    text.append(f"{len(report.results)} results: ")
    text.append(", ".join(f"{count} {verdict}" for verdict, count in counts.items()))
    if report.errors:
        files = len({e.file for e in report.errors})
        text.append(f"; {files} file(s) with errors", style="red")
    return text
