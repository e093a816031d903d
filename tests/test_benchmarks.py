"""The benchmark harness runs (on a tiny corpus), and the corpus has the shapes it claims.
No timing is asserted here: BENCHMARKS.md holds the measured figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import generate
from run import peak_kib, timed

from serverless_fit.format.loader import load_file


def test_the_corpus_is_seeded_valid_and_shaped_like_the_trace(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 400)
    second = generate(tmp_path / "b", 400)
    assert [p.read_text() for p in first] == [p.read_text() for p in second]
    workloads = [item.workload for path in first for item in load_file(path)]
    assert len(workloads) == 400
    rare = [w for w in workloads if w.traffic and w.traffic.average.per_second <= 1 / 3600]
    assert 0.35 < len(rare) / 400 < 0.55  # about 45% at most once an hour
    small = [w for w in workloads if w.resources.memory and w.resources.memory.bytes <= 400 * 2**20]
    assert 0.8 < len(small) / 400 < 0.97  # about 90% at most 400 MB
    assert len({w.archetype for w in workloads}) >= 8
    assert len({w.runtime for w in workloads}) >= 6


def test_the_harness_measures_and_writes_its_table(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--sizes", "50",
         "--output", str(output)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = output.read_text()
    needles = ("| machine |", "assess 50 files, --jobs 1", "parse floor")
    needles += ("serverless-fit --version", "assess one file", "## Peak memory", "## Growth")
    for needle in needles:
        assert needle in text, needle


def test_a_run_that_fails_stops_the_harness_instead_of_being_timed() -> None:
    failing = [sys.executable, "-c", "import sys; sys.exit('no such tool')"]
    with pytest.raises(SystemExit, match="exited 1: no such tool"):
        timed(failing, 1)
    with pytest.raises(SystemExit, match="exited 1: no such tool"):
        peak_kib(failing)


def test_the_format_memory_script_measures_and_keeps_the_rest(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    output.write_text("# Benchmarks\n\n## Time\n\nkept\n", encoding="utf-8")
    command = [sys.executable, str(ROOT / "benchmarks" / "formats_memory.py"), "--files", "20"]
    _script([*command, "--formats", "json,markdown"], output)
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\n## Time\n\nkept\n\n## Peak memory by output format")
    assert "| json | this build |" in text and "| markdown | this build |" in text
    # written again, the section is replaced, not repeated
    subprocess.run([*command, "--formats", "json", "--output", str(output)], check=True)
    text = output.read_text(encoding="utf-8")
    assert text.count("## Peak memory by output format") == 1 and "| markdown |" not in text


def test_the_log_throughput_script_measures_and_keeps_the_rest(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    output.write_text("# Benchmarks\n\n## Time\n\nkept\n", encoding="utf-8")
    _script(
        [sys.executable, str(ROOT / "benchmarks" / "measure_throughput.py"), "--mib", "1"], output
    )
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\n## Time\n\nkept\n\n## Measuring logs")
    assert "| access.log | 1 MiB |" in text and "| access.log.gz |" in text


def _script(command: list[str], output: Path) -> None:
    """Runs a benchmark script writing its section of `output`; it must succeed."""
    done = subprocess.run(
        [*command, "--output", str(output)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
