"""How long `briefgen add-source` takes to archive a PDF report, and why the PDF reader is PDFium.

A report of 50 A4 pages in two columns, made by WeasyPrint from the shipped articles' sentences, is added to a
new project by a whole process (`python -m briefgen add-source`), as an analyst runs it; the median of the runs
is reported. Beside it, in the same run, the text extraction alone by pypdfium2 (what briefgen uses) and by
pypdf (pure Python, the other well-kept reader), with their ratio.

    python benchmarks/add_source.py                 # 50 pages, 5 runs
    python benchmarks/add_source.py --pages 200 --runs 3
"""

from __future__ import annotations

import argparse
import io
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def report(pages: int) -> bytes:
    """A two-column PDF report of about `pages` pages, from the example's sentences."""
    import weasyprint

    sentences = [s.strip() for path in sorted((REPO / "seeds").glob("*.txt")) for s in path.read_text().split(". ") if s.strip()]
    html = ["<style>@page { size: A4; margin: 2cm } body { columns: 2; font: 10pt serif }</style><h1>Report</h1>"]
    paragraphs = 0
    while True:
        html.append("<p>" + ". ".join(sentences[(paragraphs * 5 + k) % len(sentences)] for k in range(5)) + ".</p>")
        paragraphs += 1
        if paragraphs % 50 == 0:
            document = weasyprint.HTML(string="".join(html)).render()
            if len(document.pages) >= pages:
                return document.write_pdf()


def timed(function, runs: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import pypdf
    import pypdfium2

    pdf = report(args.pages)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.pdf"
        path.write_bytes(pdf)
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        subprocess.run([sys.executable, "-m", "briefgen", "init", str(Path(tmp) / "warm")], check=True, capture_output=True)

        def add() -> None:
            project = Path(tmp) / "project"
            shutil.rmtree(project, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "briefgen", "init", str(project)], check=True, capture_output=True)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "briefgen", "add-source", str(path), "--title", "Report",
                            "--project", str(project)], check=True, capture_output=True)
            add.seconds.append(time.perf_counter() - start)

        add.seconds = []  # type: ignore[attr-defined]
        for _ in range(args.runs):
            add()
        whole = statistics.median(add.seconds)  # type: ignore[attr-defined]

        def pdfium_text() -> None:
            document = pypdfium2.PdfDocument(pdf)
            for page in document:
                page.get_textpage().get_text_bounded()
            document.close()

        def pypdf_text() -> None:
            for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
                page.extract_text()

        pdfium = timed(pdfium_text, args.runs)
        pure = timed(pypdf_text, max(1, args.runs // 2))

    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
          f"pypdfium2 {version('pypdfium2')}, pypdf {version('pypdf')}")
    print("| pages | add-source, whole process | text by pypdfium2 | text by pypdf | pypdf / pypdfium2 |")
    print("|---|---|---|---|---|")
    print(f"| {pages} | {whole:.2f} s | {pdfium:.2f} s | {pure:.2f} s | {pure / pdfium:.0f}× |")


if __name__ == "__main__":
    main()
