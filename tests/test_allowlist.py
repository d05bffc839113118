"""What a page may hold and load: the allow-list of the HTML briefgen writes (allowlist.py), the rule for what may
be loaded (resources.refusal), and the PDF renderer's refusals (pdf.py). Proved on the shipped example with a
real browser: every way of making a page load something that a template could try stops the build at the
template line that tries it; left out with a warning instead, the page makes Chromium send no request, and a
secret outside the project, in `.env` or in `.git/config` reaches no output."""

from __future__ import annotations

import http.server
import re
import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdf
import pytest

from briefgen.allowlist import allow_listed
from briefgen.build import FONTS, build
from briefgen.errors import BriefgenError
from briefgen.resources import refusal
from briefgen.templating import BUILTIN_TEMPLATES
from conftest import RequestCounter, chromium, copy_example, output_files, run

pdf = pytest.mark.pdf


# --- a server that counts connections as well as requests -----------------------------------------------


@dataclass
class Listener:
    """A local HTTP server: every connection and every request it gets (a preconnect opens one, asks nothing)."""

    url: str
    requests: list[str] = field(default_factory=list)
    connections: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
def listener() -> Iterator[Listener]:
    heard = Listener("")

    class Handler(RequestCounter):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            heard.requests.append(self.path)
            super().do_GET()

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def verify_request(self, request: object, client_address: tuple[str, int]) -> bool:
            heard.connections.append(client_address)
            return True

    httpd = Server(("127.0.0.1", 0), Handler)
    heard.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield heard
    finally:
        httpd.shutdown()
        httpd.server_close()


def open_in_chromium(page: Path, profile: Path) -> None:
    """Open a page in headless Chromium and let it load everything it asks for (virtual time runs ahead)."""
    result = chromium("--virtual-time-budget=8000", "--dump-dom", page.as_uri(), profile=profile)
    assert result.returncode == 0, result.stderr[-2000:]


# --- every way a template could make a page load something ----------------------------------------------


@dataclass(frozen=True)
class Vector:
    name: str
    template: str  # page.html.j2 (its <head>), briefing.md.j2 (the end of the body) or briefing.css (its top)
    code: str  # with SRV for the listener's address
    named: str  # what the one error line names
    request: str | None  # what Chromium asks the listener for when the vector is in a page as written


VECTORS = [
    Vector("inline script", "page.html.j2", '<script>new Image().src = "SRV/script.png"</script>', "a <script> element", "/script.png"),
    Vector("event handler", "briefing.md.j2", """<img src="missing.png" alt="" onerror="new Image().src = 'SRV/onerror.png'">""",
           "an attribute onerror=", "/onerror.png"),
    Vector("@import without a space", "briefing.css", '@import"SRV/import.css";', "'SRV/import.css'", "/import.css"),
    Vector("url() spelled with an escape", "briefing.css", r"html { background: u\72l(SRV/escape.png) }", "'SRV/escape.png'", "/escape.png"),
    Vector("image-set()", "briefing.css", 'body { background-image: image-set("SRV/imageset.png" 1x) }', "'SRV/imageset.png'", "/imageset.png"),
    Vector("preconnect", "page.html.j2", '<link rel="preconnect" href="SRV">', 'a <link rel="preconnect"> element', None),
    Vector("modulepreload", "page.html.j2", '<link rel="modulepreload" href="SRV/module.js">', 'a <link rel="modulepreload"> element', "/module.js"),
    Vector("dns-prefetch", "page.html.j2", '<link rel="dns-prefetch" href="SRV">', 'a <link rel="dns-prefetch"> element', None),
    Vector("meta refresh", "page.html.j2", '<meta http-equiv="refresh" content="2; url=SRV/refresh">', "an attribute http-equiv='refresh' on <meta>", "/refresh"),
    Vector("base href", "page.html.j2", '<base href="SRV/"><img src="base.png" alt="">', "a <base> element", "/base.png"),
    Vector("iframe srcdoc", "briefing.md.j2", """<iframe srcdoc="<img src='SRV/srcdoc.png'>"></iframe>""", "an <iframe> element", "/srcdoc.png"),
    Vector("table background", "briefing.md.j2", '<table background="SRV/table.png"><tr><td>cell</td></tr></table>',
           "an attribute background='SRV/table.png' on <table>", "/table.png"),
    Vector("SVG script href", "briefing.md.j2", '<svg><script href="SRV/svg.js"></script></svg>', "a <svg> element", "/svg.js"),
]
ATTACHMENTS = [  # what WeasyPrint would embed in the PDF
    Vector("attachment of .env", "page.html.j2", '<link rel="attachment" href=".env">', 'a <link rel="attachment"> element', None),
    Vector("attachment of .git/config", "briefing.md.j2", '<a rel="attachment" href=".git/config">config</a>',
           "an attribute rel='attachment' on <a>", None),
]


def plant(root: Path, vectors: list[Vector], server: str) -> None:
    """Put vectors into the project's templates: the page template and stylesheet copied from briefgen's own."""
    templates = root / "templates"
    for name in ("page.html.j2", "briefing.css"):
        if not (templates / name).exists():
            shutil.copy(BUILTIN_TEMPLATES / name, templates / name)
    for name in ("page.html.j2", "briefing.md.j2", "briefing.css"):
        # An @import counts only before any other rule.
        codes = sorted((v.code for v in vectors if v.template == name), key=lambda c: not c.startswith("@import"))
        if not codes:
            continue
        block, target = "\n".join(codes).replace("SRV", server), templates / name
        text = target.read_text()
        if name == "page.html.j2":
            text = text.replace("<title>{{ title }}</title>\n", f"<title>{{{{ title }}}}</title>\n{block}\n", 1)
        elif name == "briefing.css":
            text = f"{block}\n{text}"
        else:
            text = f"{text}\n{block}\n"
        target.write_text(text)


def place(root: Path, vector: Vector, server: str) -> str:
    """`templates/<file>:<line>:` where a planted vector is."""
    lines = (root / "templates" / vector.template).read_text().splitlines()
    return f"templates/{vector.template}:{lines.index(vector.code.replace('SRV', server)) + 1}:"


def outputs(root: Path) -> dict[str, bytes]:
    return output_files(root / "output")


@pytest.mark.parametrize("vector", VECTORS + ATTACHMENTS, ids=[v.name for v in VECTORS + ATTACHMENTS])
def test_each_vector_stops_the_build_at_its_template_line(
    vector: Vector, built_example: Path, tmp_path: Path, listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "example"
    shutil.copytree(built_example, root)
    before = outputs(root)
    plant(root, [vector], listener.url)
    monkeypatch.chdir(root)

    # The attachments are for the PDF: built alone, the PDF's own page (the print HTML) is what refuses them.
    result = run("build", *(("--format", "pdf") if vector in ATTACHMENTS else ()))

    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line]
    assert len(problems) == 1, problems
    assert problems[0].startswith(place(root, vector, listener.url)), problems[0]
    assert vector.named.replace("SRV", listener.url) in problems[0]
    assert outputs(root) == before
    assert listener.requests == [] and listener.connections == []


def test_each_vector_is_live_in_chromium_as_written(built_example: Path, tmp_path: Path, listener: Listener) -> None:
    """The test above could pass with vectors that load nothing: written into the page as they stand, each one
    makes Chromium ask the server for its file. (A dns-prefetch of an IP address has nothing to resolve.)"""
    open_in_chromium(with_vectors(built_example / "output" / "briefing.html", VECTORS, listener.url, tmp_path), tmp_path / "p")
    assert {v.request for v in VECTORS if v.request} <= set(listener.requests), listener.requests


def test_a_preconnect_as_written_opens_a_connection(built_example: Path, tmp_path: Path, listener: Listener) -> None:
    (preconnect,) = [v for v in VECTORS if v.name == "preconnect"]
    open_in_chromium(with_vectors(built_example / "output" / "briefing.html", [preconnect], listener.url, tmp_path), tmp_path / "p")
    assert listener.requests == [] and len(listener.connections) >= 1


def with_vectors(page: Path, vectors: list[Vector], server: str, folder: Path) -> Path:
    """A copy of a built page with the vectors written in, as a template would have put them."""
    css = "\n".join(v.code for v in vectors if v.template == "briefing.css")
    head = "\n".join(v.code for v in vectors if v.template == "page.html.j2")
    body = "\n".join(v.code for v in vectors if v.template == "briefing.md.j2")
    html = page.read_text().replace("<style>", f"<style>\n{css}\n", 1).replace("</title>", f"</title>\n{head}", 1)
    written = folder / "as-written.html"
    written.write_text(html.replace("</main>", f"{body}\n</main>", 1).replace("SRV", server))
    return written


@pdf
def test_left_out_with_warnings_the_pages_load_nothing_and_no_secret_leaks(
    tmp_path: Path, listener: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = f"SECRET-{secrets.token_hex(16)}"
    outside = tmp_path / "outside" / "secret.txt"
    outside.parent.mkdir()
    outside.write_text(token)
    root = tmp_path / "example"
    root.mkdir()
    copy_example(root)
    (root / ".env").write_text(f"API_KEY={token}\n")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"[remote]\n  url = https://user:{token}@example.org/repo.git\n")
    (root / "briefgen.yaml").write_text((root / "briefgen.yaml").read_text() + "external_resources: warn\n")
    secret_uri = outside.as_uri()
    leaks = [
        Vector("secret attached", "page.html.j2", f'<link rel="attachment" href="{secret_uri}">', "", None),
        Vector("secret as image", "briefing.md.j2", f'<img src="{secret_uri}" alt=""> <img src=".git/config" alt="">', "", None),
        Vector("secret linked for attachment", "briefing.md.j2", f'<a rel="attachment" href="{secret_uri}">s</a>', "", None),
        Vector("secret imported", "briefing.css", f'@import url("{secret_uri}"); html {{ background: url(.env) }}', "", None),
    ]
    plant(root, VECTORS + ATTACHMENTS + leaks, listener.url)
    monkeypatch.chdir(root)

    result = run("build", "--keep-html")

    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line and "[BG40" in line]
    for vector in VECTORS + ATTACHMENTS:
        assert any(vector.named.replace("SRV", listener.url) in w for w in warnings), vector.name
    for name in ("briefing.html", "summary.html", "briefing.print.html", "summary.print.html"):
        open_in_chromium(root / "output" / name, tmp_path / f"profile-{name}")
    assert listener.requests == [] and listener.connections == []
    assert token not in everything_in(root / "output")


def everything_in(folder: Path) -> str:
    """Every output as text, and from each PDF its extracted text, its attachments and every stream, decoded."""
    texts = [data.decode("latin-1") for data in output_files(folder).values()]
    for path in folder.glob("*.pdf"):
        texts += [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]
        with pikepdf.open(path) as document:
            texts += [spec.get_file().read_bytes().decode("latin-1") for spec in document.attachments.values()]
            texts += [stream_bytes(obj).decode("latin-1") for obj in document.objects if isinstance(obj, pikepdf.Stream)]
    return "\n".join(texts)


def stream_bytes(stream: pikepdf.Stream) -> bytes:
    try:
        return stream.read_bytes()
    except pikepdf.PdfError:  # a filter qpdf does not decode (images): the bytes as stored
        return stream.read_raw_bytes()


# --- the pages briefgen writes pass untouched -----------------------------------------------------------------


def test_briefgens_own_pages_pass_the_allow_list_unchanged(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    build(root, formats=("md", "html"), keep_html=True)
    allowed = [root, root / "templates", BUILTIN_TEMPLATES, FONTS]
    for page in sorted((root / "output").glob("*.html")):
        html = page.read_text()
        assert allow_listed(html, root, allowed) == (html, []), page.name


# --- the allow-list, spelling by spelling ----------------------------------------------------------------------


def page(body: str, head: str = "") -> str:
    return f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>T</title>\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n'


SPELLINGS = [
    # Elements that load, run or frame something, however written.
    ("<SCRIPT>alert(1)</SCRIPT>", "a <script> element"),
    ("<ScRiPt/src=http://x.example/a.js></script>", "a <script> element"),
    ("<noscript><p>x</p></noscript>", "a <noscript> element"),
    ("<template><script>alert(1)</script></template>", "a <template> element"),
    ('<object data="http://x.example/a.swf"></object>', "an <object> element"),
    ('<embed src="http://x.example/a.swf">', "an <embed> element"),
    ('<video poster="http://x.example/p.png"></video>', "a <video> element"),
    ('<picture><source srcset="http://x.example/a.png"></picture>', "a <picture> element"),
    ('<form action="http://x.example/"><input type="image" src="http://x.example/i.png"></form>', "a <form> element"),
    ('<math><mi xlink:href="http://x.example/">x</mi></math>', "a <math> element"),
    ('<link rel="stylesheet" href="http://x.example/a.css">', 'a <link rel="stylesheet"> element'),
    ('<link rel="icon" href="http://x.example/favicon.ico">', 'a <link rel="icon"> element'),
    # Attributes that run or load something.
    ('<p onclick="alert(1)">x</p>', "an attribute onclick='alert(1)' on <p>"),
    ("<img src=map.png alt='' ONERROR=alert(1)>", "an attribute onerror='alert(1)' on <img>"),
    ('<img src="map.png" alt="" srcset="http://x.example/2x.png 2x">', "an attribute srcset="),
    ('<table><tr><td background="http://x.example/b.png">x</td></tr></table>', "an attribute background='http://x.example/b.png' on <td>"),
    ('<body background="http://x.example/b.png">', "an attribute background='http://x.example/b.png' on <body>"),
    ('<a href="#x" ping="http://x.example/ping">x</a>', "an attribute ping='http://x.example/ping' on <a>"),
    ('<p data-x"y="1">x</p>', "an attribute data-x\"y='1' on <p>"),
    # URLs.
    ('<img src="http://x.example/a.png" alt="">', "'http://x.example/a.png', which is not a file inside the project"),
    ('<img src="//x.example/a.png" alt="">', "'//x.example/a.png', a file on another machine"),
    ('<img src="file:///etc/passwd" alt="">', "'file:///etc/passwd', a file outside the project"),
    ('<img src="../outside.png" alt="">', "'../outside.png', a file outside the project"),
    ('<img src=".env" alt="">', "'.env', a hidden file"),
    ('<img src=".git/logo.png" alt="">', "'.git/logo.png', a file in a hidden folder"),
    ('<img src="facts/alpha.yaml" alt="">', "'facts/alpha.yaml', a file that is neither an image nor a font"),
    ('<a href="javascript:alert(1)">x</a>', "a link to 'javascript:alert(1)'"),
    ('<a href="&#106;avascript:alert(1)">x</a>', "a link to 'javascript:alert(1)'"),
    ('<a href=" java\tscript:alert(1)">x</a>', "a link to 'java\\tscript:alert(1)'"),
    ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "a link to 'data:text/html"),
    ('<a href="file:///etc/passwd">x</a>', "a link to 'file:///etc/passwd'"),
    # CSS, found by the tokenizer however it is spelled.
    ('<style>@import url("http://x.example/a.css");</style>', "'http://x.example/a.css', which is not"),
    (r'<style>@\69mport "http://x.example/a.css";</style>', "'http://x.example/a.css', which is not"),
    ('<style>@import "logo.png";</style>', "'logo.png', a stylesheet import, which a briefing may not use"),
    ("<style>p { background: URL(http://x.example/a.png) }</style>", "'http://x.example/a.png'"),
    (r"<style>p { background: \75 rl(http://x.example/a.png) }</style>", "'http://x.example/a.png'"),
    (r'<style>p { background: u\72l("http://x.example/a.png") }</style>', "'http://x.example/a.png'"),
    ('<style>p { background: -webkit-image-set("http://x.example/a.png" 1x) }</style>', "'http://x.example/a.png'"),
    ('<style>p { --u: "http://x.example/a.png"; background: image-set(var(--u) 1x) }</style>',
     "an address only known when the page is shown"),
    ('<style>p { content: attr(data-u url) }</style>', "an attribute read as an address"),
    ('<style>@font-face { font-family: X; src: url(http://x.example/x.woff2) }</style>', "'http://x.example/x.woff2'"),
    ('<style>@color-profile --p { src: url(profile.icc) }</style>', "'profile.icc', a file that is neither an image nor a font"),
    ('<style>p { background: url(.env) }</style>', "'.env', a hidden file"),
    ('<p style="background:url(http://x.example/a.png)">x</p>', "'http://x.example/a.png'"),
    ('<p style="background:u&#92;72l(http://x.example/a.png)">x</p>', "'http://x.example/a.png'"),
    # What a browser guessing the page's encoding could read otherwise.
    ("<p>\x1b$B text</p>", "a control character U+001B"),
]


@pytest.mark.parametrize(("body", "named"), SPELLINGS, ids=[s[0][:48] for s in SPELLINGS])
def test_each_spelling_is_found_and_left_out(body: str, named: str, tmp_path: Path) -> None:
    html = page(body)
    kept, findings = allow_listed(html, tmp_path, [tmp_path])
    described = [f"{f.what!r}, {f.reason}" if f.reason else f.what for f in findings]
    assert len(findings) == 1 and named in described[0], described
    assert allow_listed(kept, tmp_path, [tmp_path]) == (kept, [])  # what is left passes as it is


def test_a_cleaned_page_holds_no_trace_of_the_vectors(tmp_path: Path) -> None:
    css = "\n".join(v.code for v in VECTORS if v.template == "briefing.css")
    markup = "\n".join(v.code for v in VECTORS if v.template != "briefing.css")
    html = page("\n".join(body for body, _ in SPELLINGS) + f"\n{markup}", f"<style>{css}</style>\n")
    kept, findings = allow_listed(html.replace("SRV", "http://x.example"), tmp_path, [tmp_path])
    assert len(findings) > len(SPELLINGS)
    assert allow_listed(kept, tmp_path, [tmp_path]) == (kept, [])
    assert not re.search(r"<(script|iframe|svg|math|object|embed|link|base|form|video)\b|\bon\w+=|x\.example/[\w.]+\)", kept, re.I)


def test_what_briefgen_writes_passes(tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    body = ('<h2 id="a">A</h2><p class="lead-in">x<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup></p>'
            '<table><thead><tr><th style="text-align: left;">h</th></tr></thead><tbody><tr><td colspan="2">c</td></tr></tbody></table>'
            '<p><img src="figures/map.png" alt="map" title="Map"> <img src="data:image/png;base64,iVBORw0KGgo=" alt="">'
            '<a href="https://example.org/report">report</a> <a href="mailto:desk@example.org">desk</a> '
            '<a href="summary.html">summary</a> <time datetime="2025-01-01">1 January</time></p>'
            '<span class="footnote" data-n="1">note</span><ol start="3"><li value="3">x</li></ol>'
            '<div class="footnote"><hr><ol><li id="fn:1"><p>n <a class="footnote-backref" href="#fnref:1" '
            'aria-label="Back to reference 1" title="Back">↩</a></p></li></ol></div>')
    style = '<style>@font-face { font-family: X; src: url("figures/x.woff2") } p { background: url(figures/bg.png) }</style>'
    html = page(body, style)
    assert allow_listed(html, tmp_path, [tmp_path]) == (html, [])


# --- what may be loaded -------------------------------------------------------------------------------------------


def test_only_images_and_fonts_inside_the_project_may_be_loaded(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "figures").mkdir(parents=True)
    (root / "facts").mkdir()
    (root / "figures" / "map.png").write_bytes(b"\x89PNG")
    (root / "facts" / "alpha.yaml").write_text("- id: x\n")
    (root / "figures" / "alpha.png").symlink_to(root / "facts" / "alpha.yaml")  # named like an image
    (root / "figures" / "out.png").symlink_to(tmp_path / "secret.png")  # leads out of the project
    allowed = [root, FONTS]
    uri = root.as_uri()
    assert refusal(f"{uri}/figures/map.png", allowed) is None
    assert refusal(f"{uri}/figures/MAP.SVG", allowed) is None
    assert refusal((FONTS / "Inter-Regular.otf").as_uri(), allowed) is None
    assert refusal("data:text/plain,hello", allowed) is None
    assert refusal(f"{uri}/.env", allowed) == "a hidden file"
    assert refusal(f"{uri}/.git/config", allowed) == "a file in a hidden folder"
    assert refusal(f"{uri}/.git/logo.png", allowed) == "a file in a hidden folder"
    assert refusal(f"{uri}/facts/alpha.yaml", allowed) == "a file that is neither an image nor a font"
    assert refusal(f"{uri}/figures/alpha.png", allowed) == "a file that is neither an image nor a font"
    assert refusal(f"{uri}/figures/out.png", allowed) == "a file outside the project"
    assert refusal(f"{uri}/../secret.png", allowed) == "a file outside the project"
    assert refusal("file://fileserver/share/map.png", allowed) == "a file on another machine"
    assert refusal("https://example.org/map.png", allowed) == "which is not a file inside the project"


def test_briefgens_fonts_load_from_a_hidden_folder_inside_the_project(tmp_path: Path) -> None:
    """Installed into a .venv inside the project, briefgen's fonts sit in a hidden folder of it: they still load."""
    fonts = tmp_path / ".venv" / "lib" / "briefgen" / "fonts"
    fonts.mkdir(parents=True)
    assert refusal((fonts / "Inter-Regular.otf").as_uri(), [tmp_path, fonts]) is None
    assert refusal((tmp_path / ".venv" / "secret.otf").as_uri(), [tmp_path, fonts]) == "a file in a hidden folder"


# --- the PDF renderer, given a page that was not allow-listed ------------------------------------------------------


@pytest.fixture
def project_with_secrets(tmp_path: Path) -> tuple[Path, str]:
    token = f"SECRET-{secrets.token_hex(8)}"
    (tmp_path / ".env").write_text(token)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text(token)
    return tmp_path, token


ATTACHING = ['<link rel="attachment" href=".env">', '<p><a rel="attachment" href=".git/config">config</a></p>',
             '<p><a rel="nofollow ATTACHMENT" href=".env">env</a></p>']


@pdf
def test_stock_weasyprint_would_attach_the_projects_secrets(project_with_secrets: tuple[Path, str]) -> None:
    """The vectors are real: WeasyPrint with its own fetcher embeds the files in the PDF."""
    import weasyprint

    root, token = project_with_secrets
    for markup in ATTACHING:
        document = weasyprint.HTML(string=page(markup), base_url=root.as_uri() + "/").write_pdf()
        (root / "stock.pdf").write_bytes(document)
        with pikepdf.open(root / "stock.pdf") as opened:
            streams = [stream_bytes(o) for o in opened.objects if isinstance(o, pikepdf.Stream)]
        assert any(token.encode() in s for s in streams), markup


@pdf
@pytest.mark.parametrize("markup", ATTACHING)
def test_the_pdf_renderer_refuses_attachments(markup: str, project_with_secrets: tuple[Path, str]) -> None:
    from briefgen.pdf import render_pdf

    root, token = project_with_secrets
    with pytest.raises(BriefgenError) as info:
        render_pdf(page(markup), root, [root, FONTS])
    assert info.value.code == "BG402"
    assert info.value.message.endswith("a file attachment, which briefgen never puts in a PDF; nothing was fetched")

    rendered = render_pdf(page(markup), root, [root, FONTS], policy="warn")
    assert [level for _, _, level in rendered.refused] == ["warning"]
    (root / "warned.pdf").write_bytes(rendered.pdf)
    with pikepdf.open(root / "warned.pdf") as opened:
        assert len(opened.attachments) == 0
        assert not any(token.encode() in stream_bytes(o) for o in opened.objects if isinstance(o, pikepdf.Stream))


@pdf
@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ('<img src=".env" alt="">', "a hidden file"),
        ('<p style="background: url(.git/config)">x</p>', "a file in a hidden folder"),
        ('<img src="facts.yaml" alt="">', "a file that is neither an image nor a font"),
        ("<style>@import url(theme.css);</style>", "a file that is neither an image nor a font"),
    ],
)
def test_the_pdf_renderer_fetches_only_images_and_fonts(markup: str, reason: str, project_with_secrets: tuple[Path, str]) -> None:
    from briefgen.pdf import render_pdf

    root, _ = project_with_secrets
    (root / "facts.yaml").write_text("x: 1\n")
    (root / "theme.css").write_text("p { color: red }\n")
    with pytest.raises(BriefgenError) as info:
        render_pdf(page(markup), root, [root, FONTS])
    assert info.value.code == "BG402" and reason in info.value.message
