"""The pipeline: golden Markdown and HTML, the briefing-date policy, and all-or-nothing writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen import build as pipeline
from briefgen.errors import BriefgenError
from briefgen.model import PartialDate
from conftest import GOLDEN, ProjectDir


@pytest.mark.parametrize("name", ["briefing.md", "briefing.html"])
def test_tiny_briefing_matches_golden_file(tiny: ProjectDir, update_golden: bool, name: str) -> None:
    pipeline.build(tiny.root, formats=("md", "html"))
    produced = tiny.read(f"output/{name}")
    golden = GOLDEN / "tiny" / name
    if update_golden:
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}; review, then --update-golden"


def test_briefing_date_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    pinned = PartialDate.parse("2025-03-28")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 14 November 2023
    assert pipeline.briefing_date(dt.date(2024, 1, 2), pinned) == dt.date(2024, 1, 2)  # --date first
    assert pipeline.briefing_date(None, pinned) == dt.date(2025, 3, 28)  # then briefgen.yaml
    assert pipeline.briefing_date(None, None) == dt.date(2023, 11, 14)  # then SOURCE_DATE_EPOCH
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert pipeline.briefing_date(None, None) == dt.date.today()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(BriefgenError, match="not a whole number of seconds"):
        pipeline.briefing_date(None, None)


def test_date_option_changes_the_title_block(tiny: ProjectDir) -> None:
    pipeline.build(tiny.root, formats=("md",), date=dt.date(2025, 2, 1))
    assert "**Briefing date:** 1 February 2025" in tiny.read("output/briefing.md")


def test_nothing_is_written_when_a_late_stage_fails(tiny: ProjectDir, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline.build(tiny.root, formats=("md", "html"))
    before = {p.name: p.read_bytes() for p in (tiny.root / "output").iterdir()}
    tiny.replace("facts/beta.yaml", "Convoys were seen", "Many convoys were seen")

    def broken(*args: object, **kwargs: object) -> None:
        raise BriefgenError("the renderer failed", code="BG900")

    monkeypatch.setattr("briefgen.pdf.render_pdf", broken)
    with pytest.raises(BriefgenError):
        pipeline.build(tiny.root)
    after = {p.name: p.read_bytes() for p in (tiny.root / "output").iterdir()}
    assert after == before  # the new Markdown and HTML were not written either


def test_atomic_write_replaces_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "briefing.md"
    target.write_text("old")
    pipeline.write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["briefing.md"]


def test_atomic_write_failure_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(BriefgenError) as info:
        pipeline.write_atomically(tmp_path / "missing-folder" / "briefing.md", b"x")
    assert info.value.code == "BG401"
    assert info.value.message.startswith("cannot write ")


@pytest.mark.pdf
def test_builds_in_different_folders_are_byte_identical(tmp_path: Path) -> None:
    import shutil

    from conftest import FIXTURES

    outputs = []
    for name in ("first", "second-place"):
        root = tmp_path / name
        shutil.copytree(FIXTURES / "tiny", root)
        pipeline.build(root)
        outputs.append({p.name: p.read_bytes() for p in (root / "output").iterdir()})
    pipeline.build(tmp_path / "first")  # and again in the same folder
    again = {p.name: p.read_bytes() for p in (tmp_path / "first" / "output").iterdir()}
    assert set(outputs[0]) == {"briefing.md", "briefing.html", "briefing.pdf", ".briefgen-stamp.json"}
    for name in ("briefing.md", "briefing.html", "briefing.pdf"):
        assert outputs[0][name] == outputs[1][name] == again[name], name
