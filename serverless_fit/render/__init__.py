"""The renderer registry: one module per output format, each `render(report, options) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Protocol

from serverless_fit.report import CompleteReport, RenderOptions, Report, ReportStream


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
    def __call__(self, report: Report | ReportStream, options: RenderOptions) -> Iterator[str]: ...


# Formats that read the results twice (totals or a summary first, then the details): written
# in pieces from a report spooled to a temporary file, `stream(complete_report, options)`.
SPOOLED = frozenset({"terminal", "sarif", "junit", "markdown", "html"})


class SpoolRenderer(Protocol):
    def __call__(self, report: CompleteReport, options: RenderOptions) -> Iterator[str]: ...


def spool_streamer(name: str) -> SpoolRenderer:
    if name not in SPOOLED:
        raise KeyError(name)
    module = importlib.import_module(f"serverless_fit.render.{FORMATS[name]}")
    stream: SpoolRenderer = module.stream
    return stream


def streamer(name: str) -> StreamRenderer:
    if name not in STREAMING:
        raise KeyError(name)
    module = importlib.import_module(f"serverless_fit.render.{FORMATS[name]}")
    stream: StreamRenderer = module.stream
    return stream


def renderer(name: str) -> Renderer:
    if name not in FORMATS:
        raise KeyError(name)
    module = importlib.import_module(f"serverless_fit.render.{FORMATS[name]}")
    render: Renderer = module.render
    return render
