"""What the fact base has not captured yet: the sentences of the archived texts that state a figure or a date
and that no fact quotes. The analyst's to-do list after adding an article (`briefgen sources --uncovered`),
and a figure for `check --coverage`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from briefgen.loading import SEEDS_DIR, Project, display_path
from briefgen.model import Fact
from briefgen.verify import _normalise_with_offsets, by_source, find_quote, normalise
from briefgen.wording import context, counted, segments, sentences, vocabulary

_NUMBER = re.compile(r"\d+(?:[,.]\d+)*")
# Quantities written as words: large ones on their own ("thousands of troops"), small ones when a unit word
# follows ("two battalions", not "the two countries").
_LARGE_WORDS = re.compile(r"\b(?:hundreds|thousands|millions|billions|dozens|tens of|hundred|thousand|million|billion)\b", re.I)
_SMALL_WORDS = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty)\b", re.I)


@dataclass(frozen=True)
class Sentence:
    """A sentence of an archived text: where it is (line, and page in a PDF's text) and its words on one line."""

    source: str
    path: str
    line: int
    page: int | None
    text: str


@dataclass
class Coverage:
    """How many of the sentences that state a figure or a date some fact quotes, and those none does."""

    total: int = 0
    uncovered: list[Sentence] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return self.total - len(self.uncovered)

    @property
    def percent(self) -> int:
        return round(100 * self.covered / self.total) if self.total else 100


def coverage(project: Project, only: Iterable[str] | None = None) -> Coverage:
    """The coverage of the archived texts of `only` (source ids), or of every source."""
    result = Coverage()
    citing = by_source(project)
    for source_id in only if only is not None else project.sources:
        text = project.texts.get(source_id)
        if text is None:
            continue
        quoted = _quoted_spans(citing[source_id], source_id, text)
        path = display_path(project.root / SEEDS_DIR / project.sources[source_id].file)
        for start, end in sentences(text):
            words = " ".join(text[start:end].split())
            if not states_a_figure(words):
                continue
            result.total += 1
            if not any(first < end and start < last for first, last in quoted):
                page = text.count("\f", 0, start) + 1 if "\f" in text else None
                result.uncovered.append(Sentence(source_id, path, text.count("\n", 0, start) + 1, page, words))
    return result


def states_a_figure(sentence: str) -> bool:
    """Whether a sentence states a number (not one in a name such as Shahed-136), a date or a quantity in words."""
    for match in _NUMBER.finditer(sentence):
        glued = re.match(r"[A-Za-z]+", sentence[match.end() :])
        if context(sentence, match.start(), match.end(), glued.group() if glued else None) != "a name":
            return True
    if _LARGE_WORDS.search(sentence):
        return True
    words = vocabulary()
    return any(counted(sentence, match.end(), words) for match in _SMALL_WORDS.finditer(sentence))


def _quoted_spans(facts: list[Fact], source_id: str, text: str) -> list[tuple[int, int]]:
    """Where in a source's text the quotes of the facts that cite it stand (each part of an elided quote), as
    offsets."""
    normalised, offsets = _normalise_with_offsets(text)
    spans = []
    for fact in facts:
        for citation in fact.sources:
            if citation.source != source_id:
                continue
            for part in segments(citation.quote):
                needle = normalise(part)
                found = find_quote(normalised, needle) if needle else -1
                while found >= 0:
                    spans.append((offsets[found], offsets[found + len(needle) - 1] + 1))
                    found = find_quote(normalised, needle, found + 1)
    return spans
