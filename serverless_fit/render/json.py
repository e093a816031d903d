"""The JSON report: the output contract of shared/DESIGN.md, one object, stable key order.

Each top-level key, and each result and error, stands on a line of its own: the file stays
readable and diffable line by line, and each line is written by the C encoder (an indented
dump goes through the pure-Python one, several times slower on large batches).
"""

from __future__ import annotations

import json
from typing import Any

from serverless_fit.report import RenderOptions, Report

SEPARATORS = (", ", ": ")


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=SEPARATORS)


def render(report: Report, options: RenderOptions) -> str:
    data = report.to_dict()
    lines = ["{"]
    keys = list(data)
    for position, key in enumerate(keys):
        value = data[key]
        comma = "," if position < len(keys) - 1 else ""
        if isinstance(value, list) and value:
            items = ",\n".join(_dump(item) for item in value)
            lines.append(f"{_dump(key)}: [\n{items}\n]{comma}")
        else:
            lines.append(f"{_dump(key)}: {_dump(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
