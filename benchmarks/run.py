"""briefgen's PDF build against the renderer's own floor and against the pandoc route, at 50, 500 and 5,000 facts.

Every measurement is a whole process, repeated, reduced to the median; peak memory is the process's (and
its children's) maximum resident set size.

- briefgen: `briefgen build --format pdf --force --keep-html --profile` (all stages; --profile gives each
  stage's time, --keep-html keeps the HTML it handed to WeasyPrint).
- floor: WeasyPrint alone (floor.py) rendering that exact HTML: what the PDF costs with nothing else.
- pandoc: `pandoc briefing.md --pdf-engine=weasyprint --css briefing.css` on the same Markdown
  (pandoc from the pypandoc-binary package; endnotes instead of page-bottom footnotes; an untagged PDF).
- pandoc, tagged: the same with `--pdf-engine-opt=--pdf-tags`, a tagged PDF like briefgen's (pdf_tags setting).

    python benchmarks/run.py                       # all sizes, 3 runs each
    python benchmarks/run.py --sizes 50 500 --runs 5
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from generate import generate

HERE = Path(__file__).resolve().parent
STYLESHEET = HERE.parent / "briefgen" / "templates" / "briefing.css"
STAGES = ("load", "template", "verify", "markdown", "html", "pdf", "proof")  # proof: part of pdf


@dataclass
class Run:
    wall: float
    peak_mb: float
    stderr: str


@dataclass
class Result:
    walls: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    stages: dict[str, list[float]] = field(default_factory=dict)
    pages: int | None = None

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak(self) -> float:
        return statistics.median(self.peaks)

    def stage(self, name: str) -> float:
        return statistics.median(self.stages.get(name, [0.0]))


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """One whole process: wall time, peak memory of it and its children, stderr."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stderr = process.stderr.read().decode() if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    return Run(wall, usage.ru_maxrss / 1024, stderr)


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def pdf_pages(pdf: Path) -> int | None:
    """The page count, from poppler's pdfinfo where it is installed."""
    if not shutil.which("pdfinfo"):
        return None
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(found.group(1)) if found else None


def measure(size: int, root: Path, runs: int) -> dict[str, Result]:
    project = generate(root / f"n{size}", size)
    out = project / "output"
    python = sys.executable
    results = {"briefgen": Result(), "floor": Result(), "pandoc": Result(), "pandoc, tagged": Result()}
    build = [python, "-m", "briefgen", "build", "--format", "pdf,md", "--force", "--keep-html", "--profile",
             "--project", str(project)]
    floor = [python, str(HERE / "floor.py"), str(out / "briefing.print.html"), str(project), str(out / "floor.pdf")]
    # pandoc runs `weasyprint` itself: put this environment's on its PATH.
    env = {**os.environ, "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    peer = [pandoc_path(), str(out / "briefing.md"), "-s", "-o", str(out / "pandoc.pdf"), "--pdf-engine=weasyprint",
            f"--css={STYLESHEET}", "--metadata", "title=Synthetic briefing", "--metadata", "lang=en"]
    tagged = [*peer, "--pdf-engine-opt=--pdf-tags"]
    for attempt in range(runs):
        done = run(build, project)
        stages = re.search(r"time by stage: (.*)", done.stderr)
        pages = re.search(r"rendered PDF, (\d+) pages", done.stderr)
        results["briefgen"].walls.append(done.wall)
        results["briefgen"].peaks.append(done.peak_mb)
        results["briefgen"].pages = int(pages.group(1)) if pages else None
        for name, seconds in re.findall(r"(\w+) ([\d.]+) s", stages.group(1) if stages else ""):
            results["briefgen"].stages.setdefault(name, []).append(float(seconds))
        for tool, command, environment in (("floor", floor, None), ("pandoc", peer, env), ("pandoc, tagged", tagged, env)):
            done = run(command, project, environment)
            results[tool].walls.append(done.wall)
            results[tool].peaks.append(done.peak_mb)
        print(f"  {size:,} facts, run {attempt + 1}/{runs}: briefgen {results['briefgen'].walls[-1]:.1f} s, "
              f"floor {results['floor'].walls[-1]:.1f} s, pandoc {results['pandoc'].walls[-1]:.1f} s, "
              f"tagged {results['pandoc, tagged'].walls[-1]:.1f} s", file=sys.stderr)
    results["pandoc"].pages = pdf_pages(out / "pandoc.pdf")
    # A rebuild with nothing changed, and a Markdown-and-HTML build, for the "no wasted work" rows.
    plain = [python, "-m", "briefgen", "build", "--format", "pdf,md", "--keep-html", "--project", str(project)]
    results["no-op"] = Result(walls=[run(plain, project).wall for _ in range(runs)])
    text = [python, "-m", "briefgen", "build", "--format", "md,html", "--force", "--project", str(project)]
    results["md,html"] = Result(walls=[run(text, project).wall for _ in range(runs)])
    shutil.rmtree(project)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 5_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    table: dict[int, dict[str, Result]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            table[size] = measure(size, Path(tmp), args.runs)

    print(f"Median of {args.runs} runs; {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} cores, {platform.machine()}, WeasyPrint {_version('weasyprint')}, "
          f"pandoc {_pandoc_version()}.\n")
    print("| facts | pages: briefgen / pandoc | briefgen | floor | pandoc | pandoc, tagged | briefgen/floor | briefgen/pandoc "
          "| briefgen/pandoc, tagged | peak memory: briefgen / floor |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for size, r in table.items():
        b, f, p, t = r["briefgen"], r["floor"], r["pandoc"], r["pandoc, tagged"]
        print(f"| {size:,} | {b.pages} / {p.pages} | {b.wall:.1f} s | {f.wall:.1f} s | {p.wall:.1f} s | {t.wall:.1f} s | "
              f"{b.wall / f.wall:.2f} | {b.wall / p.wall:.2f} | {b.wall / t.wall:.2f} | "
              f"{b.peak:.0f} MB / {f.peak:.0f} MB = {b.peak / f.peak:.2f} |")
    print("\nbriefgen's time by stage (seconds, median):\n")
    print("| facts | " + " | ".join(STAGES) + " | no-op rebuild | md,html only |")
    print("|---|" + "---|" * (len(STAGES) + 2))
    for size, r in table.items():
        print(f"| {size:,} | " + " | ".join(f"{r['briefgen'].stage(s):.2f}" for s in STAGES)
              + f" | {r['no-op'].wall:.2f} | {r['md,html'].wall:.2f} |")
    if 500 in table and 5_000 in table:
        small, large = table[500]["briefgen"], table[5_000]["briefgen"]
        growth = ", ".join(f"{s} {large.stage(s) / max(small.stage(s), 0.005):.1f}×" for s in STAGES)
        print(f"\n5,000 facts against 500, by stage: {growth}; in all {large.wall / small.wall:.1f}×.")


def _version(module: str) -> str:
    from importlib.metadata import version

    return version(module)


def _pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True).stdout
    return out.split()[1]


if __name__ == "__main__":
    main()
