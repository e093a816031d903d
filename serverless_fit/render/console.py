"""The rich console every terminal renderer draws on, writing into a string."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table

from serverless_fit.report import RenderOptions


def string_console(buffer: io.StringIO, options: RenderOptions) -> Console:
    """Colour only when asked; no markup parsing, since names, reasons and pack titles are
    user text that may hold square brackets."""
    return Console(
        file=buffer,
        width=options.width,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )


def titled_table(title: str, **options: Any) -> Table:
    """A table under a left-aligned title, without outer borders: the look of every report
    section."""
    return Table(title=title, title_justify="left", show_edge=False, pad_edge=False, **options)
