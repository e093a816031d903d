"""The Report value every renderer reads: plain, frozen, and versioned."""

from __future__ import annotations

import itertools
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal, Protocol

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
    notes: tuple[str, ...] = ()  # how it was priced (batching, what was left out and why)


@dataclass(frozen=True)
class Sizing:
    """How the always-on side was sized (README, "Always-on fleet")."""

    mode: str  # fleet (instances all day) or scheduled (a task per run)
    instance: str
    baseline: str
    min_count: int
    max_count: int
    target_utilisation: float
    requests_per_instance: int
    processes_per_instance: int
    shape: str  # where the day's shape came from
    load_balancer: str | None
    instance_hours: float


@dataclass(frozen=True)
class AlwaysOnCost:
    monthly_usd: float
    items: dict[str, float]
    instance: str
    count: int
    baseline: str
    sizing: Sizing | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BreakEven:
    rate: str
    per_second: float


def counted(count: int, noun: str) -> str:
    """`1 result`, `2 results`: a count with its noun, singular or plural as it reads."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def break_even_words(ratio: float, rate: str | None) -> str:
    """Where the two bills cross, as a clause a message or a report line ends with."""
    if rate is None:
        side = "serverless" if ratio < 1 else "always-on"
        return f"{side} stays cheaper at any traffic of this shape"
    if ratio < 1:
        return f"serverless stays cheaper up to an average of {rate}"
    return f"serverless becomes cheaper below an average of {rate}"


@dataclass(frozen=True)
class CostPoint:
    per_second: float  # average requests a second
    monthly_usd: float  # the serverless bill at that rate
    always_on_usd: float | None = None  # the always-on bill at that rate


@dataclass(frozen=True)
class Cost:
    serverless: CostSide | None
    always_on: AlwaysOnCost | None
    ratio: float | None
    break_even: BreakEven | None
    free_tier: bool
    curve: tuple[CostPoint, ...] = ()  # the bill over a range of rates, for charts
    per_second: float | None = None  # the workload's own average rate, marked on charts


@dataclass(frozen=True)
class Latency:
    """The simulated cold starts, latency and scaling of one result (README, "Cold starts and
    latency"). Times in milliseconds."""

    cold_start_share: float | None  # None: no published keep-alive (percentiles take all cold)
    p50: float
    p95: float
    p99: float
    peak_concurrency: float
    throttled_share: float  # of the worst burst (or busiest hour); replayed: of all requests
    method: str  # periodic, exact, aggregated, or replay (a log's own arrivals, --trace)
    run: float  # a warm run (duration.typical, times the batch)
    startup_p50: float  # a new instance's start-up, with the package allowance
    startup_p99: float
    instances_by_hour: tuple[float, ...]  # mean instances alive in each hour (UTC)
    batch: int = 1  # messages per invocation, for queue and stream triggers
    objective_p99: float | None = None  # the workload's latency.p99, to compare against


@dataclass(frozen=True)
class Counterfactual:
    """A change that clears a finding, verified by re-running the rule: a lever the team
    controls, an objective the business could relax, or another target."""

    rule: str
    field: str  # a workload field, or "target"
    value: str
    effect: str
    kind: str = "lever"  # lever, objective or target
    monthly_usd: float | None = None  # the serverless bill with the change
    bill_change: float | None = None  # against the bill without it
    verdict: str | None = None  # for another target: its verdict there


@dataclass(frozen=True)
class Plan:
    """The cheapest deployment options that clear a result's blockers and risks, verified by
    assessing again with them applied."""

    options: tuple[tuple[str, str], ...]  # (option, value) as a deployment section writes it
    clears: tuple[str, ...]  # rule ids it clears
    remaining: tuple[str, ...]  # blockers and risks it leaves
    verdict: Verdict
    score: float
    monthly_usd: float | None  # the serverless bill with the plan
    added_usd: float | None  # what the plan adds to the bill a month
    summary: str


@dataclass(frozen=True)
class Evaluation:
    """How one rule came out for one result, and why (`assess --verbose`)."""

    rule: str
    outcome: str  # fired, waived, quiet, not assessed, not for this target or this archetype
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
    latency: Latency | None = None
    failures: tuple[str, ...] = ()  # why this result fails the CI thresholds, if it does
    evaluations: tuple[Evaluation, ...] = ()  # every rule's outcome, when asked for
    measured: str | None = None  # what a replayed trace measured, over which period
    deployment: tuple[tuple[str, str], ...] = ()  # deployment options the target took
    not_applicable: tuple[str, ...] = ()  # deployment options it does not offer
    plan: Plan | None = None  # the mitigation plan, for a result with blockers or risks
    unresolved: tuple[str, ...] = ()  # blockers and risks nothing proposed clears

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if not f.waived)

    @property
    def serverless_bill(self) -> CostSide | None:
        return self.cost.serverless if self.cost is not None else None


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

    @property
    def result_count(self) -> int:
        return len(self.results)

    @property
    def failed_count(self) -> int:
        return sum(1 for result in self.results if result.failures)

    def iter_results(self) -> Iterator[Result]:
        return iter(self.results)

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


def by_workload(results: Iterable[Result]) -> Iterator[list[Result]]:
    """Each workload's results (one per target), in report order: they are consecutive, since
    the batch assesses a file at a time, so one workload at a time is held."""
    for _, grouped in itertools.groupby(results, key=lambda r: (r.file, r.workload)):
        yield list(grouped)


class ReportStream:
    """A report whose results are produced while it is read, so that a large batch is never
    held in memory whole. Read `iter_results()` once; `summary`, `failed` and `errors` are
    final when it is exhausted (the renderers that stream print them after the results)."""

    def __init__(
        self,
        tool_version: str,
        as_of: str,
        results: Iterator[Result],
        errors: list[Problem],
        rules: tuple[RuleInfo, ...] = (),
        gated: bool = False,
        release: Callable[[], None] | None = None,
    ) -> None:
        self.tool_version = tool_version
        self.as_of = as_of
        self.schema_version = SCHEMA_VERSION
        self.rules = rules
        self.gated = gated
        self.errors = errors  # filled by the producer as files are read
        self.summary: dict[str, int] = dict.fromkeys(VERDICTS, 0)
        self.failed = False
        self._source = results
        self._release = release  # stops what produces the results (worker processes)

    def iter_results(self) -> Iterator[Result]:
        for result in self._source:
            self.summary[result.verdict] += 1
            self.failed = self.failed or bool(result.failures)
            yield result

    def map(self, change: Callable[[Result], Result], *, gated: bool) -> ReportStream:
        """The same stream with each result changed as it passes."""
        changed = (change(result) for result in self._source)
        return ReportStream(
            self.tool_version, self.as_of, changed, self.errors, self.rules, gated, self.close
        )

    def close(self) -> None:
        """Stop producing results, at once and for good: a run that ends early (a signal, an
        error) stops its workers here rather than whenever the garbage collector would."""
        close = getattr(self._source, "close", None)
        if close is not None:
            close()
        if self._release is not None:
            self._release()

    def spool(self) -> SpooledReport:
        """Every result read and kept in a temporary file, for the formats that read them
        more than once (a summary first, then the details) without holding them in memory."""
        return SpooledReport(self)

    def collect(self) -> Report:
        """Every result read into a Report, for the formats that need them all at once."""
        results = tuple(self.iter_results())
        return Report(
            self.tool_version,
            self.as_of,
            results,
            tuple(self.errors),
            gated=self.gated,
            rules=self.rules,
        )


class CompleteReport(Protocol):
    """What a format that reads the results more than once needs: a Report, or a stream
    spooled to a temporary file. `iter_results()` may be called any number of times."""

    tool_version: str
    as_of: str
    schema_version: int
    gated: bool

    @property
    def rules(self) -> tuple[RuleInfo, ...]: ...
    @property
    def errors(self) -> tuple[Problem, ...]: ...
    @property
    def summary(self) -> dict[str, int]: ...
    @property
    def failed(self) -> bool: ...
    @property
    def result_count(self) -> int: ...
    @property
    def failed_count(self) -> int: ...
    def iter_results(self) -> Iterator[Result]: ...
    def compared(self) -> set[tuple[str, str]]: ...


# Results stay in memory up to this many bytes of their pickles, then go to a temporary file.
SPOOL_MEMORY = 16 * 1024 * 1024


class SpooledReport:
    """A stream read to its end, its results pickled one by one into an anonymous temporary
    file (unlinked at once, so nothing is left behind whatever ends the run): read again as
    often as a renderer needs, one result in memory at a time."""

    def __init__(self, stream: ReportStream) -> None:
        self.tool_version = stream.tool_version
        self.as_of = stream.as_of
        self.schema_version = stream.schema_version
        self.gated = stream.gated
        self.rules = stream.rules
        # Closed by close(), or with the process: it is never a named file.
        self._file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115
        counts: Counter[tuple[str, str]] = Counter()
        count = failed = 0
        pickler = pickle.Pickler(self._file, protocol=pickle.HIGHEST_PROTOCOL)
        for result in stream.iter_results():
            pickler.dump(result)
            pickler.clear_memo()  # each result stands alone: the memo would keep them all
            counts[(result.file, result.workload)] += 1
            count += 1
            failed += bool(result.failures)
        self.result_count = count
        self.failed_count = failed
        self.summary = dict(stream.summary)
        self.failed = stream.failed
        self.errors = tuple(stream.errors)
        self._compared = {key for key, seen in counts.items() if seen > 1}

    def iter_results(self) -> Iterator[Result]:
        self._file.seek(0)
        for _ in range(self.result_count):
            result: Result = pickle.load(self._file)
            yield result

    def compared(self) -> set[tuple[str, str]]:
        return self._compared

    def close(self) -> None:
        self._file.close()


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


def json_fields(value: Any) -> dict[str, Any]:
    """A report value as the JSON contract (shared/DESIGN.md) has it.

    The `default` hook of `json.dumps`: the C encoder writes tuples, dicts and scalars
    itself and asks only for the dataclasses, so no copy of the report is ever built.
    """
    kind = type(value)
    if kind is Result:
        data = dict(vars(value))
        data["dimensions"] = {
            d.name: {"score": d.score, "weight": d.weight} for d in value.dimensions
        }
        if not value.evaluations:
            del data["evaluations"]  # present only with --verbose
        if value.measured is None:
            del data["measured"]  # present only with --trace
        if value.plan is not None:
            data["plan"] = dict(vars(value.plan), options=dict(value.plan.options))
        if value.deployment or value.not_applicable:
            data["deployment"] = dict(value.deployment)
        else:  # present only when the workload has a deployment section
            del data["deployment"]
            del data["not_applicable"]
        return data
    if kind is Cost and not value.curve:
        data = dict(vars(value))
        del data["curve"]  # present only when a chart needs them
        del data["per_second"]
        return data
    if hasattr(kind, "__dataclass_fields__"):
        return dict(vars(value))
    raise TypeError(f"{kind.__name__} is not part of the JSON report")


@dataclass(frozen=True)
class RenderOptions:
    """How a renderer should lay out text: colour codes or none, the line width, and whether
    to write the portfolio summary alone (`--summary`)."""

    color: bool = False
    width: int = 100
    summary_only: bool = False
