"""`measure --update` and `assess --trace`: a workload file updated in place with its comments
kept, and a log's own arrivals replayed through the cold-start simulation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from serverless_fit.data import catalog
from serverless_fit.model.simulation import PlatformModel, replay
from tests import logs
from tests.conftest import WORKLOADS
from tests.test_cli import run

START = dt.datetime(2026, 11, 2, tzinfo=dt.UTC).timestamp()
JOB = """\
# The nightly sync (our own notes: keep them)
name: sync-job
archetype: scheduled-job
runtime: python   # the team's choice
duration:
  typical: 2s     # a guess
  max: 5s
traffic:
  pattern: periodic
  average: 2/h
resources:
  memory: 512MiB
team:
  ops_capacity: low
"""


def _csv(path: Path, times: list[float], run_ms: float = 2000) -> Path:
    rows = ["timestamp,duration_ms", *(f"{START + t:.3f},{run_ms}" for t in times)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_update_keeps_the_files_other_fields_and_comments(tmp_path: Path) -> None:
    target = tmp_path / "job.yaml"
    target.write_text(JOB, encoding="utf-8")
    log = _csv(tmp_path / "runs.csv", [i * 1800.0 for i in range(96)])
    code, out, err = run("measure", str(log), "--update", str(target))
    assert code == 0 and out == "", err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Measured by serverless-fit measure from 96 requests")
    assert "# The nightly sync (our own notes: keep them)" in text
    assert "runtime: python   # the team's choice" in text
    assert "team:\n  ops_capacity: low" in text
    data = yaml.safe_load(text)
    assert data["duration"] == {"typical": "2s", "max": "2s"}
    assert data["traffic"]["interval"] == "30min"  # added to the existing section
    assert data["traffic"]["average"] == "2/h" and data["traffic"]["pattern"] == "periodic"
    assert "# a guess" not in text  # the measured field says where it came from instead
    # A second run replaces the header and the figures, nothing piles up.
    run("measure", str(log), "--update", str(target))
    assert target.read_text(encoding="utf-8") == text


def test_update_adds_sections_the_file_lacks(tmp_path: Path) -> None:
    target = tmp_path / "api.yaml"
    target.write_text("name: orders\narchetype: api\n", encoding="utf-8")
    logs.diurnal_nginx(tmp_path / "access.log.gz", days=1)
    output = tmp_path / "out.yaml"
    code, _, err = run(
        "measure", str(tmp_path / "access.log.gz"), "--update", str(target), "-o", str(output)
    )
    assert code == 0, err
    assert target.read_text() == "name: orders\narchetype: api\n"  # -o: the original is kept
    data = yaml.safe_load(output.read_text())
    assert data["name"] == "orders" and set(data) >= {"traffic", "duration", "resources"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("name: a\narchetype: api\n---\nname: b\narchetype: api\n", "found 2 documents"),
        ("name: a\n", "archetype"),  # not a valid workload to begin with
    ],
)
def test_update_refuses_what_it_cannot_edit(tmp_path: Path, text: str, expected: str) -> None:
    target = tmp_path / "w.yaml"
    target.write_text(text, encoding="utf-8")
    log = _csv(tmp_path / "runs.csv", [i * 60.0 for i in range(100)])
    code, _, err = run("measure", str(log), "--update", str(target))
    assert code == 2 and expected in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == text


def test_update_with_a_name_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "w.yaml"
    target.write_text(JOB)
    log = _csv(tmp_path / "runs.csv", [0.0, 60.0])
    code, _, err = run("measure", str(log), "--update", str(target), "--name", "x")
    assert code == 2 and "--name: error: found with --update" in err


def test_replay_against_the_closed_form() -> None:
    """Arrivals further apart than the keep-alive are all cold; closer, only the first."""
    model = PlatformModel(keep_alive=360, init_p50=0.2, init_p99=0.4)
    apart = replay([i * 600.0 for i in range(50)], [1.0] * 50, model)
    assert apart.cold_start_share == 1.0 and apart.method == "replay"
    close = replay([i * 120.0 for i in range(200)], [1.0] * 200, model)
    assert close.cold_start_share == pytest.approx(1 / 200)
    assert close.p50 == 1.0 and close.p99 == 1.0  # 199 warm runs of 1 s: p99 is warm too
    assert close.instances_by_hour[0] == pytest.approx(1.0)  # one instance, never idle long


def _cold_starts_by_hand(arrivals: list[float], run: float, keep: float) -> int:
    """One instance at a time (runs far shorter than the gaps): cold after an idle gap longer
    than the keep-alive."""
    cold, free = 0, None
    for time in arrivals:
        if free is None or time - free > keep:
            cold += 1
        free = time + run
    return cold


def test_a_periodic_trace_reports_the_cold_starts_it_really_has(tmp_path: Path) -> None:
    """Every 5 minutes with two long pauses: AWS Lambda keeps an idle instance 6 minutes, so
    only the first run and the first after each pause start cold."""
    times = [i * 300.0 for i in range(40)]
    times += [40 * 300.0 + 3600 + i * 300.0 for i in range(40)]
    times += [times[-1] + 7200 + i * 300.0 for i in range(40)]
    log = _csv(tmp_path / "runs.csv", times, run_ms=1500)
    workload = tmp_path / "job.yaml"
    workload.write_text(JOB)
    code, out, err = run("assess", str(workload), "--trace", str(log), "--format", "json")
    assert code == 0, err
    result = json.loads(out)["results"][0]
    keep = catalog.platforms()["aws-lambda"].cold_start.idle_reclaim
    assert keep is not None
    expected = _cold_starts_by_hand(times, 1.5, keep.value.seconds)
    assert expected == 3
    latency = result["latency"]
    assert latency["method"] == "replay"
    assert latency["cold_start_share"] == pytest.approx(expected / len(times), abs=1e-6)
    assert result["measured"].startswith(f"Measured from {log}: 120 requests")
    assert "replayed from every request" in result["measured"]
    code, text, _ = run("assess", str(workload), "--trace", str(log), "--format", "text")
    assert f"{workload}: measured: Measured from {log}" in text


def test_the_bill_comes_from_the_trace(tmp_path: Path) -> None:
    """The trace's measured average and run time price the bill, not the file's guesses."""
    logs.periodic_csv(tmp_path / "job.csv")  # 3 runs every 15 min, 1-4 s each
    workload = tmp_path / "job.yaml"
    workload.write_text(JOB)
    _, guessed, _ = run("assess", str(workload), "--format", "json")
    _, traced, _ = run(
        "assess", str(workload), "--trace", str(tmp_path / "job.csv"), "--format", "json"
    )
    guessed_bill = json.loads(guessed)["results"][0]["cost"]["serverless"]["monthly_usd"]
    traced_bill = json.loads(traced)["results"][0]["cost"]["serverless"]["monthly_usd"]
    assert traced_bill > guessed_bill  # 12 runs an hour of about 2.5 s, not 2 of 2 s


def test_trace_needs_one_workload_and_a_readable_log(tmp_path: Path) -> None:
    log = _csv(tmp_path / "runs.csv", [0.0, 60.0, 120.0])
    code, _, err = run("assess", str(WORKLOADS), "--trace", str(log))
    assert code == 2 and "allowed: one workload with --trace" in err
    bad = tmp_path / "bad.log"
    bad.write_text("nothing here\n")
    code, _, err = run("assess", str(WORKLOADS / "checkout-api.yaml"), "--trace", str(bad))
    assert code == 2 and str(bad) in err and "allowed:" in err


def test_a_trace_inconsistent_with_the_file_is_a_located_error(tmp_path: Path) -> None:
    workload = tmp_path / "api.yaml"
    workload.write_text(
        "name: api\narchetype: api\nruntime: python\n"
        "duration:\n  typical: 5s\n  waiting: 4s\ntraffic: {average: 1/s}\n"
    )
    log = _csv(tmp_path / "runs.csv", [i * 10.0 for i in range(100)], run_ms=100)
    code, _, err = run("assess", str(workload), "--trace", str(log))
    assert code == 2
    assert f"{workload}:6:" in err and "duration.waiting: with --trace: waiting 4s" in err


def test_update_rewrites_a_flow_section_one_key_a_line(tmp_path: Path) -> None:
    target = tmp_path / "w.yaml"
    target.write_text(
        "name: a\narchetype: api\nruntime: java\n"
        "duration: {typical: 50ms, waiting: 10ms}   # a guess\n"
        "traffic: {pattern: steady, average: 5/s}\nteam:\n",
        encoding="utf-8",
    )
    log = _csv(tmp_path / "runs.csv", [i * 60.0 for i in range(100)], run_ms=80)
    code, _, err = run("measure", str(log), "--update", str(target))
    assert code == 0, err
    text = target.read_text(encoding="utf-8")
    assert "duration: # a guess\n  typical: 80ms" in text
    assert "  waiting: 10ms\n" in text  # kept as written
    data = yaml.safe_load(text)
    assert data["duration"] == {"typical": "80ms", "waiting": "10ms", "max": "80ms"}
    assert data["traffic"]["average"] == "1/min" and data["team"] is None
    assert run("measure", str(log), "--update", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == text  # the second run changes nothing


def test_each_replayed_request_takes_its_own_run() -> None:
    """The percentiles are the requests' own: four warm runs of 10 to 40 ms after a cold one."""
    model = PlatformModel(keep_alive=360, init_p50=0.2, init_p99=0.2)
    result = replay([0.0, 30.0, 60.0, 90.0, 120.0], [0.05, 0.01, 0.02, 0.03, 0.04], model)
    assert result.cold_start_share == pytest.approx(0.2)
    assert result.p50 == 0.03 and result.p95 == pytest.approx(0.25)  # the cold one: 200 + 50 ms
