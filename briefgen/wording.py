"""How `check` reads a quote's wording: what a number in it is (a count, a name, a date), what it counts, the
words that qualify it, and the words that hedge the whole. The words themselves are data (vocabulary.yaml)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

VOCABULARY = Path(__file__).with_name("vocabulary.yaml")


@dataclass(frozen=True)
class Vocabulary:
    units: dict[str, str]  # word → what it counts
    qualifiers: list[tuple[str, str, bool]]  # (phrase, qualifier, after the number), longest phrases first
    hedges: tuple[str, ...]
    judgements: tuple[str, ...]

    def unit_class(self, words: str) -> str | None:
        """What a unit ('people injured', 'North Korean troops') counts: its first word the vocabulary knows."""
        for word in re.findall(r"[\w%]+", words.lower()):
            found = self.units.get(word) or (self.units.get(word[:-1]) if word.endswith("s") else None)
            if found:
                return found
        return None

    def with_units(self, extra: dict[str, list[str]]) -> Vocabulary:
        """This vocabulary with a project's own unit words (`units:` in briefgen.yaml)."""
        if not extra:
            return self
        units = dict(self.units)
        units.update({word.lower(): kind for kind, words in extra.items() for word in words})
        return Vocabulary(units, self.qualifiers, self.hedges, self.judgements)


@functools.cache
def vocabulary() -> Vocabulary:
    data = yaml.safe_load(VOCABULARY.read_text(encoding="utf-8"))
    units = {str(word).lower(): kind for kind, words in data["units"].items() for word in words}
    qualifiers = sorted(
        ((phrase.removeprefix("…").strip().lower(), kind, phrase.startswith("…"))
         for kind, phrases in data["qualifiers"].items() for phrase in phrases),
        key=lambda item: -len(item[0]),
    )
    return Vocabulary(units, qualifiers, tuple(data["hedges"]), tuple(data["judgements"]))


# --- what a number in a text is ---------------------------------------------------------------------

_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_REFERENCES = frozenset(
    "page pages p pp section sections article articles paragraph para chapter clause resolution no number annex "
    "item table figure fig".split()
)
_ORDINAL = frozenset({"st", "nd", "rd", "th"})
_CLOCK = frozenset({"a.m.", "p.m.", "am", "pm", "gmt", "utc"})
_PREFIXES = frozenset({"mid", "pre", "post", "late", "early"})


def context(text: str, start: int, end: int, glued: str | None) -> str | None:
    """What a number at text[start:end] is when it is not a quantity: 'a name' (Shahed-136, KN-23, T-90M),
    'a date' (March 27, 17 Oct.), 'a time' (10:30), 'an ordinal' (3rd) or 'a reference' (page 4,
    Article 4); None for a quantity. `glued` is the word glued to it ('90M' → 'M'). Plain string tests, not
    regular expressions: `check` asks this of every number it compares."""
    before = text[max(start - 30, 0) : start]
    if before[-1:].isalpha() and before[-1:].isupper():
        return "a name"  # F16
    if before.endswith("-"):
        token = before[:-1].rsplit(None, 1)[-1] if before[:-1].strip() else ""
        if token and token.lower() not in _PREFIXES and any(c.isupper() or c.isdigit() for c in token):
            return "a name"  # Shahed-136, KN-23, Su-25
    if glued and glued.lower() in _ORDINAL:
        return "an ordinal"
    after = text[end : end + 30]
    if (after[:1] == ":" and after[1:3].isdigit()) or (before[-1:] == ":" and before[-2:-1].isdigit()):
        return "a time"
    words_after = after.lower().split()
    if words_after and words_after[0].rstrip(",;") in _CLOCK:
        return "a time"
    last = before.lower().split()[-1:] if before.strip() else []
    last_word = last[0].rstrip(".") if last and before[-1:].isspace() else ""
    if last_word in _MONTHS:
        return "a date"
    following = [w.strip(".,;") for w in words_after[:2]]
    if following and (following[0] in _MONTHS or (following[0] == "of" and following[1:2] and following[1] in _MONTHS)):
        return "a date"
    if last_word in _REFERENCES:
        return "a reference"
    return None


def is_year(value: float, written: str) -> bool:
    return value.is_integer() and 1900 <= value <= 2100 and "," not in written and "." not in written


def counted(text: str, end: int, words: Vocabulary) -> tuple[str, str] | None:
    """What the number ending at text[end] counts, by the first vocabulary word within three words after it
    (before any punctuation): (the word, what it counts), or None."""
    for word in re.findall(r"[\w%]+|[^\w\s]", text[end : end + 80])[:3]:
        if not re.match(r"[\w%]", word):
            return None
        kind = words.unit_class(word)
        if kind:
            return word, kind
    return None


def qualifier(text: str, start: int, end: int, words: Vocabulary) -> tuple[str, str] | None:
    """The qualifier a quote's words give the number at text[start:end]: (the words, the qualifier) or None."""
    before = " ".join(re.findall(r"[\w.]+", text[max(start - 40, 0) : start].lower()))
    # After the number, up to three words may stand between it and the phrase: "100 North Korean soldiers or more".
    following = re.split(r"[^\w\s-]", text[end : end + 60].lower(), maxsplit=1)[0].split()
    glued = text[end : end + 6].lower()
    for phrase, kind, follows in words.qualifiers:
        if follows:
            if phrase.startswith("-") and glued.startswith(phrase):
                return phrase, kind
            size = len(phrase.split())
            if not phrase.startswith("-") and any(following[i : i + size] == phrase.split() for i in range(4)):
                return phrase, kind
        elif (" " + before).endswith(" " + phrase):
            return phrase, kind
    return None


_MAY_THE_MONTH = re.compile(r"\bMay(?=\s+\d)|(?<=\d\s)May\b|\b(?:in|of|since|from|until|by|early|mid|late)\s+May\b")


def hedges_in(text: str, words: tuple[str, ...]) -> list[str]:
    """The words of a text that are in `words` (single words or phrases), in the order the text has them.
    'May' the month ('in May 2024', '1 May') is not 'may' the hedge."""
    text = _MAY_THE_MONTH.sub(" month", text)
    lowered = " " + " ".join(re.findall(r"[\w']+", text.lower())) + " "
    found = [(lowered.find(f" {w} "), w) for w in words if f" {w} " in lowered]
    return [w for _, w in sorted(found)]


# --- quotes that leave words out ----------------------------------------------------------------------

_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")


def segments(quote: str) -> list[str]:
    """The verbatim pieces of a quote that leaves words out ('first part … second part'); one piece if none."""
    return [s for s in _ELLIPSIS.split(quote) if s.strip()]


# --- sentences -----------------------------------------------------------------------------------------

# Where a sentence ends: after . ! ? or …, closing quotes or brackets, then space and what starts a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_PARAGRAPH = re.compile(r"\n\s*\n")
_LINE_END = re.compile(r"[ \t]*\n")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """The spans of the sentences of a text, within its paragraphs (and pages); a heading on a line of its own
    ("Strategic Implications") is a sentence of its own."""
    position = 0
    for paragraph in [*_PARAGRAPH.finditer(text), None]:
        end = paragraph.start() if paragraph else len(text)
        breaks = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text, position, end)]
        breaks += [(m.start(), m.end()) for m in _LINE_END.finditer(text, position, end)
                   if _is_heading(text[max(text.rfind("\n", position, m.start()) + 1, position) : m.start()])]
        start = position
        for stop, resume in sorted(breaks):
            if stop < start:
                continue
            if text[start:stop].strip():
                yield _trimmed(text, start, stop)
            start = resume
        if text[start:end].strip():
            yield _trimmed(text, start, end)
        position = paragraph.end() if paragraph else len(text)


def _is_heading(line: str) -> bool:
    """Whether a line is a heading: short, mostly capitalised words, no closing punctuation."""
    words = line.split()
    return 0 < len(words) <= 8 and line.rstrip()[-1:].isalnum() and sum(w[:1].isupper() for w in words) >= 0.6 * len(words)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
