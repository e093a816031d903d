"""`init`: a questionnaire that writes a valid, commented workload file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from serverless_fit.cli import main
from serverless_fit.format.loader import load_file
from tests.test_cli import run

# Answers in question order; blank lines take the default, '-' leaves a field out.
ANSWERS = [
    "orders-api",
    "Takes orders: from the web",
    "orders-team",
    "api",
    "java",
    "",  # trigger: http, from the archetype
    "200ms",
    "80ms",
    "abc",  # not a duration: asked again
    "900ms",
    "-",  # waiting left out
    "spiky",
    "40/s",
    "10/s",  # below the average: asked again
    "900/s",
    "16",
    "1GiB",
    "0.5",  # cpus
    "",  # architecture: x86_64
    "",  # gpu: no
    "1MiB",  # payload
    "-",  # package left out
    "-",  # ephemeral storage left out
    "",  # connections: none
    "maybe",  # not yes or no: asked again
    "no",
    "no",
    "dynamodb, postgres",
    "required",
    "aws, gcpp",  # not a provider: asked again
    "aws",
    "",  # local testing: optional
    "pci-dss",
    "low",
    "-",  # time to market left out
]


def test_the_questionnaire_checks_each_answer_and_writes_a_valid_file(tmp_path: Path) -> None:
    target = tmp_path / "orders.yaml"
    result = CliRunner().invoke(main, ["init", str(target)], input="\n".join(ANSWERS) + "\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("allowed:") == 4
    # How to skip a question is said once, not in every prompt.
    assert result.output.count("'-' leaves a question out") == 1
    assert "to leave out" not in result.output
    [loaded] = load_file(target)
    workload = loaded.workload
    assert workload.name == "orders-api" and workload.runtime == "java"
    assert workload.description == "Takes orders: from the web"
    assert workload.duration is not None and str(workload.duration.max) == "900ms"
    assert workload.constraints is not None and workload.constraints.providers == ["aws"]
    assert workload.state is not None and workload.state.in_memory_sessions is False
    assert workload.team is not None and workload.team.time_to_market is None
    assert workload.owner == "orders-team" and workload.resources.cpus == 0.5
    assert str(workload.resources.payload) == "1MiB" and workload.resources.package is None
    assert workload.constraints.compliance == ["pci-dss"]
    assert workload.constraints.local_testing == "optional"
    text = target.read_text()
    assert "# A serverless-fit workload" in text and "#   time_to_market: medium" in text
    assert run("assess", str(target))[0] == 0


def test_non_interactive_writes_only_what_it_is_given(tmp_path: Path) -> None:
    target = tmp_path / "w.yaml"
    code, _, err = run(
        "init", str(target), "--non-interactive", "--name", "checkout-api", "--archetype", "api",
        "--p99", "300ms", "--average", "40/s", "--peak", "900/s", "--memory", "512MiB",
        "--in-memory-sessions", "no", "--providers", "aws,gcp",
    )  # fmt: skip
    assert code == 0 and f"wrote {target}" in err
    data = yaml.safe_load(target.read_text())
    assert data == {
        "name": "checkout-api",
        "archetype": "api",
        "latency": {"p99": "300ms"},
        "traffic": {"average": "40/s", "peak": "900/s"},
        "resources": {"memory": "512MiB"},
        "state": {"in_memory_sessions": False},
        "constraints": {"providers": ["aws", "gcp"]},
    }
    text = target.read_text()
    assert "#   typical: 120ms" in text  # the rest as commented examples
    # No other workload's words in the file: the description and owner are placeholders.
    assert "# description: ..." in text and "# owner: team-name" in text
    assert "checkout API" not in text and "payments" not in text


def test_bad_answers_given_as_options_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "w.yaml"
    code, _, err = run(
        "init", str(target), "--non-interactive", "--name", "bad name", "--p99", "300",
        "--average", "40/s", "--peak", "4/s",
    )  # fmt: skip
    assert code == 2 and not target.exists()
    assert "--name: error: found 'bad name'" in err
    assert "--p99: error: found '300'" in err
    assert "--peak: error: found '4/s'; allowed: at least the traffic.average of 40/s" in err
    assert "--archetype: error: missing; it is required" in err


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "w.yaml"
    target.write_text("keep me\n")
    args = ["init", str(target), "--non-interactive", "--name", "w", "--archetype", "api"]
    code, _, err = run(*args)
    assert code == 2 and "exists; allowed: a new file, or --force" in err
    assert target.read_text() == "keep me\n"
    assert run(*args, "--force")[0] == 0
    assert load_file(target)[0].workload.name == "w"


def test_answers_that_run_out_end_with_a_message_and_no_file(tmp_path: Path) -> None:
    target = tmp_path / "orders.yaml"
    result = CliRunner().invoke(main, ["init", str(target)], input="\n".join(ANSWERS[:5]) + "\n")
    assert result.exit_code == 2, result.output
    assert "init: error: the input ended at the question" in result.output
    assert "Traceback" not in result.output and not target.exists()


def test_init_help_reads_as_sentences() -> None:
    from tests.test_cli import run

    code, out, _ = run("init", "--help")
    assert code == 0
    assert "?." not in out and "Long-lived client connections?" in out


def test_a_typical_run_longer_than_the_p99_objective_is_asked_again(tmp_path: Path) -> None:
    from serverless_fit.commands.questionnaire import QUESTIONS

    typical = next(q for q in QUESTIONS if q.path == "duration.typical")
    with pytest.raises(ValueError, match="at most the p99 objective of 300ms"):
        typical.check("2s", {"latency.p99": "300ms"})
    assert typical.check("120ms", {"latency.p99": "300ms"}) == "120ms"
    cpus = next(q for q in QUESTIONS if q.path == "resources.cpus")
    assert cpus.check("64", {}) == 64
    with pytest.raises(ValueError, match="vCPUs above 0"):
        cpus.check("0", {})
