"""`schema`: the JSON Schema of the workload format or of the report."""

from __future__ import annotations

import click


@click.command()
@click.argument("kind", type=click.Choice(["workload", "report"]))
def schema(kind: str) -> None:
    """Print the JSON Schema of the workload format or of the JSON report.

    \b
    Example:
      serverless-fit schema workload > serverless-fit.schema.json
    """
    from serverless_fit.format.jsonschemas import report_schema, workload_schema

    click.echo(workload_schema() if kind == "workload" else report_schema(), nl=False)
