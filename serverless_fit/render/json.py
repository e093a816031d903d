"""The JSON report: the output contract of shared/DESIGN.md, one object, stable key order.

Each top-level key, and each result and error, stands on a line of its own: the file stays
readable and diffable line by line, each line is written by the C encoder (an indented dump
goes through the pure-Python one, several times slower), and a large batch is written result
by result as it is assessed, never held whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from serverless_fit.report import RenderOptions, Report, ReportStream, SpooledReport, json_fields

SEPARATORS = (", ", ": ")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=SEPARATORS, default=json_fields)


def _list(key: str, items: Iterator[Any], last: bool) -> Iterator[str]:
    comma = "" if last else ","
    first = True
    for item in items:
        yield f"{_dump(key)}: [\n{_dump(item)}" if first else f",\n{_dump(item)}"
        first = False
    yield f"{_dump(key)}: []{comma}\n" if first else f"\n]{comma}\n"


def stream(report: Report | ReportStream | SpooledReport, options: RenderOptions) -> Iterator[str]:
    yield "{\n"
    yield f'"tool": {_dump({"name": "serverless-fit", "version": report.tool_version})},\n'
    yield f'"schema_version": {report.schema_version},\n'
    yield f'"as_of": {_dump(report.as_of)},\n'
    yield from _list("results", report.iter_results(), last=False)
    yield f'"summary": {_dump(report.summary)},\n'
    yield f'"gate": {_dump({"applied": report.gated, "failed": report.failed})},\n'
    yield from _list("errors", iter(report.errors), last=True)
    yield "}\n"


def render(report: Report, options: RenderOptions) -> str:
    return "".join(stream(report, options))
