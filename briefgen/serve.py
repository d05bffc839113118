"""The live preview, `briefgen serve`: the briefing in a browser, rebuilt on every save.

A file watcher (watchfiles) watches what a build reads: facts/, seeds/, templates/, briefgen.yaml and
judgments.yaml. On a save the HTML is built again, in this process, by the same pipeline as `briefgen build`
(into a temporary folder: output/ is never touched), and the page is told to reload through Server-Sent Events
on /events. When the fact base has errors, the page shows them at its top as `file:line:col` lines, above the
last good briefing. The PDF is built in the background by a `briefgen build --format pdf` process of its own,
which a newer save cancels, so the HTML never waits for it; /briefing.pdf serves the last good one.

What the server answers is the briefing and nothing else: /, /events and /briefing.pdf (the page holds its
images and charts as data: URLs, so it needs nothing more); no listing, no file of the project. It listens on 127.0.0.1 unless told
otherwise, answers only requests addressed to it by that name (a page elsewhere cannot rebind its own name to
this machine to read the briefing), and the page may load nothing from anywhere else (Content-Security-Policy).
The script that reloads the page is put into the served page only; the built files never hold it.

This module prints nothing itself: what it has to say goes through the `say` callback the command line gives.
"""

from __future__ import annotations

import html
import ipaddress
import json
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from briefgen.diagnostics import Diagnostic, format_text, plural, shown_to_people, sort_key
from briefgen.errors import BriefgenError, CheckFailed

Say = Callable[[str], None]

WATCHED_FILES = frozenset({"briefgen.yaml", "judgments.yaml"})
WATCHED_FOLDERS = ("facts", "seeds", "templates")
PDF_PATH = "/briefing.pdf"
EVENTS_PATH = "/events"
KEEPALIVE_SECONDS = 10  # an /events stream writes at least this often, so a closed tab frees its thread
PDF_DELAY_SECONDS = 0.5  # after the HTML: the browser's reload first, and no PDF process for a save soon undone
PDF_WAIT_SECONDS = 120  # how long GET /briefing.pdf waits for the first PDF while it is being built


class Preview:
    """What the page shows, kept up to date by one builder thread; the HTTP threads only read it."""

    def __init__(self, root: Path, say: Say) -> None:
        self.root = root
        self.say = say
        self.changed = threading.Condition()  # notified whenever anything below changes, and on stop
        self.stopping = threading.Event()
        self.run = secrets.token_hex(4)  # a page from an earlier run of the server reloads too
        self.version = 0  # bumped whenever the page would read differently: the browser reloads
        self.html: bytes | None = None  # the last good HTML of the main briefing, as `build` writes it
        self.name = "briefing"  # the main briefing's name
        self.built_at: str | None = None
        self.errors: list[str] = []  # `file:line:col` lines of the latest build, when it failed
        self.warnings: list[str] = []  # of the latest build that succeeded
        self.pdf: bytes | None = None  # the last good PDF of the main briefing
        self.pdf_built_at: str | None = None
        self.pdf_state = "none"  # none | building | ready | failed
        self.pdf_errors: list[str] = []
        self.pdf_version = 0
        self._pending = threading.Event()  # a watched file changed since the last build began
        self._folders_changed = threading.Event()  # facts/, seeds/ or templates/ appeared or went
        self._pdf_lock = threading.Lock()
        self._pdf_process: subprocess.Popen[bytes] | None = None
        self._pdf_timer: threading.Timer | None = None

    # --- the HTML, built on every change ------------------------------------------------------------

    def build(self) -> bool:
        """Build the HTML once; the page keeps the last good briefing when this one fails. True if it built."""
        from briefgen import build as pipeline

        self._cancel_pdf()  # a PDF of an older save is stale, and its process holds the project's lock
        started = time.perf_counter()
        errors: list[Diagnostic] = []
        try:
            with tempfile.TemporaryDirectory(prefix="briefgen-serve-") as folder:
                output = Path(folder) / "output"
                outcome = pipeline.build(self.root, output, ("html",), progress=self._progress)
                name = outcome.documents[0][0].name
                page = (output / f"{name}.html").read_bytes()
        except BriefgenError as exc:
            found = exc.diagnostics()
            errors = [d for d in found if d.level == "error"] or found
        except Exception as exc:  # a bug: the terminal gets the traceback, the page one line, and serving goes on
            for line in traceback.format_exc().splitlines():
                self.say(line)
            errors = [Diagnostic(code="BG900", level="error", message=f"briefgen failed: {type(exc).__name__}: {exc}",
                                 hint="a bug in briefgen; the terminal shows where")]
        seconds = time.perf_counter() - started
        lines = [format_text(d) for d in sorted(shown_to_people(errors), key=sort_key)]
        if errors:
            self.say(f"briefgen: {plural(len(lines), 'problem')}; the page keeps the last good briefing")
            for line in lines:
                self.say(line)
            with self.changed:
                if self.pdf_state in ("building", "failed"):  # of an older save: no PDF of a fact base with errors
                    self.pdf_state = "ready" if self.pdf is not None else "none"
                    self.pdf_version += 1
            self._update(errors=lines, pdf_errors=[])
            return False
        warnings = [format_text(d) for d in sorted(shown_to_people(outcome.diagnostics), key=sort_key)]
        self.say(f"briefgen: rebuilt {name}.html in {seconds:.2f} s" + (f", {plural(len(warnings), 'warning')}" if warnings else ""))
        self._update(html=page, name=name, errors=[], warnings=warnings, pdf_errors=[], built_at=time.strftime("%H:%M:%S"))
        self._start_pdf()
        return True

    def _progress(self, message: str) -> None:
        if message.startswith("waiting"):  # another briefgen run holds the project
            self.say(f"briefgen: {message}")

    def _update(self, **fields: object) -> None:
        """Change what the page shows; the browser reloads only when the page would read differently."""
        with self.changed:
            before = (self.html, self.errors, self.warnings, self.pdf_errors)
            for name, value in fields.items():
                setattr(self, name, value)
            if (self.html, self.errors, self.warnings, self.pdf_errors) != before:
                self.version += 1
            self.changed.notify_all()

    # --- the PDF, in a process of its own -----------------------------------------------------------

    def _start_pdf(self) -> None:
        """Build the PDF soon: a moment after the HTML, so that the browser's reload goes first and a quick
        second save costs no process."""
        with self._pdf_lock:
            if self.stopping.is_set():
                return
            timer = threading.Timer(PDF_DELAY_SECONDS, lambda: self._launch_pdf(timer))
            timer.daemon = True
            self._pdf_timer = timer
        with self.changed:
            self.pdf_state = "building"
            self.pdf_version += 1
            self.changed.notify_all()
        timer.start()

    def _launch_pdf(self, timer: threading.Timer) -> None:
        with self._pdf_lock:
            if self._pdf_timer is not timer or self.stopping.is_set():
                return  # cancelled meanwhile
            self._pdf_timer = None
            folder = Path(tempfile.mkdtemp(prefix="briefgen-serve-pdf-"))
            command = [sys.executable, "-m", "briefgen", "build", "--project", str(self.root),
                       "--output", str(folder / "output"), "--format", "pdf", "--force", "--quiet"]
            # A session of its own: Ctrl-C in the terminal stops the server, which ends this process itself.
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, start_new_session=True)
            self._pdf_process = process
        threading.Thread(target=self._finish_pdf, args=(process, folder, self.name, time.perf_counter()),
                         name="briefgen-pdf", daemon=True).start()

    def _finish_pdf(self, process: subprocess.Popen[bytes], folder: Path, name: str, started: float) -> None:
        try:
            _, stderr = process.communicate()
            with self._pdf_lock:
                if self._pdf_process is not process:
                    return  # cancelled: a newer save started another, or the server is stopping
                self._pdf_process = None
            pdf = folder / "output" / f"{name}.pdf"
            if process.returncode == 0 and pdf.is_file():
                self.say(f"briefgen: rebuilt {name}.pdf in {time.perf_counter() - started:.1f} s")
                with self.changed:
                    self.pdf, self.pdf_state, self.pdf_built_at = pdf.read_bytes(), "ready", time.strftime("%H:%M:%S")
                    self.pdf_version += 1
                    self.changed.notify_all()
                self._update(pdf_errors=[])
                return
            lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
            lines = lines or [f"briefgen: error: the PDF build ended with exit code {process.returncode}"]
            self.say(f"briefgen: {name}.pdf not rebuilt:")
            for line in lines:
                self.say(line)
            with self.changed:
                self.pdf_state = "failed"
                self.pdf_version += 1
            self._update(pdf_errors=lines)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _cancel_pdf(self) -> None:
        with self._pdf_lock:
            process, self._pdf_process = self._pdf_process, None
            if self._pdf_timer is not None:
                self._pdf_timer.cancel()
                self._pdf_timer = None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def pdf_label(self) -> str:
        """What the link to the PDF says about it."""
        previous = "the link serves the previous one" if self.pdf is not None else "no PDF yet"
        if self.pdf_state == "building":
            return f"PDF (being rebuilt; {previous})" if self.pdf is not None else "PDF (being built…)"
        if self.pdf_state == "failed":
            return f"PDF (not rebuilt: see the problems above; {previous})"
        if self.pdf is None:
            return "PDF (none yet: the fact base has errors)"
        if self.errors:
            return f"PDF (of the last good briefing, built at {self.pdf_built_at})"
        return f"PDF (built at {self.pdf_built_at})"

    # --- watching ----------------------------------------------------------------------------------

    def start_watching(self) -> None:
        """Start the watchers, before the first build, so that no save after it goes unseen."""
        threading.Thread(target=self._watch_root, name="briefgen-watch-root", daemon=True).start()
        threading.Thread(target=self._watch_folders, name="briefgen-watch", daemon=True).start()

    def rebuild_on_changes(self) -> None:
        """Rebuild after each change until stopped: the watchers only mark a change, this loop builds."""
        while not self.stopping.is_set():
            if not self._pending.wait(timeout=0.5):
                continue
            self._pending.clear()
            if not self.stopping.is_set():
                self.build()

    def _mark(self, changes: set) -> None:
        if changes:
            self._pending.set()

    def _watch_root(self) -> None:
        """The settings files, and the watched folders appearing or going: the project folder alone, since
        it may hold much else (.git, .venv, output/)."""
        import watchfiles

        names = WATCHED_FILES | set(WATCHED_FOLDERS)
        try:
            for changes in watchfiles.watch(self.root, watch_filter=lambda _, path: Path(path).name in names,
                                            recursive=False, stop_event=self.stopping, raise_interrupt=False):
                if any(change != watchfiles.Change.modified and Path(path).name in WATCHED_FOLDERS for change, path in changes):
                    self._folders_changed.set()
                self._mark(changes)
        except OSError as exc:  # the project folder itself went
            self.say(f"briefgen: error: stopped watching {self.root}: {exc.strerror or exc}")

    def _watch_folders(self) -> None:
        """facts/, seeds/ and templates/, with what is in them; watched again when one appears or goes."""
        import watchfiles

        while not self.stopping.is_set():
            self._folders_changed.clear()
            folders = [self.root / name for name in WATCHED_FOLDERS if (self.root / name).is_dir()]
            if not folders:
                self._folders_changed.wait(timeout=0.5)
                continue
            stop = _either(self.stopping, self._folders_changed)
            try:
                for changes in watchfiles.watch(*folders, stop_event=stop, raise_interrupt=False):
                    self._mark(changes)
            except OSError:  # a folder went just as it was to be watched: look again
                self._pending.set()
                time.sleep(0.1)

    def stop(self) -> None:
        self.stopping.set()
        self._cancel_pdf()
        with self.changed:
            self.changed.notify_all()

    # --- the page ----------------------------------------------------------------------------------

    def page(self, nonce: str) -> bytes:
        """The last good briefing with the preview's bar at its top and the script that reloads it."""
        with self.changed:
            body, bar = self.html, self._bar(nonce)
        if body is None:
            return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    f"<title>briefgen preview</title>\n</head>\n<body>\n{bar}</body>\n</html>\n").encode()
        text = body.decode("utf-8")
        opening = re.search(r"<body\b[^>]*>", text, re.IGNORECASE)
        at = opening.end() if opening else 0
        return (text[:at] + "\n" + bar + text[at:]).encode()

    def _bar(self, nonce: str) -> str:
        """The preview's own part of the page (called with the lock held)."""
        parts = [f'<div id="briefgen-preview" data-version="{self.run}-{self.version}">', BAR_STYLE.format(nonce=nonce)]
        if self.errors:
            kept = "the last good briefing is shown below" if self.html is not None else "no briefing has built yet"
            parts.append(f'<p class="briefgen-heading">{plural(len(self.errors), "problem")} in the fact base; {kept}:</p>')
            parts.append(_lines("briefgen-problems", self.errors))
        if self.pdf_errors:
            parts.append('<p class="briefgen-heading">The PDF was not rebuilt:</p>')
            parts.append(_lines("briefgen-pdf-problems", self.pdf_errors))
        built = f"Built at {self.built_at}. " if self.built_at else ""
        parts.append(f'<p class="briefgen-status">{html.escape(built)}<a id="briefgen-pdf" href="{PDF_PATH}">'
                     f'{html.escape(self.pdf_label())}</a> <span id="briefgen-connection"></span></p>')
        if self.warnings and not self.errors:
            parts.append(f"<details><summary>{plural(len(self.warnings), 'warning')}</summary>")
            parts.append(_lines("briefgen-warnings", self.warnings))
            parts.append("</details>")
        parts.append(RELOAD_SCRIPT.replace("{nonce}", nonce).replace("{version}", f"{self.run}-{self.version}"))
        parts.append("</div>\n")
        return "\n".join(parts)

    def events(self) -> Iterator[str]:
        """The /events stream: the page's version whenever it changes, the PDF's state, and keepalives."""
        version = pdf = None
        yield "retry: 1000\n\n"
        while not self.stopping.is_set():
            seen = (version, pdf)
            with self.changed:
                self.changed.wait_for(lambda seen=seen: self.stopping.is_set() or (self.version, self.pdf_version) != seen,
                                      timeout=KEEPALIVE_SECONDS)
                now, now_pdf, label = self.version, self.pdf_version, self.pdf_label()
            if self.stopping.is_set():
                return
            message = ""
            if now != version:
                message += f"event: briefing\ndata: {self.run}-{now}\n\n"
            if now_pdf != pdf:
                message += f"event: pdf\ndata: {json.dumps({'state': self.pdf_state, 'label': label})}\n\n"
            version, pdf = now, now_pdf
            yield message or ": keepalive\n\n"

    def wait_for_pdf(self) -> bytes | None:
        """The PDF; while the first one is being built, after waiting for it."""
        with self.changed:
            self.changed.wait_for(lambda: self.pdf is not None or self.pdf_state != "building" or self.stopping.is_set(),
                                  timeout=PDF_WAIT_SECONDS)
            return self.pdf


def _lines(ident: str, lines: list[str]) -> str:
    return f'<pre id="{ident}" class="briefgen-lines">' + "\n".join(html.escape(line) for line in lines) + "</pre>"


def _either(*events: threading.Event) -> threading.Event:
    """An event that is set once any of `events` is: what watchfiles checks to stop."""

    class Either(threading.Event):
        def is_set(self) -> bool:
            return any(e.is_set() for e in events)

    return Either()


BAR_STYLE = """<style nonce="{nonce}">
#briefgen-preview {{ font: 14px/1.4 system-ui, sans-serif; margin: 0 0 1em; padding: .5em 1em; background: #f4f4f4; border-bottom: 1px solid #ccc; }}
#briefgen-preview .briefgen-heading {{ margin: .3em 0; font-weight: 600; color: #a00; }}
#briefgen-preview .briefgen-lines {{ margin: .3em 0; white-space: pre-wrap; overflow-wrap: anywhere; font: 13px/1.4 ui-monospace, monospace; color: #a00; }}
#briefgen-preview details .briefgen-lines {{ color: #850; }}
#briefgen-preview .briefgen-status {{ margin: .3em 0; color: #444; }}
</style>"""

RELOAD_SCRIPT = """<script nonce="{nonce}">
(() => {
  const shown = "{version}";
  const link = document.getElementById("briefgen-pdf");
  const connection = document.getElementById("briefgen-connection");
  const events = new EventSource("/events");
  events.addEventListener("briefing", (e) => { if (e.data !== shown) { events.close(); location.reload(); } });
  events.addEventListener("pdf", (e) => { link.textContent = JSON.parse(e.data).label; });
  events.onopen = () => { connection.textContent = ""; };
  events.onerror = () => { connection.textContent = "(the preview server is not answering; retrying)"; };
})();
</script>"""

# What the served page may load: its own inline styles, images and fonts as data: URLs, the reload script by
# its nonce, and the event stream. Nothing from anywhere else, this server's other paths included.
PAGE_POLICY = ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
               "script-src 'nonce-{nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
OTHER_POLICY = "default-src 'none'; sandbox"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def version_string(self) -> str:
        return "briefgen"

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        self._answer(body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - the http.server API
        self._answer(body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server API
        pass

    def _answer(self, body: bool) -> None:
        preview = self.server.preview
        if not self.server.host_allowed(self.headers.get("Host", "")):
            self._send(403, b"This server answers only to its own address.\n", "text/plain; charset=utf-8", body)
            return
        path = urlsplit(self.path).path
        if path == "/":
            nonce = secrets.token_urlsafe(16)
            self._send(200, preview.page(nonce), "text/html; charset=utf-8", body, PAGE_POLICY.format(nonce=nonce))
        elif path == EVENTS_PATH:
            self._stream(preview, body)
        elif path == PDF_PATH:
            pdf = preview.wait_for_pdf()
            if pdf is None:
                self._send(404, b"No PDF yet: the fact base has errors (see the page).\n", "text/plain; charset=utf-8", body)
            else:
                # No sandboxing policy here: Chromium refuses to show a PDF in a sandboxed document.
                self._send(200, pdf, "application/pdf", body, policy=None,
                           extra={"Content-Disposition": f'inline; filename="{preview.name}.pdf"'})
        else:  # the page needs nothing else: its images and charts are inside it, as data: URLs
            self._send(404, b"Not found.\n", "text/plain; charset=utf-8", body)

    def _headers(self, status: int, content_type: str, policy: str | None, length: int | None, extra: dict[str, str] | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        if policy:
            self.send_header("Content-Security-Policy", policy)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def _send(self, status: int, data: bytes, content_type: str, body: bool, policy: str | None = OTHER_POLICY,
              extra: dict[str, str] | None = None) -> None:
        self._headers(status, content_type, policy, len(data), extra)
        if body:
            self.wfile.write(data)

    def _stream(self, preview: Preview, body: bool) -> None:
        self._headers(200, "text/event-stream; charset=utf-8", OTHER_POLICY, None, None)
        if not body:
            return
        try:
            for message in preview.events():
                self.wfile.write(message.encode())
                self.wfile.flush()
        except OSError:  # the page went away
            pass
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 32
    block_on_close = False  # an open /events stream must not hold up stopping

    def __init__(self, address: tuple[str, int], preview: Preview, family: socket.AddressFamily) -> None:
        self.address_family = family
        self.preview = preview
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # No SO_REUSEADDR: a second server on the same port is refused rather than sharing it.
        self.allow_reuse_address = False
        super().server_bind()

    def host_allowed(self, host: str) -> bool:
        """A loopback server answers only to loopback names: a page from elsewhere that points its own name
        at 127.0.0.1 (DNS rebinding) is refused. A server on another address was asked for by name."""
        if not _loopback(self.server_address[0]):
            return True
        port = self.server_address[1]
        names = {"127.0.0.1", "localhost", "[::1]", _url_host(self.server_address[0])}
        return host.lower() in {f"{name}:{port}" for name in names} | ({*names} if port == 80 else set())


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _family(host: str) -> socket.AddressFamily:
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:  # a name: what it resolves to first
        try:
            return socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0][0]
        except OSError as exc:
            raise BriefgenError(f"cannot listen on '{host}': {exc.strerror or exc}", code="BG900",
                                hint="give an address such as 127.0.0.1") from None


@contextmanager
def _sigterm_stops() -> Iterator[None]:
    """SIGTERM stops the server as Ctrl-C does."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(root: Path, host: str, port: int, say: Say) -> None:
    """Serve the project's briefing at http://HOST:PORT/ until Ctrl-C (or SIGTERM); returns normally then."""
    from briefgen.loading import load_project

    project, found = load_project(root)
    if project is None:  # not a project at all (no briefgen.yaml): nothing to serve
        raise CheckFailed(found)
    preview = Preview(root, say)
    try:
        server = _Server((host, port), preview, _family(host))
    except OSError as exc:
        raise BriefgenError(f"cannot listen on {_url_host(host)}:{port}: {exc.strerror or exc}", code="BG900",
                            hint="choose another --port, or --port 0 for any free one") from None
    watcher = threading.Thread(target=preview.rebuild_on_changes, name="briefgen-build", daemon=True)
    with _sigterm_stops():
        try:
            preview.start_watching()
            preview.build()
            bound_host, bound_port = server.server_address[:2]
            say(f"briefgen: serving {preview.name} at http://{_url_host(str(bound_host))}:{bound_port}/ (Ctrl-C stops)")
            watcher.start()
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            preview.stop()
            server.server_close()
            if watcher.is_alive():
                watcher.join(timeout=5)
    say("briefgen: stopped")
