"""Impact analysis: which facts rest on a source, and what discrediting it would take out of the briefing."""

from __future__ import annotations

import json

from conftest import ProjectDir, run


def test_sources_lists_each_source_with_its_facts(tiny: ProjectDir) -> None:
    result = run("sources")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "blog-two  (reliability F)",
        "  Publisher not stated, “Notes from the front”, January 2025 (date inferred)",
        "  2 facts, 2 resting on this source alone:",
        "    unit-strength-local  only this source",
        "    convoys-north        only this source",
        "",
        "wire-one  (reliability B)",
        "  Example Wire, “Ministry says the unit grew”, 10 January 2025, <https://example.org/news/one>",
        "  2 facts, 2 resting on this source alone:",
        "    unit-strength-official  only this source",
        "    rocket-artillery        only this source",
        "",
    ]


def test_impact_names_orphaned_facts_and_sections(tiny: ProjectDir) -> None:
    # Give one fact a second source, so that it survives.
    tiny.replace(
        "facts/beta.yaml",
        '      quote: "The writer saw convoys moving north every night for a week."\n',
        '      quote: "The writer saw convoys moving north every night for a week."\n'
        '    - source: wire-one\n      quote: "the first such delivery since the agreement was signed in June"\n',
    )
    result = run("impact", "blog-two")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "If blog-two were discredited:",
        "  Publisher not stated, “Notes from the front”, January 2025 (date inferred)",
        "",
        "2 facts cite it; 1 would be left with no source:",
        "  unit-strength-local (alpha)",
        "1 would still rest on other sources:",
        "  convoys-north (beta): wire-one",
        "",
        "Briefing sections that cite these facts:",
        "  Alpha things: unit-strength-local",
        "  Beta things: convoys-north",
        "  Timeline: convoys-north, unit-strength-local",
        "  Where sources disagree › Unit strength: unit-strength-local",
    ]
    doc = json.loads(run("impact", "blog-two", "--format", "json").stdout)
    assert doc["left_without_source"] == ["unit-strength-local"]
    assert doc["still_backed_by"] == {"convoys-north": ["wire-one"]}
    assert list(doc["sections"]) == ["Alpha things", "Beta things", "Timeline", "Where sources disagree › Unit strength"]


def test_impact_of_an_unknown_source_is_a_usage_error(tiny: ProjectDir) -> None:
    result = run("impact", "blog-2")
    assert result.exit_code == 2
    assert "no source 'blog-2'; did you mean 'blog-two'?" in result.stderr


def test_impact_refuses_a_broken_project(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "  value: 220\n", "  value: 221\n")
    result = run("impact", "blog-two")
    assert result.exit_code == 1
    assert result.stderr.startswith("facts/beta.yaml:3:10: error: value 221 of fact 'rocket-artillery'")
