"""JUnit XML for CI test views: a suite per file, a test case per workload and target.

A case fails when its result fails a threshold (`--fail-under`, `--fail-on`, `--baseline`);
an invalid file is a suite with one erroring case. Times are 0 so that output is reproducible.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from serverless_fit.errors import Problem
from serverless_fit.report import RenderOptions, Report, Result


def _details(result: Result) -> str:
    lines = [
        f"{result.workload} on {result.target_name}: {result.verdict}, score {result.score:g}/100"
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


def _error_suite(root: ET.Element, file: str, problems: list[Problem]) -> None:
    suite = ET.SubElement(
        root,
        "testsuite",
        {"name": file, "tests": "1", "failures": "0", "errors": "1", "skipped": "0", "time": "0"},
    )
    case = ET.SubElement(
        suite, "testcase", {"classname": file, "name": "valid input", "file": file, "time": "0"}
    )
    error = ET.SubElement(case, "error", {"message": str(problems[0]), "type": "input"})
    error.text = "\n".join(str(p) for p in problems)


def render(report: Report, options: RenderOptions) -> str:
    suites: dict[str, list[Result]] = {}
    for result in report.results:
        suites.setdefault(result.file, []).append(result)
    broken: dict[str, list[Problem]] = {}
    for problem in report.errors:
        broken.setdefault(problem.file, []).append(problem)
    failures = sum(1 for r in report.results if r.failures)
    root = ET.Element(
        "testsuites",
        {
            "name": "serverless-fit",
            "tests": str(len(report.results) + len(broken)),
            "failures": str(failures),
            "errors": str(len(broken)),
            "time": "0",
        },
    )
    for file, results in suites.items():
        suite = ET.SubElement(
            root,
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
    for file, problems in broken.items():
        _error_suite(root, file, problems)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
