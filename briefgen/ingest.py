"""Getting an article in: the text and the metadata of a saved web page, a PDF report, a URL or plain text.

What is read is only what the document states. A web page's main text and metadata (title, site name,
author, date, canonical URL, language) come from trafilatura, the field's standard extractor; a PDF's text
comes page by page from PDFium (pypdfium2), with a form feed on a line of its own between pages so that a
passage can be found on its page. A URL is fetched once, only when asked, with a timeout, a size cap, a
content-type check and no redirect to another scheme: the only network use in briefgen.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from briefgen import __version__
from briefgen.errors import BriefgenError
from briefgen.files import Unreadable, read_bytes

MAX_DOCUMENT_BYTES = 50_000_000
FETCH_TIMEOUT = 20.0  # seconds, for the whole fetch
PAGE_BREAK = "\n\f\n"  # between the pages of a PDF's text
MIN_ARTICLE_WORDS = 15  # fewer, and what a page's extraction found is a menu or a banner, not an article

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_KINDS = {**dict.fromkeys(_HTML_TYPES, "html"), "application/pdf": "pdf", "text/plain": "text"}
# What a file that is none of text, HTML or PDF most likely is, by its first bytes, and what to do instead.
_BINARY = [
    (b"\x89PNG", "a PNG image", "briefgen archives text: save the article as a web page or PDF, or OCR the image"),
    (b"\xff\xd8\xff", "a JPEG image", "briefgen archives text: save the article as a web page or PDF, or OCR the image"),
    (b"GIF8", "a GIF image", "briefgen archives text: save the article as a web page or PDF, or OCR the image"),
    (b"PK\x03\x04", "a ZIP archive (a Word or OpenDocument file is one)", "save the document as PDF or plain text first"),
    (b"\xd0\xcf\x11\xe0", "an old Office document", "save the document as PDF or plain text first"),
]


@dataclass
class Document:
    """An article as read: the text to archive and what the document itself states about it."""

    kind: str  # "text", "html" or "pdf"
    text: str  # paragraphs separated by blank lines; a PDF's pages by PAGE_BREAK
    original: bytes | None = None  # the file as received, archived beside the text (web pages and PDFs)
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD, as the document's markup states it
    url: str | None = None
    lang: str | None = None
    pages: int | None = None
    notes: list[str] = field(default_factory=list)  # what the reader should know about how it was read

    @property
    def suffix(self) -> str:
        return {"html": ".html", "pdf": ".pdf"}.get(self.kind, ".txt")


def read_document(location: str, *, timeout: float = FETCH_TIMEOUT, max_bytes: int | None = None) -> Document:
    """Read a file (a path) or fetch a URL (http or https), then read what it holds."""
    max_bytes = max_bytes or MAX_DOCUMENT_BYTES
    if re.match(r"(?i)https?://", location):
        raw, content_type, charset, final_url = fetch(location, timeout=timeout, max_bytes=max_bytes)
        document = read_bytes_as(raw, location, content_type, charset)
        document.url = document.url or final_url
        return document
    if re.match(r"(?i)[a-z][a-z0-9+.-]*://", location):
        raise BriefgenError(f"{location}: briefgen fetches http and https URLs only", code="BG013")
    path = Path(location)
    try:
        raw = read_bytes(path, max_bytes, None)
    except Unreadable as problem:
        code = {"missing": "BG005", "too-large": "BG006"}.get(problem.kind, "BG007")
        raise BriefgenError(f"{location} {problem.detail}", code=code) from None
    return read_bytes_as(raw, location, None, None)


def read_bytes_as(raw: bytes, shown: str, content_type: str | None, charset: str | None) -> Document:
    """Read a document's bytes as what they are: a PDF by its signature, a web page by its markup (or the
    server's content type), else text: UTF-8, or the charset the server names."""
    if not raw.strip():
        raise BriefgenError(f"{shown} is empty", code="BG008")
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if raw.startswith(b"%PDF-") or content_type == "application/pdf":
        return read_pdf(raw, shown)
    if content_type in _HTML_TYPES or head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in raw[:4096].lower():
        return read_html(_decoded(raw, shown, charset) if charset else raw, shown)
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        return read_plain(_decoded(raw, shown, charset).encode("utf-8"), shown)
    return read_plain(raw, shown)


def _decoded(raw: bytes, shown: str, charset: str) -> str:
    """Bytes in the charset a server names for them."""
    try:
        return raw.decode(charset)
    except LookupError:
        raise BriefgenError(f"{shown} is in '{charset}', a character set Python does not know", code="BG007") from None
    except UnicodeDecodeError as exc:
        raise BriefgenError(f"{shown} is not {charset} as its server says: byte 0x{raw[exc.start]:02x} at offset "
                            f"{exc.start} cannot be decoded", code="BG007") from None


def read_plain(raw: bytes, shown: str) -> Document:
    for signature, what, hint in _BINARY:
        if raw.startswith(signature):
            raise BriefgenError(f"{shown} is {what}, not an article's text, web page or PDF", hint=hint, code="BG007")
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        raise BriefgenError(f"{shown} is binary, not text (NUL byte at offset {offset})",
                            hint="briefgen reads plain text (UTF-8), saved web pages and PDFs", code="BG007")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise BriefgenError(
            f"{shown} is not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded",
            hint="save the text as UTF-8", code="BG007",
        ) from None
    return Document(kind="text", text=text)


def read_html(raw: bytes | str, shown: str) -> Document:
    """The article in a saved web page: its main text, without menus, links lists or comments, and the
    metadata the page states (OpenGraph, JSON-LD, meta tags, <title>, <html lang>)."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        raw,
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        # Only dates the page's markup states (meta tags, JSON-LD, <time>), never guesses from its text.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    paragraphs = [p.strip() for p in (extracted.text or "").splitlines() if p.strip()] if extracted else []
    if sum(len(p.split()) for p in paragraphs) < MIN_ARTICLE_WORDS:  # a menu or a banner is not an article
        raise BriefgenError(
            f"{shown} has no article text that briefgen can find: the page may be a list of links, a login or "
            "cookie wall, or built by scripts after it loads",
            hint="save the page from the browser once the article shows, or copy the article's text into a .txt file",
            code="BG012",
        )
    title = _clean(extracted.title)
    if title and paragraphs[0] != title:
        paragraphs.insert(0, title)  # the headline is part of what can be quoted
    head = raw[:20000] if isinstance(raw, str) else raw[:20000].decode("utf-8", "replace")
    found = re.search(r"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)", head, re.I)
    lang = found.group(1) if found else None
    return Document(
        kind="html",
        text="\n\n".join(paragraphs) + "\n",
        original=raw if isinstance(raw, bytes) else raw.encode("utf-8"),
        title=title,
        publisher=_publisher(extracted.sitename, extracted.hostname),
        author=_clean(extracted.author),
        published=extracted.date if extracted.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", extracted.date) else None,
        url=extracted.url if extracted.url and re.match(r"https?://", extracted.url) else None,
        lang=_clean(lang),
    )


def _publisher(sitename: str | None, hostname: str | None) -> str | None:
    """The site name the page states; a bare host name (which the extractor may fall back to) states none."""
    name = _clean(sitename)
    if not name or (hostname and name.lower() in (hostname.lower(), hostname.lower().removeprefix("www."))):
        return None
    return name


def read_pdf(raw: bytes, shown: str) -> Document:
    """A PDF's text, page by page, with its title when the PDF states a real one."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise BriefgenError(f"{shown} is encrypted with a password", code="BG012",
                                hint="open it with its password and save or print a copy without one, then add that") from None
        raise BriefgenError(f"{shown} is not a PDF that can be read ({str(exc).split('(')[-1].rstrip(').')})",
                            hint="download the file again; it may be cut short", code="BG012") from None
    try:
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages.append(_page_text(textpage.get_text_bounded()))
            textpage.close()
            page.close()
        metadata = pdf.get_metadata_dict()
    finally:
        pdf.close()
    if not any(pages):
        raise BriefgenError(
            f"{shown} has no text layer: " + ("its 1 page is an image" if len(pages) == 1 else f"its {len(pages)} pages are images"),
            hint="run OCR on it first (e.g. ocrmypdf, from Debian's packages), then add the result", code="BG012",
        )
    title = _clean(metadata.get("Title"))
    if title and re.search(r"(?i)\.(docx?|pdf|indd|pptx?)$|^microsoft word|^untitled", title):
        title = None  # a file name, not a title
    document = Document(kind="pdf", text=PAGE_BREAK.join(pages) + "\n", original=raw, title=title,
                        author=_clean(metadata.get("Author")), pages=len(pages))
    empty = [str(n) for n, text in enumerate(pages, start=1) if not text]
    if empty:
        if len(empty) == 1:
            document.notes.append(f"page {empty[0]} has no text layer (an image): quotes from it cannot be checked")
        else:
            document.notes.append(f"pages {', '.join(empty)} have no text layer (images): quotes from them cannot be checked")
    return document


def _page_text(text: str) -> str:
    """One page's text as PDFium gives it, in plain lines: CRLF made LF, its hyphen marks made hyphens."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A word the typesetter broke at the end of a line ("rein‐" / "forcements", with a hyphenation hyphen, a
    # soft hyphen or PDFium's mark for one) is joined again, so that a quote of it can be found; a plain
    # hyphen-minus stays, since it may belong to the word ("240-" / "millimetre").
    text = re.sub(r"(?<=[^\W\d_])[\u2010\u00ad\x02\ufffe]\n(?=[^\W\d_A-Z])", "", text)
    text = text.replace("\x02", "-").replace("\ufffe", "-")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", text)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _clean(value: str | None) -> str | None:
    """A metadata value on one line, without the control characters a page may hide in it."""
    text = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", value or "").split())
    return text or None


# --- fetching a URL -------------------------------------------------------------------------------------


class _SameSchemeRedirects(urllib.request.HTTPRedirectHandler):
    """Follows at most 5 redirects, within http(s), and never from https down to http."""

    max_redirections = 5

    def http_error_302(self, req, fp, code, msg, headers):  # noqa: ANN001, ANN201 - urllib's signature
        target = headers.get("location") or headers.get("uri")
        if target:
            newurl = urljoin(req.full_url, target)
            old, new = urlsplit(req.full_url).scheme.lower(), urlsplit(newurl).scheme.lower()
            if new not in ("http", "https") or (old == "https" and new == "http"):
                raise BriefgenError(
                    f"{req.full_url} redirects to {newurl}, another scheme; briefgen follows redirects only within "
                    "http and https, and never from https to http", code="BG013",
                )
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def fetch(url: str, *, timeout: float = FETCH_TIMEOUT, max_bytes: int | None = None) -> tuple[bytes, str, str | None, str]:
    """GET `url` once: (the body, its content type, its charset if named, the URL it came from after redirects).

    `timeout` bounds the whole fetch, not each read: a server that sends a byte at a time is cut off too."""
    max_bytes = max_bytes or MAX_DOCUMENT_BYTES
    opener = urllib.request.build_opener(_SameSchemeRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": f"briefgen/{__version__} (add-source)",
                                                   "Accept": "text/html, application/xhtml+xml, application/pdf, text/plain"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type not in _KINDS:
                raise BriefgenError(f"{url} serves {content_type}, not a web page, a PDF or plain text", code="BG013",
                                    hint="give the address of the article itself, or save it and add the file")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise BriefgenError(f"{url} is {int(length):,} bytes, more than the {max_bytes:,} bytes briefgen reads",
                                    code="BG013")
            chunks, size = [], 0
            while chunk := response.read1(65536):  # what one read of the socket brings, so the deadline holds
                size += len(chunk)
                if size > max_bytes:
                    raise BriefgenError(f"{url} sent more than the {max_bytes:,} bytes briefgen reads", code="BG013")
                if time.monotonic() > deadline:
                    raise TimeoutError
                chunks.append(chunk)
            return b"".join(chunks), content_type, response.headers.get_content_charset(), response.geturl()
    except urllib.error.HTTPError as exc:
        raise BriefgenError(f"{url} answered HTTP {exc.code} {exc.reason}", code="BG013") from None
    except (TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError) or "timed out" in str(reason):
            raise BriefgenError(f"{url} did not answer within {timeout:g} s", code="BG013",
                                hint="try again later, or save the page in a browser and add the file") from None
        raise BriefgenError(f"{url} cannot be fetched: {getattr(reason, 'strerror', None) or reason}", code="BG013") from None
