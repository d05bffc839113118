"""Faults: a build killed mid-way, a full disk or a read-only folder never costs the last good briefing."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ProjectDir, run
from test_pdf import write_long_project


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.pdf
def test_a_build_killed_while_laying_out_the_pdf_leaves_the_last_briefing(tmp_path: Path) -> None:
    root = tmp_path / "long"
    write_long_project(root)
    subprocess.run([sys.executable, "-m", "briefgen", "build", "--quiet"], cwd=root, check=True)
    before = snapshot(root / "output")
    facts = root / "facts" / "main.yaml"
    facts.write_text(facts.read_text().replace("Fact marker000", "Fact marker000, revised,"))

    build = subprocess.Popen(
        [sys.executable, "-m", "briefgen", "build"], cwd=root, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    assert build.stderr is not None
    for line in build.stderr:
        if "laying out PDF pages" in line:
            time.sleep(0.3)  # well inside the layout, which takes seconds
            build.send_signal(signal.SIGKILL)
            break
    build.wait()
    assert build.returncode == -signal.SIGKILL
    assert snapshot(root / "output") == before  # the old files, and nothing else


def test_temporary_files_a_killed_build_left_are_swept(tiny: ProjectDir) -> None:
    assert run("build", "--format", "md").exit_code == 0
    strays = [tiny.root / ".output.briefgen-tmp-k3x9q1", tiny.root / "output" / ".briefing.md.k3x9q1.briefgen-tmp"]
    strays[0].mkdir()
    (strays[0] / "briefing.md").write_text("half a briefing")
    strays[1].write_text("half a briefing")
    assert run("build", "--format", "md", "--force").exit_code == 0
    assert not any(p.exists() for p in strays)


@pytest.mark.parametrize(
    ("where", "error"),
    [
        ("briefgen.publish.os.fsync", OSError(errno.ENOSPC, "No space left on device")),
        ("briefgen.publish.os.fdopen", OSError(errno.EROFS, "Read-only file system")),
    ],
    ids=["disk full", "read-only"],
)
def test_a_full_disk_or_read_only_folder_is_a_clean_error(
    tiny: ProjectDir, monkeypatch: pytest.MonkeyPatch, where: str, error: OSError
) -> None:
    assert run("build", "--format", "md,html").exit_code == 0
    before = snapshot(tiny.root / "output")
    tiny.replace("facts/beta.yaml", "Convoys were seen", "Long convoys were seen")
    calls = {"n": 0}
    real = os.fsync if where.endswith("fsync") else os.fdopen

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] >= 2:  # the first file goes through; the next one meets the full disk
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(where, failing)
    result = run("build", "--format", "md,html")
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if ": error: " in x]
    assert line.startswith("output/briefing.html: error: cannot write output/briefing.html: ")
    assert line.endswith(f"{error.strerror} [BG401 output-not-writable]")
    monkeypatch.undo()
    assert snapshot(tiny.root / "output") == before  # nothing replaced, no temporary file left
