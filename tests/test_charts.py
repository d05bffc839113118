"""Charts drawn from the facts: one labelled point per fact with its note's number, the same bytes every build,
in every format, and nothing loaded when no template draws one."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import pytest

from briefgen import build as pipeline
from conftest import ProjectDir, copy_example, modules_loaded, run


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_example(tmp_path_factory.mktemp("charts"))
    pipeline.build(root, formats=("md", "html"))
    return root


def notes_of(root: Path) -> dict[str, int]:
    outcome = pipeline.check(root)
    assert outcome.rendered is not None
    return {fid: n for n, fid in enumerate(outcome.rendered.cited, start=1)}


@pytest.mark.parametrize(("name", "topic"), [("figure-1-nk-troops-in-russia.svg", "nk-troops-in-russia"),
                                             ("figure-2-nk-troops-killed.svg", "nk-troops-killed")])
def test_each_fact_is_one_point_labelled_with_its_note(example: Path, name: str, topic: str) -> None:
    import yaml

    facts = [f for path in (example / "facts").glob("*.yaml") for f in yaml.safe_load(path.read_text())]
    drawn = sorted(f["id"] for f in facts if f.get("topic") == topic and f.get("value") is not None)
    svg = (example / "output" / "briefing-figures" / name).read_text()
    points = dict(re.findall(r'<g id="fact-([a-z0-9-]+?)-note-(\d+)"', svg))
    notes = notes_of(example)
    assert sorted(points) == drawn and len(drawn) >= 2
    assert {fid: int(n) for fid, n in points.items()} == {fid: notes[fid] for fid in drawn}
    description = re.search(r"<dc:description>(.*?)</dc:description>", svg).group(1)
    assert all(f"[{notes[fid]}]" in description for fid in drawn)


def test_the_caption_cites_every_fact_drawn_and_the_markdown_links_the_file(example: Path) -> None:
    markdown = (example / "output" / "briefing.md").read_text()
    notes = notes_of(example)
    assert "](briefing-figures/figure-1-nk-troops-in-russia.svg)" in markdown
    caption = next(line for line in markdown.splitlines() if line.startswith("*Figure 1: "))
    assert caption == ("*Figure 1: North Korean troops in Russia, as reported.* Each point is labelled with its note."
                       f"\\[{notes['nis-3000-in-russia-oct-2024']}]\\[{notes['nk-initial-contingent-11000']}]")


def test_the_html_holds_the_chart_itself(example: Path) -> None:
    html = (example / "output" / "briefing.html").read_text()
    images = re.findall(r'<img alt="([^"]*)" src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert len(images) == 2
    alt, data = images[0]
    assert alt.startswith("Chart: North Korean troops in Russia, as reported. October 2024 (inferred): 3,000 troops")
    assert base64.b64decode(data) == (example / "output" / "briefing-figures" / "figure-1-nk-troops-in-russia.svg").read_bytes()
    assert "briefing-figures/" not in html  # nothing to fetch: the page stands alone


def test_two_builds_draw_the_same_bytes(tmp_path: Path) -> None:
    outputs = []
    for n in (1, 2):
        root = copy_example(tmp_path / f"build-{n}") if (tmp_path / f"build-{n}").mkdir() is None else None
        pipeline.build(root, formats=("md",))
        outputs.append({p.name: p.read_bytes() for p in (root / "output" / "briefing-figures").iterdir()})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 2


def test_a_chart_free_check_and_build_never_load_the_plotting_library(tiny: ProjectDir) -> None:
    assert modules_loaded(tiny.root, ("matplotlib",), ["check"], ["build", "--format", "md,html", "-q"]) == []


def test_checking_a_briefing_with_charts_draws_none(example: Path) -> None:
    assert modules_loaded(example, ("matplotlib",), ["check"]) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("{{ chart('unit-strength', kind='pie') }}", "chart(): kind must be 'line' or 'bar', got 'pie'"),
        ("{{ chart('unit-strenght') }}", "unknown topic 'unit-strenght'; did you mean 'unit-strength'?"),
    ],
)
def test_a_chart_asked_for_wrongly_is_one_located_error(tiny: ProjectDir, call: str, message: str) -> None:
    tiny.write("templates/briefing.md.j2", f"## Figures\n\n{call}\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(f"templates/briefing.md.j2:3: error: {message}")


def test_a_chart_in_a_small_project_builds_in_every_format(tiny: ProjectDir) -> None:
    tiny.write("templates/briefing.md.j2", "## Strength\n\n{{ chart('unit-strength', kind='bar') }}\n")
    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert (tiny.root / "output" / "briefing-figures" / "figure-1-unit-strength.svg").is_file()
    assert "output/briefing-figures/figure-1-unit-strength.svg" in result.stderr
    assert (tiny.root / "output" / "briefing.pdf").read_bytes().startswith(b"%PDF-")
    # A later build without the chart takes the old figure with the old edition.
    tiny.write("templates/briefing.md.j2", "## Strength\n\n{{ claim('unit-strength-official') }}\n")
    assert run("build", "--format", "md").exit_code == 0
    assert not (tiny.root / "output" / "briefing-figures").exists()


# --- a template's own images ---------------------------------------------------------------------------

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00"
       b"\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82")


def with_image(tiny: ProjectDir, ref: str = "images/kursk%20map.png") -> None:
    (tiny.root / "images").mkdir(exist_ok=True)
    (tiny.root / "images" / "kursk map.png").write_bytes(PNG)
    tiny.write("templates/briefing.md.j2", f"## Map\n\n![Where the unit is]({ref})\n\n{{{{ claim('unit-strength-official') }}}}\n")


def test_a_local_image_is_in_every_format(tiny: ProjectDir) -> None:
    with_image(tiny)
    result = run("build")
    assert result.exit_code == 0, result.stderr
    out = tiny.root / "output"
    assert (out / "briefing-figures" / "kursk-map.png").read_bytes() == PNG  # copied beside the Markdown
    assert "![Where the unit is](briefing-figures/kursk-map.png)" in (out / "briefing.md").read_text()
    html = (out / "briefing.html").read_text()
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in html and "images/" not in html
    listed = subprocess.run(["pdfimages", "-list", str(out / "briefing.pdf")], capture_output=True, text=True, check=True)
    assert len(listed.stdout.splitlines()) == 3  # two header lines and the one image


def replace_with(content: str | None, link: str | None = None):  # noqa: ANN201
    def setup(root: Path) -> None:
        image = root / "images" / "notes.png"
        image.unlink()
        if content is not None:
            image.write_text(content)
        if link is not None:
            image.symlink_to(link)
    return setup


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (replace_with("not an image\n"),
         "briefgen: error: image images/notes.png named in a template is not a PNG, JPEG, GIF, WebP or SVG image"),
        (replace_with(None, "/etc/hostname"),
         "templates/briefing.md.j2:3:22: error: the briefing refers to 'images/notes.png', a file outside the project; "
         "nothing was fetched"),
        (replace_with(None), "briefgen: error: image images/notes.png named in a template does not exist in the project "
         "(hint: image paths start from the project's folder, e.g. images/map.png)"),
    ],
    ids=["not-an-image", "symlink-out", "missing"],
)
def test_an_image_that_is_not_the_projects_own_picture_is_one_clear_error(tiny: ProjectDir, setup, message: str) -> None:  # noqa: ANN001
    with_image(tiny, "images/notes.png")
    (tiny.root / "images" / "notes.png").write_bytes(PNG)
    assert run("build").exit_code == 0  # the last good edition
    before = {p.name: p.read_bytes() for p in (tiny.root / "output").iterdir() if p.is_file()}
    setup(tiny.root)
    result = run("build", "--force")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(message)
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in (tiny.root / "output").iterdir() if p.is_file()} == before


def test_a_changed_image_is_built_again_not_called_up_to_date(tiny: ProjectDir) -> None:
    with_image(tiny)
    assert run("build", "--format", "md").exit_code == 0
    assert "up to date" in run("build", "--format", "md").stderr
    (tiny.root / "images" / "kursk map.png").write_bytes(PNG + b"\x00")  # the analyst replaces the map
    again = run("build", "--format", "md")
    assert again.exit_code == 0 and "up to date" not in again.stderr
    assert (tiny.root / "output" / "briefing-figures" / "kursk-map.png").read_bytes() == PNG + b"\x00"
