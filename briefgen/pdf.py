"""HTML → PDF with WeasyPrint: a URL fetcher locked to the project, and deterministic output.

WeasyPrint is imported inside the functions: `check` and Markdown/HTML-only builds never pay for it.
"""

from __future__ import annotations

import logging
import mimetypes
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname
from xml.etree import ElementTree

from briefgen.files import Unreadable, read_bytes
from briefgen.layout import FootnoteProof, corrected_footnote_layout, prove_footnotes
from briefgen.loading import gc_relaxed
from briefgen.resources import BlockedResource, refusal
from briefgen.tagging import accessible_tags


def _fetcher_class():  # noqa: ANN202 - the class is built lazily so importing this module stays cheap
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Stop(FatalURLFetchingError):
        """Raised from the fetcher: WeasyPrint lets only this kind of exception stop a render."""

    class ProjectFetcher(URLFetcher):
        """Serves `data:` URLs, and images and fonts inside the allowed folders; refuses everything else (see
        resources.refusal): the network, files elsewhere, hidden files, and any other project file.

        With policy "error" the first refusal stops the render; with "warn" the resource is left out and
        the render goes on. Either way nothing outside the project is read and no request is made.
        """

        def __init__(self, allowed: list[Path], policy: str) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=1)
            self.allowed = [p.resolve() for p in allowed]
            self.policy = policy
            self.blocked: list[BlockedResource] = []

        def fetch(self, url: str, headers: dict | None = None):  # noqa: ANN201
            reason = refusal(url, self.allowed)
            if reason is None and url.lower().startswith("file:"):
                reason = self._read_file(url)
                if not isinstance(reason, str):
                    return reason
            if reason is None:
                return super().fetch(url, headers)  # a data: URL
            self.refuse(url, reason)
            raise ValueError(self.blocked[-1].message)  # WeasyPrint skips the resource and goes on

        def _read_file(self, url: str) -> URLFetcherResponse | str:
            """A project file, read under the file rule (files.py): a FIFO or a device is refused, not read."""
            path = Path(url2pathname(unquote(urlsplit(url).path)))
            try:
                body = read_bytes(path, RESOURCE_BYTES, self.allowed)
            except Unreadable as problem:
                return f"which {problem.detail}"
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": kind})

        def refuse(self, url: str, reason: str) -> None:
            """Records a refusal; with policy "error" it stops the render."""
            self.blocked.append(BlockedResource(url, reason, "error" if self.policy == "error" else "warning"))
            if self.policy == "error":
                raise Stop(self.blocked[-1].message)

    return ProjectFetcher, Stop


def _refuse_attachments(root: ElementTree.Element, fetcher: Any) -> None:
    """WeasyPrint embeds in the PDF the file of any <link> or <a> with rel="attachment"; briefgen never puts
    one there, so each is refused, in the tree WeasyPrint lays out, by WeasyPrint's own test of the link type."""
    from weasyprint.html import element_has_link_type

    for element in root.iter():
        if isinstance(element.tag, str) and element_has_link_type(element, "attachment"):
            fetcher.refuse(element.get("href") or "", "a file attachment, which briefgen never puts in a PDF")
            del element.attrib["rel"]  # with policy "warn": the link stays, its file is not attached


# The largest image or font a briefing may load.
RESOURCE_BYTES = 50_000_000


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings (bad CSS, missing images) so the CLI can show them once, cleanly."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class RenderedPdf:
    """A laid-out PDF and what was found while making it."""

    pdf: bytes
    pages: int
    warnings: list[str]  # WeasyPrint's own warnings (bad CSS, missing fonts)
    refused: list[tuple[str, str, str]]  # resources refused: url, reason, level
    footnotes: FootnoteProof  # where each note landed, read from the laid-out pages
    proof_seconds: float  # what reading the laid-out pages cost


def render_pdf(html: str, base_url: Path, allowed: list[Path], policy: str = "error", tags: bool = True) -> RenderedPdf:
    """Lay out print HTML with the footnote correction, prove where every note landed, and write the PDF.

    `tags` makes a tagged PDF, which screen readers need, and claims PDF/UA-1 where the tagging corrections
    apply; it costs a few per cent of the time.
    """
    with gc_relaxed(), _page_references_kept(), corrected_footnote_layout(), accessible_tags(tags) as accessible:
        return _render_pdf(html, base_url, allowed, policy, tags, "pdf/ua-1" if accessible else None)


@contextmanager
def _page_references_kept() -> Iterator[None]:
    """Keep the PDF writer's list of page references instead of rebuilding it at every use.

    pydyf builds a tuple of every page's reference each time `page_references` is read, and the PDF tagger
    reads it once per tagged element: quadratic in the page count, about 15% of the PDF time at 600
    pages. The cached tuple is rebuilt whenever a page is added, so the PDF is byte for byte the same.
    """
    import pydyf

    stock = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(stock, property):  # a pydyf that does it differently: leave it alone
        yield
        return

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        kept = pdf.__dict__.get("_briefgen_page_references")
        if kept is None or kept[0] != len(kids):
            kept = (len(kids), stock.fget(pdf))
            pdf.__dict__["_briefgen_page_references"] = kept
        return kept[1]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = stock


def _render_pdf(html: str, base_url: Path, allowed: list[Path], policy: str, tags: bool, variant: str | None) -> RenderedPdf:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fetcher_class, stop = _fetcher_class()
    fetcher = fetcher_class(allowed, policy)
    logger = logging.getLogger("weasyprint")
    collect = _Collect()
    logger.addHandler(collect)
    propagate, logger.propagate = logger.propagate, False
    try:
        page = weasyprint.HTML(string=html, base_url=base_url.resolve().as_uri() + "/", url_fetcher=fetcher)
        _refuse_attachments(page.etree_element, fetcher)
        document = page.render(font_config=FontConfiguration())
        started = time.perf_counter()
        proof = prove_footnotes(document)
        proof_seconds = time.perf_counter() - started
        pdf = b"" if proof.faults else document.write_pdf(pdf_tags=tags, pdf_variant=variant)  # a faulty PDF is never written
    except stop:
        raise fetcher.blocked[-1] from None
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
    refused = {b.message for b in fetcher.blocked}
    messages = [m for m in collect.messages if not any(r in m for r in refused)]
    refused_resources = [(b.url, b.reason, b.level) for b in fetcher.blocked]
    return RenderedPdf(pdf, len(document.pages), messages, refused_resources, proof, proof_seconds)
