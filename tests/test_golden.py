"""Golden files: the JSON and terminal report of every bundled example, byte for byte.

Refresh with `python -m pytest tests/test_golden.py --update-golden` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from serverless_fit import __version__
from serverless_fit.cli import main
from tests.conftest import AS_OF, ROOT, WORKLOADS

GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = sorted(WORKLOADS.glob("*.yaml"))


# Examples whose comparison across every platform is kept as well.
ALL_TARGETS = [WORKLOADS / f"{name}.yaml" for name in ("document-ocr-batch", "video-upscaler")]


def output(path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch, *extra: str) -> str:
    monkeypatch.chdir(ROOT)
    relative = str(path.relative_to(ROOT))
    args = ["assess", relative, "--format", fmt, "--as-of", AS_OF, "--width", "100", *extra]
    result = CliRunner().invoke(main, args, env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout.replace(f'"version": "{__version__}"', '"version": "<version>"')


@pytest.mark.parametrize("fmt,suffix", [("json", "json"), ("terminal", "txt")])
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_report_matches_golden(
    path: Path, fmt: str, suffix: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = output(path, fmt, monkeypatch)
    golden = GOLDEN / f"{path.stem}.{suffix}"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run pytest with --update-golden"
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt,suffix", [("json", "json"), ("terminal", "txt")])
@pytest.mark.parametrize("path", ALL_TARGETS, ids=[p.stem for p in ALL_TARGETS])
def test_comparison_across_all_targets_matches_golden(
    path: Path, fmt: str, suffix: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = output(path, fmt, monkeypatch, "--target", "all")
    golden = GOLDEN / "all-targets" / f"{path.stem}.{suffix}"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run pytest with --update-golden"
    assert text == golden.read_text(encoding="utf-8")


BATCH_FORMATS = {"text": "txt", "sarif": "sarif", "junit": "xml", "markdown": "md", "github": "log"}


@pytest.mark.parametrize("fmt", list(BATCH_FORMATS))
def test_batch_formats_match_golden(
    fmt: str, update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every bundled example in one run, failing below 50, in each CI format."""
    monkeypatch.chdir(ROOT)
    args = ["assess", "workloads", "--format", fmt, "--as-of", AS_OF, "--fail-under", "50"]
    result = CliRunner().invoke(main, args, env={"NO_COLOR": "1"})
    assert result.exit_code == 1, result.output
    text = result.stdout.replace(__version__, "<version>")
    golden = GOLDEN / "batch" / f"workloads.{BATCH_FORMATS[fmt]}"
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run pytest with --update-golden"
    assert text == golden.read_text(encoding="utf-8")


def test_portfolio_summary_matches_golden(
    update_golden: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The terminal's portfolio summary of every bundled example on every target, failing
    below 50."""
    monkeypatch.chdir(ROOT)
    args = ["assess", "workloads", "--target", "all", "--summary", "--format", "terminal"]
    args += ["--as-of", AS_OF, "--fail-under", "50", "--width", "100"]
    result = CliRunner().invoke(main, args, env={"NO_COLOR": "1"})
    assert result.exit_code == 1, result.output
    golden = GOLDEN / "batch" / "workloads-summary.txt"
    if update_golden:
        golden.write_text(result.stdout, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run pytest with --update-golden"
    assert result.stdout == golden.read_text(encoding="utf-8")
