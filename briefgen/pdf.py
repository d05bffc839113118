"""HTML → PDF with WeasyPrint: a URL fetcher locked to the project, and deterministic output.

WeasyPrint is imported inside the functions: `check` and Markdown/HTML-only builds never pay for it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from briefgen.errors import BriefgenError


class BlockedResource(BriefgenError):
    """The briefing asked for a file outside the project or for anything on the network."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(
            f"the briefing refers to {url!r}, {reason}; nothing was fetched",
            hint="templates and stylesheets may use only files inside the project and data: URLs",
            code="BG402",
        )
        self.url = url


def _fetcher_class():  # noqa: ANN202 - the class is built lazily so importing this module stays cheap
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class Stop(FatalURLFetchingError):
        """Raised from the fetcher: WeasyPrint lets only this kind of exception stop a render."""

    class ProjectFetcher(URLFetcher):
        """Serves `data:` URLs and files inside the allowed folders; refuses everything else."""

        def __init__(self, allowed: list[Path]) -> None:
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=1)
            self.allowed = [p.resolve() for p in allowed]
            self.blocked: BlockedResource | None = None

        def fetch(self, url: str, headers: dict | None = None):  # noqa: ANN201
            scheme = urlsplit(url).scheme.lower()
            if scheme == "file":
                path = Path(url2pathname(unquote(urlsplit(url).path))).resolve()
                if any(path == root or root in path.parents for root in self.allowed):
                    return super().fetch(url, headers)
                self._refuse(url, "a file outside the project")
            if scheme == "data":
                return super().fetch(url, headers)
            self._refuse(url, "which is not a file inside the project" if scheme else "which is not a URL")

        def _refuse(self, url: str, reason: str) -> None:
            self.blocked = BlockedResource(url, reason)
            raise Stop(self.blocked.message)

    return ProjectFetcher, Stop


class _Collect(logging.Handler):
    """Keeps WeasyPrint's warnings (bad CSS, missing images) so the CLI can show them once, cleanly."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_pdf(html: str, base_url: Path, allowed: list[Path]) -> tuple[bytes, int, list[str]]:
    """Lay out print HTML and return the PDF bytes, its page count, and WeasyPrint's warnings."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fetcher_class, stop = _fetcher_class()
    fetcher = fetcher_class(allowed)
    logger = logging.getLogger("weasyprint")
    collect = _Collect()
    logger.addHandler(collect)
    propagate, logger.propagate = logger.propagate, False
    try:
        document = weasyprint.HTML(
            string=html, base_url=base_url.resolve().as_uri() + "/", url_fetcher=fetcher
        ).render(font_config=FontConfiguration())
        pdf = document.write_pdf(pdf_tags=True)
    except stop:
        assert fetcher.blocked is not None
        raise fetcher.blocked from None
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
    if fetcher.blocked is not None:
        raise fetcher.blocked
    return pdf, len(document.pages), collect.messages
