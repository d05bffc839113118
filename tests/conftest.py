"""Shared fixtures: small projects on disk, and the CLI run the way a user runs it."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from briefgen.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).parent.parent
EXAMPLE_FILES = ("briefgen.yaml", "judgments.yaml", "facts", "seeds", "templates")  # the shipped project, without its outputs
NPM_TOOLS = Path(sys.prefix) / "tools" / "node_modules"  # where `make test` installs the npm checkers


def copy_example(root: Path) -> Path:
    """The shipped project's files, copied into `root`."""
    for name in EXAMPLE_FILES:
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    return root


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped project, built once to Markdown, HTML and PDF; its outputs are in output/."""
    from briefgen import build as pipeline

    root = copy_example(tmp_path_factory.mktemp("built-example"))
    pipeline.build(root, formats=("md", "html", "pdf"))
    return root


def modules_loaded(cwd: Path, watched: tuple[str, ...], *commands: list[str]) -> list[str]:
    """Which of the `watched` modules running these briefgen commands in `cwd` loads, in a fresh interpreter.
    Each command must succeed (exit 0), or end in a problem the project has (exit 1) when it is `check`."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys; from briefgen.cli import main\n"
        f"for args in {list(commands)!r}:\n"
        "    try: main(args)\n"
        "    except SystemExit as e: assert not e.code or args == ['check'], e.code\n"
        f"print(json.dumps([m for m in {watched!r} if m in sys.modules]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def output_files(folder: Path) -> dict[str, bytes]:
    """Every file of a build's output folder, charts' folders included, by its path in the folder."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def note_count(markdown: Path) -> int:
    """How many notes a built briefing's Markdown defines: one per cited fact."""
    import re

    notes = markdown.read_text().partition("\n## Notes\n\n")[2]
    return len(re.findall(r"^\d+\. ", notes, re.M))


def installed_tool(*parts: str) -> Path:
    """A checker the test set-up installs (`make test`); missing, the test fails: a guarantee is never skipped."""
    path = NPM_TOOLS.joinpath(*parts) if parts[0] not in ("chromium", "java", "node") else Path(shutil.which(parts[0]) or "")
    if not path.name or not path.exists():
        pytest.fail(f"{'/'.join(parts)} is not installed: run `make test`, which installs what the tests use")
    return path


# Headless Chromium as this machine runs it: as root (no sandbox), with no network chatter of its own.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-quic")


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(installed_tool("chromium")), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite the golden files from the current output.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@dataclass
class ProjectDir:
    """A project copied into a temporary folder, with helpers to edit it."""

    root: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def replace(self, relative: str, old: str, new: str) -> None:
        text = self.read(relative)
        assert old in text, f"{old!r} not in {relative}"
        self.write(relative, text.replace(old, new, 1))


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectDir:
    """The tiny fixture project, as the working directory (paths in messages are relative to it)."""
    root = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    monkeypatch.chdir(root)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    return ProjectDir(root)


def run(*args: str) -> Result:
    """Run the CLI in-process, as `briefgen ARGS`, with stdout and stderr kept apart."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


class RequestCounter(http.server.BaseHTTPRequestHandler):
    """Records every request the local server gets, and answers with a stylesheet or an image."""

    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        type(self).requests.append(self.path)
        body = b"body { color: red; }" if self.path.endswith(".css") else b"\x89PNG\r\n\x1a\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A local HTTP server on 127.0.0.1; RequestCounter.requests lists what reached it."""
    RequestCounter.requests = []
    httpd = http.server.HTTPServer(("127.0.0.1", 0), RequestCounter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


# The print stylesheet sets footnote calls in 6 pt and the numbers before the notes in 6.3 pt: the PDF's text,
# read with each run's size, tells the two apart without the renderer's help.
CALL_SIZE, MARKER_SIZE = 6.0, 6.3


def footnote_pages(pdf: Path) -> tuple[dict[int, int], dict[int, list[int]]]:
    """From a briefing PDF: the page of each note's first call, and the pages its note is printed on."""
    import pypdf

    calls: dict[int, int] = {}
    notes: dict[int, list[int]] = {}
    for number, page in enumerate(pypdf.PdfReader(pdf).pages, start=1):
        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float, page: int = number) -> None:
            text = text.strip()
            if not text.isdigit():
                return
            shown = round(size * (tm[3] or 1) * (cm[3] or 1), 2)
            if shown == CALL_SIZE:
                calls.setdefault(int(text), page)
            elif shown == MARKER_SIZE:
                notes.setdefault(int(text), []).append(page)

        page.extract_text(visitor_text=visit)
    return calls, notes
