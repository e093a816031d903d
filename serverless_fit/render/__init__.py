"""The renderer registry: one module per output format, each `render(report, options) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any, Protocol

from serverless_fit.report import (
    CompleteReport,
    RenderOptions,
    Report,
    ReportStream,
    SpooledReport,
)


class Renderer(Protocol):
    def __call__(self, report: Report, options: RenderOptions) -> str: ...


# Format name -> module under serverless_fit.render; modules import lazily so that one
# format never pays for another's dependencies.
FORMATS: dict[str, str] = {
    "terminal": "terminal",
    "text": "text",
    "json": "json",
    "sarif": "sarif",
    "junit": "junit",
    "markdown": "markdown",
    "github": "github",
    "html": "html",
}


# Formats that print counterfactuals; for the others the search is work nobody would read.
SHOWS_COUNTERFACTUALS = frozenset({"terminal", "text", "json", "markdown", "html"})

# Formats written result by result as a batch is assessed: `stream(report, options)`.
STREAMING = frozenset({"json", "text", "github"})


class StreamRenderer(Protocol):
    def __call__(
        self, report: Report | ReportStream | SpooledReport, options: RenderOptions
    ) -> Iterator[str]: ...


# Formats that read the results twice (totals or a summary first, then the details): written
# in pieces from a report spooled to a temporary file, `stream(complete_report, options)`.
SPOOLED = frozenset({"terminal", "sarif", "junit", "markdown", "html"})


class SpoolRenderer(Protocol):
    def __call__(self, report: CompleteReport, options: RenderOptions) -> Iterator[str]: ...


def _module(name: str, kinds: frozenset[str] | dict[str, str]) -> Any:
    """The renderer module of format `name`, imported on first use; KeyError for a format
    not of the kind asked for."""
    if name not in kinds:
        raise KeyError(name)
    return importlib.import_module(f"serverless_fit.render.{FORMATS[name]}")


def spool_streamer(name: str) -> SpoolRenderer:
    """Any format's `stream`, to read a spooled report: every format's accepts one."""
    stream: SpoolRenderer = _module(name, FORMATS).stream
    return stream


def streamer(name: str) -> StreamRenderer:
    stream: StreamRenderer = _module(name, STREAMING).stream
    return stream


def renderer(name: str) -> Renderer:
    render: Renderer = _module(name, FORMATS).render
    return render
