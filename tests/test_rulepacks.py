"""Organisations' rule packs, overrides, hostile packs, and the rules commands."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from serverless_fit.render.rules import reference
from serverless_fit.rules.ruledocs import coverage, document
from serverless_fit.rules.rulepacks import load_rule_set
from tests.conftest import ROOT
from tests.test_batch import workload, write
from tests.test_cli import run

ACME_RULE: dict[str, Any] = {
    "id": "ACME001",
    "name": "pci-not-on-gcp",
    "title": "PCI workloads stay off Google Cloud",
    "dimension": "portability",
    "severity": "blocker",
    "impact": 60,
    "references": ["https://wiki.acme.example/policies/pci-hosting"],
    "when": {
        "all": [
            {"fact": "constraints.compliance", "contains": "pci"},
            {"fact": "target.provider", "eq": "gcp"},
        ]
    },
    "message": "{name} handles card data; ACME policy keeps PCI workloads off {target.provider}",
    "mitigation": "Run it on aws or azure, where ACME's PCI controls are audited",
    "docs": {"what": "PCI workloads on Google Cloud.", "why": "ACME's PCI scope is AWS and Azure."},
    "examples": {
        "target": "gcp-cloud-run-functions",
        "fail": {"constraints": {"compliance": ["pci"]}},
        "pass": {"constraints": {"compliance": ["sox"]}},
    },
}
PCI = workload("card-vault", constraints={"compliance": ["pci"]})


def pack(tmp_path: Path, data: Any, name: str = "acme.yaml") -> Path:
    path = tmp_path / "policies" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_company_rule_fires_where_it_should_in_every_format(tmp_path: Path) -> None:
    rules = pack(tmp_path, {"rules": [ACME_RULE]})
    source = write(tmp_path / "vault.yaml", PCI)
    args = ("assess", str(source), "--rules", str(rules), "--target", "all")
    code, out, _ = run(*args, "--format", "json")
    assert code == 0
    fired = {r["target"]: [f["rule"] for f in r["findings"]] for r in json.loads(out)["results"]}
    google = {"gcp-cloud-run-functions", "gcp-cloud-run"}  # the rule is about GCP
    assert all("ACME001" in fired[t] for t in google)
    assert all("ACME001" not in rules for t, rules in fired.items() if t not in google)
    for fmt, needle in (
        ("terminal", "ACME001"),
        ("text", "blocker ACME001: card-vault handles card data"),
        ("sarif", '"id": "ACME001"'),
        ("junit", "blocker ACME001"),
        ("markdown", "**blocker ACME001**"),
        ("github", "title=ACME001 on gcp-cloud-run-functions"),
    ):
        assert needle in run(*args, "--format", fmt, "--width", "200")[1], fmt


def test_a_folder_of_rule_files_and_a_list_file_both_load(tmp_path: Path) -> None:
    pack(tmp_path, ACME_RULE, "one.yaml")
    second = {**ACME_RULE, "id": "ACME002", "name": "pci-not-on-azure"}
    pack(tmp_path, [second], "more.yml")
    rule_set = load_rule_set((str(tmp_path / "policies"),))
    assert {"ACME001", "ACME002"} <= {r.id for r in rule_set.rules}
    assert rule_set.origins["ACME002"].endswith("more.yml:1")


def test_overrides_disable_and_reweigh_built_in_rules(tmp_path: Path) -> None:
    rules = pack(
        tmp_path,
        {
            "overrides": [
                {"rule": "PORT002", "disable": True, "reason": "lock-in accepted"},
                {"rule": "TEST002", "severity": "blocker", "impact": 50},
            ]
        },
    )
    source = write(tmp_path / "w.yaml", workload("w", dependencies=["dynamodb"]))
    _, plain, _ = run("assess", str(source), "--format", "json")
    _, changed, _ = run("assess", str(source), "--format", "json", "--rules", str(rules))
    before = {f["rule"]: f for f in json.loads(plain)["results"][0]["findings"]}
    after = json.loads(changed)["results"][0]
    found = {f["rule"]: f for f in after["findings"]}
    assert "PORT002" in before and "PORT002" not in found
    assert before["TEST002"]["severity"] == "info"
    assert found["TEST002"]["severity"] == "blocker" and found["TEST002"]["impact"] == 50
    assert after["verdict"] == "poor-fit"
    code, out, _ = run("rules", "explain", "TEST002", "--rules", str(rules), "--width", "200")
    assert code == 0 and "severity blocker, impact 50 set by" in out
    code, out, _ = run("rules", "list", "--rules", str(rules), "--format", "json")
    assert "PORT002" not in {r["id"] for r in json.loads(out)}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"rules": [{**ACME_RULE, "id": "LAT001"}]}, "already a rule in the built-in rules"),
        ({"overrides": [{"rule": "LAT01", "disable": True}]}, "did you mean 'LAT001'?"),
        ({"rules": [{**ACME_RULE, "message": "{__class__}"}]}, "{__class__} is not a fact"),
        ({"rules": [{**ACME_RULE, "message": "{name.__init__}"}]}, "is not a fact"),
        ({"rules": [{**ACME_RULE, "mitigation": "{0}"}]}, "{0} is not a fact"),
        ({"rules": [{**ACME_RULE, "when": {"fact": "os.system", "eq": "x"}}]}, "unknown fact"),
        ({"rules": [{**ACME_RULE, "severity": "fatal"}]}, "severity"),
        ({"overrides": [{"rule": "LAT001", "impact": 500}]}, "impact"),
        ({"rules": [ACME_RULE, ACME_RULE]}, "already a rule in"),
    ],
    ids=[
        "builtin-id",
        "unknown-override",
        "dunder",
        "attribute",
        "positional",
        "unknown-fact",
        "bad-enum",
        "bad-impact",
        "twice",
    ],
)
def test_broken_packs_get_located_messages(tmp_path: Path, data: Any, expected: str) -> None:
    rules = pack(tmp_path, data)
    source = write(tmp_path / "w.yaml", workload("w"))
    code, out, err = run("assess", str(source), "--rules", str(rules))
    assert code == 2 and not out
    assert expected in err and f"{rules}:" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['echo pwned']\n",
        "id: !!python/name:os.system\n",
        "rules: [&a [*a]]\n",
        "x: &a [1,2,3,4,5,6,7,8,9]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "z: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nw: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "v: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nu: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
        "rules:\n" + "  " + "[" * 200 + "]" * 200 + "\n",
        "\x00\x01\x02binary",
    ],
    ids=["object-tag", "name-tag", "recursive-alias", "billion-laughs", "deep", "binary"],
)
def test_hostile_packs_are_refused_fast_without_running_code(tmp_path: Path, text: str) -> None:
    rules = pack(tmp_path, text)
    source = write(tmp_path / "w.yaml", workload("w"))
    started = time.perf_counter()
    code, out, err = run("assess", str(source), "--rules", str(rules))
    assert time.perf_counter() - started < 2
    assert code == 2 and not out and str(rules) in err and "Traceback" not in err
    assert "pwned" not in out + err


def test_very_many_rules_are_refused_before_parsing(tmp_path: Path) -> None:
    rules = [
        {**ACME_RULE, "id": f"GEN{i:05d}"[:3] + f"{i % 1000:03d}", "name": f"g-{i}"}
        for i in range(10_000)
    ]
    path = pack(tmp_path, {"rules": rules})
    source = write(tmp_path / "w.yaml", workload("w"))
    started = time.perf_counter()
    code, _, err = run("assess", str(source), "--rules", str(path))
    assert time.perf_counter() - started < 2
    assert code == 2 and "allowed: at most" in err


def test_waivers_may_name_pack_rules(tmp_path: Path) -> None:
    rules = pack(tmp_path, {"rules": [ACME_RULE]})
    waived = {**PCI, "waivers": [{"rule": "ACME001", "reason": "migrating off by Q3"}]}
    source = write(tmp_path / "w.yaml", waived)
    assert run("assess", str(source), "--target", "gcp-cloud-run-functions")[0] == 2
    code, out, _ = run(
        "assess",
        str(source),
        "--target",
        "gcp-cloud-run-functions",
        "--rules",
        str(rules),
        "--format",
        "json",
    )
    assert code == 0
    [finding] = [f for f in json.loads(out)["results"][0]["findings"] if f["rule"] == "ACME001"]
    assert finding["waived"] is True
    assert run("validate", str(source), "--rules", str(rules))[0] == 0


def test_rule_packs_from_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack(tmp_path, {"rules": [ACME_RULE]})
    (tmp_path / ".serverless-fit.yaml").write_text("rules: [policies]\n")
    source = write(tmp_path / "services" / "vault.yaml", PCI)
    monkeypatch.chdir(tmp_path / "services")
    code, out, _ = run(
        "assess", source.name, "--target", "gcp-cloud-run-functions", "--format", "text"
    )
    assert code == 0
    assert "blocker ACME001" in out


def test_rules_list_filters_and_formats() -> None:
    code, out, _ = run("rules", "list", "--dimension", "latency", "--format", "json")
    assert code == 0 and {r["id"] for r in json.loads(out)} == {
        "LAT001",
        "LAT002",
        "LAT003",
        "XCLOUD001",
    }
    code, out, _ = run("rules", "list", "--severity", "blocker", "--width", "200")
    assert "DUR001" in out and "BEN001" not in out
    code, out, _ = run("rules", "list", "--target", "cloudflare-workers", "--format", "json")
    assert "RES007" in {r["id"] for r in json.loads(out)}
    assert run("rules", "list", "--target", "lambda")[0] == 2


def test_rules_explain_runs_both_examples() -> None:
    code, out, _ = run("rules", "explain", "lat002", "--width", "200")
    assert code == 0
    for part in ("What it checks", "Why", "Claim L1", "Triggers it", "Does not", "To waive it"):
        assert part in out
    assert "-> fires: A p99 objective of 30ms" in out and "-> does not fire" in out
    code, _, err = run("rules", "explain", "LAT01")
    assert code == 2 and "did you mean 'LAT001'?" in err


def test_docs_rules_md_is_current() -> None:
    rule_set = load_rule_set(())
    expected = reference(
        [document(r, rule_set) for r in rule_set.rules], coverage(list(rule_set.rules))
    )
    actual = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/rules.md is stale; regenerate: " + (
        "serverless-fit rules list --format markdown > docs/rules.md"
    )
    assert "UNEXPECTED" not in actual and "**none**" not in actual


def test_docs_platforms_md_is_current() -> None:
    from serverless_fit.data import catalog
    from serverless_fit.render.platforms import reference as platform_reference

    expected = platform_reference(
        list(catalog.platforms().values()), list(catalog.baselines().values())
    )
    actual = (ROOT / "docs" / "platforms.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/platforms.md is stale; regenerate: " + (
        "serverless-fit platforms --format markdown > docs/platforms.md"
    )
    # every profile and every baseline instance is there, each figure with a date and a page
    for platform in catalog.platforms().values():
        assert f"(`{platform.id}`)" in actual
    for baseline in catalog.baselines().values():
        for instance in baseline.instances:
            assert f"`instances[{instance.name}]`" in actual
    rows = [line for line in actual.splitlines() if line.startswith("| `")]
    assert rows and all(" | 20" in row and "<http" in row for row in rows)


BATCH_RULE: dict[str, Any] = {
    **ACME_RULE,
    "id": "ACME002",
    "name": "batch-needs-owner",
    "title": "Batch jobs name an owner",
    "archetypes": ["batch-job"],
    "when": {"not": {"fact": "owner", "exists": True}},
    "message": "{name} names no owner",
    "examples": {
        "fail": {"archetype": "batch-job"},
        "pass": {"archetype": "batch-job", "owner": "ops"},
    },
}


def test_a_rule_for_some_archetypes_is_not_evaluated_for_the_others(tmp_path: Path) -> None:
    rules = pack(tmp_path, {"rules": [BATCH_RULE]})
    batch = write(tmp_path / "w" / "job.yaml", workload("job", archetype="batch-job"))
    api = write(tmp_path / "w" / "api.yaml", workload("api"))
    code, out, _ = run(
        "assess", str(tmp_path / "w"), "--rules", str(rules), "--format", "json", "-v"
    )
    assert code == 0
    results = {r["workload"]: r for r in json.loads(out)["results"]}
    assert [f["rule"] for f in results["job"]["findings"]].count("ACME002") == 1
    assert "ACME002" not in [f["rule"] for f in results["api"]["findings"]]
    outcome = next(e for e in results["api"]["evaluations"] if e["rule"] == "ACME002")
    assert outcome["outcome"] == "not for this archetype"
    assert outcome["why"] == "only for batch-job; the workload's archetype is api"
    del batch, api


def test_archetype_scope_is_checked_in_packs_and_examples(tmp_path: Path) -> None:
    both = pack(tmp_path, {"rules": [{**BATCH_RULE, "except_archetypes": ["api"]}]}, "both.yaml")
    code, _, err = run("rules", "test", str(both))
    assert code == 2 and "except_archetypes: found both archetypes and except_archetypes" in err
    unknown = pack(tmp_path, {"rules": [{**BATCH_RULE, "archetypes": ["batch-jobb"]}]}, "typo.yaml")
    code, _, err = run("rules", "test", str(unknown))
    assert code == 2 and "did you mean 'batch-job'" in err
    # A fail example of an archetype the rule is not for would never fire in `assess`.
    stray = {
        **BATCH_RULE,
        "examples": {"fail": {}, "pass": {"archetype": "batch-job", "owner": "o"}},
    }
    code, _, err = run("rules", "test", str(pack(tmp_path, {"rules": [stray]}, "stray.yaml")))
    assert code == 1
    assert "the example's archetype is other, which ACME002 is not for (only for batch-job)" in err


def test_the_static_website_is_not_asked_for_function_figures() -> None:
    """Object storage behind a CDN: the function platform's limits are not its concern."""
    code, out, _ = run(
        "assess", str(ROOT / "workloads" / "marketing-site.yaml"), "--format", "json"
    )
    assert code == 0
    result = json.loads(out)["results"][0]
    assert result["not_assessed"] == [] and result["confidence"] == 1.0
    assert result["target_name"] == "Amazon S3 behind Amazon CloudFront"
