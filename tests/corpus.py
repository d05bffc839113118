"""The bad-input corpus: one defect each, applied to a copy of the tiny project.

Each case names the defect and the exact line `briefgen build` must print for it. test_bad_input.py runs
them; `python tests/corpus.py` prints what each case produces today, for review when a message changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Defect:
    name: str
    setup: Setup
    message: str
    args: tuple[str, ...] = field(default=())


def edit(path: str, old: str, new: str) -> Setup:
    def apply(root: Path) -> None:
        target = root / path
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def write(path: str, content: str | bytes) -> Setup:
    def apply(root: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    return apply


def remove(path: str) -> Setup:
    def apply(root: Path) -> None:
        target = root / path
        if target.is_dir():
            for child in target.iterdir():
                child.unlink()
            target.rmdir()
        else:
            target.unlink()

    return apply


def rename(path: str, new: str) -> Setup:
    def apply(root: Path) -> None:
        (root / path).rename(root / new)

    return apply


def symlink(path: str, target: str) -> Setup:
    def apply(root: Path) -> None:
        (root / path).parent.mkdir(exist_ok=True)
        (root / path).unlink(missing_ok=True)
        (root / path).symlink_to(target)

    return apply


def fifo(path: str) -> Setup:
    def apply(root: Path) -> None:
        (root / path).parent.mkdir(exist_ok=True)
        (root / path).unlink(missing_ok=True)
        os.mkfifo(root / path)

    return apply


def huge_file(path: str, megabytes: int) -> Setup:
    def apply(root: Path) -> None:
        line = "# " + "x" * 98 + "\n"
        with open(root / path, "w", encoding="utf-8") as handle:
            for _ in range(megabytes * 10_486):
                handle.write(line)

    return apply


BOMB = "- id: bomb\n  a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  {n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)

DEFECTS: list[Defect] = [
    # YAML that does not parse.
    Defect("unclosed flow list", edit("facts/alpha.yaml", "  value: 3000\n", "  value: [3000\n"),
           "facts/alpha.yaml:4:7: error: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence that starts at line 3 (hint: check the indentation and quoting around here) [BG001 yaml-syntax]"),
    Defect("unclosed quote", edit("facts/alpha.yaml", "  claim: Local sources put", '  claim: "Local sources put'),
           "facts/alpha.yaml:22:15: error: YAML syntax error: did not find expected key while parsing a block mapping that starts at line 14 (hint: the double quote opened at line 15 may not be closed) [BG001 yaml-syntax]"),
    Defect("bad indentation", edit("facts/beta.yaml", "  claim: Convoys were seen", "   claim: Convoys were seen"),
           "facts/beta.yaml:12:9: error: YAML syntax error: mapping values are not allowed in this context (hint: check the indentation and quoting around here) [BG001 yaml-syntax]"),
    Defect("tab indentation", edit("facts/beta.yaml", "  kind: fact\n", "\tkind: fact\n"),
           "facts/beta.yaml:14:1: error: YAML syntax error: found a tab character that violates indentation while scanning a plain scalar that starts at line 13 (hint: indent with spaces, not tabs) [BG001 yaml-syntax]"),
    Defect("syntax error in settings", edit("briefgen.yaml", "title: Tiny briefing\n", "title: [Tiny briefing\n"),
           "briefgen.yaml:3:9: error: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence that starts at line 2 (hint: check the indentation and quoting around here) [BG001 yaml-syntax]"),
    Defect("syntax error in sources", edit("seeds/sources.yaml", "  title: \"Notes from the front\"\n", "  title: \"Notes from the front\n"),
           "seeds/sources.yaml:18:31: error: YAML syntax error: did not find expected key while parsing a block mapping that starts at line 10 (hint: the double quote opened at line 12 may not be closed) [BG001 yaml-syntax]"),
    # The wrong shape.
    Defect("mapping instead of a list of facts", write("facts/beta.yaml", "id: convoys-north\nclaim: Convoys.\n"),
           "facts/beta.yaml:1:1: error: facts/beta.yaml must be a list of facts, got a mapping (hint: start each item with '- ') [BG010 wrong-shape]"),
    Defect("mapping instead of a list of sources", write("seeds/sources.yaml", "id: wire-one\nfile: wire-one.txt\n"),
           "seeds/sources.yaml:1:1: error: seeds/sources.yaml must be a list of sources, got a mapping (hint: start each item with '- ') [BG010 wrong-shape]"),
    Defect("text instead of a list of facts", write("facts/beta.yaml", "just some notes\n"),
           "facts/beta.yaml:1:1: error: facts/beta.yaml must be a list of facts, got text ('just some notes') [BG010 wrong-shape]"),
    Defect("list instead of settings", write("briefgen.yaml", "- title: Tiny\n"),
           "briefgen.yaml:1:1: error: briefgen.yaml must be a mapping of settings, got a list [BG010 wrong-shape]"),
    Defect("duplicate key in a fact", edit("facts/alpha.yaml", "  value: 3000\n", "  value: 3000\n  value: 4000\n"),
           "facts/alpha.yaml:4:3: error: duplicate key 'value' (first at line 3); YAML would silently keep only the last [BG002 duplicate-key]"),
    Defect("duplicate key in settings", edit("briefgen.yaml", "title: Tiny briefing\n", "title: Tiny briefing\ntitle: Small briefing\n"),
           "briefgen.yaml:3:1: error: duplicate key 'title' (first at line 2); YAML would silently keep only the last [BG002 duplicate-key]"),
    # Fields: unknown, misspelled, missing, wrong type, bad value.
    Defect("misspelled field", edit("facts/alpha.yaml", "  unit: soldiers\n  qualifier", "  unti: soldiers\n  qualifier"),
           "facts/alpha.yaml:4:3: error: unknown field 'unti' in fact 'unit-strength-official'; did you mean 'unit'? [BG020 unknown-field]"),
    Defect("misspelled required field", edit("facts/beta.yaml", '      quote: "The writer', '      qoute: "The writer'),
           "facts/beta.yaml:17:7: error: unknown field 'sources[0].qoute' in fact 'convoys-north'; did you mean 'quote'? [BG020 unknown-field]"),
    Defect("misspelled setting", edit("briefgen.yaml", "subtitle:", "subtitel:"),
           "briefgen.yaml:3:1: error: unknown field 'subtitel' in briefgen.yaml; did you mean 'subtitle'? [BG020 unknown-field]"),
    Defect("missing claim", edit("facts/beta.yaml", "  claim: Convoys were seen moving north every night for a week.\n", ""),
           "facts/beta.yaml:11:3: error: fact 'convoys-north' is missing the required field 'claim' [BG021 missing-field]"),
    Defect("value is text", edit("facts/beta.yaml", "  value: 220\n", "  value: lots\n"),
           "facts/beta.yaml:3:10: error: field 'value' of fact 'rocket-artillery' must be a number, got text ('lots') [BG022 wrong-type]"),
    Defect("sources is text", edit("facts/beta.yaml", "  sources:\n    - source: blog-two\n      quote: \"The writer saw convoys moving north every night for a week.\"\n", "  sources: blog-two\n"),
           "facts/beta.yaml:15:12: error: field 'sources' of fact 'convoys-north' must be a list, got text ('blog-two') [BG022 wrong-type]"),
    Defect("claim is a number", edit("facts/beta.yaml", "  claim: Convoys were seen moving north every night for a week.\n", "  claim: 42\n"),
           "facts/beta.yaml:12:10: error: field 'claim' of fact 'convoys-north' must be text, got a number (42) [BG022 wrong-type]"),
    Defect("no sources", edit("facts/beta.yaml", "  sources:\n    - source: blog-two\n      quote: \"The writer saw convoys moving north every night for a week.\"\n", "  sources: []\n"),
           "facts/beta.yaml:15:12: error: field 'sources' of fact 'convoys-north' must list at least one item [BG023 bad-value]"),
    Defect("unknown qualifier", edit("facts/beta.yaml", "  qualifier: about\n", "  qualifier: roughly\n"),
           "facts/beta.yaml:5:14: error: field 'qualifier' of fact 'rocket-artillery' must be one of exact, about, nearly, less-than, at-least, more-than, up-to; got 'roughly' [BG023 bad-value]"),
    Defect("invalid fact id", edit("facts/beta.yaml", "- id: convoys-north", "- id: Convoys North"),
           "facts/beta.yaml:11:7: error: 'Convoys North' is not a valid fact id (hint: use lower-case letters, digits and single hyphens, e.g. 'nk-troops-2025') [BG023 bad-value]"),
    Defect("unknown reliability grade", edit("seeds/sources.yaml", "  reliability: B\n", "  reliability: G\n"),
           "seeds/sources.yaml:7:16: error: field 'reliability' of source 'wire-one' must be one of A, B, C, D, E, F; got 'G' [BG023 bad-value]"),
    Defect("javascript: URL", edit("seeds/sources.yaml", "https://example.org/news/one", "javascript:alert(1)"),
           "seeds/sources.yaml:5:8: error: field 'url' of source 'wire-one': 'javascript:alert(1)' is not an http(s) URL [BG023 bad-value]"),
    Defect("source file outside seeds", edit("seeds/sources.yaml", "  file: blog-two.txt", "  file: ../../../etc/passwd"),
           "seeds/sources.yaml:11:9: error: field 'file' of source 'blog-two': '../../../etc/passwd' must be a path inside seeds/ [BG023 bad-value]"),
    Defect("newer format version", edit("briefgen.yaml", "version: 1\n", "version: 3\n"),
           "briefgen.yaml:1:10: error: briefgen.yaml has format version 3; this briefgen reads version 1 (hint: upgrade briefgen) [BG025 unsupported-version]"),
    Defect("category removed from the settings", edit("briefgen.yaml", "  beta: Beta things\n", ""),
           "facts/beta.yaml:1:1: error: facts/beta.yaml is named after no category, so its 2 facts without a category "
           "have the unknown category 'beta' (hint: add `beta: Beta` under categories in briefgen.yaml, or name fact files "
           "after a category in briefgen.yaml: alpha) [BG032 unknown-category]"),
    # Dates.
    Defect("month 13", edit("facts/alpha.yaml", "  as_of: 2025-01\n  sources:\n    - source: blog-two", "  as_of: 2025-13\n  sources:\n    - source: blog-two"),
           "facts/alpha.yaml:19:10: error: field 'as_of' of fact 'unit-strength-local': '2025-13' is not a date: month 13 does not exist [BG024 bad-date]"),
    Defect("year 0000", edit("facts/beta.yaml", "  as_of: 2025-01\n  kind", "  as_of: \"0000\"\n  kind"),
           "facts/beta.yaml:13:10: error: field 'as_of' of fact 'convoys-north': '0000' is not a date: the year must have four digits, from 1000 [BG024 bad-date]"),
    Defect("date in words", edit("facts/beta.yaml", "  as_of: 2025-01\n  kind", "  as_of: January 2025\n  kind"),
           "facts/beta.yaml:13:10: error: field 'as_of' of fact 'convoys-north': 'January 2025' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD [BG024 bad-date]"),
    Defect("as_of after publication", edit("facts/beta.yaml", "  as_of: 2025-01\n  kind", "  as_of: 2025-03\n  kind"),
           "facts/beta.yaml:13:10: error: fact 'convoys-north' is as of 2025-03, after source 'blog-two' was published (2025-01) (hint: as_of is the date the information refers to, which a source cannot report before it happens) [BG105 as-of-after-publication]"),
    # References between files.
    Defect("unknown category", edit("facts/beta.yaml", "  kind: fact\n", "  kind: fact\n  category: alpah\n"),
           "facts/beta.yaml:15:13: error: fact 'convoys-north' has unknown category 'alpah'; did you mean 'alpha'? (hint: categories in briefgen.yaml: alpha, beta) [BG032 unknown-category]"),
    Defect("fact file named after no category", rename("facts/alpha.yaml", "facts/alpah.yaml"),
           "facts/alpah.yaml:1:1: error: facts/alpah.yaml is named after no category, so its 2 facts without a category have the unknown category 'alpah'; did you mean 'alpha'? (hint: name fact files after a category in briefgen.yaml: alpha, beta) [BG032 unknown-category]"),
    Defect("unknown source id", edit("facts/beta.yaml", "    - source: blog-two", "    - source: blog-2"),
           "facts/beta.yaml:16:15: error: fact 'convoys-north' cites unknown source 'blog-2'; did you mean 'blog-two'? (hint: register it in seeds/sources.yaml) [BG031 unknown-source]"),
    Defect("duplicate fact id across files", edit("facts/beta.yaml", "- id: convoys-north", "- id: unit-strength-local"),
           "facts/beta.yaml:11:7: error: duplicate fact id 'unit-strength-local' (also at facts/alpha.yaml:14) [BG030 duplicate-id]"),
    Defect("duplicate source id", lambda root: (root / "seeds" / "sources.yaml").write_text(
               (root / "seeds" / "sources.yaml").read_text() + "\n- id: wire-one\n  file: wire-one.txt\n  title: Copy\n  reliability: B\n"),
           "seeds/sources.yaml:20:7: error: duplicate source id 'wire-one' (also at seeds/sources.yaml:1) [BG030 duplicate-id]"),
    # Files missing, empty, binary, not UTF-8, too large.
    Defect("empty fact file", write("facts/beta.yaml", ""),
           "facts/beta.yaml: error: facts/beta.yaml is empty [BG008 file-empty]"),
    Defect("empty sources file", write("seeds/sources.yaml", "\n"),
           "seeds/sources.yaml: error: seeds/sources.yaml is empty [BG008 file-empty]"),
    Defect("empty settings", write("briefgen.yaml", ""),
           "briefgen.yaml: error: briefgen.yaml is empty [BG008 file-empty]"),
    Defect("no sources file", remove("seeds/sources.yaml"),
           "seeds/sources.yaml: error: seeds/sources.yaml does not exist: register the archived articles there [BG005 file-missing]"),
    Defect("archived text missing", remove("seeds/blog-two.txt"),
           "seeds/sources.yaml:11:9: error: seeds/blog-two.txt does not exist [BG005 file-missing]"),
    Defect("archived text empty", write("seeds/blog-two.txt", ""),
           "seeds/sources.yaml:11:9: error: seeds/blog-two.txt is empty [BG008 file-empty]"),
    Defect("archived text binary", write("seeds/blog-two.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
           "seeds/sources.yaml:11:9: error: seeds/blog-two.txt is binary, not text (NUL byte at offset 8) [BG007 file-not-text]"),
    Defect("archived text not UTF-8", write("seeds/blog-two.txt", b"Notes from the front\ncaf\xe9 society\n"),
           "seeds/sources.yaml:11:9: error: seeds/blog-two.txt is not UTF-8: byte 0xe9 at offset 24 cannot be decoded (hint: save the file as UTF-8) [BG007 file-not-text]"),
    Defect("50 MB fact file", huge_file("facts/beta.yaml", 50),
           "facts/beta.yaml: error: facts/beta.yaml is 52,954,300 bytes, more than the limit of 20,000,000 (hint: raise max_input_bytes in briefgen.yaml if the file is genuine) [BG006 file-too-large]"),
    # YAML that must not be trusted.
    Defect("unsafe YAML tag", edit("facts/beta.yaml", "  kind: fact\n", "  kind: !!python/object/apply:os.system ['touch /tmp/pwned']\n"),
           "facts/beta.yaml:14:9: error: the YAML tag !!python/object/apply:os.system is not allowed in a fact base [BG003 unsupported-yaml]"),
    Defect("alias bomb", write("facts/beta.yaml", BOMB),
           "facts/beta.yaml:6:3: error: YAML aliases expand to far more nodes than the file holds (an alias bomb?) (hint: write the data out instead of nesting anchors) [BG004 yaml-too-large]"),
    Defect("merge key", edit("facts/beta.yaml", "  kind: fact\n", "  kind: fact\n  <<: {note: merged}\n"),
           "facts/beta.yaml:15:3: error: YAML merge keys (<<) are not supported: write the fields out [BG003 unsupported-yaml]"),
    Defect("nesting 500 levels deep", edit("facts/beta.yaml", "  kind: fact\n", "  kind: fact\n  note: " + "[" * 500 + "]" * 500 + "\n"),
           "facts/beta.yaml:15:40: error: the data is nested more than 32 levels deep (hint: a fact base needs a few levels) [BG004 yaml-too-large]"),
    Defect("alias that contains itself", edit("facts/beta.yaml", "  kind: fact\n", "  kind: fact\n  note: &loop [*loop]\n"),
           "facts/beta.yaml:15:9: error: a YAML alias refers to a list or mapping that contains it (hint: write the data out instead) [BG004 yaml-too-large]"),
    Defect("400-digit value", edit("facts/beta.yaml", "  value: 220\n", "  value: " + "9" * 400 + "\n"),
           "facts/beta.yaml:3:10: error: the number 999999999999999999999999999999999999999… has more than 15 digits (hint: write the figure as the source gives it) [BG023 bad-value]"),
    Defect("value not a number", edit("facts/beta.yaml", "  value: 220\n", "  value: .nan\n"),
           "facts/beta.yaml:3:10: error: .nan is not a finite number (hint: write the figure as the source gives it) [BG023 bad-value]"),
    Defect("alias bomb in the settings' date", edit("briefgen.yaml", "date: 2025-01-20\n", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
               f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh", strict=True)) + f"date: [{', '.join(['*h'] * 9)}]\n"),
           "briefgen.yaml:8:1: error: YAML aliases expand to far more nodes than the file holds (an alias bomb?) (hint: write the data out instead of nesting anchors) [BG004 yaml-too-large]"),
    # Quotes and numbers.
    Defect("empty quote", edit("facts/beta.yaml", '"The writer saw convoys moving north every night for a week."', '""'),
           "facts/beta.yaml:17:14: error: field 'sources[0].quote' of fact 'convoys-north' is empty [BG023 bad-value]"),
    Defect("quote not in its source", edit("facts/beta.yaml", "The writer saw convoys", "The writer saw trucks"),
           "facts/beta.yaml:17:14: error: quote of fact 'convoys-north' is not in source 'blog-two' (seeds/blog-two.txt); closest passage at seeds/blog-two.txt:3 (91% similar): \"The writer saw convoys moving north every night for a week.\"; quote has 'saw trucks', source has 'saw convoys' [BG101 quote-not-found]"),
    Defect("10,000-word quote not in its source", edit("facts/beta.yaml", '"The writer saw convoys moving north every night for a week."', '"' + "The writer saw convoys " * 2500 + '"'),
           "facts/beta.yaml:17:14: error: quote of fact 'convoys-north' is not in source 'blog-two' (seeds/blog-two.txt); nothing in the source comes close (the first 41 words of the quote compared) [BG101 quote-not-found]"),
    Defect("value not in its quote", edit("facts/beta.yaml", "  value: 220\n", "  value: 221\n"),
           "facts/beta.yaml:3:10: error: value 221 of fact 'rocket-artillery' is in none of its quotes; the quotes say 220 and 240-millimeter [BG102 value-not-in-quote]"),
    Defect("quote cut inside a number", edit("facts/alpha.yaml",
           "  value: 2500\n  unit: soldiers\n  topic: unit-strength\n  as_of: 2025-01\n  sources:\n    - source: blog-two\n"
           "      quote: \"Local sources this month put the unit's strength at 2,500 soldiers\"\n",
           "  value: 500\n  unit: soldiers\n  topic: unit-strength\n  as_of: 2025-01\n  sources:\n    - source: blog-two\n"
           "      quote: \"500 soldiers, well below the official figure\"\n"),
           "facts/alpha.yaml:22:14: error: quote of fact 'unit-strength-local' is not in source 'blog-two' (seeds/blog-two.txt); closest passage at seeds/blog-two.txt:2 (100% similar): \"2,500 soldiers, well below the official figure.\"; quote has '500', source has '2,500' [BG101 quote-not-found]"),
    # Templates.
    Defect("template syntax error", write("templates/briefing.md.j2", "## Findings\n\n{% for f in facts_in('alpha') %}\n{{ claim(f) }}\n"),
           "templates/briefing.md.j2:4: error: template syntax error: Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for'. [BG301 template-syntax]"),
    Defect("unknown fact id in the template", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoy-north') }}\n"),
           "templates/briefing.md.j2:3: error: unknown fact id 'convoy-north'; did you mean 'convoys-north'? [BG302 unknown-fact-id]"),
    Defect("undefined variable", write("templates/briefing.md.j2", "## Findings\n\n{{ finding }}\n"),
           "templates/briefing.md.j2:3: error: undefined: 'finding' is undefined [BG303 undefined-variable]"),
    Defect("missing include", write("templates/briefing.md.j2", "## Findings\n\n{% include 'partials/findings.md.j2' %}\n"),
           "templates/briefing.md.j2:3: error: included template 'partials/findings.md.j2' not found [BG304 template-not-found]"),
    Defect("template not UTF-8", write("templates/briefing.md.j2", b"## Findings\n\ncaf\xe9\n"),
           "templates/briefing.md.j2: error: templates/briefing.md.j2 is not UTF-8: byte 0xe9 at offset 16 cannot be decoded (hint: save the file as UTF-8) [BG007 file-not-text]"),
    Defect("unreadable stylesheet", write("templates/briefing.css", b"body { font-family: \xff; }\n"),
           "templates/briefing.css: error: templates/briefing.css is not UTF-8: byte 0xff at offset 20 cannot be decoded (hint: save the file as UTF-8) [BG007 file-not-text]"),
    # Templates that reach past the sandbox or run without end.
    Defect("template runs a shell command", write("templates/briefing.md.j2", "## Findings\n\n{{ cycler.__init__.__globals__.os.popen('touch ran').read() }}\n"),
           "templates/briefing.md.j2:3: error: template not allowed: access to attribute '__init__' of 'type' object is unsafe (hint: templates may print, loop and call briefgen's helpers; they cannot reach Python's internals or files) [BG306 template-not-allowed]"),
    Defect("template reaches Python's classes", write("templates/briefing.md.j2", "## Findings\n\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n"),
           "templates/briefing.md.j2:3: error: template not allowed: access to attribute '__class__' of 'str' object is unsafe (hint: templates may print, loop and call briefgen's helpers; they cannot reach Python's internals or files) [BG306 template-not-allowed]"),
    Defect("template changes a list", write("templates/briefing.md.j2", "## Findings\n\n{% set seen = [] %}{{ seen.append(1) }}\n"),
           "templates/briefing.md.j2:3: error: template not allowed: access to attribute 'append' of 'list' object is unsafe (hint: templates may print, loop and call briefgen's helpers; they cannot reach Python's internals or files) [BG306 template-not-allowed]"),
    Defect("template loops a billion times", write("templates/briefing.md.j2", "## Findings\n\n{% for i in range(10**9) %}x{% endfor %}\n"),
           "templates/briefing.md.j2:3: error: template not allowed: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000) (hint: templates may print, loop and call briefgen's helpers; they cannot reach Python's internals or files) [BG306 template-not-allowed]"),
    Defect("template builds a huge string", write("templates/briefing.md.j2", "## Findings\n\n{{ 'x' * 10**9 }}\n"),
           "templates/briefing.md.j2:3: error: template not allowed: repeating str 1000000000 times makes more than a briefing can print (hint: templates may print, loop and call briefgen's helpers; they cannot reach Python's internals or files) [BG306 template-not-allowed]"),
    Defect("template computes a huge number", write("templates/briefing.md.j2", "## Findings\n\n{{ 9 ** 999999 }}\n"),
           "templates/briefing.md.j2:3: error: template not allowed: 9 ** 999999 is a number too large to print (hint: templates may print, loop and call briefgen's helpers; they cannot reach Python's internals or files) [BG306 template-not-allowed]"),
    Defect("recursive macro", write("templates/briefing.md.j2", "## Findings\n\n{% macro again(n) %}{{ again(n) }}{% endmacro %}\n{{ again(1) }}\n"),
           "templates/briefing.md.j2:3: error: template stopped: a macro or include calls itself without end [BG307 template-stopped]"),
    Defect("template prints without end", write("templates/briefing.md.j2", "## Findings\n\n{% for i in range(99999) %}{% for j in range(9999) %}xxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}\n"),
           "templates/briefing.md.j2: error: template stopped: its output passed 20,000,000 characters [BG307 template-stopped]"),
    Defect("page template runs a shell command", write("templates/page.html.j2", "<p>{{ cycler.__init__.__globals__.os.popen('touch ran').read() }}</p>\n"),
           "templates/page.html.j2:1: error: template not allowed: access to attribute '__init__' of 'type' object is unsafe (hint: templates may print, loop and call briefgen's helpers; they cannot reach Python's internals or files) [BG306 template-not-allowed]"),
    # Files that lead out of the project, or are not files.
    Defect("archived text links outside the project", symlink("seeds/blog-two.txt", "/etc/passwd"),
           "seeds/sources.yaml:11:9: error: seeds/blog-two.txt is a symlink to /etc/passwd, outside the project (hint: copy the file into the project instead of linking to it) [BG009 file-not-allowed]"),
    Defect("archived text links to a device", symlink("seeds/blog-two.txt", "/dev/zero"),
           "seeds/sources.yaml:11:9: error: seeds/blog-two.txt is a symlink to /dev/zero, outside the project (hint: copy the file into the project instead of linking to it) [BG009 file-not-allowed]"),
    Defect("archived text is a FIFO", fifo("seeds/blog-two.txt"),
           "seeds/sources.yaml:11:9: error: seeds/blog-two.txt is a FIFO (named pipe), not a regular file (hint: a project file must be a regular file) [BG009 file-not-allowed]"),
    Defect("fact file links outside the project", symlink("facts/beta.yaml", "/etc/passwd"),
           "facts/beta.yaml: error: facts/beta.yaml is a symlink to /etc/passwd, outside the project (hint: copy the file into the project instead of linking to it) [BG009 file-not-allowed]"),
    Defect("sources file is a FIFO", fifo("seeds/sources.yaml"),
           "seeds/sources.yaml: error: seeds/sources.yaml is a FIFO (named pipe), not a regular file (hint: a project file must be a regular file) [BG009 file-not-allowed]"),
    Defect("settings link outside the project", symlink("briefgen.yaml", "/etc/passwd"),
           "briefgen.yaml: error: briefgen.yaml is a symlink to /etc/passwd, outside the project (hint: copy the file into the project instead of linking to it) [BG009 file-not-allowed]"),
    Defect("template links outside the project", symlink("templates/briefing.md.j2", "/etc/passwd"),
           "templates/briefing.md.j2: error: templates/briefing.md.j2 is a symlink to /etc/passwd, outside the project (hint: copy the file into the project instead of linking to it) [BG009 file-not-allowed]"),
    Defect("template is a FIFO", fifo("templates/briefing.md.j2"),
           "templates/briefing.md.j2: error: templates/briefing.md.j2 is a FIFO (named pipe), not a regular file (hint: a project file must be a regular file) [BG009 file-not-allowed]"),
    # Resources the briefing may not load.
    Defect("script in the template", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoys-north') }}\n\n<script>new Image().src = 'https://tracker.example/a.png'</script>\n"),
           "templates/briefing.md.j2:5:1: error: the briefing has a <script> element, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("event handler in the template", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoys-north') }} <img src=\"map.png\" onerror=\"fetch('https://tracker.example/')\">\n"),
           "templates/briefing.md.j2:3:49: error: the briefing has an attribute onerror=\"fetch('https://tracker.example/')\" on <img>, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("stylesheet imports without a space", write("templates/briefing.css", "@import\"https://tracker.example/b.css\";\nbody { color: black; }\n"),
           "templates/briefing.css:1:1: error: the briefing refers to 'https://tracker.example/b.css', which is not a file inside the project; nothing was fetched (hint: templates and stylesheets may load only images and fonts inside the project, and data: URLs) [BG402 blocked-resource]"),
    Defect("stylesheet url() spelled with an escape", write("templates/briefing.css", "body {\n  background: u\\72l(https://tracker.example/c.png);\n}\n"),
           "templates/briefing.css:2:15: error: the briefing refers to 'https://tracker.example/c.png', which is not a file inside the project; nothing was fetched (hint: templates and stylesheets may load only images and fonts inside the project, and data: URLs) [BG402 blocked-resource]"),
    Defect("stylesheet image-set()", write("templates/briefing.css", "body { background-image: image-set(\"https://tracker.example/d.png\" 1x); }\n"),
           "templates/briefing.css:1:36: error: the briefing refers to 'https://tracker.example/d.png', which is not a file inside the project; nothing was fetched (hint: templates and stylesheets may load only images and fonts inside the project, and data: URLs) [BG402 blocked-resource]"),
    Defect("page template preconnects", write("templates/page.html.j2", "<!DOCTYPE html>\n<title>{{ title }}</title>\n<link rel=\"preconnect\" href=\"https://tracker.example\">\n{{ body }}\n"),
           "templates/page.html.j2:3:1: error: the briefing has a <link rel=\"preconnect\"> element, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("page template preloads a module", write("templates/page.html.j2", "<!DOCTYPE html>\n<title>{{ title }}</title>\n<link rel=\"modulepreload\" href=\"https://tracker.example/e.js\">\n{{ body }}\n"),
           "templates/page.html.j2:3:1: error: the briefing has a <link rel=\"modulepreload\"> element, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("page template refreshes to a URL", write("templates/page.html.j2", "<!DOCTYPE html>\n<title>{{ title }}</title>\n<meta http-equiv=\"refresh\" content=\"0; url=https://tracker.example/\">\n{{ body }}\n"),
           "templates/page.html.j2:3:7: error: the briefing has an attribute http-equiv='refresh' on <meta>, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("page template sets a base URL", write("templates/page.html.j2", "<!DOCTYPE html>\n<title>{{ title }}</title>\n<base href=\"https://tracker.example/\">\n{{ body }}\n"),
           "templates/page.html.j2:3:1: error: the briefing has a <base> element, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("page template declares another encoding", write("templates/page.html.j2", "<!DOCTYPE html>\n<meta charset=\"iso-2022-jp\">\n<title>{{ title }}</title>\n{{ body }}\n"),
           "templates/page.html.j2:2:7: error: the briefing has a <meta charset=\"iso-2022-jp\">, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("frame with an inline document", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoys-north') }}\n\n<iframe srcdoc=\"<img src='https://tracker.example/f.png'>\"></iframe>\n"),
           "templates/briefing.md.j2:5:1: error: the briefing has an <iframe> element, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("table background", write("templates/briefing.md.j2", "## Findings\n\n<table background=\"https://tracker.example/g.png\"><tr><td>{{ claim('convoys-north') }}</td></tr></table>\n"),
           "templates/briefing.md.j2:3:8: error: the briefing has an attribute background='https://tracker.example/g.png' on <table>, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("SVG script", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoys-north') }}\n\n<svg><script href=\"https://tracker.example/h.js\"></script></svg>\n"),
           "templates/briefing.md.j2:5:1: error: the briefing has a <svg> element, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("attachment of the project's .env", write("templates/page.html.j2", "<!DOCTYPE html>\n<title>{{ title }}</title>\n<link rel=\"attachment\" href=\".env\">\n{{ body }}\n"),
           "templates/page.html.j2:3:1: error: the briefing has a <link rel=\"attachment\"> element, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("attachment link to .git/config", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoys-north') }} <a rel=\"attachment\" href=\".git/config\">config</a>\n"),
           "templates/briefing.md.j2:3:33: error: the briefing has an attribute rel='attachment' on <a>, which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    Defect("image of a hidden file", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoys-north') }}\n\n![keys](.env)\n"),
           "templates/briefing.md.j2:5:9: error: the briefing refers to '.env', a hidden file; nothing was fetched (hint: templates and stylesheets may load only images and fonts inside the project, and data: URLs) [BG402 blocked-resource]"),
    Defect("image of a fact file", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoys-north') }}\n\n<img src=\"facts/alpha.yaml\" alt=\"\">\n"),
           "templates/briefing.md.j2:5:11: error: the briefing refers to 'facts/alpha.yaml', a file that is neither an image nor a font; nothing was fetched (hint: templates and stylesheets may load only images and fonts inside the project, and data: URLs) [BG402 blocked-resource]"),
    Defect("javascript: link", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoys-north') }} [more](javascript:alert(1))\n"),
           "templates/briefing.md.j2:3:37: error: the briefing has a link to 'javascript:alert(1)', which briefgen does not write (hint: a page may hold text, headings, lists, tables, images, and links to web pages, e-mail addresses and pages beside it: no scripts, frames, event handlers, <link>, <base> or <meta http-equiv>) [BG405 markup-not-allowed]"),
    # Text that must not reach a terminal or log raw.
    Defect("workflow command in a YAML key", edit("facts/beta.yaml", "  kind: fact\n", '  "kind\\n::error::pwned": fact\n'),
           "facts/beta.yaml:14:3: error: unknown field 'kind\\n::error::pwned' in fact 'convoys-north' [BG020 unknown-field]"),
    Defect("line break in a claim", edit("facts/beta.yaml", "  claim: Convoys were seen moving north every night for a week.\n",
                                         '  claim: "Convoys were seen moving north.\\n::add-mask::secret"\n'),
           "facts/beta.yaml:12:10: error: field 'claim' of fact 'convoys-north': contains a control character (\\n) at position 32; write the field on one line [BG023 bad-value]"),
    Defect("terminal escape in a claim", edit("facts/beta.yaml", "  claim: Convoys were seen moving north every night for a week.\n",
                                              '  claim: "Convoys \\e[2Jwere seen moving north every night for a week."\n'),
           "facts/beta.yaml:12:10: error: field 'claim' of fact 'convoys-north': contains a control character (\\x1b) at position 9; remove it [BG023 bad-value]"),
    Defect("line separator in a claim", edit("facts/beta.yaml", "  claim: Convoys were seen moving north every night for a week.\n",
                                             '  claim: "Convoys were seen\\Lmoving north every night for a week."\n'),
           "facts/beta.yaml:12:10: error: field 'claim' of fact 'convoys-north': contains a control character (\\u2028) at position 18; write the field on one line [BG023 bad-value]"),
    Defect("hyperlink escape in a quote", edit("facts/beta.yaml", '"The writer saw convoys', '"The writer saw \\e]8;;https://evil.example/\\e\\\\convoys'),
           "facts/beta.yaml:17:14: error: field 'sources[0].quote' of fact 'convoys-north': contains a control character (\\x1b) at position 16; remove it [BG023 bad-value]"),
    Defect("bell in an attribution", edit("facts/alpha.yaml", "      attribution: local sources\n", '      attribution: "local\\a sources"\n'),
           "facts/alpha.yaml:23:20: error: field 'sources[0].attribution' of fact 'unit-strength-local': contains a control character (\\x07) at position 6; remove it [BG023 bad-value]"),
    Defect("C1 control in a note", edit("facts/alpha.yaml", "  note: Lower than the ministry's figure; see the ministry's note.\n",
                                        "  note: \"\\x9b31mLower than the ministry's figure.\"\n"),
           "facts/alpha.yaml:24:9: error: field 'note' of fact 'unit-strength-local': contains a control character (\\x9b) at position 1; remove it [BG023 bad-value]"),
    Defect("bidirectional override in a title", edit("seeds/sources.yaml", '  title: "Notes from the front"', '  title: "Notes from the \\u202etnorf"'),
           "seeds/sources.yaml:12:10: error: field 'title' of source 'blog-two': contains a control character (\\u202e) at position 16; remove it [BG023 bad-value]"),
    Defect("backspace in a publisher", edit("seeds/sources.yaml", "  publisher: Example Wire", '  publisher: "Example\\b\\b\\b\\bWire"'),
           "seeds/sources.yaml:4:14: error: field 'publisher' of source 'wire-one': contains a control character (\\x08) at position 8; remove it [BG023 bad-value]"),
    Defect("terminal escapes in an archived text", edit("seeds/blog-two.txt", "The writer saw convoys", "The writer \x1b[2J\x1b]8;;https://evil.example/\x07saw convoys"),
           "facts/beta.yaml:17:14: error: quote of fact 'convoys-north' is not in source 'blog-two' (seeds/blog-two.txt); closest passage at seeds/blog-two.txt:3 (90% similar): \"The writer \\x1b[2J\\x1b]8;;https://evil.example/\\x07saw convoys moving north every night for a week.\"; quote has 'writer saw', source has 'writer \\x1b[2j\\x1b]8;;https://evil.example/\\x07saw' [BG101 quote-not-found]"),
    Defect("helper given text for a number", write("templates/briefing.md.j2", "## Findings\n\n{{ number('abc') }}\n"),
           "templates/briefing.md.j2:3: error: number(): value must be a number, got text ('abc') [BG305 template-error]"),
    Defect("helper given a list for a topic", write("templates/briefing.md.j2", "## Findings\n\n{% for f in series(['unit-strength']) %}{{ claim(f) }}{% endfor %}\n"),
           "templates/briefing.md.j2:3: error: series(): topic must be text, got a list [BG305 template-error]"),
    Defect("helper given too many arguments", write("templates/briefing.md.j2", "## Findings\n\n{{ claim('convoys-north', 'rocket-artillery') }}\n"),
           "templates/briefing.md.j2:3: error: claim(): too many positional arguments [BG305 template-error]"),
    Defect("filter given the wrong kind of value", write("templates/briefing.md.j2", "## Findings\n\n{{ 'many' | round }}\n"),
           "templates/briefing.md.j2:3: error: template error: type str doesn't define __round__ method [BG305 template-error]"),
    # Where the briefing goes.
    Defect("output folder is a file", write("blocked", "a file where the output folder should be"),
           "blocked/out: error: cannot write to the output folder blocked/out: Not a directory (hint: choose another folder with --output) [BG401 output-not-writable]", ("--output", "blocked/out")),
]


def _review() -> None:
    """Print what `briefgen build` says for each defect today."""
    import shutil
    import subprocess
    import sys
    import tempfile

    fixture = Path(__file__).parent / "fixtures" / "tiny"
    for defect in DEFECTS:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "tiny"
            shutil.copytree(fixture, root)
            defect.setup(root)
            result = subprocess.run(
                [sys.executable, "-m", "briefgen", "build", "--format", "md", *defect.args],
                cwd=root, capture_output=True, text=True, check=False,
            )
            lines = [line for line in result.stderr.splitlines() if not line.startswith("briefgen: ") or "error" in line]
            mark = "" if lines == [defect.message] else "  <-- differs"
            print(f"{defect.name} (exit {result.returncode}){mark}")
            for line in lines:
                print(f"    {line}")


if __name__ == "__main__":
    _review()
