"""Markdown → HTML: endnotes with back-links for the screen, footnotes moved inline for print."""

from __future__ import annotations

import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.extensions.footnotes import NBSP_PLACEHOLDER, FootnoteExtension, FootnoteInlineProcessor
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor

_FOOTNOTES = {
    "BACKLINK_TEXT": "↩",
    "BACKLINK_TITLE": "Back to reference {}",
    "SUPERSCRIPT_TEXT": "{}",
}


def to_html(text: str, *, for_print: bool = False) -> str:
    """Convert briefing Markdown to an HTML fragment.

    On screen, footnotes are endnotes with back-links. For print, each note moves to its first call as a
    `<span class="footnote">` (which the stylesheet floats to the page bottom), and later calls of the
    same note become links that keep its number.
    """
    extensions: list[Extension | str] = [
        _Footnotes(**_FOOTNOTES),
        "tables",
        "sane_lists",
        TocExtension(permalink=False),
    ]
    extensions.append(_LeadIns())
    extensions.append(_PrintFootnotes() if for_print else _NamedBackLinks())
    return markdown.markdown(text, extensions=extensions, output_format="html")


class _Footnotes(FootnoteExtension):
    """Python-Markdown's footnotes, with each call's number looked up rather than searched for.

    The stock processor finds a call's number by building and searching the list of every note, for every
    call: quadratic, and most of the HTML stage at 5,000 facts.
    """

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        super().extendMarkdown(md)
        md.inlinePatterns.register(_FootnoteCall(r"\[\^([^\]]*)\]", self), "footnote", 175)


class _FootnoteCall(FootnoteInlineProcessor):
    """A footnote call `[^n]`, numbered in order of definition (the extension's default) from an index."""

    def __init__(self, pattern: str, footnotes: FootnoteExtension) -> None:
        super().__init__(pattern, footnotes)
        self.numbers: dict[str, int] = {}
        self.referenced: set[str] = set()

    def handleMatch(self, m, data):  # noqa: ANN001, ANN201 - the signature of the method it replaces
        notes = self.footnotes
        ident = m.group(1)
        if ident not in notes.footnotes or not notes.getConfig("USE_DEFINITION_ORDER"):
            return super().handleMatch(m, data)
        if len(self.numbers) != len(notes.footnotes) or ident not in self.numbers:  # index the notes once
            self.numbers = {key: n for n, key in enumerate(notes.footnotes, start=1)}
            self.referenced = set(notes.footnote_order)
        if ident not in self.referenced:
            self.referenced.add(ident)
            notes.footnote_order.append(ident)
        sup = etree.Element("sup", {"id": notes.makeFootnoteRefId(ident, found=True)})
        link = etree.SubElement(sup, "a", {"href": "#" + notes.makeFootnoteId(ident), "class": "footnote-ref"})
        link.text = notes.getConfig("SUPERSCRIPT_TEXT").format(self.numbers[ident])
        return sup, m.start(0), m.end(0)


class _LeadIns(Extension):
    """Marks a paragraph that introduces a table (class "lead-in"), so print keeps the two together."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_MarkLeadIns(md), "briefgen-lead-ins", 4)


class _MarkLeadIns(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            children = list(parent)
            for before, after in zip(children, children[1:], strict=False):
                if before.tag == "p" and after.tag == "table" and before.get("class") is None:
                    before.set("class", "lead-in")


class _NamedBackLinks(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_NameBackLinks(md), "briefgen-named-back-links", 5)


class _NameBackLinks(Treeprocessor):
    """Each back-link says where it goes, for a screen reader: "Back to reference 11" (and "2 of 3" when the
    note is cited from several places), not the bare arrow it shows."""

    def run(self, root: etree.Element) -> None:
        container = next((el for el in root.iter("div") if el.get("class") == "footnote"), None)
        notes = container.find("ol") if container is not None else None
        for number, note in enumerate(notes if notes is not None else [], start=1):
            links = [a for a in note.iter("a") if a.get("class") == "footnote-backref"]
            for k, link in enumerate(links, start=1):
                label = f"Back to reference {number}" + (f" ({k} of {len(links)})" if len(links) > 1 else "")
                link.set("aria-label", label)
                link.set("title", label)


class _PrintFootnotes(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After the footnote extension has numbered notes and marked repeated calls (priority 15).
        md.treeprocessors.register(_InlineFootnotes(md), "briefgen-inline-footnotes", 5)


class _InlineFootnotes(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        container = next((el for el in root.iter("div") if el.get("class") == "footnote"), None)
        if container is None:
            return
        notes = {li.get("id"): li for li in container.iter("li")}
        placed: set[str] = set()
        for parent in list(root.iter()):
            for child in list(parent):
                link = child.find("a") if child.tag == "sup" else None
                if link is None or link.get("class") != "footnote-ref":
                    continue
                note_id = link.get("href", "").lstrip("#")
                number = link.text or ""
                if note_id in placed or note_id not in notes:
                    replacements = [etree.Element("a", {"class": "footnote-again", "href": f"#{note_id}"})]
                    replacements[0].text = number
                else:
                    placed.add(note_id)
                    # The link target sits in the text at the first call, not on the floated note, whose
                    # anchor WeasyPrint can lose when footnote-policy moves a line to the next page.
                    anchor = etree.Element("a", {"class": "footnote-anchor", "id": note_id})
                    replacements = [anchor, _note_span(notes[note_id], number)]
                replacements[-1].tail = child.tail
                index = list(parent).index(child)
                _join_to_previous_word(parent, index)
                parent.remove(child)
                for offset, element in enumerate(replacements):
                    parent.insert(index + offset, element)
        _remove(root, container)


# U+2060 WORD JOINER: no line break here. (A nowrap span around word and call would do the same in CSS, but
# WeasyPrint 70 then breaks the line before the span's paragraph text oddly.)
_WORD_JOINER = "\u2060"


def _join_to_previous_word(parent: etree.Element, index: int) -> None:
    """Forbid a line break between a call and the word before it: a call never starts a line."""
    if index:
        previous = parent[index - 1]
        if previous.tail and not previous.tail[-1].isspace():
            previous.tail += _WORD_JOINER
    elif parent.text and not parent.text[-1].isspace():
        parent.text += _WORD_JOINER


def _note_span(li: etree.Element, number: str) -> etree.Element:
    """The note's inline content in one span: no block elements and no back-link, which break print layout."""
    span = etree.Element("span", {"class": "footnote", "data-n": number})
    for block in li:
        for el in list(block):
            if el.get("class") == "footnote-backref":
                block.remove(el)
        text = (block.text or "").replace(NBSP_PLACEHOLDER, "")
        if len(span):
            span[-1].tail = f"{span[-1].tail or ''} {text}"
        else:
            span.text = f"{span.text} {text}" if span.text else text
        for el in block:
            el.tail = (el.tail or "").replace(NBSP_PLACEHOLDER, "")
            span.append(el)
    span.text = (span.text or "").lstrip()
    if len(span):
        span[-1].tail = (span[-1].tail or "").rstrip()
    else:
        span.text = span.text.rstrip()
    return span


def _remove(root: etree.Element, target: etree.Element) -> None:
    for parent in root.iter():
        if target in list(parent):
            parent.remove(target)
            return
