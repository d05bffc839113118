"""The bad-input corpus: every defect gets exit 1, exactly one clear message with its file (and line), no
traceback, and the previous briefing left byte for byte as it was."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, run
from corpus import DEFECTS, Defect


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny project with a complete briefing (Markdown, HTML, PDF) already built."""
    root = tmp_path_factory.mktemp("corpus") / "tiny"
    shutil.copytree(FIXTURES / "tiny", root)
    subprocess.run([sys.executable, "-m", "briefgen", "build", "--quiet"], cwd=root, check=True)
    return root


def test_the_corpus_is_large_and_its_names_unique() -> None:
    assert len(DEFECTS) >= 40
    assert len({d.name for d in DEFECTS}) == len(DEFECTS)


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_defect(defect: Defect, built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "tiny"
    shutil.copytree(built, root)
    before = {p.name: p.read_bytes() for p in (root / "output").iterdir()}
    defect.setup(root)
    monkeypatch.chdir(root)

    result = run("build", *defect.args)

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    problems = [line for line in result.stderr.splitlines() if ": error: " in line or ": warning: " in line]
    assert problems == [defect.message]
    # The message names the file, and the line wherever the problem has one.
    location = defect.message.split(": ", 1)[0]
    assert location.split(":")[0] in ("facts/alpha.yaml", "facts/beta.yaml", "facts/alpah.yaml", "facts", "seeds/sources.yaml",
                                      "briefgen.yaml", "templates/briefing.md.j2", "templates/page.html.j2", "templates/briefing.css",
                                      "blocked/out")
    # Everything else on stderr is progress, and the last briefing is untouched, with no stray files.
    assert all(line.startswith("briefgen: ") for line in result.stderr.splitlines() if line not in problems)
    assert {p.name: p.read_bytes() for p in (root / "output").iterdir()} == before
    assert not (root / "ran").exists()  # no template ran a command
