"""Benchmark harness: the assess path against the cost of just parsing the same YAML.

    python benchmarks/run.py                     # 1k, 10k and 100k files; writes BENCHMARKS.md
    python benchmarks/run.py --sizes 1000,10000  # a shorter run
    python benchmarks/run.py --quick --sizes 50 --output /tmp/b.md   # the test suite's smoke run

Every figure is measured here, in one run, on one corpus (benchmarks/corpus.py, seed 7), as
the best of a few repetitions of a fresh process; nothing is asserted. The ratios are what
matters: they cancel most of the machine's speed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Reads and parses every file in one process: what any YAML-reading tool must pay.
FLOOR = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""
# Runs a command and prints the peak resident memory of its largest process, in KiB.
PEAK = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], check=False, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(done.returncode)
"""
# Times each model per workload and target, in one process, on the corpus: the latency
# simulation (its caches cleared first, so nothing is reused across workloads) and the cost
# estimate with its break-even search. Prints JSON.
MODELS = """
import collections, json, sys, time
from pathlib import Path
from serverless_fit.data import catalog
from serverless_fit.format.loader import load_file
from serverless_fit.model import simulation
from serverless_fit.model.bills import DEFAULT_SETTINGS
from serverless_fit.model.cost import estimate
from serverless_fit.model.facts import cost_inputs
from serverless_fit.model.latency import latency
workloads = []
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    try:
        workloads += [item.workload for item in load_file(path)]
    except Exception:
        pass
usable = [w for w in workloads if w.traffic and w.traffic.average and w.duration]
platforms = list(catalog.platforms().values())
simulation._simulate.cache_clear()
simulation._levels.cache_clear()
methods = collections.Counter()
pairs, simulated, priced = 0, 0.0, 0.0
for workload in usable:
    for platform in platforms:
        inputs = cost_inputs(workload, platform)
        start = time.perf_counter()
        modelled = latency(platform, inputs)
        simulated += time.perf_counter() - start
        if modelled is not None:
            methods[modelled.simulation.method] += 1
        start = time.perf_counter()
        estimate(platform, inputs, DEFAULT_SETTINGS, break_even=True)
        priced += time.perf_counter() - start
        pairs += 1
print(json.dumps({"pairs": pairs, "simulation": simulated, "cost": priced, "methods": methods}))
"""


@dataclass(frozen=True)
class Row:
    name: str
    seconds: float
    baseline: str | None = None
    baseline_seconds: float | None = None
    target: str = ""

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.baseline_seconds if self.baseline_seconds else None


def tool() -> list[str]:
    """The installed console script when there is one next to this Python, else `-m`."""
    script = Path(PYTHON).parent / "serverless-fit"
    if script.exists():
        return [str(script)]
    found = shutil.which("serverless-fit")
    return [found] if found else [PYTHON, "-m", "serverless_fit"]


def timed(command: list[str], repeat: int) -> float:
    """The best wall time of `repeat` runs of a fresh process; a run that fails stops the
    harness, so that the time of a failure is never reported as the time of the work."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(
            command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise failed(command, done.returncode, done.stderr.decode(errors="replace"))
        best = min(best, elapsed)
    return best


def peak_kib(command: list[str]) -> int:
    done = subprocess.run(
        [PYTHON, "-c", PEAK, *command], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise failed(command, done.returncode, done.stderr)
    return int(done.stdout.strip())


def failed(command: list[str], code: int, error: str) -> SystemExit:
    return SystemExit(f"benchmark: {' '.join(command)} exited {code}: {error.strip()}")


def machine() -> list[tuple[str, str]]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for package in ("serverless-fit", "click", "pydantic", "rich", "PyYAML"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    return [
        ("date", dt.date.today().isoformat()),
        ("machine", f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs"),
        ("python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("packages", ", ".join(versions)),
    ]


@dataclass(frozen=True)
class ModelCost:
    pairs: int  # workload-target pairs timed
    simulation: float  # seconds in all
    cost: float
    methods: dict[str, int]


def model_costs(folder: Path) -> ModelCost:
    done = subprocess.run(
        [PYTHON, "-c", MODELS, str(folder)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise failed([PYTHON, "-c", "MODELS"], done.returncode, done.stderr)
    import json

    data = json.loads(done.stdout)
    return ModelCost(data["pairs"], data["simulation"], data["cost"], data["methods"])


def run(
    sizes: list[int], repeat: int, output: Path, before: tuple[str, list[str]] | None = None
) -> str:
    cpus = os.cpu_count() or 1
    command = tool()
    rows: list[Row] = []
    memory: list[tuple[str, int]] = []
    scaling: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory(prefix="sf-bench-") as temporary:
        base = Path(temporary)
        corpora = {size: base / f"c{size}" for size in sizes}
        for size, folder in corpora.items():
            generate(folder, size)
        main = 10_000 if 10_000 in sizes else max(sizes)
        folder = corpora[main]
        report = str(base / "report.json")
        floor = timed([PYTHON, "-c", FLOOR, str(folder)], repeat)
        batch = [*command, "assess", str(folder), "--format", "json", "-o", report]
        one_job = timed([*batch, "--jobs", "1"], repeat)
        all_jobs = timed([*batch, "--jobs", str(cpus)], repeat)
        rows.append(Row(f"assess {main} files, --jobs 1", one_job, "parse floor", floor, "<= 2.0x"))
        rows.append(
            Row(f"assess {main} files, --jobs {cpus}", all_jobs, "parse floor", floor, "<= 1.2x")
        )
        if before is not None:
            label, earlier = before
            earlier_batch = [*earlier, "assess", str(folder), "--format", "json", "-o", report]
            rows.append(
                Row(
                    f"same, --jobs 1, with {label}",
                    timed([*earlier_batch, "--jobs", "1"], repeat),
                    "parse floor",
                    floor,
                )
            )
        models = model_costs(folder)
        quick = [*batch, "--no-counterfactuals"]
        rows.append(
            Row("same, --jobs 1 --no-counterfactuals", timed([*quick, "--jobs", "1"], repeat),
                "parse floor", floor)
        )  # fmt: skip
        import_click = timed([PYTHON, "-c", "import click"], repeat * 3)
        version = timed([*command, "--version"], repeat * 3)
        rows.append(
            Row("serverless-fit --version", version, "import click", import_click, "<= 1.3x")
        )
        stack = timed([PYTHON, "-c", "import click, yaml, pydantic, rich.console"], repeat * 3)
        single = next(folder.rglob("*.yaml"))
        one = timed([*command, "assess", str(single), "--format", "json"], repeat * 3)
        rows.append(
            Row("assess one file", one, "import click, yaml, pydantic, rich", stack, "<= 1.5x")
        )
        for jobs in (1, cpus):
            kib = peak_kib([*batch, "--jobs", str(jobs)])
            memory.append((f"assess {main} files, --jobs {jobs}", kib))
        for size in sizes:
            seconds = timed(
                [*command, "assess", str(corpora[size]), "--format", "json", "-o", report], 1
            )
            scaling.append((size, seconds))
    text = markdown(rows, memory, scaling, repeat, models)
    output.write_text(text + kept_sections(output), encoding="utf-8")
    return text


# Sections of BENCHMARKS.md other scripts write, carried over when this one rewrites the file
# (they come last, in this order).
FORMATS_SECTION = "## Peak memory by output format"  # benchmarks/formats_memory.py
LOGS_SECTION = "## Measuring logs"  # benchmarks/measure_throughput.py
PLANS_SECTION = "## Mitigation plans and proposals"  # benchmarks/plans_cost.py
BILLING_SECTION = "## Instance-based billing"  # benchmarks/billing_cost.py


def replace_section(document: str, title: str, text: str) -> str:
    """BENCHMARKS.md with the section under `title` replaced by `text` (added at the end
    when it has none)."""
    start = document.find(title)
    if start < 0:
        return document.rstrip("\n") + "\n\n" + text
    end = document.find("\n## ", start + len(title))
    rest = document[end + 1 :] if end >= 0 else ""
    return document[:start] + text + ("\n" + rest if rest else "")


def write_section(output: Path, title: str, text: str) -> None:
    """Put `text` under `title` in BENCHMARKS.md (or `output`), and print it."""
    document = output.read_text(encoding="utf-8") if output.exists() else ""
    output.write_text(replace_section(document, title, text), encoding="utf-8")
    print(text)


def kept_sections(output: Path) -> str:
    try:
        old = output.read_text(encoding="utf-8")
    except OSError:
        return ""
    kept = (FORMATS_SECTION, LOGS_SECTION, PLANS_SECTION, BILLING_SECTION)
    starts = [old.find(title) for title in kept]
    found = [start for start in starts if start >= 0]
    return "\n" + old[min(found) :] if found else ""


def markdown(
    rows: list[Row],
    memory: list[tuple[str, int]],
    scaling: list[tuple[int, float]],
    repeat: int,
    models: ModelCost,
) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Measured by `python benchmarks/run.py` (regenerates this file); best of "
        f"{repeat} runs of a fresh process for each figure, on the corpus of "
        "`benchmarks/corpus.py` (seed 7). No figure here is asserted by the tests.",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in machine()),
        "",
        "## Time",
        "",
        "| measurement | seconds | against | seconds | ratio | target |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        against = f"{row.baseline_seconds:.3f}" if row.baseline_seconds is not None else ""
        lines.append(
            f"| {row.name} | {row.seconds:.3f} | {row.baseline or ''} | {against} | {ratio} "
            f"| {row.target} |"
        )
    methods = ", ".join(f"{count} {name}" for name, count in sorted(models.methods.items()))
    lines += [
        "",
        "## Cost per workload and target, by model",
        "",
        f"One process over the {models.pairs} workload-target pairs of the corpus that have a "
        f"rate and a run time (methods: {methods}); caches cleared first.",
        "",
        "| model | ms per workload and target | target |",
        "| --- | ---: | --- |",
        f"| latency simulation | {models.simulation / models.pairs * 1000:.3f} | <= 0.5 |",
        f"| cost (both bills and the break-even search) | "
        f"{models.cost / models.pairs * 1000:.3f} |  |",
    ]
    lines += [
        "",
        "## Peak memory",
        "",
        "| run | peak resident memory | target |",
        "| --- | ---: | --- |",
    ]
    for name, kib in memory:
        lines.append(f"| {name} | {kib / 1024:.0f} MiB | < 150 MiB |")
    lines += [
        "",
        "## Growth",
        "",
        "| files | seconds | ms per file |",
        "| ---: | ---: | ---: |",
    ]
    for size, seconds in scaling:
        lines.append(f"| {size} | {seconds:.2f} | {seconds / size * 1000:.3f} |")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,10000,100000", help="corpus sizes, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the best counts")
    parser.add_argument("--quick", action="store_true", help="one run per figure")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument(
        "--before",
        nargs=2,
        metavar=("LABEL", "COMMAND"),
        help="also time the main batch with another build's serverless-fit (a label, a path)",
    )
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    before = (args.before[0], [args.before[1]]) if args.before else None
    print(run(sizes, 1 if args.quick else args.repeat, args.output, before))


if __name__ == "__main__":
    main()
