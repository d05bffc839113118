"""Starting a topic (init) and registering an article (add-source)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, ProjectDir, run


def test_init_creates_a_project_that_checks_clean_and_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "topic")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "briefgen: next: cd topic && briefgen build"
    root = tmp_path / "topic"
    # Git keeps the Markdown of every briefing a project defines, not only briefing.md, and nothing else of output/.
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name, kept in (("output/briefing.md", True), ("output/summary.md", True), ("output/briefing.pdf", False)):
        ignored = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", name]).returncode == 0
        assert ignored != kept, name
    shutil.rmtree(root / ".git")
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
        ".gitignore",
        "briefgen.yaml",
        "facts/equipment.yaml",
        "facts/troops.yaml",
        "schemas/facts.schema.json",
        "schemas/judgments.schema.json",
        "schemas/settings.schema.json",
        "schemas/sources.schema.json",
        "seeds/nk-3000-more-soldiers-2025-03.txt",
        "seeds/sources.yaml",
        "templates/briefing.css",
        "templates/briefing.md.j2",
        "templates/macros.md.j2",
        "templates/page.html.j2",
        "templates/page.md.j2",
        "templates/print.css",
    ]
    # The archived article is the repository's, byte for byte.
    assert (root / "seeds" / "nk-3000-more-soldiers-2025-03.txt").read_bytes() == (
        REPO / "seeds" / "nk-3000-more-soldiers-2025-03.txt"
    ).read_bytes()
    monkeypatch.chdir(root)
    assert run("check").stdout == "checked 2 facts against 1 source: 0 errors, 0 warnings\n"
    assert run("build", "--format", "md,html").exit_code == 0
    assert "South Korea's Joint Chiefs of Staff estimated" in (root / "output" / "briefing.md").read_text()


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
    assert tiny.read("seeds/sources.yaml").endswith(
        "\n\n- id: new-report\n  file: new-report.txt\n  title: \"The \\\"new\\\" report\"\n  publisher: null\n"
        "  url: \"https://example.org/new\"\n  published: 2025-01-18\n  reliability: C\n"
    )
    check = run("check")
    assert check.stdout.splitlines() == [
        "seeds/sources.yaml:20:7: warning: source 'new-report' is cited by no fact [BG204 unused-source]",
        "seeds/sources.yaml:26:16: warning: source 'new-report' is graded C without a reliability_note saying why "
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
