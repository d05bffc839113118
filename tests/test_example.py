"""The shipped example: it checks clean, builds, and its Markdown footnotes resolve in pandoc and on GitHub."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import cmarkgfm
import pypandoc
import pytest
from cmarkgfm.cmark import Options

from briefgen import build as pipeline
from briefgen.diagnostics import format_text
from conftest import REPO


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's project files, built to Markdown and HTML."""
    root = tmp_path_factory.mktemp("example")
    for name in ("briefgen.yaml", "facts", "seeds", "templates"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.exists():
            shutil.copy(source, root / name)
    pipeline.build(root, formats=("md", "html"))
    return root


def test_shipped_project_checks_without_errors_or_warnings() -> None:
    outcome = pipeline.check(REPO)
    assert [format_text(d) for d in outcome.diagnostics] == []


def test_committed_briefing_is_up_to_date(example: Path) -> None:
    assert (REPO / "output" / "briefing.md").read_text() == (example / "output" / "briefing.md").read_text(), (
        "output/briefing.md is stale: run `briefgen build` and commit it"
    )


def footnotes(markdown: str) -> tuple[list[str], set[str]]:
    definitions = re.findall(r"^\[\^(\d+)\]: ", markdown, flags=re.M)
    references = set(re.findall(r"\[\^(\d+)\](?!:)", markdown))
    return definitions, references


def test_markdown_has_one_definition_per_cited_fact(example: Path) -> None:
    markdown = (example / "output" / "briefing.md").read_text()
    outcome = pipeline.check(example)
    assert outcome.rendered is not None
    definitions, references = footnotes(markdown)
    assert len(definitions) == len(set(definitions)) == len(outcome.rendered.cited)
    assert references == set(definitions)


def test_pandoc_resolves_every_footnote(example: Path) -> None:
    markdown = (example / "output" / "briefing.md").read_text()
    html = pypandoc.convert_text(markdown, "html", format="markdown")
    assert "[^" not in html
    notes = dict(re.findall(r'<li id="(fn\d+)">(.*?)</li>', html, flags=re.S))
    refs = re.findall(r'href="#(fn\d+)"\s+class="footnote-ref"', html)
    assert refs and all(ref in notes for ref in refs)
    # pandoc writes a note for every reference; the distinct notes are the cited facts.
    definitions, _ = footnotes(markdown)
    distinct = {" ".join(re.sub(r"<a\s+href=\"#fnref\d+\".*", "", n, flags=re.S).split()) for n in notes.values()}
    assert len(distinct) == len(definitions)


def test_github_markdown_resolves_every_footnote(example: Path) -> None:
    markdown = (example / "output" / "briefing.md").read_text()
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_FOOTNOTES)
    assert "[^" not in html
    notes = re.findall(r'<li id="(fn-\d+)">', html)
    refs = re.findall(r'<a href="#(fn-\d+)" id="fnref-[\d-]+" data-footnote-ref>', html)
    definitions, _ = footnotes(markdown)
    assert len(notes) == len(definitions)
    assert set(refs) == set(notes)
