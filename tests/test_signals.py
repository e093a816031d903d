"""Signals and dead workers during a parallel batch: the run ends within seconds, leaves no
process and no temporary file behind, and the old report stays whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from corpus import generate

FILES = 1500  # several seconds of work with two processes


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    generate(folder, FILES)
    return folder


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _start(corpus: Path, out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "serverless_fit", "assess", str(corpus), "--jobs", "2"]
    return subprocess.Popen(
        [*command, "--format", "json", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _wait_for_workers(process: subprocess.Popen[bytes]) -> list[int]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        workers = _children(process.pid)
        if workers:
            time.sleep(1.0)  # let them take work
            return _children(process.pid)
        time.sleep(0.05)
    raise AssertionError("no worker started")


def _gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize(("how", "code"), [("term", 143), ("int", 130)])
def test_a_signal_ends_the_run_cleanly(corpus: Path, tmp_path: Path, how: str, code: int) -> None:
    out = tmp_path / "out.json"
    out.write_text('{"old": true}\n', encoding="utf-8")
    process = _start(corpus, out)
    workers = _wait_for_workers(process)
    if how == "term":
        process.send_signal(signal.SIGTERM)
    else:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole group
    assert process.wait(timeout=20) == code
    assert process.stderr is not None
    assert b"Traceback" not in process.stderr.read()
    assert _gone(workers)
    assert out.read_text(encoding="utf-8") == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_killed_worker_does_not_stop_the_batch(corpus: Path, tmp_path: Path) -> None:
    import json

    out = tmp_path / "out.json"
    process = _start(corpus, out)
    workers = _wait_for_workers(process)
    os.kill(workers[0], signal.SIGKILL)
    assert process.wait(timeout=120) in (0, 1, 2)
    # Not asserted here: CPython's pool manager thread can print an InvalidStateError
    # traceback when a worker dies while futures are cancelled (a known race, noted as open).
    assert _gone(workers)
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["results"]) + len({e["file"] for e in report["errors"]}) >= FILES * 0.9
