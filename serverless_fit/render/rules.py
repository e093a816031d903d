"""`rules list` and `rules explain`: the rules as a table, JSON, or a Markdown reference."""

from __future__ import annotations

import io
import json
from typing import Any

import yaml
from rich.table import Table
from rich.text import Text

from serverless_fit.render.console import string_console
from serverless_fit.render.markdown import escape
from serverless_fit.report import RenderOptions
from serverless_fit.rules.engine import Rule
from serverless_fit.rules.factdocs import FactDoc
from serverless_fit.rules.ruledocs import ExampleRun, RuleDoc
from serverless_fit.rules.rulepacks import claims

REGENERATE = "serverless-fit rules list --format markdown > docs/rules.md"


def _sources(rule: Rule) -> str:
    return ", ".join(rule.claims) if rule.claims else "source"


def rule_data(doc: RuleDoc) -> dict[str, Any]:
    """A rule as JSON: its own fields, the claims in words, and how its examples fared."""
    data = doc.rule.model_dump(by_alias=True, exclude_none=True)
    data["claims_text"] = dict(doc.claims)
    data["examples_run"] = {"fail": _example_data(doc.fail), "pass": _example_data(doc.pass_)}
    if doc.change:
        data["changed"] = doc.change
    if doc.origin:
        data["defined_in"] = doc.origin
    data["disabled"] = doc.disabled
    return data


def _example_data(run: ExampleRun) -> dict[str, Any]:
    return {
        "target": run.target,
        "fires": run.fires,
        "message": run.message,
        "problem": run.problem,
    }


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=88).strip()


def _columns(rows: list[tuple[str, ...]]) -> str:
    """Plain text for a pipe: columns padded to their widest cell, the last one whole, no
    line ever wrapped or cut."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def _uncovered(docs: list[RuleDoc], coverage: dict[str, list[str]]) -> str:
    """The closing line of a list: how many, and any seed claim no rule of the run covers
    (a pack that disables rules can leave one uncovered)."""
    uncovered = [claim for claim, rules in coverage.items() if not rules]
    summary = f"{len(docs)} rules."
    if uncovered:
        summary += f" Seed claims without a rule: {', '.join(uncovered)}."
    return summary + " serverless-fit rules explain ID says more."


def render_list(
    docs: list[RuleDoc], coverage: dict[str, list[str]], options: RenderOptions, fmt: str
) -> str:
    if fmt == "json":
        return json.dumps([rule_data(d) for d in docs], indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return reference(docs, coverage)
    if fmt == "text":
        header = ("id", "name", "dimension", "severity", "claims", "title")
        rows = [
            (d.rule.id, d.rule.name, d.rule.dimension, d.rule.severity, _sources(d.rule),
             d.rule.title + (f" ({d.change})" if d.change else ""))
            for d in docs
        ]  # fmt: skip
        return _columns([header, *rows]) + _uncovered(docs, coverage) + "\n"
    buffer = io.StringIO()
    console = string_console(buffer, options)
    table = Table(show_edge=False, pad_edge=False, expand=True)
    table.add_column("id", no_wrap=True, style="bold")
    table.add_column("name", no_wrap=True)
    table.add_column("dimension", no_wrap=True)
    table.add_column("severity", no_wrap=True)
    table.add_column("claims", no_wrap=True)
    table.add_column("title", ratio=1)
    for doc in docs:
        rule = doc.rule
        title = rule.title + (f" ({doc.change})" if doc.change else "")
        table.add_row(rule.id, rule.name, rule.dimension, rule.severity, _sources(rule), title)
    console.print(table)
    console.print(Text(_uncovered(docs, coverage), style="dim"))
    return buffer.getvalue()


def _waiver(rule: Rule) -> str:
    return _yaml(
        {
            "waivers": [
                {"rule": rule.id, "reason": "why this is acceptable here", "expires": "2027-06-30"}
            ]
        }
    )


def _verdict(run: ExampleRun, expected: bool) -> str:
    if run.problem:
        return f"the example is not a valid workload: {run.problem}"
    if run.fires is None:
        return "the rule cannot be decided on this example (a fact is missing)"
    if run.fires != expected:
        return "UNEXPECTED: " + ("the rule does not fire" if expected else "the rule fires")
    return f"fires: {run.message}" if run.fires else "does not fire"


def render_explain(doc: RuleDoc, options: RenderOptions, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rule_data(doc), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _section(doc)
    rule = doc.rule
    head: list[Text] = [
        Text.assemble((f"{rule.id} {rule.name}", "bold"), f"  {rule.title}"),
        Text(
            f"{rule.severity}, {rule.dimension}, impact {rule.impact}"
            + (f", {rule.scope()}" if rule.scope() else "")
        ),
    ]
    if doc.disabled or doc.change:
        head.append(Text(f"Changed for this run: {doc.change}", style="yellow"))
    if doc.origin:
        head.append(Text(f"Defined in {doc.origin}", style="dim"))
    parts: list[tuple[str, str]] = [("What it checks", rule.docs.what), ("Why", rule.docs.why)]
    for claim, text in doc.claims:
        parts.append((f"Claim {claim}", text))
    if rule.references:
        parts.append(("Sources", "\n".join(rule.references)))
    parts.append(("Condition", _yaml({"when": rule.when})))
    parts.append(("Message", rule.message))
    if rule.mitigation:
        said = doc.fail.mitigation
        shown = rule.mitigation
        if said and said != rule.mitigation:  # a template: what it says on the example too
            shown += f"\n-> on {doc.fail.target}, for the example below: {said}"
        parts.append(("Mitigation", shown))
    parts.append(
        (
            f"Triggers it (on {doc.fail.target})",
            _yaml(doc.fail.partial) + "\n-> " + _verdict(doc.fail, True),
        )
    )
    parts.append(
        (
            f"Does not (on {doc.pass_.target})",
            _yaml(doc.pass_.partial) + "\n-> " + _verdict(doc.pass_, False),
        )
    )
    parts.append(("To waive it", "add to the workload file:\n" + _waiver(rule)))
    if fmt == "text":
        blocks = [
            label + "\n" + "\n".join(f"    {line}" for line in text.splitlines())
            for label, text in parts
        ]
        return "".join(f"{line.plain}\n" for line in head) + "\n" + "\n\n".join(blocks) + "\n"
    buffer = io.StringIO()
    console = string_console(buffer, options)
    for line in head:
        console.print(line)
    table = Table.grid(padding=(0, 2), expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for label, text in parts:
        table.add_row(label, text)
        table.add_row("", "")
    console.print()
    console.print(table)
    return buffer.getvalue()


def _code(text: str, language: str = "yaml") -> str:
    return f"```{language}\n{text}\n```"


def _section(doc: RuleDoc) -> str:
    rule = doc.rule
    lines = [f"### {rule.id} {rule.name}", "", f"**{escape(rule.title)}**", ""]
    facts = f"{rule.severity}, dimension {rule.dimension}, impact {rule.impact}"
    if rule.scope():
        facts += f", {rule.scope()}"
    lines += [facts, ""]
    if doc.change:
        lines += [f"Changed for this run: {escape(doc.change)}", ""]
    lines += [f"{escape(rule.docs.what)}", "", f"Why: {escape(rule.docs.why)}", ""]
    for claim, text in doc.claims:
        lines.append(f"- {claim}: {escape(text)}")
    for reference in rule.references:
        lines.append(f"- <{reference}>")
    lines += ["", _code(_yaml({"when": rule.when})), ""]
    lines += [f"Message: {escape(rule.message)}", ""]
    if rule.mitigation:
        lines += [f"Mitigation: {escape(rule.mitigation)}", ""]
        said = doc.fail.mitigation
        if said and said != rule.mitigation:
            lines += [f"On {doc.fail.target}, for the example below: {escape(said)}", ""]
    lines += [
        f"Triggers it (on {doc.fail.target}):",
        "",
        _code(_yaml(doc.fail.partial)),
        "",
        escape(_verdict(doc.fail, True)),
        "",
        f"Does not (on {doc.pass_.target}):",
        "",
        _code(_yaml(doc.pass_.partial)),
        "",
        escape(_verdict(doc.pass_, False)),
        "",
        "To waive it:",
        "",
        _code(_waiver(rule)),
        "",
    ]
    return "\n".join(lines)


def reference(docs: list[RuleDoc], coverage: dict[str, list[str]]) -> str:
    """The Markdown rule reference (docs/rules.md), generated from the rules themselves."""
    lines = [
        "# serverless-fit rules",
        "",
        f"Generated from the rule files; do not edit. Regenerate with `{REGENERATE}`.",
        "Each rule's examples below were assessed by the engine when this page was generated.",
        "",
        "## Seed claims",
        "",
        "The benefits (B), use cases (U), limits (L) and advice (A) of serverless that the",
        "built-in rules trace to, in the project's words, with the rules that implement each.",
        "",
        "| claim | what it says | rules |",
        "| --- | --- | --- |",
    ]
    texts = claims()
    for claim, rules in coverage.items():
        implemented = ", ".join(rules) if rules else "**none**"
        lines.append(f"| {claim} | {escape(texts.get(claim, ''))} | {implemented} |")
    lines += [
        "",
        "## Rules",
        "",
        "| id | name | dimension | severity | claims | title |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for doc in docs:
        rule = doc.rule
        lines.append(
            f"| [{rule.id}](#{rule.id.lower()}-{rule.name}) | {rule.name} | {rule.dimension} "
            f"| {rule.severity} | {_sources(rule)} | {escape(rule.title)} |"
        )
    lines.append("")
    for doc in docs:
        lines.append(_section(doc))
    return "\n".join(lines).rstrip() + "\n"


def render_facts(docs: tuple[FactDoc, ...], options: RenderOptions, fmt: str) -> str:
    """`rules facts`: every fact a rule may name, with its kind, unit, source and an example."""
    if fmt == "json":
        data = [
            {
                "fact": d.name,
                "kind": d.kind,
                "unit": d.unit,
                "source": d.source,
                "example": d.example,
            }
            for d in docs
        ]
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        lines = [
            "| fact | kind | unit | comes from | example |",
            "| --- | --- | --- | --- | --- |",
        ]
        for d in docs:
            example = escape(d.example) if d.example is not None else ""
            lines.append(
                f"| `{d.name}` | {d.kind} | {escape(d.unit)} | {escape(d.source)} | {example} |"
            )
        return "\n".join(lines) + "\n"
    closing = (
        f"{len(docs)} facts. Units and operators: serverless-fit rules facts --format json; "
        "comparisons: lt le gt ge eq ne in not_in contains exists."
    )
    if fmt == "text":
        rows = [(d.name, d.kind, d.source, d.example or "") for d in docs]
        return _columns([("fact", "kind", "comes from", "example"), *rows]) + closing + "\n"
    buffer = io.StringIO()
    console = string_console(buffer, options)
    table = Table(show_edge=False, pad_edge=False, expand=True)
    table.add_column("fact", no_wrap=True, style="bold")
    table.add_column("kind", no_wrap=True)
    # long field names fold onto the next line rather than end in "…"
    table.add_column("comes from", ratio=2, overflow="fold")
    table.add_column("example", ratio=1, overflow="fold")
    for d in docs:
        table.add_row(d.name, d.kind, d.source, d.example or "")
    console.print(table)
    console.print(Text(closing, style="dim"))
    return buffer.getvalue()
