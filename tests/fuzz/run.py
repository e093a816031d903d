"""The long fuzz run: the properties of tests/test_fuzz.py with thousands of examples each.

    python tests/fuzz/run.py            # about 3,000 examples per property
    python tests/fuzz/run.py --quick    # a short run, to check the script itself

It runs outside the default test suite and writes its outcome to tests/fuzz/LAST_RUN.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the default profile, not `long`")
    parser.add_argument("--output", type=Path, default=ROOT / "tests" / "fuzz" / "LAST_RUN.md")
    args = parser.parse_args()
    profile = "default" if args.quick else "long"
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
            f"--hypothesis-profile={profile}",
            "--hypothesis-show-statistics",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
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
            f"- profile: {profile} (examples per property: see tests/test_fuzz.py)",
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
