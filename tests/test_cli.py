"""The command line as a user meets it: exit codes, exact messages with file:line, and a briefing never lost."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen import __version__
from conftest import FIXTURES, ProjectDir, modules_loaded, run


@pytest.fixture(scope="module")
def built_tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny project with a complete, good briefing already in output/ (built once for the module)."""
    root = tmp_path_factory.mktemp("built") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    result = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--quiet"], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def built(built_tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectDir:
    root = tmp_path / "tiny"
    shutil.copytree(built_tiny, root)
    monkeypatch.chdir(root)
    return ProjectDir(root)


def outputs(project: ProjectDir) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((project.root / "output").iterdir())}


def test_version_and_help() -> None:
    assert run("--version").stdout == f"briefgen, version {__version__}\n"
    for args in (["--help"], ["build", "--help"], ["check", "--help"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage: " in result.stdout


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "briefgen", "--version"], capture_output=True, text=True, check=True)
    assert result.stdout == f"briefgen, version {__version__}\n"


def test_usage_errors_exit_2(tiny: ProjectDir) -> None:
    assert run("build", "--format", "odt").exit_code == 2
    assert run("build", "--date", "28/03/2025").exit_code == 2
    assert run("check", "--format", "xml").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_check_clean_project(tiny: ProjectDir) -> None:
    result = run("check")
    assert result.exit_code == 0
    assert result.stdout == "checked 4 facts against 2 sources: 0 errors, 0 warnings\n"


def test_build_writes_three_formats_and_reports_progress(tiny: ProjectDir) -> None:
    result = run("build", "--format", "md,html")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tiny.root / "output").iterdir()) == [".briefgen-stamp.json", "briefing.html", "briefing.md"]
    assert "briefgen: checked 4 facts against 2 sources" in result.stderr
    assert "briefgen: wrote output/briefing.md, output/briefing.html in " in result.stderr
    assert result.stdout == ""


def test_build_quiet_prints_nothing(tiny: ProjectDir) -> None:
    result = run("build", "--format", "md", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


BREAKAGES = {
    "wrong quote": (
        ("facts/beta.yaml", "The writer saw convoys", "The writer saw trucks"),
        "facts/beta.yaml:17:14: error: quote of fact 'convoys-north' is not in source 'blog-two' (seeds/blog-two.txt); "
        'closest passage at seeds/blog-two.txt:3 (91% similar): "The writer saw convoys moving north every night for a '
        "week.\"; quote has 'saw trucks', source has 'saw convoys' [BG101 quote-not-found]",
    ),
    "unknown source id": (
        ("facts/beta.yaml", "    - source: blog-two", "    - source: blog-2"),
        "facts/beta.yaml:16:15: error: fact 'convoys-north' cites unknown source 'blog-2'; did you mean 'blog-two'? "
        "(hint: register it in seeds/sources.yaml) [BG031 unknown-source]",
    ),
    "misspelled field": (
        ("facts/alpha.yaml", "  unit: soldiers\n  qualifier", "  unti: soldiers\n  qualifier"),
        "facts/alpha.yaml:4:3: error: unknown field 'unti' in fact 'unit-strength-official'; did you mean 'unit'? "
        "[BG020 unknown-field]",
    ),
    "YAML syntax error": (
        ("facts/alpha.yaml", '  claim: Local sources put', '  claim: "Local sources put'),
        "facts/alpha.yaml:22:15: error: YAML syntax error: did not find expected key while parsing a block mapping "
        "that starts at line 14 (hint: the double quote opened at line 15 may not be closed) [BG001 yaml-syntax]",
    ),
}


@pytest.mark.parametrize("case", BREAKAGES, ids=list(BREAKAGES))
def test_a_mistake_gets_one_line_exit_1_and_keeps_the_last_briefing(built: ProjectDir, case: str) -> None:
    (path, old, new), message = BREAKAGES[case]
    before = outputs(built)
    built.replace(path, old, new)
    result = run("build")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [message]
    assert "Traceback" not in result.output
    assert outputs(built) == before


def test_check_reports_the_same_problem_on_stdout(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "    - source: blog-two", "    - source: blog-2")
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "facts/beta.yaml:16:15: error: fact 'convoys-north' cites unknown source 'blog-2'; did you mean 'blog-two'? "
        "(hint: register it in seeds/sources.yaml) [BG031 unknown-source]",
        "checked 4 facts against 2 sources: 1 error, 0 warnings",
    ]


def test_check_json_lists_diagnostics(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "  value: 220\n", "  value: 221\n")
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["summary"] == {"errors": 1, "warnings": 0, "acknowledged": 0}
    assert doc["diagnostics"] == [
        {
            "code": "BG102",
            "name": "value-not-in-quote",
            "level": "error",
            "path": "facts/beta.yaml",
            "line": 3,
            "column": 10,
            "message": "value 221 of fact 'rocket-artillery' is in none of its quotes; the quotes say 220 and 240-millimeter",
            "hint": None,
            "fact_id": "rocket-artillery",
        }
    ]


def test_check_strict_makes_warnings_fail(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", '"The writer saw convoys moving north every night for a week."', '"convoys moving north"')
    assert run("check").exit_code == 0
    result = run("check", "--strict")
    assert result.exit_code == 1
    assert "error: quote of fact 'convoys-north' has 3 words" in result.stdout


def test_output_folder_that_cannot_be_written(tiny: ProjectDir) -> None:
    blocker = tiny.root / "blocked"
    blocker.write_text("a file where a folder should be")
    result = run("build", "--output", "blocked/out")
    assert result.exit_code == 1
    assert result.stderr.startswith("blocked/out: error: cannot write to the output folder blocked/out: ")
    assert result.stderr.rstrip().endswith("(hint: choose another folder with --output) [BG401 output-not-writable]")


def test_not_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("build")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "briefgen.yaml: error: briefgen.yaml does not exist: this folder is not a briefgen project "
        "(hint: run briefgen in a project folder, pass --project DIR, or start one with `briefgen init DIR`) "
        "[BG005 file-missing]"
    )


def test_every_diagnostic_code_is_documented_in_the_readme() -> None:
    from briefgen.diagnostics import CODES
    from conftest import REPO

    readme = (REPO / "README.md").read_text()
    for code in CODES.values():
        assert f"| {code.code} | `{code.name}` | {code.level} | {code.summary} |" in readme, code.code


def test_check_and_markdown_builds_never_import_the_pdf_renderer(tiny: ProjectDir) -> None:
    # Nor do they load what reads web pages and PDFs and fetches URLs: only add-source needs those.
    watched = ("weasyprint", "trafilatura", "pypdfium2", "briefgen.ingest")
    assert modules_loaded(tiny.root, watched, ["check"], ["build", "--format", "md,html", "-q"]) == []
