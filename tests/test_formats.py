"""The CI formats: SARIF against the official schema, JUnit through a JUnit parser, Markdown,
GitHub annotations, plain text, and the JSON report against its own published schema."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from junitparser import Error, Failure, JUnitXml

from serverless_fit.pipeline import assess as assess_module
from serverless_fit.pipeline.assess import Options, assess_files
from serverless_fit.render import FORMATS, SHOWS_COUNTERFACTUALS, renderer
from serverless_fit.report import RenderOptions
from serverless_fit.rules.rulepacks import builtin_rules
from tests.conftest import AS_OF, ROOT, WORKLOADS
from tests.test_batch import workload, write
from tests.test_cli import run

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
HOSTILE_NAME = "<script>alert(1)</script> | *x*"


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Bundled examples (one with a waiver), a long job, and two invalid files, one with a
    hostile name (names allow only letters, digits, '-', '_' and '.')."""
    folder = tmp_path / "mixed"
    for name in ("customer-portal", "report-export", "checkout-api"):
        (folder / f"{name}.yaml").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.yaml").write_bytes((WORKLOADS / f"{name}.yaml").read_bytes())
    write(folder / "slow.yaml", workload("slow-job", duration={"typical": "1h", "max": "2h"}))
    write(folder / "hostile.yaml", workload(HOSTILE_NAME))
    (folder / "invalid.yaml").write_text("name: x\narchetype: api\ntraffic: {average: 3}\n")
    return folder


def report_in(folder: Path, fmt: str, *extra: str) -> tuple[int, str]:
    code, out, _ = run("assess", str(folder), "--format", fmt, "--as-of", AS_OF, *extra)
    return code, out


def test_sarif_validates_against_the_official_schema(mixed: Path) -> None:
    code, out = report_in(mixed, "sarif", "--fail-under", "50")
    assert code == 2
    sarif = json.loads(out)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    run_ = sarif["runs"][0]
    rules = {rule["id"]: rule for rule in run_["tool"]["driver"]["rules"]}
    assert "\n\nWhy: " in rules["DUR003"]["help"]["text"]
    assert rules["DUR003"]["defaultConfiguration"]["level"] == "error"
    levels = {r["ruleId"]: r["level"] for r in run_["results"]}
    assert levels["INPUT"] == "error" and levels["THRESHOLD"] == "error"
    assert levels["STATE002"] == "warning" and levels["DUR003"] == "error"
    for result in run_["results"]:
        assert run_["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_results_stand_at_the_evidence_line(mixed: Path) -> None:
    _, out = report_in(mixed, "sarif")
    results = json.loads(out)["runs"][0]["results"]
    dur003 = next(r for r in results if r["ruleId"] == "DUR003")
    location = dur003["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("report-export.yaml")
    lines = (mixed / "report-export.yaml").read_text().splitlines()
    assert lines[location["region"]["startLine"] - 1].strip().startswith("max:")
    invalid = next(r for r in results if "invalid.yaml" in r["message"]["text"])
    assert invalid["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 20,
    }
    waived = [r for r in results if r.get("suppressions")]
    assert waived and waived[0]["ruleId"] == "TEST002"  # customer-portal's waiver in force


def test_junit_parses_with_a_junit_parser(mixed: Path, tmp_path: Path) -> None:
    target = tmp_path / "fit.xml"
    code, _, _ = run(
        "assess", str(mixed), "-o", str(target), "--fail-on", "poor-fit", "--as-of", AS_OF
    )
    assert code == 2
    xml = JUnitXml.fromfile(str(target))
    cases = [(suite.name, case) for suite in xml for case in suite]
    assert len(cases) == 6  # four workloads on aws-lambda and two invalid files
    failed = {
        case.classname for _, case in cases if any(isinstance(r, Failure) for r in case.result)
    }
    assert failed == {"customer-portal", "report-export", "slow-job"}
    errored = [s for s, case in cases if any(isinstance(r, Error) for r in case.result)]
    assert errored == [str(mixed / "hostile.yaml"), str(mixed / "invalid.yaml")]
    assert xml.failures == 3 and xml.errors == 2


def test_junit_cases_pass_without_thresholds(mixed: Path) -> None:
    _, out = report_in(mixed, "junit")
    assert 'failures="0"' in out.splitlines()[1]


def test_markdown_has_a_table_and_escapes_user_text(mixed: Path) -> None:
    _, out = report_in(mixed, "markdown", "--fail-on", "poor-fit")
    assert out.startswith("## serverless-fit\n")
    assert "| workload | best target | verdict | score | confidence | blockers and risks |" in out
    assert "<script>" not in out and "\\<script\\>alert(1)\\</script\\> \\| \\*x\\*" in out
    assert "slow-job ❌" in out
    assert "**Thresholds: 3 results failed.**" in out
    assert "### Files that could not be assessed" in out
    assert "- **blocker DUR003** (line 11)" in out


def test_github_annotations_carry_file_and_line(mixed: Path) -> None:
    _, out = report_in(mixed, "github")
    lines = out.splitlines()
    invalid = next(line for line in lines if "invalid.yaml" in line)
    assert invalid.startswith(f"::error file={mixed / 'invalid.yaml'},line=3,col=20,title=")
    dur003 = next(line for line in lines if "title=DUR003" in line)
    assert dur003.startswith(f"::error file={mixed / 'report-export.yaml'},line=11,")
    assert "%0AMitigation: " in dur003  # newlines escaped as the runner expects
    assert any(line.startswith("::warning ") for line in lines)
    assert lines[-1].startswith("serverless-fit: ")


def test_github_escapes_percent_and_property_separators() -> None:
    from serverless_fit.render.github import _command

    line = _command("error", "a,b:c.yaml", 3, "T: x, y", "50% done\nnext")
    assert line == "::error file=a%2Cb%3Ac.yaml,line=3,title=T%3A x%2C y::50%25 done%0Anext"


def test_auto_format_follows_the_output_suffix(tmp_path: Path) -> None:
    source = write(tmp_path / "a.yaml", workload("a"))
    for suffix, check in (
        (".sarif", lambda text: json.loads(text)["version"] == "2.1.0"),
        (".xml", lambda text: text.startswith("<?xml")),
        (".md", lambda text: text.startswith("## serverless-fit")),
        (".txt", lambda text: text.startswith(f"{source}: a on aws-lambda")),
    ):
        target = tmp_path / f"report{suffix}"
        assert run("assess", str(source), "-o", str(target))[0] == 0
        assert check(target.read_text()), suffix


def _json_ready(data: Any) -> Any:
    """YAML dates as the strings a JSON editor would hold."""
    return json.loads(json.dumps(data, default=str))


def test_the_report_schema_holds_for_every_json_report(mixed: Path) -> None:
    _, out, _ = run("schema", "report")
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for golden in sorted((ROOT / "tests" / "golden").rglob("*.json")):
        validator.validate(json.loads(golden.read_text()))
    _, out = report_in(mixed, "json", "--fail-under", "60", "--target", "all")
    validator.validate(json.loads(out))


def test_the_workload_schema_accepts_every_bundled_example() -> None:
    code, out, _ = run("schema", "workload")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(WORKLOADS.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            validator.validate(_json_ready(document))
    assert not validator.is_valid({"name": "x", "archetype": "api", "latency": {"p99": 300}})
    assert not validator.is_valid({"name": "x", "archetype": "api", "extra": 1})


def test_the_formats_said_to_show_counterfactuals_are_those_that_print_them() -> None:
    # The search is skipped for the other formats, so this list must be exactly right.
    report = assess_files(
        [WORKLOADS / "quote-pricer.yaml"], builtin_rules(), Options(as_of=dt.date(2026, 11, 27))
    )
    effects = [change.effect for result in report.results for change in result.counterfactuals]
    assert effects
    printing = set()
    for name in FORMATS:
        text = renderer(name)(report, RenderOptions(width=400))
        flat = " ".join(html.unescape(text).split())
        if any(" ".join(effect.split()) in flat for effect in effects):
            printing.add(name)
    assert printing == SHOWS_COUNTERFACTUALS


def test_formats_that_do_not_print_counterfactuals_skip_the_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = write(tmp_path / "slow.yaml", workload("slow-job", duration={"typical": "1h"}))
    searched: list[str] = []
    search = assess_module.counterfactuals

    def counted(*args: Any, **kwargs: Any) -> Any:
        searched.append(args[2].id)  # the rule
        return search(*args, **kwargs)

    monkeypatch.setattr(assess_module, "counterfactuals", counted)
    for fmt in ("sarif", "junit", "github"):
        assert report_in(slow, fmt, "--jobs", "1")[0] == 0
    assert searched == []
    code, out = report_in(slow, "json", "--jobs", "1")
    assert code == 0 and searched and json.loads(out)["results"][0]["counterfactuals"]


def test_a_file_name_in_a_markdown_code_span_is_not_backslash_escaped(tmp_path: Path) -> None:
    from serverless_fit.render.markdown import code_span

    assert code_span("svc_a*b.yaml") == "`svc_a*b.yaml`"
    assert code_span("odd`name.yaml") == "``odd`name.yaml``"
    folder = tmp_path / "team_a"
    folder.mkdir()
    path = folder / "my_service.yaml"
    path.write_text(
        "name: my_service\narchetype: api\nduration: {typical: 20min}\n", encoding="utf-8"
    )
    code, out, _ = run("assess", str(path), "--format", "markdown")
    assert code == 0
    assert f"(`{path}`)" in out


def test_markdown_mentions_and_links_nobody(tmp_path: Path) -> None:
    """Pack text reaches a pull-request comment: no `@name` may notify anyone, and no bare
    URL may become a link; the text still reads the same."""
    from serverless_fit.render.markdown import ZERO_WIDTH, escape

    assert escape("ask @octocat") == f"ask @{ZERO_WIDTH}octocat"
    assert escape("mail ops@example.com") == f"mail ops@{ZERO_WIDTH}example.com"
    assert escape("see https://evil.example/x") == f"see https:{ZERO_WIDTH}//evil.example/x"
    assert escape("or www.evil.example") == f"or www{ZERO_WIDTH}.evil.example"
    assert escape("ftp://a") == f"ftp:{ZERO_WIDTH}//a"
    assert escape("a line: not a link") == "a line: not a link"
    pack = tmp_path / "pack.yaml"
    rule = (
        "rules:\n"
        "  - id: ACME009\n"
        "    name: ping\n"
        "    title: Ping\n"
        "    dimension: operations\n"
        "    severity: risk\n"
        "    impact: 10\n"
        "    references: [https://wiki.acme.example/ping]\n"
        "    when: {fact: owner, exists: false}\n"
        '    message: "@octocat and @acme/security: read https://evil.example/x"\n'
        '    mitigation: "ask @admin at www.evil.example"\n'
        "    docs: {what: w, why: y}\n"
        "    examples: {fail: {}, pass: {owner: me}}\n"
    )
    pack.write_text(rule, encoding="utf-8")
    service = tmp_path / "svc.yaml"
    service.write_text("name: svc\narchetype: api\n", encoding="utf-8")
    code, out, _ = run(
        "assess",
        str(service),
        "--rules",
        str(pack),
        "--format",
        "markdown",
        "--as-of",
        AS_OF,
    )
    assert code == 0, out
    assert "ACME009" in out
    for raw in ("@octocat", "@acme", "@admin", "https://", "www.evil"):
        assert raw not in out
    assert f"@{ZERO_WIDTH}octocat and @{ZERO_WIDTH}acme/security" in out


def test_also_writes_each_format_as_its_own_run_would(mixed: Path, tmp_path: Path) -> None:
    """One assessment, several reports: each `--also` file is byte for byte what a run of
    that format alone writes, and so is the main output. (With HTML among them, the JSON
    also carries the cost curves the chart needed, as `cost.curve`.)"""
    out = tmp_path / "out"
    out.mkdir()
    args = ["--as-of", AS_OF, "--fail-on", "poor-fit"]
    for also in (
        {"sarif": "r.sarif", "junit": "r.xml", "markdown": "summary", "json": "r.json",
         "text": "r.txt"},
        {"html": "r.html"},
    ):  # fmt: skip
        extra = [item for name, file in also.items() for item in ("--also", f"{name}:{out / file}")]
        code, log, _ = run("assess", str(mixed), *args, "--format", "github", *extra)
        assert code == 2  # the invalid files
        assert log == report_in(mixed, "github", *args)[1]
        for name, file in also.items():
            alone = report_in(mixed, name, *args)[1]
            assert (out / file).read_text(encoding="utf-8") == alone, name
    code, _, err = run("assess", str(mixed), "--also", str(out / "report.pdf"))
    assert code == 2 and "--also: found no format" in err
