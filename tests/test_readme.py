"""The README stays true: its verdict table, its worked examples, and its commands."""

from __future__ import annotations

import datetime as dt
import re
import shlex

import pytest

from serverless_fit.data.catalog import platforms
from serverless_fit.format.units import parse_duration, parse_size
from serverless_fit.format.workload import Workload
from serverless_fit.model.cost import CostInputs, serverless_bill
from serverless_fit.model.facts import cold_start_share
from serverless_fit.pipeline.assess import Options, assess_files
from serverless_fit.rules.rulepacks import builtin_rules
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_verdict_table_matches_the_tool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    block = README.split("<!-- verdicts:start -->")[1].split("<!-- verdicts:end -->")[0]
    rows = list(block.strip().splitlines()[2:])
    table = {}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        path = re.search(r"`([^`]+)`", cells[0])
        assert path is not None
        table[path.group(1)] = (cells[1], cells[2], cells[3])
    options = Options(as_of=dt.date(2026, 11, 27))
    paths = sorted((ROOT / "workloads").glob("*.yaml"))
    report = assess_files([p.relative_to(ROOT) for p in paths], builtin_rules(), options)
    actual = {
        r.file: (
            r.verdict,
            f"{r.score:g}",
            ", ".join(f.rule for f in r.active if f.severity in ("blocker", "risk")),
        )
        for r in report.results
    }
    assert table == actual


def test_the_scoring_example_is_the_tools_own_line() -> None:
    golden = (ROOT / "tests" / "golden" / "customer-portal.txt").read_text(encoding="utf-8")
    line = next(x for x in golden.splitlines() if x.startswith("Score:"))
    assert f"    {line}\n" in README


def test_the_bill_table_is_what_the_cost_model_computes() -> None:
    block = README.split("<!-- bills:start -->")[1].split("<!-- bills:end -->")[0]
    rows = {}
    for row in block.strip().splitlines()[2:]:
        target, bill = (cell.strip() for cell in row.strip("|").split("|"))
        rows[target] = bill
    inputs = CostInputs(
        monthly_requests=10_000_000,
        duration=parse_duration("200ms"),
        memory=parse_size("512MiB"),
        cpus=None,
        architecture="x86_64",
        peak_rate=None,
        http=False,
        payload=None,
        ephemeral_storage=None,
    )
    expected = {}
    for target, platform in platforms().items():
        bill = serverless_bill(platform, inputs, free_tier=False)
        assert bill is not None
        parts = " + ".join(f"{name} ${usd:,.2f}" for name, usd in bill.items)
        text = f"{parts} = ${bill.monthly_usd:,.2f}"
        if bill.unpriced:
            text += f", without {', '.join(bill.unpriced)} (price unconfirmed)"
        expected[target] = text
    assert rows == expected


def test_the_cold_start_example() -> None:
    workload = Workload.model_validate(
        {"name": "w", "archetype": "api", "traffic": {"pattern": "sporadic", "average": "20/h"}}
    )
    reclaim = platforms()["aws-lambda"].cold_start.idle_reclaim
    assert reclaim is not None
    idle = reclaim.value
    assert idle == parse_duration("6min")
    assert round(cold_start_share(workload, idle), 3) == 0.135


def test_the_readme_test_command_is_what_ci_runs() -> None:
    commands = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    test_command = next(c for c in commands if "pytest" in c)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
    assert shlex.split(test_command)[-1] == "pytest"


def test_the_company_rule_example_is_the_tools_output(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from serverless_fit.cli import main

    monkeypatch.chdir(ROOT)
    block = README.split("<!-- acme:start -->")[1].split("<!-- acme:end -->")[0]
    command, *shown = block.strip().strip("`").strip().splitlines()
    args = shlex.split(command.removeprefix("$ "))[1:]
    result = CliRunner().invoke(main, [*args, "--as-of", "2026-11-27"])
    assert result.stdout.splitlines() == shown
