"""A seeded generator of realistic workload files for benchmarks.

    python benchmarks/corpus.py OUT_DIR --size 10000 [--seed 7]

The shapes follow what is published about real function platforms, from the Azure Functions
production trace ("Serverless in the Wild", Shahrad et al., USENIX ATC 2020, as summarised in
shared/reference/platforms.md section 10.1, https://mikhail.io/2020/05/serverless-in-the-wild-azure-functions-usage-stats/):

- invocation rate per application: 45% at most once an hour, 36% between once an hour and once
  a minute, about 16% up to once a second, about 3% more often (8 orders of magnitude overall);
- run time: about half of the functions average under a second, about 4% over a minute;
- memory: 90% of applications use at most 400 MB, the median is about 170 MB;
- triggers by function: HTTP 55%, timer 16%, queue 15%, orchestration 7%, others 5%, event 2%.

Runtimes, latency objectives, dependencies and team fields are not in that trace; their
weights below are this generator's own assumptions. About 3% of files carry a waiver, and the
rare long or large workloads give the share of files with blockers and risks.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TRIGGERS = [
    ("http", 55),
    ("schedule", 16),
    ("queue", 15),
    ("orchestration", 7),
    ("other", 5),
    ("event", 2),
]
ARCHETYPES = {
    "http": [
        "api",
        "web-app",
        "mobile-backend",
        "api",
        "static-website",
        "ml-inference",
        "realtime",
    ],
    "schedule": ["scheduled-job", "batch-job"],
    "queue": ["event-processing", "media-processing"],
    "orchestration": ["event-processing"],
    "other": ["other", "stream-processing", "iot-ingestion"],
    "event": ["event-processing", "iot-ingestion", "stream-processing"],
}
RUNTIMES = [
    ("nodejs", 35),
    ("python", 30),
    ("java", 10),
    ("dotnet", 8),
    ("go", 7),
    ("container", 5),
    ("ruby", 2),
    ("rust", 2),
    ("other", 1),
]
# (share, lowest, highest) of invocations per second, log-uniform within a bucket
RATE_BUCKETS = [
    (45, 1 / (30 * 86400), 1 / 3600),
    (36, 1 / 3600, 1 / 60),
    (16, 1 / 60, 1.0),
    (3, 1.0, 2000.0),
]
# (share, lowest, highest) average run time in seconds
DURATION_BUCKETS = [(20, 0.005, 0.1), (30, 0.1, 1.0), (46, 1.0, 60.0), (4, 60.0, 7200.0)]
# (share, lowest, highest) memory in MiB
MEMORY_BUCKETS = [(50, 128, 170), (40, 170, 400), (8, 512, 3072), (2, 4096, 16384)]
DEPENDENCIES = [
    "postgres",
    "redis",
    "s3",
    "dynamodb",
    "sqs",
    "kafka",
    "mysql",
    "eventbridge",
    "cosmos-db",
    "pubsub",
    "step-functions",
    "elasticsearch",
]
WAIVABLE = ["LAT001", "DUR002", "STATE002", "PORT001", "COST002"]


def _weighted(rng: random.Random, items: list[tuple[Any, int]]) -> Any:
    return rng.choices([item for item, _ in items], weights=[w for _, w in items])[0]


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _bucket(rng: random.Random, buckets: Sequence[tuple[int, float, float]]) -> float:
    share = [b[0] for b in buckets]
    _, low, high = rng.choices(buckets, weights=share)[0]
    return _log_uniform(rng, low, high)


def _rate(per_second: float) -> str:
    for unit, seconds in (("s", 1), ("min", 60), ("h", 3600), ("day", 86400)):
        amount = per_second * seconds
        if amount >= 1:
            return f"{_round(amount)}/{unit}"
    return f"{_round(per_second * 730 * 3600)}/month"


def _round(amount: float) -> str:
    if amount >= 100:
        return str(round(amount))
    return f"{amount:.3g}"


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))}ms"
    if seconds < 120:
        return f"{_round(seconds)}s"
    return f"{_round(seconds / 60)}min"


def workload(rng: random.Random, index: int) -> dict[str, Any]:
    trigger = _weighted(rng, TRIGGERS)
    archetype = rng.choice(ARCHETYPES[trigger])
    average = _bucket(rng, RATE_BUCKETS)
    typical = _bucket(rng, DURATION_BUCKETS)
    if trigger == "http":
        typical = min(typical, rng.choice([0.2, 2.0, 20.0]))  # people wait on HTTP work
    data: dict[str, Any] = {
        "name": f"svc-{index:06d}",
        "description": f"Generated workload {index} ({archetype})",
        "owner": f"team-{index % 97:02d}",
        "archetype": archetype,
        "runtime": _weighted(rng, RUNTIMES),
    }
    if trigger in ("http", "queue", "schedule", "event") and rng.random() < 0.6:
        data["trigger"] = trigger
    if trigger == "http":
        data["latency"] = {"p99": rng.choice(["50ms", "150ms", "300ms", "800ms", "2s", "5s"])}
    data["duration"] = {
        "typical": _duration(typical),
        "max": _duration(typical * rng.choice([1, 2, 5, 10])),
    }
    if average < 1 / 3600:
        pattern = "sporadic"
    elif average < 1:
        pattern = rng.choice(["periodic", "spiky", "sporadic"])
    else:
        pattern = rng.choice(["steady", "spiky"])
    traffic: dict[str, Any] = {"pattern": pattern, "average": _rate(average)}
    if pattern != "steady":
        traffic["peak"] = _rate(average * rng.choice([2, 5, 20, 100]))
    if rng.random() < 0.3:
        traffic["active_hours_per_day"] = rng.choice([8, 12, 16])
    data["traffic"] = traffic
    resources: dict[str, Any] = {"memory": f"{round(_bucket(rng, MEMORY_BUCKETS))}MiB"}
    if rng.random() < 0.3:
        resources["architecture"] = "arm64"
    if archetype in ("ml-inference", "ml-training") and rng.random() < 0.3:
        resources["gpu"] = True
    if rng.random() < 0.2:
        resources["payload"] = rng.choice(["20KiB", "200KiB", "2MiB", "12MiB"])
    data["resources"] = resources
    if rng.random() < 0.7:
        data["state"] = {
            "connections": "long-lived" if archetype == "realtime" else "none",
            "in_memory_sessions": rng.random() < 0.05,
            "local_disk": rng.random() < 0.03,
        }
    if rng.random() < 0.8:
        data["dependencies"] = rng.sample(DEPENDENCIES, rng.randint(0, 3))
    if rng.random() < 0.6:
        data["constraints"] = {
            "portability": rng.choice(["none", "preferred", "preferred", "required"])
        }
    if rng.random() < 0.6:
        data["team"] = {
            "ops_capacity": rng.choice(["low", "medium", "high"]),
            "time_to_market": rng.choice(["low", "medium", "high"]),
        }
    if rng.random() < 0.03:
        data["waivers"] = [
            {
                "rule": rng.choice(WAIVABLE),
                "reason": "accepted by the architecture board",
                "expires": "2027-12-31",
            }
        ]
    return data


def _yaml(data: dict[str, Any]) -> str:
    import yaml

    header = "# Generated by benchmarks/corpus.py; shapes from the Azure Functions trace.\n"
    return header + yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)


def generate(out: Path, size: int, seed: int = 7) -> list[Path]:
    """Write `size` workload files under `out` (100 per folder); the same seed, the same files."""
    rng = random.Random(seed)
    paths = []
    for index in range(size):
        folder = out / f"team-{index // 100:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"svc-{index:06d}.yaml"
        path.write_text(_yaml(workload(rng, index)), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the files into")
    parser.add_argument("--size", type=int, default=1000, help="number of files (100 to 100000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.size, args.seed)
    print(f"wrote {args.size} workload files under {args.out}")


if __name__ == "__main__":
    main()
