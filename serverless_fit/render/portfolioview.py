"""The portfolio summary in the terminal: workloads by verdict, each at its best target,
the monthly spend both ways, the biggest savings and the biggest risks."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from serverless_fit.portfolio import Portfolio, PortfolioRow
from serverless_fit.render.console import titled_table
from serverless_fit.render.costwords import money, saving_words
from serverless_fit.report import counted

VERDICT_WORDS = {
    "good-fit": ("good fit", "bold green"),
    "fit-with-mitigations": ("mitigations", "bold yellow"),  # fit with mitigations
    "poor-fit": ("poor fit", "bold red"),
}
WIDE = 110  # columns from which the workloads table has a column for each figure


def headline(portfolio: Portfolio, error_files: int) -> Text:
    text = Text.assemble(
        ("Portfolio: ", "bold"),
        counted(portfolio.workloads, "workload"),
        f" ({counted(portfolio.results, 'result')}: workload and target pairs)",
    )
    text.append("\n")
    text.append("Each at its best target: ", style="dim")
    for index, (verdict, count) in enumerate(portfolio.by_verdict.items()):
        word, style = VERDICT_WORDS[verdict]
        if index:
            text.append(", ")
        text.append(f"{count} ")
        text.append(word if verdict != "fit-with-mitigations" else "fit with mitigations", style)
    if error_files:
        text.append(f"\n{counted(error_files, 'file')} with errors, not in the summary", "red")
    return text


def _workloads(portfolio: Portfolio, width: int) -> Table:
    """Wide: a column each. Narrow: the target under the workload's name, no score or
    confidence (they are in the details), so that names and bills never wrap."""
    table = titled_table("Workloads, each at its best target (✗ fails the thresholds)")
    wide = width >= WIDE
    # Names wrap only past 30 characters; `✗ ` and a name fit on one line below that.
    longest = max((len(row.workload) + 2 * row.failed for row in portfolio.rows), default=12)
    name_width = max(12, min(30, longest))
    table.add_column("workload" if wide else "workload, best target", ratio=1, min_width=name_width)
    if wide:
        table.add_column("best target", ratio=1)
    table.add_column("verdict", no_wrap=True)
    if wide:
        table.add_column("score", justify="right", no_wrap=True)
        table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("serverless", justify="right", no_wrap=True)
    table.add_column("always-on", justify="right", no_wrap=True)
    for row in portfolio.rows:
        word, style = VERDICT_WORDS[row.verdict]
        name = Text(("✗ " if row.failed else "") + row.workload)
        cells: list[str | Text] = [name]
        if wide:
            cells.append(row.target_name)
        else:
            name.append(f"\n  on {row.target_name}", style="dim")
        cells.append(Text(word, style=style))
        if wide:
            cells += [f"{row.score:g}", f"{row.confidence:.0%}"]
        cells += [money(row.serverless_usd, row.serverless_floor), money(row.always_on_usd)]
        table.add_row(*cells)
    return table


def _spend(portfolio: Portfolio) -> list[Table | Text]:
    spend = portfolio.spend
    text = Text("Monthly spend", style="bold")
    if not spend.workloads:
        text.append(": no workload could be priced both ways", style="dim")
        return [text]
    text.append(
        f" of the {counted(spend.workloads, 'workload')} priced both ways "
        f"(of {portfolio.workloads}), each at its best target"
    )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row("  all serverless", money(spend.serverless_usd, spend.floor))
    grid.add_row("  all always-on", money(spend.always_on_usd))
    grid.add_row(
        "  each on the cheaper option that runs it", money(spend.cheaper_usd, spend.cheaper_floor)
    )
    return [text, grid]


def _savings(rows: tuple[PortfolioRow, ...]) -> Table:
    table = titled_table("Biggest savings")
    table.add_column("workload", ratio=1, overflow="fold")
    table.add_column("cheaper option", no_wrap=True)  # the target is in the workloads table
    table.add_column("saves a month", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(row.workload, *saving_words(row))
    return table


def _risks(portfolio: Portfolio) -> Table:
    table = titled_table("Biggest risks, at the best target", expand=True)
    table.add_column("workload", overflow="fold", max_width=30)
    table.add_column("verdict", no_wrap=True)
    table.add_column("first blocker or risk", ratio=1)
    for row in portfolio.risks:
        word, style = VERDICT_WORDS[row.verdict]
        more = len(row.issues) - 1
        table.add_row(
            row.workload,
            Text(word, style=style),
            f"{row.reason}" + (f" (and {more} more)" if more else ""),
        )
    return table


def _frequent(portfolio: Portfolio) -> Table:
    table = titled_table("Blockers and risks found in more than one workload", expand=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("title", ratio=1)
    table.add_column("workloads", justify="right", no_wrap=True)
    for item in portfolio.frequent:
        table.add_row(item.rule, item.title, str(item.workloads))
    return table


def portfolio_view(portfolio: Portfolio, error_files: int, width: int) -> Group:
    parts: list[Table | Text] = [headline(portfolio, error_files)]
    if portfolio.rows:
        parts += [Text(), _workloads(portfolio, width), Text(), *_spend(portfolio)]
    if portfolio.savings:
        parts += [Text(), _savings(portfolio.savings)]
    if portfolio.risks:
        parts += [Text(), _risks(portfolio)]
    if portfolio.frequent:
        parts += [Text(), _frequent(portfolio)]
    return Group(*parts)
