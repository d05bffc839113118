"""Verification: quotes are in their sources, numbers in their quotes, and the fact base hangs together."""

from __future__ import annotations

import datetime as dt

import pytest

from briefgen.diagnostics import format_text
from briefgen.loading import load_project
from briefgen.verify import closest_passage, normalise, numbers_in, value_in, verify_project
from conftest import ProjectDir

BRIEFING_DATE = dt.date(2025, 1, 20)


def verify(tiny: ProjectDir, cited: set[str] | None = None, date: dt.date = BRIEFING_DATE) -> list[str]:
    project, diags = load_project(tiny.root)
    assert project is not None, [format_text(d) for d in diags]
    return [format_text(d) for d in verify_project(project, date, cited)]


def test_tiny_project_verifies_cleanly(tiny: ProjectDir) -> None:
    assert verify(tiny) == []


@pytest.mark.parametrize(
    ("quote", "source"),
    [
        ("“about 3,000 soldiers”", '"about 3,000 soldiers"'),
        ("the unit’s strength", "the unit's strength"),
        ("artillery — the first", "artillery - the first"),
        ("artillery—the first", "artillery - the first"),
        ("weapons…as well", "weapons...as well"),
        ("Spread over\n  two   lines", "spread over two lines"),
        ("ＦＵＬＬＷＩＤＴＨ", "fullwidth"),
    ],
)
def test_normalisation_ignores_typography_case_and_spacing(quote: str, source: str) -> None:
    assert normalise(quote) == normalise(source)


def test_typos_in_the_source_must_be_quoted_as_archived() -> None:
    assert normalise("continue deploying troops") != normalise("continue tdeployingtroops")


def test_quote_with_a_changed_word_reports_the_closest_passage(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "saw convoys moving north", "saw trucks moving north")
    assert verify(tiny) == [
        "facts/beta.yaml:17:14: error: quote of fact 'convoys-north' is not in source 'blog-two' (seeds/blog-two.txt); "
        'closest passage at seeds/blog-two.txt:3 (91% similar): "The writer saw convoys moving north every night for a week."; '
        "quote has 'saw trucks', source has 'saw convoys' [BG101 quote-not-found]"
    ]


def test_closest_passage_points_at_the_right_line_of_a_long_source() -> None:
    text = "First line here.\nSecond line about apples.\nThird line: the troops were deployed in January.\n"
    found = closest_passage("the troops were sent in January", text, "a.txt")
    assert found.startswith('; closest passage at a.txt:3 (')
    assert found.endswith('"the troops were deployed in January."; quote has \'were sent\', source has \'were deployed\'')


def _article(words: int, seed: int) -> str:
    """Text of made-up words, twelve to a sentence and a line."""
    import random

    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(5000)]
    chosen = [rng.choice(vocabulary) for _ in range(words)]
    return "".join(" ".join(chosen[i : i + 12]) + ".\n" for i in range(0, words, 12))


@pytest.fixture(scope="module")
def large_source() -> str:
    return _article(2_500_000, seed=7)  # about 17 MB


def test_the_closest_passage_search_compares_a_bounded_amount_whatever_the_sizes(
    large_source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rapidfuzz import fuzz

    from briefgen import verify as verifying

    compared: list[tuple[int, int]] = []
    real = fuzz.partial_ratio_alignment

    def counted(needle: str, haystack: str, **kwargs: object) -> object:
        compared.append((len(needle), len(haystack)))
        return real(needle, haystack, **kwargs)

    monkeypatch.setattr(fuzz, "partial_ratio_alignment", counted)
    words = large_source.split()
    middle = len(words) // 2
    short_miss = " ".join(words[middle : middle + 4] + ["changed"] + words[middle + 5 : middle + 10])
    long_miss = " ".join(words[middle : middle + 5000] + ["changed"] + words[middle + 5001 : middle + 10000])
    for quote in (short_miss, long_miss, " ".join(["unknownword"] * 10_000)):
        compared.clear()
        found = closest_passage(quote, large_source, "big.txt")
        assert all(needle <= verifying.PROBE_CHARS for needle, _ in compared)
        assert sum(h for _, h in compared) <= verifying.WINDOWS * 3 * (2 * verifying.PROBE_CHARS + 200)
        if quote is short_miss:
            assert "quote has '" in found and "changed" in found
        elif quote is long_miss:
            assert found.endswith("after 5000 matching words ('…" + " ".join(words[middle + 4994 : middle + 5000]) + "') "
                                  f"the quote has 'changed {' '.join(words[middle + 5001 : middle + 5004])}', "
                                  f"the source has '{' '.join(words[middle + 5000 : middle + 5004])}'")


def test_quote_nothing_like_the_source(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "The writer saw convoys moving north every night for a week.", "Zebras quietly qualify purple xylophones.")
    (line,) = verify(tiny)
    assert line.endswith("(seeds/blog-two.txt); nothing in the source comes close [BG101 quote-not-found]")


@pytest.mark.parametrize(
    ("value", "unit", "quote", "expected"),
    [
        (3000, None, "more than 3,000 North Korean troops", True),
        (3000, None, "an additional 3000 troops", True),
        (3000, None, "some 3 000 troops", True),
        (11000, "troops", "the 11 000 troops", True),
        (3.5, None, "a 3.5 percent rise", True),
        (220, None, "about 220 pieces", True),
        (1_200_000, None, "1.2 million-strong military", True),
        (240, "troops", "240-millimeter multiple rocket launchers", False),
        (240, "mm", "240-millimeter multiple rocket launchers", True),
        (170, "millimetre", "170mm self-propelled guns", True),
        (400, None, "about 4,000 soldiers", False),
        (2500, None, "nearly 2,500 by November", True),
        (9, "civilians", "injuring at least nine civilians", True),
        (25, None, "twenty-five vehicles", True),
    ],
)
def test_value_must_appear_as_a_number_in_the_quote(value: float, unit: str | None, quote: str, expected: bool) -> None:
    assert value_in(value, unit, quote) is expected


def test_space_grouped_digits_are_read_both_ways() -> None:
    (number,) = numbers_in("about 220 170-millimetre guns")
    assert number.values == (220170.0,)
    assert [p.values for p in number.parts] == [(220.0,), (170.0,)]


def test_value_missing_from_quotes_lists_what_the_quotes_say(tiny: ProjectDir) -> None:
    tiny.replace("facts/alpha.yaml", "  value: 2500\n", "  value: 2600\n")
    assert verify(tiny) == [
        "facts/alpha.yaml:16:10: error: value 2,600 of fact 'unit-strength-local' is in none of its quotes; "
        "the quotes say 2,500 [BG102 value-not-in-quote]",
    ]


def test_a_number_glued_to_another_unit_does_not_count(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "  value: 220\n  unit: pieces\n", "  value: 240\n  unit: pieces\n")
    assert verify(tiny)[0] == (
        "facts/beta.yaml:3:10: error: value 240 of fact 'rocket-artillery' is in none of its quotes; "
        "the quote's '240-millimeter' measures something else than pieces [BG102 value-not-in-quote]"
    )


def test_claim_number_no_quote_backs_is_a_warning(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "Convoys were seen moving north", "About 40 convoys were seen moving north")
    assert verify(tiny) == [
        "facts/beta.yaml:12:10: warning: claim of fact 'convoys-north' says 40; the quotes hold no number "
        "[BG104 claim-number-unsupported]"
    ]


def test_years_and_days_in_a_claim_are_dates_not_quantities(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "Convoys were seen moving north every night", "On 14 January 2025 convoys were seen moving north every night")
    assert verify(tiny) == []


def test_short_quote_is_a_warning(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", '"The writer saw convoys moving north every night for a week."', '"convoys moving north"')
    assert verify(tiny) == [
        "facts/beta.yaml:17:14: warning: quote of fact 'convoys-north' has 3 words; fewer than 4 prove little "
        "(hint: quote the whole phrase that supports the claim) [BG103 short-quote]"
    ]


def test_as_of_after_publication_is_an_error(tiny: ProjectDir) -> None:
    tiny.replace("facts/beta.yaml", "  as_of: 2025-01\n  sources:\n    - source: wire-one", "  as_of: 2025-02\n  sources:\n    - source: wire-one")
    assert verify(tiny) == [
        "facts/beta.yaml:6:10: error: fact 'rocket-artillery' is as of 2025-02, after source 'wire-one' was published "
        "(2025-01-10) (hint: as_of is the date the information refers to, which a source cannot report before it happens) "
        "[BG105 as-of-after-publication]"
    ]


def test_disagreeing_figures_need_a_note(tiny: ProjectDir) -> None:
    tiny.replace("facts/alpha.yaml", "  note: Lower than the ministry's figure; see the ministry's note.\n", "")
    assert verify(tiny) == [
        "facts/alpha.yaml:16:10: warning: fact 'unit-strength-local' (2,500, as of 2025-01) disagrees with "
        "'unit-strength-official' (3,000, as of 2025-01) in topic 'unit-strength' "
        "(hint: add a note saying why the figures differ) [BG201 topic-disagreement]"
    ]


def test_stale_topic_is_a_warning(tiny: ProjectDir) -> None:
    assert verify(tiny, date=dt.date(2026, 3, 1)) == [
        "facts/alpha.yaml:7:10: warning: the latest fact of topic 'unit-strength' ('unit-strength-official', as of "
        "2025-01) is more than 365 days older than the briefing date 2026-03-01 "
        "(hint: look for newer reporting, or raise stale_after_days) [BG202 stale-topic]"
    ]


def test_uncited_facts_and_unused_sources(tiny: ProjectDir) -> None:
    tiny.write("seeds/spare.txt", "An article nobody has used yet.\n")
    sources = tiny.read("seeds/sources.yaml")
    tiny.write(
        "seeds/sources.yaml",
        sources + "\n- id: spare\n  file: spare.txt\n  title: Spare\n  publisher: null\n  url: null\n  published: 2025\n  reliability: F\n",
    )
    cited = {"unit-strength-official", "unit-strength-local", "rocket-artillery"}
    assert verify(tiny, cited) == [
        "seeds/sources.yaml:20:7: warning: source 'spare' is cited by no fact [BG204 unused-source]",
        "facts/beta.yaml:11:7: warning: fact 'convoys-north' is never cited by the briefing template "
        "(hint: cite it with claim(), value() or cite(), or remove it) [BG203 uncited-fact]",
    ]


def test_source_missing_publisher_url_or_date(tiny: ProjectDir) -> None:
    tiny.replace("seeds/sources.yaml", "  publisher: null\n  url: null\n  published: 2025-01\n", "")
    assert verify(tiny) == [
        "seeds/sources.yaml:10:7: warning: source 'blog-two' does not give its publisher, url or published "
        "(hint: add them, or write null where the article states none) [BG205 weak-source-reference]"
    ]


# --- quotes are whole words and whole numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("11,000 north korean soldiers", True),
        ("1,000 north korean soldiers", False),  # cut inside "11,000"
        ("000 north korean soldiers", False),  # cut after the thousands separator
        ("000", False),
        ("korean sold", False),  # cut inside a word
        ("orth korean soldiers", False),
        ("about 11,000 north", True),
        ("soldiers.", True),  # punctuation at the edge needs no boundary
        ("2.5 million", False),  # cut inside "12.5"
        ("12.5 million shells", True),
    ],
)
def test_a_quote_matches_only_whole_words_and_numbers(quote: str, found: bool) -> None:
    from briefgen.verify import contains_quote

    text = normalise("Seoul says about 11,000 North Korean soldiers. Some 12.5 million shells.")
    assert contains_quote(text, normalise(quote)) is found


def test_superscripts_and_fractions_do_not_become_digits() -> None:
    """NFKC alone turns a footnote mark "³" into 3 and "½" into 1⁄2: a value could be proven by a mark."""
    assert normalise("soldiers³ and ½ of them") == "soldiers³ and ½ of them"
    assert not value_in(3, None, normalise("the unit had soldiers³"))
    assert normalise("ＦＵＬＬ ３,０００") == "full 3,000"  # full-width digits are digits: NFKC keeps them so
