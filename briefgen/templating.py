"""The Jinja environment and the helpers through which templates reach facts, always with a footnote."""

from __future__ import annotations

import datetime as dt
import functools
import html
import inspect
import os
import re
import signal
import stat
import sys
import threading
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup

from briefgen.charts import FIGURES, KINDS, Chart, Point
from briefgen.diagnostics import plural
from briefgen.errors import BriefgenError
from briefgen.files import HINTS, Unreadable, project_roots, read_bytes
from briefgen.loading import TEMPLATES_DIR, Project, did_you_mean, display_path
from briefgen.model import LIKELIHOODS, RELIABILITY_LABELS, Fact, Judgment, PartialDate, Source
from briefgen.verify import allowed_confidence, by_source, disagreements, origins, topics

if TYPE_CHECKING:
    from briefgen.editions import Changes, FieldChange

BUILTIN_TEMPLATES = Path(__file__).parent / "templates"

# A footnote call is a placeholder until the whole document is rendered, then numbered in reading order.
_CALL_OPEN, _CALL_CLOSE = "\ue000", "\ue001"
_CALL = re.compile(f"{_CALL_OPEN}([^{_CALL_CLOSE}]*){_CALL_CLOSE}")

QUALIFIER_WORDS = {
    "exact": "",
    "about": "about",
    "nearly": "nearly",
    "less-than": "less than",
    "at-least": "at least",
    "more-than": "more than",
    "up-to": "up to",
}


class Md(Markup):
    """Text that is already Markdown: templates print it as it is, and text joined to it is escaped."""

    @classmethod
    def escape(cls, s: object) -> Md:  # type: ignore[override]
        return escape_md(s)


_BACKSLASHED = re.compile(r"([\\`*_{}\[\]|])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", "~": "&#126;", "^": "&#94;", "$": "&#36;", _CALL_OPEN: "&#xe000;", _CALL_CLOSE: "&#xe001;",
             FIGURES: "&#xe002;"}
_ENTITY_CHARS = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPECIAL = re.compile("[" + re.escape("\\`*_{}[]|" + "".join(_ENTITIES)) + "]")
_LEADING = re.compile(r"^(?:([#>+-])|(=)|(\d+)([.)]))")
# What renderers would link by themselves: GitHub's `www.` and `scheme://` autolinks, markdown-it's linkify of
# bare domains, pandoc's autolink_bare_uris. A backslash before each dot of a host name, and the colon of a
# scheme as an entity, keep such text plain in every renderer (a backslash inside a URL GitHub would keep).
_HOST = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_HOST_DOT = re.compile(r"[\w-]\.[^\W\d_]{2}")  # what every host name holds: most text has none, and skips _HOST
_SCHEME = re.compile(r"(?<=[A-Za-z0-9+.-]):(?=//)|(?i:(?<=mailto)|(?<=xmpp)):")


def escape_md(value: object) -> Md:
    """Escape text so Markdown (Python-Markdown, GitHub, pandoc) and HTML show it literally, on one line."""
    if hasattr(value, "__html__"):
        return Md(value)
    text = " ".join(str(value).split())
    # Control characters cannot be shown, and \x02/\x03 are Python-Markdown's own placeholders.
    text = _CONTROL.sub("\ufffd", text)
    if _SPECIAL.search(text):
        text = _ENTITY_CHARS.sub(lambda m: _ENTITIES[m.group()], text)
        text = _BACKSLASHED.sub(r"\\\1", text)

    if ":" in text:
        text = _SCHEME.sub("&#58;", text)
    if "." in text and _HOST_DOT.search(text):
        text = _HOST.sub(lambda m: m.group().replace(".", "\\."), text)

    def lead(m: re.Match[str]) -> str:
        if m.group(1):
            return "\\" + m.group(1)
        if m.group(2):
            return "&#61;"
        return m.group(3) + "\\" + m.group(4)

    return Md(_LEADING.sub(lead, text, count=1))


# A footnote call in briefgen's Markdown, with the raised comma that separates it from a call next to it.
_NUMBERED_CALL = re.compile(r"(?<!\\)\[\^(\d+)\](?:<sup>,</sup>)?")
# An e-mail address whose host name escape_md escaped: GitHub links it even so, unless the `@` is not next to
# the name before it. A word joiner (U+2060, invisible, no break) is between them.
_EMAIL = re.compile(r"(?<=[\w.+-])@(?=[\w-]+\\\.)")


def portable_markdown(body: str, notes: list[str], heading: str = "Notes") -> str:
    """The briefing's Markdown as GitHub (cmark-gfm), markdown-it and pandoc all show it, the same in each.

    Markdown footnotes are an extension that renderers place and number as they like: every one of them puts
    the notes after everything else, below the closing marking. Here the calls are plain bracketed numbers
    (`\\[3]`, escaped so that no bracket pair can become a link) and the notes an ordered list under a heading
    at the end of the body, so the page template's closing marking is last. No raw HTML is left (safe renderers
    drop it), and no e-mail address can become a link.
    """
    text = _NUMBERED_CALL.sub(r"\\[\1]", body).rstrip() + "\n"
    if notes:
        text += f"\n## {heading}\n\n" + "".join(f"{n}. {note}\n" for n, note in enumerate(notes, start=1))
    return unlink_emails(text)


def unlink_emails(markdown: str) -> str:
    """Markdown with no e-mail address GitHub would link (escape_md has escaped the dots of their hosts)."""
    return _EMAIL.sub("\u2060@", markdown)


def plain_text(markdown: str) -> str:
    """Undo escape_md, for text shown outside Markdown (terminal output)."""
    # As a plain str: re.sub joins the pieces of an Md with Md.join, which would escape them all over again.
    return html.unescape(re.sub(r"\\(.)", r"\1", str(markdown)))


def _finalize(value: Any) -> Markup:
    """Every `{{ … }}` goes through here: helper and macro output passes, anything else is escaped."""
    if hasattr(value, "__html__"):
        return value
    if value is None:
        return Md("")
    if isinstance(value, PartialDate):
        return escape_md(value.display())
    return escape_md(value)


def format_number(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,}"
    return f"{int(value):,}"


class TemplateProblem(Exception):
    """A template asked for something that does not exist; reported at the template's line."""

    def __init__(self, message: str, code: str = "BG302") -> None:
        super().__init__(message)
        self.code = code


# --- what templates see ------------------------------------------------------------------------


class SourceView:
    """A source as templates see it; its text fields are escaped when printed."""

    def __init__(self, source: Source, facts: list[Fact]) -> None:
        self._source = source
        self.id = source.id
        self.title = source.title
        self.publisher = source.publisher
        self.url = source.url
        self.published = source.published
        self.date_inferred = source.date_inferred
        self.reliability = source.grade
        self.reliability_label = RELIABILITY_LABELS[source.grade] + (" (not graded)" if source.reliability is None else "")
        self.reliability_note = source.reliability_note
        self.note = source.note
        self.fact_count = len(facts)
        self.fact_ids = [f.id for f in facts]

    @property
    def date(self) -> str:
        """The publication date as a reader writes it, saying when it is inferred."""
        if self.published is None:
            return "date not stated"
        return self.published.display() + (" (date inferred)" if self.date_inferred else "")

    @property
    def reference(self) -> Md:
        """Publisher, “title”, date and URL, in source-reference style."""
        return source_reference(self._source)

    @property
    def name(self) -> Md:
        """Publisher and “title” (and the URL, when known), without the date."""
        url = f", <{self.url}>" if self.url else ""
        return Md(f"{publisher_phrase(self._source)}, “{escape_md(self.title)}”{url}")


class FactView:
    """A fact as templates see it. Its claim is reachable only through claim(), which adds the footnote."""

    def __init__(self, fact: Fact, views: dict[str, SourceView], sources: dict[str, Source]) -> None:
        self._fact = fact
        self.id = fact.id
        self.category = fact.category
        self.topic = fact.topic
        self.as_of = fact.as_of
        self.date_inferred = fact.date_inferred
        self.value = fact.value
        self.unit = fact.unit
        self.qualifier = fact.qualifier
        self.kind = fact.kind
        self.confidence = fact.confidence
        self.note = fact.note
        self.sources = [views[sid] for sid in dict.fromkeys(c.source for c in fact.sources)]
        self.attributions = list(dict.fromkeys(c.attribution for c in fact.sources if c.attribution))
        self.origins = list(origins(fact, sources).values())  # who first said it: relays count once

    @property
    def date(self) -> str:
        """The `as_of` date as a reader writes it, marked when it is inferred."""
        return self.as_of.display() + (" (inferred)" if self.date_inferred else "")

    @property
    def single_source(self) -> bool:
        """Whether the fact rests on one independent origin, however many articles relay it."""
        return len(self.origins) < 2

    def __getattr__(self, name: str) -> Any:
        if name in ("claim", "quote"):
            raise TemplateProblem(f"fact '{self.id}': print its {name} with claim(...) so it carries its footnote", "BG305")
        raise AttributeError(name)


class JudgmentView:
    """A judgment as templates see it. Its statement is reachable only through judgment(), which adds the calls of
    the facts it rests on: a judgment is never printed without its evidence."""

    def __init__(self, judgment: Judgment, helpers: Helpers) -> None:
        self._judgment = judgment
        self.id = judgment.id
        self.confidence = judgment.confidence
        self.likelihood = judgment.likelihood
        self.band = LIKELIHOODS.get(judgment.likelihood or "")
        self.rationale = judgment.rationale
        self.dissent = judgment.dissent
        self.facts = [helpers.views[f] for f in judgment.rests_on if f in helpers.views]
        self.origins = list(dict.fromkeys(o for f in self.facts for o in f.origins))
        self.grades = sorted({s.reliability for f in self.facts for s in f.sources})
        self.allowed = allowed_confidence(helpers.project, judgment.rests_on)[0]

    def __getattr__(self, name: str) -> Any:
        if name == "statement":
            raise TemplateProblem(f"judgment '{self.id}': print it with judgment(...) so it carries its evidence", "BG305")
        raise AttributeError(name)


# How a changed field is named when the briefing says what a fact said before.
_FIELD_WORDS = {"claim": "wording", "value": "figure", "as_of": "date", "sources": "sources", "qualifier": "qualifier"}


class ChangesView:
    """What changed since the last edition, for the "What changed" section (build --since)."""

    def __init__(self, changes: Changes, helpers: Helpers) -> None:
        self.label = changes.label
        self.date = PartialDate.parse(changes.date).display() if changes.date else changes.date
        # How the briefing names the edition it compares with: by its briefing date, else when it was committed.
        self.edition = f"the edition {'of' if changes.dated_by == 'briefing' else 'committed on'} {self.date} ({self.label})"
        self.count = len(changes)
        self.added = [helpers.views[f.id] for f in changes.added]
        self.updated = [(helpers.views[f.id], [_was(c) for c in found]) for f, found in changes.changed]
        self.removed = [SimpleNamespace(id=f.id, claim=f.claim, category=f.category) for f in changes.removed]
        self.sources_added = [helpers.source_views[s.id] for s in changes.sources_added]
        self.sources_removed = [SimpleNamespace(id=s.id, title=s.title) for s in changes.sources_removed]

    def __bool__(self) -> bool:
        return True  # an edition with no changes still gets its (short) section


def _was(change: FieldChange) -> str:
    """'figure 3,000', 'date February 2025': what a changed fact said before."""
    old = change.old
    if change.name == "value" and isinstance(old, (int, float)):
        old = format_number(old)
    elif change.name == "as_of":
        old = PartialDate.parse(old).display()
    elif change.name == "sources":
        return "sources " + ", ".join(dict.fromkeys(s for s, _, _ in old))
    elif change.name == "claim":
        return f"“{str(old).rstrip('.')}”"  # the sentence's own full stop would stand before the quote's end
    return f"{_FIELD_WORDS.get(change.name, change.name.replace('_', ' '))} {old if old is not None else '(none)'}"


@dataclass(frozen=True)
class TopicView:
    id: str
    label: str
    facts: list[FactView]

    @property
    def values(self) -> list[float]:
        return sorted({f.value for f in self.facts if f.value is not None})


def publisher_phrase(source: Source) -> Md:
    """The publisher, or "Publisher not stated" (naming the original source of a rewritten text)."""
    if source.publisher:
        return escape_md(source.publisher)
    if source.original_source:
        return Md(f"Publisher not stated (original source: {escape_md(source.original_source)})")
    return Md("Publisher not stated")


def source_reference(source: Source) -> Md:
    """The full reference: publisher, “title”, date (saying when it is inferred), URL."""
    parts = [publisher_phrase(source), f"“{escape_md(source.title)}”"]
    if source.published is not None:
        parts.append(source.published.display() + (" (date inferred)" if source.date_inferred else ""))
    else:
        parts.append("date not stated")
    if source.url:
        parts.append(f"<{source.url}>")
    return Md(", ".join(parts))


def short_reference(source: Source) -> Md:
    """The shortened reference used once a note has given the full one: publisher, “short title”, date."""
    publisher = escape_md(source.publisher) if source.publisher else "Publisher not stated"  # origin is in the full one
    date = source.published.display() if source.published is not None else "date not stated"
    return Md(f"{publisher}, “{escape_md(short_title(source))}”, {date}")


def short_title(source: Source, words: int = 5) -> str:
    """The source's short title, or its first few words."""
    if source.short_title:
        return source.short_title
    parts = source.title.split()
    return source.title if len(parts) <= words + 1 else " ".join(parts[:words]).rstrip(",;:") + "…"


_STRAIGHT_DOUBLE = re.compile(r'(^|[\s(\[—–-])"|"')


def nest_quotes(quote: str) -> str:
    """Double quotation marks inside a quotation become single ones, as print style has it."""
    quote = quote.replace("“", "‘").replace("”", "’")
    return _STRAIGHT_DOUBLE.sub(lambda m: f"{m.group(1)}‘" if m.group(1) is not None else "’", quote)


def footnote_text(fact: Fact, sources: dict[str, Source], referenced: set[str] | None = None) -> Md:
    """One footnote for a fact: each source's reference and quoted words, separated by semicolons.

    Sources in `referenced` already had a full reference in an earlier note and get the short form, as in
    print; the note adds the sources it references in full to the set.
    """
    notes = []
    for citation in fact.sources:
        source = sources[citation.source]
        if referenced is None or source.id not in referenced:
            reference = source_reference(source)
            if referenced is not None:
                referenced.add(source.id)
        else:
            reference = short_reference(source)
        note = f"{reference}: “{escape_md(nest_quotes(citation.quote))}”"
        if citation.attribution:
            note += f" (citing {escape_md(citation.attribution)})"
        notes.append(note)
    text = "; ".join(notes)
    # A quote that ends a sentence already closes the note: “… attack.” takes no second full stop.
    return Md(text if re.search(r"[.!?]”$", text) else text + ".")


def _calling_template_line() -> tuple[str, int]:
    """The template file and line that called a helper: the innermost frame of Jinja's compiled template code."""
    frame = sys._getframe(2)
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and template.filename:
            return display_path(Path(template.filename)), template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return "template", 0


def template_helper(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` as templates call it: its arguments checked against its type hints first, so a template
    that passes the wrong kind of value (`number("abc")`, `series(["x"])`) gets a located error naming the
    helper and what it expects (BG305), never a traceback from deep inside the helper."""
    name = function.__name__
    signature = inspect.signature(function)
    hints = typing.get_type_hints(function)

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise TemplateProblem(f"{name}(): {exc}", "BG305") from None
        for param, given in bound.arguments.items():
            several = signature.parameters[param].kind is inspect.Parameter.VAR_POSITIONAL
            for value in given if several else (given,):
                _check_argument(name, param, value, hints.get(param))
        return function(*args, **kwargs)

    return checked


def _check_argument(helper: str, param: str, value: Any, hint: Any) -> None:
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()  # an undefined variable, reported as anywhere else (BG303)
    kinds = typing.get_args(hint) or (hint,)
    if hint is None or any(_is_kind(value, kind) for kind in kinds):
        return
    expected = " or ".join(_KIND_WORDS.get(kind, kind.__name__) for kind in kinds)
    raise TemplateProblem(f"{helper}(): {param} must be {expected}, got {_described(value)}", "BG305")


_KIND_WORDS: dict[Any, str] = {str: "text", float: "a number", int: "a whole number", bool: "true or false",
                               type(None): "none", FactView: "a fact"}


def _is_kind(value: Any, kind: Any) -> bool:
    if kind in (int, float) and isinstance(value, bool):
        return False  # true is not 1 to a reader
    if kind is float:
        return isinstance(value, int | float)
    return value is None if kind is type(None) else isinstance(value, kind)


def _described(value: Any) -> str:
    """A template value as a message names it: `text ('abc')`, `a list`, `fact 'x'`."""
    if value is None or isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value[:40]!r})"
    if isinstance(value, FactView | SourceView):
        return f"{'fact' if isinstance(value, FactView) else 'source'} '{value.id}'"
    if isinstance(value, list | tuple):
        return "a list"
    return "a mapping" if isinstance(value, dict) else type(value).__name__


class Helpers:
    """The functions and values a briefing template is given."""

    def __init__(self, project: Project, briefing_date: dt.date, changes: Changes | None = None) -> None:
        self.project = project
        self.briefing_date = briefing_date
        self.changes = changes
        facts_by_source = by_source(project)
        self.source_views = {sid: SourceView(s, facts_by_source[sid]) for sid, s in project.sources.items()}
        self.views = {fid: FactView(f, self.source_views, project.sources) for fid, f in project.facts.items()}
        self.topic_groups = topics(project)
        self.call_sites: dict[str, tuple[str, int]] = {}  # fact id -> template file and line of its first call
        self.judged: list[str] = []  # judgment ids printed, in order
        self.charts: list[Chart] = []  # the charts asked for, drawn once the notes are numbered
        self.judgment_views = {jid: JudgmentView(j, self) for jid, j in project.judgments.items()}
        # Indexes, so that templates looping over categories and topics stay linear in the number of facts.
        self.by_category: dict[str, list[FactView]] = {name: [] for name in project.settings.categories}
        self.by_category_topic: dict[tuple[str, str], list[FactView]] = {}
        for view in sorted(self.views.values(), key=lambda v: (v.as_of.sort_key, v.id)):
            self.by_category.setdefault(view.category, []).append(view)
            if view.topic:
                self.by_category_topic.setdefault((view.category, view.topic), []).append(view)

    # Looking facts up.

    def fact(self, ref: str | FactView) -> FactView:
        if isinstance(ref, FactView):
            return ref
        view = self.views.get(ref)
        if view is None:
            raise TemplateProblem(f"unknown fact id '{ref}'{did_you_mean(ref, self.views)}")
        return view

    def facts(self, *refs: str | FactView) -> list[FactView]:
        """The named facts, in the order given."""
        return [self.fact(r) for r in refs]

    def facts_in(self, category: str, topic: str | None = None) -> list[FactView]:
        """A category's facts (optionally of one topic) in date order."""
        self._check_category(category)
        if topic is None:
            return list(self.by_category[category])
        return list(self.by_category_topic.get((category, topic), []))

    def topics_in(self, category: str) -> dict[str, str]:
        """The topics of a category's facts that give figures, in date order, each with its label."""
        self._check_category(category)
        found: dict[str, str] = {}
        for view in self.by_category[category]:
            if view.topic and view.value is not None and view.topic not in found:
                found[view.topic] = self.topic_label(view.topic)
        return found

    def _check_category(self, category: str) -> None:
        if category not in self.project.settings.categories:
            raise TemplateProblem(f"unknown category '{category}'{did_you_mean(category, self.project.settings.categories)}")

    def series(self, topic: str) -> list[FactView]:
        """The facts of a topic in date order."""
        if topic not in self.topic_groups:
            raise TemplateProblem(f"unknown topic '{topic}'{did_you_mean(topic, self.topic_groups)}")
        return [self.views[f.id] for f in self.topic_groups[topic]]

    def latest(self, topic: str) -> FactView:
        """The most recent fact of a topic."""
        return self.series(topic)[-1]

    def timeline(self, *refs: str | FactView) -> list[FactView]:
        """The named facts (all facts if none are named) in date order."""
        chosen = self.facts(*refs) if refs else list(self.views.values())
        return sorted(chosen, key=lambda v: (v.as_of.sort_key, v.id))

    def disagreements(self) -> list[TopicView]:
        """Topics where sources disagree, as `check` defines it (BG201): facts giving different figures for
        overlapping periods. Each comes with those facts, in date order; a figure that merely changed over
        time is not a disagreement."""
        out = []
        for topic, facts in self.topic_groups.items():
            pairs = disagreements(facts)
            if pairs:
                disputed = {f.id for pair in pairs for f in pair}
                views = [self.views[f.id] for f in facts if f.id in disputed]
                out.append(TopicView(topic, self.topic_label(topic), views))
        return out

    def figures_that_differ(self) -> list[TopicView]:
        """Topics whose facts give more than one figure, because sources disagree or because a figure changed
        over time, each with all its facts in date order."""
        out = []
        for topic, facts in self.topic_groups.items():
            if len({f.value for f in facts if f.value is not None}) > 1:
                out.append(TopicView(topic, self.topic_label(topic), [self.views[f.id] for f in facts]))
        return out

    def judgments(self) -> list[JudgmentView]:
        """The analyst's judgments, in the order of judgments.yaml."""
        return list(self.judgment_views.values())

    def judgment(self, ref: str | JudgmentView) -> Md:
        """A judgment as the briefing prints it: the statement in bold with the calls of the facts it rests on,
        then its confidence and likelihood in words."""
        view = ref if isinstance(ref, JudgmentView) else self.judgment_views.get(ref)
        if view is None:
            raise TemplateProblem(f"unknown judgment id '{ref}'{did_you_mean(str(ref), self.judgment_views)}")
        if view.id not in self.judged:
            self.judged.append(view.id)
        calls = self.cite(*view._judgment.rests_on)
        likelihood = f"; {view.likelihood} ({view.band})" if view.likelihood else ""
        return Md(f"**{escape_md(view._judgment.statement)}**{calls} *{view.confidence.capitalize()} confidence{likelihood}.*")

    def topic_label(self, topic: str) -> str:
        return self.project.settings.topics.get(topic) or topic.replace("-", " ").capitalize()

    def source(self, source_id: str) -> SourceView:
        view = self.source_views.get(source_id)
        if view is None:
            raise TemplateProblem(f"unknown source id '{source_id}'{did_you_mean(source_id, self.source_views)}")
        return view

    # Printing facts: each of these attaches the fact's footnote.

    def cite(self, *refs: str | FactView) -> Md:
        """The footnote marker(s) of one or more facts."""
        ids = [self.fact(r).id for r in refs]
        for fid in ids:
            if fid not in self.call_sites:
                self.call_sites[fid] = _calling_template_line()
        return Md("".join(f"{_CALL_OPEN}{fid}{_CALL_CLOSE}" for fid in ids))

    def chart(self, topic: str, kind: str = "line", title: str | None = None) -> Md:
        """A chart of a topic's figures over time, each point labelled with its note, and its caption citing
        every fact drawn. The chart is an SVG image beside the Markdown, inline in the HTML and in the PDF."""
        if kind not in KINDS:
            raise TemplateProblem(f"chart(): kind must be {' or '.join(repr(k) for k in KINDS)}, got {kind!r}", "BG305")
        drawn = [view for view in self.series(topic) if view.value is not None]
        if not drawn:
            raise TemplateProblem(f"chart(): topic '{topic}' has no fact with a value to draw", "BG305")
        number = len(self.charts) + 1
        title = title or self.topic_label(topic)
        self.charts.append(Chart(number, f"figure-{number}-{topic}.svg", title, kind, tuple(v.id for v in drawn)))
        described = "; ".join(f"{v.date}: {_figure_words(v)}" for v in drawn)
        alt = escape_md(f"Chart: {title}. {described}").replace("[", "(").replace("]", ")")
        return Md(f"![{alt}]({FIGURES}{self.charts[-1].name})\n\n*Figure {number}: {escape_md(title)}.* Each point is "
                  f"labelled with its note.{self.cite(*drawn)}")

    def claim(self, ref: str | FactView) -> Md:
        """The fact's claim followed by its footnote marker."""
        view = self.fact(ref)
        text = escape_md(view._fact.claim)
        # The marker goes after the sentence's closing punctuation, as in print.
        return Md(f"{text}{self.cite(view)}")

    def value(self, ref: str | FactView, unit: bool = False, qualifier: bool = True) -> Md:
        """The fact's number (e.g. 'about 3,000'), optionally with its unit, followed by its footnote marker."""
        view = self.fact(ref)
        if view.value is None:
            raise TemplateProblem(f"fact '{view.id}' has no value to print", "BG305")
        words = [format_number(view.value)]
        if qualifier and view.qualifier and QUALIFIER_WORDS[view.qualifier]:
            words.insert(0, QUALIFIER_WORDS[view.qualifier])
        if unit and view.unit:
            words.append(escape_md(view.unit))
        return Md(" ".join(words) + self.cite(view))

    def sources(self) -> list[SourceView]:
        """Every source, oldest first."""
        return sorted(self.source_views.values(), key=lambda s: s._source.oldest_first)

    def summary(self) -> dict[str, Any]:
        """Counts for the source summary statement."""
        dated = [s.published for s in self.project.sources.values() if s.published is not None]
        facts = list(self.project.facts.values())
        return {
            "sources": len(self.project.sources),
            "facts": len(facts),
            "assessments": sum(1 for f in facts if f.kind == "assessment"),
            "earliest": min(dated, key=lambda d: d.sort_key).display() if dated else None,
            "latest": max(dated, key=lambda d: d.sort_key).display() if dated else None,
            "single_source_facts": sum(1 for f in facts if len({c.source for c in f.sources}) == 1),
            "multi_source_facts": sum(1 for f in facts if len({c.source for c in f.sources}) > 1),
            "single_origin_facts": sum(1 for f in facts if len(origins(f)) == 1),
            "multi_origin_facts": sum(1 for f in facts if len(origins(f)) > 1),
            "no_publisher": sum(1 for s in self.project.sources.values() if not s.publisher),
            "no_url": sum(1 for s in self.project.sources.values() if not s.url),
            "inferred_dates": sum(1 for s in self.project.sources.values() if s.date_inferred),
            "reliability": {
                grade: sum(1 for s in self.project.sources.values() if s.grade == grade)
                for grade in RELIABILITY_LABELS
                if any(s.grade == grade for s in self.project.sources.values())
            },
        }

    def number(self, value: float) -> Md:
        """A number as a reader writes it: 3,000."""
        return Md(format_number(value))

    def context(self) -> dict[str, Any]:
        settings = self.project.settings
        functions = (self.fact, self.facts, self.facts_in, self.topics_in, self.series, self.latest, self.timeline, self.chart,
                     self.disagreements, self.figures_that_differ, self.judgments, self.judgment, self.topic_label, self.source, self.cite, self.claim, self.value, self.number)
        return {
            "settings": settings,
            "title": settings.title,
            "subtitle": settings.subtitle,
            "marking": settings.marking,
            "briefing_date": PartialDate.parse(self.briefing_date),
            "changes": ChangesView(self.changes, self) if self.changes is not None else None,
            "categories": settings.categories,
            "sources": self.sources(),
            "summary": self.summary(),
            **{function.__name__: template_helper(function) for function in functions},
        }


# --- rendering -----------------------------------------------------------------------------------


@dataclass
class RenderedMarkdown:
    """The briefing body with numbered footnote calls, the footnote definitions, and what was cited."""

    body: str
    note_texts: list[str]  # note n is note_texts[n - 1], Markdown on one line
    cited: list[str]  # fact ids in footnote order: note n is cited[n - 1]
    call_sites: dict[str, tuple[str, int]] = field(default_factory=dict)  # fact id -> template file and line
    judged: list[str] = field(default_factory=list)  # judgment ids printed
    charts: list[tuple[Chart, list[Point], str | None]] = field(default_factory=list)  # drawn only when built

    @functools.cached_property
    def figures(self) -> dict[str, bytes]:
        """Each chart's SVG by file name, drawn on first use: `check` never draws, nor loads the plotting library."""
        from briefgen.charts import draw

        return {chart.name: draw(chart, points, unit) for chart, points, unit in self.charts}

    @functools.cached_property
    def figures_png(self) -> dict[str, bytes]:
        """Each chart as a PNG, for Word, by the chart's file name."""
        from briefgen.charts import draw

        return {chart.name: draw(chart, points, unit, "png") for chart, points, unit in self.charts}

    @property
    def notes(self) -> str:
        """The footnote definitions, `[^n]: text`, one a line."""
        return "".join(f"[^{n}]: {text}\n" for n, text in enumerate(self.note_texts, start=1))

    @property
    def document(self) -> str:
        """The body and its footnotes, as Python-Markdown reads them to make the HTML and PDF."""
        return f"{self.body.rstrip()}\n\n{self.notes}" if self.notes else self.body

    @property
    def portable(self) -> str:
        """The published Markdown: the body and its notes as every renderer shows them alike."""
        return portable_markdown(self.body, self.note_texts)

    def sections(self) -> dict[str, list[str]]:
        """Section headings ("Troops › Deployment") in reading order, each with the facts it cites."""
        fact_of = {str(n): fid for n, fid in enumerate(self.cited, start=1)}
        headings: list[tuple[int, str]] = []
        found: dict[str, list[str]] = {}
        for line in self.body.splitlines():
            heading = re.match(r"(#{1,6})\s+(.*?)\s*#*$", line)
            if heading:
                level = len(heading.group(1))
                title = plain_text(heading.group(2))
                headings = [h for h in headings if h[0] < level] + [(level, title)]
                continue
            where = " › ".join(title for _, title in headings) or "(before the first heading)"
            for number in re.findall(r"\[\^(\d+)\]", line):
                cited = found.setdefault(where, [])
                if fact_of[number] not in cited:
                    cited.append(fact_of[number])
        return found


def template_dirs(project_root: Path) -> list[Path]:
    """Where templates are looked up: the project's templates/ first, then briefgen's built-in defaults."""
    return [project_root / TEMPLATES_DIR, BUILTIN_TEMPLATES]


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder: compiling the briefing costs more than checking it.

    Compiled code is run when loaded, so the folder is used only when nobody else can have written to it: a
    real folder (not a link), owned by this user, writable by no one else. Otherwise templates are compiled
    every time."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "briefgen", "jinja")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        status = os.lstat(folder)
    except OSError:
        return None  # no writable cache: compile every time
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o022:
        return None
    return jinja2.FileSystemBytecodeCache(folder)


class TemplateLoader(jinja2.FileSystemLoader):
    """Project templates first, then briefgen's, each read under the file rule (files.py): a template or
    stylesheet that links out of the project, a FIFO or a device is a located error, as is one that cannot
    be read or decoded."""

    def __init__(self, project_root: Path) -> None:
        super().__init__([str(p) for p in template_dirs(project_root)])
        self.roots = project_roots(project_root)

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        pieces = split_template_path(template)  # refuses '..' and absolute names
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if os.path.lexists(candidate):
                break
        else:
            raise jinja2.TemplateNotFound(template)
        shown = display_path(candidate)
        try:
            raw = read_bytes(candidate, TEMPLATE_BYTES, self.roots)
        except Unreadable as problem:
            code = {"missing": "BG304", "outside": "BG009", "special": "BG009"}.get(problem.kind, "BG007")
            raise BriefgenError(f"{shown} {problem.detail}", path=shown, hint=HINTS.get(problem.kind), code=code) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BriefgenError(
                f"{shown} is not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded",
                path=shown,
                hint="save the file as UTF-8",
                code="BG007",
            ) from None
        mtime = os.path.getmtime(candidate)
        return text, os.path.normpath(candidate), lambda: os.path.lexists(candidate) and os.path.getmtime(candidate) == mtime


# The largest template or stylesheet read: the default max_input_bytes.
TEMPLATE_BYTES = 20_000_000


# What one render may cost: a real briefing takes well under a second and a few hundred kilobytes.
RENDER_SECONDS = 60
RENDER_CHARACTERS = 20_000_000


class Sandbox(ImmutableSandboxedEnvironment):
    """The environment every template runs in: Jinja's immutable sandbox, and bounded.

    A template may print, loop, test, call briefgen's helpers and its own macros. It may not reach Python's
    internals (`__class__`, `__globals__`, attributes starting with `_`), change a list or a dict, call what
    changes data, reach a file path (and so read a file), or build a string, list or number too large to print.
    """

    intercepted_binops = frozenset({"*", "**"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(value, os.PathLike) or isinstance(getattr(value, "__self__", None), os.PathLike):
            return False  # a Path would read and write files
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and isinstance(left, int) and abs(left) > 1 and right > 256:
            raise SecurityError(f"{left} ** {right} is a number too large to print")
        if operator == "*":
            sized, count = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(sized, str | list | tuple) and isinstance(count, int) and len(sized) * count > RENDER_CHARACTERS:
                raise SecurityError(f"repeating {type(sized).__name__} {count} times makes more than a briefing can print")
        return super().call_binop(context, operator, left, right)


def make_environment(project_root: Path) -> jinja2.Environment:
    env = Sandbox(
        bytecode_cache=_bytecode_cache(),
        loader=TemplateLoader(project_root),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        # Autoescape makes macros and {% set %} blocks return safe text; _finalize escapes for Markdown.
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["plural"] = template_helper(plural)
    return env


def render_markdown(
    project: Project, briefing_date: dt.date, template: str | None = None, changes: Changes | None = None
) -> RenderedMarkdown:
    """Render the briefing template to Markdown, number its footnotes in reading order, and list them."""
    env = make_environment(project.root)
    # Globals, not render context, so that imported macro files see the helpers too.
    helpers = Helpers(project, briefing_date, changes)
    env.globals.update(helpers.context())
    raw = render_template(env, template or project.settings.template, {})
    raw = re.sub(r"\n{3,}", "\n\n", raw).strip() + "\n"  # templates' loops leave runs of blank lines
    numbers: dict[str, int] = {}

    def number(m: re.Match[str]) -> str:
        n = numbers.setdefault(m.group(1), len(numbers) + 1)
        return f"[^{n}]"

    body = _CALL.sub(number, raw)
    # Calls side by side read as one number ("1617"): separate them with a raised comma.
    body = re.sub(r"(\[\^\d+\])(?=\[\^\d+\])", r"\1<sup>,</sup>", body)
    referenced: set[str] = set()
    notes = [str(footnote_text(project.facts[fid], project.sources, referenced)) for fid in numbers]
    return RenderedMarkdown(
        body=body, note_texts=notes, cited=list(numbers), call_sites=helpers.call_sites, judged=helpers.judged,
        charts=[_plotted(chart, helpers, numbers) for chart in helpers.charts],
    )


def _figure_words(view: FactView, unit: bool = True) -> str:
    """A fact's figure in words: 'about 11,000 troops' (without the unit, 'about 11,000')."""
    words = [QUALIFIER_WORDS.get(view.qualifier or "", ""), format_number(view.value or 0), (view.unit or "") if unit else ""]
    return " ".join(w for w in words if w)


def _plotted(chart: Chart, helpers: Helpers, numbers: dict[str, int]) -> tuple[Chart, list[Point], str | None]:
    """What a chart draws: its points, labelled with the numbers their facts' notes now have, and its unit."""
    views = [helpers.views[fid] for fid in chart.facts]
    points = [
        Point(str(v.date), v.as_of.sort_key, float(v.value or 0), v.qualifier,
              f"{_figure_words(v, unit=False)} [{numbers[v.id]}]", f"fact-{v.id}-note-{numbers[v.id]}")
        for v in views
    ]
    units = [v.unit for v in views if v.unit]
    return chart, points, max(sorted(set(units)), key=units.count) if units else None



def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one template; every template mistake becomes a BriefgenError at `template:line`."""
    try:
        with _time_limit(RENDER_SECONDS):
            return _bounded(env.get_template(name).generate(context))
    except (SecurityError, OverflowError) as exc:  # the sandbox raises OverflowError for a range too large
        where = _template_frame(sys.exc_info()[2], env)
        if where is None and isinstance(exc, OverflowError):
            raise  # a bug in briefgen, not in the template: keep the traceback
        raise BriefgenError(
            f"template not allowed: {str(exc).rstrip('.')}", *where or (), code="BG306",
            hint="templates may print, loop and call briefgen's helpers; they cannot reach Python's internals or files",
        ) from None
    except (RecursionError, _TooLong, _TooSlow) as exc:
        message = "a macro or include calls itself without end" if isinstance(exc, RecursionError) else str(exc)
        where = _template_frame(sys.exc_info()[2], env) or (_template_path(env.get_template(name).filename, name),)
        raise BriefgenError(f"template stopped: {message}", *where, code="BG307") from None
    except jinja2.TemplateSyntaxError as exc:
        raise BriefgenError(
            f"template syntax error: {exc.message}", _template_path(exc.filename, exc.name), exc.lineno, code="BG301"
        ) from None
    except jinja2.TemplateNotFound as exc:
        where = _template_frame(sys.exc_info()[2], env)
        missing = exc.name if isinstance(exc.name, str) else ", ".join(map(str, exc.name))
        if where is None:
            raise BriefgenError(
                f"template '{missing}' not found in templates/ or in briefgen's built-in templates",
                path=display_path(_root(env) / TEMPLATES_DIR / missing),
                code="BG304",
            ) from None
        raise BriefgenError(f"included template '{missing}' not found", *where, code="BG304") from None
    except jinja2.UndefinedError as exc:
        raise BriefgenError(f"undefined: {exc.message}", *_template_frame(sys.exc_info()[2], env) or (), code="BG303") from None
    except TemplateProblem as exc:
        raise BriefgenError(str(exc), *_template_frame(sys.exc_info()[2], env) or (), code=exc.code) from None
    except (TypeError, ValueError, ZeroDivisionError, AttributeError, KeyError, IndexError, RuntimeError) as exc:
        where = _template_frame(sys.exc_info()[2], env, innermost=True)
        if where is None:
            raise  # a bug in briefgen, not in the template: keep the traceback
        raise BriefgenError(f"template error: {exc}", *where, code="BG305") from None


class _TooLong(Exception):
    pass


class _TooSlow(Exception):
    pass


def _bounded(chunks: Iterator[str]) -> str:
    """A template's output, stopped once it is longer than any briefing."""
    kept: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > RENDER_CHARACTERS:
            raise _TooLong(f"its output passed {RENDER_CHARACTERS:,} characters")
        kept.append(chunk)
    return "".join(kept)


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop a render that runs longer than `seconds` (a loop without end), where a timer signal can do it."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise _TooSlow(f"it ran for more than {plural(seconds, 'second')}")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _root(env: jinja2.Environment) -> Path:
    return Path(env.loader.searchpath[0]).parent  # type: ignore[union-attr]


def _template_path(filename: str | None, name: str | None) -> str:
    if filename:
        return display_path(Path(filename))
    return name or "template"


_BRIEFGEN_CODE = str(Path(__file__).resolve().parent) + os.sep


def _template_frame(tb: TracebackType | None, env: jinja2.Environment, innermost: bool = False) -> tuple[str, int] | None:
    """The template file and line a render error happened at (Jinja rewrites frames to template lines).

    With `innermost`, None when briefgen's own code raised it (a bug, which keeps its traceback): of the frames
    that are a template's or briefgen's, the innermost decides. Jinja's and Python's frames are passed over, so
    a template calling `range("x")` or `"x" | round` is told at its line."""
    roots = [str(Path(p).resolve()) for p in env.loader.searchpath]  # type: ignore[union-attr]
    found = None
    template_raised = False
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if any(filename.startswith(r) for r in roots):
            found, template_raised = (display_path(Path(filename)), tb.tb_lineno), True
        elif filename.startswith(_BRIEFGEN_CODE):
            template_raised = False
        tb = tb.tb_next
    if innermost and not template_raised:
        return None
    return found
