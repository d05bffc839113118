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
from dataclasses import dataclass

from briefgen.diagnostics import Diagnostic, diagnostic
from briefgen.loading import Project
from briefgen.model import Fact

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
    start = text.find(quote)
    while start != -1:
        end = start + len(quote)
        if _boundary(text, start - 1, quote[0], -1) and _boundary(text, end, quote[-1], 1):
            return True
        start = text.find(quote, start + 1)
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
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE_NUMBER = re.compile(rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\d{{1,2}}\s+(?:{_MONTHS})\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Number:
    """A number as written in a text: its value(s) and the measurement unit glued to it, if any."""

    text: str
    values: tuple[float, ...]
    unit: str | None
    # Digits grouped by plain spaces ("220 170") may also be read as separate numbers: these.
    parts: tuple[Number, ...] = ()

    def readings(self) -> list[Number]:
        """This number, and the separate numbers it may also be read as."""
        return [self, *self.parts]


def numbers_in(text: str) -> list[Number]:
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
            parts = tuple(numbers_in(head)) + tuple(numbers_in(rest + text[m.end(1) : m.end()]))
        unit = _UNIT_NAMES.get((m.group("unit") or "").lower())
        found.append(Number(m.group(0), tuple(values), unit, parts))
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


def _claim_numbers(claim: str) -> list[Number]:
    """Numbers in a claim that state a quantity: years and days of the month are dates, covered by `as_of`."""
    dates = {m.span() for m in _DATE_NUMBER.finditer(claim)}
    out = []
    for n in numbers_in(claim):
        if len(n.values) == 1 and n.values[0].is_integer() and 1900 <= n.values[0] <= 2100 and "," not in n.text:
            continue
        out.append(n)
    return [n for n in out if not any(n.text in claim[a:b] for a, b in dates)]


def _format_number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


# --- the checks ----------------------------------------------------------------------------------


def verify_facts(project: Project) -> list[Diagnostic]:
    """The checks of each fact on its own: quotes, numbers and dates against its sources."""
    texts = {sid: normalise(text) for sid, text in project.texts.items()}
    diags: list[Diagnostic] = []
    for fact in project.facts.values():
        diags += _check_quotes(project, fact, texts)
        diags += _check_numbers(project, fact)
        diags += _check_dates(project, fact)
    return diags


def verify_project(project: Project, briefing_date: dt.date, cited: set[str] | None = None) -> list[Diagnostic]:
    """Every check on a loaded project; `cited` (fact ids the template cites) enables the coverage checks."""
    diags = verify_facts(project)
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


def _check_quotes(project: Project, fact: Fact, texts: dict[str, str]) -> Iterable[Diagnostic]:
    for i, citation in enumerate(fact.sources):
        if citation.source not in texts:
            continue  # an unknown source or an unreadable text, reported when loading
        where = project.where("fact", fact.id, "sources", i, "quote")
        quote = normalise(citation.quote)
        words = len(quote.split())
        if words < project.settings.min_quote_words:
            yield diagnostic(
                "BG103",
                f"quote of fact '{fact.id}' has {words} word{'s' if words != 1 else ''}; "
                f"fewer than {project.settings.min_quote_words} prove little",
                hint="quote the whole phrase that supports the claim",
                fact_id=fact.id,
                **where,
            )
        if contains_quote(texts[citation.source], quote):
            continue
        source = project.sources[citation.source]
        yield diagnostic(
            "BG101",
            f"quote of fact '{fact.id}' is not in source '{source.id}' ({project.source_path(source)})"
            + closest_passage(citation.quote, project.texts[source.id], project.source_path(source)),
            fact_id=fact.id,
            **where,
        )


# The closest-passage search is bounded whatever the sizes: it compares at most the first PROBE_CHARS of a
# quote, and in a long source only windows around the places the quote's rarer words occur.
PROBE_CHARS = 240
WHOLE_SOURCE_CHARS = 200_000
WINDOWS = 24


def closest_passage(quote: str, text: str, shown: str) -> str:
    """'; closest passage at file:line (87% similar): "…"; quote has 'x', source has 'y'' — or nothing."""
    from rapidfuzz import fuzz

    needle = normalise(quote)
    if len(needle) > PROBE_CHARS:
        return _long_quote_difference(needle, text, shown)
    best = None
    for first, last in _windows(needle, text):
        haystack, offsets = _normalise_with_offsets(text[first:last])
        match = fuzz.partial_ratio_alignment(needle, haystack) if haystack else None
        if match is not None and (best is None or match.score > best[0].score):
            best = (match, haystack, [first + o for o in offsets])
    if not needle or best is None or best[0].score < 50:
        return "; nothing in the source comes close" if needle else ""
    match, haystack, offsets = best
    start, end = _align_words(needle, haystack, match.dest_start, match.dest_end)
    passage_start = offsets[start]
    passage_end = offsets[end - 1] + 1
    passage = " ".join(text[passage_start:passage_end].split())
    line = text.count("\n", 0, passage_start) + 1
    difference = _word_difference(needle, haystack[start:end])
    return f'; closest passage at {shown}:{line} ({match.score:.0f}% similar): "{passage}"{difference}'


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
    found = closest_passage(probe, text, shown)
    located = re.match(r'; closest passage at .*?:(\d+) \((\d+)% similar\)', found)
    if not located or located.group(2) != "100":
        return found and found + f" (the first {len(probe.split())} words of the quote compared)"
    line = int(located.group(1))
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    source_words = _normalise_with_offsets(text[start : start + 2 * len(needle) + 1000])[0].split()
    quote_words = needle.split()
    begin = next((i for i in range(len(source_words)) if source_words[i : i + 8] == quote_words[:8]), 0)
    source_words = source_words[begin:]
    parted = next((i for i, (a, b) in enumerate(zip(quote_words, source_words, strict=False)) if a != b), None)
    if parted is None:
        parted = min(len(quote_words), len(source_words))
    after = " ".join(quote_words[max(parted - 6, 0) : parted])
    quote_has = " ".join(quote_words[parted : parted + 4]) or "nothing more"
    source_has = " ".join(source_words[parted : parted + 4]) or "nothing more"
    return (f"; its opening is at {shown}:{line}, and after {len(quote_words[:parted])} matching words "
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


def _check_numbers(project: Project, fact: Fact) -> Iterable[Diagnostic]:
    quotes = [c.quote for c in fact.sources]
    readings = [r for q in quotes for n in numbers_in(q) for r in n.readings()]
    if (
        fact.value is not None
        and not _states(fact.value, fact.unit, readings)
        and not _states(fact.value, fact.unit, [w for q in quotes for w in word_numbers_in(q)])
    ):
        said = _numbers_said(quotes)
        glued = [r.text for r in readings if fact.value in r.values and not _unit_matches(r, fact.unit)]
        if glued:
            detail = f"; the quote's {glued[0]!r} measures something else than {fact.unit}"
        elif said:
            detail = f"; the quotes say {_and(said, 'and')}"
        else:
            detail = "; the quotes hold no number"
        yield diagnostic(
            "BG102",
            f"value {_format_number(fact.value)} of fact '{fact.id}' is in none of its quotes{detail}",
            fact_id=fact.id,
            **project.where("fact", fact.id, "value"),
        )
    backed = {v for r in readings for v in r.values}
    for number in _claim_numbers(fact.claim):
        if not backed.intersection(number.values) and not (
            number.parts and all(backed.intersection(p.values) for p in number.parts)
        ):
            said = _numbers_said(quotes)
            detail = f"quotes say {_and(said, 'and')}" if said else "the quotes hold no number"
            yield diagnostic(
                "BG104",
                f"claim of fact '{fact.id}' says {number.text.strip()}; {detail}",
                fact_id=fact.id,
                **project.where("fact", fact.id, "claim"),
            )


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


def _check_sources(project: Project) -> Iterable[Diagnostic]:
    used = {c.source for f in project.facts.values() for c in f.sources}
    for source in project.sources.values():
        if source.id not in used:
            yield diagnostic(
                "BG204", f"source '{source.id}' is cited by no fact", **project.where("source", source.id, "id")
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


def _numbers_said(quotes: list[str]) -> list[str]:
    """The numbers the quotes state, as written, in the order they appear."""
    return list(dict.fromkeys(n.text for q in quotes for n in numbers_in(q)))


def by_source(project: Project) -> dict[str, list[Fact]]:
    """The facts that rest on each source."""
    out: dict[str, list[Fact]] = {sid: [] for sid in project.sources}
    for fact in project.facts.values():
        for sid in dict.fromkeys(c.source for c in fact.sources):
            out[sid].append(fact)
    return out

