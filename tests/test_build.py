"""The pipeline: golden Markdown and HTML, the briefing-date policy, and all-or-nothing writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen import build as pipeline
from briefgen.errors import BriefgenError
from briefgen.model import PartialDate
from briefgen.publish import write_file
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


@pytest.mark.parametrize(
    ("epoch", "message"),
    [
        ("99999999999999999999", "SOURCE_DATE_EPOCH='99999999999999999999' is not a date this system can represent"),
        ("-99999999999", "SOURCE_DATE_EPOCH='-99999999999' is not a date this system can represent"),
        ("9" * 5000, f"SOURCE_DATE_EPOCH='{'9' * 39}…' is not a whole number of seconds"),
        ("1.5e9", "SOURCE_DATE_EPOCH='1.5e9' is not a whole number of seconds"),
    ],
)
def test_an_epoch_out_of_range_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, epoch: str, message: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    with pytest.raises(BriefgenError) as error:
        pipeline.briefing_date(None, None)
    assert error.value.message == message


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
    write_file(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["briefing.md"]


def test_atomic_write_failure_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(BriefgenError) as info:
        write_file(tmp_path / "missing-folder" / "briefing.md", b"x")
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


def two_briefings(tiny: ProjectDir) -> None:
    tiny.write("templates/short.md.j2", "## In short\n\n{{ claim('convoys-north') }}\n")
    tiny.replace(
        "briefgen.yaml",
        "stale_after_days: 365\n",
        "stale_after_days: 365\nbriefings:\n  - name: briefing\n    template: briefing.md.j2\n"
        "  - name: short\n    template: short.md.j2\n    label: In brief\n",
    )


@pytest.mark.pdf
def test_several_briefings_in_parallel_match_one_at_a_time(tiny: ProjectDir, tmp_path: Path) -> None:
    two_briefings(tiny)
    one = pipeline.build(tiny.root, tmp_path / "one", keep_html=True)
    two = pipeline.build(tiny.root, tmp_path / "two", keep_html=True, jobs=2)
    names = ["briefing.md", "briefing.html", "briefing.print.html", "short.md", "short.html", "short.print.html",
             "briefing.pdf", "short.pdf"]
    assert [p.name for p in one.written] == [p.name for p in two.written] == names
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    assert "In brief" in (tmp_path / "one" / "short.print.html").read_text()
    assert set(one.timings) == {"load", "template", "verify", "markdown", "html", "pdf", "proof"}


def test_a_fact_cited_only_by_the_second_briefing_counts_as_cited(tiny: ProjectDir) -> None:
    two_briefings(tiny)
    tiny.write("templates/briefing.md.j2", "## Main\n\n{{ claim('unit-strength-official') }} {{ claim('unit-strength-local') }} {{ claim('rocket-artillery') }}\n")
    outcome = pipeline.check(tiny.root)
    assert [d.code for d in outcome.diagnostics] == []
    assert outcome.cited() == {"unit-strength-official", "unit-strength-local", "rocket-artillery", "convoys-north"}


def test_two_briefings_may_not_share_a_name(tiny: ProjectDir) -> None:
    two_briefings(tiny)
    tiny.replace("briefgen.yaml", "  - name: short\n", "  - name: briefing\n")
    outcome = pipeline.check(tiny.root)
    assert [d.message for d in outcome.diagnostics] == ["field 'briefings' of briefgen.yaml: two briefings are named 'briefing'"]
