"""Judgments as data: judgments.yaml is loaded and checked like facts, printed only with the calls of its
evidence, and held to a confidence policy counted in independent origins."""

from __future__ import annotations

import json

from conftest import ProjectDir, run

JUDGMENT = """- id: unit-growing
  statement: The unit is growing.
  confidence: {confidence}
  rests_on: [unit-strength-official, unit-strength-local]
{extra}"""


def judgments(project: ProjectDir, confidence: str = "moderate", extra: str = "") -> None:
    project.write("judgments.yaml", JUDGMENT.format(confidence=confidence, extra=extra))
    project.write("templates/briefing.md.j2", "## Judgments\n\n{% import 'macros.md.j2' as b %}{{ b.key_judgments() }}\n"
                  "{{ claim('rocket-artillery') }} {{ claim('convoys-north') }}\n")


def lines(code: str, *args: str) -> list[str]:
    result = run("check", *args)
    assert "Traceback" not in result.output
    return [line for line in result.stdout.splitlines() if f"[{code} " in line]


def test_a_judgment_prints_its_statement_confidence_and_the_calls_of_its_evidence(tiny: ProjectDir) -> None:
    judgments(tiny, "low", "  likelihood: likely\n")
    assert run("build", "--format", "md").exit_code == 0
    text = tiny.read("output/briefing.md")
    assert "1. **The unit is growing.**\\[1]\\[2] *Low confidence; likely (55–80%).*" in text
    assert "\n1. Example Wire, “Ministry says the unit grew”, 10 January 2025, <https://example.org/news/one>: “the unit " \
        "now numbers ‘about 3,000 soldiers’ after a winter of recruitment” (citing the ministry)." in text


def test_a_judgment_cannot_be_printed_without_its_evidence(tiny: ProjectDir) -> None:
    judgments(tiny, "low")
    tiny.write("templates/briefing.md.j2", "{% for j in judgments() %}{{ j.statement }}{% endfor %}\n")
    result = run("check")
    assert ("templates/briefing.md.j2:1: error: judgment 'unit-growing': print it with judgment(...) so it carries its "
            "evidence [BG305 template-error]") in result.stdout


def test_a_judgment_resting_on_an_unknown_fact_is_located_with_the_closest_id(tiny: ProjectDir) -> None:
    tiny.write("judgments.yaml", "- id: unit-growing\n  statement: The unit is growing.\n  confidence: low\n"
               "  rests_on: [unit-strength-oficial]\n")
    assert lines("BG034") == [
        "judgments.yaml:4:14: error: judgment 'unit-growing' rests on unknown fact 'unit-strength-oficial'; did you mean "
        "'unit-strength-official'? (hint: rests_on lists fact ids from facts/) [BG034 unknown-fact]"
    ]


def test_a_likelihood_off_the_scale_and_a_misspelt_field_are_located(tiny: ProjectDir) -> None:
    judgments(tiny, "low", "  likelihood: probable\n  rationle: typo\n")
    out = run("check").stdout
    assert ("judgments.yaml:5:15: error: field 'likelihood' of judgment 'unit-growing' must be one of almost no chance, "
            "very unlikely, unlikely, roughly even chance, likely, very likely, almost certain; got 'probable' "
            "[BG023 bad-value]") in out
    assert ("judgments.yaml:6:3: error: unknown field 'rationle' in judgment 'unit-growing'; did you mean 'rationale'? "
            "[BG020 unknown-field]") in out


def test_confidence_above_its_evidence_is_a_warning_unless_a_rationale_says_why(tiny: ProjectDir) -> None:
    judgments(tiny, "high")
    assert lines("BG209") == [
        "judgments.yaml:3:15: warning: judgment 'unit-growing' is high confidence, but its evidence allows low: its "
        "best-corroborated fact ('unit-strength-official') has 1 independent origin (the ministry), and its sources are "
        "graded B, F; high needs 2 origins and a source graded A/B/C (hint: lower the confidence, rest it on "
        "corroborated facts, or say why in rationale) [BG209 confidence-above-evidence]"
    ]
    judgments(tiny, "low")
    assert lines("BG209") == []
    judgments(tiny, "high", "  rationale: The ministry counts its own soldiers.\n")
    assert lines("BG209") == []


def test_a_desk_sets_its_own_policy(tiny: ProjectDir) -> None:
    judgments(tiny, "high")
    tiny.replace("briefgen.yaml", "stale_after_days", "confidence_policy:\n  high: {origins: 1, grades: [A, B]}\nstale_after_days")
    assert lines("BG209") == []


def test_three_relays_of_one_statement_count_as_one_origin(tiny: ProjectDir) -> None:
    for name in ("relay-a", "relay-b", "relay-c"):
        tiny.write(f"seeds/{name}.txt", "The unit now numbers about 3,000 soldiers, the ministry said.\n")
        tiny.write("seeds/sources.yaml", tiny.read("seeds/sources.yaml") + f"\n- id: {name}\n  file: {name}.txt\n"
                   f"  title: Relay\n  publisher: null\n  url: null\n  published: 2025-01-12\n  reliability: F\n")
    citations = "".join(
        f"    - source: {name}\n      quote: \"The unit now numbers about 3,000 soldiers\"\n      attribution: {who}\n"
        for name, who in (("relay-a", "the ministry"), ("relay-b", "The Ministry, via Example Wire"), ("relay-c", "RELAY-C"))
    )
    tiny.replace("facts/alpha.yaml", "      attribution: the ministry\n", "      attribution: the ministry\n" + citations)
    judgments(tiny, "high")
    tiny.replace("facts/alpha.yaml", "RELAY-C", "the Ministry")
    (line,) = lines("BG209")  # four articles, one origin
    assert "its best-corroborated fact ('unit-strength-official') has 1 independent origin (the ministry)" in line
    # Worded otherwise, the same origin is named with `origin`: still one.
    tiny.replace("facts/alpha.yaml", "attribution: the Ministry\n", "attribution: a government spokesman\n      origin: the ministry\n")
    assert len(lines("BG209")) == 1
    # A second origin, with a source graded B, allows high confidence.
    tiny.replace("facts/alpha.yaml", "      origin: the ministry\n", "")
    assert lines("BG209") == []


def test_the_source_summary_counts_independent_origins(tiny: ProjectDir) -> None:
    tiny.write("templates/briefing.md.j2", "{% import 'macros.md.j2' as b %}{{ b.source_summary() }}"
               "{% for f in facts_in('alpha') + facts_in('beta') %}{{ cite(f) }}{% endfor %}\n")
    tiny.write("seeds/relay.txt", "The unit now numbers about 3,000 soldiers, the ministry said.\n")
    tiny.write("seeds/sources.yaml", tiny.read("seeds/sources.yaml") + "\n- id: relay\n  file: relay.txt\n  title: Relay\n"
               "  publisher: null\n  url: null\n  published: 2025-01-12\n  reliability: F\n")
    relay = "    - source: relay\n      quote: \"The unit now numbers about 3,000 soldiers\"\n      attribution: {}\n"
    tiny.replace("facts/alpha.yaml", "      attribution: the ministry\n", "      attribution: the ministry\n" + relay.format("the ministry"))
    assert run("build", "--format", "md").exit_code == 0
    assert ("Reported by two or more articles: 1 fact; by two or more independent origins: 0 facts (articles relaying "
            "one statement count once). 4 facts rest on a single origin.") in tiny.read("output/briefing.md")
    tiny.replace("facts/alpha.yaml", "attribution: the ministry\n  note:", "attribution: a defence attaché\n  note:")
    assert run("build", "--format", "md").exit_code == 0
    assert "by two or more independent origins: 1 fact" in tiny.read("output/briefing.md")


def test_judgments_are_checked_for_being_printed_and_sources_for_their_grade(tiny: ProjectDir) -> None:
    judgments(tiny, "low")
    tiny.write("templates/briefing.md.j2", "{{ claim('rocket-artillery') }} {{ claim('convoys-north') }} "
               "{{ claim('unit-strength-official') }} {{ claim('unit-strength-local') }}\n")
    assert lines("BG210") == [
        "judgments.yaml:1:7: warning: judgment 'unit-growing' is printed by no briefing (hint: print it with judgment() "
        "or judgments(), or remove it) [BG210 uncited-judgment]"
    ]
    tiny.replace("seeds/sources.yaml", "  reliability_note: A wire service with a long record.\n", "")
    assert lines("BG211") == [
        "seeds/sources.yaml:7:16: warning: source 'wire-one' is graded B without a reliability_note saying why "
        "(hint: say what the grade rests on (track record, access, corroboration), or grade it F) "
        "[BG211 reliability-unexplained]"
    ]


def test_judgments_are_in_the_json_schema_and_the_json_report(tiny: ProjectDir) -> None:
    judgments(tiny, "high")
    doc = json.loads(run("check", "--format", "json").stdout)
    assert [d["code"] for d in doc["diagnostics"]] == ["BG209"]
