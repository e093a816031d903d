"""Project defaults from `.serverless-fit.yaml` or `pyproject.toml`; the command line wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import WORKLOADS
from tests.test_batch import workload, write
from tests.test_cli import run

LONG = {"typical": "20min", "max": "1h"}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path / "services" / "ok.yaml", workload("ok"))
    write(tmp_path / "services" / "long.yaml", workload("long", duration=LONG))
    write(tmp_path / "services" / "drafts" / "draft.yaml", workload("draft", duration=LONG))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_yaml_config_sets_defaults_and_the_command_line_wins(repo: Path) -> None:
    (repo / ".serverless-fit.yaml").write_text(
        "fail-on: poor-fit\nexclude: [drafts]\nformat: json\ntarget: [aws-lambda, all]\n"
    )
    code, out, _ = run("assess", "services")
    assert code == 1  # long fails --fail-on poor-fit from the file
    results = json.loads(out)["results"]  # format: json from the file
    assert "draft" not in {r["workload"] for r in results}  # excluded by the file
    assert {r["target"] for r in results} >= {"aws-lambda", "azure-functions"}
    code, out, _ = run("assess", "services", "--fail-on", "blocker", "--target", "aws-lambda")
    assert code == 1 and {r["target"] for r in json.loads(out)["results"]} == {"aws-lambda"}
    # every target is judged: ok is a poor fit on Cloudflare Workers (128 MiB of memory)
    assert run("assess", "services/ok.yaml")[0] == 1
    assert run("assess", "services/ok.yaml", "--fail-scope", "best")[0] == 0


def test_pyproject_table_is_found_from_a_subfolder(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.serverless-fit]\nfail-under = 90\nformat = "text"\n'
    )
    monkeypatch.chdir(repo / "services")
    code, out, _ = run("assess", ".")
    assert code == 1 and "FAIL long on aws-lambda: score" in out


def test_yaml_config_wins_over_pyproject_in_the_same_folder(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.serverless-fit]\nfail-under = 99\n")
    (repo / ".serverless-fit.yaml").write_text("fail-under: 0\n")
    assert run("assess", "services/ok.yaml")[0] == 0


def test_unknown_keys_are_errors_with_their_place(repo: Path) -> None:
    (repo / ".serverless-fit.yaml").write_text("fail-under: 60\nfail_on: risk\n")
    code, out, err = run("assess", "services")
    assert code == 2 and not out
    assert ".serverless-fit.yaml:2:1: error: fail_on: found unknown key 'fail_on'" in err
    assert "did you mean 'fail-on'?" in err
    (repo / ".serverless-fit.yaml").unlink()
    (repo / "pyproject.toml").write_text("[tool.serverless-fit]\nfail-undr = 60\n")
    code, _, err = run("assess", "services")
    assert code == 2 and "tool.serverless-fit.fail-undr: unknown key; allowed: target" in err


def test_bad_values_are_errors(repo: Path) -> None:
    (repo / ".serverless-fit.yaml").write_text("fail-under: 160\njobs: 0\n")
    code, _, err = run("assess", "services")
    assert code == 2 and ":1:13: error: fail-under:" in err and ":2:7: error: jobs:" in err


def test_an_explicit_config_file_and_relative_baseline(repo: Path) -> None:
    ci = repo / "ci"
    ci.mkdir()
    assert run("baseline", "services", "-o", str(ci / "baseline.json"))[0] == 0
    (ci / "fit.yaml").write_text("baseline: baseline.json\n")  # relative to the config file
    write(repo / "services" / "ok.yaml", workload("ok", resources={"memory": "20GiB"}))
    code, out, _ = run("assess", "services", "--config", str(ci / "fit.yaml"), "--format", "text")
    assert code == 1 and "new blocker or risk RES001 since the baseline" in out


def test_a_hostile_pyproject_is_an_input_error_not_a_crash(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        "[tool.serverless-fit]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n"
    )
    code, _, err = run("assess", "services/ok.yaml")
    assert code == 2 and "not valid TOML: nested too deeply" in err and "Traceback" not in err


def test_a_pyproject_that_does_not_mention_the_tool_is_not_read(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("this is not TOML at all [[[\n")
    assert run("assess", "services/ok.yaml")[0] == 0


def test_a_pyproject_unknown_key_has_its_line_and_a_hint(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.serverless-fit]\nfail-undr = 50\n', encoding="utf-8"
    )
    code, _, err = run("assess", str(WORKLOADS / "checkout-api.yaml"), "--config",
                       str(tmp_path / "pyproject.toml"))  # fmt: skip
    assert code == 2
    assert "pyproject.toml:5: error: tool.serverless-fit.fail-undr: unknown key" in err
    assert "did you mean 'fail-under'?" in err


@pytest.mark.parametrize("name", ["pyproject.toml", ".serverless-fit.yaml"])
def test_a_single_target_in_the_config_is_a_list_of_one(tmp_path: Path, name: str) -> None:
    text = (
        '[tool.serverless-fit]\ntarget = "azure-functions"\n'
        if name.endswith(".toml")
        else "target: azure-functions\n"
    )
    (tmp_path / name).write_text(text, encoding="utf-8")
    code, out, err = run("assess", str(WORKLOADS / "checkout-api.yaml"), "--config",
                         str(tmp_path / name), "--format", "text")  # fmt: skip
    assert code == 0, err
    assert " on azure-functions: " in out
