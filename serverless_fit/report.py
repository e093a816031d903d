"""The Report value every renderer reads: plain, frozen, and versioned."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from serverless_fit.errors import Problem

SCHEMA_VERSION = 1

Verdict = Literal["good-fit", "fit-with-mitigations", "poor-fit"]
VERDICTS: tuple[Verdict, ...] = ("good-fit", "fit-with-mitigations", "poor-fit")


@dataclass(frozen=True)
class Evidence:
    field: str
    value: str
    line: int | None


@dataclass(frozen=True)
class WaiverInfo:
    reason: str
    expires: str | None
    expired: bool


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    severity: str
    dimension: str
    title: str
    message: str
    claims: tuple[str, ...]
    references: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    mitigation: str | None
    impact: int
    contribution: float  # points this finding adds to (or takes from) the overall score
    waived: bool
    waiver: WaiverInfo | None


@dataclass(frozen=True)
class NotAssessed:
    rule: str
    title: str
    fields: tuple[str, ...]  # workload fields to add so the rule can be evaluated
    unpublished: tuple[str, ...] = ()  # platform figures the target's profile does not publish


@dataclass(frozen=True)
class DimensionScore:
    name: str
    score: float
    weight: float


@dataclass(frozen=True)
class CostSide:
    monthly_usd: float
    items: dict[str, float]
    unpriced: tuple[str, ...] = ()  # billed parts left out because their price is unconfirmed


@dataclass(frozen=True)
class AlwaysOnCost:
    monthly_usd: float
    items: dict[str, float]
    instance: str
    count: int
    baseline: str


@dataclass(frozen=True)
class BreakEven:
    rate: str
    per_second: float


@dataclass(frozen=True)
class Cost:
    serverless: CostSide | None
    always_on: AlwaysOnCost | None
    ratio: float | None
    break_even: BreakEven | None
    free_tier: bool


@dataclass(frozen=True)
class Counterfactual:
    rule: str
    field: str
    value: str
    effect: str


@dataclass(frozen=True)
class Evaluation:
    """How one rule came out for one result, and why (`assess --verbose`)."""

    rule: str
    outcome: str  # fired, waived, quiet, not assessed, not for this target
    why: str


@dataclass(frozen=True)
class Result:
    workload: str
    file: str
    target: str
    target_name: str
    score: float
    verdict: Verdict
    confidence: float
    dimensions: tuple[DimensionScore, ...]
    findings: tuple[Finding, ...]
    not_assessed: tuple[NotAssessed, ...]
    cost: Cost | None
    counterfactuals: tuple[Counterfactual, ...] = ()
    score_base: float = 50.0
    score_unclamped: float = 50.0
    description: str | None = None
    best_fit: bool = True  # the best of the targets assessed for this workload
    cold_start_p99: str | None = None  # the target's cold start for the workload's runtime
    failures: tuple[str, ...] = ()  # why this result fails the CI thresholds, if it does
    evaluations: tuple[Evaluation, ...] = ()  # every rule's outcome, when asked for

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.waived)


@dataclass(frozen=True)
class Report:
    tool_version: str
    as_of: str
    results: tuple[Result, ...]
    errors: tuple[Problem, ...] = ()
    schema_version: int = SCHEMA_VERSION
    gated: bool = False  # thresholds or a baseline were applied
    rules: tuple[RuleInfo, ...] = ()  # every rule of the run, for formats that list them

    @property
    def failed(self) -> bool:
        return any(result.failures for result in self.results)

    def compared(self) -> set[tuple[str, str]]:
        """(file, workload) of the workloads assessed on more than one target."""
        counts = Counter((r.file, r.workload) for r in self.results)
        return {key for key, count in counts.items() if count > 1}

    @property
    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(VERDICTS, 0)
        for result in self.results:
            counts[result.verdict] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        """The JSON output contract (shared/DESIGN.md): tool, results, summary, errors."""
        return {
            "tool": {"name": "serverless-fit", "version": self.tool_version},
            "schema_version": self.schema_version,
            "as_of": self.as_of,
            "results": [_result_dict(r) for r in self.results],
            "summary": self.summary,
            "gate": {"applied": self.gated, "failed": self.failed},
            "errors": [plain(e) for e in self.errors],
        }


@dataclass(frozen=True)
class RuleInfo:
    """What a format that lists rules (SARIF) says about each: not part of the JSON report."""

    id: str
    name: str
    title: str
    severity: str
    dimension: str
    what: str
    why: str
    mitigation: str | None
    claims: tuple[str, ...]
    references: tuple[str, ...]


def plain(value: Any) -> Any:
    """Dataclasses as dicts, tuples as lists, all the way down; faster than `asdict`, which
    deep-copies every leaf."""
    if hasattr(value, "__dataclass_fields__"):
        return {name: plain(item) for name, item in vars(value).items()}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def _result_dict(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = plain(result)
    data["dimensions"] = {d.name: {"score": d.score, "weight": d.weight} for d in result.dimensions}
    if not result.evaluations:
        del data["evaluations"]  # present only with --verbose
    return data


@dataclass(frozen=True)
class RenderOptions:
    """How a renderer should lay out text: colour codes or none, and the line width."""

    color: bool = False
    width: int = 100
