"""The command line: parse options, call the library, pick a renderer, set the exit code."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from serverless_fit import __version__

if TYPE_CHECKING:
    from serverless_fit.report import RenderOptions

EXIT_OK, EXIT_THRESHOLD, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
ISSUES_URL = "https://github.com/serverless-fit/serverless-fit/issues"
YAML_SUFFIXES = (".yaml", ".yml")


def _expand(paths: tuple[str, ...]) -> list[Path]:
    """Files as given; folders searched for *.yaml and *.yml, hidden folders skipped."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                hidden = any(part.startswith(".") for part in relative)
                if child.suffix in YAML_SUFFIXES and child.is_file() and not hidden:
                    found.append(child)
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _render_options(width: int | None) -> RenderOptions:
    """Colour only on a terminal and without NO_COLOR; the terminal's width unless given."""
    from serverless_fit.report import RenderOptions

    tty = sys.stdout.isatty()
    color = tty and "NO_COLOR" not in os.environ
    columns = os.get_terminal_size().columns if tty else 100
    return RenderOptions(color=color, width=width or columns)


class _Group(click.Group):
    """Turns an unexpected exception into one line and exit code 3 instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as error:  # a bug: say where to report it, never dump a traceback
            click.echo(
                f"serverless-fit: internal error: {type(error).__name__}: {error}\n"
                f"This is a bug; please report it at {ISSUES_URL}",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="serverless-fit")
def main() -> None:
    """Should this workload run serverless, where, at what cost, and what would change the answer?

    \b
    Example:
      serverless-fit assess workloads/checkout-api.yaml
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["auto", "terminal", "json"]),
    default="auto",
    show_default=True,
    help="Report format; auto is the terminal report.",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    default=("aws-lambda",),
    show_default=True,
    help="Platform to assess against (repeatable); `all` for every platform of the "
    "workload's allowed providers. `serverless-fit platforms` lists them.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Date that waiver expiry is judged on (default: today).",
)
@click.option("--free-tier", is_flag=True, help="Include the providers' free tiers in costs.")
@click.option("--width", type=click.IntRange(60, 400), default=None, help="Terminal report width.")
def assess(
    paths: tuple[str, ...],
    output_format: str,
    targets: tuple[str, ...],
    as_of: dt.datetime | None,
    free_tier: bool,
    width: int | None,
) -> None:
    """Assess workload files (or folders of them) and print a report.

    \b
    Example:
      serverless-fit assess workloads/checkout-api.yaml --format json
    """
    from serverless_fit.assess import Options, assess_files
    from serverless_fit.errors import InputError
    from serverless_fit.render import renderer
    from serverless_fit.rulepacks import builtin_rules

    options = Options(targets=targets, as_of=as_of.date() if as_of else None, free_tier=free_tier)
    try:
        report = assess_files(_expand(paths), builtin_rules(), options)
    except InputError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_INPUT)
    name = "terminal" if output_format == "auto" else output_format
    text = renderer(name)(report, _render_options(width))
    click.echo(text, nl=False)
    for problem in report.errors:
        click.echo(str(problem), err=True)
    sys.exit(EXIT_INPUT if report.errors else EXIT_OK)


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
        click.echo(f"platforms: error: NAME: found {name!r}; allowed: {allowed}", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(text, nl=False)
