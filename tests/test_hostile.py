"""Hostile content: fact text never becomes markup, and no template or stylesheet makes the build fetch a URL
or read a file outside the project. A local server counts requests; a secret file's bytes must appear nowhere."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pypdf
import pytest

from briefgen.allowlist import allow_listed
from briefgen.build import FONTS
from briefgen.templating import BUILTIN_TEMPLATES
from conftest import ProjectDir, RequestCounter, run

SECRET = "S3CRET-4b1d-do-not-leak"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


def outputs_text(root: Path) -> str:
    """Everything a reader could get out of the outputs: the files as text and the PDF's text and attachments."""
    out = root / "output"
    texts = [p.read_bytes().decode("latin-1") for p in out.iterdir()]
    reader = pypdf.PdfReader(out / "briefing.pdf")
    texts += [page.extract_text() or "" for page in reader.pages]
    texts += [data.decode("latin-1") for files in reader.attachments.values() for data in files]
    return "\n".join(texts)


def hostile_strings(server: str, secret: Path) -> list[str]:
    return [
        "*bold* _it_ [^1] [link](http://example.org)",
        "<script>alert('x')</script>",
        "[click](javascript:alert(1))",
        f"![x]({secret.as_uri()})",
        f'<img src="{server}/pixel.png">',
        f'<link rel="stylesheet" href="{server}/evil.css">',
        f'<style>@import url("{server}/evil.css"); body {{ background: url("{secret.as_uri()}") }}</style>',
        f'<a href="{secret.as_uri()}" rel="attachment">x</a>',
    ]


def test_hostile_fact_text_renders_literally_and_fetches_nothing(tiny: ProjectDir, server: str, secret: Path) -> None:
    strings = hostile_strings(server, secret)
    article = tiny.read("seeds/blog-two.txt") + "\n".join(f"Line {i}: {s} end of line {i}." for i, s in enumerate(strings))
    tiny.write("seeds/blog-two.txt", article + "\n")
    facts = "".join(
        f"- id: hostile-{i}\n  claim: {_yaml(s + ' claimed.')}\n  as_of: 2025-01\n"
        f"  sources:\n    - source: blog-two\n      quote: {_yaml(f'Line {i}: {s} end of line {i}.')}\n"
        for i, s in enumerate(strings)
    )
    tiny.write("facts/beta.yaml", facts)
    tiny.replace("seeds/sources.yaml", 'title: "Notes from the front"', f"title: {_yaml(strings[4])}")
    tiny.replace("seeds/sources.yaml", "  publisher: null\n  url: null", f"  publisher: {_yaml(strings[1])}\n  url: null")
    tiny.write("templates/briefing.md.j2", "## Findings\n\n{% for f in facts_in('beta') %}- {{ claim(f) }}\n{% endfor %}\n")

    result = run("build")
    assert result.exit_code == 0, result.stderr
    assert RequestCounter.requests == []
    everything = outputs_text(tiny.root)
    assert SECRET not in everything
    html = tiny.read("output/briefing.html")
    # The page loads nothing (no <img>, <script>, stylesheet link or CSS url() came from the facts), and a
    # reader sees each string as it was written.
    assert allow_listed(html, tiny.root, [tiny.root]) == (html, [])
    assert "<script" not in html and "<img" not in html and "<link" not in html
    visible = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", html)).split())
    for s in strings:
        assert f"{' '.join(s.split())} claimed." in visible, s
    # In the PDF long strings wrap (at hyphens too), so compare without any white space.
    pdf = "".join("".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(tiny.root / "output" / "briefing.pdf").pages)
    for s in strings:
        assert "".join(f"{s} claimed.".split()) in pdf, s


def _yaml(text: str) -> str:
    import json

    return json.dumps(text)


@pytest.mark.parametrize(
    ("template", "located"),
    [
        ('## Findings\n\n{{ claim("convoys-north") }}\n\n<img src="{server}/tracker.png">\n',
         "templates/briefing.md.j2:5:11: error: the briefing refers to '{server}/tracker.png', which is not a file inside the project; nothing was fetched"),
        ('## Findings\n\n{{ claim("convoys-north") }}\n\n<link rel="attachment" href="{secret}">\n',
         'templates/briefing.md.j2:5:1: error: the briefing has a <link rel="attachment"> element, which briefgen does not write'),
        ('## Findings\n\n{{ claim("convoys-north") }}\n\n<div style="background: url({server}/bg.png)">x</div>\n',
         "templates/briefing.md.j2:5:25: error: the briefing refers to '{server}/bg.png', which is not a file inside the project; nothing was fetched"),
    ],
    ids=["network image", "attachment outside the project", "inline style"],
)
def test_a_template_that_loads_from_outside_is_an_error(
    tiny: ProjectDir, server: str, secret: Path, template: str, located: str
) -> None:
    tiny.write("templates/briefing.md.j2", template.format(server=server, secret=secret.as_uri()))
    before = sorted((tiny.root / "output").iterdir()) if (tiny.root / "output").exists() else []
    result = run("build")
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if ": error: " in x]
    assert line.startswith(located.format(server=server) + " (hint: ")
    assert RequestCounter.requests == []
    assert sorted((tiny.root / "output").iterdir()) == before


def test_a_stylesheet_that_imports_from_outside_is_an_error(tiny: ProjectDir, server: str, secret: Path) -> None:
    tiny.write("templates/briefing.css", f'@import url("{server}/evil.css");\n@import "{secret.as_uri()}";\n')
    result = run("build")
    assert result.exit_code == 1
    assert f"templates/briefing.css:1:1: error: the briefing refers to '{server}/evil.css', which is not a file inside the project" in result.stderr
    assert RequestCounter.requests == []


def test_warn_mode_leaves_the_resource_out_and_still_fetches_nothing(tiny: ProjectDir, server: str, secret: Path) -> None:
    tiny.replace("briefgen.yaml", "stale_after_days: 365\n", "stale_after_days: 365\nexternal_resources: warn\n")
    # The hostile lines come first (an @import after other rules is ignored), the house style after them.
    builtin = (BUILTIN_TEMPLATES / "briefing.css").read_text()
    tiny.write("templates/briefing.css", f'@import url("{secret.as_uri()}");\nbody {{ background: url("{server}/bg.png"); }}\n' + builtin)
    result = run("build")
    assert result.exit_code == 0, result.stderr
    warnings = [x for x in result.stderr.splitlines() if ": warning: " in x]
    assert f"templates/briefing.css:1:1: warning: the briefing refers to '{secret.as_uri()}', a file outside the project; nothing was fetched" in warnings[0]
    assert any(f"'{server}/bg.png'" in w for w in warnings)
    assert RequestCounter.requests == []
    assert SECRET not in outputs_text(tiny.root)


def test_a_hostile_marking_or_title_stays_words_in_the_running_header(tiny: ProjectDir, server: str) -> None:
    """The marking and the title are written into the page's CSS (the running header): they must not end the
    style element, start another rule, or load anything."""
    marking = f'X"; }} body {{ background: url({server}/bg.png) }} </style><script>alert(1)</script>'
    title = "T\\\" } @import url(" + server + '/evil.css); <!-- &'
    tiny.replace("briefgen.yaml", "marking: TEST // MARKING", f"marking: {_yaml(marking)}")
    tiny.replace("briefgen.yaml", "title: Tiny briefing", f"title: {_yaml(title)}")
    result = run("build", "--keep-html")
    assert result.exit_code == 0, result.stderr
    assert RequestCounter.requests == []
    for name in ("briefing.html", "briefing.print.html"):
        page = tiny.read(f"output/{name}")
        assert "<script" not in page and page.count("</style>") == page.count("<style>")
        assert allow_listed(page, tiny.root, [tiny.root, FONTS]) == (page, [])
    first = pypdf.PdfReader(tiny.root / "output" / "briefing.pdf").pages[0].extract_text() or ""
    assert " ".join(marking.split()) in " ".join(first.split())
