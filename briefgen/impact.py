"""Which facts rest on which sources, and what a discredited source would take out of the briefing."""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.loading import Project
from briefgen.model import Briefing, Fact, Source
from briefgen.templating import RenderedMarkdown
from briefgen.verify import by_source


@dataclass(frozen=True)
class SourceUse:
    """A source with the facts that cite it, and those that cite nothing else."""

    source: Source
    facts: list[Fact]
    sole: list[Fact]


@dataclass(frozen=True)
class Impact:
    """What discrediting one source would touch."""

    source: Source
    facts: list[Fact]  # every fact that cites the source
    orphaned: list[Fact]  # those left with no source at all
    others: dict[str, list[str]]  # fact id -> the other sources that still back it
    sections: dict[str, list[str]]  # briefing section (in reading order) -> the affected facts it cites


def _other_sources(fact: Fact, source_id: str) -> list[str]:
    return [sid for sid in dict.fromkeys(c.source for c in fact.sources) if sid != source_id]


def source_uses(project: Project) -> list[SourceUse]:
    """Every source, oldest first, with the facts that rest on it."""
    facts = by_source(project)
    sources = sorted(project.sources.values(), key=lambda s: s.oldest_first)
    return [
        SourceUse(s, facts[s.id], [f for f in facts[s.id] if not _other_sources(f, s.id)]) for s in sources
    ]


def impact(project: Project, documents: list[tuple[Briefing, RenderedMarkdown]], source_id: str) -> Impact:
    """The facts and briefing sections that would be affected if `source_id` were discredited.

    Sections of the main briefing are named by their headings; those of other documents (a summary, say)
    start with the document's label.
    """
    source = project.sources[source_id]
    facts = by_source(project)[source_id]
    others = {f.id: _other_sources(f, source_id) for f in facts}
    affected = {f.id for f in facts}
    sections = {}
    for position, (document, rendered) in enumerate(documents):
        for section, cited in rendered.sections().items():
            if affected.intersection(cited):
                name = section if position == 0 else f"{document.label} › {section}"
                sections[name] = [fid for fid in cited if fid in affected]
    orphaned = [f for f in facts if not others[f.id]]
    return Impact(source, facts, orphaned, others, sections)
