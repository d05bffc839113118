"""Briefing Markdown → Word (.docx), through pandoc, with real Word footnotes numbered as in the PDF.

pandoc (from the optional extra `briefgen[docx]`, which brings its binary) reads briefgen's internal Markdown
and writes the document with the styles of a reference document: `templates/reference.docx` of the project
when it has one, else briefgen's own (made by scripts/make_reference_docx.py). What pandoc does not do is
finished here on the document's XML:

- A fact cited again keeps its number. pandoc writes a new Word footnote for every call, so only the first
  call of a note is a footnote; each later call is Word's own cross-reference to it, a NOTEREF field showing
  the same number in the footnote-reference style (and, in Word, a link to the note).
- The running header and footer are briefgen's, as in the PDF: the marking at the top and bottom of every
  page, the short title and the date at the top of every page but the first, "Page n of m" at the bottom.
- The page size, the language and the document properties come from the project; the file's dates are the
  briefing date, so the same briefing gives the same bytes.

pandoc runs with `--sandbox`: it reads nothing but its input and the reference document, so a template cannot
make it fetch a file or an address (an image becomes its description).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from briefgen.errors import BriefgenError
from briefgen.files import HINTS, Unreadable, project_roots, read_bytes
from briefgen.loading import display_path
from briefgen.templating import escape_md, template_dirs

REFERENCE_DOC = "reference.docx"
INSTALL = "pip install 'briefgen[docx]'"
PANDOC_SECONDS = 300
REFERENCE_BYTES = 20_000_000

# pandoc's Markdown, less what Python-Markdown (which makes the HTML and the PDF) would print as plain text.
_READER = "markdown" + "".join(f"-{extension}" for extension in (
    "citations", "smart", "yaml_metadata_block", "pandoc_title_block", "implicit_figures", "tex_math_dollars",
    "raw_tex", "subscript", "superscript", "strikeout", "example_lists", "fancy_lists", "definition_lists",
    "line_blocks", "table_captions", "simple_tables", "multiline_tables", "grid_tables", "inline_notes",
    "task_lists", "header_attributes", "link_attributes",
))

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# A footnote call, its definition line, and the raised comma render_markdown puts between two calls.
_CALL = re.compile(r"(?<!\\)\[\^(\d+)\]")
_DEFINITION = re.compile(r"\[\^\d+\]: ")
_RAISED_COMMA = "<sup>,</sup>"
_NOTE_ID, _AGAIN_ID = "BG-note-{}", "BG-again-{}-{}"  # upper case: no heading's automatic id can be the same
_NOTE_BOOKMARK = "_BriefgenNote{}"  # a leading underscore: a hidden bookmark, as Word's own cross-references use

# Page sizes in twentieths of a point.
_PAGE_SIZES = {"A4": (11906, 16838), "Letter": (12240, 15840)}
_PDF_MARGINS = {"top": 1247, "right": 1134, "bottom": 1247, "left": 1134, "header": 624, "footer": 567, "gutter": 0}


def to_docx(document: str, page: dict[str, Any], project_root: Path) -> bytes:
    """The briefing as a Word document: `document` is RenderedMarkdown.document, `page` build._page_context.

    Deterministic: the same briefing gives the same bytes. Raises BriefgenError (BG900) when pandoc is not
    installed, and BG404 when the footnotes did not come out one per cited fact, numbered as in the PDF.
    """
    pandoc = _pandoc()
    reference = _reference_doc(project_root)
    markdown, notes = word_markdown(document, page)
    when = _date(page["briefing_date"])
    with tempfile.TemporaryDirectory(prefix="briefgen-docx-") as folder:
        reference_path = Path(folder, REFERENCE_DOC)
        reference_path.write_bytes(reference)
        command = [
            pandoc, "--sandbox", "--from", _READER, "--to", "docx", "--reference-doc", str(reference_path),
            f"--shift-heading-level-by={_heading_shift(document)}", "--output", "-",
        ]
        epoch = dt.datetime.combine(when, dt.time(), dt.UTC).timestamp()
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(max(int(epoch), 315532800))}
        try:
            done = subprocess.run(command, input=markdown.encode(), capture_output=True, env=env,
                                  timeout=PANDOC_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise BriefgenError(f"pandoc did not finish the Word document in {PANDOC_SECONDS} s", code="BG900") from None
    if done.returncode != 0:
        problem = done.stderr.decode(errors="replace").strip().splitlines()
        raise BriefgenError(f"pandoc could not write the Word document: {problem[-1] if problem else done.returncode}",
                            code="BG900")
    return _finish(done.stdout, page, when, notes)


def _pandoc() -> str:
    """The pandoc binary that pypandoc-binary brings (or the one pypandoc finds)."""
    try:
        import pypandoc
    except ImportError:
        raise BriefgenError(f"Word output needs pandoc, an optional part of briefgen: {INSTALL}", hint=INSTALL,
                            code="BG900") from None
    try:
        return str(pypandoc.get_pandoc_path())
    except OSError:
        raise BriefgenError(f"Word output needs pandoc, and pypandoc finds none: {INSTALL}", hint=INSTALL,
                            code="BG900") from None


def _reference_doc(project_root: Path) -> bytes:
    """The project's templates/reference.docx, under the file rule, else briefgen's."""
    project, builtin = template_dirs(project_root)
    candidate = project / REFERENCE_DOC
    if not os.path.lexists(candidate):
        return (builtin / REFERENCE_DOC).read_bytes()
    shown = display_path(candidate)
    try:
        data = read_bytes(candidate, REFERENCE_BYTES, project_roots(project_root))
    except Unreadable as problem:
        code = {"outside": "BG009", "special": "BG009"}.get(problem.kind, "BG007")
        raise BriefgenError(f"{shown} {problem.detail}", path=shown, hint=HINTS.get(problem.kind), code=code) from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise BriefgenError(f"{shown} is not a Word document", path=shown, code="BG007",
                            hint="save it from Word or LibreOffice as .docx, or delete it to use briefgen's style")
    return data


def word_markdown(document: str, page: dict[str, Any]) -> tuple[str, int]:
    """What pandoc reads: the title block, then the body, where each note's first call is a footnote (in a span
    that becomes a bookmark) and each later call a marked span; and how many notes there are."""
    seen: set[str] = set()
    again = 0

    def call(m: re.Match[str]) -> str:
        nonlocal again
        number = m.group(1)
        if number not in seen:
            seen.add(number)
            return f"[[^{number}]]{{#{_NOTE_ID.format(number)}}}"
        again += 1
        return f'[{number}]{{#{_AGAIN_ID.format(number, again)} custom-style="Footnote Reference"}}'

    lines = []
    for line in document.splitlines():
        if not _DEFINITION.match(line):
            line = _CALL.sub(call, line.replace(_RAISED_COMMA, '[,]{custom-style="Footnote Reference"}'))
        lines.append(line)
    return _title_block(page) + "\n".join(lines) + "\n", len(seen)


def _title_block(page: dict[str, Any]) -> str:
    """The label above the title ("Briefing"), the title, the subtitle and the line of dates and author, in the
    styles Kicker, Title, Subtitle and Date."""

    def styled(style: str, text: str) -> str:
        return f'::: {{custom-style="{style}"}}\n{text}\n:::\n\n'

    block = styled("Kicker", escape_md(page["label"])) if page.get("label") else ""
    block += styled("Title", escape_md(page["title"]))
    if page.get("subtitle"):
        block += styled("Subtitle", escape_md(page["subtitle"]))
    meta = [f"**Briefing date:** {escape_md(_shown(page['briefing_date']))}"]
    if page.get("information_cutoff"):
        meta.append(f"**Information cut-off:** {escape_md(_shown(page['information_cutoff']))}")
    if page.get("author"):
        meta.append(f"**Prepared by:** {escape_md(page['author'])}")
    return block + styled("Date", " · ".join(meta))


def _shown(value: object) -> str:
    display = getattr(value, "display", None)
    return display() if callable(display) else str(value)


def _date(value: object) -> dt.date:
    """The briefing date as a date: a PartialDate's first day, a date, or ISO text."""
    first = getattr(value, "first", value)
    if isinstance(first, dt.datetime):
        return first.date()
    if isinstance(first, dt.date):
        return first
    return dt.date.fromisoformat(str(first))


def _heading_shift(document: str) -> int:
    """Word's Heading 1 for the body's top level: the title is the document's Title, not a heading."""
    levels = [len(m.group(1)) for m in re.finditer(r"^(#{1,6})[ \t]", document, re.M)]
    return 1 - min(levels) if levels else 0


# --- the document's XML ------------------------------------------------------------------------


def _finish(docx: bytes, page: dict[str, Any], when: dt.date, notes: int) -> bytes:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    document = etree.fromstring(parts["word/document.xml"])
    _link_repeated_calls(document, notes, f"{page.get('name') or 'briefing'}.docx")
    _picture_descriptions(document)
    section = document.find(_w("body")).find(_w("sectPr"))
    if section is None:
        section = etree.SubElement(document.find(_w("body")), _w("sectPr"))
    width = _page_setup(section, page.get("page_size") or "A4")
    parts.update(_header_and_footer(document, section, parts, page, width))
    parts["word/document.xml"] = _xml(document)
    parts["word/styles.xml"] = _language(parts["word/styles.xml"], page.get("lang") or "en")
    parts["docProps/core.xml"] = _core_properties(page, when)
    parts["docProps/app.xml"] = _app_properties(page)
    return _zip(parts, when)


def _w(name: str) -> str:
    return f"{{{_W}}}{name}"


def _xml(root: Any) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _link_repeated_calls(document: Any, notes: int, shown: str) -> None:
    """Name each note's bookmark for Word, check there is one footnote per note in order, and turn each later
    call into a NOTEREF field to its note: Word shows the note's number, in the footnote-reference style."""
    from lxml import etree

    order = []
    again: list[tuple[Any, str]] = []
    for start in document.iter(_w("bookmarkStart")):
        name = start.get(_w("name"), "")
        if m := re.fullmatch(_NOTE_ID.format(r"(\d+)"), name):
            order.append(int(m.group(1)))
            start.set(_w("name"), _NOTE_BOOKMARK.format(m.group(1)))
        elif m := re.fullmatch(_AGAIN_ID.format(r"(\d+)", r"\d+"), name):
            again.append((start, m.group(1)))
    footnotes = sum(1 for _ in document.iter(_w("footnoteReference")))
    if order != list(range(1, notes + 1)) or footnotes != notes:
        raise BriefgenError(
            f"{shown}: pandoc wrote {footnotes} footnotes for {notes} cited facts "
            f"(first calls in the order {order[:12]}{'…' if len(order) > 12 else ''})",
            code="BG404", hint="a fault of the Word writer: keep the template and report it",
        )
    for start, number in again:
        parent, ident = start.getparent(), start.get(_w("id"))
        field = etree.Element(_w("fldSimple"), {_w("instr"): f" NOTEREF {_NOTE_BOOKMARK.format(number)} \\f \\h "})
        node = start.getnext()
        while node is not None and not (node.tag == _w("bookmarkEnd") and node.get(_w("id")) == ident):
            following = node.getnext()
            field.append(node)  # the run with the number, the field's shown result
            node = following
        parent.replace(start, field)
        if node is not None:
            parent.remove(node)


def _picture_descriptions(document: Any) -> None:
    """pandoc names a picture given as a data: URL by the whole URL: its description is the alt text instead."""
    drawing = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    for picture in document.iter("{http://schemas.openxmlformats.org/drawingml/2006/picture}cNvPr"):
        if picture.get("descr", "").startswith("data:"):
            frame = next(picture.iterancestors(f"{drawing}inline", f"{drawing}anchor"), None)
            alt = frame.find(f"{drawing}docPr") if frame is not None else None
            picture.set("descr", alt.get("descr", "") if alt is not None else "")


# The order of a section's properties in the schema (CT_SectPr).
_SECTION_ORDER = ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
                  "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
                  "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange"]


def _put(section: Any, element: Any) -> Any:
    """Insert a section property where the schema wants it."""
    rank = _SECTION_ORDER.index(element.tag.rpartition("}")[2])
    for index, child in enumerate(section):
        name = child.tag.rpartition("}")[2] if isinstance(child.tag, str) else ""
        if name in _SECTION_ORDER and _SECTION_ORDER.index(name) > rank:
            section.insert(index, element)
            return element
    section.append(element)
    return element


def _page_setup(section: Any, page_size: str) -> int:
    """The project's page size (portrait); the reference document's margins, else the PDF's. Returns the
    width between the margins."""
    from lxml import etree

    width, height = _PAGE_SIZES.get(page_size, _PAGE_SIZES["A4"])
    size = section.find(_w("pgSz"))
    if size is None:
        size = _put(section, etree.Element(_w("pgSz")))
    size.attrib.clear()
    size.set(_w("w"), str(width))
    size.set(_w("h"), str(height))
    margins = section.find(_w("pgMar"))
    if margins is None:
        margins = _put(section, etree.Element(_w("pgMar"), {_w(k): str(v) for k, v in _PDF_MARGINS.items()}))

    def twips(side: str) -> int:
        try:
            return int(margins.get(_w(side), _PDF_MARGINS[side]))
        except ValueError:
            return _PDF_MARGINS[side]

    return width - twips("left") - twips("right") - twips("gutter")


def _header_and_footer(document: Any, section: Any, parts: dict[str, bytes], page: dict[str, Any], width: int) -> dict[str, bytes]:
    """briefgen's running header and footer, in place of any the reference document has."""
    from lxml import etree

    for old in document.iter(_w("headerReference"), _w("footerReference"), _w("titlePg")):
        old.getparent().remove(old)
    marking = page.get("marking") or ""
    title = page.get("running_title") or page.get("title") or ""
    date = _shown(page["briefing_date"])
    new = {
        "word/briefgen-header-first.xml": ("header", "first", _running("hdr", width, "", marking, "")),
        "word/briefgen-header.xml": ("header", "default", _running("hdr", width, title, marking, date)),
        "word/briefgen-footer.xml": ("footer", "default", _running("ftr", width, "", marking, None)),
        "word/briefgen-footer-first.xml": ("footer", "first", _running("ftr", width, "", marking, None)),
    }
    rels_name = "word/_rels/document.xml.rels"
    rels = etree.fromstring(parts[rels_name])
    types = etree.fromstring(parts["[Content_Types].xml"])
    out: dict[str, bytes] = {}
    for position, (name, (kind, which, xml)) in enumerate(new.items()):
        ident = f"rIdBriefgen{position + 1}"
        etree.SubElement(rels, f"{{{_PACKAGE_RELS}}}Relationship",
                         {"Id": ident, "Type": f"{_R}/{kind}", "Target": name.removeprefix("word/")})
        etree.SubElement(types, f"{{{_CONTENT_TYPES}}}Override", {
            "PartName": f"/{name}",
            "ContentType": f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml",
        })
        reference = etree.Element(_w(f"{kind}Reference"), {_w("type"): which, f"{{{_R}}}id": ident})
        _put(section, reference)
        out[name] = xml
    _put(section, etree.Element(_w("titlePg")))
    out[rels_name] = _xml(rels)
    out["[Content_Types].xml"] = _xml(types)
    return out


def _running(kind: str, width: int, left: str, marking: str, right: str | None) -> bytes:
    """A header (`hdr`) or footer (`ftr`) of one line: `left`, the marking in the middle, `right` (None: the page
    number) on the right, on tab stops at the middle and the right edge of the text."""
    from lxml import etree

    root = etree.Element(_w(kind), nsmap={"w": _W, "r": _R})
    paragraph = etree.SubElement(root, _w("p"))
    properties = etree.SubElement(paragraph, _w("pPr"))
    etree.SubElement(properties, _w("pStyle"), {_w("val"): "Header" if kind == "hdr" else "Footer"})
    tabs = etree.SubElement(properties, _w("tabs"))
    etree.SubElement(tabs, _w("tab"), {_w("val"): "center", _w("pos"): str(width // 2)})
    etree.SubElement(tabs, _w("tab"), {_w("val"): "right", _w("pos"): str(width)})

    def run(text: str | None = None, *, tab: bool = False, strong: bool = False, parent: Any = paragraph) -> None:
        r = etree.SubElement(parent, _w("r"))
        if strong:
            looks = etree.SubElement(r, _w("rPr"))
            for tag, value in (("b", None), ("caps", None), ("color", "1B1F24"), ("spacing", "12")):
                etree.SubElement(looks, _w(tag), {_w("val"): value} if value else {})
        if tab:
            etree.SubElement(r, _w("tab"))
        if text:
            etree.SubElement(r, _w("t"), {_XML_SPACE: "preserve"}).text = _xml_text(text)

    def field(instruction: str, shown: str) -> None:
        simple = etree.SubElement(paragraph, _w("fldSimple"), {_w("instr"): f" {instruction} "})
        run(shown, parent=simple)

    if left:
        run(left)
    run(tab=True)
    if marking:
        run(marking, strong=True)
    run(tab=True)
    if right is None:
        run("Page ")
        field("PAGE", "1")
        run(" of ")
        field("NUMPAGES", "1")
    elif right:
        run(right)
    return _xml(root)


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold: control characters become U+FFFD."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", text)


def _language(styles: bytes, lang: str) -> bytes:
    """The document's language, for spelling and for screen readers, in the default run properties."""
    from lxml import etree

    root = etree.fromstring(styles)
    defaults = root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")
    if defaults is None:
        return styles
    language = defaults.find(_w("lang"))
    if language is None:
        language = etree.SubElement(defaults, _w("lang"))
    language.set(_w("val"), lang)
    return _xml(root)


def _core_properties(page: dict[str, Any], when: dt.date) -> bytes:
    """Title, author, subject, keywords and language; created and modified on the briefing date."""
    from lxml import etree

    cp = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
    dc, dcterms = "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    root = etree.Element(f"{{{cp}}}coreProperties", nsmap={"cp": cp, "dc": dc, "dcterms": dcterms, "xsi": xsi})

    def add(namespace: str, name: str, text: str | None, **attributes: str) -> None:
        if text:
            etree.SubElement(root, f"{{{namespace}}}{name}", attributes).text = _xml_text(text)

    add(dc, "title", page.get("title"))
    add(dc, "subject", page.get("subtitle"))
    add(dc, "creator", page.get("author"))
    add(cp, "keywords", ", ".join(str(word) for word in page.get("keywords") or ()))
    add(dc, "language", page.get("lang"))
    stamp = f"{when.isoformat()}T00:00:00Z"
    add(dcterms, "created", stamp, **{f"{{{xsi}}}type": "dcterms:W3CDTF"})
    add(dcterms, "modified", stamp, **{f"{{{xsi}}}type": "dcterms:W3CDTF"})
    return _xml(root)


def _app_properties(page: dict[str, Any]) -> bytes:
    """The application that wrote the file, and nothing about a reference document's own text."""
    from lxml import etree

    ep = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    root = etree.Element(f"{{{ep}}}Properties", nsmap={None: ep})
    etree.SubElement(root, f"{{{ep}}}Application").text = page.get("generator") or "briefgen"
    return _xml(root)


def _zip(parts: dict[str, bytes], when: dt.date) -> bytes:
    """The package with fixed entry dates (the briefing date) and order: the same parts, the same bytes."""
    stamp = (when.year, when.month, when.day, 0, 0, 0) if when.year >= 1980 else (1980, 1, 1, 0, 0, 0)  # ZIP's epoch
    names = ["[Content_Types].xml", *sorted(name for name in parts if name != "[Content_Types].xml")]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name in names:
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 3, 0o644 << 16
            package.writestr(info, parts[name])
    return out.getvalue()
