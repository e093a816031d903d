"""Facts for policy rules: owner and labels, tag comparisons, the fact list, `rules test`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from serverless_fit.rules.factdocs import fact_docs
from serverless_fit.rules.rulepacks import builtin_rules
from tests.conftest import ROOT
from tests.test_cli import run

ACME = ROOT / "docs" / "examples" / "acme-rules.yaml"
VAULT = ROOT / "docs" / "examples" / "card-vault.yaml"


def policy(when: Any, fail: Any, pass_: Any) -> dict[str, Any]:
    return {
        "rules": [
            {
                "id": "POL001",
                "name": "policy",
                "title": "A policy",
                "dimension": "operations",
                "severity": "blocker",
                "impact": 50,
                "references": ["https://policies.example/p1"],
                "when": when,
                "message": "{name} breaks the policy",
                "docs": {"what": "a policy", "why": "because"},
                "examples": {"fail": fail, "pass": pass_},
            }
        ]
    }


def write_pack(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("tag", ["pci", "PCI", "pci-dss", "PCI-DSS", "Pci-Dss-v4"])
def test_compliance_tags_match_in_any_case_and_by_family(tmp_path: Path, tag: str) -> None:
    pack = write_pack(
        tmp_path,
        policy(
            {
                "all": [
                    {"fact": "constraints.compliance", "contains": "pci"},
                    {"fact": "owner", "exists": False},
                ]
            },
            {"constraints": {"compliance": [tag]}},
            {"owner": "team-a", "constraints": {"compliance": [tag]}},
        ),
    )
    code, out, err = run("rules", "test", str(pack))
    assert code == 0, err
    assert "1 rules, 2 examples: all as written" in out


def test_a_family_tag_does_not_match_a_shorter_one(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        policy(
            {"fact": "constraints.compliance", "contains": "pci-dss"},
            {"constraints": {"compliance": ["PCI-DSS"]}},
            {"constraints": {"compliance": ["pci"]}},  # "pci" is not the more specific tag
        ),
    )
    assert run("rules", "test", str(pack))[0] == 0


def test_labels_are_facts_compared_as_tags(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        policy(
            {"fact": "labels.tier", "in": ["1", "gold"]},
            {"labels": {"tier": "Gold"}},
            {"labels": {"tier": "3"}},
        ),
    )
    assert run("rules", "test", str(pack))[0] == 0


def test_swapped_examples_fail_rules_test_and_are_refused_by_assess(tmp_path: Path) -> None:
    data = yaml.safe_load(ACME.read_text(encoding="utf-8"))
    examples = data["rules"][0]["examples"]
    examples["fail"], examples["pass"] = examples["pass"], examples["fail"]
    pack = write_pack(tmp_path, data)
    code, _, err = run("rules", "test", str(pack))
    assert code == 1
    assert f"{pack}:2:3: error: examples.fail: ACME001 stays quiet on it" in err  # the rule
    assert "examples.pass: ACME001 fires on it" in err
    code, out, err = run("assess", str(VAULT), "--rules", str(pack))
    assert code == 2 and out == ""
    assert "examples.fail: ACME001 stays quiet on it" in err


def test_the_readme_company_rule_needs_an_owner_for_pci(tmp_path: Path) -> None:
    assert run("rules", "test", str(ACME))[0] == 0
    code, out, _ = run("assess", str(VAULT), "--rules", str(ACME), "--format", "json")
    results = json.loads(out)["results"]
    assert all("ACME001" in {f["rule"] for f in r["findings"]} for r in results)
    owned = tmp_path / "vault.yaml"
    owned.write_text(VAULT.read_text(encoding="utf-8") + "owner: payments-team\n", encoding="utf-8")
    code, out, _ = run("assess", str(owned), "--rules", str(ACME), "--format", "json")
    assert code == 0
    assert not any(
        "ACME001" in {f["rule"] for f in r["findings"]} for r in json.loads(out)["results"]
    )


def test_every_fact_is_listed_with_an_example_in_every_format() -> None:
    docs = fact_docs()
    names = {d.name for d in docs}
    assert {"owner", "labels.KEY", "traffic.cacheable", "derived.latency_p99"} <= names
    assert all(d.example for d in docs)
    rule_facts = {fact for rule in builtin_rules() for fact in rule.facts}
    assert rule_facts <= names
    code, out, _ = run("rules", "facts", "--format", "json")
    assert code == 0 and {item["fact"] for item in json.loads(out)} == names
    code, out, _ = run("rules", "facts", "--format", "markdown")
    assert code == 0 and "| `derived.cold_start_share` | share |" in out
    code, out, _ = run("rules", "facts", "--width", "200")
    assert code == 0 and "derived.peak_connections" in out


def test_the_rule_schema_accepts_every_built_in_rule_and_the_example_pack() -> None:
    code, out, _ = run("schema", "rule")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate(yaml.safe_load(ACME.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "serverless_fit" / "data" / "rules").glob("*.yaml")):
        validator.validate({"rules": [yaml.safe_load(path.read_text(encoding="utf-8"))]})
    assert not validator.is_valid({"rules": [{"id": "X1"}]})
    assert not validator.is_valid({"rulez": []})


def test_managed_databases_are_hosted_by_their_provider() -> None:
    from serverless_fit.data.catalog import platforms
    from serverless_fit.format.workload import Workload
    from serverless_fit.model.facts import derive_facts

    workload = Workload.model_validate(
        {"name": "w", "archetype": "api", "dependencies": ["cloud-sql-postgres", "redis"]}
    )
    on_lambda = derive_facts(workload, platforms()["aws-lambda"]).values
    assert on_lambda["derived.foreign_dependencies"] == ("cloud-sql-postgres (gcp)",)
    assert on_lambda["derived.vendor_dependency_count"] == 0  # the protocol is portable
    on_google = derive_facts(workload, platforms()["gcp-cloud-run-functions"]).values
    assert on_google["derived.foreign_dependencies"] == ()


def test_a_pack_rule_for_an_unknown_target_is_refused(tmp_path: Path) -> None:
    data = policy({"fact": "owner", "exists": False}, {}, {"owner": "a"})
    data["rules"][0]["targets"] = ["no-such-platform"]
    code, _, err = run("rules", "test", str(write_pack(tmp_path, data)))
    assert code == 2 and "found 'no-such-platform'; allowed: aws-fargate, aws-lambda" in err


def test_the_documented_256_comparisons_are_allowed_and_257_refused(tmp_path: Path) -> None:
    def pack_of(count: int) -> Path:
        leaves = [{"fact": "owner", "exists": False}] * count
        data = policy({"all": leaves}, {}, {"owner": "a"})
        return write_pack(tmp_path, data)

    assert run("rules", "test", str(pack_of(256)))[0] == 0
    code, _, err = run("rules", "test", str(pack_of(257)))
    assert code == 2 and "more than 256 comparisons in one rule" in err


def test_a_run_holds_at_most_500_rules(tmp_path: Path) -> None:
    one = policy({"fact": "owner", "exists": False}, {}, {"owner": "a"})["rules"][0]
    many = [{**one, "id": f"POL{i:03d}", "name": f"policy-{i}"} for i in range(500)]
    code, _, err = run("rules", "test", str(write_pack(tmp_path, {"rules": many})))
    assert code == 2 and "allowed: at most 500" in err
