"""Assess workloads: load, derive facts per target, evaluate rules, score, and build the Report."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from serverless_fit import __version__
from serverless_fit.data import catalog
from serverless_fit.data.catalog import Platform
from serverless_fit.errors import AssessmentError, InputError, Problem
from serverless_fit.format.limits import DEFAULT_LIMITS, InputLimits
from serverless_fit.format.loader import LoadedWorkload, load_file
from serverless_fit.format.visible import file_name, one_line
from serverless_fit.format.workload import Workload
from serverless_fit.model.bills import DEFAULT_SETTINGS, CostEstimate, CostSettings
from serverless_fit.model.facts import FACT_KINDS, Facts, derive_facts, format_fact, served_by
from serverless_fit.model.latency import LatencyModel
from serverless_fit.model.trace import InconsistentTrace, Trace, with_measured
from serverless_fit.pipeline.plans import plan_for
from serverless_fit.report import (
    AlwaysOnCost,
    BreakEven,
    Cost,
    CostPoint,
    CostSide,
    Counterfactual,
    Evaluation,
    Evidence,
    Finding,
    Latency,
    NotAssessed,
    Report,
    ReportStream,
    Result,
    RuleInfo,
    Sizing,
    WaiverInfo,
)
from serverless_fit.rules.counterfactuals import counterfactuals
from serverless_fit.rules.engine import Rule, explain, render_template, workload_fields
from serverless_fit.rules.scoring import confidence, contribution, score

DEFAULT_TARGET = "aws-lambda"
CURVE_POINTS = 41  # rates priced for a cost chart


@dataclass(frozen=True)
class Options:
    targets: tuple[str, ...] = (DEFAULT_TARGET,)
    as_of: dt.date | None = None
    cost: CostSettings = DEFAULT_SETTINGS
    counterfactuals: bool = True
    verbose: bool = False  # record why every rule fired or did not
    limits: InputLimits = DEFAULT_LIMITS
    cost_curves: bool = False  # price a range of rates for charts (the HTML report)
    trace: Trace | None = None  # real traffic to replay (`--trace`): one workload only


def resolve_targets(names: Sequence[str]) -> None:
    """Check the target names: profile ids or `all`; unknown names are an input error."""
    profiles = catalog.platforms()
    unknown = [n for n in names if n not in profiles and n != ALL_TARGETS]
    if unknown:
        allowed = ", ".join([*profiles, ALL_TARGETS])
        raise InputError(
            [
                Problem("--target", None, None, None, f"found {n!r}; allowed: {allowed}")
                for n in unknown
            ]
        )


def assess_workload(
    loaded: LoadedWorkload,
    platform: Platform,
    rules: Sequence[Rule],
    *,
    as_of: dt.date,
    settings: CostSettings = DEFAULT_SETTINGS,
    with_counterfactuals: bool = True,
    verbose: bool = False,
    curve_points: int = 0,
    trace: Trace | None = None,
    with_break_even: bool = True,
) -> Result:
    """One workload on one target. Without `with_break_even` the traffic at which both bills
    meet is not searched for (no rule's condition reads it; only messages do)."""
    workload = loaded.workload
    facts = derive_facts(
        workload,
        platform,
        settings=settings,
        curve_points=curve_points,
        trace=trace,
        with_break_even=with_break_even,
    )
    findings: list[Finding] = []
    not_assessed: list[NotAssessed] = []
    evaluations: list[Evaluation] = []
    assessed = 0
    for rule in rules:
        if not rule.applies_to(platform.id):
            if verbose:
                evaluations.append(Evaluation(rule.id, "not for this target", rule.scope()))
            continue
        if not rule.concerns(workload.archetype):
            if verbose:
                reason = f"{rule.scope()}; the workload's archetype is {workload.archetype}"
                evaluations.append(Evaluation(rule.id, "not for this archetype", reason))
            continue
        outcome = rule.evaluate(facts)
        if verbose:
            evaluations.append(_evaluation(rule, facts, outcome.state, loaded, as_of))
        if outcome.state is None:
            not_assessed.append(_not_assessed(rule, outcome.missing))
            continue
        assessed += 1
        if outcome.state:
            findings.append(_finding(rule, facts, loaded, as_of))
    changes: list[Counterfactual] = []
    if with_counterfactuals:
        by_id = {rule.id: rule for rule in rules}
        for finding in _ordered(findings):
            if finding.severity in ("blocker", "risk") and not finding.waived:
                rule = by_id[finding.rule]
                changes += counterfactuals(workload, platform, rule, facts, settings=settings)
    scored = score(tuple(findings))
    return Result(
        workload=workload.name,
        file=file_name(loaded.file),
        target=platform.id,
        target_name=served_by(workload, platform),
        score=scored.score,
        verdict=scored.verdict,
        confidence=confidence(assessed, len(not_assessed)),
        dimensions=scored.dimensions,
        findings=tuple(_ordered(findings)),
        not_assessed=tuple(not_assessed),
        cost=_cost(facts.cost),
        counterfactuals=tuple(changes),
        evaluations=tuple(evaluations),
        score_unclamped=scored.unclamped,
        description=one_line(workload.description) if workload.description else None,
        cold_start_p99=_text(facts, "target.cold_start.p99"),
        latency=_latency(facts.latency, workload),
        measured=trace.note if trace is not None else None,
        deployment=facts.deployment,
        not_applicable=facts.not_applicable,
    )


def _text(facts: Facts, name: str) -> str | None:
    value = facts.values.get(name)
    return None if value is None else format_fact(value, FACT_KINDS[name])


def _sentence(template: str, facts: Facts) -> str:
    """A rendered template; one that opens with a mitigation's name starts upper-case, as a
    sentence does (other facts, such as workload names, are printed as written)."""
    text = render_template(template, facts)
    if template.startswith("{target.mitigation."):
        return text[:1].upper() + text[1:]
    return text


def _evaluation(
    rule: Rule, facts: Facts, state: bool | None, loaded: LoadedWorkload, as_of: dt.date
) -> Evaluation:
    decided, why = explain(rule, facts)
    assert decided == state, rule.id  # the explanation walks the same condition
    if state is None:
        return Evaluation(rule.id, "not assessed", why)
    if not state:
        return Evaluation(rule.id, "quiet", why)
    waiver = _waiver(loaded.workload, rule.id, as_of)
    if waiver is not None and not waiver.expired:
        return Evaluation(rule.id, "waived", f"{why}; waived: {waiver.reason}")
    return Evaluation(rule.id, "fired", why)


def _not_assessed(rule: Rule, missing: tuple[str, ...]) -> NotAssessed:
    platform = tuple(m for m in missing if m.startswith(PLATFORM_FACTS))
    fields = tuple(m for m in missing if not m.startswith(PLATFORM_FACTS))
    return NotAssessed(rule.id, rule.title, fields, platform)


PLATFORM_FACTS = ("target.", "cost.", "derived.")
_SEVERITY_ORDER = {"blocker": 0, "risk": 1, "info": 2, "benefit": 3}


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(
        findings, key=lambda f: (_SEVERITY_ORDER[f.severity], -abs(f.contribution), f.rule)
    )


def _finding(rule: Rule, facts: Facts, loaded: LoadedWorkload, as_of: dt.date) -> Finding:
    waiver = _waiver(loaded.workload, rule.id, as_of)
    # Every text a finding carries passes through one_line: it holds the workload's own
    # strings and a pack's, which are shown in every format, never interpreted.
    evidence = tuple(
        Evidence(
            field,
            one_line(format_fact(facts.values[field], FACT_KINDS.get(field, "string"))),
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
        title=one_line(rule.title),
        message=one_line(_sentence(rule.message, facts)),
        claims=tuple(rule.claims),
        references=tuple(rule.references),
        evidence=evidence,
        mitigation=one_line(_sentence(rule.mitigation, facts)) if rule.mitigation else None,
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
            return WaiverInfo(one_line(waiver.reason), expires, expired)
    return None


def _latency(modelled: LatencyModel | None, workload: Workload) -> Latency | None:
    if modelled is None:
        return None
    result = modelled.simulation

    def ms(seconds: float) -> float:
        return round(seconds * 1000, 3)

    share = round(result.cold_start_share, 6) if modelled.keep_alive_published else None
    objective = workload.latency.p99 if workload.latency else None
    return Latency(
        cold_start_share=share,
        p50=ms(result.p50),
        p95=ms(result.p95),
        p99=ms(result.p99),
        peak_concurrency=round(result.peak_concurrency, 3),
        throttled_share=round(result.throttled_share, 6),
        method=result.method,
        run=ms(result.service),
        startup_p50=ms(result.init_p50),
        startup_p99=ms(result.init_p99),
        instances_by_hour=tuple(round(n, 3) for n in result.instances_by_hour),
        batch=modelled.batch,
        objective_p99=ms(objective.seconds) if objective is not None else None,
    )


def _cost(estimate: CostEstimate | None) -> Cost | None:
    if estimate is None or (estimate.serverless is None and estimate.always_on is None):
        return None
    serverless = None
    if estimate.serverless is not None:
        bill = estimate.serverless
        serverless = CostSide(bill.monthly_usd, dict(bill.items), bill.unpriced, bill.notes)
    always_on = None
    if estimate.always_on is not None:
        fleet = estimate.always_on
        sizing = Sizing(**vars(fleet.sizing)) if fleet.sizing is not None else None
        always_on = AlwaysOnCost(
            fleet.monthly_usd,
            dict(fleet.items),
            fleet.instance,
            fleet.count,
            fleet.baseline,
            sizing,
            fleet.notes,
        )
    break_even = None
    if estimate.break_even is not None:
        break_even = BreakEven(str(estimate.break_even), round(estimate.break_even.per_second, 6))
    return Cost(
        serverless=serverless,
        always_on=always_on,
        ratio=round(estimate.ratio, 3) if estimate.ratio is not None else None,
        break_even=break_even,
        free_tier=estimate.free_tier,
        curve=tuple(CostPoint(round(rate, 9), usd, fleet) for rate, usd, fleet in estimate.curve),
        per_second=round(estimate.per_second, 9) if estimate.curve else None,
    )


ALL_TARGETS = "all"


def targets_for(workload: Workload, names: Sequence[str]) -> tuple[Platform, ...]:
    """The platforms to assess a workload on; `all` is every profile of an allowed provider.

    When no profile belongs to an allowed provider, `all` keeps every profile, so that each
    result can say why it does not fit.
    """
    profiles = catalog.platforms()
    chosen: dict[str, Platform] = {}
    for name in names:
        if name != ALL_TARGETS:
            chosen[name] = profiles[name]
            continue
        allowed = workload.constraints.providers if workload.constraints else None
        matching = [p for p in profiles.values() if allowed is None or p.provider in allowed]
        for profile in matching or profiles.values():
            chosen[profile.id] = profile
    return tuple(chosen.values())


_VERDICT_RANK = {"good-fit": 0, "fit-with-mitigations": 1, "poor-fit": 2}


def best_result(results: Sequence[Result]) -> Result:
    """The best target: the best verdict, then the fewest blockers, then the highest score,
    then the lowest fully priced bill (each with its plan, where it has one)."""

    def key(result: Result) -> tuple[int, int, float, float, str]:
        blockers = sum(1 for f in result.active if f.severity == "blocker")
        bill = result.serverless_bill
        # A bill with unconfirmed parts is a lower bound: it never counts as the cheapest.
        usd = bill.monthly_usd if bill is not None and not bill.unpriced else float("inf")
        plan = result.plan
        if plan is not None:  # a target is as good as it is with its plan
            if plan.monthly_usd is not None and math.isfinite(usd):
                usd = plan.monthly_usd
            blockers = sum(
                1 for f in result.active if f.severity == "blocker" and f.rule in plan.remaining
            )
            return (_VERDICT_RANK[plan.verdict], blockers, -plan.score, usd, result.target)
        return (_VERDICT_RANK[result.verdict], blockers, -result.score, usd, result.target)

    return min(results, key=key)


@dataclass(frozen=True)
class WorkloadOutcome:
    name: str
    line: int | None  # where the name is written
    results: tuple[Result, ...]  # one per target


@dataclass(frozen=True)
class FileOutcome:
    """What one file gave: its workloads' results, or the problems that kept them out."""

    file: str
    workloads: tuple[WorkloadOutcome, ...]
    errors: tuple[Problem, ...]


def assess_file(path: Path, rules: Sequence[Rule], options: Options, as_of: dt.date) -> FileOutcome:
    """Assess every workload in one file on every target; input problems are returned, and
    anything unexpected is raised as an AssessmentError that names the file."""
    try:
        return _assess_file(path, rules, options, as_of)
    except InputError:
        raise
    except Exception as error:  # a bug: say which file it happened on
        raise AssessmentError(str(path), f"{type(error).__name__}: {error}") from error


def _assess_file(
    path: Path, rules: Sequence[Rule], options: Options, as_of: dt.date
) -> FileOutcome:
    file = str(path)
    try:
        loaded = load_file(path, {rule.id for rule in rules}, options.limits)
    except InputError as error:
        return FileOutcome(file, (), tuple(error.problems))
    if options.trace is not None:
        try:
            loaded = [_traced(loaded, options.trace, file)]
        except InputError as error:
            return FileOutcome(file, (), tuple(error.problems))
    workloads: list[WorkloadOutcome] = []
    for item in loaded:
        platforms = targets_for(item.workload, options.targets)
        assessed = [
            assess_workload(
                item,
                platform,
                rules,
                as_of=as_of,
                settings=options.cost,
                with_counterfactuals=options.counterfactuals,
                verbose=options.verbose,
                curve_points=CURVE_POINTS if options.cost_curves else 0,
                trace=options.trace,
            )
            for platform in platforms
        ]
        if options.counterfactuals:
            assessed = _with_plans_and_targets(item, platforms, assessed, rules, options, as_of)
        best = best_result(assessed)
        results = tuple(dataclasses.replace(r, best_fit=r is best) for r in assessed)
        workloads.append(WorkloadOutcome(item.workload.name, item.lines.get("name"), results))
    return FileOutcome(file, tuple(workloads), ())


def _with_plans_and_targets(
    item: LoadedWorkload,
    platforms: Sequence[Platform],
    results: list[Result],
    rules: Sequence[Rule],
    options: Options,
    as_of: dt.date,
) -> list[Result]:
    """Each result with its mitigation plan, another target proposed for each blocker that
    one clears, and the blockers and risks that nothing proposed clears."""

    def again(platform: Platform) -> Callable[[Workload], Result]:
        def assess(workload: Workload) -> Result:
            changed = dataclasses.replace(item, workload=workload)
            return assess_workload(
                changed,
                platform,
                rules,
                as_of=as_of,
                settings=options.cost,
                with_counterfactuals=False,
                trace=options.trace,
                # Candidates are judged by their findings and bill, never by a message.
                with_break_even=False,
            )

        return assess

    others = list(zip(platforms, results, strict=True))
    if len(others) == 1 and any(f.severity == "blocker" for f in results[0].active):
        # One target asked for: the other targets the workload may use, to propose one.
        for platform in targets_for(item.workload, (ALL_TARGETS,)):
            if platform.id != platforms[0].id:
                others.append((platform, again(platform)(item.workload)))
    finished = []
    for platform, result in zip(platforms, results, strict=True):
        plan = plan_for(item.workload, platform, result, again(platform))
        proposals = _target_proposals(result, others)
        changes = (*result.counterfactuals, *proposals)
        answered = {c.rule for c in changes} | set(plan.clears if plan else ())
        unresolved = tuple(
            f.rule
            for f in result.active
            if f.severity in ("blocker", "risk") and f.rule not in answered
        )
        finished.append(
            dataclasses.replace(result, plan=plan, counterfactuals=changes, unresolved=unresolved)
        )
    return finished


def _target_proposals(
    result: Result, others: Sequence[tuple[Platform, Result]]
) -> tuple[Counterfactual, ...]:
    """For each blocker, the other targets where it does not apply and the workload fits."""
    found: list[Counterfactual] = []
    here = result.serverless_bill.monthly_usd if result.serverless_bill else None
    for finding in result.active:
        if finding.severity != "blocker":
            continue
        for _, other in others:
            if other.target == result.target or other.verdict == "poor-fit":
                continue
            if any(f.rule == finding.rule for f in other.active):
                continue
            bill = other.serverless_bill
            usd = bill.monthly_usd if bill is not None else None
            floor = "≥ " if bill is not None and bill.unpriced else ""
            cost = f"{floor}${usd:,.2f} a month" if usd is not None else "not priced"
            words = other.verdict.replace("-", " ")
            effect = (
                f"On {other.target_name}, {finding.rule} does not apply: {words}, "
                f"score {other.score:.0f}, {cost}"
            )
            change = round(usd - here, 2) if usd is not None and here is not None else None
            found.append(
                Counterfactual(
                    finding.rule, "target", other.target, effect, "target", usd, change,
                    other.verdict,
                )
            )  # fmt: skip
    return tuple(found)


def _traced(loaded: list[LoadedWorkload], trace: Trace, file: str) -> LoadedWorkload:
    """The one workload of the file, its traffic and durations as the trace measured them."""
    if len(loaded) != 1:
        message = f"found {len(loaded)} workloads; allowed: one workload with --trace"
        raise InputError([Problem(file, None, None, "--trace", message)])
    item = loaded[0]
    try:
        workload = with_measured(item.workload, trace.measured)
    except InconsistentTrace as error:
        raise InputError(
            [
                Problem(file, item.lines.get(field), None, field, f"with --trace: {message}")
                for field, message in error.problems
            ]
        ) from None
    return dataclasses.replace(item, workload=workload)


def rule_info(rule: Rule) -> RuleInfo:
    return RuleInfo(
        id=rule.id,
        name=rule.name,
        title=rule.title,
        severity=rule.severity,
        dimension=rule.dimension,
        what=rule.docs.what,
        why=rule.docs.why,
        mitigation=rule.mitigation,
        claims=tuple(rule.claims),
        references=tuple(rule.references),
    )


def stream_report(
    outcomes: Iterable[FileOutcome],
    as_of: dt.date,
    rules: Sequence[Rule] = (),
    problems: Sequence[Problem] = (),
) -> ReportStream:
    """A report read as the files are assessed, in input order; a name used twice is an input
    error. `problems` are found before any file is read (a glob that matches nothing)."""
    errors: list[Problem] = list(problems)

    def results() -> Iterator[Result]:
        first_seen: dict[str, tuple[str, int | None]] = {}
        for outcome in outcomes:
            errors.extend(outcome.errors)
            for workload in outcome.workloads:
                if workload.name in first_seen:
                    first = first_seen[workload.name]
                    errors.append(
                        duplicate_name(workload.name, outcome.file, workload.line, *first)
                    )
                    continue
                first_seen[workload.name] = (outcome.file, workload.line)
                yield from workload.results

    infos = tuple(rule_info(rule) for rule in rules)
    release = getattr(outcomes, "close", None)  # a generator: closing it stops its workers
    return ReportStream(__version__, as_of.isoformat(), results(), errors, infos, release=release)


def build_report(
    outcomes: Iterable[FileOutcome],
    as_of: dt.date,
    rules: Sequence[Rule] = (),
    problems: Sequence[Problem] = (),
) -> Report:
    """Every result of the outcomes in one Report."""
    return stream_report(outcomes, as_of, rules, problems).collect()


def duplicate_name(
    name: str, file: str, line: int | None, first_file: str, first_line: int | None
) -> Problem:
    """Two workloads of one batch share a name: reports and baselines key results by it."""
    where = f"{first_file}:{first_line}" if first_line is not None else first_file
    message = (
        f"found {name!r}, already the name of the workload at {where}; "
        "allowed: a name used once in the batch"
    )
    return Problem(file, line, None, "name", message)


def assess_files(paths: Iterable[Path], rules: Sequence[Rule], options: Options) -> Report:
    """Assess every workload in every file, in this process, in order."""
    as_of = options.as_of or dt.date.today()
    resolve_targets(options.targets)
    outcomes = (assess_file(path, rules, options, as_of) for path in paths)
    return build_report(outcomes, as_of, rules)
