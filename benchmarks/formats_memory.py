"""Peak memory of a large batch in each output format (writes its section of BENCHMARKS.md).

    python benchmarks/formats_memory.py                      # 50,000 small files, --jobs 2
    python benchmarks/formats_memory.py --files 2000         # a short run, to check the script
    python benchmarks/formats_memory.py --before 4f6f2a8 /path/to/checkout/of/that/build

Each format is written with `-o` by a fresh process; the figure is the peak resident memory
of the largest process (the main one or a worker). The small files are all alike but for
their name, traffic and run time, so the figures measure what the report holds, not the
variety of the corpus. `--before LABEL PATH` measures another build's code as well (PATH is
put first on PYTHONPATH).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import FORMATS_SECTION as SECTION
from run import PEAK, PYTHON, ROOT, failed, machine, write_section

FORMATS = (
    ("json", "json"),
    ("text", "txt"),
    ("terminal", "txt"),
    ("sarif", "sarif"),
    ("junit", "xml"),
    ("markdown", "md"),
    ("html", "html"),
)


def generate(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"w{index:06d}.yaml").write_text(
            f"version: 1\nname: w{index}\narchetype: api\n"
            f"traffic:\n  average: {10 + index % 500}/s\n"
            f"duration:\n  typical: {50 + index % 300}ms\n"
            "resources:\n  memory: 512MiB\nlatency:\n  p99: 800ms\n",
            encoding="utf-8",
        )


def measure(folder: Path, fmt: str, suffix: str, jobs: int, path: str | None) -> tuple[int, float]:
    """(peak KiB, seconds) of one run writing `fmt`."""
    out = folder.parent / f"report.{suffix}"
    command = [PYTHON, "-m", "serverless_fit", "assess", str(folder), "--jobs", str(jobs)]
    command += ["--format", fmt, "-o", str(out)]
    environment = dict(os.environ)
    if path is not None:
        environment["PYTHONPATH"] = path
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-c", PEAK, *command],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
        cwd=folder.parent,  # not the checkout: PYTHONPATH decides which build runs
    )
    if done.returncode not in (0, 1):
        raise failed(command, done.returncode, done.stderr)
    return int(done.stdout.strip().splitlines()[-1]), time.perf_counter() - started


def section(
    files: int, jobs: int, rows: list[tuple[str, str, int, float]], labels: list[str]
) -> str:
    lines = [
        SECTION,
        "",
        f"Measured by `python benchmarks/formats_memory.py --files {files}` (regenerates this "
        f"section): {files:,} small workload files, `--jobs {jobs}`, each format written "
        "with `-o` by a fresh process; peak resident memory of its largest process.",
        "",
        *(f"- {key}: {value}" for key, value in machine()),
        "",
        "| format | build | peak resident memory | seconds |",
        "| --- | --- | ---: | ---: |",
    ]
    for fmt, label, kib, seconds in rows:
        lines.append(f"| {fmt} | {label} | {kib / 1024:,.0f} MiB | {seconds:.0f} |")
    if len(labels) > 1:
        lines += [
            "",
            f"`{labels[0]}` held every result of the batch in memory for the formats that read "
            "them twice; this build spools them to an anonymous temporary file.",
        ]
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--formats", default=",".join(name for name, _ in FORMATS))
    parser.add_argument("--before", nargs=2, metavar=("LABEL", "PATH"))
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    chosen = set(args.formats.split(","))
    builds: list[tuple[str, str | None]] = [("this build", str(ROOT))]
    if args.before:
        builds.insert(0, (args.before[0], args.before[1]))
    rows = []
    with tempfile.TemporaryDirectory(prefix="sf-formats-") as temporary:
        folder = Path(temporary) / "files"
        generate(folder, args.files)
        for fmt, suffix in FORMATS:
            if fmt not in chosen:
                continue
            for label, path in builds:
                kib, seconds = measure(folder, fmt, suffix, args.jobs, path)
                rows.append((fmt, label, kib, seconds))
                print(f"{fmt} {label}: {kib / 1024:,.0f} MiB, {seconds:.0f} s", flush=True)
    text = section(args.files, args.jobs, rows, [label for label, _ in builds])
    write_section(args.output, SECTION, text)


if __name__ == "__main__":
    main()
