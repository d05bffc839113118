"""Proves the fact base against its sources: quotes, numbers, dates, disagreements, freshness, coverage.

Every check returns diagnostics and raises nothing, so one run reports every problem.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from briefgen import wording
from briefgen.diagnostics import CODES, Diagnostic, diagnostic, did_you_mean
from briefgen.loading import Project
from briefgen.model import Fact, Source
from briefgen.wording import Vocabulary, sentences, vocabulary

# Typographic variants that a copied quote and an archived text may disagree on.
_VARIANTS = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′`´", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        "…": "...",
    }
)
_SPACES = re.compile(r"\s+")
_DASH_SPACING = re.compile(r" ?- ?")


def normalise(text: str) -> str:
    """The form quotes are compared in: NFKC, one kind of quote mark and dash, single spaces, no case.

    Superscripts, subscripts and fractions stay as they are: NFKC would make "³" a 3 and "½" a 1⁄2, and a
    value could then be proven by a footnote mark."""
    kept = _numbers_kept(text)
    if kept:
        text = text.translate({ord(c): _PLACEHOLDER + i for i, c in enumerate(kept)})
    text = unicodedata.normalize("NFKC", text).translate(_VARIANTS).casefold()
    if kept:
        text = text.translate({_PLACEHOLDER + i: c for i, c in enumerate(kept)})
    return _DASH_SPACING.sub("-", _SPACES.sub(" ", text)).strip()


_PLACEHOLDER = 0xF0000  # a private-use plane, which NFKC leaves alone


def _numbers_kept(text: str) -> list[str]:
    """The characters of `text` that are numbers but not digits, and that NFKC would turn into digits."""
    if text.isascii():
        return []
    return sorted(
        c for c in set(text)
        if not c.isascii() and not c.isdecimal() and unicodedata.category(c)[0] == "N"
        and any(d.isdecimal() for d in unicodedata.normalize("NFKC", c))
    )


def contains_quote(text: str, quote: str) -> bool:
    """Whether the normalised `text` holds the normalised `quote` as whole words: a quote cut inside a word or
    a number ("1,000 soldiers" out of "11,000 soldiers") is not in the text."""
    if not quote:
        return True  # as `"" in text`; an empty quote is reported for its length (BG103)
    return find_quote(text, quote) >= 0


def find_quote(text: str, quote: str, start: int = 0) -> int:
    """Where the normalised `quote` first stands in `text` as whole words, from `start`; -1 if nowhere."""
    found = text.find(quote, start)
    while found != -1:
        end = found + len(quote)
        if _boundary(text, found - 1, quote[0], -1) and _boundary(text, end, quote[-1], 1):
            return found
        found = text.find(quote, found + 1)
    return -1


def contains_in_order(paragraphs: list[str], parts: list[str]) -> bool:
    """Whether one paragraph holds every part of an elided quote, as whole words, in order."""
    for paragraph in paragraphs:
        position = 0
        for part in parts:
            found = find_quote(paragraph, part, position)
            if found < 0:
                break
            position = found + len(part)
        else:
            return True
    return False


def _boundary(text: str, i: int, edge: str, step: int) -> bool:
    """Whether text[i], just outside a match whose character at that edge is `edge`, ends the word there."""
    if i < 0 or i >= len(text) or not edge.isalnum():
        return True
    if text[i].isalnum():
        return False
    # "1,000" and "2.5": a separator between digits is inside the number
    beyond = i + step
    return not (edge.isdigit() and text[i] in ",." and 0 <= beyond < len(text) and text[beyond].isdigit())


def _normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """Like `normalise`, with the offset in `text` of every character of the result (for misses only)."""
    out: list[str] = []
    offsets: list[int] = []
    kept = set(_numbers_kept(text))
    for i, char in enumerate(text):
        for n in (char if char in kept else unicodedata.normalize("NFKC", char)).translate(_VARIANTS).casefold():
            if n.isspace():
                if not out or out[-1] == " ":
                    continue
                n = " "
            out.append(n)
            offsets.append(i)
    # Drop spaces around dashes, as `normalise` does.
    keep = [
        not (c == " " and ((j > 0 and out[j - 1] == "-") or (j + 1 < len(out) and out[j + 1] == "-")))
        for j, c in enumerate(out)
    ]
    chars = [c for c, k in zip(out, keep, strict=True) if k]
    offs = [o for o, k in zip(offsets, keep, strict=True) if k]
    return "".join(chars).rstrip(), offs


# --- numbers -------------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[,\u00a0\u202f ]\d{3})+|\d+)(\.\d+)?"
    r"(?:\s+(thousand|million|billion)\b)?"
    r"(?:-?(?P<unit>[a-z]+))?",
    re.IGNORECASE,
)
_MULTIPLIERS = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_UNIT_NAMES = {
    "mm": "millimetre", "millimeter": "millimetre", "millimeters": "millimetre", "millimetre": "millimetre",
    "millimetres": "millimetre", "cm": "centimetre", "km": "kilometre", "kilometer": "kilometre",
    "kilometers": "kilometre", "kilometre": "kilometre", "kilometres": "kilometre", "kg": "kilogram",
    "t": "tonne", "tons": "tonne", "tonnes": "tonne", "percent": "percent", "%": "percent",
}

@dataclass(frozen=True)
class Number:
    """A number as written in a text: its value(s) and the measurement unit glued to it, if any."""

    text: str
    values: tuple[float, ...]
    unit: str | None
    # Digits grouped by plain spaces ("220 170") may also be read as separate numbers: these.
    parts: tuple[Number, ...] = ()
    span: tuple[int, int] = (0, 0)  # where it is in the text it was read from
    glued: str | None = None  # the letters glued to it, whether a unit or not: '90M' → 'M'

    def readings(self) -> list[Number]:
        """This number, and the separate numbers it may also be read as."""
        return [self, *self.parts]


def numbers_in(text: str, offset: int = 0) -> list[Number]:
    """Every number in a text: '3,000', '3 000', '3.5', '1.2 million', '240-millimeter' (unit: millimetre).

    "220 170" may be 220,170 or the numbers 220 and 170: both readings are kept.
    """
    found = []
    for m in _NUMBER.finditer(text):
        digits = m.group(1)
        whole = float(re.sub(r"[,\u00a0\u202f ]", "", digits) + (m.group(2) or ""))
        values = [whole]
        if m.group(3):
            values.append(whole * _MULTIPLIERS[m.group(3).lower()])
        parts: tuple[Number, ...] = ()
        if " " in digits:
            head, _, rest = digits.rpartition(" ")
            parts = tuple(numbers_in(head, offset + m.start(1))) + tuple(
                numbers_in(rest + text[m.end(1) : m.end()], offset + m.start(1) + len(head) + 1)
            )
        unit = _UNIT_NAMES.get((m.group("unit") or "").lower())
        found.append(Number(m.group(0), tuple(values), unit, parts, (offset + m.start(), offset + m.end()), m.group("unit")))
    return found


_UNITS_WORDS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUES = {w: i + 1 for i, w in enumerate(_UNITS_WORDS)} | {w: 20 + 10 * i for i, w in enumerate(_TENS_WORDS)}
_WORD_NUMBER = re.compile(
    rf"\b({'|'.join(_TENS_WORDS)})(?:-({'|'.join(_UNITS_WORDS[:9])}))?\b|\b({'|'.join(_UNITS_WORDS)})\b", re.IGNORECASE
)


def word_numbers_in(text: str) -> list[Number]:
    """Numbers written as words, one to ninety-nine: 'nine civilians', 'twenty-five'."""
    found = []
    for m in _WORD_NUMBER.finditer(text):
        tens, unit, single = (g.lower() if g else None for g in m.groups())
        value = _WORD_VALUES[single] if single else _WORD_VALUES[tens] + (_WORD_VALUES[unit] if unit else 0)
        found.append(Number(m.group(0), (float(value),), None))
    return found


def _unit_matches(number: Number, unit: str | None) -> bool:
    """A number glued to a measurement unit ('240-millimeter') only counts for a fact in that unit."""
    if number.unit is None or unit is None:
        return True
    wanted = _UNIT_NAMES.get(unit.lower().strip(), unit.lower().strip())
    return number.unit == wanted


def value_in(value: float, unit: str | None, quote: str) -> bool:
    """Whether a quote states the value: in digits ('3,000', '1.2 million') or in words ('nine')."""
    readings = [r for n in numbers_in(quote) for r in n.readings()]
    return _states(value, unit, readings) or _states(value, unit, word_numbers_in(quote))


def _states(value: float, unit: str | None, numbers: list[Number]) -> bool:
    return any(value in n.values and _unit_matches(n, unit) for n in numbers)


def _claim_numbers(claim: str, words: Vocabulary) -> list[Number]:
    """Numbers in a claim that state a quantity: not names (Shahed-136), dates (covered by `as_of`), times,
    ordinals or references."""
    return [n for n in numbers_in(claim) if _not_a_count(claim, n, words) is None]


def _format_number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


# --- the checks ----------------------------------------------------------------------------------


def verify_facts(project: Project) -> list[Diagnostic]:
    """The checks of each fact on its own: quotes, numbers, wording and dates against its sources."""
    texts = {sid: normalise(text) for sid, text in project.texts.items()}
    words = vocabulary().with_units(project.settings.units)
    diags: list[Diagnostic] = []
    paragraphs: dict[str, list[str]] = {}  # of each source, normalised: where an elided quote's parts must be
    for fact in project.facts.values():
        diags += _check_quotes(project, fact, texts, paragraphs)
        diags += _check_numbers(project, fact, words)
        diags += _check_hedges(project, fact, words)
        diags += _check_dates(project, fact)
    return diags


def verify_project(
    project: Project, briefing_date: dt.date, cited: set[str] | None = None, judged: set[str] | None = None
) -> list[Diagnostic]:
    """Every check on a loaded project; `cited` and `judged` (the fact and judgment ids the templates print)
    enable the coverage checks."""
    diags = verify_facts(project)
    diags += _check_judgments(project, judged)
    diags += _check_briefing_date(project, briefing_date)
    diags += _check_topic_names(project)
    diags += _check_topics(project, briefing_date)
    diags += _check_sources(project)
    if cited is not None:
        diags += [
            diagnostic(
                "BG203",
                f"fact '{fid}' is never cited by the briefing template",
                hint="cite it with claim(), value() or cite(), or remove it",
                fact_id=fid,
                **project.where("fact", fid, "id"),
            )
            for fid in project.facts
            if fid not in cited
        ]
    return diags


def _check_quotes(project: Project, fact: Fact, texts: dict[str, str], paragraphs: dict[str, list[str]]) -> Iterable[Diagnostic]:
    for i, citation in enumerate(fact.sources):
        if citation.source not in texts:
            continue  # an unknown source or an unreadable text, reported when loading
        where = project.where("fact", fact.id, "sources", i, "quote")
        pieces = wording.segments(citation.quote)
        parts = [normalise(p) for p in pieces]
        words = sum(len(p.split()) for p in parts)
        if words < project.settings.min_quote_words:
            yield diagnostic(
                "BG103",
                f"quote of fact '{fact.id}' has {words} word{'s' if words != 1 else ''}; "
                f"fewer than {project.settings.min_quote_words} prove little",
                hint="quote the whole phrase that supports the claim",
                fact_id=fact.id,
                **where,
            )
        text = texts[citation.source]
        if len(parts) <= 1 and contains_quote(text, parts[0] if parts else ""):
            continue
        if len(parts) > 1:
            if citation.source not in paragraphs:
                paragraphs[citation.source] = [normalise(p) for p in re.split(r"\n\s*\n", project.texts[citation.source])]
            if contains_in_order(paragraphs[citation.source], parts):
                continue
        source = project.sources[citation.source]
        shown = project.source_path(source)
        message = _not_found(fact, source, shown, citation.quote, pieces, parts, text, project.texts[source.id])
        yield diagnostic("BG101", message, fact_id=fact.id, **where)


def _not_found(
    fact: Fact, source: Source, shown: str, quote: str, pieces: list[str], parts: list[str], text: str, raw: str
) -> str:
    """Why a quote is not in its source: the closest passage; for a quote that leaves words out, the part that
    is not there, or that its parts are not in order within one paragraph."""
    if len(parts) <= 1:
        return f"quote of fact '{fact.id}' is not in source '{source.id}' ({shown})" + closest_passage(quote, raw, shown)
    missing = next((piece for piece, part in zip(pieces, parts, strict=True) if not contains_quote(text, part)), None)
    if missing is not None:
        return (f"quote of fact '{fact.id}' is not in source '{source.id}' ({shown}): its part '{missing}' is not"
                + closest_passage(missing, raw, shown))
    return (f"the parts of the quote of fact '{fact.id}' are in source '{source.id}' ({shown}), but not in this order "
            "within one paragraph")


# The closest-passage search is bounded whatever the sizes: it compares at most the first PROBE_CHARS of a
# quote, and in a long source only windows around the places the quote's rarer words occur.
PROBE_CHARS = 240
WHOLE_SOURCE_CHARS = 200_000
WINDOWS = 24


def closest_passage(quote: str, text: str, shown: str) -> str:
    """'; closest passage at file:line (87% similar): "…"; quote has 'x', source has 'y'' — or nothing."""
    needle = normalise(quote)
    if not needle:
        return ""
    if len(needle) > PROBE_CHARS:
        return _long_quote_difference(needle, text, shown)
    return _describe(needle, _closest(needle, text), text, shown)


def passage(words: str, text: str) -> _Passage | None:
    """The passage of `text` that `words`, as someone remembers them, are from: None when nothing is alike.

    Each sentence (and each pair of sentences) is scored by the words it shares with what was remembered, in
    any order; in the best, the passage is cut to the remembered words when they are nearly verbatim, and is
    the whole sentence otherwise. Its score is 100 for words found exactly."""
    from rapidfuzz import fuzz

    needle = normalise(words)
    if not needle:
        return None
    spans = list(sentences(text))
    best: tuple[float, int, int, int] | None = None  # (score, -length, start, end)
    for i, (start, _) in enumerate(spans):
        same_paragraph = i + 1 < len(spans) and not re.search(r"\n\s*\n", text[spans[i][1] : spans[i + 1][0]])
        for end in (spans[i][1], spans[i + 1][1] if same_paragraph else None):
            if end is None:
                continue
            score = fuzz.token_set_ratio(needle, normalise(text[start:end]))
            candidate = (score, -(end - start), start, end)
            if best is None or candidate > best:
                best = candidate
    if best is None:
        return None
    score, _, start, end = best
    haystack, offsets = _normalise_with_offsets(text[start:end])
    exact = find_quote(haystack, needle)
    if exact >= 0:
        return _Passage(100.0, start + offsets[exact], start + offsets[exact + len(needle) - 1] + 1, needle)
    aligned = fuzz.partial_ratio_alignment(needle, haystack)
    if aligned.score >= 90:
        first, last = _align_words(needle, haystack, aligned.dest_start, aligned.dest_end)
        return _Passage(aligned.score, start + offsets[first], start + offsets[last - 1] + 1, haystack[first:last])
    return _Passage(score, start, end, haystack)


def _describe(needle: str, found: _Passage | None, text: str, shown: str) -> str:
    if found is None:
        return "; nothing in the source comes close"
    line = text.count("\n", 0, found.start) + 1
    passage = " ".join(text[found.start : found.end].split())
    return f'; closest passage at {shown}:{line} ({found.score:.0f}% similar): "{passage}"{_word_difference(needle, found.words)}'


@dataclass(frozen=True)
class _Passage:
    """Where a quote comes closest in a source: offsets in the archived text, and the passage normalised."""

    score: float
    start: int
    end: int
    words: str


def _closest(needle: str, text: str) -> _Passage | None:
    """The passage of `text` closest to a normalised quote of at most PROBE_CHARS, or None below 50%."""
    from rapidfuzz import fuzz

    best = None
    for first, last in _windows(needle, text):
        haystack, offsets = _normalise_with_offsets(text[first:last])
        match = fuzz.partial_ratio_alignment(needle, haystack) if haystack else None
        if match is not None and (best is None or match.score > best[0].score):
            best = (match, haystack, [first + o for o in offsets])
    if best is None or best[0].score < 50:
        return None
    match, haystack, offsets = best
    start, end = _align_words(needle, haystack, match.dest_start, match.dest_end)
    return _Passage(match.score, offsets[start], offsets[end - 1] + 1, haystack[start:end])


def _windows(needle: str, text: str) -> list[tuple[int, int]]:
    """Where in the source to look: all of it when short; else around the places where most of the quote's
    rarer words occur close together."""
    if len(text) <= WHOLE_SOURCE_CHARS:
        return [(0, len(text))]
    lower = text.lower()
    counts = {w: lower.count(w) for w in set(re.findall(r"\w{3,}", needle))}
    rare = sorted((w for w, n in counts.items() if n), key=counts.__getitem__)[:4]
    reach = 2 * len(needle) + 200
    near: dict[int, set[str]] = defaultdict(set)
    for word in rare:
        hit = lower.find(word)
        for _ in range(100_000):
            if hit < 0:
                break
            near[hit // reach].add(word)
            hit = lower.find(word, hit + 1)
    best = sorted(near, key=lambda b: -len(near[b] | near.get(b - 1, set()) | near.get(b + 1, set())))[:WINDOWS]
    windows: list[tuple[int, int]] = []
    for bucket in sorted(best):
        first, last = max((bucket - 1) * reach, 0), min((bucket + 2) * reach, len(text))
        if windows and first <= windows[-1][1]:
            windows[-1] = (windows[-1][0], last)
        else:
            windows.append((first, last))
    return windows


def _long_quote_difference(needle: str, text: str, shown: str) -> str:
    """For a long quote: where its opening is in the source, and the first word after which the two part."""
    probe = needle[:PROBE_CHARS].rsplit(" ", 1)[0]
    found = _closest(probe, text)
    if found is None or round(found.score) != 100:
        return _describe(probe, found, text, shown) + f" (the first {len(probe.split())} words of the quote compared)"
    line = text.count("\n", 0, found.start) + 1
    source_words = _normalise_with_offsets(text[found.start : found.start + 2 * len(needle) + 1000])[0].split()
    quote_words = needle.split()
    parted = next((i for i, (a, b) in enumerate(zip(quote_words, source_words, strict=False)) if a != b), None)
    if parted is None:
        parted = min(len(quote_words), len(source_words))
    after = " ".join(quote_words[max(parted - 6, 0) : parted])
    quote_has = " ".join(quote_words[parted : parted + 4]) or "nothing more"
    source_has = " ".join(source_words[parted : parted + 4]) or "nothing more"
    return (f"; its opening is at {shown}:{line}, and after {parted} matching words "
            f"('…{after}') the quote has '{quote_has}', the source has '{source_has}'")


def _align_words(needle: str, haystack: str, start: int, end: int) -> tuple[int, int]:
    """Grow a character match to the whole words that line up with the quote's words."""
    spans = [m.span() for m in re.finditer(r"\S+", haystack)]
    first = next(i for i, (a, b) in enumerate(spans) if b > start)
    last = max(i for i, (a, b) in enumerate(spans) if a < end)
    quote_words = needle.split()
    # Look a few words beyond the character match, then keep what the word diff lines up.
    lo, hi = max(first - len(quote_words), 0), min(last + len(quote_words), len(spans) - 1)
    window = [haystack[a:b] for a, b in spans[lo : hi + 1]]
    blocks = [b for b in difflib.SequenceMatcher(None, quote_words, window, autojunk=False).get_matching_blocks() if b.size]
    if not blocks:
        return spans[first][0], spans[last][1]
    head, tail = blocks[0], blocks[-1]
    # Words the quote has before its first match (or after its last) stand against the source's words there.
    begin = max(head.b - head.a, 0)
    finish = min(tail.b + tail.size + (len(quote_words) - tail.a - tail.size), len(window)) - 1
    return spans[lo + begin][0], spans[lo + finish][1]


def _word_difference(quote: str, passage: str) -> str:
    """The first place the words differ: "; quote has 'were sent', source has 'were deployed'"."""
    a, b = quote.split(), passage.split()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        before = a[i1 - 1 : i1] if i1 else []
        if tag == "replace":
            return f"; quote has '{' '.join(before + a[i1:i2])}', source has '{' '.join(before + b[j1:j2])}'"
        if tag == "delete":
            return f"; quote adds '{' '.join(a[i1:i2])}' after '{' '.join(before)}'" if before else f"; quote adds '{' '.join(a[i1:i2])}'"
        return f"; quote leaves out '{' '.join(b[j1:j2])}'" + (f" after '{' '.join(before)}'" if before else "")
    return ""


def _check_numbers(project: Project, fact: Fact, words: Vocabulary) -> Iterable[Diagnostic]:
    quotes = [c.quote for c in fact.sources]
    readings = [(q, r) for q in quotes for n in numbers_in(q) for r in n.readings()]
    if fact.value is not None:
        said = [(q, r) for q, r in readings if fact.value in r.values]
        refusals = [(q, r, why) for q, r in said if (why := _why_not_backing(q, r, fact, words))]
        backing = [(q, r) for q, r in said if not any(r is x for _, x, _ in refusals)]
        if not backing and not _states(fact.value, None, [w for q in quotes for w in word_numbers_in(q)]):
            if refusals:
                detail = f"; {refusals[0][2]}"
            elif readings:
                detail = f"; the quotes say {_and(_numbers_said(quotes, words), 'and')}"
            else:
                detail = "; the quotes hold no number"
            yield diagnostic(
                "BG102",
                f"value {_format_number(fact.value)} of fact '{fact.id}' is in none of its quotes{detail}",
                fact_id=fact.id,
                **project.where("fact", fact.id, "value"),
            )
        elif backing:
            yield from _check_qualifier(project, fact, backing, words)
    claimed = _claim_numbers(fact.claim, words)
    if not claimed:
        return
    # Only the quote's numbers that the claim's could match are read in context: reading each costs.
    wanted = {v for n in claimed for r in n.readings() for v in r.values}
    backed = {v for q, r in readings if wanted.intersection(r.values) and _not_a_count(q, r, words) is None for v in r.values}
    backed |= {v for q in quotes for w in word_numbers_in(q) for v in w.values}
    for number in claimed:
        if not backed.intersection(number.values) and not (
            number.parts and all(backed.intersection(p.values) for p in number.parts)
        ):
            said = _numbers_said(quotes, words)
            detail = f"quotes say {_and(said, 'and')}" if said else "the quotes hold no number"
            yield diagnostic(
                "BG104",
                f"claim of fact '{fact.id}' says {number.text.strip()}; {detail}",
                fact_id=fact.id,
                **project.where("fact", fact.id, "claim"),
            )


def _not_a_count(text: str, number: Number, words: Vocabulary) -> str | None:
    """What a number in a text is when it counts nothing ('a name', 'a date', …), else None. A year is a
    year unless a unit word follows it ('2000 troops')."""
    start, end = number.span
    found = wording.context(text, start, end, number.glued)
    if found is None and len(number.values) == 1 and wording.is_year(number.values[0], number.text) and number.unit is None:
        if wording.counted(text, end, words) is None:
            return "a year"
    return found


def _why_not_backing(quote: str, number: Number, fact: Fact, words: Vocabulary) -> str | None:
    """Why a number in a quote equal to a fact's value still does not back it, or None when it does."""
    written = number.text.strip()
    kind = _not_a_count(quote, number, words)
    if kind == "a name":
        return f"the quote's {written!r} is part of a name, {_name_at(quote, number.span)!r}"
    if kind is not None:
        return f"the quote's {written!r} is {kind}"
    if not _unit_matches(number, fact.unit):
        return f"the quote's {written!r} measures something else than {fact.unit}"
    stated = wording.counted(quote, number.span[1], words)
    wanted = words.unit_class(fact.unit) if fact.unit else None
    if stated and wanted and stated[1] != wanted:
        return f"the quote's '{written} {stated[0]}' counts {stated[1]}, not {fact.unit}"
    return None


def _name_at(text: str, span: tuple[int, int]) -> str:
    start, end = span
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "-"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "-"):
        end += 1
    return text[start:end]


# What a fact's qualifier may be when its quote qualifies the number one way: the same, or a weaker one.
_WEAKER = {None: {"about"}, "nearly": {"about"}, "less-than": {"up-to"}, "up-to": set(), "more-than": {"at-least"}, "at-least": set(), "about": set()}


def _check_qualifier(project: Project, fact: Fact, backing: list[tuple[str, Number]], words: Vocabulary) -> Iterable[Diagnostic]:
    """A fact's qualifier must be what the words around its number in a quote say, or weaker."""
    given = None if fact.qualifier in (None, "exact") else fact.qualifier
    said = [(q, r, wording.qualifier(q, *r.span, words)) for q, r in backing]
    kinds = [found[1] if found else None for _, _, found in said]
    if any(kind == given or given in _WEAKER[kind] for kind in kinds):
        return
    quote, number, found = said[0]
    value = _format_number(fact.value)
    if found is None:
        words_said = number.text.strip()
        message = f"fact '{fact.id}' says {given.replace('-', ' ')} {value}; its quote gives '{words_said}' with no qualifier"
        hint = "remove the qualifier, or quote the words that qualify the number"
    else:
        phrase = _qualified(quote, number.span, found[0], words)
        stated = f"qualifier {given}" if given else f"{value} as exact"
        message = f"fact '{fact.id}' gives {stated}; its quote says '{phrase}'"
        hint = f"write qualifier: {found[1]}"
    yield diagnostic("BG106", message, hint=hint, fact_id=fact.id,
                     **project.where("fact", fact.id, "qualifier" if fact.qualifier else "value"))


def _qualified(quote: str, span: tuple[int, int], phrase: str, words: Vocabulary) -> str:
    """The quote's words from its qualifying phrase to its number, or from the number to a phrase that follows
    it ('100 North Korean soldiers or more')."""
    start, end = span
    lowered = quote.lower()
    if any(p == phrase and follows for p, _, follows in words.qualifiers):
        return quote[start : lowered.find(phrase, end) + len(phrase)]
    before = lowered.rfind(phrase, 0, start)
    return quote[before if before >= 0 else start : end].strip()


def _check_hedges(project: Project, fact: Fact, words: Vocabulary) -> Iterable[Diagnostic]:
    """When every quote of a fact hedges, the claim must hedge too."""
    hedged = [wording.hedges_in(c.quote, words.hedges) for c in fact.sources]
    if not all(hedged) or wording.hedges_in(fact.claim, words.hedges):
        return
    hint = "keep the quote's hedge in the claim"
    if fact.kind == "fact" and any(wording.hedges_in(c.quote, words.judgements) for c in fact.sources):
        hint += "; the quote judges or predicts: if the claim does too, mark the fact kind: assessment"
    yield diagnostic(
        "BG107",
        f"claim of fact '{fact.id}' drops the hedge '{hedged[0][0]}' of its quote",
        hint=hint,
        fact_id=fact.id,
        **project.where("fact", fact.id, "claim"),
    )


def _after_publication(project: Project, fact: Fact) -> bool:
    """Whether a fact is dated after a source it cites was published (BG105): its as_of is what is wrong."""
    published = [project.sources[c.source].published for c in fact.sources if c.source in project.sources]
    return any(p is not None and fact.as_of.first > p.last for p in published)


def _check_dates(project: Project, fact: Fact) -> Iterable[Diagnostic]:
    for citation in fact.sources:
        if citation.source not in project.sources:
            continue
        published = project.sources[citation.source].published
        if published is not None and fact.as_of.first > published.last:
            yield diagnostic(
                "BG105",
                f"fact '{fact.id}' is as of {fact.as_of}, after source '{citation.source}' was published ({published})",
                hint="as_of is the date the information refers to, which a source cannot report before it happens",
                fact_id=fact.id,
                **project.where("fact", fact.id, "as_of"),
            )
            break


def topics(project: Project) -> dict[str, list[Fact]]:
    """Facts grouped by topic, each group in `as_of` order."""
    groups: dict[str, list[Fact]] = defaultdict(list)
    for fact in project.facts.values():
        if fact.topic:
            groups[fact.topic].append(fact)
    return {t: sorted(fs, key=lambda f: (f.as_of.sort_key, f.id)) for t, fs in sorted(groups.items())}


def disagreements(facts: list[Fact]) -> list[tuple[Fact, Fact]]:
    """Pairs of facts in one topic whose values differ for overlapping periods."""
    pairs = []
    valued = [f for f in facts if f.value is not None]
    for i, a in enumerate(valued):
        for b in valued[i + 1 :]:
            if a.value != b.value and a.as_of.overlaps(b.as_of):
                pairs.append((a, b))
    return pairs


def _check_topics(project: Project, briefing_date: dt.date) -> Iterable[Diagnostic]:
    stale_after = project.settings.stale_after_days
    for topic, facts in topics(project).items():
        for a, b in disagreements(facts):
            for fact, other in ((a, b), (b, a)):
                if fact.note is None:
                    yield diagnostic(
                        "BG201",
                        f"fact '{fact.id}' ({_format_number(fact.value)}, as of {fact.as_of}) disagrees with "
                        f"'{other.id}' ({_format_number(other.value)}, as of {other.as_of}) in topic '{topic}'",
                        hint="add a note saying why the figures differ",
                        fact_id=fact.id,
                        **project.where("fact", fact.id, "value"),
                    )
        latest = facts[-1]
        if stale_after is not None and (briefing_date - latest.as_of.last).days > stale_after:
            yield diagnostic(
                "BG202",
                f"the latest fact of topic '{topic}' ('{latest.id}', as of {latest.as_of}) is more than "
                f"{stale_after} days older than the briefing date {briefing_date.isoformat()}",
                hint="look for newer reporting, or raise stale_after_days",
                fact_id=latest.id,
                **project.where("fact", latest.id, "as_of"),
            )


def _check_briefing_date(project: Project, briefing_date: dt.date) -> Iterable[Diagnostic]:
    """A briefing cannot be dated before the newest thing it reports."""
    newest: list[tuple[dt.date, str]] = [
        (s.published.first, f"source '{s.id}' was published ({s.published})") for s in project.sources.values() if s.published
    ] + [(f.as_of.first, f"fact '{f.id}' is as of {f.as_of}") for f in project.facts.values() if not _after_publication(project, f)]
    if not newest:
        return
    first, what = max(newest)
    if briefing_date < first:
        settings = project.settings.date is not None and project.settings.date.first == briefing_date
        where = project.documents[project.settings_path].at(("date",)) if settings else {}
        yield diagnostic(
            "BG206",
            f"the briefing date {briefing_date.isoformat()} is before {what}",
            hint="correct date in briefgen.yaml" if settings else "correct --date or SOURCE_DATE_EPOCH",
            **where,
        )


def _check_topic_names(project: Project) -> Iterable[Diagnostic]:
    """A topic misspelt splits a topic in two, silently: declared topics make it an error, and without them a
    topic only one fact uses, close to another's name, is a warning."""
    declared = project.settings.topics
    grouped = topics(project)
    for topic, facts in grouped.items():
        if declared and topic not in declared:
            for fact in facts:
                yield diagnostic(
                    "BG033",
                    f"fact '{fact.id}' has topic '{topic}', which briefgen.yaml does not declare{did_you_mean(topic, declared)}",
                    hint="declare it under topics: in briefgen.yaml, or correct it",
                    fact_id=fact.id,
                    **project.where("fact", fact.id, "topic"),
                )
        elif not declared and len(facts) == 1:
            close = difflib.get_close_matches(topic, [t for t in grouped if t != topic], n=1, cutoff=0.8)
            if close:
                yield diagnostic(
                    "BG207",
                    f"topic '{topic}' of fact '{facts[0].id}' is used by no other fact; did you mean '{close[0]}'?",
                    hint="declare topics: in briefgen.yaml to make an unknown topic an error",
                    fact_id=facts[0].id,
                    **project.where("fact", facts[0].id, "topic"),
                )


def acknowledge(project: Project, diagnostics: list[Diagnostic], complete: bool) -> list[Diagnostic]:
    """Warnings a fact's `reviewed:` acknowledges, marked with the reason; and what is wrong with each review:
    a code that is not a warning's, or (when every check ran, `complete`) one that no longer fires."""
    fired: set[tuple[str, str]] = set()
    out = []
    for d in dict.fromkeys(diagnostics):
        fact = project.facts.get(d.fact_id or "")
        reason = fact.reviewed.get(d.code) if fact else None
        if reason and d.level == "warning":
            d = replace(d, acknowledged=reason)
            fired.add((fact.id, d.code))
        out.append(d)
    for fact in project.facts.values():
        for code in fact.reviewed:
            where = project.where("fact", fact.id, "reviewed", code, key=True)
            known = CODES.get(code)
            if known is None or known.level != "warning":
                what = "is no diagnostic code" if known is None else f"is an error ({known.name}), which no review can set aside"
                out.append(diagnostic("BG023", f"'{code}' in reviewed of fact '{fact.id}' {what}",
                                      hint="reviewed: acknowledges warnings only", fact_id=fact.id, **where))
            elif complete and (fact.id, code) not in fired:
                out.append(diagnostic("BG208", f"fact '{fact.id}' acknowledges {code} ({known.name}), which check no longer reports for it",
                                      hint="remove it from reviewed", fact_id=fact.id, **where))
    return out


# --- judgments and their evidence ---------------------------------------------------------------------


def origins(fact: Fact, sources: dict[str, Source] | None = None) -> dict[str, str]:
    """A fact's independent origins, each with how to name it: articles relaying one statement count once. An
    article's own reporting is named by its title when `sources` is given, else by its id."""
    named: dict[str, str] = {}
    for c in fact.sources:
        if c.said_by:
            name = c.said_by
        elif sources and c.source in sources:
            name = f"the report “{sources[c.source].short_title or sources[c.source].title}”"
        else:
            name = f"article '{c.source}'"
        named.setdefault(c.origin_key(), name)
    return named


_LEVELS = ("low", "moderate", "high")


def allowed_confidence(project: Project, rests_on: list[str]) -> tuple[str, Fact | None, set[str]]:
    """The highest confidence the policy allows a judgment on these facts; its best-corroborated fact; the grades
    of the sources under it."""
    facts = [project.facts[f] for f in rests_on if f in project.facts]
    best = max(facts, key=lambda f: len(origins(f)), default=None)
    grades = {project.sources[c.source].grade for f in facts for c in f.sources if c.source in project.sources}
    for level in ("high", "moderate"):
        rule = project.settings.confidence_policy.get(level)  # type: ignore[call-overload]
        if rule and best is not None and len(origins(best)) >= rule.origins and grades & set(rule.grades):
            return level, best, grades
    return "low", best, grades


def _check_judgments(project: Project, judged: set[str] | None) -> Iterable[Diagnostic]:
    for judgment in project.judgments.values():
        allowed, best, grades = allowed_confidence(project, judgment.rests_on)
        if _LEVELS.index(judgment.confidence) > _LEVELS.index(allowed) and not judgment.rationale:
            rule = project.settings.confidence_policy[judgment.confidence]  # type: ignore[index]
            named = list(origins(best, project.sources).values()) if best else []
            evidence = (f"its best-corroborated fact ('{best.id}') has {len(named)} independent origin"
                        f"{'s' if len(named) != 1 else ''} ({'; '.join(named)})" if best else "it rests on no fact")
            yield diagnostic(
                "BG209",
                f"judgment '{judgment.id}' is {judgment.confidence} confidence, but its evidence allows {allowed}: "
                f"{evidence}, and its sources are graded {', '.join(sorted(grades)) or 'nothing'}; {judgment.confidence} "
                f"needs {rule.origins} origins and a source graded {'/'.join(rule.grades)}",
                hint="lower the confidence, rest it on corroborated facts, or say why in rationale",
                **project.where("judgment", judgment.id, "confidence"),
            )
        if judged is not None and judgment.id not in judged:
            yield diagnostic("BG210", f"judgment '{judgment.id}' is printed by no briefing",
                             hint="print it with judgment() or judgments(), or remove it",
                             **project.where("judgment", judgment.id, "id"))


def _check_sources(project: Project) -> Iterable[Diagnostic]:
    used = {c.source for f in project.facts.values() for c in f.sources}
    for source in project.sources.values():
        if source.id not in used:
            yield diagnostic(
                "BG204", f"source '{source.id}' is cited by no fact", **project.where("source", source.id, "id")
            )
        if source.reliability is None:
            yield diagnostic(
                "BG212",
                f"source '{source.id}' has no reliability grade, so it counts as F (cannot be judged)",
                hint="grade it with reliability: A to F, and say why in reliability_note",
                **project.where("source", source.id, "id"),
            )
        elif source.reliability != "F" and not source.reliability_note:
            yield diagnostic(
                "BG211",
                f"source '{source.id}' is graded {source.reliability} without a reliability_note saying why",
                hint="say what the grade rests on (track record, access, corroboration), or grade it F",
                **project.where("source", source.id, "reliability"),
            )
        missing = [f for f in ("publisher", "url", "published") if not source.has(f)]
        if missing:
            yield diagnostic(
                "BG205",
                f"source '{source.id}' does not give its {_and(missing)}",
                hint="add them, or write null where the article states none",
                **project.where("source", source.id, "id"),
            )


def _and(words: list[str], conjunction: str = "or") -> str:
    """'a', 'a or b', 'a, b or c'."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {conjunction} " + words[-1]


def _numbers_said(quotes: list[str], words: Vocabulary) -> list[str]:
    """The quantities the quotes state, as written, in the order they appear (not names, dates or references)."""
    return list(dict.fromkeys(n.text for q in quotes for n in numbers_in(q) if _not_a_count(q, n, words) is None))


def by_source(project: Project) -> dict[str, list[Fact]]:
    """The facts that rest on each source."""
    out: dict[str, list[Fact]] = {sid: [] for sid in project.sources}
    for fact in project.facts.values():
        for sid in dict.fromkeys(c.source for c in fact.sources):
            out[sid].append(fact)
    return out

