"""Loading: every problem in the project files is reported, all at once, at its file:line:col."""

from __future__ import annotations

from pathlib import Path

from briefgen.diagnostics import Diagnostic, format_text
from briefgen.loading import load_project, parse_yaml
from conftest import ProjectDir


def problems(root: Path) -> list[str]:
    project, diags = load_project(root)
    return [format_text(d) for d in diags]


def only(root: Path) -> Diagnostic:
    _, diags = load_project(root)
    assert len(diags) == 1, [format_text(d) for d in diags]
    return diags[0]


def test_the_tiny_project_loads_cleanly(tiny: ProjectDir) -> None:
    project, diags = load_project(tiny.root)
    assert diags == []
    assert project is not None
    assert list(project.facts) == ["unit-strength-official", "unit-strength-local", "rocket-artillery", "convoys-north"]
    assert project.facts["rocket-artillery"].category == "beta"  # taken from the file name
    assert project.where("fact", "rocket-artillery", "sources", 0, "quote") == {"path": "facts/beta.yaml", "line": 9, "column": 14}


def test_yaml_syntax_error_names_line_and_column(tiny: ProjectDir) -> None:
    tiny.replace("facts/alpha.yaml", "  value: 3000\n", "  value: [3000\n")
    d = only(tiny.root)
    assert d.code == "BG001"
    # libyaml notices the missing ']' on the next line; the message says where the list began.
    assert format_text(d) == (
        "facts/alpha.yaml:4:7: error: YAML syntax error: did not find expected ',' or ']' "
        "while parsing a flow sequence that starts at line 3 "
        "(hint: check the indentation and quoting around here) [BG001 yaml-syntax]"
    )


def test_tab_indentation_gets_a_hint(tiny: ProjectDir) -> None:
    tiny.write("facts/alpha.yaml", "- id: x\n\tclaim: y\n")
    d = only(tiny.root)
    assert (d.path, d.line, d.code) == ("facts/alpha.yaml", 2, "BG001")
    assert d.hint == "indent with spaces, not tabs"


def test_duplicate_key_is_an_error_not_silently_the_last(tiny: ProjectDir) -> None:
    tiny.replace("facts/alpha.yaml", "  value: 3000\n", "  value: 3000\n  value: 4000\n")
    d = only(tiny.root)
    assert format_text(d) == (
        "facts/alpha.yaml:4:3: error: duplicate key 'value' (first at line 3); "
        "YAML would silently keep only the last [BG002 duplicate-key]"
    )


def test_unknown_field_suggests_the_right_name(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "      quote: \"received", "      qoute: \"received")
    # One mistake, one message: the misspelled field is not also reported as missing.
    assert problems(tiny.root) == [
        "facts/beta.yaml:9:7: error: unknown field 'sources[0].qoute' in fact 'rocket-artillery'; did you mean 'quote'? [BG020 unknown-field]",
    ]


def test_all_problems_of_a_run_are_reported_together(tiny: ProjectDir) -> None:
    tiny.replace("facts/alpha.yaml", "  qualifier: about\n", "  qualifier: approx\n")
    tiny.replace("facts/alpha.yaml", "  as_of: 2025-01\n  sources:\n    - source: blog-two", "  as_of: 2025-13\n  sources:\n    - source: blog-tw")
    tiny.replace("facts/beta.yaml", "  value: 220\n", "  value: lots\n")
    tiny.replace("seeds/sources.yaml", "  reliability: B\n", "  reliability: G\n")
    assert problems(tiny.root) == [
        "seeds/sources.yaml:7:16: error: field 'reliability' of source 'wire-one' must be one of A, B, C, D, E, F; got 'G' [BG023 bad-value]",
        "facts/alpha.yaml:5:14: error: field 'qualifier' of fact 'unit-strength-official' must be one of exact, about, nearly, less-than, at-least, more-than, up-to; got 'approx' [BG023 bad-value]",
        "facts/alpha.yaml:19:10: error: field 'as_of' of fact 'unit-strength-local': '2025-13' is not a date: month 13 does not exist [BG024 bad-date]",
        "facts/beta.yaml:3:10: error: field 'value' of fact 'rocket-artillery' must be a number, got text ('lots') [BG022 wrong-type]",
    ]


def test_unknown_source_and_category_suggest_close_names(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "    - source: blog-two", "    - source: blog-to")
    tiny.replace("facts/beta.yaml", "  kind: fact\n", "  kind: fact\n  category: alpah\n")
    assert problems(tiny.root) == [
        "facts/beta.yaml:15:13: error: fact 'convoys-north' has unknown category 'alpah'; did you mean 'alpha'? "
        "(hint: categories in briefgen.yaml: alpha, beta) [BG032 unknown-category]",
        "facts/beta.yaml:17:15: error: fact 'convoys-north' cites unknown source 'blog-to'; did you mean 'blog-two'? "
        "(hint: register it in seeds/sources.yaml) [BG031 unknown-source]",
    ]


def test_duplicate_fact_id_across_files_names_both_places(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "- id: convoys-north", "- id: unit-strength-local")
    d = only(tiny.root)
    assert format_text(d) == (
        "facts/beta.yaml:11:7: error: duplicate fact id 'unit-strength-local' (also at facts/alpha.yaml:14) [BG030 duplicate-id]"
    )


def test_bad_id_explains_the_id_rules(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "- id: convoys-north", "- id: Convoys North")
    d = only(tiny.root)
    assert d.message == "'Convoys North' is not a valid fact id"
    assert d.hint == "use lower-case letters, digits and single hyphens, e.g. 'nk-troops-2025'"


def test_mapping_where_a_list_is_expected(tiny: ProjectDir) -> None:
    tiny.write("facts/beta.yaml", "id: convoys-north\nclaim: Convoys.\n")
    d = only(tiny.root)
    assert format_text(d) == (
        "facts/beta.yaml:1:1: error: facts/beta.yaml must be a list of facts, got a mapping "
        "(hint: start each item with '- ') [BG010 wrong-shape]"
    )


def test_empty_fact_file_is_an_error(tiny: ProjectDir) -> None:
    tiny.write("facts/beta.yaml", "\n   \n")
    assert format_text(only(tiny.root)) == "facts/beta.yaml: error: facts/beta.yaml is empty [BG008 file-empty]"


def test_a_missing_sources_file_is_an_error_a_missing_facts_folder_is_a_new_project(tiny: ProjectDir) -> None:
    for p in (tiny.root / "facts").iterdir():
        p.unlink()
    (tiny.root / "facts").rmdir()  # git keeps no empty folder: a new project's clone has none
    (tiny.root / "seeds" / "sources.yaml").unlink()
    assert problems(tiny.root) == [
        "seeds/sources.yaml: error: seeds/sources.yaml does not exist: register the archived articles there [BG005 file-missing]",
    ]


def test_a_file_of_nothing_but_comments_is_an_empty_list(tiny: ProjectDir) -> None:
    tiny.write("judgments.yaml", "# No judgments yet.\n")
    tiny.write("facts/beta.yaml", "# Facts to come.\n")
    project, diagnostics = load_project(tiny.root)
    assert [d.message for d in diagnostics if d.level == "error"] == []
    assert sorted(project.facts) == ["unit-strength-local", "unit-strength-official"]
    assert project.judgments == {}


def test_not_a_project_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    d = [d for d in load_project(tmp_path)[1] if d.path == "briefgen.yaml"][0]
    assert d.message == "briefgen.yaml does not exist: this folder is not a briefgen project"


def test_source_text_not_utf8_says_which_byte(tiny: ProjectDir) -> None:
    (tiny.root / "seeds" / "blog-two.txt").write_bytes(b"Notes from the front\ncaf\xe9 society\n")
    d = only(tiny.root)
    assert format_text(d) == (
        "seeds/sources.yaml:11:9: error: seeds/blog-two.txt is not UTF-8: byte 0xe9 at offset 24 cannot be decoded "
        "(hint: save the file as UTF-8) [BG007 file-not-text]"
    )


def test_binary_source_text(tiny: ProjectDir) -> None:
    (tiny.root / "seeds" / "blog-two.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert only(tiny.root).message == "seeds/blog-two.txt is binary, not text (NUL byte at offset 8)"


def test_missing_source_text_is_reported_at_its_registration(tiny: ProjectDir) -> None:
    (tiny.root / "seeds" / "blog-two.txt").unlink()
    assert format_text(only(tiny.root)) == (
        "seeds/sources.yaml:11:9: error: seeds/blog-two.txt does not exist [BG005 file-missing]"
    )


def test_oversized_file_is_refused_before_it_is_read(tiny: ProjectDir) -> None:
    tiny.replace("briefgen.yaml", "stale_after_days: 365\n", "stale_after_days: 365\nmax_input_bytes: 2000\n")
    tiny.write("facts/beta.yaml", "# padding\n" * 300)
    d = only(tiny.root)
    assert d.code == "BG006"
    assert d.message == "facts/beta.yaml is 3,000 bytes, more than the limit of 2,000"


def test_unsafe_yaml_tags_are_refused() -> None:
    text = "- !!python/object/apply:os.system ['echo pwned']\n"
    try:
        parse_yaml(text, "facts/x.yaml")
    except Exception as exc:  # YamlProblem
        assert exc.diag.code == "BG003"  # type: ignore[attr-defined]
        assert exc.diag.line == 1  # type: ignore[attr-defined]
        assert "!!python/object/apply:os.system" in exc.diag.message  # type: ignore[attr-defined]
    else:
        raise AssertionError("an unsafe tag was accepted")


def test_alias_bomb_is_stopped_early() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    try:
        parse_yaml("\n".join(lines) + "\n", "facts/bomb.yaml")
    except Exception as exc:
        assert exc.diag.code == "BG004"  # type: ignore[attr-defined]
    else:
        raise AssertionError("the alias bomb was expanded")


def test_dates_stay_as_written() -> None:
    doc = parse_yaml("a: 2025-03-27\nb: 2025-03\nc: 2025\n", "x.yaml")
    assert doc.data == {"a": "2025-03-27", "b": "2025-03", "c": 2025}
