"""The command line: parse options, call the library, pick a renderer, set the exit code."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from serverless_fit import __version__

if TYPE_CHECKING:
    from serverless_fit.config import LoadedConfig
    from serverless_fit.errors import Problem
    from serverless_fit.gate import Gate
    from serverless_fit.limits import InputLimits
    from serverless_fit.report import RenderOptions, ReportStream
    from serverless_fit.rulepacks import RuleSet

EXIT_OK, EXIT_THRESHOLD, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 128 + 13  # as a tool stopped by SIGPIPE: the reader of its output left
ISSUES_URL = "https://github.com/serverless-fit/serverless-fit/issues"
FORMATS = ("auto", "terminal", "text", "json", "sarif", "junit", "markdown", "github", "html")
FAIL_ON = ("poor-fit", "fit-with-mitigations", "blocker", "risk", "info")
DEFAULT_TARGETS = ("aws-lambda",)
PROGRESS_MIN_FILES = 50  # smaller batches finish before a bar would help
# --format auto with --output picks the format from the file name.
SUFFIX_FORMATS = {
    ".json": "json",
    ".sarif": "sarif",
    ".xml": "junit",
    ".md": "markdown",
    ".txt": "text",
    ".html": "html",
}

F = TypeVar("F", bound=Callable[..., Any])


def _fail(problems: Sequence[Problem]) -> NoReturn:
    for problem in problems:
        click.echo(str(problem), err=True)
    sys.exit(EXIT_INPUT)


def _render_options(width: int | None, to_file: bool = False) -> RenderOptions:
    """Colour only on a terminal and without NO_COLOR; the terminal's width unless given."""
    from serverless_fit.report import RenderOptions

    tty = sys.stdout.isatty() and not to_file
    color = tty and "NO_COLOR" not in os.environ
    columns = os.get_terminal_size().columns if tty else 100
    return RenderOptions(color=color, width=width or columns)


# Commands whose module loads only when they run or are listed: their options are many.
LAZY_COMMANDS = {"init": "serverless_fit.init_command"}


class _Group(click.Group):
    """Turns an unexpected exception into one line and exit code 3 instead of a traceback,
    and loads the lazy commands on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            import importlib

            command: click.Command = getattr(
                importlib.import_module(LAZY_COMMANDS[cmd_name]), cmd_name
            )
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # the reader stopped reading (`| head`): stop quietly
            _silence_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except Exception as error:  # a bug: one line saying where, unless --debug
            if ctx.params.get("debug"):
                import traceback

                traceback.print_exc()
                sys.exit(EXIT_INTERNAL)
            from serverless_fit.errors import AssessmentError

            if isinstance(error, AssessmentError):
                what = f" {error}"  # "while assessing FILE: Type: message"
            else:
                what = f": {type(error).__name__}: {error}"
            click.echo(
                f"serverless-fit: internal error{what}\n"
                f"This is a bug; please report it at {ISSUES_URL} "
                "(run again with --debug for the traceback)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="serverless-fit")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def main(debug: bool) -> None:
    """Should this workload run serverless, where, at what cost, and what would change the answer?

    \b
    Example:
      serverless-fit assess workloads/checkout-api.yaml
    """
    # The tool's models are its own: no pydantic plugin is meant to observe them, and looking
    # the plugins up reads the metadata of every installed package (about 15 ms of each run).
    # Set when the command runs, not on import, and a value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


_RULES_OPTION = click.option(
    "--rules",
    "rule_packs",
    multiple=True,
    metavar="FILE_OR_DIR",
    help="An organisation's rule pack: a rule file or a folder of them (repeatable).",
)


LIMIT_OPTIONS = ("max_file_size", "max_values", "max_depth", "max_documents", "max_string")
# The limits that count something, with their defaults (limits.py) in words.
COUNT_LIMIT_HELP = {
    "--max-values": "YAML values per document, aliases expanded (default 200000).",
    "--max-depth": "Nesting of YAML collections (default 64).",
    "--max-documents": "YAML documents per file (default 1000).",
    "--max-string": "Characters in one string (default 10000).",
}


def _limit_options(command: F) -> F:
    """Bounds on what one input file may cost (SECURITY.md); each also a config key."""
    decorators = [
        click.option(
            "--max-file-size",
            default=None,
            metavar="SIZE",
            help="Largest workload file read (default 1MiB).",
        ),
        *(
            click.option(name, type=click.IntRange(min=1), default=None, help=text)
            for name, text in COUNT_LIMIT_HELP.items()
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def _limits(loaded: LoadedConfig, given: dict[str, Any]) -> InputLimits:
    """The input limits: the command line, else the config file, else the defaults."""
    from serverless_fit.limits import DEFAULT_LIMITS, InputLimits
    from serverless_fit.units import UnitError, parse_size

    values = loaded.values
    chosen: dict[str, Any] = {}
    for option in LIMIT_OPTIONS:
        value = given.get(option)
        if value is None:
            value = getattr(values, option)
        if value is not None:
            chosen[option.removeprefix("max_")] = value
    size = chosen.get("file_size")
    if isinstance(size, str):
        try:
            chosen["file_size"] = int(parse_size(size).bytes)
        except UnitError as error:
            _fail([_problem("--max-file-size", f"found {size!r}; allowed: {error.allowed}")])
    return InputLimits(**{**vars(DEFAULT_LIMITS), **chosen})


def _packs(loaded: LoadedConfig, given: tuple[str, ...]) -> tuple[str, ...]:
    """Rule packs from the config file (relative to it), then those given on the command line."""
    return (*(loaded.path(p) for p in loaded.values.rules or ()), *given)


def _batch_options(command: F) -> F:
    """Options shared by every command that assesses a batch."""
    decorators = [
        click.argument("paths", nargs=-1, required=True),
        click.option(
            "--target",
            "targets",
            multiple=True,
            help="Platform to assess against (repeatable; default aws-lambda); `all` for every "
            "platform of the workload's allowed providers. `serverless-fit platforms` lists them.",
        ),
        click.option(
            "--as-of",
            type=click.DateTime(formats=["%Y-%m-%d"]),
            default=None,
            help="Date that waiver expiry is judged on (default: today).",
        ),
        click.option(
            "--free-tier/--no-free-tier",
            default=None,
            help="Include the providers' free tiers in costs (default: no).",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="GLOB",
            help="Skip files whose path, name or folder matches (repeatable).",
        ),
        _RULES_OPTION,
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            default=None,
            help="Processes to assess with (default: the number of CPUs).",
        ),
        click.option(
            "--follow-symlinks/--no-follow-symlinks",
            default=None,
            help="Follow symbolic links when searching folders (default: no).",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Config file (default: the nearest .serverless-fit.yaml or pyproject.toml "
            "with [tool.serverless-fit]).",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return _limit_options(command)


def _load_config(config_file: Path | None) -> LoadedConfig:
    from serverless_fit import config
    from serverless_fit.errors import InputError

    try:
        return config.load(config_file, Path.cwd())
    except InputError as error:
        _fail(error.problems)


def _run_batch(
    loaded: LoadedConfig,
    paths: tuple[str, ...],
    targets: tuple[str, ...],
    as_of: dt.datetime | None,
    free_tier: bool | None,
    exclude: tuple[str, ...],
    rule_packs: tuple[str, ...],
    jobs: int | None,
    follow_symlinks: bool | None,
    *,
    limits: InputLimits,
    emit: Callable[[ReportStream], None],
    output: Path | None,
    gate: Gate | None = None,
    verbose: bool = False,
    counterfactuals: bool = True,
    cost_curves: bool = False,
) -> ReportStream:
    """Find the files, assess them (in parallel when it pays) while `emit` writes the report,
    and return the report, read to the end: its summary and errors are then final."""
    from serverless_fit.assess import Options
    from serverless_fit.batch import assess_batch, default_jobs
    from serverless_fit.discover import discover
    from serverless_fit.errors import InputError
    from serverless_fit.output import replaces_an_input

    values = loaded.values
    follow = follow_symlinks if follow_symlinks is not None else bool(values.follow_symlinks)
    files, problems = discover(paths, (*(values.exclude or ()), *exclude), follow)
    if not files and not problems:
        message = "found no *.yaml or *.yml workload files; allowed: files, folders or globs"
        _fail([_problem(" ".join(paths), message)])
    if output is not None and replaces_an_input(output, files):
        message = "is one of the files to assess; allowed: a report file that is not an input"
        _fail([_problem(str(output), message, "--output")])
    options = Options(
        targets=targets or tuple(values.target or DEFAULT_TARGETS),
        as_of=as_of.date() if as_of else None,
        free_tier=free_tier if free_tier is not None else bool(values.free_tier),
        counterfactuals=counterfactuals,
        verbose=verbose,
        limits=limits,
        cost_curves=cost_curves,
    )
    packs = _packs(loaded, rule_packs)
    workers = jobs or values.jobs or default_jobs()
    from serverless_fit.gate import judge

    try:
        with _progress(len(files)) as advance:
            report = assess_batch(files, packs, options, workers, advance, problems)
            if gate is not None:
                report = judge(report, gate)
            emit(report)  # the report is read, and the files assessed, while it is written
    except InputError as error:
        _fail(error.problems)
    return report


def _problem(file: str, message: str, field: str | None = None) -> Problem:
    from serverless_fit.errors import Problem

    return Problem(file, None, None, field, message)


class _NoProgress:
    def __enter__(self) -> Callable[[int], None] | None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


class _ProgressBar:
    """A bar on stderr while a large batch runs, only when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.progress = Progress(
            "assessing",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task("files", total=total)

    def __enter__(self) -> Callable[[int], None]:
        self.progress.start()
        return lambda done: self.progress.advance(self.task, done)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def _progress(total: int) -> _NoProgress | _ProgressBar:
    if total >= PROGRESS_MIN_FILES and sys.stderr.isatty():
        return _ProgressBar(total)
    return _NoProgress()


def _silence_stdout() -> None:
    """Send what is left for standard output nowhere, so that flushing it at exit cannot fail
    a second time after a write to it failed."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _emit(chunks: Iterable[str], output: Path | None) -> None:
    """Print the report as it comes, or write it to `output` (whole, or not at all)."""
    if output is None:
        for chunk in chunks:
            try:
                click.echo(chunk, nl=False)
            except BrokenPipeError:
                raise  # the reader left: handled once, at the top
            except OSError as error:  # a full disk behind a redirection
                _silence_stdout()
                reason = error.strerror or str(error)
                _fail([_problem("standard output", f"cannot write the report: {reason}")])
        return
    from serverless_fit.output import write_atomically

    try:
        write_atomically(output, chunks)
    except OSError as error:
        reason = error.strerror or str(error)
        _fail([_problem(str(output), f"cannot write the report: {reason}", "--output")])


def _emitter(name: str, output: Path | None, width: int | None) -> Callable[[ReportStream], None]:
    """Writes a report in one format: result by result for the formats that stream."""
    from serverless_fit.render import STREAMING, renderer, streamer

    def emit(report: ReportStream) -> None:
        options = _render_options(width, output is not None)
        if name in STREAMING:
            _emit(streamer(name)(report, options), output)
        else:
            _emit([renderer(name)(report.collect(), options)], output)

    return emit


def _format_for(requested: str, output: Path | None) -> str:
    if requested != "auto":
        return requested
    if output is not None:
        return SUFFIX_FORMATS.get(output.suffix.lower(), "text")
    return "terminal" if sys.stdout.isatty() else "text"


@main.command()
@_batch_options
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
    "--fail-under",
    type=click.FloatRange(0, 100),
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
    type=click.FloatRange(min=0),
    default=None,
    help="Score points a result may lose against --baseline (default 0).",
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
    fail_under: float | None,
    fail_on: str | None,
    baseline: str | None,
    tolerance: float | None,
    fail_scope: str | None,
    verbose: bool,
    counterfactuals: bool | None,
    width: int | None,
    **limit_options: Any,
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
    from serverless_fit.gate import Gate, load_baseline

    loaded = _load_config(config_file)
    values = loaded.values
    baseline_file = baseline or (loaded.path(values.baseline) if values.baseline else None)
    try:
        gate = Gate(
            fail_under=fail_under if fail_under is not None else values.fail_under,
            fail_on=fail_on or values.fail_on,
            baseline=load_baseline(baseline_file) if baseline_file else None,
            tolerance=tolerance if tolerance is not None else (values.tolerance or 0.0),
            scope="best" if (fail_scope or values.fail_scope) == "best" else "each",
        )
    except InputError as error:
        _fail(error.problems)
    from serverless_fit.render import SHOWS_COUNTERFACTUALS

    search = counterfactuals if counterfactuals is not None else values.counterfactuals
    name = _format_for(output_format or values.format or "auto", output)
    report = _run_batch(
        loaded,
        paths,
        targets,
        as_of,
        free_tier,
        exclude,
        rule_packs,
        jobs,
        follow_symlinks,
        limits=_limits(loaded, limit_options),
        emit=_emitter(name, output, width),
        output=output,
        gate=gate,
        verbose=verbose,
        counterfactuals=search is not False and name in SHOWS_COUNTERFACTUALS,
        cost_curves=name == "html",
    )
    for problem in report.errors:
        click.echo(str(problem), err=True)
    sys.exit(EXIT_INPUT if report.errors else EXIT_THRESHOLD if report.failed else EXIT_OK)


@main.command()
@_batch_options
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
    **limit_options: Any,
) -> None:
    """Write a JSON report to compare later runs with (`assess --baseline FILE`).

    \b
    Example:
      serverless-fit baseline workloads/ -o .serverless-fit-baseline.json
    """
    loaded = _load_config(config_file)
    report = _run_batch(
        loaded,
        paths,
        targets,
        as_of,
        free_tier,
        exclude,
        rule_packs,
        jobs,
        follow_symlinks,
        limits=_limits(loaded, limit_options),
        emit=_emitter("json", output, None),
        output=output,
    )
    for problem in report.errors:
        click.echo(str(problem), err=True)
    click.echo(f"wrote {output}: {sum(report.summary.values())} results", err=True)
    sys.exit(EXIT_INPUT if report.errors else EXIT_OK)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files.")
@_RULES_OPTION
@_limit_options
@click.option("--follow-symlinks/--no-follow-symlinks", default=None, help="Follow links.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file (default: the nearest one).",
)
def validate(
    paths: tuple[str, ...],
    exclude: tuple[str, ...],
    rule_packs: tuple[str, ...],
    follow_symlinks: bool | None,
    config_file: Path | None,
    **limit_options: Any,
) -> None:
    """Check workload files against the format only: fast, no assessment.

    Same messages and exit codes as assess: 0 all valid, 2 a problem found.

    \b
    Example:
      serverless-fit validate workloads/
    """
    from serverless_fit.discover import discover
    from serverless_fit.errors import InputError
    from serverless_fit.rulepacks import load_rules
    from serverless_fit.validate import validate_files

    loaded = _load_config(config_file)
    try:
        rule_ids = frozenset(rule.id for rule in load_rules(_packs(loaded, rule_packs)))
    except InputError as error:
        _fail(error.problems)
    values = loaded.values
    follow = follow_symlinks if follow_symlinks is not None else bool(values.follow_symlinks)
    files, problems = discover(paths, (*(values.exclude or ()), *exclude), follow)
    if not files and not problems:
        message = "found no *.yaml or *.yml workload files; allowed: files, folders or globs"
        _fail([_problem(" ".join(paths), message)])
    checked = validate_files(files, rule_ids, _limits(loaded, limit_options))
    problems = [*problems, *checked.problems]
    for problem in problems:
        click.echo(str(problem), err=True)
    invalid = len({p.file for p in problems})
    click.echo(
        f"{len(files)} files, {checked.workloads} workloads: "
        + (f"{invalid} file(s) with problems" if problems else "all valid")
    )
    sys.exit(EXIT_INPUT if problems else EXIT_OK)


@main.command()
@click.argument("kind", type=click.Choice(["workload", "report"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of the workload format or of the JSON report.

    \b
    Example:
      serverless-fit schema workload > serverless-fit.schema.json
    """
    from serverless_fit.jsonschemas import report_schema, workload_schema

    click.echo(workload_schema() if kind == "workload" else report_schema(), nl=False)


@main.command()
@click.argument("name", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["terminal", "json"]),
    default="terminal",
    show_default=True,
    help="Output format.",
)
@click.option("--width", type=click.IntRange(60, 400), default=None, help="Terminal width.")
def platforms(name: str | None, output_format: str, width: int | None) -> None:
    """List the platform profiles with key limits, prices and as-of dates, or show one.

    \b
    Examples:
      serverless-fit platforms
      serverless-fit platforms azure-functions
    """
    from serverless_fit import catalog
    from serverless_fit.render.platforms import render_list, render_profile

    profiles = catalog.platforms()
    options = _render_options(width)
    if name is None:
        baselines = list(catalog.baselines().values())
        text = render_list(list(profiles.values()), baselines, options, output_format)
    elif name in profiles:
        text = render_profile(profiles[name], options, output_format)
    else:
        allowed = ", ".join(profiles)
        _fail([_problem("platforms", f"found {name!r}; allowed: {allowed}", "NAME")])
    click.echo(text, nl=False)


@main.group()
def rules() -> None:
    """List the rules, or explain one: what it checks, why, examples, how to waive it."""


_RULE_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["terminal", "json", "markdown"]),
    default="terminal",
    show_default=True,
    help="Output format.",
)
_CONFIG_OPTION = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file (default: the nearest one); its rule packs are included.",
)


def _rule_set(config_file: Path | None, rule_packs: tuple[str, ...]) -> RuleSet:
    from serverless_fit.errors import InputError
    from serverless_fit.rulepacks import load_rule_set

    loaded = _load_config(config_file)
    try:
        return load_rule_set(_packs(loaded, rule_packs))
    except InputError as error:
        _fail(error.problems)


@rules.command("list")
@click.option(
    "--dimension",
    "dimensions",
    multiple=True,
    type=click.Choice(
        [
            "latency",
            "duration",
            "cost",
            "portability",
            "testability",
            "resources",
            "state",
            "operations",
        ]
    ),
    help="Only rules of this dimension (repeatable).",
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    type=click.Choice(["blocker", "risk", "info", "benefit"]),
    help="Only rules of this severity (repeatable).",
)
@click.option("--target", default=None, help="Only rules that apply to this platform.")
@_RULE_FORMAT
@_RULES_OPTION
@_CONFIG_OPTION
@click.option("--width", type=click.IntRange(60, 400), default=None, help="Terminal width.")
def rules_list(
    dimensions: tuple[str, ...],
    severities: tuple[str, ...],
    target: str | None,
    output_format: str,
    rule_packs: tuple[str, ...],
    config_file: Path | None,
    width: int | None,
) -> None:
    """List the rules: id, name, dimension, severity, claims, title.

    `--format markdown` is the rule reference (docs/rules.md).

    \b
    Examples:
      serverless-fit rules list --dimension latency
      serverless-fit rules list --rules policies/ --format json
    """
    from serverless_fit import catalog
    from serverless_fit.render.rules import render_list
    from serverless_fit.ruledocs import coverage, document, selected

    if target is not None and target not in catalog.platforms():
        allowed = ", ".join(catalog.platforms())
        _fail([_problem("--target", f"found {target!r}; allowed: {allowed}")])
    rule_set = _rule_set(config_file, rule_packs)
    chosen = selected(rule_set, dimensions, target, severities)
    docs = [document(rule, rule_set) for rule in chosen]
    text = render_list(docs, coverage(list(rule_set.rules)), _render_options(width), output_format)
    click.echo(text, nl=False)


@rules.command("explain")
@click.argument("rule_id", metavar="ID")
@_RULE_FORMAT
@_RULES_OPTION
@_CONFIG_OPTION
@click.option("--width", type=click.IntRange(60, 400), default=None, help="Terminal width.")
def rules_explain(
    rule_id: str,
    output_format: str,
    rule_packs: tuple[str, ...],
    config_file: Path | None,
    width: int | None,
) -> None:
    """Explain one rule: what it checks, why, an example that triggers it and one that does
    not (both assessed by the engine), the mitigation, and how to waive it.

    \b
    Example:
      serverless-fit rules explain LAT001
    """
    import difflib

    from serverless_fit.render.rules import render_explain
    from serverless_fit.ruledocs import document, find

    rule_set = _rule_set(config_file, rule_packs)
    rule = find(rule_id, rule_set)
    if rule is None:
        ids = [r.id for r in rule_set.rules]
        close = difflib.get_close_matches(rule_id.upper(), ids, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        _fail([_problem("rules explain", f"found {rule_id!r}; allowed: a rule id{hint}", "ID")])
    text = render_explain(document(rule, rule_set), _render_options(width), output_format)
    click.echo(text, nl=False)
