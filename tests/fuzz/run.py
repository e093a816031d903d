"""The long fuzz run: the properties of tests/test_fuzz.py with thousands of examples each.

    python tests/fuzz/run.py                   # 3,000 examples per property
    python tests/fuzz/run.py --examples 100    # a short run, to check the script itself

It runs outside the default test suite and writes its outcome to tests/fuzz/LAST_RUN.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=3000, help="examples per property")
    parser.add_argument("--output", type=Path, default=ROOT / "tests" / "fuzz" / "LAST_RUN.md")
    args = parser.parse_args()
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_fuzz.py",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:warnings",
            "--hypothesis-show-statistics",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SERVERLESS_FIT_FUZZ_EXAMPLES": str(args.examples)},
    )
    seconds = time.perf_counter() - started
    outcome = "passed" if done.returncode == 0 else f"FAILED (exit {done.returncode})"
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    text = "\n".join(
        [
            "# Last long fuzz run",
            "",
            "Written by `python tests/fuzz/run.py`.",
            "",
            f"- date: {dt.date.today().isoformat()}",
            f"- examples per property: {args.examples}",
            f"- machine: {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}",
            f"- outcome: {outcome} in {seconds:.0f} s",
            f"- pytest: {summary}",
            "",
            "```",
            *[line for line in done.stdout.splitlines() if line.strip()][-60:],
            "```",
            "",
        ]
    )
    args.output.write_text(text, encoding="utf-8")
    print(text)
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
