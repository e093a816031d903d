"""`schema`: the JSON Schema of the workload format, of the report, or of a rule pack."""

from __future__ import annotations

import click


@click.command()
@click.argument("kind", type=click.Choice(["workload", "report", "rule"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of the workload format, of the JSON report, or of a rule pack.

    \b
    Example:
      serverless-fit schema workload > serverless-fit.schema.json
    """
    from serverless_fit.format.jsonschemas import report_schema, rule_schema, workload_schema

    makers = {"workload": workload_schema, "report": report_schema, "rule": rule_schema}
    click.echo(makers[kind](), nl=False)
