"""Templating: facts reach the page only with their footnotes, as literal text, and template mistakes point at their line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.errors import BriefgenError
from briefgen.loading import load_project
from briefgen.markup import to_html
from briefgen.templating import escape_md, render_markdown
from conftest import ProjectDir, run

DATE = dt.date(2025, 1, 20)


def render(tiny: ProjectDir, template: str) -> str:
    tiny.write("templates/briefing.md.j2", template)
    project, diags = load_project(tiny.root)
    assert project is not None, diags
    return render_markdown(project, DATE).document


def render_error(tiny: ProjectDir, template: str) -> str:
    with pytest.raises(BriefgenError) as info:
        render(tiny, template)
    (d,) = info.value.diagnostics()
    return f"{d.location()}: {d.message} [{d.code}]"


HOSTILE = [
    "*bold* and _italic_",
    "a footnote [^1] and a link [x](http://example.org)",
    "<script>alert(1)</script>",
    "![x](file:///etc/passwd)",
    '<img src="http://127.0.0.1:9/x">',
    "# not a heading",
    "1. not a list",
    "- not a bullet",
    "> not a quote",
    "a | b | c",
    "~~not struck~~ and ^not super^ and $not math$",
    "&amp; stays &amp; and \\ stays \\",
    "`not code`",
    "=== not an underline",
    "<!-- not a comment -->",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_literally_in_html(text: str) -> None:
    html = to_html(escape_md(text))
    assert html.startswith("<p>") and html.endswith("</p>")
    inner = html[3:-4]
    # What the reader sees is exactly the text: no tag, link, image or footnote was made.
    import html as html_lib

    assert "<" not in inner
    assert html_lib.unescape(inner) == text


def test_escaped_text_stays_on_one_line() -> None:
    assert escape_md("one\ntwo\n\n# three") == "one two # three"


def test_claim_cite_and_value_attach_numbered_footnotes(tiny: ProjectDir) -> None:
    out = render(
        tiny,
        '{{ claim("rocket-artillery") }}\n\n'
        'Strength: {{ value("unit-strength-official", unit=True) }}, locally {{ value("unit-strength-local") }}.\n\n'
        'Again {{ cite("rocket-artillery") }}.\n',
    )
    body, notes = out.split("\n\n[^1]:")
    assert body.splitlines() == [
        "The unit received about 220 pieces of 240-millimetre rocket artillery.[^1]",
        "",
        "Strength: about 3,000 soldiers[^2], locally 2,500[^3].",
        "",
        "Again [^1].",
    ]
    assert ("[^1]:" + notes).splitlines() == [
        "[^1]: Example Wire, “Ministry says the unit grew”, 10 January 2025, <https://example.org/news/one>: "
        "“received about 220 pieces of 240-millimeter rocket artillery - the first such delivery”.",
        # The source's second note gives the short reference; quotation marks inside a quote become single.
        "[^2]: Example Wire, “Ministry says the unit grew”, 10 January 2025: "
        "“the unit now numbers ‘about 3,000 soldiers’ after a winter of recruitment” (citing the ministry).",
        "[^3]: Publisher not stated, “Notes from the front”, January 2025 (date inferred): "
        "“Local sources this month put the unit's strength at 2,500 soldiers” (citing local sources).",
    ]


def test_adjacent_calls_are_separated(tiny: ProjectDir) -> None:
    out = render(tiny, 'Both.{{ cite("rocket-artillery", "convoys-north") }}{{ cite("unit-strength-local") }}\n')
    assert out.splitlines()[0] == "Both.[^1]<sup>,</sup>[^2]<sup>,</sup>[^3]"


def test_short_reference_uses_the_short_title(tiny: ProjectDir) -> None:
    tiny.replace("seeds/sources.yaml", 'title: "Notes from the front"', 'title: "Notes from the front, written in the cold winter of the war"')
    out = render(tiny, '{{ cite("unit-strength-local") }}{{ cite("convoys-north") }}\n')
    notes = out.split("\n\n", 1)[1].splitlines()
    assert notes[0].startswith("[^1]: Publisher not stated, “Notes from the front, written in the cold winter of the war”, January 2025 (date inferred): ")
    assert notes[1].startswith("[^2]: Publisher not stated, “Notes from the front, written…”, January 2025: ")
    tiny.replace("seeds/sources.yaml", '  publisher: null\n', '  short_title: Notes\n  publisher: null\n')
    out = render(tiny, '{{ cite("unit-strength-local") }}{{ cite("convoys-north") }}\n')
    assert out.split("\n\n", 1)[1].splitlines()[1].startswith("[^2]: Publisher not stated, “Notes”, January 2025: ")


def test_footnotes_are_numbered_in_reading_order_even_when_captured_early(tiny: ProjectDir) -> None:
    out = render(tiny, '{% set later = claim("convoys-north") %}{{ claim("rocket-artillery") }} {{ later }}\n')
    assert out.splitlines()[0] == (
        "The unit received about 220 pieces of 240-millimetre rocket artillery.[^1] "
        "Convoys were seen moving north every night for a week.[^2]"
    )


def test_hostile_claim_is_escaped_in_the_briefing(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "Convoys were seen moving north", "<script>alert(1)</script> *Convoys* [^9] were seen moving north")
    out = render(tiny, '{{ claim("convoys-north") }}\n')
    assert out.splitlines()[0] == (
        "&lt;script>alert(1)&lt;/script> \\*Convoys\\* \\[&#94;9\\] were seen moving north every night for a week.[^1]"
    )


def test_plain_data_printed_by_a_template_is_escaped_too(tiny: ProjectDir) -> None:
    tiny.replace("seeds/sources.yaml", 'title: "Notes from the front"', 'title: "Notes *from* <b>the</b> front"')
    out = render(tiny, '{{ source("blog-two").title }}\n')
    assert out == "Notes \\*from\\* &lt;b>the&lt;/b> front\n"


def test_unknown_fact_id_is_reported_at_the_template_line(tiny: ProjectDir) -> None:
    message = render_error(tiny, "Intro.\n\n{{ claim('convoy-north') }}\n")
    assert message == "templates/briefing.md.j2:3: unknown fact id 'convoy-north'; did you mean 'convoys-north'? [BG302]"


def test_unknown_category_and_topic(tiny: ProjectDir) -> None:
    assert render_error(tiny, "{% for f in facts_in('alfa') %}{% endfor %}") == (
        "templates/briefing.md.j2:1: unknown category 'alfa'; did you mean 'alpha'? [BG302]"
    )
    assert render_error(tiny, "\n{{ latest('unit-strenght') }}") == (
        "templates/briefing.md.j2:2: unknown topic 'unit-strenght'; did you mean 'unit-strength'? [BG302]"
    )


def test_template_syntax_error_is_reported_at_its_line(tiny: ProjectDir) -> None:
    assert render_error(tiny, "line one\n{% for f in facts_in('alpha') %}\n{{ claim(f) }}\n") == (
        "templates/briefing.md.j2:3: template syntax error: Unexpected end of template. Jinja was looking for the "
        "following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'. [BG301]"
    )


def test_undefined_variable_is_reported_at_its_line(tiny: ProjectDir) -> None:
    assert render_error(tiny, "ok\n\n{{ no_such_thing }}\n") == (
        "templates/briefing.md.j2:3: undefined: 'no_such_thing' is undefined [BG303]"
    )


def test_missing_include_is_reported_where_it_is_included(tiny: ProjectDir) -> None:
    assert render_error(tiny, "ok\n{% include 'nope.md.j2' %}\n") == (
        "templates/briefing.md.j2:2: included template 'nope.md.j2' not found [BG304]"
    )


def test_a_claim_cannot_be_printed_without_its_footnote(tiny: ProjectDir) -> None:
    assert render_error(tiny, "{{ fact('convoys-north').claim }}") == (
        "templates/briefing.md.j2:1: fact 'convoys-north': print its claim with claim(...) so it carries its footnote [BG305]"
    )


def test_imported_macros_see_the_helpers(tiny: ProjectDir) -> None:
    tiny.write("templates/mine.md.j2", "{% macro show(id) %}* {{ claim(id) }}{% endmacro %}")
    out = render(tiny, '{% import "mine.md.j2" as m %}{{ m.show("convoys-north") }}\n')
    assert out.startswith("* Convoys were seen moving north every night for a week.[^1]\n")


def test_default_template_cites_every_fact(tiny: ProjectDir) -> None:
    project, _ = load_project(tiny.root)
    assert project is not None
    rendered = render_markdown(project, DATE)
    assert sorted(rendered.cited) == sorted(project.facts)
    assert rendered.notes.count("\n") == len(project.facts)


# --- the sandbox: what a template from a pull request can do ----------------------------------------


def test_a_template_cannot_reach_a_file_through_a_path(tmp_path: Path) -> None:
    import jinja2
    from jinja2.sandbox import SecurityError

    from briefgen.templating import Sandbox

    secret = tmp_path / "secret.txt"
    secret.write_text("S3CRET")
    env = Sandbox(undefined=jinja2.StrictUndefined)  # as briefgen's environments are
    with pytest.raises(SecurityError, match="read_text"):
        env.from_string("{{ p.read_text() }}").render(p=secret)
    with pytest.raises(SecurityError, match="parent"):
        env.from_string("{{ p.parent }}").render(p=secret)


def test_a_template_that_runs_too_long_is_stopped_at_its_file(tiny: ProjectDir, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen import templating

    monkeypatch.setattr(templating, "RENDER_SECONDS", 1)
    tiny.write("templates/briefing.md.j2", "## Findings\n\n{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "templates/briefing.md.j2:3: error: template stopped: it ran for more than 1 second [BG307 template-stopped]"
    )


def test_compiled_templates_are_cached_only_where_nobody_else_can_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiled templates are code: a cache folder another user could fill is not used."""
    from briefgen.templating import _bytecode_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _bytecode_cache() is not None
    (tmp_path / "briefgen" / "jinja").chmod(0o777)
    assert _bytecode_cache() is None
    (tmp_path / "briefgen" / "jinja").chmod(0o700)
    (tmp_path / "briefgen" / "jinja").rename(tmp_path / "elsewhere")
    (tmp_path / "briefgen" / "jinja").symlink_to(tmp_path / "elsewhere")
    assert _bytecode_cache() is None
