"""JSON Schemas the tool publishes: the workload format (for editors) and the JSON report."""

from __future__ import annotations

import json
from importlib import resources

WORKLOAD_SCHEMA_ID = "https://github.com/serverless-fit/serverless-fit/schemas/workload.schema.json"


def workload_schema() -> str:
    """The workload format as JSON Schema, from the same pydantic models that validate it."""
    from serverless_fit.format.workload import Workload

    body = Workload.model_json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": WORKLOAD_SCHEMA_ID,
        "title": "serverless-fit workload",
        "description": "One workload for `serverless-fit assess` (format version 1).",
        **body,
    }
    schema["title"] = "serverless-fit workload"
    return json.dumps(schema, indent=2) + "\n"


def report_schema() -> str:
    """The `--format json` report as JSON Schema, shipped as package data."""
    return (
        resources.files("serverless_fit.data")
        .joinpath("schemas/report.schema.json")
        .read_text(encoding="utf-8")
    )
