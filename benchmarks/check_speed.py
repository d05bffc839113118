"""How long `briefgen check` takes, and how much memory it needs, as the fact base grows.

Each measurement is a whole process (`python -m briefgen check`), as an analyst or CI runs it, repeated and
reduced to the median; peak memory is the process's maximum resident set size. Projects come from
generate.py: N facts over N/10 sources of about 5 KB of text each.

    python benchmarks/check_speed.py            # the shipped project, then N = 100, 1,000 and 10,000
    python benchmarks/check_speed.py --runs 3 --sizes 100 1000
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate

REPO = Path(__file__).resolve().parent.parent


def measure(project: Path, runs: int) -> tuple[float, float]:
    """Median wall time in seconds and median peak memory in MB of `briefgen check` on a project."""
    walls, peaks = [], []
    for _ in range(runs + 1):  # the first run warms the template cache and the file system; it is discarded
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "briefgen", "check", "--project", str(project)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"check failed on {project}: {process.stderr.read().decode()}")
        walls.append(wall)
        peaks.append(usage.ru_maxrss / 1024)  # kilobytes on Linux
    return statistics.median(walls[1:]), statistics.median(peaks[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1_000, 10_000])
    args = parser.parse_args()

    rows = [("shipped example", *measure(REPO, args.runs))]
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            project = generate(Path(tmp) / f"n{size}", size)
            rows.append((f"{size:,} facts", *measure(project, args.runs)))

    print(f"`briefgen check`, median of {args.runs} runs; {platform.python_implementation()} "
          f"{platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}")
    print()
    print("| project | wall time | peak memory |")
    print("|---|---|---|")
    for name, wall, peak in rows:
        print(f"| {name} | {wall:.2f} s | {peak:.0f} MB |")
    sized = {name: wall for name, wall, _ in rows}
    if "1,000 facts" in sized and "10,000 facts" in sized:
        print()
        print(f"10,000 facts cost {sized['10,000 facts'] / sized['1,000 facts']:.1f} times 1,000 facts.")


if __name__ == "__main__":
    main()
