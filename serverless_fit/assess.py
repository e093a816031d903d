"""Assess workloads: load, derive facts per target, evaluate rules, score, and build the Report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from serverless_fit import __version__, catalog
from serverless_fit.catalog import Platform
from serverless_fit.cost import CostEstimate
from serverless_fit.engine import Rule, render_template, workload_fields
from serverless_fit.errors import InputError, Problem
from serverless_fit.facts import FACT_KINDS, Facts, derive_facts, format_fact
from serverless_fit.loader import LoadedWorkload, load_file
from serverless_fit.report import (
    AlwaysOnCost,
    BreakEven,
    Cost,
    CostSide,
    Evidence,
    Finding,
    NotAssessed,
    Report,
    Result,
    WaiverInfo,
)
from serverless_fit.scoring import confidence, contribution, score
from serverless_fit.workload import Workload

DEFAULT_TARGET = "aws-lambda"


@dataclass(frozen=True)
class Options:
    targets: tuple[str, ...] = (DEFAULT_TARGET,)
    as_of: dt.date | None = None
    free_tier: bool = False


def resolve_targets(names: Sequence[str]) -> tuple[Platform, ...]:
    """Platform profiles for the names given; unknown names are an input error."""
    profiles = catalog.platforms()
    unknown = [n for n in names if n not in profiles]
    if unknown:
        allowed = ", ".join(profiles)
        raise InputError(
            [
                Problem("--target", None, None, None, f"found {n!r}; allowed: {allowed}")
                for n in unknown
            ]
        )
    return tuple(profiles[n] for n in dict.fromkeys(names))


def assess_workload(
    loaded: LoadedWorkload,
    platform: Platform,
    rules: Sequence[Rule],
    *,
    as_of: dt.date,
    free_tier: bool = False,
) -> Result:
    workload = loaded.workload
    facts = derive_facts(workload, platform, free_tier=free_tier)
    findings: list[Finding] = []
    not_assessed: list[NotAssessed] = []
    assessed = 0
    for rule in rules:
        if not rule.applies_to(platform.id):
            continue
        outcome = rule.evaluate(facts)
        if outcome.state is None:
            not_assessed.append(NotAssessed(rule.id, rule.title, outcome.missing))
            continue
        assessed += 1
        if outcome.state:
            findings.append(_finding(rule, facts, loaded, as_of))
    scored = score(tuple(findings))
    return Result(
        workload=workload.name,
        file=loaded.file,
        target=platform.id,
        target_name=platform.name,
        score=scored.score,
        verdict=scored.verdict,
        confidence=confidence(assessed, len(not_assessed)),
        dimensions=scored.dimensions,
        findings=tuple(_ordered(findings)),
        not_assessed=tuple(not_assessed),
        cost=_cost(facts.cost),
        score_unclamped=scored.unclamped,
        description=workload.description,
    )


_SEVERITY_ORDER = {"blocker": 0, "risk": 1, "info": 2, "benefit": 3}


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(
        findings, key=lambda f: (_SEVERITY_ORDER[f.severity], -abs(f.contribution), f.rule)
    )


def _finding(rule: Rule, facts: Facts, loaded: LoadedWorkload, as_of: dt.date) -> Finding:
    waiver = _waiver(loaded.workload, rule.id, as_of)
    evidence = tuple(
        Evidence(
            field,
            format_fact(facts.values[field], FACT_KINDS.get(field, "string")),
            loaded.lines.get(field),
        )
        for field in workload_fields(rule, facts)
        if field in facts.values
    )
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=rule.severity,
        dimension=rule.dimension,
        title=rule.title,
        message=render_template(rule.message, facts),
        claims=tuple(rule.claims),
        references=tuple(rule.references),
        evidence=evidence,
        mitigation=render_template(rule.mitigation, facts) if rule.mitigation else None,
        impact=rule.impact,
        contribution=contribution(rule.severity, rule.dimension, rule.impact),
        waived=waiver is not None and not waiver.expired,
        waiver=waiver,
    )


def _waiver(workload: Workload, rule: str, as_of: dt.date) -> WaiverInfo | None:
    for waiver in workload.waivers:
        if waiver.rule == rule:
            expired = waiver.expires is not None and waiver.expires < as_of
            expires = waiver.expires.isoformat() if waiver.expires else None
            return WaiverInfo(waiver.reason, expires, expired)
    return None


def _cost(estimate: CostEstimate | None) -> Cost | None:
    if estimate is None:
        return None
    always_on = None
    if estimate.always_on is not None:
        bill = estimate.always_on
        always_on = AlwaysOnCost(
            bill.monthly_usd, dict(bill.items), bill.instance, bill.count, bill.baseline
        )
    break_even = None
    if estimate.break_even is not None:
        break_even = BreakEven(str(estimate.break_even), round(estimate.break_even.per_second, 6))
    return Cost(
        serverless=CostSide(estimate.serverless.monthly_usd, dict(estimate.serverless.items)),
        always_on=always_on,
        ratio=round(estimate.ratio, 3) if estimate.ratio is not None else None,
        break_even=break_even,
        free_tier=estimate.free_tier,
    )


def assess_files(paths: Iterable[Path], rules: Sequence[Rule], options: Options) -> Report:
    """Assess every workload in every file; invalid files become report errors, not exceptions."""
    as_of = options.as_of or dt.date.today()
    platforms = resolve_targets(options.targets)
    known = {rule.id for rule in rules}
    results: list[Result] = []
    errors: list[Problem] = []
    for path in paths:
        try:
            loaded = load_file(path, known)
        except InputError as error:
            errors.extend(error.problems)
            continue
        for item in loaded:
            for platform in platforms:
                results.append(
                    assess_workload(item, platform, rules, as_of=as_of, free_tier=options.free_tier)
                )
    return Report(__version__, as_of.isoformat(), tuple(results), tuple(errors))
