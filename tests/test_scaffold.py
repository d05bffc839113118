"""Starting a topic (init) and registering an article (add-source)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, ProjectDir, run


def test_init_creates_a_project_with_nothing_to_delete_that_checks_clean_and_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "air-defence")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "briefgen: next: cd air-defence && briefgen add-source SAVED-PAGE.html (or a PDF, a URL, a .txt)"
    root = tmp_path / "air-defence"
    # Git keeps the Markdown of every briefing a project defines, not only briefing.md, and nothing else of output/.
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name, kept in (("output/briefing.md", True), ("output/summary.md", True), ("output/briefing.pdf", False)):
        ignored = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", name]).returncode == 0
        assert ignored != kept, name
    shutil.rmtree(root / ".git")
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == [
        ".gitignore",
        "briefgen.yaml",
        "facts",
        "schemas",
        "schemas/facts.schema.json",
        "schemas/judgments.schema.json",
        "schemas/settings.schema.json",
        "schemas/sources.schema.json",
        "seeds",
        "seeds/sources.yaml",
        "templates",
        "templates/briefing.md.j2",
    ]
    monkeypatch.chdir(root)
    assert run("check").stdout == "checked 0 facts against 0 sources: 0 errors, 0 warnings\n"
    assert run("build").exit_code == 0
    briefing = (root / "output" / "briefing.md").read_text()
    assert briefing.startswith("# Air defence\n")
    assert "This briefing has no facts yet." in briefing
    # No example leftovers anywhere: not in the project's files, not in what it builds.
    example_words = re.compile(r"North Korea|Pyongyang|Kim Jong|nk-|troops|Seoul", re.I)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".yaml", ".j2", ".md", ".html")):
        assert not example_words.search(path.read_text().replace("#     troops: Troops", "")), path


def test_the_first_article_and_fact_of_a_new_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run("init", "desk", "--title", "Rocket artillery")
    root = tmp_path / "desk"
    monkeypatch.chdir(root)
    article = FIXTURES / "tiny" / "seeds" / "wire-one.txt"
    assert run("add-source", str(article), "--id", "wire-one", "--title", "Ministry says the unit grew",
               "--publisher", "Example Wire").exit_code == 0
    (root / "facts" / "equipment.yaml").write_text(
        "- id: rockets-delivered\n  claim: The unit received about 220 pieces of rocket artillery.\n  as_of: 2025-01\n"
        "  value: 220\n  unit: pieces\n  qualifier: about\n  sources:\n    - source: wire-one\n"
        "      quote: the unit received about 220 pieces of 240-millimeter rocket artillery\n"
    )
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "facts/equipment.yaml:1:1: error: facts/equipment.yaml is named after no category, so its 1 fact without a "
        "category has the unknown category 'equipment' (hint: add `equipment: Equipment` under categories in "
        "briefgen.yaml) [BG032 unknown-category]"
    )
    settings = root / "briefgen.yaml"
    settings.write_text(settings.read_text().replace("categories: {}", "categories:\n  equipment: Equipment"))
    assert run("build", "--format", "md").exit_code == 0
    briefing = (root / "output" / "briefing.md").read_text()
    assert briefing.startswith("# Rocket artillery\n")
    assert "## Equipment\n\n- The unit received about 220 pieces of rocket artillery.\\[1]" in briefing


def test_init_never_writes_into_a_folder_with_files(tiny: ProjectDir) -> None:
    result = run("init", ".")
    assert result.exit_code == 1
    assert result.stderr == (
        ".: error: . already exists and is not empty; briefgen init starts a project in a new folder [BG900 usage]\n"
    )


def test_add_source_archives_and_registers(tiny: ProjectDir, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes("Headline\r\nA “curly” line — with a dash.\r\n".encode())
    result = run(
        "add-source", str(article), "--id", "new-report", "--title", 'The "new" report',
        "--no-publisher", "--url", "https://example.org/new", "--published", "2025-01-18", "--reliability", "C",
    )
    assert result.exit_code == 0, result.stderr
    assert (tiny.root / "seeds" / "new-report.txt").read_bytes() == article.read_bytes()
    digest = hashlib.sha256(article.read_bytes()).hexdigest()
    assert tiny.read("seeds/sources.yaml").endswith(
        f"\n\n- id: new-report\n  file: new-report.txt\n  sha256: \"{digest}\"\n  title: \"The \\\"new\\\" report\"\n"
        "  publisher: null\n  url: \"https://example.org/new\"\n  published: 2025-01-18\n  reliability: C\n"
    )
    check = run("check")
    assert check.stdout.splitlines() == [
        "seeds/sources.yaml:20:7: warning: source 'new-report' is cited by no fact [BG204 unused-source]",
        "seeds/sources.yaml:27:16: warning: source 'new-report' is graded C without a reliability_note saying why "
        "(hint: say what the grade rests on (track record, access, corroboration), or grade it F) [BG211 reliability-unexplained]",
        "checked 4 facts against 3 sources: 0 errors, 2 warnings",
    ]


def test_add_source_never_overwrites(tiny: ProjectDir, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Text.\n")
    registry = tiny.read("seeds/sources.yaml")
    again = run("add-source", str(article), "--id", "blog-two", "--title", "Again")
    assert (again.exit_code, again.stderr) == (
        1, "briefgen: error: source 'blog-two' is already registered in seeds/sources.yaml [BG030 duplicate-id]\n"
    )
    tiny.write("seeds/stray.txt", "An unregistered text.\n")
    clash = run("add-source", str(article), "--id", "stray", "--title", "Stray")
    assert clash.exit_code == 1
    assert "seeds/stray.txt already exists; briefgen never overwrites an archived text" in clash.stderr
    assert tiny.read("seeds/stray.txt") == "An unregistered text.\n"
    assert tiny.read("seeds/sources.yaml") == registry


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id", "Bad Id", "--title", "T"], "briefgen: error: 'Bad Id' is not a valid id (hint: use lower-case letters, digits and single hyphens, e.g. 'rferl-2025-03-27') [BG900 usage]"),
        (["--id", "ok", "--title", "T", "--published", "March 2025"], "briefgen: error: 'March 2025' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD [BG900 usage]"),
    ],
)
def test_add_source_rejects_bad_input(tiny: ProjectDir, tmp_path: Path, args: list[str], message: str) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Text.\n")
    result = run("add-source", str(article), *args)
    assert (result.exit_code, result.stderr.strip()) == (1, message)
    assert not (tiny.root / "seeds" / "ok.txt").exists()


def test_add_source_refuses_text_that_is_not_utf8(tiny: ProjectDir, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes(b"caf\xe9\n")
    result = run("add-source", str(article), "--id", "latin", "--title", "Latin-1")
    assert result.exit_code == 1
    assert "is not UTF-8: byte 0xe9 at offset 3 cannot be decoded" in result.stderr
    assert not (tiny.root / "seeds" / "latin.txt").exists()


@pytest.mark.slow
def test_an_installed_wheel_starts_and_builds_a_project_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(REPO)], check=True)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    wheel = next(dist.glob("briefgen-*.whl"))
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    briefgen = str(venv / "bin" / "briefgen")
    subprocess.run([briefgen, "init", "newdir"], cwd=tmp_path, check=True, env=env)
    subprocess.run([briefgen, "build", "--quiet"], cwd=tmp_path / "newdir", check=True, env=env)
    assert (tmp_path / "newdir" / "output" / "briefing.pdf").read_bytes().startswith(b"%PDF-")
