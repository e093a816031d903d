"""The README stays true: its verdict table, its worked examples, and its commands."""

from __future__ import annotations

import datetime as dt
import math
import re
import shlex

import pytest

from serverless_fit.data.catalog import platforms
from serverless_fit.format.units import parse_duration, parse_size
from serverless_fit.format.workload import Workload
from serverless_fit.model.facts import derive_facts
from serverless_fit.model.inputs import CostInputs
from serverless_fit.model.serverless import serverless_bill
from serverless_fit.model.simulation import PlatformModel, percentile
from serverless_fit.pipeline.assess import Options, assess_files
from serverless_fit.rules.rulepacks import builtin_rules
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _block(name: str, expected: str, update: bool) -> None:
    """A generated block of the README (between `<!-- name:start -->` and `:end -->`) is what
    the tool produces; `--update-golden` rewrites it instead (review the diff)."""
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(f"<!-- {name}:start -->\n")
    shown, tail = rest.split(f"<!-- {name}:end -->")
    if update:
        path.write_text(f"{head}<!-- {name}:start -->\n{expected}<!-- {name}:end -->{tail}")
        return
    assert shown == expected


def test_verdict_table_matches_the_tool(
    monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    options = Options(as_of=dt.date(2026, 11, 27))
    paths = sorted((ROOT / "workloads").glob("*.yaml"))
    report = assess_files([p.relative_to(ROOT) for p in paths], builtin_rules(), options)
    rows = [
        "| workload | verdict | score | active blockers and risks |",
        "| --- | --- | --- | --- |",
    ]
    for r in report.results:
        risks = ", ".join(f.rule for f in r.active if f.severity in ("blocker", "risk"))
        rows.append(f"| [`{r.file}`]({r.file}) | {r.verdict} | {r.score:g} | {risks} |")
    _block("verdicts", "\n".join(rows) + "\n", update_golden)


def test_the_scoring_example_is_the_tools_own_line() -> None:
    golden = (ROOT / "tests" / "golden" / "customer-portal.txt").read_text(encoding="utf-8")
    lines = golden.splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith("Score:"))
    end = next(i for i in range(start, len(lines)) if " = " in lines[i])
    line = " ".join(x.strip() for x in lines[start : end + 1])  # the terminal wraps it
    assert f"    {line}\n" in README


def test_the_bill_table_is_what_the_cost_model_computes(update_golden: bool) -> None:
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
    rows = ["| target | bill |", "| --- | --- |"]
    for target, platform in platforms().items():
        bill = serverless_bill(platform, inputs, free_tier=False)
        assert bill is not None
        parts = " + ".join(f"{name} ${usd:,.2f}" for name, usd in bill.items)
        text = f"{parts} = ${bill.monthly_usd:,.2f}"
        if bill.unpriced:
            text += f", without {', '.join(bill.unpriced)} (price unconfirmed)"
        rows.append(f"| {target} | {text} |")
    _block("bills", "\n".join(rows) + "\n", update_golden)


def test_the_fleet_example_is_what_the_tool_computes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    options = Options(as_of=dt.date(2026, 11, 27))
    report = assess_files([ROOT / "workloads" / "checkout-api.yaml"], builtin_rules(), options)
    [result] = report.results
    assert result.cost is not None and result.cost.always_on and result.cost.serverless
    fleet = result.cost.always_on
    sizing = fleet.sizing
    assert sizing is not None
    assert (sizing.instance, sizing.min_count, sizing.max_count) == ("t3.medium", 2, 12)
    assert (sizing.requests_per_instance, sizing.processes_per_instance) == (16, 2)
    assert sizing.load_balancer == "Application Load Balancer"
    assert fleet.items == {"instances": 263.19, "load_balancer": 25.77}
    stated = [
        f"{sizing.instance_hours:,.2f} instance-hours",
        f"**${fleet.items['instances']:,.2f}**",
        f"**${fleet.items['load_balancer']:,.2f}**",
        f"Always-on **${fleet.monthly_usd:,.2f}** a month",
        f"**${result.cost.serverless.monthly_usd:,.2f}** serverless",
        f"a ratio of {result.cost.ratio:.2f}",
    ]
    flat = " ".join(README.split())
    for text in stated:
        assert text in flat, text
    assert result.cost.break_even is None
    assert "serverless stays cheaper at any traffic of this shape" in flat
    serverless = result.cost.serverless.items
    assert (
        f"(requests ${serverless['requests']:,.2f}, compute ${serverless['compute']:,.2f}, "
        f"init ${serverless['init']:,.2f}, front door ${serverless['front_door']:,.2f})" in flat
    )


def test_the_cold_start_examples() -> None:
    lambda_ = platforms()["aws-lambda"]
    reclaim = lambda_.cold_start.idle_reclaim
    assert reclaim is not None and reclaim.value == parse_duration("6min")
    flat = " ".join(README.split())
    # exact method: 5 requests an hour, 50 ms runs
    closed = math.exp(-5 / 3600 * 360.05)
    assert f"`exp(\u22125/3600 \u00d7 360.05)` \u2248 {closed:.1%}" in flat
    sporadic = Workload.model_validate(
        {
            "name": "w",
            "archetype": "api",
            "runtime": "java",
            "duration": {"typical": "50ms"},
            "traffic": {"pattern": "sporadic", "average": "5/h"},
        }
    )
    share = derive_facts(sporadic, lambda_).values["derived.cold_start_share"]
    assert isinstance(share, float)
    assert f"the simulation gives {share:.1%}" in flat
    # the quantile mixture
    java = lambda_.cold_start.figure("java")
    model = PlatformModel(360, java.p50.seconds, java.p99.seconds)
    p99 = percentile(0.99, 0.135, 0.05, model)
    assert f"p99 = `50 + 239 \u00d7 exp(0.396 \u00d7 1.447)` \u2248 {p99 * 1000:.0f} ms" in flat
    assert f"`\u03c3 = {model.init_sigma:.3f}`" in flat
    # the spike
    spike = Workload.model_validate(
        {
            "name": "w",
            "archetype": "api",
            "runtime": "nodejs",
            "duration": {"typical": "100ms"},
            "traffic": {"pattern": "spiky", "average": "10/s", "peak": "5000/s", "burst": "1s"},
        }
    )
    throttled = derive_facts(spike, lambda_).values["derived.throttled_share"]
    assert isinstance(throttled, float)
    assert f"about {throttled:.0%} of the spike is throttled" in flat


def test_the_readme_test_command_is_what_ci_runs() -> None:
    commands = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    test_command = next(c for c in commands if "pytest" in c)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
    assert shlex.split(test_command)[-1] == "pytest"


def test_the_company_rule_example_is_the_tools_output(
    monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    from click.testing import CliRunner

    from serverless_fit.cli import main

    monkeypatch.chdir(ROOT)
    block = README.split("<!-- acme:start -->")[1].split("<!-- acme:end -->")[0]
    command = block.strip().strip("`").strip().splitlines()[0]
    args = shlex.split(command.removeprefix("$ "))[1:]
    result = CliRunner().invoke(main, [*args, "--as-of", "2026-11-27"])
    _block("acme", f"```\n{command}\n{result.stdout}```\n", update_golden)


def _field_paths(model: type, prefix: str = "") -> list[str]:
    import typing

    from pydantic import BaseModel

    paths = []
    for name, info in model.model_fields.items():  # type: ignore[attr-defined]
        path = f"{prefix}{name}"
        paths.append(path)
        for candidate in (info.annotation, *typing.get_args(info.annotation)):
            inner = [candidate, *typing.get_args(candidate)]
            for item in inner:
                if isinstance(item, type) and issubclass(item, BaseModel):
                    paths += _field_paths(item, f"{path}.")
    return sorted(set(paths))


def test_the_format_reference_names_every_field() -> None:
    reference = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    for path in _field_paths(Workload):
        leaf = path.split(".")[-1]
        assert re.search(rf"^\s*-?\s*{{?\s*{re.escape(leaf)}\s*:", reference, re.M) or (
            f"`{path}`" in reference
        ), path


def test_the_downstream_examples() -> None:
    flat = " ".join(README.split())
    lambda_ = platforms()["aws-lambda"]
    waits = Workload.model_validate(
        {
            "name": "w",
            "archetype": "api",
            "trigger": "queue",
            "duration": {"typical": "40s", "waiting": "35s"},
            "traffic": {"average": "5/s"},
            "resources": {"memory": "1GiB"},
        }
    )
    facts = derive_facts(waits, lambda_)
    assert facts.cost is not None and facts.cost.serverless is not None
    compute = dict(facts.cost.serverless.items)["compute"]
    assert round(5 * 2_628_000 * 40 * 0.0000166667, 2) == compute
    assert f"= ${compute:,.2f} a month" in flat
    assert f"**{facts.values['derived.waiting_cost_per_month']}**, pays for waiting" in flat
    report = assess_files([ROOT / "workloads" / "fleet-telemetry.yaml"], builtin_rules(), Options())
    [result] = report.results
    [finding] = [f for f in result.active if f.rule == "CONN001"]
    assert "240 connections to postgres, which accepts 100" in finding.message
    assert "6,000/s \u00d7 40 ms = 240 instances" in flat


def test_the_readme_needs_nothing_outside_the_repository() -> None:
    """A new user has the repository only: every local link resolves in it, and nothing
    points at the project's private shared/ folder."""
    import re

    assert "shared/" not in README
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README):
        if not target.startswith(("http://", "https://", "mailto:")):
            assert (ROOT / target).exists(), target


def test_the_comparison_example_is_the_tools_output(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from serverless_fit.cli import main

    monkeypatch.chdir(ROOT)
    command = "serverless-fit assess workloads/document-ocr-batch.yaml --target all"
    shown = README.split(f"$ {command}\n", 1)[1].split("\n```", 1)[0]
    result = CliRunner().invoke(
        main, [*command.split()[1:], "--format", "terminal", "--width", "100"],
        env={"NO_COLOR": "1"},
    )  # fmt: skip
    produced = "\n".join(line.rstrip() for line in result.stdout.splitlines())
    assert produced.startswith(shown)


def test_the_measure_example_is_the_tools_output(
    monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    from click.testing import CliRunner

    from serverless_fit.cli import main

    monkeypatch.chdir(ROOT)
    command = (
        "serverless-fit measure docs/examples/orders-access.log.gz --name orders --archetype api"
    )
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    _block("measure", f"```\n$ {command}\n{result.stdout}```\n", update_golden)
