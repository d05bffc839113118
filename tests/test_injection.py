"""Output that cannot inject: nothing a fact base holds reaches a terminal or a CI log raw, starts a GitHub
Actions workflow command, becomes HTML in a run summary, or crashes a template helper; no revision is taken
for an option, and add-source keeps seeds/sources.yaml valid YAML whatever it is given."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from briefgen.cli import _md_code
from briefgen.diagnostics import Diagnostic, format_github, format_text, json_text, safe_line, shown
from conftest import REPO, ProjectDir, run

# What a terminal would act on, raw: escape (CSI, OSC 8 hyperlinks), the one-byte CSI, bell, backspace,
# carriage return, and the bidirectional override.
ACTIVE = ("\x1b", "\x9b", "\x07", "\x08", "\r", "\u202e")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def commit_and_tag(root: Path) -> None:
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Analyst", "-c", "user.email=analyst@example.org", "commit", "-q", "-m", "Edition")
    git(root, "tag", "edition-1")


def starts_a_workflow_command(line: str) -> bool:
    """What GitHub's runner runs: a line that starts with '::' once blanks are trimmed, or holds '##['."""
    return line.lstrip().startswith("::") or "##[" in line


def assert_inert(text: str) -> None:
    """No character a terminal acts on, and no workflow command but briefgen's own annotations."""
    for char in ACTIVE:
        assert char not in text, repr(char)
    assert "##[" not in text
    for line in text.splitlines():
        if not re.match(r"::(error|warning) ([^:]*,)?title=BG\d{3} [a-z-]+::", line):
            assert not starts_a_workflow_command(line), line


# --- the escaping function ---------------------------------------------------------------------


def test_every_unprintable_character_is_shown_as_a_visible_escape() -> None:
    cases = {
        "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x00": "\\x00", "\x07": "\\x07", "\x08": "\\x08",
        "\x1b": "\\x1b", "\x7f": "\\x7f", "\x85": "\\x85", "\x9b": "\\x9b", "\u2028": "\\u2028",
        "\u2029": "\\u2029", "\u202a": "\\u202a", "\u202e": "\\u202e", "\u2066": "\\u2066", "\u2069": "\\u2069",
        "\udce9": "\\udce9",
    }
    for char, escape in cases.items():
        assert shown(f"a{char}b") == f"a{escape}b"
    ordinary = "Café — “3,000” soldiers, 50% ½ 😀 \u200e"
    assert shown(ordinary) == ordinary
    assert shown(shown("a\x1b[31mb\n")) == "a\\x1b[31mb\\n"  # escaping twice changes nothing


def test_no_line_can_start_a_workflow_command() -> None:
    assert safe_line("::add-mask::secret") == "\\x3a:add-mask::secret"
    assert safe_line("  \u3000::error::x") == "  \u3000\\x3a:error::x"
    assert safe_line("seen ##[add-mask]secret") == "seen \\x23#[add-mask]secret"
    assert safe_line("a\n::error::x") == "a\\n::error::x"
    assert safe_line("facts/a.yaml:3:1: ok::fine") == "facts/a.yaml:3:1: ok::fine"


def test_each_format_keeps_one_diagnostic_on_one_line() -> None:
    d = Diagnostic("BG101", "error", "quote \x1b[2Jgone\n::error::pwned 50%", path="facts/a\nb.yaml", line=3, column=1,
                   hint="see ##[add-mask]x")
    assert format_text(d) == (
        "facts/a\\nb.yaml:3:1: error: quote \\x1b[2Jgone\\n::error::pwned 50% (hint: see \\x23#[add-mask]x) "
        "[BG101 quote-not-found]"
    )
    # GitHub's own escapes for line breaks and %, in the data and in properties; other controls shown.
    assert format_github(d) == (
        "::error file=facts/a%0Ab.yaml,line=3,col=1,title=BG101 quote-not-found::"
        "quote \\x1b[2Jgone%0A::error::pwned 50%25 (hint: see \\x23#[add-mask]x)"
    )


def test_json_output_keeps_the_data_exact_and_inert() -> None:
    doc = {"message": "a\x1b[31m\x9b\x7f\u2028\u202e\n##[add-mask]x", "path": "caf\udce9.yaml"}
    text = json_text(doc)
    assert json.loads(text) == doc
    assert_inert(text)
    for char in "\x7f\x85\u2028\u202e\udce9":
        assert char not in text


# --- what the commands print -------------------------------------------------------------------


def test_a_newline_in_a_yaml_key_stays_on_one_line_in_every_format(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "  kind: fact\n", '  "kind\\n::error::pwned": fact\n')
    text = run("check")
    assert text.stdout.splitlines() == [
        "facts/beta.yaml:14:3: error: unknown field 'kind\\n::error::pwned' in fact 'convoys-north' [BG020 unknown-field]",
        "checked 3 facts against 2 sources: 1 error, 0 warnings",
    ]
    github = run("check", "--format", "github")
    assert github.stdout.splitlines() == [
        "::error file=facts/beta.yaml,line=14,col=3,title=BG020 unknown-field::"
        "unknown field 'kind%0A::error::pwned' in fact 'convoys-north'",
    ]
    doc = json.loads(run("check", "--format", "json").stdout)
    assert doc["diagnostics"][0]["message"] == "unknown field 'kind\n::error::pwned' in fact 'convoys-north'"
    build = run("build", "--format", "md")
    assert build.stderr.splitlines() == [text.stdout.splitlines()[0]]


def test_escape_sequences_in_an_archived_text_never_reach_the_terminal(tiny: ProjectDir) -> None:
    # CSI (clear screen, red), an OSC 8 hyperlink, bell, backspace, carriage return, the one-byte CSI.
    tiny.replace("seeds/blog-two.txt", "The writer saw convoys",
                 "The writer \x1b[2J\x1b[31m\x1b]8;;https://evil.example/\x1b\\saw\x07\x08\r\x9b convoys")
    for output_format in ("text", "github", "json"):
        result = run("check", "--format", output_format)
        assert result.exit_code == 1
        assert_inert(result.stdout + result.stderr)
    line = run("check").stdout.splitlines()[0]
    assert line == (  # the passage's white space is made single spaces, \r included; the rest is shown
        "facts/beta.yaml:17:14: error: quote of fact 'convoys-north' is not in source 'blog-two' (seeds/blog-two.txt); "
        "closest passage at seeds/blog-two.txt:3 (87% similar): \"The writer \\x1b[2J\\x1b[31m\\x1b]8;;https://evil.example/"
        "\\x1b\\saw\\x07\\x08 \\x9b convoys moving north every night for a week.\"; quote has 'writer saw', "
        "source has 'writer \\x1b[2j\\x1b[31m\\x1b]8;;https://evil.example/\\x1b\\saw\\x07\\x08 \\x9b' "
        "[BG101 quote-not-found]"
    )


def test_a_file_name_is_shown_escaped(tiny: ProjectDir) -> None:
    (tiny.root / "facts" / "beta.yaml").rename(tiny.root / "facts" / "\x1b[31mred\n::error::x.yaml")
    result = run("check")
    assert result.stdout.splitlines()[0] == (
        "facts/\\x1b[31mred\\n::error::x.yaml:1:1: error: facts/\\x1b[31mred\\n::error::x.yaml is named after no "
        "category, so its 2 facts without a category have the unknown category '\\x1b[31mred\\n::error::x' (hint: name "
        "fact files after a category in briefgen.yaml: alpha, beta) [BG032 unknown-category]"
    )
    assert_inert(result.stdout)


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tiny: ProjectDir) -> None:
    os.rename(tiny.root / "facts" / "beta.yaml", os.fsencode(tiny.root / "facts") + b"/caf\xe9.yaml")
    result = run("check")
    assert result.stdout.splitlines()[0].startswith("facts/caf\\udce9.yaml:1:1: error: facts/caf\\udce9.yaml is named after no")
    assert json.loads(run("check", "--format", "json").stdout)["diagnostics"][0]["path"] == "facts/caf\udce9.yaml"


def test_one_line_fields_refuse_control_characters_with_the_character_shown(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "  claim: Convoys were seen moving north every night for a week.",
                 '  claim: "Convoys \\e]8;;https://evil.example/\\e\\\\were seen moving north every night for a week."')
    tiny.replace("seeds/sources.yaml", '  title: "Notes from the front"', '  title: "Notes from the \\u202etnorf"')
    tiny.replace("facts/alpha.yaml", "      attribution: local sources\n", '      attribution: "local\\nsources"\n')
    result = run("check")
    assert result.stdout.splitlines()[:3] == [
        "facts/alpha.yaml:23:20: error: field 'sources[0].attribution' of fact 'unit-strength-local': contains a "
        "control character (\\n) at position 6; write the field on one line [BG023 bad-value]",
        "facts/beta.yaml:12:10: error: field 'claim' of fact 'convoys-north': contains a control character (\\x1b) "
        "at position 9; remove it [BG023 bad-value]",
        "seeds/sources.yaml:12:10: error: field 'title' of source 'blog-two': contains a control character (\\u202e) "
        "at position 16; remove it [BG023 bad-value]",
    ]


def test_a_quote_may_hold_line_breaks_but_no_other_control_character(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", '"The writer saw convoys moving', '"The writer saw\\nconvoys\\tmoving')
    assert run("check").exit_code == 0
    tiny.replace("facts/beta.yaml", "saw\\nconvoys", "saw\\aconvoys")
    assert run("check").stdout.splitlines()[0] == (
        "facts/beta.yaml:17:14: error: field 'sources[0].quote' of fact 'convoys-north': contains a control "
        "character (\\x07) at position 15; remove it [BG023 bad-value]"
    )


HOSTILE_PUBLISHER = "::add-mask::secret ##[add-mask]hidden"
HOSTILE_CLAIM = (
    "Convoys <img src=x onerror=alert(1)> ![x](http://evil.example/x.png) [link](http://evil.example) "
    "| a | b | **bold** _it_ `code` ~~s~~ $x$ &amp; see https://evil.example and www.evil.example ##[add-mask]x."
)


@pytest.fixture
def hostile(tiny: ProjectDir) -> ProjectDir:
    """The tiny project in git, tagged; then a claim full of Markdown and HTML, and a publisher that tries
    to start workflow commands."""
    commit_and_tag(tiny.root)
    tiny.replace("facts/beta.yaml", "  claim: Convoys were seen moving north every night for a week.\n",
                 f"  claim: {json.dumps(HOSTILE_CLAIM)}\n")
    tiny.replace("seeds/sources.yaml", "  publisher: Example Wire", f"  publisher: {json.dumps(HOSTILE_PUBLISHER)}")
    return tiny


def test_no_command_prints_a_workflow_command_or_an_escape_from_fact_text(hostile: ProjectDir) -> None:
    commands = [("check",), ("check", "--format", "json"), ("check", "--format", "github"), ("sources",),
                ("sources", "--format", "json"), ("impact", "wire-one"), ("impact", "wire-one", "--format", "json"),
                ("diff",), ("diff", "--format", "markdown"), ("diff", "--format", "json"), ("build", "--format", "md")]
    for args in commands:
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        assert_inert(result.stdout + result.stderr)
        assert args[-1] == "github" or not result.stdout.startswith("::")
    assert run("sources").stdout.splitlines()[7] == (
        "  \\x3a:add-mask::secret \\x23#[add-mask]hidden, “Ministry says the unit grew”, 10 January 2025, "
        "<https://example.org/news/one>"
    )


def test_diff_markdown_shows_fact_text_literally_on_github(hostile: ProjectDir) -> None:
    markdown = run("diff", "--format", "markdown").stdout
    changed = [line for line in markdown.splitlines() if line.startswith("- ")]
    assert changed[0] == (
        "- `convoys-north`: claim: “Convoys were seen moving north every night for a week.” → “Convoys &lt;img "
        "src=x onerror=alert(1)> !\\[x\\](http&#58;//evil\\.example/x\\.png) \\[link\\](http&#58;//evil\\.example) "
        "\\| a \\| b \\| \\*\\*bold\\*\\* \\_it\\_ \\`code\\` &#126;&#126;s&#126;&#126; &#36;x&#36; &amp;amp; see "
        "https&#58;//evil\\.example and www\\.evil\\.example ##\\[add-mask\\]x.”"
    )
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    items = re.findall(r"<li>(.*?)</li>", html, re.S)
    assert len(items) == len(changed)
    # In each item, the id's code span is the only element: no tag, image, link, emphasis or table.
    assert [re.findall(r"<[a-z][^>]*>", item) for item in items] == [["<code>"]] * len(items)
    assert "<table" not in html
    # What a reader sees is the claim, character for character.
    assert HOSTILE_CLAIM in __import__("html").unescape(re.sub(r"<[^>]+>", "", html))


def test_an_identifier_cannot_close_its_code_span() -> None:
    for text, span in (("a`b", "``a`b``"), ("``x", "``` ``x ```"), ("plain", "`plain`"), ("a\nb", "`a\\nb`")):
        assert _md_code(text) == span
        html = cmarkgfm.github_flavored_markdown_to_html(f"- {span}: <b>x</b>")
        assert re.search(r"<code>([^<]*)</code>", html).group(1) == shown(text).replace("&", "&amp;")


# --- templates ---------------------------------------------------------------------------------

BAD_HELPER_CALLS = {
    "{{ number('abc') }}": "number(): value must be a number, got text ('abc')",
    "{{ number(none) }}": "number(): value must be a number, got none",
    "{{ number() }}": "number(): missing a required argument: 'value'",
    "{{ series(['unit-strength']) }}": "series(): topic must be text, got a list",
    "{{ latest({}) }}": "latest(): topic must be text, got a mapping",
    "{{ fact(['x']) }}": "fact(): ref must be text or a fact, got a list",
    "{{ facts('convoys-north', 3) }}": "facts(): refs must be text or a fact, got a number (3)",
    "{{ facts_in(['alpha']) }}": "facts_in(): category must be text, got a list",
    "{{ facts_in('alpha', topic=1) }}": "facts_in(): topic must be text or none, got a number (1)",
    "{{ topics_in(none) }}": "topics_in(): category must be text, got none",
    "{{ topic_label(7) }}": "topic_label(): topic must be text, got a number (7)",
    "{{ source(fact('convoys-north')) }}": "source(): source_id must be text, got fact 'convoys-north'",
    "{{ timeline(true) }}": "timeline(): refs must be text or a fact, got true",
    "{{ disagreements('x') }}": "disagreements(): too many positional arguments",
    "{{ cite('convoys-north', ['x']) }}": "cite(): refs must be text or a fact, got a list",
    "{{ claim('convoys-north', 'rocket-artillery') }}": "claim(): too many positional arguments",
    "{{ value('rocket-artillery', unit='yes') }}": "value(): unit must be true or false, got text ('yes')",
    "{{ value('rocket-artillery', units=true) }}": "value(): got an unexpected keyword argument 'units'",
    "{{ 'many' | plural('fact') }}": "plural(): count must be a whole number, got text ('many')",
    "{{ 'x' | round }}": "template error: type str doesn't define __round__ method",
    "{{ range('x') }}": "template error: 'str' object cannot be interpreted as an integer",
}


@pytest.mark.parametrize("call", BAD_HELPER_CALLS, ids=list(BAD_HELPER_CALLS))
def test_a_helper_given_the_wrong_kind_of_argument_is_a_located_error(tiny: ProjectDir, call: str) -> None:
    tiny.write("templates/briefing.md.j2", f"## Findings\n\n{{{{ claim('convoys-north') }}}}\n{call}\n")
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == f"templates/briefing.md.j2:4: error: {BAD_HELPER_CALLS[call]} [BG305 template-error]"


def test_an_undefined_argument_is_still_reported_as_undefined(tiny: ProjectDir) -> None:
    tiny.write("templates/briefing.md.j2", "## Findings\n\n{{ claim(nothing) }}\n")
    assert run("check").stdout.splitlines()[0] == (
        "templates/briefing.md.j2:3: error: undefined: 'nothing' is undefined [BG303 undefined-variable]"
    )


# --- revisions and option values ---------------------------------------------------------------


def test_a_revision_that_looks_like_an_option_is_a_usage_error(tiny: ProjectDir) -> None:
    commit_and_tag(tiny.root)
    build = run("build", "--since=--output=elsewhere", "--format", "md")
    assert build.exit_code == 2
    assert "Invalid value for '--since': '--output=elsewhere' is not a git revision: a revision never starts with '-'" in build.stderr
    assert not (tiny.root / "elsewhere").exists() and not (tiny.root / "output").exists()
    diff = run("diff", "--", "--output=elsewhere")
    assert diff.exit_code == 2
    assert "Invalid value for '[REVISION]': '--output=elsewhere' is not a git revision" in diff.stderr


def test_git_never_reads_a_revision_as_an_option(tiny: ProjectDir) -> None:
    from briefgen.editions import changes_since
    from briefgen.errors import BriefgenError
    from briefgen.loading import load_project

    commit_and_tag(tiny.root)
    project, _ = load_project(tiny.root)
    with pytest.raises(BriefgenError, match=r"^revision '--output=elsewhere' is not in this clone$"):
        changes_since(project, "--output=elsewhere")
    assert not (tiny.root / "elsewhere").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--published", "\n2025"], "'\\n2025' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
        (["--title", "Headline\n- id: injected"], "--title: contains a control character (\\n) at position 9; write the field on one line"),
        (["--title", "Head\x1b[31mline"], "--title: contains a control character (\\x1b) at position 5; remove it"),
        (["--publisher", "Wire\u202e"], "--publisher: contains a control character (\\u202e) at position 5; remove it"),
        (["--url", "https://example.org/\nx"], "--url: contains a control character (\\n) at position 21; write the field on one line"),
        (["--title", "   "], "--title is empty"),
        (["--publisher", "Example\tWire"], "--publisher: contains a control character (\\t) at position 8; use spaces"),
    ],
)
def test_add_source_refuses_what_sources_yaml_would_refuse(tiny: ProjectDir, tmp_path: Path, args: list[str], message: str) -> None:
    article = tmp_path / "article.txt"
    article.write_text("Text.\n")
    registry = tiny.read("seeds/sources.yaml")
    full = ["--id", "new", "--title", "T", *args] if "--title" not in args else ["--id", "new", *args]
    result = run("add-source", str(article), *full)
    assert (result.exit_code, result.stderr) == (1, f"briefgen: error: {message} [BG900 usage]\n")
    assert tiny.read("seeds/sources.yaml") == registry
    assert not (tiny.root / "seeds" / "new.txt").exists()


def test_add_source_writes_yaml_that_reads_back_exactly(tiny: ProjectDir, tmp_path: Path) -> None:
    from briefgen.loading import load_project

    title = 'A "quoted" title: with - dashes, # hashes, {braces}, [brackets], & * ! | > % @ \\ \' and “curly” ones'
    publisher = "- id: not-a-source\n".strip() + " ::add-mask:: ##[x] \ufeff\ufffe 😀"
    article = tmp_path / "article.txt"
    article.write_text("Text.\n")
    result = run("add-source", str(article), "--id", "odd", "--title", title, "--publisher", publisher,
                 "--url", "https://example.org/a?b=c&d=#e", "--published", "2025-02", "--date-inferred")
    assert result.exit_code == 0, result.stderr
    project, diagnostics = load_project(tiny.root)
    assert [d for d in diagnostics if d.level == "error"] == []
    source = project.sources["odd"]
    assert (source.title, source.publisher, source.url, str(source.published), source.date_inferred) == (
        title, publisher, "https://example.org/a?b=c&d=#e", "2025-02", True
    )
    assert_inert(result.stderr)


# --- the guarantee holds for prints not yet written --------------------------------------------


def test_every_print_in_the_cli_goes_through_the_escaping_functions() -> None:
    tree = ast.parse((REPO / "briefgen" / "cli.py").read_text())
    printers = {"_say", "_say_json", "_annotate"}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) and function.name not in printers:
            for node in ast.walk(function):
                if isinstance(node, ast.Attribute) and node.attr in ("echo", "secho", "print") or (
                    isinstance(node, ast.Name) and node.id == "print"
                ):
                    pytest.fail(f"cli.py: {function.name}() prints without _say, _say_json or _annotate")


def test_progress_lines_are_escaped(tiny: ProjectDir) -> None:
    result = run("build", "--format", "md", "--output", "out\x1b[31m\n::error::x")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1].startswith("briefgen: wrote out\\x1b[31m\\n::error::x/briefing.md in ")
    assert_inert(result.stderr)
