"""The JSON report: the output contract of shared/DESIGN.md, one object, stable key order."""

from __future__ import annotations

import json

from serverless_fit.report import RenderOptions, Report


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
