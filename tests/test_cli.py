"""The command line through CliRunner: formats, exit codes, errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from serverless_fit.cli import main
from tests.conftest import AS_OF, ROOT, WORKLOADS


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_version_and_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and "serverless-fit" in out
    code, out, _ = run("assess", "--help")
    assert code == 0 and "Examples:" in out


def test_json_output_follows_the_contract() -> None:
    code, out, _ = run("assess", str(WORKLOADS / "checkout-api.yaml"), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert set(report) >= {"tool", "results", "summary", "errors"}
    [result] = report["results"]
    assert set(result) >= {
        "workload",
        "file",
        "target",
        "score",
        "verdict",
        "dimensions",
        "findings",
        "not_assessed",
        "cost",
        "counterfactuals",
    }
    finding = result["findings"][0]
    assert set(finding) >= {
        "rule",
        "severity",
        "dimension",
        "title",
        "message",
        "claims",
        "references",
        "evidence",
        "mitigation",
        "impact",
        "waived",
    }
    assert set(result["cost"]) >= {"serverless", "always_on", "ratio", "break_even"}
    assert set(result["cost"]["always_on"]) >= {"monthly_usd", "items", "instance", "count"}


def test_piped_output_is_plain_text_a_line_per_finding() -> None:
    path = str(WORKLOADS / "quote-pricer.yaml")
    code, out, _ = run("assess", path, "--as-of", AS_OF)
    assert code == 0
    assert "\x1b[" not in out and "┃" not in out
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}: quote-pricer on aws-lambda: poor-fit, score 0/100")
    assert any(line.startswith(f"{path}:") and ": blocker LAT002: " in line for line in lines)
    assert lines[-1].startswith("1 result: 0 good-fit")
    # the rich report when asked for, still without colour codes when piped
    code, out, _ = run("assess", path, "--as-of", AS_OF, "--format", "terminal")
    assert "POOR FIT" in out and "\x1b[" not in out


def test_a_bad_file_exits_2_with_location_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: a\narchetype: api\nlatency:\n  p99: 300\n")
    code, out, err = run("assess", str(bad), "--format", "json")
    assert code == 2
    assert f"{bad}:4:8: error: latency.p99" in err
    assert "Traceback" not in err + out
    report = json.loads(out)
    assert report["errors"][0]["line"] == 4


def test_valid_files_are_still_assessed_next_to_a_bad_one(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("- not a mapping\n")
    (tmp_path / "good.yaml").write_text("name: good\narchetype: api\n")
    code, out, _ = run("assess", str(tmp_path), "--format", "json")
    assert code == 2
    report = json.loads(out)
    assert [r["workload"] for r in report["results"]] == ["good"]
    assert report["errors"][0]["file"].endswith("bad.yaml")


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00garbage", b"name: a\narchetype: api\nname: b\n", b"name: [unclosed\n"],
)
def test_broken_inputs_never_show_a_traceback(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_bytes(content)
    code, out, err = run("assess", str(bad))
    assert code == 2
    assert "Traceback" not in out + err
    assert str(bad) in err


def test_missing_file_and_unknown_target_exit_2(tmp_path: Path) -> None:
    code, _, err = run("assess", str(tmp_path / "absent.yaml"))
    assert code == 2 and "cannot read" in err
    code, _, err = run("assess", str(WORKLOADS / "checkout-api.yaml"), "--target", "aws-lambada")
    assert code == 2 and "aws-lambda" in err


def test_output_is_byte_identical_between_runs() -> None:
    args = ("assess", str(WORKLOADS), "--format", "json", "--as-of", AS_OF)
    assert run(*args)[1] == run(*args)[1]


def test_module_entry_point_runs() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "serverless_fit", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "serverless-fit" in done.stdout


def test_an_internal_error_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    import serverless_fit.pipeline.batch

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(serverless_fit.pipeline.batch, "assess_batch", broken)
    result = CliRunner().invoke(main, ["assess", str(WORKLOADS / "checkout-api.yaml")])
    assert result.exit_code == 3
    assert "internal error: ZeroDivisionError: boom" in result.stderr
    assert "Traceback" not in result.stderr


def test_colour_only_when_asked() -> None:
    import datetime as dt

    from serverless_fit.pipeline.assess import Options, assess_files
    from serverless_fit.render import renderer
    from serverless_fit.report import RenderOptions
    from serverless_fit.rules.rulepacks import builtin_rules

    report = assess_files(
        [WORKLOADS / "checkout-api.yaml"], builtin_rules(), Options(as_of=dt.date(2026, 11, 27))
    )
    render = renderer("terminal")
    assert "\x1b[" in render(report, RenderOptions(color=True, width=100))
    assert "\x1b[" not in render(report, RenderOptions(color=False, width=100))


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path: Path, fmt: str) -> None:
    # `serverless-fit assess ... | head -1`: no internal error, no traceback, exit 141.
    import subprocess
    import sys

    source = (WORKLOADS / "quote-pricer.yaml").read_text()
    for index in range(60):
        (tmp_path / f"w{index}.yaml").write_text(source.replace("quote-pricer", f"w{index}"))
    command = [sys.executable, "-m", "serverless_fit", "assess", str(tmp_path), "--verbose"]
    process = subprocess.Popen(
        [*command, "--format", fmt, "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10)
    process.stdout.close()  # much more than a pipe's buffer is still to come
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141 and errors == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux /dev/full")
def test_standard_output_on_a_full_disk_is_exit_2_with_the_reason() -> None:
    import subprocess
    import sys

    with Path("/dev/full").open("w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "serverless_fit", "assess", str(WORKLOADS)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            check=False,
        )
    assert done.returncode == 2
    assert (
        done.stderr == "standard output: error: cannot write the report: No space left on device\n"
    )


@pytest.mark.parametrize(
    "option", [("--fail-under", "nan"), ("--fail-under", "inf"), ("--tolerance", "nan")]
)
def test_a_threshold_that_is_not_a_finite_number_is_refused(option: tuple[str, str]) -> None:
    # A NaN threshold compares false with every score: it would switch the gate off.
    code, _, err = run("assess", str(WORKLOADS / "checkout-api.yaml"), *option)
    assert code == 2
    assert "is not a finite number" in err or "range" in err


def test_a_config_threshold_that_is_not_a_finite_number_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".serverless-fit.yaml").write_text("fail-under: .nan\n", encoding="utf-8")
    code, _, err = run(
        "assess",
        str(WORKLOADS / "checkout-api.yaml"),
        "--config",
        str(tmp_path / ".serverless-fit.yaml"),
    )
    assert code == 2 and "fail-under" in err


def test_no_memory_is_an_input_error_and_the_batch_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "zero.yaml"
    bad.write_text(
        "name: zero\narchetype: api\nduration: {typical: 1s}\ntraffic: {average: 5/s}\n"
        "resources: {memory: 0B}\n",
        encoding="utf-8",
    )
    code, out, err = run(
        "assess", str(bad), str(WORKLOADS / "checkout-api.yaml"), "--format", "json"
    )
    assert code == 2
    report = json.loads(out)
    assert [r["workload"] for r in report["results"]] == ["checkout-api"]
    assert report["errors"][0]["field"] == "resources.memory"
    assert "found 0B; allowed: a size above 0" in err


def test_impossible_dates_are_text_or_a_located_error_never_a_crash(tmp_path: Path) -> None:
    dates = tmp_path / "dates.yaml"
    dates.write_text(
        "name: dates\narchetype: api\ndescription: 2026-02-30\ndependencies: [2099-99-99]\n"
        "waivers:\n  - {rule: LAT001, reason: later, expires: 0000-01-01}\n",
        encoding="utf-8",
    )
    quiet = tmp_path / "quiet.yaml"
    quiet.write_text("name: quiet\narchetype: api\ndescription: 2026-02-30\n", encoding="utf-8")
    code, out, err = run(
        "assess", str(dates), str(quiet), str(WORKLOADS / "checkout-api.yaml"), "--format", "json"
    )
    assert code == 2
    report = json.loads(out)
    assert sorted(r["workload"] for r in report["results"]) == ["checkout-api", "quiet"]
    assert "waivers[0].expires: found '0000-01-01'; allowed: a date" in err
    config = tmp_path / ".serverless-fit.yaml"
    config.write_text("fail-under: 2026-02-30\n", encoding="utf-8")
    code, _, err = run("assess", str(quiet), "--config", str(config))
    assert code == 2 and "fail-under" in err


def test_an_error_line_never_starts_a_workflow_command_or_an_escape(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.yaml"
    key = (
        "\\n::add-mask::x\\n::error file=src/app.py,line=1::Injected"
        "\\r\\n::stop-commands::t\\x1b[2J"
    )
    hostile.write_text(f'name: x\narchetype: api\n"{key}": 1\n', encoding="utf-8")
    code, _, err = run("validate", str(hostile))
    assert code == 2
    assert len(err.strip().splitlines()) == 1  # one error, one line: no line breaks added
    assert not [line for line in err.splitlines() if line.startswith("::")]
    assert "\x1b" not in err and "\r" not in err
    assert "\\x0a::add-mask::x" in err


@pytest.mark.parametrize(
    "name", ["::error file=app.py,line=1::Injected", "  ::add-mask::x", "##[error]x"]
)
def test_a_file_name_never_starts_a_workflow_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Error lines and plain-text report lines start with the file's name: one named like a
    command is shown as `./NAME`, the same file read as a path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / f"{name}.yaml").write_text("name: x\narchetype: api\n", encoding="utf-8")
    (tmp_path / f"{name}-bad.yaml").write_text("name: y\narchetype: nope\n", encoding="utf-8")
    code, out, err = run("assess", f"{name}.yaml", f"{name}-bad.yaml", "--format", "text")
    assert code == 2
    for line in (*out.splitlines(), *err.splitlines()):
        assert not line.lstrip().startswith(("::", "##[")), line
    assert f"./{name}.yaml: x on aws-lambda" in out
    assert f"./{name}-bad.yaml:2:12: error: archetype" in err


HOSTILE_TEXT = "\x1b]52;c;aGk=\x07 \x1b[2J \u202egnp.exe \u200b \x0b\x1c"


@pytest.mark.parametrize(
    "fmt", ["text", "terminal", "markdown", "junit", "sarif", "github", "html", "json"]
)
def test_a_workloads_own_strings_are_shown_never_interpreted(tmp_path: Path, fmt: str) -> None:
    import xml.dom.minidom

    import yaml as pyyaml

    hostile = tmp_path / "hostile.yaml"
    data = {
        "name": "hostile",
        "archetype": "api",
        "description": HOSTILE_TEXT,
        "dependencies": [f"dynamodb{HOSTILE_TEXT}", "sqs"],
        "constraints": {"portability": "required"},
        "waivers": [{"rule": "PORT001", "reason": HOSTILE_TEXT}],
    }
    hostile.write_text(pyyaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = run("assess", str(hostile), "--format", fmt, "--as-of", AS_OF)
    assert code == 0, err
    for character in ("\x1b", "\x07", "\u202e", "\u200b", "\x0b", "\x1c"):
        assert character not in out and character not in err, (fmt, repr(character))
    if fmt == "junit":
        xml.dom.minidom.parseString(out)  # well-formed


@pytest.mark.parametrize("kind", ["baseline", "pack", "config", "hard link"])
def test_the_output_may_not_replace_any_input(tmp_path: Path, kind: str) -> None:
    import os

    workload = str(WORKLOADS / "checkout-api.yaml")
    baseline = tmp_path / "baseline.json"
    assert run("baseline", workload, "-o", str(baseline))[0] == 0
    pack = tmp_path / "pack.yaml"
    pack.write_text((ROOT / "docs" / "examples" / "acme-rules.yaml").read_text(), encoding="utf-8")
    config = tmp_path / ".serverless-fit.yaml"
    config.write_text("format: json\n", encoding="utf-8")
    args = {
        "baseline": ("--baseline", str(baseline), "-o", str(baseline)),
        "pack": ("--rules", str(pack), "-o", str(pack)),
        "config": ("--config", str(config), "-o", str(config)),
        "hard link": ("--rules", str(pack), "-o", str(tmp_path / "linked.json")),
    }[kind]
    if kind == "hard link":
        os.link(pack, tmp_path / "linked.json")
    before = {p: p.read_bytes() for p in (baseline, pack, config)}
    code, out, err = run("assess", workload, *args)
    assert code == 2 and out == ""
    assert "allowed: a report file that is not an input" in err
    assert {p: p.read_bytes() for p in (baseline, pack, config)} == before


@pytest.mark.parametrize("day", ["2026-1-1", "\uff12\uff10\uff12\uff16-01-01", "2026-02-30"])
def test_as_of_is_a_date_written_as_expires_is(day: str) -> None:
    code, _, err = run("assess", str(WORKLOADS / "checkout-api.yaml"), "--as-of", day)
    assert code == 2 and "--as-of" in err


def test_a_lower_case_waiver_rule_is_hinted_to_its_upper_case_id(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("name: w\narchetype: api\nwaivers:\n  - {rule: lat001, reason: r}\n")
    code, _, err = run("validate", str(path))
    assert code == 2 and "did you mean 'LAT001'?" in err


def test_a_pipe_in_place_of_a_file_is_refused_without_waiting(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    # In a child process: were the pipe opened blocking, it would wait for a writer forever.
    done = subprocess.run(
        [sys.executable, "-m", "serverless_fit", "validate", str(pipe)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "is not a regular file" in done.stderr


@pytest.mark.parametrize(
    ("where", "setting"),
    [("cli", ("--max-values", "999999999999999")), ("config", "max-depth: 1000\n")],
)
def test_limits_have_a_ceiling_wherever_they_are_raised(
    tmp_path: Path, where: str, setting: object
) -> None:
    workload = str(WORKLOADS / "checkout-api.yaml")
    if where == "cli":
        assert isinstance(setting, tuple)
        code, _, err = run("assess", workload, *setting)
    else:
        config = tmp_path / ".serverless-fit.yaml"
        config.write_text(str(setting), encoding="utf-8")
        code, _, err = run("assess", workload, "--config", str(config))
    assert code == 2 and "allowed: at most" in err


def test_numbers_of_thousands_of_digits_are_input_errors(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"results": [{"score": ' + "9" * 5000 + "}]}", encoding="utf-8")
    workload = str(WORKLOADS / "checkout-api.yaml")
    code, _, err = run("assess", workload, "--baseline", str(baseline))
    assert code == 2 and "too long to read" in err
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.serverless-fit]\njobs = " + "9" * 5000 + "\n", encoding="utf-8")
    code, _, err = run("assess", workload, "--config", str(pyproject))
    assert code == 2 and "not valid TOML" in err


def test_a_replaced_report_keeps_its_mode_through_a_link(tmp_path: Path) -> None:
    import stat

    report = tmp_path / "private.json"
    report.write_text("{}\n", encoding="utf-8")
    report.chmod(0o600)
    link = tmp_path / "link.json"
    link.symlink_to(report)
    code, _, _ = run("assess", str(WORKLOADS / "checkout-api.yaml"), "-o", str(link))
    assert code == 0
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert link.is_symlink() and report.read_text(encoding="utf-8") != "{}\n"


def test_piped_rules_output_is_plain_and_whole() -> None:
    """Through a pipe (`| cat`, `| grep`) nothing is wrapped, squeezed or cut with an
    ellipsis: a title stays on its rule's line, a URL stays whole."""
    code, out, _ = run("rules", "list")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("BEN002 "))
    assert line.endswith("No servers to provision, patch or monitor")
    assert "│" not in out and "…" not in out
    assert out.splitlines()[-1].endswith(" rules. serverless-fit rules explain ID says more.")
    assert "Every seed claim has a rule" not in out
    code, out, _ = run("rules", "explain", "LAT001")
    assert code == 0
    assert "    https://www.usenix.org/conference/atc20/presentation/shahrad\n" in out
    assert "…" not in out and "..." not in out.replace("reason: ...", "")
    code, out, _ = run("rules", "facts")
    assert code == 0 and "…" not in out and "│" not in out
    # the terminal layout is still there when asked for
    assert "│" in run("rules", "list", "--format", "terminal")[1]


def test_verbose_shows_a_share_and_its_threshold_alike() -> None:
    code, out, _ = run("assess", str(WORKLOADS / "checkout-api.yaml"), "--verbose", "--format",
                       "text", "--as-of", AS_OF)  # fmt: skip
    assert code == 0
    line = next(line for line in out.splitlines() if "rule DUR002 " in line)
    assert line.endswith("derived.timeout_use (0.222%) > 50%: no")
    assert "> 0.5:" not in out and ">= 0.05:" not in out


def test_explain_shows_what_a_templated_mitigation_says() -> None:
    code, out, _ = run("rules", "explain", "STATE001")
    assert code == 0
    assert "-> on aws-lambda, for the example below: API Gateway WebSocket APIs" in out


def test_at_80_columns_nothing_is_cut_and_the_comparison_header_is_one_line() -> None:
    code, out, _ = run("rules", "facts", "--format", "terminal", "--width", "80")
    assert code == 0 and "…" not in out
    code, out, _ = run("assess", str(WORKLOADS / "document-ocr-batch.yaml"), "--target", "all",
                       "--format", "terminal", "--width", "80", "--as-of", AS_OF)  # fmt: skip
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("target "))
    assert "cold p99" in header and "verdict" in header
