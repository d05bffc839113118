"""The pipeline: load → verify → render Markdown → Markdown to HTML → HTML to PDF → write, all or nothing."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import jinja2
from markupsafe import Markup

from briefgen import __version__, stamp
from briefgen.allowlist import allow_listed
from briefgen.charts import FIGURES
from briefgen.diagnostics import Diagnostic, plural
from briefgen.errors import BriefgenError, CheckFailed
from briefgen.files import Unreadable, read_bytes
from briefgen.loading import Project, display_path, gc_paused, load_project
from briefgen.model import Briefing, PartialDate
from briefgen.publish import output_folder, project_lock, publish
from briefgen.resources import BlockedResource, template_files
from briefgen.templating import (
    Md,
    RenderedMarkdown,
    Sandbox,
    TemplateLoader,
    make_environment,
    render_markdown,
    render_template,
    template_dirs,
)
from briefgen.verify import acknowledge, verify_facts, verify_project

if TYPE_CHECKING:
    from briefgen.layout import FootnoteProof
    from briefgen.pdf import RenderedPdf

FORMATS = ("md", "html", "pdf")
FONTS = Path(__file__).parent / "fonts"

Progress = Callable[[str], None]


@dataclass
class Outcome:
    """What a build or a check found and wrote."""

    project: Project | None
    diagnostics: list[Diagnostic]
    briefing_date: dt.date | None = None
    written: list[Path] = field(default_factory=list)
    pages: int | None = None
    renderer_warnings: list[str] = field(default_factory=list)
    rendered: RenderedMarkdown | None = None  # the main briefing
    documents: list[tuple[Briefing, RenderedMarkdown]] = field(default_factory=list)  # every briefing
    timings: dict[str, float] = field(default_factory=dict)  # seconds spent in each stage

    def cited(self) -> set[str]:
        """The facts any of the project's briefings cites."""
        return {fid for _, rendered in self.documents for fid in rendered.cited}


def briefing_date(option: dt.date | None, settings_date: PartialDate | None) -> dt.date:
    """`--date`, else the date in briefgen.yaml, else SOURCE_DATE_EPOCH, else today."""
    if option is not None:
        return option
    if settings_date is not None:
        return settings_date.first
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        shown = epoch if len(epoch) <= 40 else epoch[:39] + "…"
        if not re.fullmatch(r"-?[0-9]{1,20}", epoch.strip()):
            raise BriefgenError(f"SOURCE_DATE_EPOCH={shown!r} is not a whole number of seconds", code="BG900")
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise BriefgenError(f"SOURCE_DATE_EPOCH={shown!r} is not a date this system can represent", code="BG900") from None
    return dt.date.today()


def check(root: Path, date: dt.date | None = None, since: str | None = None) -> Outcome:
    """Load the project, verify every fact against its sources, and render the template to see what it cites.

    With `since` (a git revision), the template also gets what changed since that edition.
    """
    with gc_paused():
        return _check(root, date, since)


def _check(root: Path, date: dt.date | None, since: str | None) -> Outcome:
    clock = _Clock()
    project, diags = load_project(root)
    timings = {"load": clock.lap()}
    if project is None:
        return Outcome(None, diags, timings=timings)
    when = briefing_date(date, project.settings.date)
    if not project.complete:
        # Some files did not load: check what did, but not the fact base as a whole.
        return Outcome(project, acknowledge(project, diags + verify_facts(project), False), when, timings=timings)
    documents: list[tuple[Briefing, RenderedMarkdown]] = []
    changes = None
    try:
        if since is not None:
            from briefgen.editions import changes_since

            changes = changes_since(project, since or None)
    except BriefgenError as exc:
        diags += exc.diagnostics()
    for document in project.settings.documents():
        try:
            documents.append((document, render_markdown(project, when, document.template, changes)))
        except BriefgenError as exc:
            diags += exc.diagnostics()
    timings["template"] = clock.lap()
    everything_rendered = len(documents) == len(project.settings.documents())
    cited = {fid for _, rendered in documents for fid in rendered.cited} if everything_rendered else None
    judged = {jid for _, rendered in documents for jid in rendered.judged} if everything_rendered else None
    diags = acknowledge(project, diags + verify_project(project, when, cited, judged), everything_rendered)
    timings["verify"] = clock.lap()
    main = documents[0][1] if documents and documents[0][0] == project.settings.documents()[0] else None
    return Outcome(project, diags, when, rendered=main, documents=documents, timings=timings)


class _Clock:
    """Seconds since the last lap."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self) -> float:
        now = time.perf_counter()
        elapsed, self.last = now - self.last, now
        return elapsed


def build(
    root: Path,
    output: Path | None = None,
    formats: tuple[str, ...] = FORMATS,
    date: dt.date | None = None,
    progress: Progress = lambda _: None,
    since: str | None = None,
    keep_html: bool = False,
    jobs: int = 1,
) -> Outcome:
    """Build every briefing of the project. Writes nothing unless every stage succeeds, so the last good
    briefings survive.

    `since` (a git revision, or "" for the last edition) adds what changed since that edition; `keep_html`
    also writes the HTML handed to the PDF renderer (<name>.print.html); `jobs` lays out several briefings'
    PDFs in parallel processes.
    """
    with project_lock(root.resolve(), progress):
        return _build(root, output, formats, date, progress, since, keep_html, jobs)


def _build(
    root: Path, output: Path | None, formats: tuple[str, ...], date: dt.date | None, progress: Progress,
    since: str | None, keep_html: bool, jobs: int,
) -> Outcome:
    started = time.perf_counter()
    inputs = stamp.fingerprint(root, formats, date.isoformat() if date else None, since, keep_html)

    def step(message: str) -> None:
        progress(f"{message} ({time.perf_counter() - started:.2f} s)")

    # 1. Load and verify: refuse to render a fact base with errors.
    outcome = check(root, date, since)
    if outcome.project is None or any(d.level == "error" for d in outcome.diagnostics):
        raise CheckFailed(outcome.diagnostics)
    project, when = outcome.project, outcome.briefing_date
    assert when is not None
    requested = output if output is not None else project.root / "output"
    out_dir = output_folder(requested, project.root, explicit=output is not None)
    html_env = _html_environment(project.root)
    css, _ = _stylesheet(html_env, "briefing.css")  # their problems come before any progress
    print_css, print_css_path = _stylesheet(html_env, "print.css")
    step(f"checked {plural(len(project.facts), 'fact')} against {plural(len(project.sources), 'source')}")

    # 2. Assemble each requested format of each briefing in memory.
    from briefgen.markup import to_html  # Markdown is needed only from here on

    clock = _Clock()
    markdown_env = make_environment(project.root)
    allowed = [project.root, *template_dirs(project.root), FONTS]
    policy = project.settings.external_resources
    files: dict[str, bytes] = {}
    print_pages: dict[str, str] = {}
    timings = dict.fromkeys(("markdown", "html", "pdf"), 0.0)
    read_images: dict[str, bytes] = {}  # for the stamp: a changed image makes the next build run
    for document, rendered in outcome.documents:
        page = _page_context(project, when, document, css, print_css)
        images = _local_images(rendered.document, project.root)
        read_images.update({unquote(ref): data for ref, (_, data, _) in images.items()})
        if "md" in formats:
            # Charts and the template's images are files in a folder beside the Markdown, which links to them.
            portable = rendered.portable.replace(FIGURES, f"{document.name}-figures/")
            for ref, (name, _, _) in images.items():
                portable = portable.replace(f"]({ref}", f"]({document.name}-figures/{name}")
            markdown_page = render_template(markdown_env, "page.md.j2", {**page, "body": Md(portable)})
            files[f"{document.name}.md"] = markdown_page.encode()
            files.update({f"{document.name}-figures/{name}": svg for name, svg in rendered.figures.items()})
            files.update({f"{document.name}-figures/{name}": data for name, data, _ in images.values()})
        timings["markdown"] += clock.lap()
        # In the HTML and the PDF, each chart and image is inside the page itself.
        inline = _inlined(rendered.document, rendered.figures, images)
        if "html" in formats:
            screen = render_template(html_env, "page.html.j2", {**page, "body": Markup(to_html(inline)), "print": False})
            files[f"{document.name}.html"] = _allow_listed(screen, project, document, allowed, outcome).encode()
        if "docx" in formats:
            from briefgen.docx import to_docx  # pandoc, from the extra briefgen[docx], only when asked for

            files[f"{document.name}.docx"] = to_docx(_inlined(rendered.document, rendered.figures_png, images), page, project.root)
        if "pdf" in formats or keep_html:
            body = Markup(to_html(inline, for_print=True))
            printed = render_template(html_env, "page.html.j2", {**page, "body": body, "print": True})
            print_pages[document.name] = _allow_listed(printed, project, document, allowed, outcome)
            if keep_html:
                files[f"{document.name}.print.html"] = print_pages[document.name].encode()
        timings["html"] += clock.lap()
    made = [name for fmt, name in (("md", "Markdown"), ("html", "HTML")) if fmt in formats]
    if print_pages:
        made.append("print HTML")
    step("rendered " + ", ".join(made))
    if "pdf" in formats:
        step(f"laying out PDF pages of {plural(len(print_pages), 'briefing')}" + (f" in {jobs} processes" if jobs > 1 and len(print_pages) > 1 else ""))
        results = _render_pdfs(list(print_pages.values()), project.root, allowed, policy, project.settings.pdf_tags, jobs)
        faults: list[Diagnostic] = []
        rendered_by_name = {document.name: rendered for document, rendered in outcome.documents}
        for name, result in zip(print_pages, results, strict=True):
            faults += footnote_faults(result.footnotes, rendered_by_name[name], f"{name}.pdf", print_css_path)
            timings["proof"] = timings.get("proof", 0.0) + result.proof_seconds  # part of the pdf stage
            files[f"{name}.pdf"] = result.pdf
            outcome.pages = result.pages if outcome.pages is None else outcome.pages
            outcome.renderer_warnings += result.warnings
            outcome.diagnostics += [d for url, reason, level in result.refused for d in BlockedResource(url, reason, level).diagnostics()]
        if faults:
            raise CheckFailed(outcome.diagnostics + faults)
        timings["pdf"] += clock.lap()
        step(f"rendered PDF, {plural(outcome.pages or 0, 'page')}" + (" (main briefing)" if len(print_pages) > 1 else ""))
    outcome.timings.update(timings)

    # 3. Write every file, all or nothing, with the stamp that lets the next build skip unchanged inputs.
    written = publish(out_dir, {**files, stamp.STAMP: stamp.record(inputs, files, read_images)}, stamp.previous_outputs(out_dir),
                      requested)
    outcome.written = [requested / p.relative_to(out_dir) for p in written[:-1]]
    return outcome


def _allow_listed(page: str, project: Project, document: Briefing, allowed: list[Path], outcome: Outcome) -> str:
    """The page with only what briefgen's own templates write, since a reader's browser and the PDF renderer
    load what a page names. Anything else stops the build, located in the template that wrote it; with
    `external_resources: warn` it is left out with a warning instead."""
    kept, findings = allow_listed(page, project.root, allowed)
    if not findings:
        return page
    level = "error" if project.settings.external_resources == "error" else "warning"
    first = ["page.html.j2", document.template, "briefing.css", "print.css"]
    templates = template_files(template_dirs(project.root)[0], first)
    problems = list(dict.fromkeys(d for f in findings for d in f.error(level, templates).diagnostics()))
    if level == "error":
        raise CheckFailed(outcome.diagnostics + problems)
    outcome.diagnostics += [d for d in problems if d not in outcome.diagnostics]
    return kept


def _render_pdfs(pages: list[str], root: Path, allowed: list[Path], policy: str, tags: bool, jobs: int) -> list[RenderedPdf]:
    """Lay out each print page; WeasyPrint uses one core, so several briefings go to several processes."""
    if jobs <= 1 or len(pages) <= 1:
        from briefgen.pdf import render_pdf

        return [render_pdf(html, root, allowed, policy, tags) for html in pages]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=min(jobs, len(pages))) as pool:
        results = list(pool.map(_pdf_job, [(html, root, allowed, policy, tags) for html in pages]))
    for result in results:
        if isinstance(result, list):  # the diagnostics of a refusal that stopped the render
            raise CheckFailed(result)
    return results  # type: ignore[return-value]


def _pdf_job(args: tuple[str, Path, list[Path], str, bool]) -> object:
    """One PDF, in a worker process; returns plain data, which crosses the process boundary."""
    from briefgen.pdf import render_pdf

    try:
        return render_pdf(*args)
    except BriefgenError as exc:
        return exc.diagnostics()


# An image a template names in Markdown (`![A map](images/kursk.png)`), and the image types a page may hold.
_IMAGE_REF = re.compile(r"!\[[^\]\n]*\]\(\s*([^)\s]+)")
_IMAGE_TYPES = [(b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif")]
MAX_IMAGE_BYTES = 10_000_000


def _local_images(document: str, root: Path) -> dict[str, tuple[str, bytes, str]]:
    """The project's images that a template names, by the reference it wrote: (file name, bytes, type). A file
    that may be read (the file rule) must be a PNG, JPEG, GIF, WebP or SVG image, else the build stops naming
    it. What may not be read (a hidden file, a symlink out, a missing file) and web addresses are left in
    place, for the resource rules to refuse at the template's line (resources.py, allowlist.py)."""
    found: dict[str, tuple[str, bytes, str]] = {}
    for ref in dict.fromkeys(_IMAGE_REF.findall(document)):
        if ref.startswith(FIGURES) or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", ref) or ref.startswith(("#", "//")):
            continue
        if any(part.startswith(".") for part in Path(unquote(ref)).parts):
            continue
        try:
            data = read_bytes(root / unquote(ref), MAX_IMAGE_BYTES, [root.resolve()])
        except Unreadable as problem:
            if problem.kind == "missing":
                raise BriefgenError(f"image {ref} named in a template does not exist in the project", code="BG402",
                                    hint="image paths start from the project's folder, e.g. images/map.png") from None
            continue
        mime = next((kind for magic, kind in _IMAGE_TYPES if data.startswith(magic)), None)
        if mime is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            mime = "image/webp"
        if mime is None and re.match(rb"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<svg\b", data[:2048], re.S):
            mime = "image/svg+xml"
        if mime is None:
            raise BriefgenError(f"image {ref} named in a template is not a PNG, JPEG, GIF, WebP or SVG image", code="BG402")
        # Its name beside the Markdown: lower-case, never a chart's ("figure-…"), never one already taken.
        stem = re.sub(r"[^a-z0-9]+", "-", Path(unquote(ref)).stem.lower()).strip("-") or "image"
        stem = f"image-{stem}" if stem.startswith("figure-") else stem
        suffix = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}.get(mime, ".svg")
        taken = {n for n, _, _ in found.values()}
        name, number = f"{stem}{suffix}", 2
        while name in taken:
            name, number = f"{stem}-{number}{suffix}", number + 1
        found[ref] = (name, data, mime)
    return found


def _inlined(document: str, figures: dict[str, bytes], images: dict[str, tuple[str, bytes, str]]) -> str:
    """The Markdown with each chart (SVG, or PNG for Word) and each of the template's images put in as a data:
    URL in place of its file name."""
    for name, data in figures.items():
        kind = "image/png" if data.startswith(b"\x89PNG") else "image/svg+xml"
        document = document.replace(f"{FIGURES}{name}", f"data:{kind};base64," + base64.b64encode(data).decode())
    for ref, (_, data, kind) in images.items():
        document = document.replace(f"]({ref}", f"](data:{kind};base64,{base64.b64encode(data).decode()}")
    return document


def footnote_faults(proof: FootnoteProof, rendered: RenderedMarkdown, pdf_name: str, stylesheet: str | None = None) -> list[Diagnostic]:
    """Each note the laid-out PDF does not show at the foot of its call's page, located at the template line
    that cites its fact; and each cited fact with no call in the PDF at all."""
    diagnostics = []

    def fault(number: str, problem: str) -> None:
        fid = rendered.cited[int(number) - 1] if number.isdigit() and 0 < int(number) <= len(rendered.cited) else None
        path, line = rendered.call_sites.get(fid, (None, None)) if fid else (None, None)
        about = f"footnote {number} (fact '{fid}')" if fid else f"footnote {number}"
        diagnostics.append(Diagnostic(
            code="BG404", level="error", path=path, line=line or None, fact_id=fid,
            message=f"{pdf_name}: {problem.replace(f'footnote {number}', about, 1)}",
            hint="a layout fault of the PDF renderer; nothing was written. To report it, keep the print HTML: "
            "briefgen build --format md,html --keep-html",
        ))

    if rendered.cited and not proof.calls:  # one cause, one message: the stylesheet floats no note
        return [Diagnostic(
            code="BG404", level="error", path=stylesheet,
            message=f"{pdf_name}: none of its {len(rendered.cited)} footnotes is a page-bottom note",
            hint="the print stylesheet must keep `span.footnote { float: footnote }`",
        )]
    for f in proof.faults:
        fault(f.number, f.describe())
    for n in range(1, len(rendered.cited) + 1):
        if str(n) not in proof.calls and not any(f.number == str(n) for f in proof.faults):
            fault(str(n), f"footnote {n} is not in the PDF: neither its call nor its note was laid out")
    return diagnostics


def _html_environment(root: Path) -> jinja2.Environment:
    env = Sandbox(
        loader=TemplateLoader(root),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


def _page_context(project: Project, when: dt.date, document: Briefing, css: str, print_css: str) -> dict:
    """What the page templates (page.md.j2, page.html.j2) are given besides the body."""
    settings = project.settings
    cutoff = max((s.published for s in project.sources.values() if s.published), key=lambda d: d.sort_key, default=None)
    return {
        "settings": settings,
        "title": document.title or settings.title,
        "running_title": document.short_title or (settings.short_title if not document.title else None)
        or shorten(document.title or settings.title, RUNNING_TITLE_CHARACTERS),
        "subtitle": document.subtitle or settings.subtitle,
        "label": document.label,
        "name": document.name,
        "marking": settings.marking,
        "author": settings.author,
        "lang": settings.lang,
        "keywords": settings.keywords,
        "page_size": settings.page_size,
        "briefing_date": PartialDate.parse(when),
        "information_cutoff": cutoff,
        "css": Markup(css),
        "print_css": Markup(print_css),
        "fonts": FONTS.resolve().as_uri(),
        "generator": f"briefgen {__version__}",
    }


# What fits one line of the running header beside the marking and the date, in the default page styles.
RUNNING_TITLE_CHARACTERS = 48


def shorten(text: str, limit: int) -> str:
    """The text cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:—–-") + "…"


def _stylesheet(env: jinja2.Environment, name: str) -> tuple[str, str | None]:
    """A stylesheet's text and where it is, for messages."""
    try:
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        raise BriefgenError(f"stylesheet {name} not found in the templates", code="BG304") from None
    shown = display_path(Path(filename)) if filename else None
    if "</" in source:
        raise BriefgenError(f"{name} must not contain '</'", path=shown, code="BG305")
    return source, shown


def css_string(text: object) -> Markup:
    """Text as a quoted CSS string, safe inside a <style> element: for the running header's words.

    Quotes, backslashes, markup characters and whatever could read as CSS (`url(`, `@import`, braces) are
    escaped as code points, which CSS prints as the characters themselves."""
    quoted = "".join(f"\\{ord(c):x} " if c in '"\\<>&()@;{}' or not c.isprintable() else c for c in str(text))
    return Markup(f'"{quoted}"')

