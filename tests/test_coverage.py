"""Finding the words: `quote` gives the exact passage remembered words come from, and `sources --uncovered` /
`check --coverage` say which sentences with a figure or a date no fact quotes yet."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from briefgen.coverage import states_a_figure
from conftest import REPO, ProjectDir, copy_example, run


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "example").mkdir()
    root = copy_example(tmp_path / "example")
    monkeypatch.chdir(root)
    return root


# --- quote ---------------------------------------------------------------------------------------------


def test_words_remembered_exactly_are_quoted_as_they_stand(example: Path) -> None:
    result = run("quote", "nk-gearing-up-2024-12", "ground assault operations were reported active in the Kursk Oblast region")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "seeds/nk-gearing-up-2024-12.txt:4 (exact)",
        "    - source: nk-gearing-up-2024-12",
        '      quote: "ground assault operations were reported active in the Kursk Oblast region"',
    ]


def test_words_remembered_loosely_give_the_sentence_they_come_from(example: Path) -> None:
    result = run("quote", "pentagon-confirms-troops-2024-10", "the troops lack experience of modern warfare")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"seeds/pentagon-confirms-troops-2024-10\.txt:7 \(\d+% alike: the source's words, not yours; "
                        r"keep the part you need\)", lines[0])
    assert lines[2] == ('      quote: "The North Korean troops, while highly motivated and physically capable according '
                        'to Russian instructors, may face severe challenges due to their lack of experience with modern warfare."')


def test_a_pasted_quote_checks(example: Path) -> None:
    quoted = run("quote", "nk-increases-support-2025-03", "the number of Russian drone attacks rose from 379").stdout.splitlines()
    quote = quoted[2].removeprefix("      quote: ")
    facts = example / "facts" / "drones.yaml"
    facts.write_text(facts.read_text() + (
        "\n- id: drone-attacks-quoted\n  claim: Russian drone attacks escalated, from 379 in May 2024.\n  as_of: 2024-11\n"
        "  value: 379\n  unit: drone attacks\n  sources:\n    - source: nk-increases-support-2025-03\n"
        f"      quote: {quote}\n"
    ))
    check = run("check")
    assert "drone-attacks-quoted" not in check.stdout.replace("is cited by no", "").replace("never cites", "") or \
        all("BG101" not in line for line in check.stdout.splitlines() if "drone-attacks-quoted" in line)
    assert not [line for line in check.stdout.splitlines() if "drone-attacks-quoted" in line and ": error: " in line]


def test_the_readme_shows_real_quote_output(example: Path) -> None:
    readme = (REPO / "README.md").read_text()
    block = readme.split("$ briefgen quote ", 1)[1].split("```", 1)[0]
    command, _, shown = block.partition("\n")
    result = run("quote", *command.split())
    assert result.stdout == shown


def test_the_page_of_a_pdf_passage_is_given(tiny: ProjectDir) -> None:
    tiny.write("seeds/wire-one.txt", "Report\nPage one holds the opening.\n\f\nPage two says the unit grew to 3,000 soldiers.\n")
    result = run("quote", "wire-one", "the unit grew to 3,000 soldiers")
    assert result.stdout.splitlines()[0] == "seeds/wire-one.txt:4, page 2 (exact)"


def test_a_source_that_does_not_exist_gets_a_did_you_mean(example: Path) -> None:
    result = run("quote", "nk-gearing-up", "troops")
    assert result.exit_code == 2
    assert "Invalid value for SOURCE: no source 'nk-gearing-up'; did you mean 'nk-gearing-up-2024-12'?" in result.stderr


def test_words_from_no_passage_are_one_clear_error(example: Path) -> None:
    result = run("quote", "rferl-kim-drones-2025-03", "zebra", "crossing", "giraffe")
    assert result.exit_code == 1
    assert result.stderr == (
        "briefgen: error: nothing in seeds/rferl-kim-drones-2025-03.txt comes close to “zebra crossing giraffe” (hint: "
        "try fewer words, or words from another sentence of the article) [BG101 quote-not-found]\n"
    )


def test_quote_works_while_a_fact_file_is_broken(example: Path) -> None:
    (example / "facts" / "troops.yaml").write_text("- id: [unclosed\n")
    assert run("quote", "nk-gearing-up-2024-12", "ground assault operations").exit_code == 0


# --- coverage ------------------------------------------------------------------------------------------


def test_uncovered_sentences_of_the_example(example: Path) -> None:
    result = run("sources", "--uncovered")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "30 of 36 sentences with a figure or a date are quoted by a fact (83%); 6 not yet"
    assert ("seeds/rferl-kim-drones-2025-03.txt:2: The leader of North Korea, Kim Jong Un, recently showcased new "
            "military drones amid reports that he dispatched an additional 3,000 troops to assist Russia in its ongoing "
            "conflict with Ukraine.") in lines
    assert len(lines) == 7
    coverage = run("check", "--coverage").stdout.splitlines()[-1]
    assert coverage == ("coverage: 30 of 36 sentences with a figure or a date in the archived texts are quoted by a fact "
                        "(83%); `briefgen sources --uncovered` lists the rest")


def test_a_fact_that_quotes_a_sentence_takes_it_off_the_list(example: Path) -> None:
    facts = example / "facts" / "troops.yaml"
    facts.write_text(facts.read_text() + (
        "\n- id: kim-showcased-drones\n  claim: Kim Jong Un showcased new military drones.\n  as_of: 2025-03\n"
        "  kind: fact\n  sources:\n    - source: rferl-kim-drones-2025-03\n"
        "      quote: recently showcased new military drones amid reports\n"
    ))
    lines = run("sources", "--uncovered", "rferl-kim-drones-2025-03").stdout.splitlines()
    assert lines[-1] == "5 of 6 sentences with a figure or a date are quoted by a fact (83%); 1 not yet"
    assert not any(line.startswith("seeds/rferl-kim-drones-2025-03.txt:2:") for line in lines)


def test_uncovered_for_one_source_and_a_mistyped_one(example: Path) -> None:
    assert run("sources", "--uncovered", "rferl-kim-drones-2025-03").stdout.splitlines()[-1] == (
        "4 of 6 sentences with a figure or a date are quoted by a fact (67%); 2 not yet")
    mistyped = run("sources", "--uncovered", "rferl-kim")
    assert mistyped.exit_code == 2 and "did you mean 'rferl-kim-drones-2025-03'?" in mistyped.stderr


def test_uncovered_as_json(example: Path) -> None:
    import json

    doc = json.loads(run("sources", "--uncovered", "--format", "json").stdout)
    assert (doc["sentences_with_figures"], doc["quoted"], doc["percent"]) == (36, 30, 83)
    assert {"source", "path", "line", "page", "text"} == set(doc["uncovered"][0])


@pytest.mark.parametrize(
    ("sentence", "figure"),
    [
        ("North Korea has sent an additional 3,000 troops to Russia.", True),
        ("The talks were held on 27 March.", True),
        ("Thousands of troops crossed the border.", True),
        ("Two soldiers were wounded.", True),
        ("The two countries signed a treaty.", False),  # a small number word counts only before a unit word
        ("The Shahed-136 drone is Iranian.", False),  # a number in a name
        ("The situation is very serious.", False),
    ],
)
def test_what_states_a_figure(sentence: str, figure: bool) -> None:
    assert states_a_figure(sentence) is figure


def test_a_second_project_reports_its_own_coverage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "second"
    shutil.copytree(REPO / "tests" / "fixtures" / "second", root)
    monkeypatch.chdir(root)
    last = run("sources", "--uncovered").stdout.splitlines()[-1]
    assert re.fullmatch(r"\d+ of \d+ sentences with a figure or a date are quoted by a fact \(\d+%\); \d+ not yet", last)
