"""Up-to-date builds: nothing changed, nothing to do; anything changed, a full build."""

from __future__ import annotations

import pytest

from conftest import ProjectDir, run


def build(*args: str) -> str:
    result = run("build", "--format", "md,html", *args)
    assert result.exit_code == 0, result.stderr
    return result.stderr


def test_second_build_with_nothing_changed_does_nothing(tiny: ProjectDir) -> None:
    build()
    before = {p.name: p.stat().st_mtime_ns for p in (tiny.root / "output").iterdir()}
    assert build() == "briefgen: output is up to date: no input changed (--force rebuilds)\n"
    assert {p.name: p.stat().st_mtime_ns for p in (tiny.root / "output").iterdir()} == before


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.replace("facts/beta.yaml", "Convoys were seen", "Long convoys were seen"),
        lambda p: p.replace("seeds/sources.yaml", "reliability: B", "reliability: C"),
        lambda p: p.write("seeds/blog-two.txt", p.read("seeds/blog-two.txt") + "A new line.\n"),
        lambda p: p.write("templates/briefing.md.j2", "## Only this\n\n{{ claim('convoys-north') }}\n"),
        lambda p: p.replace("briefgen.yaml", "title: Tiny briefing", "title: Small briefing"),
        lambda p: (p.root / "output" / "briefing.html").unlink(),
        lambda p: p.write("output/briefing.md", "edited by hand\n"),
    ],
    ids=["fact", "source", "archived text", "template", "settings", "output deleted", "output edited"],
)
def test_any_change_rebuilds(tiny: ProjectDir, change) -> None:
    build()
    change(tiny)
    assert "briefgen: wrote output/briefing.md, output/briefing.html" in build()
    assert "up to date" in build()


def test_force_and_a_new_date_rebuild(tiny: ProjectDir) -> None:
    build()
    assert "briefgen: wrote" in build("--force")
    assert "briefgen: wrote" in build("--date", "2025-02-01")
    assert "up to date" in build("--date", "2025-02-01")


def test_a_failed_build_leaves_the_old_stamp(tiny: ProjectDir) -> None:
    build()
    stamp = tiny.read("output/.briefgen-stamp.json")
    tiny.replace("facts/beta.yaml", "  value: 220\n", "  value: 221\n")
    assert run("build", "--format", "md,html").exit_code == 1
    assert tiny.read("output/.briefgen-stamp.json") == stamp
    tiny.replace("facts/beta.yaml", "  value: 221\n", "  value: 220\n")
    assert "up to date" in build()
