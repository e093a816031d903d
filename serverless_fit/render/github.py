"""GitHub Actions workflow commands: an annotation per finding, at the file and line."""

from __future__ import annotations

from serverless_fit.report import RenderOptions, Report

COMMANDS = {"blocker": "error", "risk": "warning", "info": "notice"}


def _data(text: str) -> str:
    """A command's message, escaped as the runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(
    kind: str, file: str, line: int | None, title: str, message: str, col: int | None = None
) -> str:
    props = [f"file={_property(file)}"]
    if line is not None:
        props.append(f"line={line}")
        if col is not None:
            props.append(f"col={col}")
    props.append(f"title={_property(title)}")
    return f"::{kind} {','.join(props)}::{_data(message)}"


def render(report: Report, options: RenderOptions) -> str:
    lines: list[str] = []
    for problem in report.errors:
        lines.append(
            _command(
                "error",
                problem.file,
                problem.line,
                "serverless-fit: invalid workload",
                f"{problem.field}: {problem.message}" if problem.field else problem.message,
                problem.column,
            )
        )
    for result in report.results:
        for finding in result.active:
            kind = COMMANDS.get(finding.severity)
            if kind is None:
                continue
            line = next((e.line for e in finding.evidence if e.line is not None), None)
            title = f"{finding.rule} on {result.target}: {finding.title}"
            message = finding.message
            if finding.mitigation:
                message += f"\nMitigation: {finding.mitigation}"
            lines.append(_command(kind, result.file, line, title, message))
        for reason in result.failures:
            title = f"serverless-fit threshold: {result.workload} on {result.target}"
            lines.append(_command("error", result.file, None, title, reason))
    counts = ", ".join(f"{count} {verdict}" for verdict, count in report.summary.items())
    lines.append(f"serverless-fit: {len(report.results)} results: {counts}")
    return "\n".join(lines) + "\n"
