"""What the commands share: exit codes, options, config, messages, batches, writing a report."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from serverless_fit.errors import Problem
    from serverless_fit.format.config import LoadedConfig
    from serverless_fit.format.limits import InputLimits
    from serverless_fit.model.bills import CostSettings
    from serverless_fit.model.trace import Trace
    from serverless_fit.pipeline.gate import Gate
    from serverless_fit.report import RenderOptions, ReportStream

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


class IsoDate(click.DateTime):
    """YYYY-MM-DD with ASCII digits, as `expires:` in a workload: `2026-1-1` and full-width
    digits are refused, not read as a date."""

    name = "date"

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            self.fail(f"{value!r} is not a date written YYYY-MM-DD (e.g. 2027-06-30)", param, ctx)
        return super().convert(value, param, ctx)


def fail(problems: Sequence[Problem]) -> NoReturn:
    for problem in problems:
        click.echo(str(problem), err=True)
    sys.exit(EXIT_INPUT)


def render_options(
    width: int | None, to_file: bool = False, summary_only: bool = False
) -> RenderOptions:
    """Colour only on a terminal and without NO_COLOR; the terminal's width unless given."""
    from serverless_fit.report import RenderOptions

    tty = sys.stdout.isatty() and not to_file
    color = tty and "NO_COLOR" not in os.environ
    columns = os.get_terminal_size().columns if tty else 100
    return RenderOptions(color=color, width=width or columns, summary_only=summary_only)


# Commands whose module loads only when they run or are listed: their options are many.
RULES_OPTION = click.option(
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


def limit_options(command: F) -> F:
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


def input_limits(loaded: LoadedConfig, given: dict[str, Any]) -> InputLimits:
    """The input limits: the command line, else the config file, else the defaults."""
    from serverless_fit.format.limits import CEILINGS, DEFAULT_LIMITS, InputLimits
    from serverless_fit.format.units import UnitError, parse_size

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
            fail([usage_problem("--max-file-size", f"found {size!r}; allowed: {error.allowed}")])
    for name, value in chosen.items():
        ceiling = getattr(CEILINGS, name)
        if value > ceiling:
            option = "--max-" + name.replace("_", "-")
            fail([usage_problem(option, f"found {value}; allowed: at most {ceiling}")])
    return InputLimits(**{**vars(DEFAULT_LIMITS), **chosen})


COST_OPTIONS = ("target_utilisation", "min_instances", "provisioned_share")


def cost_options(command: F) -> F:
    """How the bills are priced beyond the workload; each also a config key."""
    decorators = [
        click.option(
            "--free-tier/--no-free-tier",
            default=None,
            help="Include the providers' free tiers in costs (default: no).",
        ),
        click.option(
            "--target-utilisation",
            default=None,
            metavar="PERCENT",
            help="Share of an always-on instance's request slots used in busy hours (default 60%).",
        ),
        click.option(
            "--min-instances",
            type=click.IntRange(min=1, max=1000),
            default=None,
            help="Always-on instances kept for availability (default 2).",
        ),
        click.option(
            "--provisioned-share",
            default=None,
            metavar="PERCENT",
            help="Share of requests provisioned concurrency is sized to serve warm "
            "(default 100%: the peak).",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def cost_settings(
    loaded: LoadedConfig, free_tier: bool | None, given: dict[str, Any]
) -> CostSettings:
    """The pricing options: the command line, else the config file, else the defaults."""
    from serverless_fit.format.units import UnitError, parse_percent
    from serverless_fit.model.bills import CostSettings

    values = loaded.values
    chosen: dict[str, Any] = {}
    for option in COST_OPTIONS:
        value = given.get(option)
        chosen[option] = value if value is not None else getattr(values, option)
    for option in ("target_utilisation", "provisioned_share"):
        text = chosen[option]
        if text is None:
            continue
        flag = "--" + option.replace("_", "-")
        try:
            share = parse_percent(str(text))
        except UnitError as error:
            fail([usage_problem(flag, f"found {text!r}; allowed: {error.allowed}")])
        if share <= 0:
            fail([usage_problem(flag, f"found {text!r}; allowed: a percentage above 0%")])
        chosen[option] = share
    defaults = CostSettings()
    return CostSettings(
        free_tier=free_tier if free_tier is not None else bool(values.free_tier),
        target_utilisation=chosen["target_utilisation"] or defaults.target_utilisation,
        min_instances=chosen["min_instances"] or defaults.min_instances,
        provisioned_share=chosen["provisioned_share"] or defaults.provisioned_share,
    )


def rule_packs_of(loaded: LoadedConfig, given: tuple[str, ...]) -> tuple[str, ...]:
    """Rule packs from the config file (relative to it), then those given on the command line."""
    return (*(loaded.path(p) for p in loaded.values.rules or ()), *given)


def batch_options(command: F) -> F:
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
            type=IsoDate(),
            default=None,
            help="Date that waiver expiry is judged on, YYYY-MM-DD (default: today).",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="GLOB",
            help="Skip files whose path, name or folder matches (repeatable).",
        ),
        RULES_OPTION,
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
    return cost_options(limit_options(command))


def load_config(config_file: Path | None) -> LoadedConfig:
    from serverless_fit.errors import InputError
    from serverless_fit.format import config

    try:
        return config.load(config_file, Path.cwd())
    except InputError as error:
        fail(error.problems)


def _refuse_replacing_an_input(
    output: Path,
    files: list[Path],
    loaded: LoadedConfig,
    packs: tuple[str, ...],
    others: dict[str, tuple[Path, ...]],
) -> None:
    """`-o` may not name any file the run reads, by whatever path or link: a workload, the
    config file, a rule pack or the baseline."""
    from serverless_fit.render.output import replaces_an_input
    from serverless_fit.rules.rulepacks import pack_files

    inputs: list[tuple[str, list[Path]]] = [("one of the files to assess", files)]
    if loaded.file:
        inputs.append(("the config file", [Path(loaded.file)]))
    if packs:
        inputs.append(("a rule pack", [p for source in packs for p in pack_files(source)]))
    inputs += [(f"the {option} file", list(paths)) for option, paths in others.items()]
    for what, paths in inputs:
        if replaces_an_input(output, paths):
            message = f"is {what}; allowed: a report file that is not an input"
            fail([usage_problem(str(output), message, "--output")])


def run_batch(
    loaded: LoadedConfig,
    paths: tuple[str, ...],
    targets: tuple[str, ...],
    as_of: dt.datetime | None,
    cost: CostSettings,
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
    other_inputs: dict[str, tuple[Path, ...]] | None = None,
    extra_outputs: tuple[Path, ...] = (),
    trace: Trace | None = None,
) -> ReportStream:
    """Find the files, assess them (in parallel when it pays) while `emit` writes the report,
    and return the report, read to the end: its summary and errors are then final."""
    from serverless_fit.errors import InputError
    from serverless_fit.format.discover import discover
    from serverless_fit.pipeline.assess import Options
    from serverless_fit.pipeline.batch import assess_batch, default_jobs

    values = loaded.values
    follow = follow_symlinks if follow_symlinks is not None else bool(values.follow_symlinks)
    files, problems = discover(paths, (*(values.exclude or ()), *exclude), follow)
    if not files and not problems:
        message = "found no *.yaml or *.yml workload files; allowed: files, folders or globs"
        fail([usage_problem(" ".join(paths), message)])
    if trace is not None and len(files) != 1:
        message = f"found {len(files)} workload files; allowed: one workload with --trace"
        fail([usage_problem(" ".join(paths), message, "--trace")])
    packs = rule_packs_of(loaded, rule_packs)
    for written in (*([output] if output is not None else []), *extra_outputs):
        _refuse_replacing_an_input(written, files, loaded, packs, other_inputs or {})
    options = Options(
        targets=targets or tuple(values.target or DEFAULT_TARGETS),
        as_of=as_of.date() if as_of else None,
        cost=cost,
        counterfactuals=counterfactuals,
        verbose=verbose,
        limits=limits,
        cost_curves=cost_curves,
        trace=trace,
    )
    workers = jobs or values.jobs or default_jobs()
    from serverless_fit.pipeline.gate import judge

    try:
        with progress(len(files)) as advance:
            report = assess_batch(files, packs, options, workers, advance, problems)
            if gate is not None:
                report = judge(report, gate)
            try:
                emit(report)  # the report is read, and the files assessed, while it is written
            finally:
                report.close()
    except InputError as error:
        fail(error.problems)
    return report


def usage_problem(file: str, message: str, field: str | None = None) -> Problem:
    from serverless_fit.errors import Problem

    return Problem(file, None, None, field, message)


class NoProgress:
    def __enter__(self) -> Callable[[int], None] | None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


class ProgressBar:
    """A bar on stderr while a long run goes on, only when stderr is a terminal: files
    assessed (the callback is given how many more), or bytes read (`in_bytes`: the callback is
    given how many so far)."""

    def __init__(self, total: int, label: str = "assessing", in_bytes: bool = False) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            TimeRemainingColumn,
        )

        self.in_bytes = in_bytes
        self.progress = Progress(
            label,
            BarColumn(),
            DownloadColumn() if in_bytes else MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.progress.add_task(label, total=total)

    def __enter__(self) -> Callable[[int], None]:
        self.progress.start()
        if self.in_bytes:
            return lambda done: self.progress.update(self.task, completed=done)
        return lambda done: self.progress.advance(self.task, done)

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()


def progress(total: int) -> NoProgress | ProgressBar:
    if total >= PROGRESS_MIN_FILES and sys.stderr.isatty():
        return ProgressBar(total)
    return NoProgress()


def silence_stdout() -> None:
    """Send what is left for standard output nowhere, so that flushing it at exit cannot fail
    a second time after a write to it failed."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def write_report(chunks: Iterable[str], output: Path | None, option: str = "--output") -> None:
    """Print the report as it comes, or write it to `output` (whole, or not at all)."""
    if output is None:
        for chunk in chunks:
            try:
                click.echo(chunk, nl=False)
            except BrokenPipeError:
                raise  # the reader left: handled once, at the top
            except OSError as error:  # a full disk behind a redirection
                silence_stdout()
                reason = error.strerror or str(error)
                fail([usage_problem("standard output", f"cannot write the report: {reason}")])
        return
    from serverless_fit.render.output import write_atomically

    try:
        write_atomically(output, chunks)
    except OSError as error:
        reason = error.strerror or str(error)
        fail([usage_problem(str(output), f"cannot write the report: {reason}", option)])


def emitter(
    name: str,
    output: Path | None,
    width: int | None,
    also: tuple[tuple[str, Path], ...] = (),
    summary_only: bool = False,
) -> Callable[[ReportStream], None]:
    """Writes a report in one format (result by result for the formats that stream), and in
    the `also` formats to their files, all from one assessment. `summary_only` writes the
    first format's portfolio summary alone; the `also` files are always whole."""
    from serverless_fit.render import STREAMING, spool_streamer, streamer

    def emit(report: ReportStream) -> None:
        options = render_options(width, output is not None, summary_only)
        if name in STREAMING and not also and not summary_only:
            write_report(streamer(name)(report, options), output)
            return
        spooled = report.spool()  # read more than once: by a format that needs it, or by each
        try:
            for extra, path in also:
                chunks = spool_streamer(extra)(spooled, render_options(width, True))
                write_report(chunks, path, "--also")
            write_report(spool_streamer(name)(spooled, options), output)
        finally:
            spooled.close()

    return emit


def also_outputs(values: tuple[str, ...]) -> tuple[tuple[str, Path], ...]:
    """`--also [FORMAT:]FILE` values as (format, file): the format named, or the suffix's."""
    from serverless_fit.render import FORMATS

    found = []
    for value in values:
        prefix, _, rest = value.partition(":")
        if rest and prefix in FORMATS:
            found.append((prefix, Path(rest)))
            continue
        path = Path(value)
        suffix = path.suffix.lower()
        if suffix not in SUFFIX_FORMATS:
            allowed = "FORMAT:FILE, or a FILE ending in " + " ".join(SUFFIX_FORMATS)
            fail([usage_problem(value, f"found no format; allowed: {allowed}", "--also")])
        found.append((SUFFIX_FORMATS[suffix], path))
    return tuple(found)


def format_for(requested: str, output: Path | None) -> str:
    if requested != "auto":
        return requested
    if output is not None:
        return SUFFIX_FORMATS.get(output.suffix.lower(), "text")
    return "terminal" if sys.stdout.isatty() else "text"
