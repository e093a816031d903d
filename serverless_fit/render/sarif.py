"""SARIF 2.1.0 for code scanning: each blocker, risk and note located at its evidence line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from serverless_fit import __version__
from serverless_fit.report import CompleteReport, Finding, RenderOptions, Result, RuleInfo

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/serverless-fit/serverless-fit"
LEVELS = {"blocker": "error", "risk": "warning", "info": "note"}
INPUT_RULE = "INPUT"  # invalid workload files are results too, located at the problem
THRESHOLD_RULE = "THRESHOLD"


def _uri(file: str) -> dict[str, str]:
    """Where a file is: relative paths against the checkout root, absolute ones as file URIs."""
    if PureWindowsPath(file).is_absolute() or file.startswith("/"):
        return {"uri": "file://" + quote(PurePosixPath(file.replace("\\", "/")).as_posix())}
    return {
        "uri": quote(PurePosixPath(file.replace("\\", "/")).as_posix()),
        "uriBaseId": "%SRCROOT%",
    }


def _location(file: str, line: int | None, column: int | None = None) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": max(1, line or 1)}
    if column is not None:
        region["startColumn"] = max(1, column)
    return {"physicalLocation": {"artifactLocation": _uri(file), "region": region}}


def _rule(info: RuleInfo) -> dict[str, Any]:
    help_text = f"{info.what}\n\nWhy: {info.why}"
    if info.mitigation:
        help_text += f"\n\nMitigation: {info.mitigation}"
    help_text += f"\n\nWaive it in the workload: waivers: [{{rule: {info.id}, reason: ...}}]"
    descriptor: dict[str, Any] = {
        "id": info.id,
        "name": info.name,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.what},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS.get(info.severity, "none")},
        "properties": {
            "severity": info.severity,
            "dimension": info.dimension,
            "claims": list(info.claims),
            "tags": ["serverless", info.dimension],
        },
    }
    if info.references:
        descriptor["helpUri"] = info.references[0]
    return descriptor


_TOOL_RULES = (
    {
        "id": INPUT_RULE,
        "name": "invalid-workload-file",
        "shortDescription": {"text": "The workload file is not valid"},
        "fullDescription": {"text": "The file could not be read or does not follow the format."},
        "help": {"text": "Fix the field named in the message; `serverless-fit validate` checks."},
        "defaultConfiguration": {"level": "error"},
    },
    {
        "id": THRESHOLD_RULE,
        "name": "threshold-failed",
        "shortDescription": {"text": "The result fails a CI threshold"},
        "fullDescription": {"text": "--fail-under, --fail-on or a --baseline regression."},
        "help": {"text": "Improve the workload's fit, or change the threshold on purpose."},
        "defaultConfiguration": {"level": "error"},
    },
)


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _finding_result(result: Result, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    line = next((e.line for e in finding.evidence if e.line is not None), None)
    text = f"{finding.title}: {finding.message} ({result.workload} on {result.target_name})"
    if finding.mitigation:
        text += f" Mitigation: {finding.mitigation}"
    entry: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [_location(result.file, line)],
        "partialFingerprints": {
            "serverlessFit/v1": _fingerprint(result.workload, result.target, finding.rule)
        },
        "properties": {
            "workload": result.workload,
            "target": result.target,
            "severity": finding.severity,
            "contribution": finding.contribution,
            "score": result.score,
            "confidence": result.confidence,
        },
    }
    if finding.rule in index:
        entry["ruleIndex"] = index[finding.rule]
    if finding.waiver is not None and finding.waived:
        entry["suppressions"] = [{"kind": "inSource", "justification": finding.waiver.reason}]
    return entry


# Where the results array goes in the document: the rest is dumped whole, the results one by
# one in its place, so a large batch is never held in memory whole.
_RESULTS = "\x00results\x00"
_RESULTS_INDENT = " " * 8  # the depth of an item of runs[0].results with indent=2


def _entries(report: CompleteReport, index: dict[str, int]) -> Iterator[dict[str, Any]]:
    for problem in report.errors:
        yield {
            "ruleId": INPUT_RULE,
            "ruleIndex": index[INPUT_RULE],
            "level": "error",
            "message": {"text": str(problem)},
            "locations": [_location(problem.file, problem.line, problem.column)],
        }
    for result in report.iter_results():
        for finding in result.findings:
            if finding.severity in LEVELS:
                yield _finding_result(result, finding, index)
        for reason in result.failures:
            yield {
                "ruleId": THRESHOLD_RULE,
                "ruleIndex": index[THRESHOLD_RULE],
                "level": "error",
                "message": {"text": f"{result.workload} on {result.target}: {reason}"},
                "locations": [_location(result.file, None)],
                "properties": {
                    "workload": result.workload,
                    "target": result.target,
                    "score": result.score,
                    "confidence": result.confidence,
                },
            }


def stream(report: CompleteReport, options: RenderOptions) -> Iterator[str]:
    rules = [*_TOOL_RULES, *(_rule(info) for info in report.rules)]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    sarif = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "serverless-fit",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [{"executionSuccessful": not report.errors}],
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "checkout root"}}},
                "results": _RESULTS,
                "properties": {"summary": report.summary, "as_of": report.as_of},
            }
        ],
    }
    document = json.dumps(sarif, indent=2, ensure_ascii=False)
    head, tail = document.split(json.dumps(_RESULTS))
    yield head
    first = True
    for entry in _entries(report, index):
        item = json.dumps(entry, indent=2, ensure_ascii=False).replace("\n", "\n" + _RESULTS_INDENT)
        yield ("[\n" if first else ",\n") + _RESULTS_INDENT + item
        first = False
    yield "[]" if first else "\n" + _RESULTS_INDENT[:-2] + "]"
    yield tail + "\n"


def render(report: CompleteReport, options: RenderOptions) -> str:
    return "".join(stream(report, options))
