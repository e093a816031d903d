"""The portfolio view of a batch: workloads by verdict, each at its best target, what they
would cost serverless and always-on, the biggest savings and the biggest risks (README,
"Portfolio summary").

Built in one pass over the results, a workload at a time; it keeps one small row per
workload, never the results themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from serverless_fit.report import VERDICTS, Result, Verdict, by_workload

TOP = 5  # savings and risks listed
VERDICT_RANK = {verdict: rank for rank, verdict in enumerate(VERDICTS)}


@dataclass(frozen=True)
class PortfolioRow:
    """A workload at its best target."""

    workload: str
    file: str
    target: str
    target_name: str
    targets: int  # targets it was assessed on
    verdict: Verdict
    score: float
    confidence: float
    serverless_usd: float | None  # the best target's monthly bill
    serverless_floor: bool  # the bill leaves out parts whose price is unconfirmed
    always_on_usd: float | None
    blockers: int
    risks: int
    reason: str | None  # the first blocker's (else risk's) rule and title
    issues: tuple[str, ...]  # the rules of its blockers and risks
    failed: bool  # fails the CI thresholds

    @property
    def saving(self) -> float | None:
        """Always-on minus serverless a month: positive where serverless is cheaper."""
        if self.serverless_usd is None or self.always_on_usd is None:
            return None
        return self.always_on_usd - self.serverless_usd


@dataclass(frozen=True)
class Spend:
    """Monthly totals over the workloads priced both ways, each at its best target."""

    workloads: int  # priced both ways
    serverless_usd: float  # every one of them serverless
    always_on_usd: float  # every one of them always-on
    cheaper_usd: float  # each on whichever of the two costs less (always-on where a blocker)
    floor: bool  # some serverless bills are lower bounds (unconfirmed prices)
    cheaper_floor: bool  # and one of them is in the cheaper total
    not_priced: int  # workloads left out: one side could not be priced


@dataclass(frozen=True)
class RuleCount:
    rule: str
    severity: str
    title: str
    workloads: int


@dataclass(frozen=True)
class Portfolio:
    rows: tuple[PortfolioRow, ...]  # in report order
    results: int  # workload-target results
    by_verdict: dict[str, int]  # workloads, each at its best target
    spend: Spend
    savings: tuple[PortfolioRow, ...]  # largest difference between the two bills, either way
    risks: tuple[PortfolioRow, ...]  # poor fits first, then most blockers, lowest score
    frequent: tuple[RuleCount, ...]  # the blockers and risks found in most workloads (2 or more)

    @property
    def workloads(self) -> int:
        return len(self.rows)


def _row(results: list[Result]) -> PortfolioRow:
    best = next((r for r in results if r.best_fit), results[0])
    bill = best.cost.serverless if best.cost else None
    fleet = best.cost.always_on if best.cost else None
    blockers = [f for f in best.active if f.severity == "blocker"]
    risks = [f for f in best.active if f.severity == "risk"]
    first = (blockers + risks)[:1]
    return PortfolioRow(
        workload=best.workload,
        file=best.file,
        target=best.target,
        target_name=best.target_name,
        targets=len(results),
        verdict=best.verdict,
        score=best.score,
        confidence=best.confidence,
        serverless_usd=bill.monthly_usd if bill else None,
        serverless_floor=bool(bill and bill.unpriced),
        always_on_usd=fleet.monthly_usd if fleet else None,
        blockers=len(blockers),
        risks=len(risks),
        reason=f"{first[0].rule}: {first[0].title}" if first else None,
        issues=tuple(f.rule for f in blockers + risks),
        failed=bool(best.failures),
    )


def _cheaper(row: PortfolioRow) -> float:
    """The cheaper of the two bills, serverless only where the target can run it."""
    always_on = row.always_on_usd or 0.0
    if row.blockers:
        return always_on
    return min(row.serverless_usd or 0.0, always_on)


def portfolio(results: Iterable[Result]) -> Portfolio:
    """The portfolio of a batch's results (consecutive per workload, as a report has them)."""
    rows: list[PortfolioRow] = []
    count = 0
    found: Counter[tuple[str, str, str]] = Counter()
    for group in by_workload(results):
        count += len(group)
        row = _row(group)
        rows.append(row)
        best = next((r for r in group if r.best_fit), group[0])
        for finding in {(f.rule, f.severity, f.title) for f in best.active}:
            if finding[1] in ("blocker", "risk"):
                found[finding] += 1
    by_verdict: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        by_verdict[row.verdict] += 1
    priced = [row for row in rows if row.saving is not None]
    spend = Spend(
        workloads=len(priced),
        serverless_usd=sum(row.serverless_usd or 0.0 for row in priced),
        always_on_usd=sum(row.always_on_usd or 0.0 for row in priced),
        cheaper_usd=sum(_cheaper(row) for row in priced),
        floor=any(row.serverless_floor for row in priced),
        # min(x, always-on) with x a lower bound is a lower bound only where x is the smaller
        cheaper_floor=any(
            row.serverless_floor and _cheaper(row) != row.always_on_usd for row in priced
        ),
        not_priced=len(rows) - len(priced),
    )
    # A serverless bill the target cannot run (a blocker) saves nothing. Ties broken by
    # name, so that the order never depends on the order of the files.
    savings = sorted(
        (row for row in priced if row.blockers == 0 or (row.saving or 0.0) < 0),
        key=lambda row: (-abs(row.saving or 0.0), row.workload, row.file),
    )
    at_risk = sorted(
        (row for row in rows if row.blockers or row.risks),
        key=lambda row: (
            -VERDICT_RANK[row.verdict],
            -row.blockers,
            -row.risks,
            row.score,
            row.workload,
            row.file,
        ),
    )
    frequent = sorted(
        (
            RuleCount(rule, severity, title, seen)
            for (rule, severity, title), seen in found.items()
            if seen > 1
        ),
        key=lambda item: (-item.workloads, item.severity != "blocker", item.rule),
    )
    return Portfolio(
        rows=tuple(rows),
        results=count,
        by_verdict=by_verdict,
        spend=spend,
        savings=tuple(row for row in savings[:TOP] if row.saving),
        risks=tuple(at_risk[:TOP]),
        frequent=tuple(frequent[:TOP]),
    )
