"""`briefgen serve`, end to end: the server run as a user runs it, the page read by headless Chromium.

One server on a copy of the shipped example serves the module's tests in turn: the page, a save seen without a
reload, a broken quote shown at the top and gone when fixed, the PDF, what it listens on and what it refuses.
A second server is stopped with SIGINT while its first PDF is being built.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import CHROMIUM_FLAGS, copy_example

CHROMEDRIVER = Path("/usr/bin/chromedriver")  # Debian's chromium-driver, matching its chromium
TITLE = "North Korea's military support to Russia"
CLAIM = "U.S. Defense Secretary Lloyd Austin confirmed that North Korea had sent troops to Russia."
QUOTE = "Lloyd Austin confirmed that North Korea has dispatched"



@dataclass
class Served:
    """A `briefgen serve` process, its URL, and what it has said on stderr so far."""

    process: subprocess.Popen[str]
    root: Path
    url: str = ""
    said: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def start(root: Path, *args: str) -> Served:
    """`briefgen serve --port 0` in `root`, once it has said its URL."""
    process = subprocess.Popen([sys.executable, "-m", "briefgen", "serve", "--port", "0", *args], cwd=root,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    served = Served(process, root)
    found = threading.Event()

    def read() -> None:
        for line in process.stderr:  # type: ignore[union-attr]
            served.said.append(line)
            match = re.search(r"serving \S+ at (http://127\.0\.0\.1:\d+/)", line)
            if match and not served.url:
                served.url = match.group(1)
                found.set()
        found.set()

    served.reader = threading.Thread(target=read, daemon=True)
    served.reader.start()
    if not found.wait(60) or not served.url:
        process.kill()
        pytest.fail("briefgen serve printed no URL:\n" + "".join(served.said))
    return served


def stop(served: Served) -> tuple[int, str]:
    """SIGINT, as Ctrl-C sends it; the exit code and everything the server wrote."""
    served.process.send_signal(signal.SIGINT)
    served.process.wait(timeout=20)
    assert served.reader is not None
    served.reader.join(timeout=5)  # it has read stderr to its end
    stdout = served.process.stdout.read()  # type: ignore[union-attr]
    return served.process.returncode, stdout + "".join(served.said)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = copy_example(tmp_path_factory.mktemp("serve"))
    served = start(root)
    yield served
    if served.process.poll() is None:
        stop(served)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chromium = Path("/usr/bin/chromium")
    if not CHROMEDRIVER.exists() or not chromium.exists():
        pytest.fail("chromium and chromium-driver are not installed: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(chromium)
    for flag in (*CHROMIUM_FLAGS, "--headless=new", "--window-size=1200,900"):
        options.add_argument(flag)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager, should it run at all, downloads nothing
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def page_text(driver: webdriver.Chrome, selector: str = "body") -> str:
    """The text a reader sees in the element, or "" while the page is reloading or has no such element."""
    try:
        return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", selector)
    except WebDriverException:
        return ""


def wait_until(driver: webdriver.Chrome, condition, seconds: float = 10, what: str = "") -> None:  # noqa: ANN001
    try:
        WebDriverWait(driver, seconds, poll_frequency=0.05).until(lambda d: condition(d))
    except Exception:
        pytest.fail(f"not within {seconds} s: {what}\npage starts: {page_text(driver)[:2000]}")


def test_the_page_is_the_briefing_and_follows_each_save(served: Served, browser: webdriver.Chrome) -> None:
    browser.get(served.url)
    wait_until(browser, lambda d: page_text(d, "h1") == TITLE, what="the briefing's title")
    assert CLAIM.removesuffix(".") in page_text(browser, "main")
    browser.execute_script("window.notReloaded = true;")

    served.edit("facts/troops.yaml", "North Korea had sent troops to Russia", "North Korea had sent its first soldiers to Russia")
    wait_until(browser, lambda d: "North Korea had sent its first soldiers to Russia" in page_text(d, "main"),
               what="the edited claim, without a manual reload")
    assert browser.execute_script("return window.notReloaded === undefined;"), "the page reloads itself: the test never does"
    assert page_text(browser, "h1") == TITLE
    assert not (served.root / "output").exists(), "serve never writes output/"
    # Nothing the page asks for is refused or missing (the browser's own favicon.ico request aside).
    problems = [entry["message"] for entry in browser.get_log("browser")
                if entry["level"] == "SEVERE" and "/favicon.ico" not in entry["message"]]
    assert not problems


def test_problems_show_at_the_top_above_the_last_good_briefing_and_go_when_fixed(served: Served, browser: webdriver.Chrome) -> None:
    browser.get(served.url)
    wait_until(browser, lambda d: page_text(d, "h1") == TITLE, what="the briefing")
    served.edit("facts/troops.yaml", QUOTE, QUOTE.replace("confirmed", "<b>denied</b>"))
    lines = (served.root / "facts/troops.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "<b>denied</b>" in text)
    column = lines[line - 1].index('"') + 1
    located = (f"facts/troops.yaml:{line}:{column}: error: quote of fact 'austin-confirms-deployment' is not in source "
               "'pentagon-confirms-troops-2024-10'")
    wait_until(browser, lambda d: located in page_text(d, "#briefgen-problems"), what=f"the located problem {located}")

    problems = page_text(browser, "#briefgen-problems").splitlines()
    assert len(problems) == 1 and problems[0].startswith(located)
    assert problems[0].endswith("[BG101 quote-not-found]")
    assert "quote has 'austin <b>denied</b>'" in problems[0], "markup in a message is shown as text"
    assert not browser.find_elements(By.CSS_SELECTOR, "#briefgen-problems b")
    assert page_text(browser, "h1") == TITLE, "the last good briefing stays below the problems"
    above = browser.execute_script(
        "return document.querySelector('#briefgen-problems').getBoundingClientRect().top"
        " < document.querySelector('h1').getBoundingClientRect().top;")
    assert above, "the problems are at the top of the page"

    served.edit("facts/troops.yaml", QUOTE.replace("confirmed", "<b>denied</b>"), QUOTE)
    wait_until(browser, lambda d: page_text(d, "h1") == TITLE and not d.find_elements(By.ID, "briefgen-problems"),
               what="the problem gone once fixed")
    assert "problem" not in page_text(browser, "#briefgen-preview")


def test_the_pdf_is_rebuilt_in_the_background_and_linked(served: Served, browser: webdriver.Chrome) -> None:
    browser.get(served.url)
    link = browser.find_element(By.ID, "briefgen-pdf")
    assert link.get_attribute("href") == served.url + "briefing.pdf"
    # The link says when the PDF is being built, and the page is told when it is done, without a reload.
    wait_until(browser, lambda d: page_text(d, "#briefgen-pdf").startswith("PDF (built at"), seconds=40,
               what="the PDF built, as the link says")
    with urllib.request.urlopen(served.url + "briefing.pdf", timeout=30) as answer:
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.read().startswith(b"%PDF-")
    browser.find_element(By.ID, "briefgen-pdf").click()
    wait_until(browser, lambda d: d.execute_script("return document.contentType;") == "application/pdf",
               what="the browser showing the PDF the link leads to")


def get(url: str, path: str, host: str | None = None) -> int:
    """The status of a GET of `path` exactly as written (no normalisation of '..')."""
    address = url.removeprefix("http://").rstrip("/")
    connection = http.client.HTTPConnection(address, timeout=10)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", host or address)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_it_listens_on_127_0_0_1_only_and_serves_nothing_but_the_briefing(served: Served) -> None:
    port = int(served.url.rstrip("/").rsplit(":", 1)[1])
    listening = [c.laddr for c in psutil.Process(served.process.pid).net_connections(kind="inet")
                 if c.status == psutil.CONN_LISTEN]
    assert [(a.ip, a.port) for a in listening] == [("127.0.0.1", port)]

    assert get(served.url, "/") == 200
    for path in ("/facts/troops.yaml", "/briefgen.yaml", "/seeds/", "/facts/", "/output/briefing.html",
                 "/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2fbriefgen.yaml", "//etc/passwd",
                 "/seeds/sources.yaml", "/index.html", "/summary.pdf", "/.git/config"):
        assert get(served.url, path) == 404, path
    # A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) is refused.
    assert get(served.url, "/", host="attacker.example:80") == 403
    assert get(served.url, "/briefing.pdf", host=f"attacker.example:{port}") == 403


def test_ctrl_c_stops_it_cleanly_even_while_the_pdf_is_being_built(tmp_path: Path) -> None:
    served = start(copy_example(tmp_path))
    server = psutil.Process(served.process.pid)
    deadline = time.monotonic() + 10
    while not (children := server.children(recursive=True)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert children, "the PDF is being built in a process of its own"
    code, said = stop(served)
    assert code == 0, said
    assert "Traceback" not in said and "Aborted" not in said, said
    assert said.rstrip().endswith("briefgen: stopped"), said
    for child in children:
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE, "the PDF build is ended too"
