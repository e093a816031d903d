"""Assessing one workload on several platforms: targets, front doors, comparison, profiles."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from serverless_fit.data import catalog
from serverless_fit.data.catalog import Sourced
from serverless_fit.format.workload import Workload
from serverless_fit.model.facts import derive_facts
from serverless_fit.pipeline.assess import Options, assess_files
from serverless_fit.report import Result
from serverless_fit.rules.rulepacks import builtin_rules
from tests.conftest import MINIMAL, WORKLOADS, deep_merge
from tests.test_cli import run

RULES = builtin_rules()
TODAY = dt.date(2026, 12, 7)  # the newest figure was read on this day


def assess(tmp_path: Path, workload: dict[str, Any], *targets: str) -> dict[str, Result]:
    path = tmp_path / f"{workload['name']}.yaml"
    path.write_text(yaml.safe_dump(workload), encoding="utf-8")
    options = Options(targets=targets or ("all",), as_of=TODAY)
    report = assess_files([path], RULES, options)
    assert not report.errors
    return {r.target: r for r in report.results}


def active(result: Result) -> set[str]:
    return {f.rule for f in result.active}


BATCH_40_MIN = {
    "name": "ledger-batch",
    "archetype": "batch-job",
    "runtime": "python",
    "trigger": "schedule",
    "duration": {"typical": "30min", "max": "40min"},
    "traffic": {"pattern": "periodic", "average": "1/day", "peak": "1/day"},
    "resources": {"memory": "2GiB"},
}


def test_every_profile_loads_with_a_source_and_a_date_for_each_figure() -> None:
    profiles = catalog.platforms()
    assert set(profiles) == {
        "aws-fargate",
        "aws-lambda",
        "aws-step-functions",
        "azure-container-apps",
        "azure-functions",
        "gcp-cloud-run",
        "gcp-cloud-run-functions",
        "cloudflare-workers",
    }
    for profile in profiles.values():
        records = list(_sourced(profile))
        assert len(records) > 10, profile.id
        for record in records:
            assert record.source.startswith(("https://", "http://"))
            assert record.as_of <= TODAY
        assert "other" in profile.cold_start.runtimes  # the fallback for unmeasured runtimes
    assert set(catalog.baselines()) == {"aws-ec2", "aws-fargate", "azure-vm", "gcp-compute"}
    shared = [
        *catalog.baselines().values(),
        *catalog.providers().values(),
        catalog.runtime_defaults(),
    ]
    for data in shared:
        records = list(_sourced(data))
        assert records, data
        for record in records:
            assert record.source.startswith(("https://", "http://"))
            assert record.as_of <= TODAY
    for baseline in catalog.baselines().values():
        for instance in baseline.instances:  # instances carry their own source and date
            assert instance.source.startswith(("https://", "http://"))
            assert instance.as_of <= TODAY


def test_each_provider_is_compared_with_its_own_always_on_option() -> None:
    providers = catalog.providers()
    baselines = catalog.baselines()
    for provider in ("aws", "azure", "gcp"):
        assert {baselines[b].provider for b in providers[provider].always_on} == {provider}
    # Cloudflare sells no always-on instances: compared with AWS, and the report says so.
    assert {baselines[b].provider for b in providers["cloudflare"].always_on} == {"aws"}
    assert providers["cloudflare"].always_on_note


def _sourced(value: object) -> Any:
    if isinstance(value, Sourced):
        yield value
    if hasattr(type(value), "model_fields"):
        for name in type(value).model_fields:  # type: ignore[attr-defined]
            yield from _sourced(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _sourced(item)
    elif isinstance(value, list):
        for item in value:
            yield from _sourced(item)


def test_a_40_minute_batch_is_blocked_on_lambda_and_fits_elsewhere(tmp_path: Path) -> None:
    results = assess(tmp_path, BATCH_40_MIN)
    assert set(results) == set(catalog.platforms())
    assert "DUR001" in active(results["aws-lambda"])
    assert results["aws-lambda"].verdict == "poor-fit"
    fitting = [r for r in results.values() if r.verdict != "poor-fit"]
    assert fitting, "a 40-minute run fits no platform"
    assert all("DUR001" not in active(r) for r in fitting)
    [best] = [r for r in results.values() if r.best_fit]
    assert best in fitting


def test_all_is_narrowed_by_the_allowed_providers(tmp_path: Path) -> None:
    allowed = deep_merge(BATCH_40_MIN, {"constraints": {"providers": ["aws", "gcp"]}})
    assert set(assess(tmp_path, allowed)) == {
        "aws-fargate",
        "aws-lambda",
        "aws-step-functions",
        "gcp-cloud-run",
        "gcp-cloud-run-functions",
    }
    # a target named explicitly is still assessed, and says why it is not allowed
    named = assess(tmp_path, allowed, "all", "cloudflare-workers")
    assert "PORT004" in active(named["cloudflare-workers"])
    # nothing allowed: every profile, each saying why
    nothing = deep_merge(BATCH_40_MIN, {"constraints": {"providers": []}})
    everywhere = assess(tmp_path, nothing)
    assert len(everywhere) == len(catalog.platforms())


@pytest.mark.parametrize(
    ("target", "blocked"),
    [
        ("aws-lambda", True),  # API Gateway HTTP API: 30 s
        ("azure-functions", True),  # Azure Load Balancer: 230 s
        ("gcp-cloud-run-functions", False),  # Cloud Run request timeout: 3600 s
        ("cloudflare-workers", False),  # no wall-clock limit on HTTP requests
    ],
)
def test_http_requests_meet_each_front_door_timeout(
    tmp_path: Path, target: str, blocked: bool
) -> None:
    slow_api = {
        "name": "slow-api",
        "archetype": "api",
        "runtime": "nodejs",
        "trigger": "http",
        "duration": {"typical": "20s", "max": "4min"},
        "resources": {"memory": "128MiB"},
    }
    result = assess(tmp_path, slow_api, target)[target]
    assert ("DUR003" in active(result)) is blocked
    assert "DUR001" not in active(result)  # the function timeout alone would allow it


def test_steady_high_load_is_cheaper_always_on_with_the_break_even(tmp_path: Path) -> None:
    busy = {
        "name": "pricing-engine",
        "archetype": "api",
        "runtime": "go",
        "trigger": "queue",
        "duration": {"typical": "250ms", "max": "1s"},
        "traffic": {"pattern": "steady", "average": "800/s", "active_hours_per_day": 24},
        "resources": {"memory": "1GiB"},
    }
    results = assess(tmp_path, busy, "aws-lambda", "gcp-cloud-run-functions")
    for result in results.values():
        assert result.cost is not None and result.cost.break_even is not None
        [finding] = [f for f in result.active if f.rule == "COST002"]
        assert result.cost.break_even.rate in finding.message
        assert result.cost.always_on is not None
        assert f"${result.cost.always_on.monthly_usd:,.2f}" in finding.message


def test_unconfirmed_prices_never_claim_serverless_is_cheaper(tmp_path: Path) -> None:
    quiet_api = {
        "name": "quiet-api",
        "archetype": "api",
        "runtime": "python",
        "duration": {"typical": "200ms", "max": "2s"},
        "traffic": {"pattern": "sporadic", "average": "300/day"},
        "resources": {"memory": "512MiB"},
    }
    result = assess(tmp_path, quiet_api, "azure-functions")["azure-functions"]
    assert result.cost is not None and result.cost.serverless is not None
    assert result.cost.serverless.unpriced == ("requests",)
    assert result.cost.ratio is not None and result.cost.ratio < 0.5
    assert "COST001" not in active(result)
    [gap] = [n for n in result.not_assessed if n.rule == "COST001"]
    assert gap.unpublished == ("cost.serverless.all_prices_published",) and not gap.fields


def test_runtimes_a_platform_does_not_run_are_blockers() -> None:
    java = Workload.model_validate(deep_merge(MINIMAL, {"runtime": "java"}))
    by_id = {r.id: r for r in RULES}
    for target, fires in (("cloudflare-workers", True), ("aws-lambda", False)):
        facts = derive_facts(java, catalog.platforms()[target])
        assert by_id["RES007"].evaluate(facts).state is fires
    # a platform that publishes no list leaves the rule unassessed, naming the gap
    facts = derive_facts(java, catalog.platforms()["azure-functions"])
    outcome = by_id["RES007"].evaluate(facts)
    assert outcome.state is None and outcome.missing == ("target.limits.runtimes",)


def test_unmeasured_runtimes_use_the_platforms_slowest_figure() -> None:
    ruby = Workload.model_validate(deep_merge(MINIMAL, {"runtime": "ruby"}))
    gcp = catalog.platforms()["gcp-cloud-run-functions"]
    facts = derive_facts(ruby, gcp)
    assert facts.values["target.cold_start.p99"] == gcp.cold_start.runtimes["other"].p99
    slowest = max(f.p99 for f in gcp.cold_start.runtimes.values())
    assert gcp.cold_start.runtimes["other"].p99 == slowest


def test_the_terminal_compares_targets_and_names_the_best(tmp_path: Path) -> None:
    path = tmp_path / "ledger.yaml"
    path.write_text(yaml.safe_dump(BATCH_40_MIN), encoding="utf-8")
    code, out, _ = run(
        "assess", str(path), "--target", "all", "--width", "250", "--format", "terminal"
    )
    assert code == 0
    for target in catalog.platforms():
        assert target in out
    assert "Best fit:" in out
    assert "AWS Lambda stops a function after 15min" in out  # the reason for that target
    code, out, _ = run("assess", str(path), "--target", "all", "--format", "json")
    results = json.loads(out)["results"]
    assert len(results) == len(catalog.platforms())
    assert sum(r["best_fit"] for r in results) == 1


def test_unknown_target_names_the_allowed_ones() -> None:
    code, _, err = run("assess", "workloads/checkout-api.yaml", "--target", "aws")
    assert code == 2
    assert "found 'aws'" in err and "cloudflare-workers" in err and "all" in err


def test_platforms_lists_every_profile_with_prices_and_dates() -> None:
    code, out, _ = run("platforms", "--width", "200")
    assert code == 0
    for profile in catalog.platforms().values():
        assert profile.id in out and profile.name in out
    assert "$0.20/M requests + $0.0000166667/GB-s (x86_64)" in out
    assert "2020-12-01 to 2026-12-07" in out  # the oldest and newest figure of AWS Lambda
    assert "aws-fargate" in out and "t3.medium" in out


def test_platforms_name_shows_every_figure_with_its_source() -> None:
    code, out, _ = run("platforms", "cloudflare-workers", "--width", "250")
    assert code == 0
    assert "https://developers.cloudflare.com/workers/platform/pricing/" in out
    assert "not published" in out  # figures the provider does not publish are said to be so
    code, out, _ = run("platforms", "azure-functions", "--format", "json")
    profile = json.loads(out)
    assert profile["limits"]["timeout"]["value"] == "unlimited"
    assert profile["pricing"]["compute"]["gb_s"]["tiers"]["x86_64"][0]["price"] == 0.000026


def test_platforms_unknown_name_exits_2() -> None:
    code, out, err = run("platforms", "lambda")
    assert code == 2 and not out
    assert "found 'lambda'" in err and "aws-lambda" in err


def test_a_static_website_is_reported_as_the_storage_and_cdn_it_is_priced_as() -> None:
    from tests.test_cli import run

    code, out, _ = run("assess", str(WORKLOADS / "marketing-site.yaml"), "--format", "json")
    assert code == 0
    [result] = json.loads(out)["results"]
    assert result["target"] == "aws-lambda"
    assert result["target_name"] == "Amazon S3 behind Amazon CloudFront"
    messages = " ".join(f["message"] for f in result["findings"])
    assert "AWS Lambda" not in messages


def test_each_target_says_what_kind_it_is() -> None:
    kinds = {name: platform.kind for name, platform in catalog.platforms().items()}
    assert kinds == {
        "aws-fargate": "containers",
        "aws-lambda": "functions",
        "aws-step-functions": "orchestration",
        "azure-container-apps": "containers",
        "azure-functions": "functions",
        "cloudflare-workers": "edge",
        "gcp-cloud-run": "containers",
        "gcp-cloud-run-functions": "functions",
    }
    code, out, _ = run("platforms", "--width", "120")
    assert code == 0 and "AWS Lambda (us-east-1; functions)" in out
    assert "Cloudflare Workers (global; edge)" in out
