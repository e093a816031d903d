"""Request logs generated from known traffic, in each format `measure` reads: the tests check
the measured figures against the truth they were generated from."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

START = dt.datetime(2026, 11, 2, tzinfo=dt.UTC).timestamp()  # a Monday, 00:00 UTC


@dataclass
class Truth:
    arrivals: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)  # ms
    sizes: list[int] = field(default_factory=list)
    inits: list[float] = field(default_factory=list)  # ms, one per cold start
    invocations: int = 0

    def rate(self) -> float:
        return (len(self.arrivals) - 1) / (max(self.arrivals) - min(self.arrivals))


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def _clf_time(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def diurnal_nginx(
    path: Path, days: int = 2, seed: int = 1, day_rate: float = 4.0, night_rate: float = 0.5
) -> Truth:
    """An API busy from 08:00 to 20:00 UTC (4/s) and quiet at night (0.5/s), nginx combined
    format with `$request_time`, gzipped (reproducibly: no time stamp in the gzip header)."""
    rng = random.Random(seed)
    truth = Truth()
    lines = []
    moment = START
    while True:
        hour = int((moment - START) // 3600) % 24
        moment += rng.expovariate(day_rate if 8 <= hour < 20 else night_rate)
        if moment >= START + days * 86_400:
            break
        taken = round(rng.lognormvariate(math.log(0.08), 0.5), 3)
        size = rng.randint(200, 50_000)
        truth.arrivals.append(moment)
        truth.durations.append(taken * 1000)
        truth.sizes.append(size)
        lines.append(
            f'203.0.113.9 - - [{_clf_time(moment)}] "GET /orders HTTP/1.1" 200 {size} '
            f'"-" "okhttp/4.12" {taken:.3f}'
        )
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(("\n".join(lines) + "\n").encode("utf-8"))
    return truth


if __name__ == "__main__":  # the README's sample log
    SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "orders-access.log.gz"
    diurnal_nginx(SAMPLE, days=2, seed=11, day_rate=0.15, night_rate=0.02)


def periodic_csv(path: Path, every: float = 900, days: int = 2, seed: int = 2) -> Truth:
    """A job run every 15 minutes (started within 3 s of its time), three requests a run."""
    rng = random.Random(seed)
    truth = Truth()
    rows = ["timestamp,duration_ms,bytes"]
    runs = int(days * 86_400 / every)
    for run in range(runs):
        begin = START + run * every + rng.uniform(0, 3)
        for step in range(3):
            moment = begin + step * 2.5
            taken = round(rng.uniform(1000, 4000), 1)
            truth.arrivals.append(moment)
            truth.durations.append(taken)
            truth.sizes.append(1024)
            rows.append(f"{_iso(moment)},{taken},1024")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return truth


def spiky_alb(path: Path, hours: int = 6, seed: int = 3) -> Truth:
    """1 request a second, and a burst of 40 a second for one minute every hour: ALB access
    log entries, whose arrival is `request_creation_time`."""
    rng = random.Random(seed)
    truth = Truth()
    lines = []
    moment = START
    end = START + hours * 3600
    while moment < end:
        in_burst = (moment - START) % 3600 < 60
        moment += rng.expovariate(41.0 if in_burst else 1.0)
        if moment >= end:
            break
        target = round(rng.uniform(0.02, 0.2), 3)
        size = rng.randint(100, 2000)
        truth.arrivals.append(moment)
        truth.durations.append((0.001 + target + 0.0) * 1000)
        truth.sizes.append(size)
        created = _iso(moment)
        answered = _iso(moment + target)
        lines.append(
            f"https {answered} app/orders/50dc6c495c0c9188 192.0.2.10:2817 10.0.0.1:80 "
            f'0.001 {target:.3f} 0.000 200 200 120 {size} "GET https://orders.example.com:443/ '
            f'HTTP/1.1" "curl/8.5" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
            f"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/orders/73e2d6bc "
            f'"Root=1-58337262-36d228ad5d99923122bbe354" "orders.example.com" "-" 0 {created} '
            f'"forward" "-" "-" "10.0.0.1:80" "200" "-" "-"'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return truth


def java_lambda_json(path: Path, count: int = 2000, cold_every: int = 20, seed: int = 4) -> Truth:
    """A Java function invoked every 30 s, cold one time in `cold_every`: the indented JSON
    that `aws logs filter-log-events` prints, START and END lines included."""
    rng = random.Random(seed)
    truth = Truth()
    events = []
    for index in range(count):
        moment = START + index * 30
        duration = round(rng.lognormvariate(math.log(40), 0.3), 2)
        message = (
            f"REPORT RequestId: {index:08x}-0000-4000-8000-000000000000\t"
            f"Duration: {duration} ms\tBilled Duration: {math.ceil(duration)} ms\t"
            f"Memory Size: 1024 MB\tMax Memory Used: {rng.randint(180, 260)} MB\t"
        )
        if index % cold_every == 0:
            init = round(rng.lognormvariate(math.log(2500), 0.2), 2)
            truth.inits.append(init)
            message += f"Init Duration: {init} ms\t"
        stamp = int(moment * 1000)
        events.append({"logStreamName": "s", "timestamp": stamp, "message": "START RequestId"})
        events.append({"logStreamName": "s", "timestamp": stamp, "message": message + "\n"})
        truth.arrivals.append(moment)
        truth.durations.append(duration)
        truth.invocations += 1
    path.write_text(json.dumps({"events": events, "searchedLogStreams": []}, indent=4))
    return truth
