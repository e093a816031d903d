"""Deployment options, the new targets, mitigation plans and proposals a person would act on
(issue 15), each checked against a hand computation or by applying what the tool proposes."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from serverless_fit.model.poisson import _pmf_terms, expected_instances_at_least
from serverless_fit.rules.counterfactuals import field_class
from tests.conftest import AS_OF, WORKLOADS
from tests.test_cli import run

JAVA_API = {
    "name": "quotes-api",
    "archetype": "api",
    "runtime": "java",
    "latency": {"p99": "300ms"},
    "duration": {"typical": "120ms", "max": "2s"},
    "traffic": {"pattern": "sporadic", "average": "30/h", "peak": "2/s"},
    "resources": {"memory": "1GiB", "package": "30MiB"},
}
NIGHTLY = {
    "name": "ledger-reconcile",
    "archetype": "batch-job",
    "runtime": "python",
    "trigger": "schedule",
    "duration": {"typical": "2h", "max": "3h"},
    "traffic": {"pattern": "periodic", "average": "1/day", "interval": "1d"},
    "resources": {"memory": "4GiB", "cpus": 2},
    "constraints": {"providers": ["aws"]},
}
IOT = {
    "name": "meter-readings",
    "archetype": "iot-ingestion",
    "runtime": "nodejs",
    "trigger": "stream",
    "duration": {"typical": "40ms", "max": "500ms"},
    "traffic": {
        "pattern": "spiky",
        "average": "300/s",
        "peak": "6000/s",
        "burst": "20s",
        "batch_size": 1,
    },
    "resources": {"memory": "256MiB"},
}


def assess(tmp_path: Path, data: dict[str, Any], *targets: str) -> list[dict[str, Any]]:
    path = tmp_path / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    args = [a for t in targets for a in ("--target", t)]
    code, out, err = run("assess", str(path), *args, "--format", "json", "--as-of", AS_OF)
    assert code in (0, 1), err
    results: list[dict[str, Any]] = json.loads(out)["results"]
    return results


def test_a_java_api_with_a_tight_p99_gets_a_priced_plan_that_turns_it_into_a_fit(
    tmp_path: Path,
) -> None:
    [result] = assess(tmp_path, JAVA_API)
    assert "LAT001" in [f["rule"] for f in result["findings"]]
    plan = result["plan"]
    assert set(plan["options"]) & {"snapstart", "provisioned_concurrency"}
    assert "LAT001" in plan["clears"] and plan["added_usd"] > 0
    assert f"+${plan['added_usd']:,.2f} a month" in plan["summary"]
    # Applied as a deployment section, the plan clears what it claims and the verdict is a fit.
    options = {k: (int(v) if v.isdigit() else v == "true" if v in ("true", "false") else v)
               for k, v in plan["options"].items()}  # fmt: skip
    [after] = assess(tmp_path, {**JAVA_API, "deployment": options})
    assert after["verdict"] == plan["verdict"] == "good-fit"
    assert not set(plan["clears"]) & {f["rule"] for f in after["findings"]}
    assert after["cost"]["serverless"]["monthly_usd"] == plan["monthly_usd"]


def test_a_nightly_two_hour_job_on_aws_fits_fargate_or_step_functions(tmp_path: Path) -> None:
    results = {r["target"]: r for r in assess(tmp_path, NIGHTLY, "all")}
    assert set(results) == {"aws-lambda", "aws-fargate", "aws-step-functions"}
    assert results["aws-lambda"]["verdict"] == "poor-fit"
    [best] = [r for r in results.values() if r["best_fit"]]
    assert best["target"] in ("aws-fargate", "aws-step-functions")
    assert best["verdict"] != "poor-fit"
    # Fargate by hand: 30 runs of 7,200 s, 2 vCPU x $0.04048/h + 4 GB x $0.004445/h.
    fargate = 730 / 24 * 2 * (2 * 0.04048 + 4 * 0.004445)
    assert results["aws-fargate"]["cost"]["serverless"]["monthly_usd"] == pytest.approx(
        fargate, abs=0.02
    )
    # Lambda, asked alone, proposes the targets that clear its blocker, with verdict and cost.
    [alone] = assess(tmp_path, NIGHTLY)
    proposals = [c for c in alone["counterfactuals"] if c["kind"] == "target"]
    assert {c["value"] for c in proposals} == {"aws-fargate", "aws-step-functions"}
    assert all(c["rule"] == "DUR001" and c["verdict"] == "good-fit" for c in proposals)
    assert all("a month" in c["effect"] and c["monthly_usd"] > 0 for c in proposals)


def test_step_functions_bill_is_the_steps_lambda_bill_plus_transitions(tmp_path: Path) -> None:
    results = {r["target"]: r for r in assess(tmp_path, NIGHTLY, "aws-step-functions")}
    items = results["aws-step-functions"]["cost"]["serverless"]["items"]
    runs = 730 / 24  # runs a month: the tool counts 730 hours
    steps = math.ceil(7200 / 450)  # steps of at most half Lambda's 15 minutes
    assert items["transitions"] == pytest.approx(runs * steps * 0.025 / 1000, abs=0.01)
    gb_s = runs * 7200 * 4  # every step's compute at 4 GiB
    assert items["steps_compute"] == pytest.approx(gb_s * 0.0000166667, abs=0.01)
    assert items["steps_requests"] == pytest.approx(runs * steps * 0.20 / 1e6, abs=0.01)


def test_a_spiky_iot_stream_gets_batching_proposed(tmp_path: Path) -> None:
    [result] = assess(tmp_path, IOT)
    plan = result["plan"]
    named = (plan is not None and "batch_size" in plan["options"]) or any(
        c["field"] == "traffic.batch_size" for c in result["counterfactuals"]
    )
    assert named
    assert plan is not None and "batches of" in plan["summary"]


def test_no_proposal_changes_a_fact_of_the_workload(tmp_path: Path) -> None:
    code, out, _ = run("assess", str(WORKLOADS), "--target", "all", "--format", "json",
                       "--as-of", AS_OF)  # fmt: skip
    assert code == 0
    changes = [c for r in json.loads(out)["results"] for c in r["counterfactuals"]]
    assert changes
    for change in changes:
        if change["kind"] == "target":
            assert change["field"] == "target"
        else:
            assert field_class(change["field"]) == change["kind"] != "fact", change
    for name in ("traffic.average", "duration.typical", "resources.gpu", "latency.p99"):
        assert field_class(name) == ("objective" if name == "latency.p99" else "fact")


def test_an_option_a_target_does_not_offer_is_a_note_and_a_typo_is_an_error(
    tmp_path: Path,
) -> None:
    data = {**JAVA_API, "deployment": {"min_instances": 1, "front_door": "api-gateway-rest"}}
    [result] = assess(tmp_path, data)
    assert result["deployment"] == {"front_door": "api-gateway-rest"}
    assert result["not_applicable"] == ["deployment.min_instances: 1 is not offered by AWS Lambda"]
    assert result["cost"]["serverless"]["items"]["front_door"] > 0
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump({**JAVA_API, "deployment": {"snapstrat": True}}), "utf-8")
    code, _, err = run("assess", str(path))
    assert code == 2 and "deployment.snapstrat" in err and "did you mean 'snapstart'?" in err
    path.write_text(
        yaml.safe_dump({**JAVA_API, "deployment": {"provisioned_concurrency": 0}}), "utf-8"
    )
    code, _, err = run("assess", str(path))
    assert code == 2 and "a whole number of 1 or more, or peak" in err and ":" in err


def test_minimum_instances_billed_is_the_expectation_of_the_larger() -> None:
    for mean, per, floor in ((0.3, 1, 2), (4.0, 3, 1), (12.0, 5, 4), (150.0, 10, 3)):
        exact = sum(p * max(math.ceil(k / per), floor) for k, p in _pmf_terms(mean))
        assert expected_instances_at_least(mean, per, floor) == pytest.approx(exact, rel=1e-9)
