"""`measure` on a large log against the floor of reading it line by line in Python (writes its
section of BENCHMARKS.md).

    python benchmarks/measure_throughput.py                 # a 1 GiB nginx log, and gzipped
    python benchmarks/measure_throughput.py --mib 20        # a short run, to check the script

The log is an nginx combined log with `$request_time` (the most common format), generated
with a fixed seed; the floor reads the same file with `for line in open(...)` (and through
`gzip.open` for the archive) and does nothing else. Each figure is the best of two runs of a
fresh process; the peak resident memory is the largest process's.
"""

from __future__ import annotations

import argparse
import gzip
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import LOGS_SECTION as SECTION
from run import PEAK, PYTHON, ROOT, failed, machine, tool, write_section

FLOOR = """
import gzip, sys
path = sys.argv[1]
opened = gzip.open(path, "rt", encoding="utf-8", errors="replace") if path.endswith(".gz") \\
    else open(path, encoding="utf-8", errors="replace")
with opened as lines:
    for line in lines:
        pass
"""


def generate(path: Path, size: int, seed: int = 7) -> int:
    """An nginx log of about `size` bytes: a month of an API, 08:00 to 20:00 UTC busier."""
    rng = random.Random(seed)
    start = 1_793_577_600  # 2026-11-01 00:00 UTC
    written = lines = 0
    moment = float(start)
    months = ("Nov", "Dec", "Jan")
    with path.open("w", encoding="utf-8") as out:
        batch: list[str] = []
        while written < size:
            moment += rng.expovariate(4.0)
            seconds = int(moment)
            days, rest = divmod(seconds - start, 86_400)
            stamp = (
                f"{days % 30 + 1:02d}/{months[days // 30 % 3]}/2026:"
                f"{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d} +0000"
            )
            client, order = rng.randint(1, 254), rng.randint(1, 99999)
            line = (
                f'203.0.113.{client} - - [{stamp}] "GET /orders/{order} HTTP/1.1" 200 '
                f'{rng.randint(200, 50_000)} "-" "okhttp/4.12" '
                f"{rng.lognormvariate(-2.5, 0.5):.3f}\n"
            )
            batch.append(line)
            written += len(line)
            lines += 1
            if len(batch) >= 10_000:
                out.write("".join(batch))
                batch = []
        out.write("".join(batch))
    return lines


def timed(command: list[str], repeat: int = 2) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise failed(command, done.returncode, done.stderr)
        best = min(best, time.perf_counter() - started)
    return best


def peak_mib(command: list[str]) -> float:
    done = subprocess.run([PYTHON, "-c", PEAK, *command], capture_output=True, text=True)
    if done.returncode != 0:
        raise failed(command, done.returncode, done.stderr)
    return int(done.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024, help="size of the log (MiB)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="sf-logs-") as temporary:
        folder = Path(temporary)
        plain = folder / "access.log"
        lines = generate(plain, args.mib * 1024 * 1024)
        archive = folder / "access.log.gz"
        with plain.open("rb") as source, gzip.open(archive, "wb", compresslevel=6) as target:
            while chunk := source.read(1 << 20):
                target.write(chunk)
        for path in (plain, archive):
            floor = timed([PYTHON, "-c", FLOOR, str(path)])
            command = [*tool(), "measure", str(path), "-o", str(folder / "w.yaml")]
            seconds = timed(command)
            memory = peak_mib(command)
            rows.append((path.name, path.stat().st_size, floor, seconds, memory))
            print(f"{path.name}: floor {floor:.1f} s, measure {seconds:.1f} s, {memory:.0f} MiB")
    text = section(args.mib, lines, rows)
    write_section(args.output, SECTION, text)


def section(mib: int, lines: int, rows: list[tuple[str, int, float, float, float]]) -> str:
    out = [
        SECTION,
        "",
        f"Measured by `python benchmarks/measure_throughput.py --mib {mib}` (regenerates this "
        f"section): an nginx log of {mib:,} MiB ({lines:,} lines, a month of an API), plain "
        "and gzipped; the floor reads the same file line by line in Python and does nothing "
        "else. Best of two runs of a fresh process.",
        "",
        *(f"- {key}: {value}" for key, value in machine()),
        "",
        "| log | size | floor (s) | measure (s) | ratio | peak resident memory |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, size, floor, seconds, memory in rows:
        out.append(
            f"| {name} | {size / 1024 / 1024:,.0f} MiB | {floor:.1f} | {seconds:.1f} | "
            f"{seconds / floor:.1f}x | {memory:,.0f} MiB |"
        )
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    main()
