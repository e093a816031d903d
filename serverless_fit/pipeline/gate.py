"""CI thresholds: which results fail `--fail-under`, `--fail-on` or a `--baseline`, and why."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from serverless_fit.errors import InputError, Problem
from serverless_fit.format.loader import read_limited
from serverless_fit.report import VERDICTS, ReportStream, Result

SEVERITIES = ("blocker", "risk", "info")
MAX_BASELINE_BYTES = 512 * 1024 * 1024  # a JSON report of a very large batch
FAIL_ON_CHOICES = ("poor-fit", "fit-with-mitigations", *SEVERITIES)
# How bad a verdict is: a higher rank is worse.
VERDICT_RANK = {verdict: rank for rank, verdict in enumerate(VERDICTS)}
SEVERITY_RANK = {"blocker": 2, "risk": 1, "info": 0}


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class BaselineFinding(_Loose):
    rule: str
    severity: Literal["blocker", "risk", "info", "benefit"]
    waived: bool = False


class BaselineResult(_Loose):
    workload: str
    target: str
    score: float
    verdict: Literal["good-fit", "fit-with-mitigations", "poor-fit"]
    findings: list[BaselineFinding]


class BaselineReport(_Loose):
    """The parts of an earlier JSON report that regressions are judged against."""

    results: list[BaselineResult]

    def by_key(self) -> dict[tuple[str, str], BaselineResult]:
        return {(r.workload, r.target): r for r in self.results}

    def targets_by_workload(self) -> dict[str, list[str]]:
        targets: dict[str, list[str]] = {}
        for result in self.results:
            targets.setdefault(result.workload, []).append(result.target)
        return targets


@dataclass(frozen=True)
class Gate:
    fail_under: float | None = None
    fail_on: str | None = None  # a verdict (that or worse fails) or a severity (that or worse)
    baseline: BaselineReport | None = None
    tolerance: float = 0.0  # score points a result may lose against the baseline
    scope: Literal["each", "best"] = "each"  # judge every target's result, or each workload's best
    min_confidence: float | None = None  # a share: results less sure than this fail

    @property
    def active(self) -> bool:
        return (
            self.fail_under is not None
            or self.fail_on is not None
            or self.baseline is not None
            or self.min_confidence is not None
        )


def load_baseline(path: str) -> BaselineReport:
    """An earlier `--format json` report; anything else is an input error naming the place."""
    raw = read_limited(path, MAX_BASELINE_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"cannot read: not UTF-8 text ({error.reason})"
        raise InputError([Problem(path, None, None, "--baseline", message)]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"not JSON: {error.msg}; allowed: a report from --format json"
        raise InputError([Problem(path, error.lineno, error.colno, None, message)]) from None
    except RecursionError:
        message = "JSON nested too deeply; allowed: a report from --format json"
        raise InputError([Problem(path, None, None, "--baseline", message)]) from None
    except ValueError:  # a number of thousands of digits: Python refuses to convert it
        message = "a number too long to read; allowed: a report from --format json"
        raise InputError([Problem(path, None, None, "--baseline", message)]) from None
    try:
        return BaselineReport.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors()[:20]:
            where = ".".join(str(part) for part in item["loc"])
            message = f"{item['msg']}; allowed: a report from --format json"
            problems.append(Problem(path, None, None, where or None, message))
        raise InputError(problems) from None


def _active_at_least(result: Result, severity: str) -> list[str]:
    floor = SEVERITY_RANK[severity]
    return [
        f.rule
        for f in result.active
        if f.severity in SEVERITY_RANK and SEVERITY_RANK[f.severity] >= floor
    ]


@dataclass(frozen=True)
class _Baseline:
    """An earlier report as the gate looks results up in it."""

    results: dict[tuple[str, str], BaselineResult]
    targets: dict[str, list[str]]  # the targets each workload was recorded on


def failures(result: Result, gate: Gate, baseline: _Baseline) -> tuple[str, ...]:
    """Why one result fails the gate, one sentence per reason; empty when it passes.

    With a baseline the thresholds judge only what is new or worse than it: a result the
    baseline has, with no regression, passes whatever its score (README, "Baselines").
    """
    regressions = _regressions(result, baseline, gate.tolerance) if gate.baseline else []
    known = gate.baseline is not None and (result.workload, result.target) in baseline.results
    if known and not regressions:
        return ()
    reasons: list[str] = []
    if gate.fail_under is not None and result.score < gate.fail_under:
        reasons.append(f"score {result.score:g} is under --fail-under {gate.fail_under:g}")
    if gate.fail_on in VERDICT_RANK:
        if VERDICT_RANK[result.verdict] >= VERDICT_RANK[gate.fail_on]:
            reasons.append(f"verdict {result.verdict} fails --fail-on {gate.fail_on}")
    elif gate.fail_on in SEVERITY_RANK:
        rules = _active_at_least(result, gate.fail_on)
        if rules:
            reasons.append(f"{', '.join(rules)} fail --fail-on {gate.fail_on}")
    if gate.min_confidence is not None and result.confidence < gate.min_confidence:
        reasons.append(
            f"confidence {result.confidence:.0%} is under --min-confidence "
            f"{gate.min_confidence:.0%}: add the fields it lists as not assessed"
        )
    return (*reasons, *regressions)


def _regressions(result: Result, baseline: _Baseline, tolerance: float) -> list[str]:
    before = baseline.results.get((result.workload, result.target))
    known = (
        {f.rule for f in before.findings if not f.waived and f.severity in ("blocker", "risk")}
        if before
        else set()
    )
    reasons = []
    new = [r for r in _active_at_least(result, "risk") if r not in known]
    if new:
        if before is not None:
            since = "since the baseline"
        elif result.workload in baseline.targets:
            recorded = ", ".join(baseline.targets[result.workload])
            since = f"on {result.target}, a target not in the baseline (it has {recorded})"
        else:
            since = "in a workload the baseline does not have"
        reasons.append(f"new blocker or risk {', '.join(new)} {since}")
    if before is not None:
        if VERDICT_RANK[result.verdict] > VERDICT_RANK[before.verdict]:
            reasons.append(
                f"verdict {result.verdict} is worse than the baseline's {before.verdict}"
            )
        drop = before.score - result.score
        if drop > tolerance:
            reasons.append(
                f"score fell {drop:g} points from the baseline's {before.score:g} "
                f"(--tolerance {tolerance:g})"
            )
    return reasons


def judge(report: ReportStream, gate: Gate) -> ReportStream:
    """The report with each result's failures filled in as it passes."""
    if not gate.active:
        return report
    baseline = (
        _Baseline(gate.baseline.by_key(), gate.baseline.targets_by_workload())
        if gate.baseline
        else _Baseline({}, {})
    )

    def judged(result: Result) -> Result:
        if gate.scope == "best" and not result.best_fit:
            return result
        return dataclasses.replace(result, failures=failures(result, gate, baseline))

    return report.map(judged, gated=True)
