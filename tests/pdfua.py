"""A machine check of the PDF/UA-1 points that software can check, read from the PDF file itself.

pikepdf reads the structure tree, the annotations and the marked content of each page; pypdf decodes the text
inside each marked-content sequence, so running headers and page numbers can be told from the body.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdf

TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


@dataclass
class Tagging:
    """What the PDF says of itself and what its pages hold."""

    findings: list[str] = field(default_factory=list)  # each PDF/UA-1 point not met, in words
    tags: Counter = field(default_factory=Counter)  # structure types, counted
    artifact_text: dict[int, str] = field(default_factory=dict)  # page (from 1) → text drawn as artifacts
    tagged_text: dict[int, str] = field(default_factory=dict)  # page → text drawn as tagged content
    link_texts: list[str] = field(default_factory=list)  # every link annotation's alternative text


def pdfua_check(path: Path) -> Tagging:
    result = Tagging()
    with pikepdf.open(path) as pdf:
        _metadata(pdf, result)
        pages = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        reachable = _structure(pdf, pages, result)
        for number, page in enumerate(pdf.pages, start=1):
            _content(page, number, reachable, result)
            _annotations(page, number, result)
    _texts(path, result)
    return result


def _metadata(pdf: pikepdf.Pdf, result: Tagging) -> None:
    with pdf.open_metadata() as xmp:
        if xmp.get("pdfuaid:part") != "1":
            result.findings.append("XMP metadata does not claim PDF/UA-1 (pdfuaid:part)")
        if not (xmp.get("dc:title") or "").strip():
            result.findings.append("XMP metadata has no dc:title")
    root = pdf.Root
    if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
        result.findings.append("the catalog's MarkInfo does not say Marked")
    if not str(root.get("/Lang", "")).strip():
        result.findings.append("the catalog gives no Lang")
    if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
        result.findings.append("ViewerPreferences does not say DisplayDocTitle")


def _structure(pdf: pikepdf.Pdf, pages: dict, result: Tagging) -> set[tuple[int, int]]:
    """Walk the structure tree from its root: the (page, MCID) pairs it reaches, counting types on the way."""
    reachable: set[tuple[int, int]] = set()
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        result.findings.append("the PDF is not tagged (no StructTreeRoot)")
        return reachable
    ids: Counter = Counter()
    stack = [(kid, None) for kid in _kids(root)]
    while stack:
        node, page = stack.pop()
        if isinstance(node, int):
            if page is None:
                result.findings.append(f"MCID {node} has no page")
            else:
                reachable.add((page, int(node)))
            continue
        if not isinstance(node, pikepdf.Dictionary):
            continue
        kind = str(node.get("/Type", ""))
        page = pages.get(node.Pg.objgen, page) if "/Pg" in node else page
        if kind == "/MCR":
            reachable.add((page, int(node.MCID)))
            continue
        if kind == "/OBJR":
            continue
        tag = str(node.S)
        result.tags[tag] += 1
        kids = _kids(node)
        if not kids:
            result.findings.append(f"an empty {tag[1:]} element")
        if tag == "/Link" and not any(isinstance(k, int) or str(getattr(k, "get", dict().get)("/Type", "")) == "/MCR" for k in kids):
            result.findings.append("a Link element with no text")
        if tag == "/Note":
            if "/ID" not in node:
                result.findings.append("a Note element without an ID")
            else:
                ids[str(node.ID)] += 1
        stack.extend((kid, page) for kid in kids)
    result.findings += [f"Note ID {i} is used {n} times" for i, n in ids.items() if n > 1]
    return reachable


def _kids(node: pikepdf.Object) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _content(page: pikepdf.Page, number: int, reachable: set, result: Tagging) -> None:
    """Every piece of text is tagged content reachable from the tree, or an artifact."""
    stack: list[str | int] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "BMC":
            stack.append(str(operands[0]))
        elif op == "BDC":
            properties = operands[1]
            mcid = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
            stack.append(int(mcid) if mcid is not None else str(operands[0]))
            if mcid is not None and (number, int(mcid)) not in reachable:
                result.findings.append(f"page {number}: MCID {int(mcid)} is not reachable from the structure tree")
        elif op == "EMC":
            stack.pop()
        elif op in TEXT_OPERATORS and not any(isinstance(m, int) or m == "/Artifact" for m in stack):
            result.findings.append(f"page {number}: text neither tagged nor an artifact")


def _annotations(page: pikepdf.Page, number: int, result: Tagging) -> None:
    annotations = list(page.obj.get("/Annots", []))
    if annotations and str(page.obj.get("/Tabs", "")) != "/S":
        result.findings.append(f"page {number} has annotations but its tab order is not the structure order")
    for annotation in annotations:
        if annotation.get("/Subtype") != "/Link":
            continue
        text = str(annotation.get("/Contents", ""))
        result.link_texts.append(text)
        if not text.strip():
            result.findings.append(f"page {number}: a link without alternative text")
        if "/StructParent" not in annotation:
            result.findings.append(f"page {number}: a link annotation outside the structure tree")


def _texts(path: Path, result: Tagging) -> None:
    """The words drawn as artifacts and as tagged content, page by page (pypdf decodes the fonts)."""
    for number, page in enumerate(pypdf.PdfReader(path).pages, start=1):
        artifact, tagged = _split_text(page)
        result.artifact_text[number], result.tagged_text[number] = artifact, tagged


def _split_text(page: pypdf.PageObject) -> tuple[str, str]:
    stack: list[bool] = []  # for each open marked-content sequence: is it an artifact?
    texts: dict[bool, list[str]] = {True: [], False: []}

    def before(op: bytes, args: list, cm: list, tm: list) -> None:
        if op in (b"BMC", b"BDC"):
            stack.append(args[0] == "/Artifact")
        elif op == b"EMC" and stack:
            stack.pop()

    def text(words: str, *_: object) -> None:
        texts[any(stack)].append(words)

    page.extract_text(visitor_operand_before=before, visitor_text=text)
    return tuple(re.sub(r"\s+", " ", "".join(texts[flag])).strip() for flag in (True, False))  # type: ignore[return-value]
