"""`assess` and `baseline`: assess a batch and print a report, or record one to compare with."""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from serverless_fit.model.trace import Trace

from serverless_fit.commands.common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_THRESHOLD,
    FAIL_ON,
    FORMATS,
    also_outputs,
    batch_options,
    cost_settings,
    emitter,
    fail,
    format_for,
    input_limits,
    load_config,
    run_batch,
    usage_problem,
)


class FiniteFloat(click.FloatRange):
    """A number in range; `nan` and `inf` are refused (a NaN threshold compares false with
    every score, which would switch the gate off)."""

    name = "number"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        number: float = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def _share(option: str, text: str | None) -> float | None:
    """A percentage option as a share; a located input error when it is none."""
    if text is None:
        return None
    from serverless_fit.format.units import UnitError, parse_percent

    try:
        return parse_percent(text)
    except UnitError as error:
        fail([usage_problem(option, f"found {text!r}; allowed: {error.allowed}")])


def _trace(paths: tuple[Path, ...]) -> Trace:
    from serverless_fit.errors import InputError
    from serverless_fit.measure.figures import SpanError
    from serverless_fit.measure.replaytrace import load_trace

    try:
        return load_trace(paths)
    except InputError as error:
        fail(error.problems)
    except SpanError:
        message = "found a log spanning more than 400 days; allowed: at most 400 days at once"
        fail([usage_problem(str(paths[0]), message, "--trace")])


# The formats with a portfolio summary; plain text shows the terminal's, without colour.
SUMMARY_FORMATS = {
    "terminal": "terminal",
    "text": "terminal",
    "markdown": "markdown",
    "html": "html",
}


def _summary_format(name: str) -> str:
    if name not in SUMMARY_FORMATS:
        allowed = ", ".join(SUMMARY_FORMATS)
        fail([usage_problem("--summary", f"found --format {name}; allowed with it: {allowed}")])
    return SUMMARY_FORMATS[name]


@click.command()
@batch_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default=None,
    help="Report format (default auto: the rich report on a terminal, plain text when piped, "
    "or from the --output file's suffix: .json .sarif .xml .md .txt .html).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the report to this file (atomically) instead of standard output.",
)
@click.option(
    "--also",
    "also",
    multiple=True,
    metavar="[FORMAT:]FILE",
    help="Also write the report to FILE, in FORMAT or the one its suffix names, from the same "
    "assessment (repeatable): e.g. --also fit.sarif --also markdown:$GITHUB_STEP_SUMMARY.",
)
@click.option(
    "--fail-under",
    type=FiniteFloat(0, 100),
    default=None,
    help="Exit 1 when a result scores below this.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Exit 1 when a result has this verdict or worse, or an active finding of this "
    "severity or worse.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    default=None,
    help="An earlier --format json report: exit 1 only on regressions against it.",
)
@click.option(
    "--tolerance",
    type=FiniteFloat(min=0),
    default=None,
    help="Score points a result may lose against --baseline (default 0).",
)
@click.option(
    "--min-confidence",
    default=None,
    metavar="PERCENT",
    help="Exit 1 when a result's confidence (the share of its rules that could be assessed, "
    "weighted) is under PERCENT, e.g. 60%: a near-empty file cannot pass for a known one.",
)
@click.option(
    "--fail-scope",
    type=click.Choice(["each", "best"]),
    default=None,
    help="With several targets, judge every target's result (each, the default) or only each "
    "workload's best target (best).",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Show every rule evaluated for each target, and why it fired or did not.",
)
@click.option(
    "--counterfactuals/--no-counterfactuals",
    default=None,
    help="Search for the field values that would clear each blocker and risk (default: yes).",
)
@click.option(
    "--trace",
    "traces",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="LOG",
    help="Replay this request log (any format `measure` reads; repeatable) for one workload: "
    "its traffic and durations measured, its real arrivals fed to the cold-start simulation.",
)
@click.option(
    "--summary",
    "summary_only",
    is_flag=True,
    help="Write only the portfolio summary: workloads by verdict, each at its best target, "
    "monthly spend both ways, the biggest savings and risks (terminal, text, markdown, html).",
)
@click.option("--width", type=click.IntRange(60, 400), default=None, help="Terminal report width.")
def assess(
    paths: tuple[str, ...],
    targets: tuple[str, ...],
    as_of: dt.datetime | None,
    free_tier: bool | None,
    exclude: tuple[str, ...],
    rule_packs: tuple[str, ...],
    jobs: int | None,
    follow_symlinks: bool | None,
    config_file: Path | None,
    output_format: str | None,
    output: Path | None,
    also: tuple[str, ...],
    fail_under: float | None,
    fail_on: str | None,
    baseline: str | None,
    tolerance: float | None,
    min_confidence: str | None,
    fail_scope: str | None,
    verbose: bool,
    counterfactuals: bool | None,
    traces: tuple[Path, ...],
    summary_only: bool,
    width: int | None,
    **options: Any,
) -> None:
    """Assess workload files, folders or globs and print a report.

    Exit codes: 0 all assessed and no threshold failed; 1 a threshold failed; 2 invalid
    input (the valid files are still reported); 3 an internal error.

    \b
    Examples:
      serverless-fit assess workloads/checkout-api.yaml
      serverless-fit assess workloads/ --target all --format json -o report.json
      serverless-fit assess 'services/**/fit.yaml' --fail-on poor-fit --format sarif -o fit.sarif
    """
    from serverless_fit.errors import InputError
    from serverless_fit.pipeline.gate import Gate, load_baseline

    loaded = load_config(config_file)
    values = loaded.values
    baseline_file = baseline or (loaded.path(values.baseline) if values.baseline else None)
    try:
        gate = Gate(
            fail_under=fail_under if fail_under is not None else values.fail_under,
            fail_on=fail_on or values.fail_on,
            baseline=load_baseline(baseline_file) if baseline_file else None,
            tolerance=tolerance if tolerance is not None else (values.tolerance or 0.0),
            scope="best" if (fail_scope or values.fail_scope) == "best" else "each",
            min_confidence=_share("--min-confidence", min_confidence or values.min_confidence),
        )
    except InputError as error:
        fail(error.problems)
    from serverless_fit.render import SHOWS_COUNTERFACTUALS

    search = counterfactuals if counterfactuals is not None else values.counterfactuals
    name = format_for(output_format or values.format or "auto", output)
    if summary_only:
        name = _summary_format(name)
    extras = also_outputs(also)
    names = {name, *(extra for extra, _ in extras)}
    trace = _trace(traces) if traces else None
    report = run_batch(
        loaded,
        paths,
        targets,
        as_of,
        cost_settings(loaded, free_tier, options),
        exclude,
        rule_packs,
        jobs,
        follow_symlinks,
        limits=input_limits(loaded, options),
        emit=emitter(name, output, width, extras, summary_only),
        trace=trace,
        output=output,
        gate=gate,
        verbose=verbose,
        counterfactuals=search is not False and bool(names & SHOWS_COUNTERFACTUALS),
        cost_curves="html" in names,
        other_inputs={
            **({"--baseline": (Path(baseline_file),)} if baseline_file else {}),
            **({"--trace": traces} if traces else {}),
        },
        extra_outputs=tuple(path for _, path in extras),
    )
    for problem in report.errors:
        click.echo(str(problem), err=True)
    sys.exit(EXIT_INPUT if report.errors else EXIT_THRESHOLD if report.failed else EXIT_OK)


@click.command()
@batch_options
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="The JSON report to write (atomically).",
)
def baseline(
    paths: tuple[str, ...],
    targets: tuple[str, ...],
    as_of: dt.datetime | None,
    free_tier: bool | None,
    exclude: tuple[str, ...],
    rule_packs: tuple[str, ...],
    jobs: int | None,
    follow_symlinks: bool | None,
    config_file: Path | None,
    output: Path,
    **options: Any,
) -> None:
    """Write a JSON report to compare later runs with (`assess --baseline FILE`).

    \b
    Example:
      serverless-fit baseline workloads/ -o .serverless-fit-baseline.json
    """
    loaded = load_config(config_file)
    report = run_batch(
        loaded,
        paths,
        targets,
        as_of,
        cost_settings(loaded, free_tier, options),
        exclude,
        rule_packs,
        jobs,
        follow_symlinks,
        limits=input_limits(loaded, options),
        emit=emitter("json", output, None),
        output=output,
    )
    for problem in report.errors:
        click.echo(str(problem), err=True)
    from serverless_fit.report import counted

    click.echo(f"wrote {output}: {counted(sum(report.summary.values()), 'result')}", err=True)
    sys.exit(EXIT_INPUT if report.errors else EXIT_OK)
