"""The GitHub Action and the pre-commit hooks, run as their hosts would run them."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from serverless_fit.cli import main
from tests.conftest import ROOT, WORKLOADS

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def _step(step_id: str) -> dict[str, Any]:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def test_inputs_reach_scripts_only_through_the_environment() -> None:
    # `${{ inputs.x }}` pasted into a script is a shell-injection hole.
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")


@pytest.fixture
def shim(tmp_path: Path) -> Path:
    """A `serverless-fit` on PATH that runs this checkout, as the installed script would."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "serverless-fit"
    # each run is counted in calls.log beside the script: the Action must assess once
    log = shlex.quote(str(folder / "calls.log"))
    script.write_text(
        f'#!/bin/sh\necho run >> {log}\nexec {shlex.quote(sys.executable)} -m serverless_fit "$@"\n'
    )
    script.chmod(0o755)
    return folder


def _run_assess_step(shim: Path, tmp_path: Path, **inputs: str) -> tuple[int, str, Path, Path]:
    outputs, summary = tmp_path / "outputs", tmp_path / "summary.md"
    # Every variable the step declares, as the runner would set it from the inputs (an
    # input left out is the empty string, as its default is).
    step_env = _step("assess")["env"]
    given = {
        "paths": str(WORKLOADS),
        "format": "github",
        "sarif-file": str(tmp_path / "fit.sarif"),
        **inputs,
    }
    env = {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    for variable, expression in step_env.items():
        name = expression.removeprefix("${{ inputs.").removesuffix(" }}")
        env[variable] = given.get(name, "")
    # the runner's default shell for `shell: bash`
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", _step("assess")["run"]],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr  # the step itself succeeds; the code is an output
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    code = int(written["exit-code"])
    if code in (0, 1):
        assert written["sarif-file"] == str((tmp_path / "fit.sarif").resolve())
    return code, done.stdout, summary, tmp_path / "fit.sarif"


def test_the_action_writes_sarif_summary_and_annotations(shim: Path, tmp_path: Path) -> None:
    code, log, summary, sarif = _run_assess_step(shim, tmp_path, **{"fail-on": "poor-fit"})
    assert code == 1
    assert sarif.is_file() and '"version": "2.1.0"' in sarif.read_text()
    assert summary.read_text().startswith("## serverless-fit")
    assert "::error file=" in log


def test_the_action_passes_when_nothing_fails(shim: Path, tmp_path: Path) -> None:
    paths = f"{WORKLOADS / 'checkout-api.yaml'} {WORKLOADS / 'thumbnail-generator.yaml'}"
    code, _, _, _ = _run_assess_step(shim, tmp_path, paths=paths, **{"fail-on": "poor-fit"})
    assert code == 0


def test_pre_commit_hooks_run_existing_commands() -> None:
    ids = {hook["id"] for hook in HOOKS}
    assert ids == {"serverless-fit-validate", "serverless-fit-assess"}
    for hook in HOOKS:
        program, command, *_ = shlex.split(hook["entry"])
        assert program == "serverless-fit" and command in main.commands
        assert hook["language"] == "python"


def test_the_action_gates_on_confidence(shim: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("name: empty\narchetype: api\n", encoding="utf-8")
    (tmp_path / "first").mkdir()
    code, *_ = _run_assess_step(shim, tmp_path / "first", paths=str(empty))
    assert code == 0
    (tmp_path / "gated").mkdir()
    gated = {"paths": str(empty), "min-confidence": "60%"}
    code, out, _, _ = _run_assess_step(shim, tmp_path / "gated", **gated)
    assert code == 1 and "under --min-confidence 60%" in out


def test_the_action_assesses_once_with_rules_and_config(shim: Path, tmp_path: Path) -> None:
    """One assessment writes the log, the SARIF file and the job summary; `rules` and
    `config` reach it."""
    config = tmp_path / "fit.yaml"
    config.write_text("fail-on: blocker\n", encoding="utf-8")
    inputs = {
        "paths": str(ROOT / "docs" / "examples" / "card-vault.yaml"),
        "rules": str(ROOT / "docs" / "examples" / "acme-rules.yaml"),
        "config": str(config),
    }
    code, log, summary, sarif = _run_assess_step(shim, tmp_path, **inputs)
    assert (shim / "calls.log").read_text().splitlines() == ["run"]
    assert code == 1  # ACME001, a blocker, fails `fail-on: blocker` from the config
    assert "title=ACME001" in log and "ACME001" in summary.read_text()
    assert '"ruleId": "ACME001"' in sarif.read_text()
