"""`rules list` and `rules explain`: the rules, generated from their own files."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from serverless_fit.commands.common import (
    RULES_OPTION,
    fail,
    load_config,
    render_options,
    rule_packs_of,
    usage_problem,
)

if TYPE_CHECKING:
    from serverless_fit.rules.rulepacks import RuleSet


@click.group()
def rules() -> None:
    """List the rules, explain one, list the facts they read, or test a pack's examples."""


RULE_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["auto", "terminal", "text", "json", "markdown"]),
    default="auto",
    show_default=True,
    help="Output format: auto is the terminal layout on a terminal and plain text, whole "
    "and unwrapped, when piped.",
)


def _format(requested: str) -> str:
    if requested != "auto":
        return requested
    return "terminal" if sys.stdout.isatty() else "text"


CONFIG_OPTION = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file (default: the nearest one); its rule packs are included.",
)


def rule_set_of(config_file: Path | None, rule_packs: tuple[str, ...]) -> RuleSet:
    from serverless_fit.errors import InputError
    from serverless_fit.rules.rulepacks import load_rule_set

    loaded = load_config(config_file)
    try:
        # The rules commands show how each example comes out; `rules test` judges them.
        return load_rule_set(rule_packs_of(loaded, rule_packs), check_examples=False)
    except InputError as error:
        fail(error.problems)


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
@RULE_FORMAT
@RULES_OPTION
@CONFIG_OPTION
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
    from serverless_fit.data import catalog
    from serverless_fit.render.rules import render_list
    from serverless_fit.rules.ruledocs import coverage, document, selected

    if target is not None and target not in catalog.platforms():
        allowed = ", ".join(catalog.platforms())
        fail([usage_problem("--target", f"found {target!r}; allowed: {allowed}")])
    rule_set = rule_set_of(config_file, rule_packs)
    chosen = selected(rule_set, dimensions, target, severities)
    docs = [document(rule, rule_set) for rule in chosen]
    text = render_list(
        docs, coverage(list(rule_set.rules)), render_options(width), _format(output_format)
    )
    click.echo(text, nl=False)


@rules.command("explain")
@click.argument("rule_id", metavar="ID")
@RULE_FORMAT
@RULES_OPTION
@CONFIG_OPTION
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
    from serverless_fit.rules.ruledocs import document, find

    rule_set = rule_set_of(config_file, rule_packs)
    rule = find(rule_id, rule_set)
    if rule is None:
        ids = [r.id for r in rule_set.rules]
        close = difflib.get_close_matches(rule_id.upper(), ids, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        fail([usage_problem("rules explain", f"found {rule_id!r}; allowed: a rule id{hint}", "ID")])
    text = render_explain(document(rule, rule_set), render_options(width), _format(output_format))
    click.echo(text, nl=False)


@rules.command("facts")
@RULE_FORMAT
@click.option("--width", type=click.IntRange(60, 400), default=None, help="Terminal width.")
def rules_facts(output_format: str, width: int | None) -> None:
    """List every fact a rule may name: its kind, unit, where its value comes from, and an
    example value (from the built-in rules' own examples).

    \b
    Example:
      serverless-fit rules facts --format markdown
    """
    from serverless_fit.render.rules import render_facts
    from serverless_fit.rules.factdocs import fact_docs

    click.echo(render_facts(fact_docs(), render_options(width), _format(output_format)), nl=False)


@rules.command("test")
@click.argument("packs", nargs=-1, required=True, metavar="PACK...")
def rules_test(packs: tuple[str, ...]) -> None:
    """Run each pack rule's fail and pass examples: exit 0 when every one comes out as
    written, 1 with a located message for each that does not, 2 for a pack that is not valid.

    \b
    Example:
      serverless-fit rules test policies/
    """
    from serverless_fit.errors import InputError
    from serverless_fit.rules.rulepacks import (
        apply_packs,
        builtin_rules,
        pack_example_problems,
        read_packs,
    )

    try:
        contents = read_packs(packs)
        apply_packs(builtin_rules(), contents)
    except InputError as error:
        fail(error.problems)
    problems = pack_example_problems(contents)
    count = sum(len(pack.rules) for pack in contents)
    for problem in problems:
        click.echo(f"{problem}", err=True)
    if problems:
        click.echo(f"{count} rules, {len(problems)} example(s) not as written", err=True)
        raise SystemExit(1)
    click.echo(f"{count} rules, {2 * count} examples: all as written")
