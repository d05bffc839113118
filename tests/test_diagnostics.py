"""Every diagnostic code, produced by a small defect in the tiny project: its exact text line, its location,
and its JSON form (for `check`) or its text on stderr (for problems only a build meets)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from briefgen.diagnostics import CODES, Diagnostic, format_github, format_text
from conftest import ProjectDir, run


@dataclass(frozen=True)
class Case:
    code: str
    setup: Callable[[ProjectDir], None]
    line: str  # the exact text form
    command: tuple[str, ...] = ("check",)


def replace(path: str, old: str, new: str) -> Callable[[ProjectDir], None]:
    return lambda p: p.replace(path, old, new)


def write(path: str, text: str) -> Callable[[ProjectDir], None]:
    return lambda p: p.write(path, text)


def both(*steps: Callable[[ProjectDir], None]) -> Callable[[ProjectDir], None]:
    def run_all(p: ProjectDir) -> None:
        for step in steps:
            step(p)

    return run_all


def add_spare_source(p: ProjectDir) -> None:
    p.write("seeds/spare.txt", "An article nobody has used yet.\n")
    p.write(
        "seeds/sources.yaml",
        p.read("seeds/sources.yaml")
        + "\n- id: spare\n  file: spare.txt\n  title: Spare\n  publisher: null\n  url: null\n  published: 2025\n  reliability: F\n",
    )


BOMB = "- id: bomb\n  a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  {n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)

def judged(confidence: str, template: bool = True) -> Callable[[ProjectDir], None]:
    def setup(p: ProjectDir) -> None:
        p.write("judgments.yaml", f"- id: unit-growing\n  statement: The unit is growing.\n  confidence: {confidence}\n"
                "  rests_on: [unit-strength-official]\n")
        # Printed, or (template=False) not: the facts alone, as a project's own template might.
        p.write("templates/briefing.md.j2", ("{{ judgment('unit-growing') }} " if template else "{{ claim('unit-strength-official') }} ")
                + "{{ claim('unit-strength-local') }} {{ claim('rocket-artillery') }} {{ claim('convoys-north') }}\n")

    return setup


CASES = [
    Case("BG001", replace("facts/alpha.yaml", "  value: 3000\n", "  value: [3000\n"),
         "facts/alpha.yaml:4:7: error: YAML syntax error: did not find expected ',' or ']' while parsing a flow "
         "sequence that starts at line 3 (hint: check the indentation and quoting around here) [BG001 yaml-syntax]"),
    Case("BG002", replace("facts/alpha.yaml", "  value: 3000\n", "  value: 3000\n  value: 4000\n"),
         "facts/alpha.yaml:4:3: error: duplicate key 'value' (first at line 3); YAML would silently keep only the "
         "last [BG002 duplicate-key]"),
    Case("BG003", replace("facts/beta.yaml", "  kind: fact\n", "  kind: !!python/object/apply:os.system ['id']\n"),
         "facts/beta.yaml:14:9: error: the YAML tag !!python/object/apply:os.system is not allowed in a fact base "
         "[BG003 unsupported-yaml]"),
    Case("BG004", write("facts/beta.yaml", BOMB),
         "facts/beta.yaml:6:3: error: YAML aliases expand to far more nodes than the file holds (an alias bomb?) "
         "(hint: write the data out instead of nesting anchors) [BG004 yaml-too-large]"),
    Case("BG005", lambda p: (p.root / "seeds" / "blog-two.txt").unlink(),
         "seeds/sources.yaml:11:9: error: seeds/blog-two.txt does not exist [BG005 file-missing]"),
    Case("BG006", both(replace("briefgen.yaml", "stale_after_days: 365\n", "stale_after_days: 365\nmax_input_bytes: 2000\n"),
                       write("facts/beta.yaml", "# padding\n" * 300)),
         "facts/beta.yaml: error: facts/beta.yaml is 3,000 bytes, more than the limit of 2,000 "
         "(hint: raise max_input_bytes in briefgen.yaml if the file is genuine) [BG006 file-too-large]"),
    Case("BG007", lambda p: (p.root / "seeds" / "blog-two.txt").write_bytes(b"Notes\ncaf\xe9\n"),
         "seeds/sources.yaml:11:9: error: seeds/blog-two.txt is not UTF-8: byte 0xe9 at offset 9 cannot be decoded "
         "(hint: save the file as UTF-8) [BG007 file-not-text]"),
    Case("BG008", write("facts/beta.yaml", ""),
         "facts/beta.yaml: error: facts/beta.yaml is empty [BG008 file-empty]"),
    Case("BG009", lambda p: ((p.root / "facts/beta.yaml").unlink(), (p.root / "facts/beta.yaml").symlink_to("/etc/passwd")),
         "facts/beta.yaml: error: facts/beta.yaml is a symlink to /etc/passwd, outside the project (hint: copy the file "
         "into the project instead of linking to it) [BG009 file-not-allowed]"),
    Case("BG011", replace("seeds/sources.yaml", "  file: wire-one.txt\n", "  file: wire-one.txt\n  sha256: '" + "0" * 64 + "'\n"),
         "seeds/sources.yaml:3:11: error: seeds/wire-one.txt has changed since source 'wire-one' was registered: its "
         "quotes were checked against a text that is no longer the article (hint: restore it from git; if the change is "
         "a deliberate correction, say so in `note` and set sha256: "
         "5fb49114225d148a5fc8ae06f60684334b541ed192a5b84441e373f0e60a6908) [BG011 text-changed]"),
    Case("BG012", write("menu.html", "<html><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav></body></html>\n"),
         "briefgen: error: menu.html has no article text that briefgen can find: the page may be a list of links, a "
         "login or cookie wall, or built by scripts after it loads (hint: save the page from the browser once the "
         "article shows, or copy the article's text into a .txt file) [BG012 no-text]",
         ("add-source", "menu.html", "--title", "Menu")),
    Case("BG013", lambda p: None,
         "briefgen: error: http://127.0.0.1:9/article cannot be fetched: Connection refused [BG013 fetch-failed]",
         ("add-source", "http://127.0.0.1:9/article")),
    Case("BG010", write("facts/beta.yaml", "id: convoys-north\n"),
         "facts/beta.yaml:1:1: error: facts/beta.yaml must be a list of facts, got a mapping "
         "(hint: start each item with '- ') [BG010 wrong-shape]"),
    Case("BG020", replace("facts/beta.yaml", "  kind: fact\n", "  knid: fact\n"),
         "facts/beta.yaml:14:3: error: unknown field 'knid' in fact 'convoys-north'; did you mean 'kind'? "
         "[BG020 unknown-field]"),
    Case("BG021", replace("facts/beta.yaml", "  claim: Convoys were seen moving north every night for a week.\n", ""),
         "facts/beta.yaml:11:3: error: fact 'convoys-north' is missing the required field 'claim' [BG021 missing-field]"),
    Case("BG022", replace("facts/beta.yaml", "  value: 220\n", "  value: lots\n"),
         "facts/beta.yaml:3:10: error: field 'value' of fact 'rocket-artillery' must be a number, got text ('lots') "
         "[BG022 wrong-type]"),
    Case("BG023", replace("facts/beta.yaml", "  qualifier: about\n", "  qualifier: roughly\n"),
         "facts/beta.yaml:5:14: error: field 'qualifier' of fact 'rocket-artillery' must be one of exact, about, nearly, "
         "less-than, at-least, more-than, up-to; got 'roughly' [BG023 bad-value]"),
    Case("BG024", replace("facts/beta.yaml", "  as_of: 2025-01\n  kind", "  as_of: 2025-02-30\n  kind"),
         "facts/beta.yaml:13:10: error: field 'as_of' of fact 'convoys-north': '2025-02-30' is not a date: day 30 does "
         "not exist in that month [BG024 bad-date]"),
    Case("BG025", replace("briefgen.yaml", "version: 1\n", "version: 2\n"),
         "briefgen.yaml:1:10: error: briefgen.yaml has format version 2; this briefgen reads version 1 "
         "(hint: upgrade briefgen) [BG025 unsupported-version]"),
    Case("BG030", replace("facts/beta.yaml", "- id: convoys-north", "- id: rocket-artillery"),
         "facts/beta.yaml:11:7: error: duplicate fact id 'rocket-artillery' (also at facts/beta.yaml:1) [BG030 duplicate-id]"),
    Case("BG031", replace("facts/beta.yaml", "    - source: blog-two", "    - source: blog-2"),
         "facts/beta.yaml:16:15: error: fact 'convoys-north' cites unknown source 'blog-2'; did you mean 'blog-two'? "
         "(hint: register it in seeds/sources.yaml) [BG031 unknown-source]"),
    Case("BG032", replace("facts/beta.yaml", "  kind: fact\n", "  kind: fact\n  category: gamma\n"),
         "facts/beta.yaml:15:13: error: fact 'convoys-north' has unknown category 'gamma' "
         "(hint: categories in briefgen.yaml: alpha, beta) [BG032 unknown-category]"),
    Case("BG033", replace("facts/alpha.yaml", "  topic: unit-strength\n  as_of: 2025-01\n  sources:\n    - source: blog-two",
                          "  topic: unit-strenght\n  as_of: 2025-01\n  sources:\n    - source: blog-two"),
         "facts/alpha.yaml:18:10: error: fact 'unit-strength-local' has topic 'unit-strenght', which briefgen.yaml does not "
         "declare; did you mean 'unit-strength'? (hint: declare it under topics: in briefgen.yaml, or correct it) [BG033 unknown-topic]"),
    Case("BG034", both(judged("low"), replace("judgments.yaml", "[unit-strength-official]", "[unit-strength-oficial]")),
         "judgments.yaml:4:14: error: judgment 'unit-growing' rests on unknown fact 'unit-strength-oficial'; did you mean "
         "'unit-strength-official'? (hint: rests_on lists fact ids from facts/) [BG034 unknown-fact]"),
    Case("BG101", replace("facts/beta.yaml", "saw convoys moving north", "saw convoys driving north"),
         "facts/beta.yaml:17:14: error: quote of fact 'convoys-north' is not in source 'blog-two' (seeds/blog-two.txt); "
         'closest passage at seeds/blog-two.txt:3 (96% similar): "The writer saw convoys moving north every night for a '
         "week.\"; quote has 'convoys driving', source has 'convoys moving' [BG101 quote-not-found]"),
    Case("BG102", replace("facts/beta.yaml", "  value: 220\n", "  value: 240\n"),
         "facts/beta.yaml:3:10: error: value 240 of fact 'rocket-artillery' is in none of its quotes; the quote's "
         "'240-millimeter' measures something else than pieces [BG102 value-not-in-quote]"),
    Case("BG103", replace("facts/beta.yaml", '"The writer saw convoys moving north every night for a week."', '"convoys moving north"'),
         "facts/beta.yaml:17:14: warning: quote of fact 'convoys-north' has 3 words; fewer than 4 prove little "
         "(hint: quote the whole phrase that supports the claim) [BG103 short-quote]"),
    Case("BG104", replace("facts/beta.yaml", "Convoys were seen", "Forty convoys, 4,000 trucks, were seen"),
         "facts/beta.yaml:12:10: warning: claim of fact 'convoys-north' says 4,000; the quotes hold no number "
         "[BG104 claim-number-unsupported]"),
    Case("BG105", replace("facts/beta.yaml", "  as_of: 2025-01\n  kind", "  as_of: 2025-03\n  kind"),
         "facts/beta.yaml:13:10: error: fact 'convoys-north' is as of 2025-03, after source 'blog-two' was published "
         "(2025-01) (hint: as_of is the date the information refers to, which a source cannot report before it happens) "
         "[BG105 as-of-after-publication]"),
    Case("BG106", replace("facts/beta.yaml", "  qualifier: about\n", "  qualifier: more-than\n"),
         "facts/beta.yaml:5:14: warning: fact 'rocket-artillery' gives qualifier more-than; its quote says 'about 220' "
         "(hint: write qualifier: about) [BG106 qualifier-unsupported]"),
    Case("BG107", replace("facts/beta.yaml", '    - source: blog-two\n      quote: "The writer saw convoys moving north every night for a week."',
                          '    - source: wire-one\n      quote: "A spokesman said the figures were \\"provisional and may rise.\\""'),
         "facts/beta.yaml:12:10: warning: claim of fact 'convoys-north' drops the hedge 'may' of its quote "
         "(hint: keep the quote's hedge in the claim) [BG107 hedge-dropped]"),
    Case("BG201", replace("facts/alpha.yaml", "  note: Lower than the ministry's figure; see the ministry's note.\n", ""),
         "facts/alpha.yaml:16:10: warning: fact 'unit-strength-local' (2,500, as of 2025-01) disagrees with "
         "'unit-strength-official' (3,000, as of 2025-01) in topic 'unit-strength' "
         "(hint: add a note saying why the figures differ) [BG201 topic-disagreement]"),
    Case("BG202", lambda p: None,
         "facts/alpha.yaml:7:10: warning: the latest fact of topic 'unit-strength' ('unit-strength-official', as of "
         "2025-01) is more than 365 days older than the briefing date 2026-06-01 "
         "(hint: look for newer reporting, or raise stale_after_days) [BG202 stale-topic]",
         ("check", "--date", "2026-06-01")),
    Case("BG203", write("templates/briefing.md.j2", '{{ claim("unit-strength-official") }} {{ claim("unit-strength-local") }} {{ claim("rocket-artillery") }}\n'),
         "facts/beta.yaml:11:7: warning: fact 'convoys-north' is never cited by the briefing template "
         "(hint: cite it with claim(), value() or cite(), or remove it) [BG203 uncited-fact]"),
    Case("BG204", add_spare_source,
         "seeds/sources.yaml:20:7: warning: source 'spare' is cited by no fact [BG204 unused-source]"),
    Case("BG205", replace("seeds/sources.yaml", "  url: null\n", ""),
         "seeds/sources.yaml:10:7: warning: source 'blog-two' does not give its url "
         "(hint: add them, or write null where the article states none) [BG205 weak-source-reference]"),
    Case("BG206", lambda p: None, "briefgen: error: the briefing date 2024-01-01 is before source 'wire-one' was published (2025-01-10) "
         "(hint: correct --date or SOURCE_DATE_EPOCH) [BG206 briefing-date-too-early]", ("check", "--date", "2024-01-01")),
    Case("BG207", both(replace("briefgen.yaml", "topics:\n  unit-strength: Unit strength\n", ""),
                       replace("facts/alpha.yaml", "  topic: unit-strength\n  as_of: 2025-01\n  sources:\n    - source: blog-two",
                               "  topic: unit-strenght\n  as_of: 2025-01\n  sources:\n    - source: blog-two")),
         "facts/alpha.yaml:6:10: warning: topic 'unit-strength' of fact 'unit-strength-official' is used by no other fact; "
         "did you mean 'unit-strenght'? (hint: declare topics: in briefgen.yaml to make an unknown topic an error) [BG207 lonely-topic]"),
    Case("BG208", replace("facts/beta.yaml", "  kind: fact\n", "  kind: fact\n  reviewed:\n    BG106: the figure is exact\n"),
         "facts/beta.yaml:16:5: warning: fact 'convoys-north' acknowledges BG106 (qualifier-unsupported), which check no "
         "longer reports for it (hint: remove it from reviewed) [BG208 review-unused]"),
    Case("BG209", judged("high"),
         "judgments.yaml:3:15: warning: judgment 'unit-growing' is high confidence, but its evidence allows low: its "
         "best-corroborated fact ('unit-strength-official') has 1 independent origin (the ministry), and its sources are "
         "graded B; high needs 2 origins and a source graded A/B/C (hint: lower the confidence, rest it on corroborated "
         "facts, or say why in rationale) [BG209 confidence-above-evidence]"),
    Case("BG210", judged("low", template=False),
         "judgments.yaml:1:7: warning: judgment 'unit-growing' is printed by no briefing (hint: print it with judgment() "
         "or judgments(), or remove it) [BG210 uncited-judgment]"),
    Case("BG212", replace("seeds/sources.yaml", "  reliability: F\n", ""),
         "seeds/sources.yaml:10:7: warning: source 'blog-two' has no reliability grade, so it counts as F (cannot be "
         "judged) (hint: grade it with reliability: A to F, and say why in reliability_note) [BG212 ungraded-source]"),
    Case("BG211", replace("seeds/sources.yaml", "  reliability_note: A wire service with a long record.\n", ""),
         "seeds/sources.yaml:7:16: warning: source 'wire-one' is graded B without a reliability_note saying why (hint: say "
         "what the grade rests on (track record, access, corroboration), or grade it F) [BG211 reliability-unexplained]"),
    Case("BG301", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoys-north') \n"),
         "templates/briefing.md.j2:3: error: template syntax error: unexpected end of template, expected 'end of print "
         "statement'. [BG301 template-syntax]"),
    Case("BG302", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoy-north') }}\n"),
         "templates/briefing.md.j2:3: error: unknown fact id 'convoy-north'; did you mean 'convoys-north'? "
         "[BG302 unknown-fact-id]"),
    Case("BG303", write("templates/briefing.md.j2", "## Findings\n\n{{ finding }}\n"),
         "templates/briefing.md.j2:3: error: undefined: 'finding' is undefined [BG303 undefined-variable]"),
    Case("BG304", replace("briefgen.yaml", "title: Tiny briefing\n", "title: Tiny briefing\ntemplate: weekly.md.j2\n"),
         "templates/weekly.md.j2: error: template 'weekly.md.j2' not found in templates/ or in briefgen's built-in "
         "templates [BG304 template-not-found]"),
    Case("BG305", write("templates/briefing.md.j2", "## Findings\n\n{{ fact('convoys-north').claim }}\n"),
         "templates/briefing.md.j2:3: error: fact 'convoys-north': print its claim with claim(...) so it carries its "
         "footnote [BG305 template-error]"),
    Case("BG306", write("templates/briefing.md.j2", "## Findings\n\n{{ cycler.__init__.__globals__ }}\n"),
         "templates/briefing.md.j2:3: error: template not allowed: access to attribute '__init__' of 'type' object "
         "is unsafe (hint: templates may print, loop and call briefgen's helpers; they cannot reach Python's internals "
         "or files) [BG306 template-not-allowed]"),
    Case("BG307", write("templates/briefing.md.j2", "## Findings\n\n{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}\n"),
         "templates/briefing.md.j2:3: error: template stopped: a macro or include calls itself without end "
         "[BG307 template-stopped]"),
    Case("BG401", lambda p: p.write("blocked", "a file where a folder should be"),
         "blocked/out: error: cannot write to the output folder blocked/out: Not a directory "
         "(hint: choose another folder with --output) [BG401 output-not-writable]",
         ("build", "--quiet", "--output", "blocked/out")),
    Case("BG402", write("templates/briefing.css", '@import url("https://example.org/track.css");\n'),
         "templates/briefing.css:1:1: error: the briefing refers to 'https://example.org/track.css', which is not a "
         "file inside the project; nothing was fetched (hint: templates and stylesheets may load only images and fonts "
         "inside the project, and data: URLs) [BG402 blocked-resource]",
         ("build", "--quiet", "--format", "pdf")),
    Case("BG403", lambda p: None,
         "briefgen: error: the project is not in a git repository, so there are no earlier editions to compare with "
         "(hint: keep the project in git and tag each edition (git tag edition-1)) [BG403 revision-missing]",
         ("diff",)),
    Case("BG404", write("templates/print.css", "p { margin: 0 }\n"),
         "templates/print.css: error: briefing.pdf: none of its 4 footnotes is a page-bottom note (hint: the "
         "print stylesheet must keep `span.footnote { float: footnote }`) [BG404 footnote-misplaced]",
         ("build", "--quiet", "--format", "pdf")),
    Case("BG405", write("templates/briefing.md.j2", "## Findings\n\n<script>alert(1)</script>\n"),
         "templates/briefing.md.j2:3:1: error: the briefing has a <script> element, which briefgen does not write "
         "(hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and "
         "pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) "
         "[BG405 markup-not-allowed]",
         ("build", "--quiet", "--format", "html")),
    Case("BG900", lambda p: None,
         "briefgen: error: SOURCE_DATE_EPOCH='yesterday' is not a whole number of seconds [BG900 usage]",
         ("build", "--quiet")),
]


def test_every_code_has_a_case() -> None:
    assert sorted(c.code for c in CASES) == sorted(CODES)


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_diagnostic(tiny: ProjectDir, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    if case.code == "BG900":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
        tiny.replace("briefgen.yaml", "date: 2025-01-20\n", "")
    case.setup(tiny)
    result = run(*case.command)
    if case.command[0] == "check":
        assert case.line in result.stdout.splitlines(), result.stdout
        assert result.exit_code == (1 if " error: " in case.line else 0)
        # The JSON form carries the same facts: rebuilt into a diagnostic, it prints the same line.
        doc = json.loads(run(*case.command, "--format", "json").stdout)
        found = [Diagnostic(**{k: v for k, v in d.items() if k != "name"}) for d in doc["diagnostics"] if d["code"] == case.code]
        assert case.line in [format_text(d) for d in found]
        assert all(d["name"] == CODES[case.code].name for d in doc["diagnostics"] if d["code"] == case.code)
    else:
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [case.line]


def test_github_annotations_are_valid_workflow_commands(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "saw convoys moving north", "saw convoys driving north")
    tiny.replace("facts/beta.yaml", '"The writer saw', '"The writer, 100%, saw')
    result = run("check", "--format", "github")
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    # ::error file=…,line=…,col=…,title=…::message — properties escape % , : and newlines; data escapes %.
    prefix, message = line.split("::", 2)[1:]
    assert prefix == "error file=facts/beta.yaml,line=17,col=14,title=BG101 quote-not-found"
    assert "\n" not in message and "%25" in message and "100%," not in message


def test_github_escaping() -> None:
    d = Diagnostic("BG101", "warning", "50% done,\nnext: line", path="a,b:c.yaml", line=3, column=1)
    assert format_github(d) == (
        "::warning file=a%2Cb%3Ac.yaml,line=3,col=1,title=BG101 quote-not-found::50%25 done,%0Anext: line"
    )
