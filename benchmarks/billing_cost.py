"""What instance-based billing costs per workload (writes its section of BENCHMARKS.md): the
cost estimate (both bills and the break-even search) of the corpus workloads on Cloud Run
services, billed per request (with the instance-based bill worked out for its note) and per
instance (instance lifetimes from the simulation at every traffic the search tries); caches
cleared before each pass.

    python benchmarks/billing_cost.py              # 2,000 corpus workloads
    python benchmarks/billing_cost.py --size 100   # a short run, to check the script
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate
from run import BILLING_SECTION as SECTION
from run import ROOT, machine, write_section


def timed(paths: list[Path], billing: str, *, note: bool = True) -> tuple[float, int]:
    """Seconds to estimate the cost of every workload with a rate and a run time on Cloud Run
    services billed `billing`, and how many were estimated; without `note`, as if the
    profile offered no other way of billing (so no second bill for the note)."""
    from serverless_fit.data.catalog import platforms
    from serverless_fit.format.loader import load_file
    from serverless_fit.model import simulation
    from serverless_fit.model.bills import CostSettings
    from serverless_fit.model.cost import estimate
    from serverless_fit.model.facts import cost_inputs

    target = platforms()["gcp-cloud-run"]
    if not note:
        pricing = target.pricing.model_copy(update={"instance_billing": None})
        target = target.model_copy(update={"pricing": pricing})
    settings = CostSettings()
    inputs = []
    for path in paths:
        for loaded in load_file(path):
            workload = loaded.workload
            traffic, duration = workload.traffic, workload.duration
            if traffic is None or traffic.average is None or duration is None:
                continue
            if duration.typical is None or workload.resources.memory is None:
                continue
            inputs.append(replace(cost_inputs(workload, target), billing=billing))
    simulation._simulate.cache_clear()
    simulation._levels.cache_clear()
    start = time.perf_counter()
    for item in inputs:
        estimate(target, item, settings)
    return time.perf_counter() - start, len(inputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="corpus workloads")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = generate(Path(folder), args.size)
        alone, count = timed(paths, "request", note=False)
        by_request, _ = timed(paths, "request")
        by_instance, _ = timed(paths, "instance")
    per = 1000 / count
    about = dict(machine())
    text = "\n".join(
        [
            SECTION,
            "",
            f"`python benchmarks/billing_cost.py`: the cost estimate (both bills and the "
            f"break-even search) of the {count} workloads with a rate and a run time among "
            f"{args.size} corpus workloads, on Cloud Run services, in one process with the "
            f"simulation's caches cleared; {about['date']}, {about['machine']}, "
            f"{about['python']}.",
            "",
            "| billing | ms per workload |",
            "| --- | ---: |",
            f"| request-based, no other way offered (as before) | {alone * per:.2f} |",
            f"| request-based, with the instance-based bill for its note | "
            f"{by_request * per:.2f} |",
            f"| instance-based (lifetimes simulated at each traffic searched) | "
            f"{by_instance * per:.2f} |",
            "",
        ]
    )
    write_section(args.output, SECTION, text)


if __name__ == "__main__":
    main()
