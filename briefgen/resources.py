"""Which resources a briefing may load: data: URLs and files inside the project, nothing else.

The PDF renderer asks before fetching anything (pdf.py); the standalone HTML is scanned for the same
references, because a reader's browser would fetch them when the file is opened.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

from briefgen.errors import BriefgenError


class BlockedResource(BriefgenError):
    """The briefing asked for a file outside the project or for anything on the network."""

    def __init__(self, url: str, reason: str, level: str = "error") -> None:
        super().__init__(
            f"the briefing refers to {url!r}, {reason}; nothing was fetched",
            hint="templates and stylesheets may use only files inside the project and data: URLs",
            code="BG402",
        )
        self.url = url
        self.reason = reason
        self.level = level

    def diagnostics(self) -> list:
        return [replace(d, level=self.level) for d in super().diagnostics()]


def refusal(url: str, allowed: list[Path]) -> str | None:
    """Why an absolute URL may not be loaded, or None when it may."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return None
    if scheme == "file":
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if any(path == root or root in path.parents for root in (r.resolve() for r in allowed)):
            return None
        return "a file outside the project"
    return "which is not a file inside the project" if scheme else "which is not a URL"


# Attributes that make a browser load something on its own, by element.
_LOADING = {
    "img": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "link": ("href",),
}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE | re.DOTALL)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and not {"stylesheet", "icon", "preload", "prefetch", "attachment", "manifest"} & set(
            (values.get("rel") or "").lower().split()
        ):
            return
        for name in _LOADING.get(tag, ()):
            value = values.get(name)
            if value:
                urls = [part.strip().split(" ")[0] for part in value.split(",")] if name == "srcset" else [value]
                self.found += [u for u in urls if u]
        if values.get("style"):
            self.found += css_references(values["style"] or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += css_references(data)


def css_references(css: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in _CSS_URL.finditer(css) if (m.group(2) or m.group(4))]


def blocked_in_html(html: str, base: Path, allowed: list[Path]) -> list[tuple[str, str]]:
    """The (url, reason) pairs of everything in an HTML page that would load from outside the project."""
    parser = _References()
    parser.feed(html)
    parser.close()
    blocked = []
    for url in dict.fromkeys(parser.found):
        if url.startswith("#"):
            continue
        reason = refusal(urljoin(base.resolve().as_uri() + "/", url), allowed)
        if reason:
            blocked.append((url, reason))
    return blocked
