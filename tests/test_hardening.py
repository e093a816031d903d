"""Hostile and broken inputs: each ends with exit 2, a located message, within a second, and a
batch holding them still assesses the good files."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from serverless_fit.cli import main
from serverless_fit.errors import InputError
from serverless_fit.format.loader import read_limited
from tests.conftest import ROOT
from tests.test_batch import workload, write
from tests.test_cli import run

GOOD = "name: good\narchetype: api\nruntime: python\n"
LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
        for i in range(8)
    )
    + "name: bomb\narchetype: api\n"
)

HOSTILE: dict[str, tuple[bytes, str]] = {
    "billion-laughs": (LAUGHS.encode(), "values (alias expansion?)"),
    "deep-flow": (
        b"name: deep\narchetype: api\nx: " + b"[" * 200_000 + b"]" * 200_000,
        "nesting deeper",
    ),
    "deep-block": (
        b"name: d\narchetype: api\nx:\n" + b"".join(b"  " * i + b"- \n" for i in range(2, 300)),
        "nesting deeper",
    ),
    "deep-dashes": (b"name: d\narchetype: api\nx:\n" + b"- " * 150_000 + b"1\n", "nesting deeper"),
    "huge-string": (
        b"name: w\narchetype: api\ndescription: " + b"x" * 200_000 + b"\n",
        "characters",
    ),
    "huge-int": (b"name: w\narchetype: api\nresources: {cpus: " + b"9" * 5000 + b"}\n", "digits"),
    "infinite": (b"name: w\narchetype: api\nresources: {cpus: .inf}\n", "a finite number"),
    "huge-amount": (b"name: w\narchetype: api\nlatency: {p99: " + b"9" * 400 + b"ms}\n", "digits"),
    "too-big": (
        b"name: w\narchetype: api\n#" + b"x" * (1024 * 1024 + 10) + b"\n",
        "--max-file-size",
    ),
    "many-documents": (b"---\nname: w\narchetype: api\n" * 1500, "documents"),
    "python-tag": (b"!!python/object/apply:os.system ['echo pwned']\n", "found the tag !!python"),
    "python-tag-scalar": (b"name: !!python/name:os.system\narchetype: api\n", "found the tag"),
    "custom-tag": (b"name: !secret w\narchetype: api\n", "found the tag !secret"),
    "merge-key": (b"base: &b {name: x}\n<<: *b\narchetype: api\n", "merge key"),
    "binary": (bytes(range(256)) * 4, "not UTF-8"),
    "utf16-bad": (codecs.BOM_UTF16_LE + b"\x00\xd8", "UTF-16"),
    "tab-indent": (
        b"name: w\narchetype: api\nlatency:\n\tp99: 300ms\n",
        "a tab in the indentation",
    ),
    "empty": (b"", "file is empty"),
    "not-a-mapping": (b"- just\n- a list\n", "found a list"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_ends_with_exit_2_and_a_message_fast(tmp_path: Path, name: str) -> None:
    content, expected = HOSTILE[name]
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(content)
    started = time.perf_counter()
    code, out, err = run("assess", str(path), "--format", "json")
    assert time.perf_counter() - started < 1.5, "took too long"
    assert code == 2, err
    assert "Traceback" not in err and "pwned" not in out + err
    assert expected in err and str(path) in err
    assert json.loads(out)["errors"]


def test_a_batch_with_hostile_files_still_assesses_the_good_ones(tmp_path: Path) -> None:
    for name, (content, _) in HOSTILE.items():
        (tmp_path / f"{name}.yaml").write_bytes(content)
    (tmp_path / "good.yaml").write_text(GOOD)
    code, out, err = run("assess", str(tmp_path), "--format", "json", "--jobs", "2")
    assert code == 2
    report = json.loads(out)
    assert [r["workload"] for r in report["results"]] == ["good"]
    assert len({e["file"] for e in report["errors"]}) == len(HOSTILE)
    assert "Traceback" not in err


def test_memory_stays_bounded_on_a_billion_laughs(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(LAUGHS)
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "serverless_fit", "assess", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert int(done.stdout) < 200 * 1024  # KiB: the interpreter and libraries, not the bomb


def test_limits_are_configurable(tmp_path: Path) -> None:
    path = write(tmp_path / "w.yaml", workload("w", description="x" * 50))
    assert run("assess", str(path), "--max-string", "20")[0] == 2
    assert run("assess", str(path), "--max-file-size", "100B")[0] == 2
    code, _, err = run("assess", str(path), "--max-file-size", "lots")
    assert code == 2 and "--max-file-size: error: found 'lots'" in err
    assert run("assess", str(path), "--max-depth", "1")[0] == 2
    assert run("assess", str(path))[0] == 0
    (tmp_path / ".serverless-fit.yaml").write_text("max-string: 20\n")
    assert run("validate", str(path), "--config", str(tmp_path / ".serverless-fit.yaml"))[0] == 2


def test_files_that_are_not_files(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    unreadable = tmp_path / "secret.yaml"
    unreadable.write_text(GOOD)
    unreadable.chmod(0)
    code, _, err = run("assess", str(fifo), str(tmp_path / "gone.yaml"))
    assert code == 2 and "Traceback" not in err
    assert f"{fifo}: error: is not a regular file" in err
    assert f"{tmp_path / 'gone.yaml'}: error: cannot read: No such file or directory" in err
    # a folder where a file is wanted (a folder of workloads is searched instead)
    code, _, err = run("assess", str(tmp_path / "gone.yaml"), "--baseline", str(folder))
    assert code == 2 and "is a directory" in err and "Traceback" not in err
    if os.geteuid() != 0:  # root reads anything
        code, _, err = run("assess", str(unreadable))
        assert code == 2 and "Permission denied" in err


def test_a_file_vanishing_mid_run_is_reported_and_the_rest_assessed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import serverless_fit.pipeline.assess as assess

    for index in range(3):
        write(tmp_path / f"w{index}.yaml", workload(f"w{index}"))
    original = assess.load_file

    def vanishing(path: Path, *args: object) -> object:
        if path.name == "w1.yaml":
            path.unlink()  # gone between discovery and reading
        return original(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(assess, "load_file", vanishing)
    code, out, err = run("assess", str(tmp_path), "--format", "json", "--jobs", "1")
    assert code == 2 and "w1.yaml: error: cannot read" in err
    assert [r["workload"] for r in json.loads(out)["results"]] == ["w0", "w2"]


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: t.encode("utf-16"),
        lambda t: t.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "crlf"],
)
def test_encodings_and_line_endings_keep_line_numbers_right(tmp_path: Path, encode: object) -> None:
    text = "name: w\narchetype: api\n\nlatency:\n  p99: 300\n"
    path = tmp_path / "w.yaml"
    path.write_bytes(encode(text))  # type: ignore[operator]
    code, _, err = run("assess", str(path))
    assert code == 2 and f"{path}:5:8: error: latency.p99" in err


def test_an_internal_error_names_the_file_and_debug_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import serverless_fit.pipeline.assess as assess

    path = write(tmp_path / "w.yaml", workload("w"))

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(assess, "derive_facts", broken)
    result = CliRunner().invoke(main, ["assess", str(path)])
    assert result.exit_code == 3
    assert f"internal error while assessing {path}: KeyError: 'boom'" in result.stderr
    assert "--debug" in result.stderr and "Traceback" not in result.stderr
    result = CliRunner().invoke(main, ["--debug", "assess", str(path)])
    assert result.exit_code == 3 and "Traceback" in result.stderr


def test_nothing_reads_its_inputs_as_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"!!python/object/apply:os.system ['touch {marker}']\n"
    (tmp_path / "a.yaml").write_text(payload)
    (tmp_path / "pack.yaml").write_text(payload)
    (tmp_path / "cfg.yaml").write_text(payload)
    run("assess", str(tmp_path / "a.yaml"))
    run("assess", str(tmp_path / "a.yaml"), "--rules", str(tmp_path / "pack.yaml"))
    run("assess", str(tmp_path / "a.yaml"), "--config", str(tmp_path / "cfg.yaml"))
    assert not marker.exists()


def test_a_file_is_read_whole_up_to_the_limit_and_refused_past_it(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_bytes(b"x" * 100)
    assert read_limited(path, 100) == b"x" * 100
    with pytest.raises(InputError, match="over 99 bytes"):
        read_limited(path, 99)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_file_that_reports_no_size_is_still_read_whole() -> None:
    # /proc files stat as empty regular files; their text only shows on reading.
    assert b"Name:" in read_limited("/proc/self/status", 1024 * 1024)


def test_the_help_states_the_default_limits() -> None:
    from serverless_fit.commands.common import COUNT_LIMIT_HELP
    from serverless_fit.format.limits import DEFAULT_LIMITS

    for option, text in COUNT_LIMIT_HELP.items():
        default = getattr(DEFAULT_LIMITS, option.removeprefix("--max-"))
        assert f"(default {default})" in text, option
