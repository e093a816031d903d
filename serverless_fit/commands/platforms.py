"""`platforms`: the platform profiles, with every figure sourced."""

from __future__ import annotations

import click

from serverless_fit.commands.common import (
    fail,
    render_options,
    usage_problem,
)


@click.command()
@click.argument("name", required=False)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["terminal", "json", "markdown"]),
    default="terminal",
    show_default=True,
    help="Output format (markdown: the whole data reference, docs/platforms.md).",
)
@click.option("--width", type=click.IntRange(60, 400), default=None, help="Terminal width.")
def platforms(name: str | None, output_format: str, width: int | None) -> None:
    """List the platform profiles with key limits, prices and as-of dates, or show one.

    \b
    Examples:
      serverless-fit platforms
      serverless-fit platforms azure-functions
    """
    from serverless_fit.data import catalog
    from serverless_fit.render.platforms import reference, render_list, render_profile

    profiles = catalog.platforms()
    options = render_options(width)
    if output_format == "markdown" and (name is None or name in profiles):
        chosen = [profiles[name]] if name else list(profiles.values())
        text = reference(chosen, list(catalog.baselines().values()) if name is None else [])
    elif name is None:
        baselines = list(catalog.baselines().values())
        text = render_list(list(profiles.values()), baselines, options, output_format)
    elif name in profiles:
        text = render_profile(profiles[name], options, output_format)
    else:
        allowed = ", ".join(profiles)
        fail([usage_problem("platforms", f"found {name!r}; allowed: {allowed}", "NAME")])
    click.echo(text, nl=False)
