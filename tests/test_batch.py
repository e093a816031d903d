"""Batch mode for CI: discovery, parallel runs, duplicate names, thresholds, baselines, output."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from serverless_fit.format.discover import discover
from serverless_fit.pipeline import batch
from serverless_fit.pipeline.assess import FileOutcome, Options, assess_file
from serverless_fit.pipeline.batch import PARALLEL_MIN_FILES, assess_batch
from tests.conftest import AS_OF, WORKLOADS
from tests.test_cli import run


def workload(name: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": name,
        "archetype": "api",
        "runtime": "nodejs",
        "trigger": "queue",
        "duration": {"typical": "100ms", "max": "2s"},
        "traffic": {"pattern": "spiky", "average": "5/s", "peak": "80/s"},
        "resources": {"memory": "512MiB"},
        "team": {"ops_capacity": "low"},
    }
    base.update(fields)
    return base


def write(path: Path, *documents: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    """A folder of generated workloads, with a few invalid files among them."""
    root = tmp_path / "fleet"
    for index in range(PARALLEL_MIN_FILES * 3):
        fields: dict[str, Any] = {}
        if index % 7 == 0:
            fields["duration"] = {"typical": "20min", "max": "40min"}  # over Lambda's limit
        if index % 5 == 0:
            fields["traffic"] = {"pattern": "steady", "average": "400/s"}
        write(
            root / f"team-{index % 4}" / f"svc-{index:03}.yaml", workload(f"svc-{index}", **fields)
        )
    (root / "team-1" / "broken.yaml").write_text(
        "name: broken\narchetype: api\nlatency: {p99: 300}\n"
    )
    (root / "team-2" / "bad.yml").write_text("name: [unclosed\n")
    return root


def test_folders_are_searched_skipping_hidden_and_excluded(tmp_path: Path) -> None:
    write(tmp_path / "a" / "one.yaml", workload("one"))
    write(tmp_path / "a" / "deep" / "two.yml", workload("two"))
    write(tmp_path / "a" / ".hidden" / "three.yaml", workload("three"))
    write(tmp_path / "a" / ".four.yaml", workload("four"))
    write(tmp_path / "a" / "legacy" / "five.yaml", workload("five"))
    (tmp_path / "a" / "notes.txt").write_text("not a workload")
    files, problems = discover([str(tmp_path / "a")], exclude=["legacy"])
    assert [f.name for f in files] == ["two.yml", "one.yaml"] and not problems  # deep/ < one
    files, _ = discover([str(tmp_path / "a")], exclude=["*.yml"])
    assert [f.name for f in files] == ["five.yaml", "one.yaml"]


def test_globs_expand_and_a_glob_matching_nothing_is_a_problem(tmp_path: Path) -> None:
    write(tmp_path / "svc" / "x" / "fit.yaml", workload("x"))
    write(tmp_path / "svc" / "y" / "fit.yaml", workload("y"))
    write(tmp_path / "svc" / "y" / "other.yaml", workload("z"))
    files, problems = discover([str(tmp_path / "svc" / "**" / "fit.yaml")])
    assert [f.parent.name for f in files] == ["x", "y"] and not problems
    files, problems = discover([str(tmp_path / "nothing-*.yaml")])
    assert not files and problems[0].message == "no file matches this pattern"


def test_symlinks_out_of_the_folder_are_not_followed_unless_asked(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside" / "secret.yaml", workload("secret"))
    inside = tmp_path / "repo"
    write(inside / "own.yaml", workload("own"))
    (inside / "link.yaml").symlink_to(outside)
    (inside / "loop").symlink_to(inside, target_is_directory=True)
    files, _ = discover([str(inside)])
    assert [f.name for f in files] == ["own.yaml"]
    files, _ = discover([str(inside)], follow_symlinks=True)
    assert [f.name for f in files] == ["link.yaml", "own.yaml"]  # the loop is entered once
    linked = tmp_path / "outside" / "deeper"
    write(linked / "far.yaml", workload("far"))
    (inside / "more").symlink_to(linked, target_is_directory=True)
    files, _ = discover([str(inside)], follow_symlinks=True)
    assert "far.yaml" in [f.name for f in files]
    files, _ = discover([str(inside)])
    assert "far.yaml" not in [f.name for f in files]


def test_jobs_do_not_change_the_output(fleet: Path) -> None:
    outputs = []
    for jobs in ("1", "2", "3"):
        code, out, _ = run(
            "assess", str(fleet), "--format", "json", "--jobs", jobs, "--as-of", AS_OF
        )
        assert code == 2  # the two invalid files
        outputs.append(out)
    assert outputs[0] == outputs[1] == outputs[2]
    report = json.loads(outputs[0])
    assert len(report["results"]) == PARALLEL_MIN_FILES * 3
    assert {e["file"] for e in report["errors"]} == {
        str(fleet / "team-1" / "broken.yaml"),
        str(fleet / "team-2" / "bad.yml"),
    }
    broken = next(e for e in report["errors"] if e["file"].endswith("broken.yaml"))
    assert (broken["line"], broken["column"], broken["field"]) == (3, 16, "latency.p99")


def test_the_writing_process_assesses_too(fleet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # With --jobs 2 one worker helps this process, which takes chunks rather than wait.
    files, _ = discover((str(fleet),))
    here: list[Path] = []

    def counted(path: Path, *args: Any) -> FileOutcome:
        here.append(path)
        return assess_file(path, *args)

    monkeypatch.setattr(batch, "assess_file", counted)
    options = Options(as_of=dt.date.fromisoformat(AS_OF))
    parallel = assess_batch(files, (), options, jobs=2).collect()
    alone = assess_batch(files, (), options, jobs=1).collect()
    assert 0 < len(here) - len(files) < len(files)  # the second run was all here
    assert parallel == alone


def test_an_abandoned_batch_stops_without_assessing_the_rest(fleet: Path) -> None:
    files, _ = discover((str(fleet),))
    results = assess_batch(files, (), Options(), jobs=2).iter_results()
    assert next(results).workload
    results.close()  # a reader that stops early: the pool is shut down, pending chunks dropped


def test_a_name_used_twice_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", workload("payments"))
    second = write(tmp_path / "b.yaml", workload("other"), workload("payments"))
    code, out, err = run("assess", str(tmp_path), "--format", "json")
    assert code == 2
    assert f"{second}:" in err and f"already the name of the workload at {first}:1" in err
    assert [r["workload"] for r in json.loads(out)["results"]] == ["payments", "other"]
    code, _, err = run("validate", str(tmp_path))
    assert code == 2 and "already the name of the workload" in err


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ((), 0),
        (("--fail-under", "60"), 1),
        (("--fail-under", "0"), 0),  # the poor fit scores 0: not below 0
        (("--fail-on", "poor-fit"), 1),
        (("--fail-on", "fit-with-mitigations"), 1),
        (("--fail-on", "blocker"), 1),
        (("--fail-on", "info"), 1),
    ],
)
def test_thresholds_set_exit_code_1(tmp_path: Path, options: tuple[str, ...], code: int) -> None:
    write(tmp_path / "ok.yaml", workload("ok"))
    write(tmp_path / "long.yaml", workload("long", duration={"typical": "20min", "max": "1h"}))
    assert run("assess", str(tmp_path), *options)[0] == code


def test_thresholds_pass_for_good_fits_only(tmp_path: Path) -> None:
    write(tmp_path / "ok.yaml", workload("ok"))
    code, out, _ = run("assess", str(tmp_path), "--fail-on", "poor-fit", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["gate"] == {"applied": True, "failed": False}
    assert report["results"][0]["verdict"] == "good-fit"


def test_invalid_input_wins_over_a_failed_threshold(tmp_path: Path) -> None:
    write(tmp_path / "long.yaml", workload("long", duration={"typical": "20min", "max": "1h"}))
    (tmp_path / "bad.yaml").write_text("name: x\n")
    assert run("assess", str(tmp_path), "--fail-on", "poor-fit")[0] == 2


def test_baseline_fails_only_on_regressions(tmp_path: Path) -> None:
    services = tmp_path / "services"
    write(services / "a.yaml", workload("a"))
    write(services / "b.yaml", workload("b", duration={"typical": "20min", "max": "1h"}))
    baseline = tmp_path / "baseline.json"
    code, _, err = run("baseline", str(services), "-o", str(baseline), "--as-of", AS_OF)
    assert code == 0 and baseline.is_file() and "wrote" in err
    # b's existing blocker is not a regression
    assert run("assess", str(services), "--baseline", str(baseline))[0] == 0
    # one regression: a now needs more memory than Lambda has
    write(services / "a.yaml", workload("a", resources={"memory": "20GiB"}))
    code, out, _ = run("assess", str(services), "--baseline", str(baseline), "--format", "json")
    assert code == 1
    [failed] = [r for r in json.loads(out)["results"] if r["failures"]]
    assert failed["workload"] == "a"
    assert any("new blocker or risk RES001" in reason for reason in failed["failures"])
    assert any("worse than the baseline's good-fit" in reason for reason in failed["failures"])


def test_baseline_tolerance_and_score_drops(tmp_path: Path) -> None:
    services = tmp_path / "services"
    write(services / "a.yaml", workload("a", team={"ops_capacity": "low"}))
    baseline = tmp_path / "baseline.json"
    run("baseline", str(services), "-o", str(baseline))
    # losing a benefit lowers the score without a new risk or a worse verdict
    write(services / "a.yaml", workload("a", team={"ops_capacity": "high"}))
    code, out, _ = run("assess", str(services), "--baseline", str(baseline), "--format", "json")
    assert code == 1
    assert "score fell" in json.loads(out)["results"][0]["failures"][0]
    assert run("assess", str(services), "--baseline", str(baseline), "--tolerance", "50")[0] == 0


@pytest.mark.parametrize(
    "content",
    ["not json", '{"results": [{"workload": 1}]}', "[]", "[" * 100_000 + "]" * 100_000],
    ids=["text", "fields", "list", "deep"],
)
def test_a_bad_baseline_is_an_input_error(tmp_path: Path, content: str) -> None:
    write(tmp_path / "a.yaml", workload("a"))
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    code, out, err = run("assess", str(tmp_path / "a.yaml"), "--baseline", str(baseline))
    assert code == 2 and str(baseline) in err and "Traceback" not in err and not out


def test_output_is_written_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "a.yaml", workload("a"))
    report = tmp_path / "out" / "report.json"
    code, out, err = run("assess", str(tmp_path / "a.yaml"), "-o", str(report))
    assert code == 2 and "cannot write the report" in err and not report.exists()
    report.parent.mkdir()
    report.write_text("old report")
    original = Path.replace

    def disk_full(self: Path, target: Any) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", disk_full)
    code, _, err = run("assess", str(tmp_path / "a.yaml"), "-o", str(report))
    assert code == 2 and "No space left on device" in err
    assert report.read_text() == "old report"
    assert [p.name for p in report.parent.iterdir()] == ["report.json"]  # no temporary left
    monkeypatch.setattr(Path, "replace", original)
    code, out, _ = run("assess", str(tmp_path / "a.yaml"), "-o", str(report))
    assert code == 0 and not out
    assert json.loads(report.read_text())["results"][0]["workload"] == "a"  # .json: JSON


def test_output_through_a_link_keeps_the_link(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", workload("a"))
    real = tmp_path / "reports" / "fit.json"
    real.parent.mkdir()
    real.write_text("old report")
    link = tmp_path / "fit.json"
    link.symlink_to(real)
    assert run("assess", str(tmp_path / "a.yaml"), "-o", str(link))[0] == 0
    assert link.is_symlink() and json.loads(real.read_text())["results"][0]["workload"] == "a"


@pytest.mark.skipif(not Path("/dev/null").is_char_device(), reason="needs /dev/null")
def test_output_to_a_device_writes_to_it_and_leaves_it_a_device(tmp_path: Path) -> None:
    # Through a link in tmp_path: were the device ever replaced, only the link would be.
    write(tmp_path / "a.yaml", workload("a"))
    sink = tmp_path / "sink.json"
    sink.symlink_to("/dev/null")
    code, out, err = run("assess", str(tmp_path / "a.yaml"), "-o", str(sink))
    assert (code, out, err) == (0, "", "")
    assert sink.is_symlink() and Path("/dev/null").is_char_device()
    assert [p.name for p in Path("/dev").glob(".null.*")] == []  # no temporary beside it


def test_output_to_a_folder_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", workload("a"))
    code, _, err = run("assess", str(tmp_path / "a.yaml"), "-o", str(tmp_path))
    assert code == 2 and "cannot write the report" in err


def test_no_progress_bar_when_stderr_is_not_a_terminal(fleet: Path) -> None:
    _, _, err = run("assess", str(fleet), "--format", "json")
    assert "assessing" not in err and "━" not in err


def test_no_files_found_is_an_input_error(tmp_path: Path) -> None:
    code, _, err = run("assess", str(tmp_path))
    assert code == 2 and "found no *.yaml or *.yml workload files" in err


def test_validate_checks_the_format_only(fleet: Path) -> None:
    code, out, err = run("validate", str(fleet))
    assert code == 2
    assert f"{fleet / 'team-1' / 'broken.yaml'}:3:16: error: latency.p99" in err
    assert out.startswith(f"{PARALLEL_MIN_FILES * 3 + 2} files, {PARALLEL_MIN_FILES * 3} workloads")
    code, out, _ = run("validate", str(fleet), "--exclude", "broken.yaml", "--exclude", "bad.yml")
    assert code == 0 and out.endswith("all valid\n")


def test_a_progress_bar_only_for_large_batches_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from serverless_fit.commands import common

    monkeypatch.setattr(common.sys.stderr, "isatty", lambda: True)
    assert isinstance(common.progress(common.PROGRESS_MIN_FILES), common.ProgressBar)
    assert isinstance(common.progress(common.PROGRESS_MIN_FILES - 1), common.NoProgress)
    monkeypatch.setattr(common.sys.stderr, "isatty", lambda: False)
    assert isinstance(common.progress(10_000), common.NoProgress)


def test_output_over_an_input_file_is_refused(tmp_path: Path) -> None:
    source = write(tmp_path / "w" / "a.yaml", workload("a"))
    before = source.read_text()
    link = tmp_path / "report.json"
    link.symlink_to(source)
    for output in (source, link):
        for command in ("assess", "baseline"):
            code, out, err = run(command, str(tmp_path / "w"), "-o", str(output))
            assert code == 2 and "--output: is one of the files to assess" in err, err
            assert source.read_text() == before and not out


def test_chunks_waiting_to_be_written_stay_few(
    fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks are handed to workers a few at a time, not all at once: finished results that
    wait for their turn stay bounded whatever the batch's size."""
    from concurrent.futures import ProcessPoolExecutor

    files, _ = discover((str(fleet),))
    handed: list[int] = []
    written: list[int] = []
    ahead: list[int] = []
    submit = ProcessPoolExecutor.submit

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        handed.append(len(args[1]))
        ahead.append(len(handed) - len(written))
        return submit(self, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", counted)
    options = Options(as_of=dt.date.fromisoformat(AS_OF))
    report = assess_batch(files, (), options, jobs=2, progress=written.append).collect()
    assert len(report.results) == PARALLEL_MIN_FILES * 3
    chunks = len(written)
    assert chunks > batch.CHUNKS_AHEAD + 1  # enough to have to wait for a turn
    assert 0 < len(handed) < chunks  # this process took some itself
    assert max(ahead) <= batch.CHUNKS_AHEAD


def test_a_near_empty_file_cannot_pass_the_confidence_gate(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("name: empty\narchetype: api\n", encoding="utf-8")
    # the verdict alone lets it through: too little is known to find anything wrong
    assert run("assess", str(empty), "--fail-on", "fit-with-mitigations")[0] == 0
    code, out, _ = run("assess", str(empty), "--min-confidence", "60%", "--format", "json")
    assert code == 1
    [reason] = json.loads(out)["results"][0]["failures"]
    assert reason.startswith("confidence 17% is under --min-confidence 60%")
    # a well-described workload passes the same gate
    known = WORKLOADS / "checkout-api.yaml"
    assert run("assess", str(known), "--min-confidence", "60%")[0] == 0
    config = tmp_path / ".serverless-fit.yaml"
    config.write_text("min-confidence: 60%\n", encoding="utf-8")
    assert run("assess", str(empty), "--config", str(config))[0] == 1
    code, _, err = run("assess", str(empty), "--min-confidence", "0.6")
    assert code == 2 and "--min-confidence: error: found '0.6'; allowed: a percentage" in err


def test_with_a_baseline_the_thresholds_judge_only_what_is_new_or_worse(tmp_path: Path) -> None:
    """The README's Action example: a repository with old poor fits, a baseline, and
    --fail-on poor-fit --fail-under 50 --min-confidence 60%: an unchanged pull request passes;
    only the new poor fit, the new near-empty file and the worsened one fail."""
    services = tmp_path / "services"
    services.mkdir()
    for example in WORKLOADS.glob("*.yaml"):
        (services / example.name).write_bytes(example.read_bytes())
    baseline = tmp_path / "baseline.json"
    assert run("baseline", str(services), "-o", str(baseline), "--as-of", AS_OF)[0] == 0
    gates = ("--fail-on", "poor-fit", "--fail-under", "50", "--min-confidence", "60%")
    gated = ("assess", str(services), "--as-of", AS_OF, "--baseline", str(baseline), *gates)
    code, out, _ = run(*gated, "--format", "json")
    old_poor = [r for r in json.loads(out)["results"] if r["verdict"] == "poor-fit"]
    assert len(old_poor) >= 6 and code == 0  # nothing changed: nothing fails
    write(services / "new-long.yaml", workload("new-long", duration={"typical": "2h"}))
    (services / "new-empty.yaml").write_text("name: new-empty\narchetype: api\n")
    write(services / "fleet.yaml", workload("fleet-telemetry", resources={"memory": "20GiB"}))
    (services / "fleet-telemetry.yaml").unlink()
    code, out, _ = run(*gated, "--format", "json")
    assert code == 1
    failed = {r["workload"]: r["failures"] for r in json.loads(out)["results"] if r["failures"]}
    assert sorted(failed) == ["fleet-telemetry", "new-empty", "new-long"]
    assert any(f.startswith("verdict poor-fit fails --fail-on") for f in failed["new-long"])
    assert any(f.startswith("confidence") for f in failed["new-empty"])
    assert any(
        "new blocker or risk RES001 since the baseline" in f for f in failed["fleet-telemetry"]
    )


def test_a_baseline_on_other_targets_says_so(tmp_path: Path) -> None:
    service = write(tmp_path / "a.yaml", workload("a", duration={"typical": "20min"}))
    baseline = tmp_path / "baseline.json"
    run("baseline", str(service), "-o", str(baseline), "--target", "aws-lambda")
    code, out, _ = run(
        "assess", str(service), "--baseline", str(baseline), "--target", "azure-functions",
        "--format", "json",
    )  # fmt: skip
    assert code == 1
    [reason] = json.loads(out)["results"][0]["failures"]
    assert "on azure-functions, a target not in the baseline (it has aws-lambda)" in reason
    assert "a workload the baseline does not have" not in reason


def test_jobs_never_start_more_processes_than_chunks_or_cpus_allow(
    fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--jobs 64` on a few dozen files (10,000 once forked thousands of workers): the pool
    gets at most one process a chunk, and at most MAX_JOBS_PER_CPU a CPU in all."""
    from concurrent.futures import ProcessPoolExecutor

    files, _ = discover((str(fleet),))
    sizes: list[int] = []
    start = ProcessPoolExecutor.__init__

    def counted(self: Any, max_workers: int, **kwargs: Any) -> None:
        sizes.append(max_workers)
        start(self, max_workers, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "__init__", counted)
    options = Options(as_of=dt.date.fromisoformat(AS_OF))
    report = assess_batch(files, (), options, jobs=64).collect()
    assert len(report.results) == PARALLEL_MIN_FILES * 3
    chunks = -(-len(files) // batch.CHUNK_FILES[0])
    [workers] = sizes
    assert workers + 1 <= min(chunks, batch.MAX_JOBS_PER_CPU * batch.default_jobs())
    monkeypatch.setattr(batch, "default_jobs", lambda: 1)  # a one-CPU machine
    sizes.clear()
    assess_batch(files, (), options, jobs=64).collect()
    assert sizes == [batch.MAX_JOBS_PER_CPU - 1]


def test_a_worker_that_died_mid_result_does_not_hang_the_batch() -> None:
    """A worker killed while sending a result leaves the pool's manager thread waiting for the
    rest of the message: the pool never marks itself broken and the chunk's future never
    completes. The writing process must see the dead worker itself and finish the work."""
    import threading
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    class Ended:
        exitcode = -9  # SIGKILL

    class Running:
        exitcode = None

    class Pool:
        _broken = False  # what such a pool says

        def __init__(self, *workers: object) -> None:
            self._processes = dict(enumerate(workers))

    raised: list[BaseException] = []

    def wait_for(pool: Pool, future: Future[list[FileOutcome]]) -> None:
        try:
            batch._result(pool, future)
        except BrokenProcessPool as error:
            raised.append(error)

    never: Future[list[FileOutcome]] = Future()
    waiting = threading.Thread(target=wait_for, args=(Pool(Running(), Ended()), never), daemon=True)
    waiting.start()
    waiting.join(timeout=5)
    assert not waiting.is_alive() and len(raised) == 1
    done: Future[list[FileOutcome]] = Future()
    done.set_result([])
    assert batch._result(Pool(Running()), done) == []
