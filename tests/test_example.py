"""The shipped example: it checks clean, builds, cites every fact, and its committed Markdown is up to date."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from briefgen import build as pipeline
from briefgen.diagnostics import format_text
from conftest import REPO, copy_example


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's project files, built to Markdown and HTML."""
    root = copy_example(tmp_path_factory.mktemp("example"))
    pipeline.build(root, formats=("md", "html"))
    return root


def test_shipped_project_checks_without_errors_or_warnings() -> None:
    outcome = pipeline.check(REPO)
    assert [format_text(d) for d in outcome.diagnostics] == []


@pytest.mark.parametrize("name", ["briefing.md", "summary.md"])
def test_committed_markdown_is_up_to_date(example: Path, name: str) -> None:
    assert (REPO / "output" / name).read_text() == (example / "output" / name).read_text(), (
        f"output/{name} is stale: run `briefgen build` and commit it"
    )


def test_committed_charts_are_up_to_date(example: Path) -> None:
    built = {p.name: p.read_bytes() for p in (example / "output" / "briefing-figures").iterdir()}
    committed = {p.name: p.read_bytes() for p in (REPO / "output" / "briefing-figures").iterdir()}
    assert len(built) == 2
    assert committed == built, "output/briefing-figures/ is stale: run `briefgen build` and commit it"
    ignored = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", "output/briefing-figures/x.svg"])
    assert ignored.returncode == 1, "the charts the committed Markdown links to must not be ignored by git"


@pytest.mark.pdf
def test_the_executive_summary_fits_on_one_page(tmp_path: Path) -> None:
    import pypdf

    copy_example(tmp_path)
    outcome = pipeline.build(tmp_path, formats=("pdf",), jobs=2)
    assert [p.name for p in outcome.written] == ["briefing.pdf", "summary.pdf"]
    summary = pypdf.PdfReader(tmp_path / "output" / "summary.pdf")
    assert len(summary.pages) == 1
    text = " ".join((summary.pages[0].extract_text() or "").split())
    assert text.startswith("EXECUTIVE SUMMARY North Korea's military support to Russia")
    assert text.endswith("UNCLASSIFIED // FOR TRAINING UNCLASSIFIED // FOR TRAINING Page 1 of 1")
    assert "11 Publisher not stated" in text  # all eleven notes on the page


def test_every_fact_is_cited_in_the_default_briefing() -> None:
    outcome = pipeline.check(REPO)
    assert outcome.project is not None and outcome.rendered is not None
    uncited = sorted(set(outcome.project.facts) - set(outcome.rendered.cited))
    assert uncited == [], f"facts missing from the briefing: {uncited}"


def test_the_example_is_substantial() -> None:
    outcome = pipeline.check(REPO)
    assert outcome.project is not None
    facts = outcome.project.facts.values()
    assert len(outcome.project.facts) > 40
    assert {f.category for f in facts} == {"troops", "equipment", "agreements", "drones", "context"}
    assert all(len(s.title) > 10 for s in outcome.project.sources.values())
