"""What page-bottom footnotes cost, and what each choice in briefgen's footnote markup saves.

WeasyPrint lays the footnote area out again for every note it adds to a page, so the notes' number, length
and markup decide much of a PDF's time. Each variant below is the print HTML of the same 500-fact project,
changed in one respect, rendered by WeasyPrint alone (floor.py) as a whole process; median of the runs.

    python benchmarks/footnotes.py [--facts 500] [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate

HERE = Path(__file__).resolve().parent
NOTE = re.compile(r'<span class="footnote" data-n="(\d+)">(.*?)</span>', re.S)


def unmerged(html: str) -> str:
    """One note per source instead of one per fact: split each note at the semicolon between sources."""

    def split(m: re.Match[str]) -> str:
        parts = re.split(r"(?<=[”.)]); (?=\S)", m.group(2))
        return "".join(
            f'<span class="footnote" data-n="{m.group(1)}{chr(97 + i) if len(parts) > 1 else ""}">{part}</span>'
            for i, part in enumerate(parts)
        )

    return NOTE.sub(split, html)


def blocks(html: str) -> str:
    """Each note wrapped in a block element, as Python-Markdown writes endnotes."""
    return NOTE.sub(lambda m: f'<span class="footnote" data-n="{m.group(1)}"><div>{m.group(2)}</div></span>', html)


def with_css(css: str):  # noqa: ANN201
    return lambda html: html.replace("</head>", f"<style>{css}</style></head>", 1)


def render(html_file: Path, base: Path, tags: bool, relaxed: bool) -> tuple[float, int]:
    code = (
        "import gc, sys, weasyprint\n"
        "from weasyprint.text.fonts import FontConfiguration\n"
        f"{'gc.set_threshold(100_000, 50, 50)' if relaxed else ''}\n"
        f"d = weasyprint.HTML(filename={str(html_file)!r}, base_url={str(base) + '/'!r}).render(font_config=FontConfiguration())\n"
        f"d.write_pdf({str(html_file.with_suffix('.pdf'))!r}, pdf_tags={tags})\n"
        "print(len(d.pages))\n"
    )
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return time.perf_counter() - start, int(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(Path(tmp) / "project", args.facts)
        subprocess.run([sys.executable, "-m", "briefgen", "build", "--format", "md", "--keep-html", "--quiet",
                        "--project", str(project)], check=True)
        full = project / "full-references"
        # The same project, with a full source reference in every note (not just each source's first).
        subprocess.run(
            [sys.executable, "-c",
             "import sys, briefgen.templating as t; t.short_reference = t.source_reference; "
             "from briefgen.cli import main; main(sys.argv[1:])",
             "build", "--format", "md", "--keep-html", "--quiet", "--force", "--project", str(project), "--output", str(full)],
            check=True,
        )
        html = (project / "output" / "briefing.print.html").read_text()
        variants = {
            "briefgen's markup, tagged PDF, relaxed GC (what `build` does)": (html, True, True),
            "untagged PDF": (html, False, True),
            "default garbage collection": (html, True, False),
            "footnote-policy: auto instead of line": (with_css("span.footnote { footnote-policy: auto !important; }")(html), True, True),
            "one note per source, not per fact": (unmerged(html), True, True),
            "a block element inside each note": (blocks(html), True, True),
            "a full reference in every note": ((full / "briefing.print.html").read_text(), True, True),
            "notes in the text, not at the page bottom": (with_css("span.footnote { float: none !important; }")(html), True, True),
            "no notes at all": (with_css("span.footnote { display: none !important; }")(html), True, True),
        }
        paths = {}
        for i, (name, (variant, _, _)) in enumerate(variants.items()):
            paths[name] = Path(tmp) / f"variant-{i}.html"
            paths[name].write_text(variant)
        # Round by round, every variant once a round: a slow spell of the machine hits all of them alike.
        timings: dict[str, list[tuple[float, int]]] = {name: [] for name in variants}
        for round_ in range(args.runs):
            for name, (_, tags, relaxed) in variants.items():
                timings[name].append(render(paths[name], project, tags, relaxed))
                print(f"  round {round_ + 1}, {name}: {timings[name][-1][0]:.2f} s", file=sys.stderr)
        rows = [(name, statistics.median(t for t, _ in runs), runs[0][1]) for name, runs in timings.items()]
    baseline = rows[0][1]
    print(f"\n{args.facts} facts, WeasyPrint alone, median of {args.runs} runs:\n")
    print("| variant | time | against briefgen's | pages |")
    print("|---|---|---|---|")
    for name, seconds, pages in rows:
        print(f"| {name} | {seconds:.2f} s | {(seconds / baseline - 1) * 100:+.0f}% | {pages} |")


if __name__ == "__main__":
    main()
