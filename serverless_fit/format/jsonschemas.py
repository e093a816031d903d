"""JSON Schemas the tool publishes: the workload format (for editors) and the JSON report."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

WORKLOAD_SCHEMA_ID = "https://github.com/serverless-fit/serverless-fit/schemas/workload.schema.json"


def workload_schema() -> str:
    """The workload format as JSON Schema, from the same pydantic models that validate it."""
    from serverless_fit.format.workload import Workload

    body = Workload.model_json_schema()
    _describe(body)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": WORKLOAD_SCHEMA_ID,
        "title": "serverless-fit workload",
        "description": "One workload for `serverless-fit assess` (format version 1).",
        **body,
    }
    schema["title"] = "serverless-fit workload"
    return json.dumps(schema, indent=2) + "\n"


def field_descriptions() -> dict[str, str]:
    """MODEL.FIELD -> what an editor shows on hover (data/field-descriptions.yaml)."""
    import yaml

    text = (
        resources.files("serverless_fit.data")
        .joinpath("field-descriptions.yaml")
        .read_text(encoding="utf-8")
    )
    descriptions: dict[str, str] = yaml.safe_load(text)
    return descriptions


def _describe(body: dict[str, Any]) -> None:
    """Gives each property the description the data file has for it, unless its model
    already describes it."""
    descriptions = field_descriptions()
    models = {"Workload": body, **body.get("$defs", {})}
    for model, definition in models.items():
        for name, field in definition.get("properties", {}).items():
            text = descriptions.get(f"{model}.{name}")
            if text is not None and "description" not in field:
                field["description"] = text


RULE_SCHEMA_ID = "https://github.com/serverless-fit/serverless-fit/schemas/rule-pack.schema.json"


def rule_schema() -> str:
    """A rule pack file (`--rules`) as JSON Schema, from the models that validate it."""
    from pydantic.json_schema import models_json_schema

    from serverless_fit.rules.engine import ALL_OPERATORS, Rule
    from serverless_fit.rules.rulepacks import Override

    _, defs = models_json_schema(
        [(Rule, "validation"), (Override, "validation")], ref_template="#/$defs/{model}"
    )
    definitions = defs["$defs"]
    condition = (
        "A condition: {fact: NAME, OP: VALUE} with OP one of "
        + ", ".join(ALL_OPERATORS)
        + "; VALUE a literal (with its unit: 300ms, 512MiB, 40/s) or {fact: OTHER}; or "
        "{all: [...]}, {any: [...]}, {not: CONDITION}. `serverless-fit rules facts` lists "
        "every fact NAME with its kind and unit."
    )
    definitions["Rule"]["properties"]["when"]["description"] = condition
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": RULE_SCHEMA_ID,
        "title": "serverless-fit rule pack",
        "description": "New rules and overrides of built-in ones, for `--rules`.",
        "type": "object",
        "properties": {
            "rules": {"type": "array", "items": {"$ref": "#/$defs/Rule"}},
            "overrides": {"type": "array", "items": {"$ref": "#/$defs/Override"}},
        },
        "additionalProperties": False,
        "$defs": definitions,
    }
    return json.dumps(schema, indent=2) + "\n"


def report_schema() -> str:
    """The `--format json` report as JSON Schema, shipped as package data."""
    return (
        resources.files("serverless_fit.data")
        .joinpath("schemas/report.schema.json")
        .read_text(encoding="utf-8")
    )
