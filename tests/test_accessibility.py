"""Accessible outputs, read by the software readers use: the PDF/UA-1 points a machine can check (pikepdf), the
HTML in a real browser (headless Chromium: its print, and axe-core inside it), and the Nu HTML checker."""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path

import pypdf
import pytest
import weasyprint

from briefgen import tagging
from briefgen.build import FONTS
from briefgen.pdf import render_pdf
from briefgen.tagging import accessible_tags
from conftest import chromium, installed_tool, note_count
from pdfua import pdfua_check
from test_layout import Briefing, print_html

MARKING = "UNCLASSIFIED // FOR TRAINING"

pdf = pytest.mark.pdf


# --- the PDF ------------------------------------------------------------------------------------------


def assert_readable(path: Path, notes: int) -> None:
    """The PDF/UA-1 points software can check, and what a screen reader meets on each page."""
    tagging_ = pdfua_check(path)
    assert tagging_.findings == []
    assert tagging_.tags["/Note"] == notes  # every note tagged as a note, with its own ID
    pages = len(tagging_.artifact_text)
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in tagging_.artifact_text[number]  # page numbers are artifacts…
        assert f"Page {number} of" not in tagging_.tagged_text[number]  # …that a screen reader skips
    footnote_links = [t for t in tagging_.link_texts if t.startswith("Footnote")]
    assert all(re.fullmatch(r"Footnote \d+", t) for t in footnote_links), footnote_links
    assert not [t for t in tagging_.link_texts if t.startswith("fn:")]


@pdf
def test_the_shipped_pdf_meets_the_checkable_points_of_pdf_ua(built_example: Path) -> None:
    output = built_example / "output"
    notes = note_count(output / "briefing.md")
    assert_readable(output / "briefing.pdf", notes)
    tagging_ = pdfua_check(output / "briefing.pdf")
    assert all(MARKING in text for text in tagging_.artifact_text.values())  # the marking runs on every page
    assert tagging_.tags["/Reference"] == notes  # each note's call
    assert any(t.startswith("Footnote ") for t in tagging_.link_texts)  # repeated calls link to their note


@pdf
def test_the_summary_pdf_meets_them_too(built_example: Path) -> None:
    output = built_example / "output"
    notes = note_count(output / "summary.md")
    assert_readable(output / "summary.pdf", notes)


@pdf
@pytest.mark.parametrize("seed", range(8))
def test_generated_layouts_are_tagged_for_screen_readers(seed: int, tmp_path: Path) -> None:
    """Tables with calls in cells, lists, the key-judgment box, notes of many lines, across page sizes."""
    briefing = Briefing(seed)
    rendered = render_pdf(print_html(briefing.markdown(), briefing.page_size, tmp_path), tmp_path, [tmp_path, FONTS])
    (tmp_path / "generated.pdf").write_bytes(rendered.pdf)
    assert_readable(tmp_path / "generated.pdf", len(briefing.notes))


@pdf
def test_without_the_corrections_the_check_finds_what_stock_tagging_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check can fail: WeasyPrint's own tagging leaves the running content unreachable and the notes untagged."""
    monkeypatch.setattr(tagging, "corrections_apply", lambda: False)
    briefing = Briefing(3)
    rendered = render_pdf(print_html(briefing.markdown(), briefing.page_size, tmp_path), tmp_path, [tmp_path, FONTS])
    (tmp_path / "stock.pdf").write_bytes(rendered.pdf)
    found = pdfua_check(tmp_path / "stock.pdf")
    assert "XMP metadata does not claim PDF/UA-1 (pdfuaid:part)" in found.findings  # no claim it cannot keep
    assert any("is not reachable from the structure tree" in f for f in found.findings)
    assert "an empty Link element" in found.findings
    assert found.tags["/Note"] == 0


def test_the_corrections_apply_only_inside_and_only_to_their_release(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint import draw
    from weasyprint.pdf import tags

    stock = tags._build_box_tree, draw.draw_stacking_context
    with accessible_tags() as on:
        assert on == (weasyprint.__version__ == "70.0")
        assert (tags._build_box_tree, draw.draw_stacking_context) != stock or not on
    assert (tags._build_box_tree, draw.draw_stacking_context) == stock
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with accessible_tags() as on:
        assert not on
        assert (tags._build_box_tree, draw.draw_stacking_context) == stock


# --- the HTML in a browser --------------------------------------------------------------------------


def test_a_browser_prints_the_marking_on_every_page(built_example: Path, tmp_path: Path) -> None:
    printed = tmp_path / "printed.pdf"
    page = (built_example / "output" / "briefing.html").as_uri()
    result = chromium("--no-pdf-header-footer", f"--print-to-pdf={printed}", page, profile=tmp_path / "profile")
    assert printed.exists(), result.stderr
    pages = pypdf.PdfReader(printed).pages
    assert len(pages) > 5
    for number, page_ in enumerate(pages, start=1):
        text = page_.extract_text() or ""
        assert text.count(MARKING) == 2, f"page {number}: the marking is not at its top and bottom"
        assert f"Page {number} of {len(pages)}" in text
        if number > 1:
            assert "North Korea's military support to Russia" in text  # the running header


AXE_RUNNER = """<script src="{axe}"></script>
<script>
axe.run(document).then(function (results) {{
  var out = document.createElement("pre");
  out.id = "axe-results";
  out.textContent = JSON.stringify(results.violations.map(function (v) {{
    return {{id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {{ return n.target.join(" "); }})}};
  }}));
  document.body.appendChild(out);
}});
</script>
</body>"""


def axe_violations(page: Path, tmp_path: Path) -> list[dict]:
    """Run axe-core inside headless Chromium on a copy of the page, and read its findings back from the DOM."""
    axe = installed_tool("axe-core", "axe.min.js")
    probe = tmp_path / page.name
    probe.write_text(page.read_text().replace("</body>", AXE_RUNNER.format(axe=axe.as_uri()), 1))
    result = chromium("--allow-file-access-from-files", "--virtual-time-budget=30000", "--dump-dom", probe.as_uri(),
                      profile=tmp_path / "profile")
    found = re.search(r'<pre id="axe-results">(.*?)</pre>', result.stdout, re.S)
    assert found, f"axe-core did not report: {result.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("name", ["briefing.html", "summary.html"])
def test_axe_finds_nothing_in_the_html(built_example: Path, tmp_path: Path, name: str) -> None:
    assert axe_violations(built_example / "output" / name, tmp_path) == []


def test_axe_would_find_links_told_apart_by_colour_alone(built_example: Path, tmp_path: Path) -> None:
    """The check can fail: the back-links as they were styled before (no underline) are a serious finding."""
    page = tmp_path / "plain-links.html"
    page.write_text((built_example / "output" / "briefing.html").read_text().replace(
        "</style>", "a.footnote-backref, a.footnote-ref { text-decoration: none; }</style>", 1))
    violations = axe_violations(page, tmp_path)
    assert [(v["id"], v["impact"]) for v in violations] == [("link-in-text-block", "serious")]


def nu_check(page: Path) -> list[dict]:
    """The Nu HTML checker's messages for a page, its inline CSS included."""
    vnu = installed_tool("vnu-jar", "build", "dist", "vnu.jar")
    result = subprocess.run([str(installed_tool("java")), "-jar", str(vnu), "--format", "json", "--also-check-css", str(page)],
                            capture_output=True, text=True, timeout=300, check=False)
    return json.loads(result.stderr or result.stdout)["messages"]


@pytest.mark.parametrize("name", ["briefing.html", "summary.html"])
def test_the_nu_checker_finds_no_error_in_the_standalone_html(built_example: Path, name: str) -> None:
    messages = nu_check(built_example / "output" / name)
    assert [(m.get("lastLine"), m["message"]) for m in messages if m["type"] in ("error", "non-document-error")] == []


def test_the_nu_checker_sees_the_print_only_css(built_example: Path, tmp_path: Path) -> None:
    """The check can fail: the print stylesheet, which only the PDF renderer understands, is CSS errors elsewhere."""
    page = tmp_path / "with-print-css.html"
    print_css = (Path(tagging.__file__).parent / "templates" / "print.css").read_text()
    page.write_text((built_example / "output" / "briefing.html").read_text().replace("</style>", print_css + "</style>", 1))
    errors = [m["message"] for m in nu_check(page) if m["type"] == "error"]
    assert any("footnote" in e for e in errors)


def test_the_marking_and_the_title_sit_in_landmarks(built_example: Path) -> None:
    page = (built_example / "output" / "briefing.html").read_text()
    header = page[page.index("<header>"):page.index("</header>")]
    footer = page[page.index("<footer>"):page.index("</footer>")]
    assert MARKING in header and "<h1>" in header
    assert MARKING in footer
    assert page.count("<header") == 1  # one banner, not a second header for the title block
    assert re.search(r'aria-label="Back to reference 1 \(1 of [2-9]\)"', page)  # note 1 is cited more than once
