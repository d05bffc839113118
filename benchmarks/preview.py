"""How long `briefgen serve` takes from a save to the updated page, on the shipped example.

A copy of the example is served (`python -m briefgen serve --port 0`, a whole process, as an analyst runs it).
Each run rewrites one fact's claim in facts/troops.yaml with new words and times, from just before the write:

- browser: until headless Chromium (Debian's chromium and chromium-driver, through Selenium) has the reloaded
  page's DOM with the new words (the page's own navigation timing, domInteractive): the file watcher, the
  HTML build, the event to the page, its reload and parse;
- events + GET: until the server's event stream (/events) says the briefing changed and a GET of / holds the
  new words: the same without the browser;
- HTML build: the server's own figure for the build, from its log.

The runs are a second apart, so each save usually lands while the previous one's PDF is being laid out in the
background (the save cancels it). Medians of the runs are reported, with the fastest and slowest.

    python benchmarks/preview.py              # 5 runs of each
    python benchmarks/preview.py --runs 9
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_FILES = ("briefgen.yaml", "judgments.yaml", "facts", "seeds", "templates")
FACTS = "facts/troops.yaml"
CLAIM = "North Korea had sent troops to Russia"


class Server:
    """`briefgen serve` on a copy of the example, and the lines it has logged."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.log: list[str] = []
        self.process = subprocess.Popen([sys.executable, "-m", "briefgen", "serve", "--port", "0"], cwd=root,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 60
        while not (url := self._url()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                sys.exit("briefgen serve did not start:\n" + "".join(self.log))
            time.sleep(0.05)
        self.url = url
        self.address = url.removeprefix("http://").rstrip("/")

    def _read(self) -> None:
        for line in self.process.stderr:  # type: ignore[union-attr]
            self.log.append(line)

    def _url(self) -> str | None:
        found = [m.group(1) for line in self.log if (m := re.search(r"serving \S+ at (http://\S+/)", line))]
        return found[0] if found else None

    def build_seconds(self, after: int) -> float | None:
        """The server's time for the first HTML build it logged after line `after`."""
        for line in self.log[after:]:
            match = re.search(r"rebuilt \S+\.html in ([0-9.]+) s", line)
            if match:
                return float(match.group(1))
        return None

    def stop(self) -> None:
        self.process.send_signal(2)  # SIGINT, as Ctrl-C
        self.process.wait(timeout=20)


def save(root: Path, words: str) -> None:
    """Rewrite the claim as an editor saves: the whole file written again."""
    path = root / FACTS
    text = re.sub(r"North Korea had sent [^.]*? to Russia", words, path.read_text(encoding="utf-8"), count=1)
    path.write_text(text, encoding="utf-8")


def in_browser(server: Server, driver, words: str) -> float:  # noqa: ANN001
    """From the write to the moment the reloaded page's DOM was complete with the new words, by the page's
    own navigation timing: the page is checked only every 100 ms, so that checking costs the server no CPU."""
    started = time.time()
    save(server.root, words)
    while time.time() < started + 30:
        time.sleep(0.1)
        try:
            loaded = driver.execute_script(
                "if (!document.body || !document.body.textContent.includes(arguments[0])) return null;"
                "const t = performance.getEntriesByType('navigation')[0];"
                "return performance.timeOrigin + t.domInteractive;", words)
        except Exception:  # noqa: BLE001 - the page is between two loads
            continue
        if loaded:
            return loaded / 1000 - started
    raise SystemExit(f"the page did not show {words!r} within 30 s")


def by_events(server: Server, words: str) -> float:
    events = http.client.HTTPConnection(server.address, timeout=30)
    events.request("GET", "/events")
    stream = events.getresponse()
    first = None
    while True:  # the stream's opening: the version the page has now
        line = stream.fp.readline().decode()
        if line.startswith("data: ") and first is None:
            first = line
        if line == "\n" and first is not None:
            break
    started = time.perf_counter()
    save(server.root, words)
    while True:
        line = stream.fp.readline().decode()
        if line.startswith("event: briefing"):
            break
    page = http.client.HTTPConnection(server.address, timeout=30)
    page.request("GET", "/")
    body = page.getresponse().read().decode()
    elapsed = time.perf_counter() - started
    events.close()
    page.close()
    if words not in body:
        raise SystemExit(f"the event came but the page lacks {words!r}")
    return elapsed


def browser():  # noqa: ANN201
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))


def row(name: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return f"| {name} | {statistics.median(ms):.0f} ms | {min(ms):.0f} ms | {max(ms):.0f} ms |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="briefgen-preview-") as folder:
        root = Path(folder)
        for name in EXAMPLE_FILES:
            source = REPO / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
        server = Server(root)
        driver = browser()
        try:
            driver.get(server.url)
            time.sleep(1)
            seen, builds = {"browser": [], "events + GET": []}, []
            for run in range(args.runs):
                for how in seen:
                    # Letters for the run's number: a digit in a claim would be a number for check to question.
                    words = f"North Korea had sent troops ({how} run {''.join(chr(97 + int(d)) for d in str(run))}) to Russia"
                    logged = len(server.log)
                    seen[how].append(in_browser(server, driver, words) if how == "browser" else by_events(server, words))
                    time.sleep(0.3)
                    built = server.build_seconds(logged)
                    if built is not None:
                        builds.append(built)
                    time.sleep(0.7)
        finally:
            driver.quit()
            server.stop()

    print(f"Save → updated page, `briefgen serve` on the shipped example; median of {args.runs} runs "
          f"({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores)")
    print()
    print("| from the save to | median | fastest | slowest |")
    print("| --- | --- | --- | --- |")
    print(row("the new words in the browser's DOM", seen["browser"]))
    print(row("the event on /events, then GET / with the new words", seen["events + GET"]))
    if builds:
        print(row("(of which: the HTML build, by the server's log)", builds))


if __name__ == "__main__":
    main()
