"""Editions under git: what changed since the last edition, for people, tools and the briefing itself."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pypdf
import pytest

from conftest import ProjectDir, run


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.name=Analyst", "-c", "user.email=analyst@example.org", "commit", "-q", "-m", message)


@pytest.fixture
def edition(tiny: ProjectDir) -> ProjectDir:
    """The tiny project in git, with an unused source, tagged as edition-1."""
    tiny.write("seeds/spare.txt", "An article nobody has used yet.\n")
    tiny.write(
        "seeds/sources.yaml",
        tiny.read("seeds/sources.yaml")
        + "\n- id: spare\n  file: spare.txt\n  title: Spare report\n  publisher: null\n  url: null\n"
        "  published: 2025\n  reliability: F\n",
    )
    git(tiny.root, "init", "-q")
    commit(tiny.root, "First edition")
    git(tiny.root, "tag", "edition-1")
    return tiny


def second_edition(p: ProjectDir) -> None:
    """A changed value, an added fact and a removed source."""
    p.replace("facts/beta.yaml", "  value: 220\n  unit: pieces\n", "  value: 240\n  unit: millimetre\n")
    p.write(
        "facts/beta.yaml",
        p.read("facts/beta.yaml")
        + "\n- id: unit-grew\n  claim: The ministry said the unit grew after a winter of recruitment.\n"
        "  as_of: 2025-01\n  sources:\n    - source: wire-one\n"
        '      quote: "the unit now numbers “about 3,000 soldiers” after a winter of recruitment"\n',
    )
    p.replace("seeds/sources.yaml", "\n- id: spare\n  file: spare.txt\n  title: Spare report\n  publisher: null\n"
              "  url: null\n  published: 2025\n  reliability: F\n", "")


def test_diff_lists_exactly_the_three_changes(edition: ProjectDir) -> None:
    second_edition(edition)
    commit(edition.root, "Second edition")
    result = run("diff")  # the last tag
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [  # the edition is named by its own briefing date, not by its commit's
        "3 changes since edition-1 (briefing date 2025-01-20):",
        "Facts added:",
        "  + unit-grew (beta) The ministry said the unit grew after a winter of recruitment.",
        "Facts changed:",
        "  ~ rocket-artillery value: 220 → 240; unit: pieces → millimetre",
        "Sources removed:",
        "  - spare “Spare report”",
    ]
    doc = json.loads(run("diff", "edition-1", "--format", "json").stdout)
    assert [f["id"] for f in doc["facts"]["added"]] == ["unit-grew"]
    assert doc["facts"]["removed"] == []
    assert doc["facts"]["changed"] == [
        {"id": "rocket-artillery", "changes": [{"field": "value", "old": 220, "new": 240},
                                               {"field": "unit", "old": "pieces", "new": "millimetre"}]}
    ]
    assert doc["sources"] == {"added": [], "removed": [{"id": "spare", "title": "Spare report"}], "changed": []}
    assert (doc["date"], doc["dated_by"]) == ("2025-01-20", "briefing")
    markdown = run("diff", "edition-1", "--format", "markdown").stdout
    assert markdown.startswith("### What changed since edition-1 (briefing date 2025-01-20)\n\n**Facts added (1)**\n\n- `unit-grew`: ")


def test_an_edition_without_a_briefing_date_is_named_by_its_commit(edition: ProjectDir) -> None:
    edition.replace("briefgen.yaml", "date: 2025-01-20\n", "")
    commit(edition.root, "Undated edition")
    git(edition.root, "tag", "edition-2")
    second_edition(edition)
    assert run("build", "--format", "md", "--since", "edition-2", "--date", "2025-02-01").exit_code == 0
    committed = git(edition.root, "show", "-s", "--format=%cs", "edition-2").strip()
    shown = __import__("datetime").date.fromisoformat(committed).strftime("%-d %B %Y")
    assert f"Compared with the edition committed on {shown} (edition-2):" in edition.read("output/briefing.md")
    assert "Previously: figure 220; unit pieces." in edition.read("output/briefing.md")


def test_a_changed_claim_is_quoted_without_a_second_full_stop(edition: ProjectDir) -> None:
    edition.replace("facts/beta.yaml", "  claim: Convoys were seen moving north", "  claim: Long convoys were seen moving north")
    assert run("build", "--format", "md", "--since", "edition-1").exit_code == 0
    assert "Previously: “Convoys were seen moving north every night for a week”." in edition.read("output/briefing.md")


def test_uncommitted_edits_count_too(edition: ProjectDir) -> None:
    edition.replace("facts/alpha.yaml", "  note: The ministry counts reservists", "  note: The ministry probably counts reservists")
    result = run("diff", "edition-1")
    assert result.stdout.splitlines()[1:] == [
        "Facts changed:",
        "  ~ unit-strength-official note: “The ministry counts reservists; the blog counts soldiers seen.” → "
        "“The ministry probably counts reservists; the blog counts soldiers seen.”",
    ]


def test_without_tags_the_previous_commit_is_the_last_edition(edition: ProjectDir) -> None:
    git(edition.root, "tag", "-d", "edition-1")
    second_edition(edition)
    commit(edition.root, "Second edition")
    result = run("diff")
    assert result.stdout.startswith("3 changes since ")


def test_a_missing_revision_in_a_shallow_clone_says_how_to_fix_it(edition: ProjectDir, tmp_path: Path, monkeypatch) -> None:
    second_edition(edition)
    commit(edition.root, "Second edition")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{edition.root}", str(clone)], check=True)
    monkeypatch.chdir(clone)
    result = run("diff", "HEAD~1")
    assert result.exit_code == 1
    assert result.stderr == (
        "briefgen: error: revision 'HEAD~1' is not in this clone (hint: this clone is shallow: fetch more history "
        "(git fetch --deepen=50 --tags, or fetch-depth: 0 in actions/checkout)) [BG403 revision-missing]\n"
    )


def test_a_project_in_a_subfolder_of_the_repository(tiny: ProjectDir, tmp_path: Path, monkeypatch) -> None:
    repo = tmp_path / "repo"
    (repo / "briefings").mkdir(parents=True)
    tiny.root.rename(repo / "briefings" / "tiny")
    git(repo, "init", "-q")
    commit(repo, "First")
    project = ProjectDir(repo / "briefings" / "tiny")
    project.replace("facts/beta.yaml", "  value: 220\n  unit: pieces\n", "  value: 240\n  unit: millimetre\n")
    monkeypatch.chdir(repo)
    result = run("diff", "HEAD", "--project", "briefings/tiny")
    assert result.stdout.splitlines()[-1] == "  ~ rocket-artillery value: 220 → 240; unit: pieces → millimetre"


def test_build_since_adds_a_sourced_what_changed_section(edition: ProjectDir) -> None:
    second_edition(edition)
    result = run("build", "--since", "edition-1")
    assert result.exit_code == 0, result.stderr
    markdown = edition.read("output/briefing.md")
    section = markdown.split("## What changed since the last edition\n\n")[1].split("\n## ")[0]
    assert section.splitlines() == [
        "Compared with the edition of 20 January 2025 (edition-1):",
        "",
        "- **New:** The ministry said the unit grew after a winter of recruitment.\\[2]",
        "- **Updated:** The unit received about 220 pieces of 240-millimetre rocket artillery.\\[3] "
        "Previously: figure 220; unit pieces.",
        "- **Source dropped:** “Spare report”",
    ]
    pages = [" ".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(edition.root / "output" / "briefing.pdf").pages]
    text = " ".join(pages)
    assert "What changed since the last edition" in text
    assert "New: The ministry said the unit grew after a winter of recruitment.2" in text  # cited first in Key facts
    assert "Updated: The unit received about 220 pieces of 240-millimetre rocket artillery.3 Previously: figure 220" in text
    assert "3 Example Wire, “Ministry says the unit grew”, 10 January 2025: “received about 220 pieces" in text
    # A plain build afterwards drops the section again.
    run("build", "--format", "md")
    assert "What changed" not in edition.read("output/briefing.md")
