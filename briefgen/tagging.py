"""A PDF that assistive technology can read: corrections to WeasyPrint's tagger for PDF/UA-1.

WeasyPrint 70.0 tags the PDF (`pdf_tags`) and, asked for the `pdf/ua-1` variant, writes the XMP metadata
(`dc:title`, `pdfuaid:part`). Its tag tree misses four points of PDF/UA-1 that software can check, and
`accessible_tags()` corrects them, for the one release it was written for, while a briefing is written:

- Running headers, footers and page numbers (the page's margin boxes) are drawn as tagged content whose
  structure elements hang from nothing, so their marked content is unreachable from the structure tree (its
  source says: "It could be included in tree as Artifact, but that's only allowed in PDF 2.0"). Here they are
  drawn inside `/Artifact` marked content and left out of the tree, which PDF 1.7 allows.
- A footnote body is a `Span`; here it is a `Note` with a unique `ID`, its number a `Lbl`, and the call in
  the text a `Reference`.
- A link's alternative text is its target ("fn:11"); here a link to a note says "Footnote 11", and a link
  to a place in the document says what its words say.
- An empty element (`<a id="…">`, the target of a repeated call) becomes an empty `Link`; here elements with
  no content are left out of the tree.

Another WeasyPrint release is left alone: the PDF is still tagged, but does not claim PDF/UA-1.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from briefgen.layout import is_stock

# The stock functions these corrections wrap, by WeasyPrint version: the SHA-256 of their sources, joined.
_STOCK = {"70.0": "2e7db577933e8cf2dffef1143ca8f20900b763abe4e5aaa642926e69fbb805aa"}


def _stock_functions() -> tuple:
    from weasyprint import draw
    from weasyprint.pdf import stream, tags

    return tags._build_box_tree, draw.draw_stacking_context, stream.Stream.marked, stream.Stream.artifact


def corrections_apply() -> bool:
    """Whether this WeasyPrint is the release the tagging corrections were written for."""
    return is_stock(_stock_functions(), _STOCK)


@contextmanager
def accessible_tags(enabled: bool = True) -> Iterator[bool]:
    """Tag with the corrections while inside; yields whether they are on (and the PDF may claim PDF/UA-1)."""
    if not enabled or not corrections_apply():
        yield False
        return
    from weasyprint import draw
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import tags

    build_box_tree, draw_stacking_context = tags._build_box_tree, draw.draw_stacking_context

    def draw_running_content_as_artifact(stream, stacking_context):  # noqa: ANN001, ANN202
        if stream._tags is None or not isinstance(stacking_context.box, boxes.MarginBox):
            return draw_stacking_context(stream, stacking_context)
        kept, stream._tags = stream._tags, None  # nothing inside is marked as tagged content
        try:
            with _artifact(stream):
                return draw_stacking_context(stream, stacking_context)
        finally:
            stream._tags = kept

    def build_readable_tree(box, parent, pdf, page_number, nums, annotations, tags_):  # noqa: ANN001, ANN202
        if isinstance(box, boxes.MarginBox):
            return  # drawn as an artifact: nothing to tag
        for element in build_box_tree(box, parent, pdf, page_number, nums, annotations, tags_):
            if not element["K"]:
                continue  # an element with no content, such as the anchor of a repeated call
            _name(element, box)
            yield element

    tags._build_box_tree, draw.draw_stacking_context = build_readable_tree, draw_running_content_as_artifact
    try:
        yield True
    finally:
        tags._build_box_tree, draw.draw_stacking_context = build_box_tree, draw_stacking_context


@contextmanager
def _artifact(stream) -> Iterator[None]:  # noqa: ANN001 - a weasyprint Stream
    """Pagination artifact marked content (PDF 1.7, 14.8.2.2): read by no screen reader, kept off the tree."""
    import pydyf

    # pydyf's Stream.begin_marked_content, not WeasyPrint's (which would tag it)
    pydyf.Stream.begin_marked_content(stream, "Artifact", pydyf.Dictionary({"Type": "/Pagination"}))
    try:
        yield
    finally:
        pydyf.Stream.end_marked_content(stream)


def _name(element, box) -> None:  # noqa: ANN001 - a pydyf Dictionary and a WeasyPrint box
    """Give a note, its label, its call and a link the tag and the words a screen reader needs."""
    import pydyf

    tag = box.element_tag if box.element is not None else None
    number = box.element.get("data-n") if box.element is not None else None
    if tag == "span" and number and "footnote" in (box.element.get("class") or "").split():  # a note's body
        element["S"] = "/Note"
        element["ID"] = pydyf.String(f"note-{number}")
    elif tag == "span::footnote-marker":
        element["S"] = "/Lbl"
    elif tag == "span::footnote-call":
        element["S"] = "/Reference"
    if box.link_annotation is not None:
        box.link_annotation["Contents"] = pydyf.String(_link_text(box))


def _link_text(box) -> str:  # noqa: ANN001 - a WeasyPrint box
    """What a link says to someone who cannot see it: "Footnote 11", or its own words, or its address."""
    element = box.element
    words = " ".join("".join(element.itertext()).split()) if element is not None else ""
    if element is not None and "footnote-again" in (element.get("class") or "").split():
        return f"Footnote {words}"
    return words or (element.get("href", "") if element is not None else "")
