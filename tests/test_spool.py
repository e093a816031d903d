"""Formats that read the results twice (SARIF, JUnit, Markdown, HTML) write from a report
spooled to a temporary file: the same bytes as from a report in memory, and memory that does
not grow with the batch."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from serverless_fit import report as report_module
from serverless_fit.errors import Problem
from serverless_fit.pipeline.assess import Options, assess_files
from serverless_fit.render import SPOOLED, renderer, spool_streamer
from serverless_fit.report import RenderOptions, Report, ReportStream, Result
from serverless_fit.rules.rulepacks import builtin_rules
from tests.conftest import WORKLOADS

EXAMPLES = ("checkout-api", "document-ocr-batch", "video-upscaler")


@pytest.fixture(scope="module")
def sample() -> Report:
    options = Options(
        targets=("all",), as_of=dt.date(2026, 11, 27), cost_curves=True, counterfactuals=True
    )
    paths = [WORKLOADS / f"{name}.yaml" for name in EXAMPLES]
    report = assess_files(paths, builtin_rules(), options)
    assert len(report.results) > len(EXAMPLES)  # several targets per workload
    return report


def _copies(results: tuple[Result, ...], count: int) -> Iterator[Result]:
    """`count` workloads, each the sample's results under a name and file of its own."""
    for index in range(count):
        for result in results:
            yield dataclasses.replace(
                result, workload=f"{result.workload}-{index}", file=f"{index}/{result.file}"
            )


def _stream(report: Report, results: Iterator[Result]) -> ReportStream:
    errors = [Problem("broken.yaml", 3, 12, "archetype", "found 'nope'")]
    return ReportStream(report.tool_version, report.as_of, results, errors, report.rules, True)


@pytest.mark.parametrize("name", sorted(SPOOLED))
def test_spooled_output_is_byte_identical_to_a_report_in_memory(
    name: str, sample: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_module, "SPOOL_MEMORY", 1024)  # roll over to disk at once
    whole = _stream(sample, _copies(sample.results, 3)).collect()
    spooled = _stream(sample, _copies(sample.results, 3)).spool()
    try:
        assert spooled.result_count == len(whole.results)
        assert spooled.summary == whole.summary and spooled.compared() == whole.compared()
        assert spooled.failed_count == whole.failed_count
        # read as often as a renderer needs, the same results each time
        assert list(spooled.iter_results()) == list(whole.results)
        assert list(spooled.iter_results()) == list(whole.results)
        expected = renderer(name)(whole, RenderOptions())
        assert "".join(spool_streamer(name)(spooled, RenderOptions())) == expected
    finally:
        spooled.close()


def test_the_spool_leaves_no_file_behind(sample: Report, tmp_path: Path) -> None:
    os.environ["TMPDIR"] = str(tmp_path)
    import tempfile

    tempfile.tempdir = None  # read TMPDIR again
    try:
        spooled = _stream(sample, _copies(sample.results, 200)).spool()
        assert spooled.result_count == 200 * len(sample.results)
        assert list(tmp_path.iterdir()) == []  # rolled over to an unnamed file
        spooled.close()
    finally:
        del os.environ["TMPDIR"]
        tempfile.tempdir = None


def _peak_while_writing(name: str, sample: Report, count: int) -> int:
    """Peak memory traced while `count` workloads are spooled and written to nowhere."""
    tracemalloc.start()
    try:
        spooled = _stream(sample, _copies(sample.results, count)).spool()
        written = 0
        for chunk in spool_streamer(name)(spooled, RenderOptions()):
            written += len(chunk)
        spooled.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written > count * 100
    return peak


# The terminal report is left out here: rich's word-width cache (4,096 words, bounded) makes
# the traced figure noisy at this size; its peak at 50,000 files is in BENCHMARKS.md.
@pytest.mark.parametrize("name", sorted(SPOOLED - {"terminal"}))
def test_memory_does_not_grow_with_the_results(
    name: str, sample: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_module, "SPOOL_MEMORY", 64 * 1024)
    small = _peak_while_writing(name, sample, 5)
    large = _peak_while_writing(name, sample, 45)
    # What is held for each workload (a count, HTML's overview row) may grow with the batch;
    # the results themselves may not: held in memory they would add at least their pickled
    # size for each workload.
    per_workload = (large - small) / 40
    results_size = len(pickle.dumps(sample.results, protocol=pickle.HIGHEST_PROTOCOL))
    assert per_workload < results_size / len(EXAMPLES) / 3, (per_workload, results_size)
