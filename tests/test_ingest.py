"""Getting an article in with add-source: saved web pages, PDF reports, files that are no article, and URLs
fetched from a local server, on inputs shaped like the real ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import io
import shlex
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import Result

from briefgen import ingest
from conftest import FIXTURES, REPO, ProjectDir, run

PAGES = FIXTURES / "pages"
NEWS_ID = "harbour-gazette-2025-01-14"
NEWS_URL = "https://harbourgazette.example/world/2025/01/14/brigade-moves-north"
NEWS_TEXT = (
    "Brigade moves to the northern border\n\n"
    "The 12th Mechanised Brigade began moving its armoured vehicles to the northern border on Monday night, three "
    "officials told the Harbour Gazette.\n\n"
    "About 40 tanks and 90 infantry fighting vehicles left the garrison at Kessel by rail, according to one of the "
    "officials, who spoke on condition of anonymity.\n\n"
    "The defence ministry declined to comment on the movement but said that exercises planned for the spring would "
    "go ahead as scheduled.\n\n"
    "Residents near the railway line said the trains ran through the night and that the last one passed shortly "
    "before dawn on Tuesday.\n"
)
NEWS_STATED = (
    "briefgen: from the document: author “Maria Lindqvist”, lang “en-GB”, published 2025-01-14, publisher "
    f"“Harbour Gazette”, title “Brigade moves to the northern border”, url “{NEWS_URL}”"
)
BARE_TEXT = (
    "The convoy was seen on the coast road at first light, moving slowly towards the old harbour with its lights "
    "off.\n\n"
    "Fishermen who were mending their nets on the quay counted at least twenty lorries, most of them covered with "
    "green tarpaulins.\n\n"
    "Nobody in the village could say where the lorries were going, and the police station did not answer the "
    "telephone that morning.\n"
)
REPORT_TITLE = "Northern rail logistics assessment"
REPORT_ID = "northern-rail-logistics-assessment"
REPORT_PAGES = 3


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seeds_state(project: ProjectDir) -> dict[str, bytes]:
    """Every file under seeds/ with its bytes: what a refused add-source must leave as it found it."""
    seeds = project.root / "seeds"
    return {str(p.relative_to(seeds)): p.read_bytes() for p in sorted(seeds.rglob("*")) if p.is_file()}


def refused(project: ProjectDir, *args: str) -> Result:
    """Run add-source expecting a refusal: exit 1, and seeds/ (sources.yaml included) byte for byte unchanged."""
    before = seeds_state(project)
    result = run("add-source", *args)
    assert result.exit_code == 1, result.stderr
    assert seeds_state(project) == before
    return result


def error(message: str) -> str:
    return f"briefgen: error: {message}\n"


# --- documents the tests make: PDFs rendered with WeasyPrint, an image ---------------------------------------


def report_sentences(page: int) -> tuple[list[str], list[str]]:
    """What page `page` of the two-column report says: its first column's sentences, then its second's."""
    first = [f"On page {page} the first column says the depot at Kessel held {n * 10} lorries in week {n}."
             for n in range(1, 9)]
    second = [f"On page {page} the second column says the bridge at Varne carried {n * 5} trains in week {n}."
              for n in range(1, 9)]
    return first, second


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Documents:
    report: Path  # three pages of two columns, titled in its metadata
    images: Path  # two pages, each only an image
    one_image: Path  # one page, only an image
    mixed: Path  # text, an image, text
    locked: Path  # a user password
    png: Path


@pytest.fixture(scope="session")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Documents:
    import pikepdf
    import weasyprint

    folder = tmp_path_factory.mktemp("documents")
    png = folder / "chart.png"
    png.write_bytes(png_bytes())

    def pdf(name: str, body: str, head: str = "", style: str = "") -> Path:
        html = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{head}<style>@page {{ size: A4; margin: 2cm }} '
                f"body {{ font: 11pt/1.4 sans-serif }} {style}</style></head><body>{body}</body></html>")
        path = folder / name
        weasyprint.HTML(string=html, base_url=str(folder)).write_pdf(path)
        return path

    sections = []
    for page in range(1, REPORT_PAGES + 1):
        first, second = report_sentences(page)
        sections.append("<section>" + "".join(f"<p>{s}</p>" for s in first + second) + "</section>")
    report = pdf("report.pdf", "".join(sections), head=f"<title>{REPORT_TITLE}</title>",
                 style="section { columns: 2; column-gap: 1cm; break-after: page } p { margin: 0 0 0.6em }")
    image = '<div style="break-before: page"><img src="chart.png" style="width: 10cm"></div>'
    plain = pdf("plain.pdf", "<p>A report that only its readers with the password may open and read.</p>",
                head="<title>Restricted report</title>")
    locked = folder / "locked.pdf"
    with pikepdf.open(plain) as document:
        document.save(locked, encryption=pikepdf.Encryption(user="secret", owner="owner"))
    return Documents(
        report=report,
        images=pdf("images.pdf", image * 2),
        one_image=pdf("one-image.pdf", image),
        mixed=pdf("mixed.pdf", "<p>The first page of the report has words that an analyst can quote from it.</p>"
                  + image + '<p style="break-before: page">The third page has words again, about the depot.</p>',
                  head="<title>Mixed report</title>"),
        locked=locked,
        png=png,
    )


# --- a saved web page ----------------------------------------------------------------------------------------


def test_a_saved_news_page_is_archived_with_the_metadata_it_states(tiny: ProjectDir) -> None:
    page = PAGES / "news-article.html"
    shutil.copy(page, tiny.root / "page.html")
    registry = tiny.read("seeds/sources.yaml")
    result = run("add-source", "page.html", "--reliability", "B", "--reliability-note", "A national daily with a long record.")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"briefgen: archived page.html as seeds/{NEWS_ID}.txt and seeds/{NEWS_ID}.html; registered '{NEWS_ID}' in "
        "seeds/sources.yaml",
        NEWS_STATED,
    ]
    text = (tiny.root / "seeds" / f"{NEWS_ID}.txt").read_bytes()
    assert text.decode() == NEWS_TEXT  # the headline, then the article's paragraphs
    for boilerplate in ("Home", "Subscribe", "Related stories", "Ports reopen", "newsletter", "Copyright", "Privacy"):
        assert boilerplate not in text.decode()
    assert (tiny.root / "seeds" / f"{NEWS_ID}.html").read_bytes() == page.read_bytes()
    assert tiny.read("seeds/sources.yaml") == registry + (
        f"\n- id: {NEWS_ID}\n"
        f"  file: {NEWS_ID}.txt\n"
        f"  original_file: {NEWS_ID}.html\n"
        f'  sha256: "{digest(text)}"\n'
        '  title: "Brigade moves to the northern border"\n'
        '  publisher: "Harbour Gazette"\n'
        '  author: "Maria Lindqvist"\n'
        f'  url: "{NEWS_URL}"\n'
        "  published: 2025-01-14\n"
        '  lang: "en-GB"\n'
        "  reliability: B\n"
        '  reliability_note: "A national daily with a long record."\n'
    )
    check = run("check")
    assert (check.exit_code, check.stdout.splitlines()) == (0, [
        f"seeds/sources.yaml:20:7: warning: source '{NEWS_ID}' is cited by no fact [BG204 unused-source]",
        "checked 4 facts against 3 sources: 0 errors, 1 warning",
    ])


def test_a_page_that_states_no_title_is_refused_without_one(tiny: ProjectDir) -> None:
    shutil.copy(PAGES / "no-metadata.html", tiny.root / "page.html")
    result = refused(tiny, "page.html")
    assert result.stderr == error("page.html states no title (hint: give the article's title with --title) [BG900 usage]")


def test_a_page_that_states_nothing_is_registered_with_only_the_title_given(tiny: ProjectDir) -> None:
    shutil.copy(PAGES / "no-metadata.html", tiny.root / "page.html")
    registry = tiny.read("seeds/sources.yaml")
    result = run("add-source", "page.html", "--title", "Convoy on the coast road")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "briefgen: archived page.html as seeds/convoy-on-the-coast.txt and seeds/convoy-on-the-coast.html; "
        "registered 'convoy-on-the-coast' in seeds/sources.yaml",
        "briefgen: not stated, for you to add (check will ask): publisher, url, published, reliability",
    ]
    text = (tiny.root / "seeds" / "convoy-on-the-coast.txt").read_bytes()
    assert text.decode() == BARE_TEXT
    assert tiny.read("seeds/sources.yaml") == registry + (
        "\n- id: convoy-on-the-coast\n  file: convoy-on-the-coast.txt\n  original_file: convoy-on-the-coast.html\n"
        f'  sha256: "{digest(text)}"\n  title: "Convoy on the coast road"\n'
    )
    check = run("check")
    assert (check.exit_code, check.stdout.splitlines()) == (0, [
        "seeds/sources.yaml:20:7: warning: source 'convoy-on-the-coast' is cited by no fact [BG204 unused-source]",
        "seeds/sources.yaml:20:7: warning: source 'convoy-on-the-coast' does not give its publisher, url or published "
        "(hint: add them, or write null where the article states none) [BG205 weak-source-reference]",
        "seeds/sources.yaml:20:7: warning: source 'convoy-on-the-coast' has no reliability grade, so it counts as F "
        "(cannot be judged) (hint: grade it with reliability: A to F, and say why in reliability_note) "
        "[BG212 ungraded-source]",
        "checked 4 facts against 3 sources: 0 errors, 3 warnings",
    ])


def test_an_archived_original_in_the_way_stops_the_whole_add(tiny: ProjectDir) -> None:
    shutil.copy(PAGES / "news-article.html", tiny.root / "page.html")
    tiny.write(f"seeds/{NEWS_ID}.html", "<p>An older copy.</p>\n")
    result = refused(tiny, "page.html")
    assert result.stderr == error(
        f"seeds/{NEWS_ID}.html already exists; briefgen never overwrites an archived text "
        "(hint: give it another id with --id) [BG900 usage]"
    )
    assert not (tiny.root / "seeds" / f"{NEWS_ID}.txt").exists()


# --- PDF reports ---------------------------------------------------------------------------------------------


def test_a_two_column_pdf_report_keeps_its_pages_and_column_order(tiny: ProjectDir, documents: Documents) -> None:
    import pypdfium2 as pdfium

    registry = tiny.read("seeds/sources.yaml")
    result = run("add-source", str(documents.report))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"briefgen: archived {documents.report} as seeds/{REPORT_ID}.txt and seeds/{REPORT_ID}.pdf; registered "
        f"'{REPORT_ID}' in seeds/sources.yaml",
        f"briefgen: from the document: title “{REPORT_TITLE}”",
        "briefgen: not stated, for you to add (check will ask): publisher, url, published, reliability",
    ]
    text = (tiny.root / "seeds" / f"{REPORT_ID}.txt").read_bytes()
    pages = text.decode().removesuffix("\n").split("\n\f\n")
    assert len(pages) == REPORT_PAGES
    for number, page in enumerate(pages, start=1):
        first, second = report_sentences(number)
        assert " ".join(page.split()) == " ".join(first + second)  # the first column, then the second, unmixed
    # The report is laid out in two columns: its second column's last sentence is on the right half of page 2.
    pdf = pdfium.PdfDocument(documents.report)
    width = pdf[1].get_width()
    right_half = " ".join(pdf[1].get_textpage().get_text_bounded(left=width / 2).split())
    assert report_sentences(2)[1][-1] in right_half and report_sentences(2)[0][0] not in right_half
    pdf.close()
    assert (tiny.root / "seeds" / f"{REPORT_ID}.pdf").read_bytes() == documents.report.read_bytes()
    assert tiny.read("seeds/sources.yaml") == registry + (
        f"\n- id: {REPORT_ID}\n  file: {REPORT_ID}.txt\n  original_file: {REPORT_ID}.pdf\n"
        f'  sha256: "{digest(text)}"\n  title: "{REPORT_TITLE}"\n'
    )
    assert ingest.read_document(str(documents.report)).pages == REPORT_PAGES


def test_a_quote_from_page_two_of_a_pdf_verifies(tiny: ProjectDir, documents: Documents) -> None:
    assert run("add-source", str(documents.report)).exit_code == 0
    quote = report_sentences(2)[1][3]  # the second column's fourth sentence, over two lines in the PDF
    fact = (
        "\n- id: varne-bridge-trains\n  claim: The bridge at Varne carried 20 trains in week 4.\n  as_of: 2025-01\n"
        f'  sources:\n    - source: {REPORT_ID}\n      quote: "{quote}"\n'
    )
    tiny.write("facts/beta.yaml", tiny.read("facts/beta.yaml") + fact)
    check = run("check")
    assert (check.exit_code, check.stdout.splitlines()) == (0, [
        f"seeds/sources.yaml:20:7: warning: source '{REPORT_ID}' does not give its publisher, url or published "
        "(hint: add them, or write null where the article states none) [BG205 weak-source-reference]",
        f"seeds/sources.yaml:20:7: warning: source '{REPORT_ID}' has no reliability grade, so it counts as F "
        "(cannot be judged) (hint: grade it with reliability: A to F, and say why in reliability_note) "
        "[BG212 ungraded-source]",
        "checked 5 facts against 3 sources: 0 errors, 2 warnings",
    ])
    # The same sentence with another number is not in the report: the check is real.
    tiny.replace("facts/beta.yaml", "carried 20 trains in week 4.\"", "carried 21 trains in week 4.\"")
    assert run("check").exit_code == 1


def test_a_pdf_of_images_is_refused_for_its_missing_text_layer(tiny: ProjectDir, documents: Documents) -> None:
    result = refused(tiny, str(documents.images), "--title", "Charts")
    assert result.stderr == error(
        f"{documents.images} has no text layer: its 2 pages are images (hint: run OCR on it first (e.g. ocrmypdf, "
        "from Debian's packages), then add the result) [BG012 no-text]"
    )


def test_a_one_page_pdf_of_an_image_is_refused_in_good_english(tiny: ProjectDir, documents: Documents) -> None:
    result = refused(tiny, str(documents.one_image), "--title", "Chart")
    assert result.stderr == error(
        f"{documents.one_image} has no text layer: its 1 page is an image (hint: run OCR on it first (e.g. ocrmypdf, "
        "from Debian's packages), then add the result) [BG012 no-text]"
    )


def test_a_pdf_with_one_page_of_images_notes_that_page_in_good_english(tiny: ProjectDir, documents: Documents) -> None:
    result = run("add-source", str(documents.mixed))
    assert result.exit_code == 0, result.stderr
    text = (tiny.root / "seeds" / "mixed-report.txt").read_text()
    assert text.split("\n\f\n")[1] == ""  # the image's page keeps its place, so later pages keep their numbers
    assert "briefgen: note: page 2 has no text layer (an image): quotes from it cannot be checked" in result.stderr.splitlines()


def test_a_pdf_with_a_password_is_refused(tiny: ProjectDir, documents: Documents) -> None:
    result = refused(tiny, str(documents.locked))
    assert result.stderr == error(
        f"{documents.locked} is encrypted with a password (hint: open it with its password and save or print a copy "
        "without one, then add that) [BG012 no-text]"
    )


# --- files that are no article -------------------------------------------------------------------------------


def test_an_image_is_refused_as_no_article(tiny: ProjectDir, documents: Documents) -> None:
    result = refused(tiny, str(documents.png), "--title", "Chart")
    assert result.stderr == error(
        f"{documents.png} is a PNG image, not an article's text, web page or PDF (hint: briefgen archives text: save "
        "the article as a web page or PDF, or OCR the image) [BG007 file-not-text]"
    )


def test_a_file_with_a_nul_byte_is_refused_as_binary(tiny: ProjectDir) -> None:
    tiny.write("notes.txt", "The convoy left at dawn.\x00 It reached the port at noon.\n")
    result = refused(tiny, "notes.txt", "--title", "Notes")
    assert result.stderr == error(
        "notes.txt is binary, not text (NUL byte at offset 24) (hint: briefgen reads plain text (UTF-8), saved web "
        "pages and PDFs) [BG007 file-not-text]"
    )


def test_a_text_file_that_is_not_utf8_is_refused_with_how_to_fix_it(tiny: ProjectDir) -> None:
    (tiny.root / "notes.txt").write_bytes("Café owners near the port said the convoy left at dawn.\n".encode("cp1252"))
    result = refused(tiny, "notes.txt", "--title", "Notes")
    assert result.stderr == error(
        "notes.txt is not UTF-8: byte 0xe9 at offset 3 cannot be decoded (hint: save the text as UTF-8) "
        "[BG007 file-not-text]"
    )


# --- URLs, fetched from a local server -----------------------------------------------------------------------

Route = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Site:
    """A local HTTP server: `routes` says what each path answers, `requests` lists every path asked for."""

    url: str
    stopping: threading.Event
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)


def answer(body: bytes, content_type: str = "text/html; charset=utf-8", *, length: bool = True,
           status: int = 200, headers: dict[str, str] | None = None) -> Route:
    def respond(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    return respond


def redirect(location: str) -> Route:
    return answer(b"", status=302, headers={"Location": location})


@pytest.fixture
def site() -> Iterator[Site]:
    """A threaded HTTP server on 127.0.0.1 (port 0), stopped at the end, slow answers cut short."""
    httpd: http.server.ThreadingHTTPServer

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            served.requests.append(self.path)
            route = served.routes.get(self.path)
            try:
                if route is None:
                    self.send_error(404)
                else:
                    route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # briefgen hung up, as it should on a refused answer

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served = Site(url=f"http://127.0.0.1:{httpd.server_address[1]}", stopping=threading.Event())
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def fetched_entry(ident: str, text: bytes, *fields: str) -> str:
    return f"\n- id: {ident}\n  file: {ident}.txt\n" + "".join(f"  {line}\n" for line in fields).replace("SHA", digest(text))


def test_a_url_is_fetched_once_and_registered_with_the_day_it_was_read(tiny: ProjectDir, site: Site) -> None:
    page = (PAGES / "news-article.html").read_bytes()
    site.routes["/world/brigade"] = answer(page)
    registry = tiny.read("seeds/sources.yaml")
    result = run("add-source", f"{site.url}/world/brigade")
    assert result.exit_code == 0, result.stderr
    assert site.requests == ["/world/brigade"]  # not its stylesheet, script, images or links
    assert result.stderr.splitlines()[1] == NEWS_STATED
    text = (tiny.root / "seeds" / f"{NEWS_ID}.txt").read_bytes()
    assert text.decode() == NEWS_TEXT
    assert (tiny.root / "seeds" / f"{NEWS_ID}.html").read_bytes() == page
    assert tiny.read("seeds/sources.yaml") == registry + fetched_entry(
        NEWS_ID, text, f"original_file: {NEWS_ID}.html", 'sha256: "SHA"', 'title: "Brigade moves to the northern border"',
        'publisher: "Harbour Gazette"', 'author: "Maria Lindqvist"', f'url: "{NEWS_URL}"', "published: 2025-01-14",
        f"accessed: {dt.date.today().isoformat()}", 'lang: "en-GB"',
    )


def plain_article() -> bytes:
    """A page that states only its title: the URL it was fetched from is the one registered."""
    paragraphs = BARE_TEXT.strip().split("\n\n")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Convoy seen on the coast road</title></head><body>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>").encode()


def test_a_redirect_is_followed_and_the_url_reached_is_registered(tiny: ProjectDir, site: Site) -> None:
    site.routes["/old"] = redirect("/article")
    site.routes["/article"] = answer(plain_article())
    result = run("add-source", f"{site.url}/old", "--reliability", "C", "--reliability-note", "A local paper.")
    assert result.exit_code == 0, result.stderr
    assert site.requests == ["/old", "/article"]
    text = (tiny.root / "seeds" / "convoy-seen-on-the.txt").read_bytes()
    assert text.decode() == "Convoy seen on the coast road\n\n" + BARE_TEXT
    assert tiny.read("seeds/sources.yaml").endswith(fetched_entry(
        "convoy-seen-on-the", text, "original_file: convoy-seen-on-the.html", 'sha256: "SHA"',
        'title: "Convoy seen on the coast road"', f'url: "{site.url}/article"',
        f"accessed: {dt.date.today().isoformat()}", "reliability: C", 'reliability_note: "A local paper."',
    ))


def test_a_redirect_to_ftp_is_refused(tiny: ProjectDir, site: Site) -> None:
    site.routes["/old"] = redirect("ftp://files.example/article.html")
    result = refused(tiny, f"{site.url}/old", "--title", "T")
    assert result.stderr == error(
        f"{site.url}/old redirects to ftp://files.example/article.html, another scheme; briefgen follows redirects "
        "only within http and https, and never from https to http [BG013 fetch-failed]"
    )
    assert site.requests == ["/old"]


def test_a_redirect_to_a_local_file_is_refused(tiny: ProjectDir, site: Site) -> None:
    site.routes["/old"] = redirect("file:///etc/passwd")
    result = refused(tiny, f"{site.url}/old", "--title", "T")
    assert site.requests == ["/old"]
    assert result.stderr == error(
        f"{site.url}/old redirects to file:///etc/passwd, another scheme; briefgen follows redirects only within "
        "http and https, and never from https to http [BG013 fetch-failed]"
    )


def test_a_missing_page_is_reported_with_its_http_status(tiny: ProjectDir, site: Site) -> None:
    result = refused(tiny, f"{site.url}/gone", "--title", "T")
    assert result.stderr == error(f"{site.url}/gone answered HTTP 404 Not Found [BG013 fetch-failed]")
    assert site.requests == ["/gone"]


def test_a_server_that_does_not_answer_in_time_is_given_up_on(tiny: ProjectDir, site: Site) -> None:
    def slow(handler: http.server.BaseHTTPRequestHandler) -> None:
        site.stopping.wait(3)
        answer(plain_article())(handler)

    site.routes["/slow"] = slow
    started = time.monotonic()
    result = refused(tiny, f"{site.url}/slow", "--timeout", "1")
    assert time.monotonic() - started < 2.5
    assert result.stderr == error(
        f"{site.url}/slow did not answer within 1 s (hint: try again later, or save the page in a browser and add "
        "the file) [BG013 fetch-failed]"
    )
    assert site.requests == ["/slow"]


def test_a_server_that_trickles_its_answer_is_given_up_on_at_the_timeout(tiny: ProjectDir, site: Site) -> None:
    def trickle(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", "8")
        handler.end_headers()
        for _ in range(8):
            handler.wfile.write(b"a")
            handler.wfile.flush()
            if site.stopping.wait(0.4):
                return

    site.routes["/trickle"] = trickle
    started = time.monotonic()
    result = refused(tiny, f"{site.url}/trickle", "--timeout", "1", "--title", "T")
    assert "did not answer within 1 s" in result.stderr
    assert time.monotonic() - started < 2.5


@pytest.fixture
def small_cap(monkeypatch: pytest.MonkeyPatch) -> int:
    """A 10,000-byte cap. MAX_DOCUMENT_BYTES is bound as read_document's default when the module loads, so the
    default itself is what is patched."""
    monkeypatch.setattr(ingest, "MAX_DOCUMENT_BYTES", 10_000)
    return 10_000


def test_a_page_announced_as_larger_than_the_cap_is_refused(tiny: ProjectDir, site: Site, small_cap: int) -> None:
    site.routes["/big"] = answer(b"<p>" + b"a" * 19_993 + b"</p>")
    result = refused(tiny, f"{site.url}/big", "--title", "T")
    assert result.stderr == error(
        f"{site.url}/big is 20,000 bytes, more than the 10,000 bytes briefgen reads [BG013 fetch-failed]"
    )
    assert site.requests == ["/big"]


def test_a_page_that_sends_more_than_the_cap_unannounced_is_refused(tiny: ProjectDir, site: Site, small_cap: int) -> None:
    site.routes["/big"] = answer(b"<p>" + b"a" * 19_993 + b"</p>", length=False)
    result = refused(tiny, f"{site.url}/big", "--title", "T")
    assert result.stderr == error(f"{site.url}/big sent more than the 10,000 bytes briefgen reads [BG013 fetch-failed]")
    assert site.requests == ["/big"]


def test_a_url_that_serves_an_image_is_refused(tiny: ProjectDir, site: Site) -> None:
    site.routes["/chart.png"] = answer(png_bytes(), "image/png")
    result = refused(tiny, f"{site.url}/chart.png", "--title", "T")
    assert result.stderr == error(
        f"{site.url}/chart.png serves image/png, not a web page, a PDF or plain text (hint: give the address of the "
        "article itself, or save it and add the file) [BG013 fetch-failed]"
    )
    assert site.requests == ["/chart.png"]


def test_a_url_that_serves_a_pdf_is_registered_as_a_pdf(tiny: ProjectDir, site: Site, documents: Documents) -> None:
    report = documents.report.read_bytes()
    site.routes["/files/report"] = answer(report, "application/pdf")
    result = run("add-source", f"{site.url}/files/report")
    assert result.exit_code == 0, result.stderr
    assert site.requests == ["/files/report"]
    text = (tiny.root / "seeds" / f"{REPORT_ID}.txt").read_bytes()
    assert text.decode().count("\n\f\n") == REPORT_PAGES - 1
    assert (tiny.root / "seeds" / f"{REPORT_ID}.pdf").read_bytes() == report
    assert tiny.read("seeds/sources.yaml").endswith(fetched_entry(
        REPORT_ID, text, f"original_file: {REPORT_ID}.pdf", 'sha256: "SHA"', f'title: "{REPORT_TITLE}"',
        f'url: "{site.url}/files/report"', f"accessed: {dt.date.today().isoformat()}",
    ))


def test_a_fetched_page_is_read_in_the_charset_its_server_states(tiny: ProjectDir, site: Site) -> None:
    page = ("<!DOCTYPE html><html lang='en'><head><title>Brigade moves north</title></head><body><article>"
            "<p>The commander of the brigade, Colonel Anders Sjöberg, said the move to Skellefteå was routine and had "
            "been planned for months before the exercise.</p></article></body></html>")
    site.routes["/latin"] = answer(page.encode("latin-1"), "text/html; charset=iso-8859-1")
    result = run("add-source", f"{site.url}/latin")
    assert result.exit_code == 0, result.stderr
    assert "Colonel Anders Sjöberg, said the move to Skellefteå was routine" in tiny.read("seeds/brigade-moves-north.txt")


def test_fetched_plain_text_is_read_in_the_charset_its_server_states(tiny: ProjectDir, site: Site) -> None:
    site.routes["/statement.txt"] = answer("Café owners said the convoy left at dawn.\n".encode("latin-1"),
                                           "text/plain; charset=iso-8859-1")
    result = run("add-source", f"{site.url}/statement.txt", "--id", "statement", "--title", "Statement")
    assert result.exit_code == 0, result.stderr
    assert tiny.read("seeds/statement.txt") == "Café owners said the convoy left at dawn.\n"


def test_words_broken_at_line_ends_are_joined_and_compound_hyphens_kept() -> None:
    import weasyprint

    html = ('<html lang="en"><body style="width:5cm; hyphens:auto; font-size:12pt">'
            + "The battalion reinforcements arrived with considerable administrative paraphernalia. " * 4
            + "</body></html>")
    text = ingest.read_pdf(weasyprint.HTML(string=html).write_pdf(), "report.pdf").text
    assert "\u2010" not in text  # the typesetter's hyphens are gone: "rein‐" + "forcements" is one word again
    assert text.split().count("reinforcements") == 4
    assert ingest._page_text("the 240-\nmillimetre guns") == "the 240-\nmillimetre guns"  # a hyphen-minus may be the word's


def test_the_readme_shows_real_add_source_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text()
    block = readme.split("$ briefgen add-source navy-final-frigate.html", 1)[1].split("\n$ ", 1)[0]
    options, _, shown = block.partition("\n")
    monkeypatch.chdir(tmp_path)
    assert run("init", "desk").exit_code == 0
    shutil.copy(REPO / "tests" / "fixtures" / "pages" / "navy-final-frigate.html", tmp_path / "desk")
    monkeypatch.chdir(tmp_path / "desk")
    result = run("add-source", "navy-final-frigate.html", *shlex.split(options))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == shown + "\n"
