"""JUnit XML for CI test views: a suite per file, a test case per workload and target.

A case fails when its result fails a threshold (`--fail-under`, `--fail-on`, `--baseline`);
an invalid file is a suite with one erroring case. Times are 0 so that output is reproducible.
The totals come first and the suites one file at a time, so a large batch is never held in
memory whole.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from serverless_fit.errors import Problem
from serverless_fit.report import CompleteReport, RenderOptions, Result


def _details(result: Result) -> str:
    lines = [
        f"{result.workload} on {result.target_name}: {result.verdict}, score {result.score:g}/100, "
        f"confidence {result.confidence:.0%}"
    ]
    for finding in result.active:
        lines.append(f"{finding.severity} {finding.rule}: {finding.message}")
        if finding.mitigation and finding.severity in ("blocker", "risk"):
            lines.append(f"  mitigation: {finding.mitigation}")
    bill = result.cost.serverless if result.cost else None
    if bill is not None:
        lines.append(f"monthly cost: ${bill.monthly_usd:,.2f}")
    return "\n".join(lines)


def _case(suite: ET.Element, result: Result) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        {"classname": result.workload, "name": result.target, "file": result.file, "time": "0"},
    )
    if result.failures:
        failure = ET.SubElement(
            case, "failure", {"message": "; ".join(result.failures), "type": "threshold"}
        )
        failure.text = "\n".join(result.failures)
    ET.SubElement(case, "system-out").text = _details(result)


def _result_suite(file: str, results: list[Result]) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        {
            "name": file,
            "tests": str(len(results)),
            "failures": str(sum(1 for r in results if r.failures)),
            "errors": "0",
            "skipped": "0",
            "time": "0",
        },
    )
    for result in results:
        _case(suite, result)
    return suite


def _error_suite(file: str, problems: list[Problem]) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        {"name": file, "tests": "1", "failures": "0", "errors": "1", "skipped": "0", "time": "0"},
    )
    case = ET.SubElement(
        suite, "testcase", {"classname": file, "name": "valid input", "file": file, "time": "0"}
    )
    error = ET.SubElement(case, "error", {"message": str(problems[0]), "type": "input"})
    error.text = "\n".join(str(p) for p in problems)
    return suite


def _xml(suite: ET.Element) -> str:
    """A suite as it stands inside the root, indented one level."""
    ET.indent(suite, level=1)
    return "  " + ET.tostring(suite, encoding="unicode") + "\n"


def stream(report: CompleteReport, options: RenderOptions) -> Iterator[str]:
    broken: dict[str, list[Problem]] = {}
    for problem in report.errors:
        broken.setdefault(problem.file, []).append(problem)
    # Only counts, all numbers, in the root's attributes: written as ElementTree would.
    tests = report.result_count + len(broken)
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuites name="serverless-fit" tests="{tests}" failures="{report.failed_count}" '
        f'errors="{len(broken)}" time="0"'
    )
    if not tests:
        yield " />\n"
        return
    yield ">\n"
    # A file's results are consecutive: the batch assesses one file at a time.
    for file, results in itertools.groupby(report.iter_results(), key=lambda r: r.file):
        yield _xml(_result_suite(file, list(results)))
    for file, problems in broken.items():
        yield _xml(_error_suite(file, problems))
    yield "</testsuites>\n"


def render(report: CompleteReport, options: RenderOptions) -> str:
    return "".join(stream(report, options))
