"""`check` reads a claim against its quotes' wording: numbers in context (names, dates, units), qualifiers,
hedges, quotes that leave words out; and the briefing date and topics that cannot be right. Each rule has a
case that warns, with its exact line, and one that does not."""

from __future__ import annotations

import json

import pytest

from briefgen import wording
from conftest import ProjectDir, run

ARTICLE = """Night raids
Russia launched 40 Shahed-136 drones overnight, officials said on March 27. The column stopped 50 miles from
the border, and 50 people were injured there. Around 2,000 troops arrived, and up to 3,000 more may follow.
South Korean intelligence suggests they could suffer heavy casualties. The report on page 4 lists 12 launchers.

A second paragraph says the column turned back at 10:30 on the 3rd day.
"""

SOURCE = """
- id: probe
  file: probe.txt
  title: Night raids
  publisher: null
  url: null
  published: 2025-03-28
  reliability: C
"""


def fact(fid: str, claim: str, quote: str, extra: str = "") -> str:
    return f'- id: {fid}\n  claim: "{claim}"\n{extra}  as_of: 2025-03\n  sources:\n    - source: probe\n      quote: "{quote}"\n'


@pytest.fixture
def probe(tiny: ProjectDir) -> ProjectDir:
    tiny.write("seeds/probe.txt", ARTICLE)
    tiny.write("seeds/sources.yaml", tiny.read("seeds/sources.yaml") + SOURCE)
    return tiny


def lines(project: ProjectDir, code: str, *args: str) -> list[str]:
    result = run("check", *args)
    assert "Traceback" not in result.output
    return [line for line in result.stdout.splitlines() if f"[{code} " in line]


def with_facts(project: ProjectDir, *facts: str) -> None:
    project.write("facts/gamma.yaml", "".join(facts))
    project.replace("briefgen.yaml", "  beta: Beta things\n", "  beta: Beta things\n  gamma: Gamma things\n")


# --- numbers read in context ---------------------------------------------------------------------------


def test_a_number_in_a_name_does_not_back_a_value(probe: ProjectDir) -> None:
    with_facts(probe,
               fact("by-name", "Russia launched 136 drones.", "Russia launched 40 Shahed-136 drones overnight", "  value: 136\n  unit: drones\n"),
               fact("by-count", "Russia launched 40 Shahed-136 drones.", "Russia launched 40 Shahed-136 drones overnight", "  value: 40\n  unit: drones\n"))
    assert lines(probe, "BG102") == [
        "facts/gamma.yaml:3:10: error: value 136 of fact 'by-name' is in none of its quotes; the quote's '136' is part "
        "of a name, 'Shahed-136' [BG102 value-not-in-quote]"
    ]
    assert lines(probe, "BG104") == [  # the claim's 'Shahed-136' of 'by-count' needs no backing
        "facts/gamma.yaml:2:10: warning: claim of fact 'by-name' says 136; quotes say 40 [BG104 claim-number-unsupported]"
    ]


def test_a_number_that_counts_something_else_does_not_back_a_value(probe: ProjectDir) -> None:
    with_facts(probe,
               fact("miles", "50 people were injured.", "The column stopped 50 miles from the border", "  value: 50\n  unit: people injured\n"),
               fact("people", "50 people were injured.", "50 people were injured there", "  value: 50\n  unit: people injured\n"))
    assert lines(probe, "BG102") == [
        "facts/gamma.yaml:3:10: error: value 50 of fact 'miles' is in none of its quotes; the quote's '50 miles' counts "
        "distance, not people injured [BG102 value-not-in-quote]"
    ]


@pytest.mark.parametrize(
    ("quote", "value", "kind"),
    [
        ("officials said on March 27", 27, "is a date"),
        ("the column turned back at 10:30 on the 3rd day", 30, "is a time"),
        ("the column turned back at 10:30 on the 3rd day", 3, "is an ordinal"),
        ("The report on page 4 lists 12 launchers", 4, "is a reference"),
    ],
)
def test_dates_times_ordinals_and_references_back_no_value(probe: ProjectDir, quote: str, value: int, kind: str) -> None:
    with_facts(probe, fact("not-a-count", f"There were {value} of them.", quote, f"  value: {value}\n"))
    (line,) = lines(probe, "BG102")
    assert line.endswith(f"{kind} [BG102 value-not-in-quote]")


def test_a_project_can_add_unit_words(probe: ProjectDir) -> None:
    with_facts(probe, fact("lorries", "12 launchers were listed.", "The report on page 4 lists 12 launchers", "  value: 12\n  unit: lorries\n"))
    assert lines(probe, "BG102") == []  # 'lorries' counts nothing the vocabulary knows: not compared
    probe.replace("briefgen.yaml", "stale_after_days", "units:\n  vehicles: [lorry, lorries]\nstale_after_days")
    assert lines(probe, "BG102") == [
        "facts/gamma.yaml:3:10: error: value 12 of fact 'lorries' is in none of its quotes; the quote's '12 launchers' "
        "counts launchers, not lorries [BG102 value-not-in-quote]"
    ]


# --- qualifiers ------------------------------------------------------------------------------------------


def test_a_stronger_qualifier_than_the_quote_is_a_warning(probe: ProjectDir) -> None:
    with_facts(probe,
               fact("stronger", "More than 2,000 troops arrived.", "Around 2,000 troops arrived", "  value: 2000\n  unit: troops\n  qualifier: more-than\n"),
               fact("missing", "3,000 more troops will follow.", "up to 3,000 more may follow", "  value: 3000\n  unit: troops\n"),
               fact("agrees", "About 2,000 troops arrived.", "Around 2,000 troops arrived", "  value: 2000\n  unit: troops\n  qualifier: about\n"),
               fact("fewer", "Fewer than 18 months passed.", "less than 18 months passed", "  value: 18\n  unit: months\n  qualifier: less-than\n"),
               fact("weaker", "Up to 18 months passed.", "less than 18 months passed", "  value: 18\n  unit: months\n  qualifier: up-to\n"))
    assert lines(probe, "BG106") == [
        "facts/gamma.yaml:5:14: warning: fact 'stronger' gives qualifier more-than; its quote says 'Around 2,000' "
        "(hint: write qualifier: about) [BG106 qualifier-unsupported]",
        "facts/gamma.yaml:12:10: warning: fact 'missing' gives 3,000 as exact; its quote says 'up to 3,000' "
        "(hint: write qualifier: up-to) [BG106 qualifier-unsupported]",
    ]


# --- hedges ----------------------------------------------------------------------------------------------


def test_a_claim_that_drops_its_quotes_hedge_is_a_warning(probe: ProjectDir) -> None:
    quote = "South Korean intelligence suggests they could suffer heavy casualties"
    with_facts(probe,
               fact("dropped", "South Korean intelligence warned of heavy casualties.", quote),
               fact("kept", "South Korean intelligence suggests they could suffer heavy casualties.", quote))
    assert lines(probe, "BG107") == [
        "facts/gamma.yaml:2:10: warning: claim of fact 'dropped' drops the hedge 'suggests' of its quote (hint: keep the "
        "quote's hedge in the claim; the quote judges or predicts: if the claim does too, mark the fact kind: "
        "assessment) [BG107 hedge-dropped]"
    ]


@pytest.mark.parametrize(
    ("text", "hedges"),
    [
        ("escalating from 379 in May 2024 to nearly 2,500 by November", []),  # the month
        ("the figures were provisional and may rise", ["may"]),
        ("a claim Seoul's Ministry of Defense denied", []),  # a noun hedges nothing
        ("South Korean intelligence suggests they could suffer", ["suggests", "could"]),
    ],
)
def test_hedges_are_words_not_months_or_nouns(text: str, hedges: list[str]) -> None:
    assert wording.hedges_in(text, wording.vocabulary().hedges) == hedges


@pytest.mark.parametrize(
    ("text", "number", "found"),
    [
        ("estimated at 100 North Korean soldiers or more, who", "100", ("or more", "at-least")),
        ("Around 2,000 troops arrived", "2,000", ("around", "about")),
        ("a 3,000-plus force", "3,000", ("-plus", "more-than")),
        ("2,000 troops arrived, and more may follow", "2,000", None),
        ("delivered in less than 18 months", "18", ("less than", "less-than")),
        ("fewer than 500 remain", "500", ("fewer than", "less-than")),
    ],
)
def test_qualifiers_are_read_before_and_after_the_number(text: str, number: str, found: tuple[str, str] | None) -> None:
    start = text.index(number)
    assert wording.qualifier(text, start, start + len(number), wording.vocabulary()) == found


def test_the_vocabulary_is_one_documented_file() -> None:
    words = wording.vocabulary()
    assert words.unit_class("North Korean troops") == "people" and words.unit_class("UAVs") == "drones"
    assert "suggests" in words.hedges and ("around", "about", False) in words.qualifiers


# --- quotes that leave words out -------------------------------------------------------------------------


def test_an_elided_quote_matches_its_parts_in_order_within_a_paragraph(probe: ProjectDir) -> None:
    with_facts(probe,
               fact("elided", "Around 2,000 troops arrived; up to 3,000 more may follow.", "Around 2,000 troops arrived … up to 3,000 more may follow"),
               fact("dots", "Around 2,000 troops arrived.", "Russia launched 40 Shahed-136 drones ... Around 2,000 troops arrived"),
               fact("reversed", "Around 2,000 troops arrived.", "up to 3,000 more may follow … Around 2,000 troops arrived"),
               fact("two-paragraphs", "The column turned back.", "Around 2,000 troops arrived … the column turned back at 10:30"),
               fact("changed", "Around 2,000 troops arrived.", "Around 2,000 soldiers arrived … up to 3,000 more may follow"))
    assert lines(probe, "BG101") == [
        "facts/gamma.yaml:18:14: error: the parts of the quote of fact 'reversed' are in source 'probe' (seeds/probe.txt), "
        "but not in this order within one paragraph [BG101 quote-not-found]",
        "facts/gamma.yaml:24:14: error: the parts of the quote of fact 'two-paragraphs' are in source 'probe' "
        "(seeds/probe.txt), but not in this order within one paragraph [BG101 quote-not-found]",
        "facts/gamma.yaml:30:14: error: quote of fact 'changed' is not in source 'probe' (seeds/probe.txt): its part "
        "'Around 2,000 soldiers arrived' is not; closest passage at seeds/probe.txt:3 (79% similar): \"Around 2,000 "
        "troops arrived,\"; quote has '2,000 soldiers arrived', source has '2,000 troops arrived,' [BG101 quote-not-found]",
    ]


# --- dates and topics that cannot be right ---------------------------------------------------------------


def test_a_briefing_date_before_the_newest_source_is_an_error(probe: ProjectDir) -> None:
    assert lines(probe, "BG206", "--date", "2025-03-28") == []
    assert lines(probe, "BG206", "--date", "2024-03-28") == [
        "briefgen: error: the briefing date 2024-03-28 is before source 'probe' was published (2025-03-28) "
        "(hint: correct --date or SOURCE_DATE_EPOCH) [BG206 briefing-date-too-early]"
    ]
    probe.replace("briefgen.yaml", "date: 2025-01-20", "date: 2024-01-20")
    assert lines(probe, "BG206") == [
        "briefgen.yaml:4:7: error: the briefing date 2024-01-20 is before source 'probe' was published (2025-03-28) "
        "(hint: correct date in briefgen.yaml) [BG206 briefing-date-too-early]"
    ]


def test_a_misspelt_topic_is_an_error_when_topics_are_declared_and_a_warning_when_not(tiny: ProjectDir) -> None:
    tiny.replace("facts/alpha.yaml", "  topic: unit-strength\n  as_of: 2025-01\n  sources:\n    - source: blog-two",
                 "  topic: unit-strenght\n  as_of: 2025-01\n  sources:\n    - source: blog-two")
    assert lines(tiny, "BG033") == [
        "facts/alpha.yaml:18:10: error: fact 'unit-strength-local' has topic 'unit-strenght', which briefgen.yaml does "
        "not declare; did you mean 'unit-strength'? (hint: declare it under topics: in briefgen.yaml, or correct it) "
        "[BG033 unknown-topic]"
    ]
    tiny.replace("briefgen.yaml", "topics:\n  unit-strength: Unit strength\n", "")
    assert lines(tiny, "BG207") == [
        "facts/alpha.yaml:6:10: warning: topic 'unit-strength' of fact 'unit-strength-official' is used by no other "
        "fact; did you mean 'unit-strenght'? (hint: declare topics: in briefgen.yaml to make an unknown topic an error) "
        "[BG207 lonely-topic]",
        "facts/alpha.yaml:18:10: warning: topic 'unit-strenght' of fact 'unit-strength-local' is used by no other "
        "fact; did you mean 'unit-strength'? (hint: declare topics: in briefgen.yaml to make an unknown topic an error) "
        "[BG207 lonely-topic]",
    ]


def test_disagreements_are_what_check_calls_disagreements(tiny: ProjectDir) -> None:
    tiny.write("templates/briefing.md.j2", "{% import 'macros.md.j2' as b %}\n{{ b.disagreements_section() }}\n"
               "{% for f in facts_in('alpha') + facts_in('beta') %}{{ cite(f) }}{% endfor %}\n")
    tiny.replace("facts/alpha.yaml", "  note: Lower than the ministry's figure; see the ministry's note.\n", "")
    result = run("build", "--format", "md")
    assert "[BG201 topic-disagreement]" in result.stderr
    assert "| 2,500 soldiers" in tiny.read("output/briefing.md")  # listed, and check warned about its missing note
    # The same two figures a year apart: a figure that changed over time, not a disagreement.
    tiny.replace("facts/alpha.yaml", "  value: 2500\n  unit: soldiers\n  topic: unit-strength\n  as_of: 2025-01\n",
                 "  value: 2500\n  unit: soldiers\n  topic: unit-strength\n  as_of: 2024-01\n")
    result = run("build", "--format", "md", "--force")
    assert "BG201" not in result.stderr
    assert "No two sources give different figures for the same thing." in tiny.read("output/briefing.md")


# --- reviewed, not silenced ------------------------------------------------------------------------------


def test_a_reviewed_warning_is_acknowledged_with_its_reason(probe: ProjectDir) -> None:
    quote = "South Korean intelligence suggests they could suffer heavy casualties"
    reviewed = '  reviewed:\n    BG107: "the claim reports what intelligence warned, which the quote says in other words"\n'
    with_facts(probe, fact("dropped", "South Korean intelligence warned of heavy casualties.", quote, reviewed))
    result = run("check")
    assert "BG107" not in result.stdout
    assert result.stdout.splitlines()[-1].endswith(", 1 acknowledged")
    doc = json.loads(run("check", "--format", "json").stdout)
    (item,) = [d for d in doc["diagnostics"] if d["code"] == "BG107"]
    assert item["acknowledged"] == "the claim reports what intelligence warned, which the quote says in other words"
    assert doc["summary"]["acknowledged"] == 1
    assert run("check", "--strict").stdout.count("[BG107") == 0


def test_a_review_of_nothing_or_of_an_error_is_reported(probe: ProjectDir) -> None:
    quote = "South Korean intelligence suggests they could suffer heavy casualties"
    reviewed = '  reviewed:\n    BG106: "no qualifier here"\n    BG101: "trust me"\n'
    with_facts(probe, fact("kept", "South Korean intelligence suggests they could suffer heavy casualties.", quote, reviewed))
    out = run("check").stdout
    assert ("facts/gamma.yaml:5:5: error: 'BG101' in reviewed of fact 'kept' is an error (quote-not-found), which no "
            "review can set aside (hint: reviewed: acknowledges warnings only) [BG023 bad-value]") in out
    assert ("facts/gamma.yaml:4:5: warning: fact 'kept' acknowledges BG106 (qualifier-unsupported), which check no "
            "longer reports for it (hint: remove it from reviewed) [BG208 review-unused]") in out


def test_the_same_diagnostic_is_printed_once(probe: ProjectDir) -> None:
    with_facts(probe, fact("thrice", "Russia sent 7 drones, then 7 more, then 7 again.", "Russia launched 40 Shahed-136 drones overnight"))
    assert len(lines(probe, "BG104")) == 1
