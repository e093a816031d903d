"""`measure`: write a workload file whose traffic, durations and sizes come from request logs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from serverless_fit.commands.common import (
    EXIT_OK,
    NoProgress,
    ProgressBar,
    fail,
    usage_problem,
    write_report,
)
from serverless_fit.format.vocabulary import Archetype, choices


@click.command(short_help="Write a workload file measured from request logs.")
@click.argument("logs", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="LOG...")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the workload file here (atomically) instead of standard output.",
)
@click.option(
    "--update",
    "update_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the measured fields into this workload file, keeping its other fields and "
    "comments (in place, or to --output).",
)
@click.option("--name", default=None, help="Workload name (default: from the first log's name).")
@click.option(
    "--archetype",
    type=click.Choice(choices(Archetype)),
    default=None,
    help="Archetype, which no log gives (default: other, with a comment to set it).",
)
def measure(
    logs: tuple[Path, ...],
    output: Path | None,
    update_file: Path | None,
    name: str | None,
    archetype: str | None,
) -> None:
    """Measure traffic, durations, payloads, memory and cold starts from request logs, and
    write a workload file whose every measured field says where it came from.

    Formats are detected from each file's content (gzip is read as it is): Common or
    Combined Log Format with a request time last, ALB access logs, CloudFront standard logs,
    Lambda REPORT lines (text or filter-log-events JSON), CSV with a timestamp column.

    \b
    Examples:
      serverless-fit measure access.log.gz -o checkout.yaml --name checkout --archetype api
      serverless-fit measure alb/*.log.gz --name orders
      serverless-fit measure function-logs.json --update services/orders.yaml
    """
    from serverless_fit.errors import InputError
    from serverless_fit.format.loader import load_text
    from serverless_fit.measure.figures import Measurement, SpanError
    from serverless_fit.measure.reader import read_logs
    from serverless_fit.measure.update import updated_text
    from serverless_fit.measure.workloadtext import header, measurements, workload_text

    if update_file is not None and (name or archetype):
        option = "--name" if name else "--archetype"
        message = "found with --update; allowed: one of them (the updated file keeps its own)"
        fail([usage_problem(option, message)])
    written = output or update_file
    if written is not None and any(_same_file(written, log) for log in logs):
        message = "is one of the logs; allowed: a file that is not an input"
        fail([usage_problem(str(written), message, "--output" if output else "--update")])
    original = _read_workload(update_file) if update_file is not None else None
    workload_name = name or _name_from(logs[0])
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", workload_name):
        allowed = "letters, digits, '-', '_' and '.'"
        fail([usage_problem("--name", f"found {workload_name!r}; allowed: {allowed}")])
    measurement = Measurement()
    try:
        with _progress(logs) as advance:
            summary = read_logs(logs, measurement.add, advance, measurement.add_columns)
        figures = measurement.figures()
    except InputError as error:
        fail(error.problems)
    except SpanError:
        fail([usage_problem(str(logs[0]), "found a log spanning more than 400 days; allowed: "
                            "at most 400 days at once")])  # fmt: skip
    for bad in summary.bad_lines:
        where = f"{bad.file}:{bad.line}" if bad.line else bad.file
        click.echo(f"{where}: skipped: {bad.text}", err=True)
    if summary.bad > len(summary.bad_lines):
        more = summary.bad - len(summary.bad_lines)
        click.echo(f"... and {more:,} more bad {'line' if more == 1 else 'lines'}", err=True)
    try:
        if update_file is not None and original is not None:
            found, top = measurements(figures), header(figures, summary)
            text = updated_text(original, str(update_file), found, top)
            output = output or update_file
        else:
            text = workload_text(figures, summary, workload_name, archetype)
        load_text(text, str(output or "measured workload"))  # what is written always loads
    except InputError as error:
        fail(error.problems)
    write_report([text], output)
    from serverless_fit.report import counted

    click.echo(
        f"measured {counted(summary.records, 'record')} from "
        f"{counted(len(summary.files), 'file')} ({counted(summary.bad, 'bad line')})"
        + (f"; wrote {output}" if output else ""),
        err=True,
    )
    sys.exit(EXIT_OK)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve() or one.samefile(other)
    except OSError:
        return False


def _read_workload(path: Path) -> str:
    """The text of the workload file to update; it must load as a workload now."""
    from serverless_fit.errors import InputError
    from serverless_fit.format.loader import load_text
    from serverless_fit.format.yamlsource import SourceError, decode

    try:
        text = decode(path.read_bytes(), str(path))
        load_text(text, str(path))
    except OSError as error:
        fail([usage_problem(str(path), f"cannot read it: {error.strerror}", "--update")])
    except SourceError as error:
        fail([error.problem])
    except InputError as error:
        fail(error.problems)
    return text


def _name_from(path: Path) -> str:
    stem = path.name.split(".")[0]
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-._")
    return cleaned or "measured"


def _progress(logs: tuple[Path, ...]) -> ProgressBar | NoProgress:
    """A bar of the bytes read, on a terminal."""
    if not sys.stderr.isatty():
        return NoProgress()
    total = 0
    for path in logs:
        try:
            total += path.stat().st_size
        except OSError:
            continue
    return ProgressBar(total, "measuring", in_bytes=True)
