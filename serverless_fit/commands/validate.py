"""`validate`: check workload files against the format only."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from serverless_fit.commands.common import (
    EXIT_INPUT,
    EXIT_OK,
    RULES_OPTION,
    fail,
    input_limits,
    limit_options,
    load_config,
    rule_packs_of,
    usage_problem,
)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip matching files.")
@RULES_OPTION
@limit_options
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
    from serverless_fit.errors import InputError
    from serverless_fit.format.discover import discover
    from serverless_fit.format.validate import validate_files
    from serverless_fit.rules.rulepacks import load_rules

    loaded = load_config(config_file)
    try:
        rule_ids = frozenset(rule.id for rule in load_rules(rule_packs_of(loaded, rule_packs)))
    except InputError as error:
        fail(error.problems)
    values = loaded.values
    follow = follow_symlinks if follow_symlinks is not None else bool(values.follow_symlinks)
    files, problems = discover(paths, (*(values.exclude or ()), *exclude), follow)
    if not files and not problems:
        message = "found no *.yaml or *.yml workload files; allowed: files, folders or globs"
        fail([usage_problem(" ".join(paths), message)])
    checked = validate_files(files, rule_ids, input_limits(loaded, limit_options))
    problems = [*problems, *checked.problems]
    for problem in problems:
        click.echo(str(problem), err=True)
    from serverless_fit.report import counted

    invalid = len({p.file for p in problems})
    click.echo(
        f"{counted(len(files), 'file')}, {counted(checked.workloads, 'workload')}: "
        + (f"{counted(invalid, 'file')} with problems" if problems else "all valid")
    )
    sys.exit(EXIT_INPUT if problems else EXIT_OK)
