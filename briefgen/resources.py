"""Which resources a briefing may load, and how a refusal is reported.

A briefing may load `data:` URLs, and images and fonts inside the project (or briefgen's own templates and
fonts), never a hidden file or anything in a hidden folder (`.env`, `.git/config`), never the network. The
PDF renderer asks before fetching anything (pdf.py); the HTML pages are held to the same rule by the
allow-list (allowlist.py). A refusal names what was refused and, when a template wrote it, where.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from briefgen.diagnostics import display_path
from briefgen.errors import BriefgenError

# What briefgen's stylesheets and templates load: images in the page, fonts in @font-face. By the resolved
# file's extension, so that a link named like an image cannot stand for a fact file.
IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})
FONT_TYPES = frozenset({".ttf", ".otf", ".woff", ".woff2"})


def refusal(url: str, allowed: list[Path]) -> str | None:
    """Why an absolute URL may not be loaded, or None when it may."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return None
    if scheme != "file":
        return "which is not a file inside the project" if scheme else "which is not a URL"
    if parts.netloc not in ("", "localhost"):
        return "a file on another machine"
    path = Path(url2pathname(unquote(parts.path))).resolve()
    # The innermost folder that holds it: briefgen's fonts may sit in a .venv inside the project.
    roots = [r for r in (a.resolve() for a in allowed) if path == r or r in path.parents]
    root = max(roots, key=lambda r: len(r.parts), default=None)
    if root is None:
        return "a file outside the project"
    hidden = [part for part in path.relative_to(root).parts if part.startswith(".")]
    if hidden:
        return "a hidden file" if hidden[-1] == path.name else "a file in a hidden folder"
    if path.suffix.lower() not in IMAGE_TYPES | FONT_TYPES:
        return "a file that is neither an image nor a font"
    return None


class _Refused(BriefgenError):
    """Something the briefing may not have, reported as an error or (policy "warn") a warning."""

    def __init__(self, message: str, hint: str, code: str, level: str, where: Where) -> None:
        super().__init__(message, *where, hint=hint, code=code)
        self.level = level

    def diagnostics(self) -> list:
        return [replace(d, level=self.level) for d in super().diagnostics()]


Where = tuple[str | None, int | None, int | None]  # path as shown, line, column
NOWHERE: Where = (None, None, None)


class BlockedResource(_Refused):
    """The briefing asked for the network, a file outside the project, or a project file it may not show."""

    def __init__(self, url: str, reason: str, level: str = "error", where: Where = NOWHERE) -> None:
        super().__init__(
            f"the briefing refers to {url!r}, {reason}; nothing was fetched",
            "templates and stylesheets may load only images and fonts inside the project, and data: URLs",
            "BG402", level, where,
        )
        self.url = url
        self.reason = reason


class MarkupNotAllowed(_Refused):
    """A page holds markup briefgen never writes: a script, a frame, an event handler, a <base>…"""

    def __init__(self, what: str, level: str = "error", where: Where = NOWHERE) -> None:
        left_out = "; it was left out" if level != "error" else ""
        super().__init__(
            f"the briefing has {what}, which briefgen does not write{left_out}",
            "a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and "
            "pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>",
            "BG405", level, where,
        )
        self.what = what


@dataclass(frozen=True)
class Finding:
    """One thing in a page that the allow-list does not keep, with clues to where a template wrote it."""

    what: str  # a URL, or markup such as "a <script> element"
    reason: str | None  # why a URL is refused; None for markup
    clues: tuple[str, ...]  # regular expressions that find it in a template, best first

    def error(self, level: str, templates: list[Path]) -> _Refused:
        where = locate(self.clues, templates)
        if self.reason is not None:
            return BlockedResource(self.what, self.reason, level, where)
        return MarkupNotAllowed(self.what, level, where)


def locate(clues: Iterable[str], files: list[Path]) -> Where:
    """The first place a clue matches in the files (its first group, if it has one), or nowhere.

    Templates are Jinja, so the page cannot be mapped back to them line by line; what it holds that the
    allow-list refuses came from a template's own text, which is searched for instead."""
    texts = {path: _read(path) for path in files}
    for clue in clues:
        pattern = re.compile(clue, re.IGNORECASE)
        for path, text in texts.items():
            found = pattern.search(text)
            if found:
                offset = found.start(1) if pattern.groups else found.start()
                line = text.count("\n", 0, offset) + 1
                return display_path(path), line, offset - (text.rfind("\n", 0, offset) + 1) + 1
    return NOWHERE


def template_files(folder: Path, first: list[str]) -> list[Path]:
    """The project's template files, those named in `first` first: where a page's markup can come from."""
    found = []
    for directory, folders, names in os.walk(folder):  # links are not followed
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        found += [Path(directory) / name for name in sorted(names)]
    rank = {name: n for n, name in enumerate(first)}
    files = [p for p in found if p.is_file() and not p.is_symlink() and p.stat().st_size <= _LARGEST_TEMPLATE]
    return sorted(files, key=lambda p: rank.get(p.relative_to(folder).as_posix(), len(rank)))


_LARGEST_TEMPLATE = 2_000_000  # bytes; a bigger file in templates/ is no template, and is not searched


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
