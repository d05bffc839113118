"""Word output: the shipped example as a .docx, read back with python-docx and its XML, and laid out by LibreOffice."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx as python_docx
import pypdf
import pytest
from lxml import etree

from briefgen import build as pipeline
from briefgen.build import _html_environment, _page_context, _stylesheet
from briefgen.docx import to_docx
from briefgen.errors import BriefgenError
from briefgen.templating import RenderedMarkdown, plain_text
from conftest import copy_example

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Converted:
    root: Path
    rendered: RenderedMarkdown
    page: dict
    data: bytes

    def part(self, name: str) -> etree._Element:
        with zipfile.ZipFile(io.BytesIO(self.data)) as package:
            return etree.fromstring(package.read(name))

    def word(self) -> python_docx.document.Document:
        return python_docx.Document(io.BytesIO(self.data))


def page_of(root: Path, outcome: pipeline.Outcome, index: int = 0) -> dict:
    env = _html_environment(root)
    css, _ = _stylesheet(env, "briefing.css")
    print_css, _ = _stylesheet(env, "print.css")
    return _page_context(outcome.project, outcome.briefing_date, outcome.documents[index][0], css, print_css)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Converted:
    """The shipped example's main briefing, as Word."""
    root = copy_example(tmp_path_factory.mktemp("docx-example"))
    outcome = pipeline.check(root)
    rendered = outcome.documents[0][1]
    page = page_of(root, outcome)
    return Converted(root, rendered, page, to_docx(rendered.document, page, root))


def tiny_page(**changes: object) -> dict:
    from briefgen.model import PartialDate

    return {"title": "Tiny", "subtitle": None, "label": "Briefing", "marking": "OFFICIAL", "author": None,
            "lang": "en", "keywords": [], "page_size": "A4", "name": "tiny", "running_title": "Tiny",
            "briefing_date": PartialDate.parse("2025-03-28"), "information_cutoff": None, "generator": "briefgen", **changes}


TINY = "## Part\n\nAlpha[^1] beta[^2]<sup>,</sup>[^1] gamma[^1].\n\n[^1]: Note one.\n[^2]: Note two.\n"


def calls(body: str) -> list[str]:
    return re.findall(r"(?<!\\)\[\^(\d+)\]", body)


# --- footnotes ----------------------------------------------------------------------------------------------


def test_one_word_footnote_per_cited_fact_in_reading_order(example: Converted) -> None:
    footnotes = example.part("word/footnotes.xml")
    notes = {f.get(f"{W}id"): " ".join("".join(f.itertext()).split()) for f in footnotes if f.get(f"{W}type") is None}
    references = [r.get(f"{W}id") for r in example.part("word/document.xml").iter(f"{W}footnoteReference")]
    assert len(notes) == len(references) == len(example.rendered.cited) == 87
    # Word numbers footnotes in the order of their references: note n of the PDF is the n-th reference.
    for n, (reference, text) in enumerate(zip(references, example.rendered.note_texts, strict=True), start=1):
        assert " ".join(plain_text(text).split())[:60] in notes[reference], f"note {n}"


def test_a_fact_cited_again_is_a_reference_to_its_footnote(example: Converted) -> None:
    document = example.part("word/document.xml")
    every_call = calls(example.rendered.body)
    again = len(every_call) - len(set(every_call))
    assert again > 50  # the example cites many facts more than once
    fields = [(f.get(f"{W}instr"), "".join(f.itertext())) for f in document.iter(f"{W}fldSimple")]
    assert len(fields) == again
    bookmarks = {b.get(f"{W}name"): b for b in document.iter(f"{W}bookmarkStart")}
    for instruction, shown in fields:
        m = re.fullmatch(r" NOTEREF (_BriefgenNote(\d+)) \\f \\h ", instruction)
        assert m, instruction
        assert shown == m.group(2)  # what Word shows until the field is updated: the same number
        start = bookmarks[m.group(1)]  # a hidden bookmark around the first call's footnote reference
        assert start.getnext().find(f"{W}footnoteReference") is not None
    # The n-th footnote reference is inside note n's bookmark, so the number shown is the PDF's.
    firsts = [r.getparent().getprevious().get(f"{W}name") for r in document.iter(f"{W}footnoteReference")]
    assert firsts == [f"_BriefgenNote{n}" for n in range(1, len(example.rendered.cited) + 1)]


def test_repeated_calls_in_a_small_document(tmp_path: Path) -> None:
    data = to_docx(TINY, tiny_page(), tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        document = etree.fromstring(package.read("word/document.xml"))
        footnotes = etree.fromstring(package.read("word/footnotes.xml"))
    assert len([f for f in footnotes if f.get(f"{W}type") is None]) == 2
    assert [f.get(f"{W}instr") for f in document.iter(f"{W}fldSimple")] == [" NOTEREF _BriefgenNote1 \\f \\h "] * 2
    body = next(p for p in document.iter(f"{W}p") if "Alpha" in "".join(p.itertext()))
    assert "".join(body.itertext()) == "Alpha beta,1 gamma1."  # footnote marks are Word's; the others are text
    comma = next(t for t in body.iter(f"{W}t") if t.text == ",").getparent()
    assert comma.find(f"{W}rPr/{W}rStyle").get(f"{W}val") == "FootnoteReference"


def test_no_raw_html_reaches_word(example: Converted) -> None:
    assert "<sup>,</sup>" in example.rendered.body
    with zipfile.ZipFile(io.BytesIO(example.data)) as package:
        for name in package.namelist():
            data = package.read(name)
            assert b"<sup>" not in data and b"&lt;sup" not in data, name
    # The raised comma between two calls is a comma in the footnote-reference style.
    document = example.part("word/document.xml")
    commas = [t for t in document.iter(f"{W}t") if t.text == "," and t.getparent().find(f"{W}rPr/{W}rStyle") is not None]
    assert len(commas) == example.rendered.body.count("<sup>,</sup>")


# --- structure ----------------------------------------------------------------------------------------------


def test_title_block_comes_first(example: Converted) -> None:
    paragraphs = example.word().paragraphs
    assert [(p.style.name, p.text) for p in paragraphs[:3]] == [
        ("Kicker", "Briefing"), ("Title", example.page["title"]), ("Subtitle", example.page["subtitle"]),
    ]
    assert paragraphs[3].style.name == "Date"
    assert paragraphs[3].text == "Briefing date: 28 March 2025 · Information cut-off: 27 March 2025"
    assert (paragraphs[4].style.name, paragraphs[4].text) == ("Heading 1", "Bottom line up front")
    properties = example.word().core_properties
    assert (properties.title, properties.language) == (example.page["title"], "en")
    assert properties.created.date().isoformat() == "2025-03-28"


def test_headings_are_word_headings(example: Converted) -> None:
    # The title is the document's Title; the body's top level (## in the Markdown) is Heading 1.
    wanted = [(len(m.group(1)) - 1, plain_text(m.group(2)))
              for m in re.finditer(r"^(#{2,6}) (.*)$", example.rendered.body, re.M)]
    found = [(int(p.style.name.removeprefix("Heading ")), p.text)
             for p in example.word().paragraphs if p.style.name.startswith("Heading")]
    assert found == wanted
    assert {level for level, _ in found} == {1, 2}


def test_tables_are_word_tables(example: Converted) -> None:
    tables = example.word().tables
    separators = re.findall(r"^\|(?: *:?-+:? *\|)+$", example.rendered.body, re.M)
    assert len(tables) == len(separators) >= 2
    assert [cell.text for cell in tables[0].rows[0].cells] == ["As of", "Killed", "Wounded", "Killed or wounded", "Estimated by"]
    assert tables[0].style.name == "Table"
    assert len(tables[0].rows) == 4


def test_marking_in_header_and_footer_of_every_page(example: Converted) -> None:
    marking = example.page["marking"]
    section = example.word().sections[0]
    assert section.different_first_page_header_footer  # the first page's header has no running title
    for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
        assert marking in "\n".join(p.text for p in part.paragraphs)
    assert example.page["running_title"] in section.header.paragraphs[0].text
    assert example.page["running_title"] not in section.first_page_header.paragraphs[0].text
    assert 'w:instr=" PAGE "' in section.footer.part.blob.decode()
    assert (section.page_width, section.page_height) == (11906 * 635, 16838 * 635)  # A4, in EMU


def test_house_style_and_a_project_reference_document(example: Converted, tmp_path: Path) -> None:
    styles = example.word().styles
    defaults = example.part("word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert defaults.get(f"{W}ascii") == "Cambria"
    assert styles["Heading 1"].font.name == "Calibri"
    # A project's templates/reference.docx replaces briefgen's style; the header and footer stay briefgen's.
    import pypandoc

    pandoc_default = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
                                    capture_output=True, check=True).stdout
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "reference.docx").write_bytes(pandoc_default)
    word = python_docx.Document(io.BytesIO(to_docx(TINY, tiny_page(), tmp_path)))
    assert word.styles["Heading 1"].font.name is None  # pandoc's style: the theme's font
    assert "OFFICIAL" in word.sections[0].footer.paragraphs[0].text
    (tmp_path / "templates" / "reference.docx").write_text("not a zip")
    with pytest.raises(BriefgenError, match="is not a Word document") as caught:
        to_docx(TINY, tiny_page(), tmp_path)
    assert caught.value.code == "BG007"


def test_letter_paper(tmp_path: Path) -> None:
    section = python_docx.Document(io.BytesIO(to_docx(TINY, tiny_page(page_size="Letter"), tmp_path))).sections[0]
    assert (section.page_width, section.page_height) == (12240 * 635, 15840 * 635)


def test_same_briefing_same_bytes(example: Converted, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1")
    assert to_docx(example.rendered.document, example.page, example.root) == example.data
    with zipfile.ZipFile(io.BytesIO(example.data)) as package:
        assert {info.date_time for info in package.infolist()} == {(2025, 3, 28, 0, 0, 0)}


def test_without_pandoc_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pypandoc", None)  # `import pypandoc` raises ImportError
    with pytest.raises(BriefgenError) as caught:
        to_docx(TINY, tiny_page(), tmp_path)
    assert caught.value.code == "BG900"
    assert "pip install 'briefgen[docx]'" in caught.value.message


# --- as a word processor lays it out ------------------------------------------------------------------------


def laid_out(data: bytes, folder: Path) -> list[str]:
    """The text of each page of the document as LibreOffice prints it to PDF."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice (soffice) is not installed: run `make test`, which installs what the tests use")
    (folder / "briefing.docx").write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(folder / "briefing.docx")],
                   capture_output=True, timeout=240, check=True)
    return [page.extract_text() for page in pypdf.PdfReader(folder / "briefing.pdf").pages]


def test_libreoffice_shows_a_repeated_call_with_its_number(tmp_path: Path) -> None:
    (page,) = laid_out(to_docx(TINY, tiny_page(), tmp_path), tmp_path)
    text = " ".join(page.split())
    assert re.search(r"Alpha ?1 beta ?2 ?, ?1 gamma ?1", text), text  # not 3 and 4, nor a field error
    assert re.search(r"1 ?Note one\. ?2 ?Note two\.", text), text
    assert "Error" not in text


def test_libreoffice_lays_out_the_example(example: Converted, tmp_path: Path) -> None:
    pages = laid_out(example.data, tmp_path)
    assert len(pages) > 5
    assert example.page["title"] in " ".join(pages[0].split())
    for number, text in enumerate(pages, start=1):
        assert text.count(example.page["marking"]) == 2, f"page {number}: the marking at the top and the bottom"
        assert f"Page {number} of {len(pages)}" in text


def test_build_format_docx_writes_word_with_its_charts_as_pictures(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example") if (tmp_path / "example").mkdir() is None else tmp_path
    outcome = pipeline.build(root, formats=("docx",))
    assert [p.name for p in outcome.written] == ["briefing.docx", "summary.docx"]
    with zipfile.ZipFile(root / "output" / "briefing.docx") as document:
        pictures = [n for n in document.namelist() if n.startswith("word/media/")]
        assert len(pictures) == 2 and all(document.read(n).startswith(b"\x89PNG") for n in pictures)  # the two charts
    again = tmp_path / "again"
    again.mkdir()
    pipeline.build(copy_example(again), formats=("docx",))
    assert (again / "output" / "briefing.docx").read_bytes() == (root / "output" / "briefing.docx").read_bytes()
