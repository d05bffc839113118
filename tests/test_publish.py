"""Whole editions: a build's outputs become visible together, runs on one project take turns, and no run
deletes another's files."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from briefgen import publish
from briefgen.stamp import STAMP
from conftest import ProjectDir, run

# Runs a build that kills itself with SIGKILL right after its Nth rename (os.rename, os.replace, or the exchange).
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    import briefgen.publish as publish
    from briefgen.cli import main

    after, calls = int(sys.argv[1]), [0]

    def killing(real):
        def renamed(*args, **kwargs):
            result = real(*args, **kwargs)
            calls[0] += 1
            if calls[0] == after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return renamed

    os.rename, os.replace, publish._exchange = killing(os.rename), killing(os.replace), killing(publish._exchange)
    sys.argv = ["briefgen", "build", "--force", "--quiet", "--format", "md,html"]
    main()
    """
)


def edition(folder: Path) -> dict[str, bytes]:
    """The files a reader sees in an output folder; fails unless they are exactly one build's, as its stamp says."""
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    written = json.loads(files[STAMP])["outputs"]
    assert set(files) == {*written, STAMP}
    assert all(hashlib.sha256(files[name]).hexdigest() == digest for name, digest in written.items())
    return files


def test_a_build_killed_after_any_rename_leaves_one_whole_edition(tiny: ProjectDir) -> None:
    assert run("build", "--format", "md,html").exit_code == 0
    old = edition(tiny.root / "output")
    tiny.replace("facts/beta.yaml", "Convoys were seen", "Long convoys were seen")
    kills = 0
    for after in range(1, 20):
        killed = subprocess.run([sys.executable, "-c", KILLER, str(after)], cwd=tiny.root, capture_output=True, text=True)
        seen = edition(tiny.root / "output")
        if killed.returncode != -9:
            assert killed.returncode == 0, killed.stderr
            break
        kills += 1
        assert seen == old or b"Long convoys were seen" in seen["briefing.md"]  # the old edition or the new, whole
    assert kills >= 1  # the switch is a rename, and a kill after it was tried
    assert b"Long convoys were seen" in edition(tiny.root / "output")["briefing.md"]
    assert [p.name for p in tiny.root.iterdir() if "briefgen-tmp" in p.name] == []  # what the kills left was swept


def test_the_folder_holds_one_build_and_keeps_what_briefgen_did_not_write(tiny: ProjectDir) -> None:
    assert run("build", "--format", "md,html").exit_code == 0
    (tiny.root / "output" / "README.txt").write_text("the desk's own note")
    assert run("build", "--format", "md", "--force").exit_code == 0
    names = sorted(p.name for p in (tiny.root / "output").iterdir())
    assert names == [STAMP, "README.txt", "briefing.md"]  # no HTML of the build before beside the new Markdown


def test_a_stamp_cannot_make_a_build_remove_other_files(tiny: ProjectDir) -> None:
    assert run("build", "--format", "md").exit_code == 0
    out = tiny.root / "output"
    (out / "notes.txt").write_text("keep me")
    (out / ".git").mkdir()
    stamp = json.loads((out / STAMP).read_text())
    stamp["outputs"].update({"notes.txt": "0" * 64, ".git": "0" * 64, "../facts/beta.yaml": "0" * 64})
    (out / STAMP).write_text(json.dumps(stamp))
    assert run("build", "--format", "md", "--force").exit_code == 0
    assert (out / "notes.txt").read_text() == "keep me"
    assert (out / ".git").is_dir()
    assert (tiny.root / "facts" / "beta.yaml").is_file()


def test_an_output_path_that_is_a_folder_stops_the_build_before_anything_is_replaced(tiny: ProjectDir) -> None:
    assert run("build", "--format", "md,html").exit_code == 0
    before = edition(tiny.root / "output")
    (tiny.root / "output" / "briefing.html").unlink()
    (tiny.root / "output" / "briefing.html").mkdir()
    tiny.replace("facts/beta.yaml", "Convoys were seen", "Long convoys were seen")
    result = run("build", "--format", "md,html")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "output/briefing.html: error: cannot write output/briefing.html: it is a folder "
        "(hint: move the folder away, or choose another folder with --output) [BG401 output-not-writable]"
    )
    assert (tiny.root / "output" / "briefing.md").read_bytes() == before["briefing.md"]


def test_an_output_folder_holding_the_project_is_refused(tiny: ProjectDir) -> None:
    result = run("build", "--format", "md", "--output", ".")
    assert result.exit_code == 1
    assert "the output folder . holds the project" in result.stderr
    assert not (tiny.root / "briefing.md").exists()


def test_without_the_exchange_files_are_replaced_one_by_one(tiny: ProjectDir, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("build", "--format", "md,html").exit_code == 0

    def unsupported(a: Path, b: Path) -> None:
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(publish, "_exchange", unsupported)
    tiny.replace("facts/beta.yaml", "Convoys were seen", "Long convoys were seen")
    assert run("build", "--format", "md").exit_code == 0
    seen = edition(tiny.root / "output")
    assert b"Long convoys were seen" in seen["briefing.md"] and "briefing.html" not in seen
    assert [p.name for p in tiny.root.iterdir() if "briefgen-tmp" in p.name] == []


@pytest.mark.parametrize("exchange", [True, False], ids=["exchanged", "one-by-one"])
def test_a_figures_folder_is_replaced_whole_and_goes_when_no_chart_is_left(
    tiny: ProjectDir, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(publish, "_exchange", lambda a, b: (_ for _ in ()).throw(OSError(22, "Invalid argument")))
    tiny.write("templates/briefing.md.j2", "{{ chart('unit-strength') }}\n\n{{ chart('unit-strength', kind='bar') }}\n")
    assert run("build", "--format", "md").exit_code == 0
    figures = tiny.root / "output" / "briefing-figures"
    assert sorted(p.name for p in figures.iterdir()) == ["figure-1-unit-strength.svg", "figure-2-unit-strength.svg"]
    tiny.write("templates/briefing.md.j2", "{{ chart('unit-strength', kind='bar') }}\n")
    assert run("build", "--format", "md").exit_code == 0
    assert sorted(p.name for p in figures.iterdir()) == ["figure-1-unit-strength.svg"]  # the old second one left
    tiny.write("templates/briefing.md.j2", "{{ claim('unit-strength-official') }}\n")
    assert run("build", "--format", "md").exit_code == 0
    assert not figures.exists()


def test_concurrent_builds_take_turns_and_leave_one_whole_edition(tiny: ProjectDir) -> None:
    assert run("build", "--format", "md").exit_code == 0
    with publish.project_lock(tiny.root):  # another run holds the project
        build = subprocess.Popen([sys.executable, "-m", "briefgen", "build", "--force", "--format", "md,html"],
                                 cwd=tiny.root, stderr=subprocess.PIPE, text=True)
        assert build.stderr is not None
        first = build.stderr.readline()
        assert first == "briefgen: waiting for another briefgen run on this project to finish\n"
        assert build.poll() is None
    assert build.wait(timeout=120) == 0
    builds = [subprocess.Popen([sys.executable, "-m", "briefgen", "build", "--force", "--quiet", "--format", "md,html"],
                               cwd=tiny.root) for _ in range(4)]
    assert [b.wait(timeout=300) for b in builds] == [0, 0, 0, 0]
    assert set(edition(tiny.root / "output")) == {STAMP, "briefing.md", "briefing.html"}
    assert [p.name for p in tiny.root.iterdir() if "briefgen-tmp" in p.name] == []


def test_a_sweep_leaves_a_live_runs_temporary_folder_alone(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    stale = tmp_path / ".output.briefgen-tmp-dead"
    stale.mkdir()
    entered, release = threading.Event(), threading.Event()

    def live() -> None:
        with publish._temporary_folder(out) as folder:
            (folder / "briefing.md").write_text("being written")
            entered.set()
            release.wait(10)

    worker = threading.Thread(target=live)
    worker.start()
    entered.wait(10)
    publish._sweep(tmp_path, ".output.briefgen-tmp")
    alive = [p.name for p in tmp_path.iterdir() if "briefgen-tmp" in p.name]
    release.set()
    worker.join()
    assert len(alive) == 1 and alive[0] != stale.name  # the dead one went; the live one stayed


def test_concurrent_add_source_runs_each_register_their_article(tiny: ProjectDir, tmp_path: Path) -> None:
    articles = []
    for n in range(6):
        article = tmp_path / f"article-{n}.txt"
        article.write_text(f"Article number {n} says something.\n")
        articles.append(article)
    runs = [
        subprocess.Popen([sys.executable, "-m", "briefgen", "add-source", str(a), "--id", f"new-{n}", "--title", f"New {n}"],
                         cwd=tiny.root, stderr=subprocess.PIPE, text=True)
        for n, a in enumerate(articles)
    ]
    assert [r.wait(timeout=120) for r in runs] == [0] * 6
    registry = tiny.read("seeds/sources.yaml")
    assert all(f"- id: new-{n}\n" in registry for n in range(6))
    assert run("check").exit_code == 0  # and it still reads as a whole


def test_a_project_folder_that_does_not_exist_is_one_clear_error(tmp_path: Path) -> None:
    result = run("build", "--project", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert any(line.endswith("briefgen.yaml does not exist: this folder is not a briefgen project (hint: run briefgen "
                             "in a project folder, pass --project DIR, or start one with `briefgen init DIR`) "
                             "[BG005 file-missing]") for line in result.stderr.splitlines())
