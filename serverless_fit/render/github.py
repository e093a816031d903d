"""GitHub Actions workflow commands: an annotation per finding, at the file and line."""

from __future__ import annotations

from collections.abc import Iterator

from serverless_fit.report import RenderOptions, Report, ReportStream, SpooledReport, counted

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


def stream(report: Report | ReportStream | SpooledReport, options: RenderOptions) -> Iterator[str]:
    """Annotations as results arrive; the invalid files' errors, known only then, last."""
    total = 0
    for result in report.iter_results():
        total += 1
        for finding in result.active:
            kind = COMMANDS.get(finding.severity)
            if kind is None:
                continue
            line = next((e.line for e in finding.evidence if e.line is not None), None)
            title = f"{finding.rule} on {result.target}: {finding.title}"
            message = finding.message
            if finding.mitigation:
                message += f"\nMitigation: {finding.mitigation}"
            yield _command(kind, result.file, line, title, message) + "\n"
        for reason in result.failures:
            title = f"serverless-fit threshold: {result.workload} on {result.target}"
            yield _command("error", result.file, None, title, reason) + "\n"
    for problem in report.errors:
        message = f"{problem.field}: {problem.message}" if problem.field else problem.message
        title = "serverless-fit: invalid workload"
        yield _command("error", problem.file, problem.line, title, message, problem.column) + "\n"
    counts = ", ".join(f"{count} {verdict}" for verdict, count in report.summary.items())
    yield f"serverless-fit: {counted(total, 'result')}: {counts}\n"


def render(report: Report, options: RenderOptions) -> str:
    return "".join(stream(report, options))
