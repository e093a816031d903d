"""What mitigation plans and target proposals cost per workload and target (writes its section
of BENCHMARKS.md): the same corpus files assessed on every target in one process, with the
proposals (counterfactuals, plans, other targets) and without them; caches cleared first.

    python benchmarks/plans_cost.py              # 200 corpus workloads on every target
    python benchmarks/plans_cost.py --size 20    # a short run, to check the script
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate
from run import PLANS_SECTION as SECTION
from run import ROOT, machine, write_section


def timed(paths: list[Path], proposals: bool) -> tuple[float, int, int]:
    """Seconds to assess every file on every target, results, and results with a plan."""
    from serverless_fit.model import simulation
    from serverless_fit.pipeline.assess import ALL_TARGETS, Options, assess_files
    from serverless_fit.rules.rulepacks import builtin_rules

    simulation._simulate.cache_clear()
    options = Options(targets=(ALL_TARGETS,), as_of=dt.date(2026, 12, 7), counterfactuals=proposals)
    start = time.perf_counter()
    report = assess_files(paths, builtin_rules(), options)
    seconds = time.perf_counter() - start
    planned = sum(1 for result in report.results if result.plan is not None)
    return seconds, len(report.results), planned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200, help="corpus workloads")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = generate(Path(folder), args.size)
        without, results, _ = timed(paths, proposals=False)
        with_them, _, planned = timed(paths, proposals=True)
    per = 1000 / results
    about = dict(machine())
    text = "\n".join(
        [
            SECTION,
            "",
            f"`python benchmarks/plans_cost.py`: {args.size} corpus workloads on every target "
            f"({results} results, {planned} with a plan), in one process; {about['date']}, "
            f"{about['machine']}, {about['python']}.",
            "",
            "| assessment | ms per workload and target |",
            "| --- | ---: |",
            f"| without proposals (`--no-counterfactuals`) | {without * per:.2f} |",
            f"| with counterfactuals, plans and other targets | {with_them * per:.2f} |",
            f"| the proposals alone | {(with_them - without) * per:.2f} |",
            "",
        ]
    )
    write_section(args.output, SECTION, text)


if __name__ == "__main__":
    main()
