"""The published Markdown reads the same in GitHub's renderer (cmark-gfm), markdown-it and pandoc.

Each renderer is run as a reader meets it: GitHub's safe mode (raw HTML omitted), markdown-it's GitHub-like
preset with raw HTML off and bare links found (linkify), pandoc's GitHub reader (bare URLs linked). In every
one the closing marking is the last thing on the page, every call has its note, nothing is dropped, and the
only links are the sources' own addresses.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import cmarkgfm
import pypandoc
import pytest
import yaml
from markdown_it import MarkdownIt

from briefgen import build as pipeline
from briefgen.templating import escape_md, portable_markdown
from conftest import FIXTURES, ProjectDir, copy_example

RENDERERS: dict[str, Callable[[str], str]] = {
    "github": lambda text: cmarkgfm.github_flavored_markdown_to_html(text),
    "markdown-it": lambda text: MarkdownIt("gfm-like", {"html": False}).render(text),
    "pandoc": lambda text: pypandoc.convert_text(text, "html", format="gfm"),
}

# Text that renderers like to turn into links, images, markup or nothing at all.
TROUBLE = (
    "see www.rferl.org, rferl.org and https://www.rferl.org/a/x.html?id=1; write to desk@example.org or "
    "mailto:desk@example.org; [1]: http://evil.example [1] [note](http://evil.example) <sup>,</sup> "
    "<!-- hidden --> **bold** ftp://files.example/x"
)


def visible(fragment: str) -> str:
    """What a reader sees: the text without tags, entities decoded, spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def links(fragment: str) -> list[str]:
    return [html_lib.unescape(href) for href in re.findall(r'<a\b[^>]*\bhref="([^"]*)"', fragment)]


def source_urls(root: Path) -> set[str]:
    sources = yaml.safe_load((root / "seeds" / "sources.yaml").read_text())
    return {s["url"] for s in sources if s.get("url")}


def assert_renders_alike(markdown: str, marking: str, notes: int, allowed_links: set[str]) -> None:
    seen = {}
    for name, render in RENDERERS.items():
        page = render(markdown)
        blocks = re.findall(r"<(p|h[1-6]|ol|ul|table|li)\b[^>]*>(.*?)</\1>", page, re.S)
        assert visible(blocks[-1][1]) == marking, f"{name}: the page does not end with the marking"
        assert visible(blocks[0][1]) == marking, f"{name}: the page does not start with the marking"
        assert "raw HTML omitted" not in page, f"{name}: raw HTML in the Markdown, which safe renderers drop"
        text = visible(page)
        calls = {int(n) for n in re.findall(r"\[(\d+)\]", text.partition(" Notes ")[0])}
        assert calls == set(range(1, notes + 1)), f"{name}: calls without notes or notes without calls"
        items = re.findall(r"<li>", page.rpartition("Notes</h2>")[2])
        assert len(items) == notes, f"{name}: {len(items)} notes listed, {notes} cited"
        assert set(links(page)) <= allowed_links, f"{name}: links not from the sources: {set(links(page)) - allowed_links}"
        seen[name] = text
    assert seen["github"] == seen["markdown-it"] == seen["pandoc"]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("renderers"))
    pipeline.build(root, formats=("md",))
    return root


@pytest.mark.parametrize("name", ["briefing", "summary"])
def test_the_example_renders_alike_everywhere(example: Path, name: str) -> None:
    markdown = (example / "output" / f"{name}.md").read_text()
    assert_renders_alike(markdown, "UNCLASSIFIED // FOR TRAINING", notes_in(markdown), source_urls(example))


def test_a_second_project_from_other_articles_renders_alike_everywhere(tmp_path: Path) -> None:
    root = tmp_path / "second"
    shutil.copytree(FIXTURES / "second", root)
    shutil.rmtree(root / "templates")  # the built-in templates, with its key judgments
    pipeline.build(root, formats=("md",))
    markdown = (root / "output" / "briefing.md").read_text()
    assert "## Key judgments" in markdown
    assert_renders_alike(markdown, "UNCLASSIFIED // FOR TESTING", notes_in(markdown), source_urls(root))


def notes_in(markdown: str) -> int:
    return len(re.findall(r"^\d+\. ", markdown.partition("\n## Notes\n\n")[2], re.M))


def test_the_example_cites_every_note_it_lists(example: Path) -> None:
    outcome = pipeline.check(example)
    assert outcome.rendered is not None
    assert notes_in((example / "output" / "briefing.md").read_text()) == len(outcome.rendered.cited)


def test_fact_text_that_renderers_would_link_or_drop_stays_text(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "  claim: Convoys were seen moving north every night for a week.\n",
                 f"  claim: {json.dumps('Convoys were seen moving north. ' + TROUBLE)}\n")
    tiny.replace("seeds/sources.yaml", "  publisher: Example Wire", f"  publisher: {json.dumps('Wire ' + TROUBLE)}")
    pipeline.build(tiny.root, formats=("md",))
    markdown = tiny.read("output/briefing.md")
    marking = yaml.safe_load(tiny.read("briefgen.yaml"))["marking"]
    assert_renders_alike(markdown, marking, notes_in(markdown), source_urls(tiny.root))
    for name, render in RENDERERS.items():
        text = visible(render(markdown)).replace("\u2060", "")
        assert f"north. {TROUBLE}" in text and f"Wire {TROUBLE}" in text, f"{name}: the text was changed"


@pytest.mark.parametrize("text", [
    "www.example.org", "example.org", "https://example.org/x", "a.b@example.org", "mailto:a@example.org",
    "xmpp:a@example.org", "HTTP://EXAMPLE.ORG", "sub.domain.example.co.uk/path", "ftp://example.org",
])
def test_no_renderer_links_escaped_text(text: str) -> None:
    markdown = portable_markdown(f"Said: {escape_md(text)} today.\n", [])
    for name, render in RENDERERS.items():
        page = render(markdown)
        assert links(page) == [], f"{name} linked {text!r}"
        assert visible(page).replace("\u2060", "") == f"Said: {text} today.", name


def test_ordinary_prose_is_not_escaped() -> None:
    # Abbreviations, decimals and designations stay as written in the Markdown source.
    assert escape_md("The U.S. sent 1.5bn in e.g. Shahed-136. Then") == "The U.S. sent 1.5bn in e.g. Shahed-136. Then"
