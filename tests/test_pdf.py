"""The PDF as a reader sees it: footnotes at the foot of the page of their call, the marking on every page,
metadata and bookmarks, and a renderer that never fetches anything from outside the project."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pypdf
import pytest

from briefgen import build as pipeline
from briefgen.errors import BriefgenError
from conftest import ProjectDir, RequestCounter, run

pytestmark = pytest.mark.pdf

FACTS = 45


def write_long_project(root: Path) -> None:
    """A project whose briefing runs over several pages, with a unique word in every claim and every quote."""
    (root / "facts").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "templates").mkdir()
    (root / "briefgen.yaml").write_text(
        "title: Long briefing\ndate: 2025-06-01\nmarking: TEST MARKING\nkeywords: [alpha, beta]\n"
        "categories:\n  main: Main\n"
    )
    sentences = []
    facts = []
    for i in range(FACTS):
        quote = f"Report {i} says that the column codeword{i:03d} moved {100 + i} vehicles across the river at night"
        sentences.append(quote + ".")
        facts.append(
            f"- id: fact-{i:03d}\n"
            f"  claim: >-\n    Fact marker{i:03d}: the column moved {100 + i} vehicles across the river at night,\n"
            f"    according to a report that also describes the weather, the roads and the bridges in detail.\n"
            f"  value: {100 + i}\n  as_of: 2025-05\n"
            f"  sources:\n    - source: {'wire' if i % 3 else 'blog'}\n      quote: \"{quote}\"\n"
        )
    (root / "seeds" / "wire.txt").write_text(" ".join(sentences) + "\n")
    (root / "seeds" / "blog.txt").write_text("\n".join(sentences) + "\n")
    (root / "seeds" / "sources.yaml").write_text(
        "- id: wire\n  file: wire.txt\n  title: Wire report\n  publisher: Example Wire\n"
        "  url: https://example.org/wire\n  published: 2025-05-30\n  reliability: B\n"
        "- id: blog\n  file: blog.txt\n  title: Blog report\n  publisher: null\n  url: null\n"
        "  published: 2025-05\n  date_inferred: true\n  reliability: F\n"
    )
    (root / "facts" / "main.yaml").write_text("\n".join(facts))
    (root / "templates" / "briefing.md.j2").write_text(
        "## Findings\n\n{% for f in facts_in('main') %}{{ claim(f) }}\n\n{% endfor %}"
        "## Again\n\nThe first fact once more.{{ cite('fact-000') }}\n"
    )


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory: pytest.TempPathFactory) -> pypdf.PdfReader:
    root = tmp_path_factory.mktemp("long")
    write_long_project(root)
    outcome = pipeline.build(root, formats=("pdf",))
    assert outcome.pages and outcome.pages >= 3
    return pypdf.PdfReader(root / "output" / "briefing.pdf")


def page_texts(reader: pypdf.PdfReader) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def test_each_footnote_is_on_the_page_of_its_call(long_pdf: pypdf.PdfReader) -> None:
    pages = page_texts(long_pdf)
    for i in range(FACTS):
        call_page = [n for n, text in enumerate(pages) if f"marker{i:03d}" in text]
        note_page = [n for n, text in enumerate(pages) if f"codeword{i:03d}" in text]
        assert len(note_page) == 1, f"fact {i}: note on pages {note_page}"
        assert call_page[0] == note_page[0], f"fact {i}: call on page {call_page}, note on page {note_page}"


def test_footnotes_are_numbered_in_order_with_source_and_quote(long_pdf: pypdf.PdfReader) -> None:
    text = " ".join(page_texts(long_pdf))
    numbers = []
    for i in range(FACTS):
        # Each source's first note gives the full reference, later ones the short form.
        if i % 3 == 0:
            publisher = "Publisher not stated, “Blog report”, May 2025" + (" (date inferred)" if i == 0 else "")
        else:
            publisher = "Example Wire, “Wire report”, 30 May 2025" + (", https://example.org/wire" if i == 1 else "")
        note = re.search(rf"(\d+) {re.escape(publisher)}: “Report {i} says that the column codeword{i:03d} moved", text)
        assert note, f"no footnote with source and quote for fact {i}"
        numbers.append(int(note.group(1)))
    assert numbers == list(range(1, FACTS + 1))


def test_a_second_call_keeps_the_number_and_adds_no_note(long_pdf: pypdf.PdfReader) -> None:
    pages = page_texts(long_pdf)
    assert "The first fact once more.1" in pages[-1]
    assert sum(text.count("codeword000") for text in pages) == 1


def test_marking_and_page_numbers_on_every_page(long_pdf: pypdf.PdfReader) -> None:
    pages = page_texts(long_pdf)
    for number, text in enumerate(pages, start=1):
        assert text.count("TEST MARKING") == 2, f"page {number}"
        assert f"Page {number} of {len(pages)}" in text


def test_metadata_bookmarks_page_size_and_fonts(long_pdf: pypdf.PdfReader) -> None:
    meta = long_pdf.metadata
    assert meta is not None
    assert meta.title == "Long briefing"
    assert meta["/Keywords"] == "alpha, beta"
    assert meta["/CreationDate"].startswith("D:20250601")
    title, sections = long_pdf.outline
    assert title.title == "Long briefing"  # the title, with the sections' headings under it
    assert [item.title for item in sections] == ["Findings", "Again"]
    box = long_pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    fonts = {}
    for page in long_pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"].split("+")[-1]] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert fonts and all(fonts.values()), fonts
    assert any(name.startswith("Charis") for name in fonts) and any(name.startswith("Inter") for name in fonts)


def test_title_block_on_the_first_page(tiny: ProjectDir) -> None:
    pipeline.build(tiny.root, formats=("pdf",))
    first = page_texts(pypdf.PdfReader(tiny.root / "output" / "briefing.pdf"))[0]
    assert "Tiny briefing A fixture for the tests Briefing date 20 January 2025 · Information cut-off 10 January 2025" in first


def test_letter_page_size_by_setting(tiny: ProjectDir) -> None:
    tiny.replace("briefgen.yaml", "keywords:", "page_size: Letter\nkeywords:")
    pipeline.build(tiny.root, formats=("pdf",))
    box = pypdf.PdfReader(tiny.root / "output" / "briefing.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


# --- nothing is fetched from outside the project ------------------------------------------------


def test_html_in_a_claim_is_text_and_fetches_nothing(tiny: ProjectDir, server: str) -> None:
    tag = f'<img src="{server}/x">'
    tiny.replace("facts/beta.yaml", "Convoys were seen moving north", f"{tag} Convoys were seen moving north")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert RequestCounter.requests == []
    pdf_text = " ".join(page_texts(pypdf.PdfReader(tiny.root / "output" / "briefing.pdf")))
    assert tag in pdf_text
    html = tiny.read("output/briefing.html")
    assert "<img" not in html and tag in html_lib.unescape(html)  # shown as text, never an element


def test_a_template_that_reaches_the_network_is_stopped(tiny: ProjectDir, server: str) -> None:
    tiny.write("templates/briefing.md.j2", f'## Findings\n\n{{{{ claim("convoys-north") }}}}\n\n<img src="{server}/tracker.png">\n')
    with pytest.raises(BriefgenError) as info:
        pipeline.build(tiny.root, formats=("pdf",))
    (error,) = [d for d in info.value.diagnostics() if d.level == "error"]
    assert (error.code, error.path, error.line) == ("BG402", "templates/briefing.md.j2", 5)
    assert error.message == f"the briefing refers to '{server}/tracker.png', which is not a file inside the project; nothing was fetched"
    assert RequestCounter.requests == []


def test_a_stylesheet_that_reads_a_file_outside_the_project_is_stopped(tiny: ProjectDir, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-BYTES")
    tiny.write("templates/briefing.css", f'@import url("{secret.as_uri()}");\nbody {{ color: black; }}\n')
    with pytest.raises(BriefgenError) as info:
        pipeline.build(tiny.root, formats=("pdf",))
    (error,) = [d for d in info.value.diagnostics() if d.level == "error"]
    assert error.message == f"the briefing refers to '{secret.as_uri()}', a file outside the project; nothing was fetched"
    assert not (tiny.root / "output" / "briefing.pdf").exists()


def test_kept_page_references_change_no_byte_of_the_pdf(tmp_path: Path) -> None:
    """briefgen keeps pydyf's page references between uses; the tagged PDF must be what pydyf alone writes."""
    import pydyf

    from briefgen import pdf

    html = "<html lang='en'><body>" + "".join(
        f"<h2>Part {i}</h2><p style='break-after: page'>Text <a href='#p{i}' id='p{i}'>{i}</a></p>" for i in range(6)
    ) + "</body></html>"
    stock = pydyf.PDF.page_references
    with pdf._page_references_kept():
        assert pydyf.PDF.page_references is not stock
        kept = pdf._render_pdf(html, tmp_path, [tmp_path], "error", True, None)
    assert pydyf.PDF.page_references is stock
    plain = pdf._render_pdf(html, tmp_path, [tmp_path], "error", True, None)
    assert kept.pages == 6
    assert kept.pdf == plain.pdf


LONG_TITLE = "North Korea's military support to Russia: troops, shells, missiles and drones in the war against Ukraine"


def running_header_lines(root: Path, settings: str) -> list[str]:
    """The lines of page 2 of the long project built with these settings in place of its title."""
    write_long_project(root)
    (root / "briefgen.yaml").write_text((root / "briefgen.yaml").read_text().replace("title: Long briefing", settings))
    pipeline.build(root, formats=("pdf",))
    return (pypdf.PdfReader(root / "output" / "briefing.pdf").pages[1].extract_text() or "").splitlines()


def test_a_long_title_is_shortened_to_one_line_in_the_running_header(tmp_path: Path) -> None:
    lines = running_header_lines(tmp_path, f'title: "{LONG_TITLE}"')
    assert "North Korea's military support to Russia… TEST MARKING 1 June 2025" in lines


def test_short_title_sets_the_running_header(tmp_path: Path) -> None:
    lines = running_header_lines(tmp_path, f'title: "{LONG_TITLE}"\nshort_title: NK support')
    assert "NK support TEST MARKING 1 June 2025" in lines
