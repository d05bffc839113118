"""Editions under git: the fact base at an earlier revision, and what changed since it."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.errors import BriefgenError
from briefgen.loading import Project, load_project
from briefgen.model import Fact, Source

PROJECT_FILES = ("briefgen.yaml", "judgments.yaml", "facts", "seeds", "templates")
# The fields of a fact a reader cares about, in the order changes are listed.
FACT_FIELDS = ("claim", "value", "unit", "qualifier", "as_of", "date_inferred", "sources", "topic", "category",
               "kind", "confidence", "note")
SOURCE_FIELDS = ("title", "publisher", "original_source", "url", "published", "date_inferred", "reliability", "file")


@dataclass(frozen=True)
class FieldChange:
    name: str
    old: Any
    new: Any


@dataclass
class Changes:
    """What changed between the fact base at `revision` and the working tree."""

    revision: str
    label: str  # how the revision is called: a tag, or an abbreviated commit
    date: str  # the edition's own briefing date (its briefgen.yaml `date`), else its commit date: YYYY-MM-DD
    dated_by: str = "briefing"  # "briefing", or "commit" when the edition set no briefing date
    added: list[Fact] = field(default_factory=list)
    removed: list[Fact] = field(default_factory=list)
    changed: list[tuple[Fact, list[FieldChange]]] = field(default_factory=list)
    sources_added: list[Source] = field(default_factory=list)
    sources_removed: list[Source] = field(default_factory=list)
    sources_changed: list[tuple[Source, list[FieldChange]]] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(
            len(group)
            for group in (self.added, self.removed, self.changed, self.sources_added, self.sources_removed, self.sources_changed)
        )


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise BriefgenError("git is not installed, and comparing editions needs it", code="BG403") from None


def _missing(root: Path, revision: str) -> BriefgenError:
    shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
    hint = (
        "this clone is shallow: fetch more history (git fetch --deepen=50 --tags, or fetch-depth: 0 in actions/checkout)"
        if shallow
        else "name a tag, a branch or a commit that exists: `git tag` and `git log --oneline` list them"
    )
    return BriefgenError(f"revision '{revision}' is not in this clone", hint=hint, code="BG403")


def default_revision(root: Path) -> str:
    """The last edition: the most recent tag, else the commit before HEAD."""
    if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise BriefgenError(
            "the project is not in a git repository, so there are no earlier editions to compare with",
            hint="keep the project in git and tag each edition (git tag edition-1)",
            code="BG403",
        )
    tag = _git(root, "describe", "--tags", "--abbrev=0")
    if tag.returncode == 0:
        return tag.stdout.decode().strip()
    return "HEAD~1"


def project_at(root: Path, revision: str, scratch: Path) -> tuple[Project | None, str, str, str]:
    """The fact base as it was at a revision, loaded from a copy in `scratch`; with the revision's label, the
    edition's date, and what that date is: its own briefing date, else ("commit") when it was committed."""
    # --end-of-options: whatever the revision says, git reads it as a revision, never as an option.
    commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if commit.returncode != 0:
        raise _missing(root, revision)
    sha = commit.stdout.decode().strip()
    # ls-tree and archive work relative to the working directory: run them from the top of the repository.
    top = Path(_git(root, "rev-parse", "--show-toplevel").stdout.decode().strip())
    prefix = _git(root, "rev-parse", "--show-prefix").stdout.decode().strip()
    tree = f"{sha}:{prefix}" if prefix else f"{sha}^{{tree}}"
    names = _git(top, "ls-tree", "--name-only", tree).stdout.decode().split("\n")
    wanted = [name for name in PROJECT_FILES if name in names]
    date = _git(root, "show", "-s", "--format=%cs", sha).stdout.decode().strip()
    label = revision if not revision.startswith(("HEAD", sha[:7])) else sha[:7]
    if "briefgen.yaml" not in wanted:
        return None, label, date, "commit"  # the project did not exist yet: everything is new
    archive = _git(top, "archive", "--format=tar", tree, *wanted)
    if archive.returncode != 0:
        raise BriefgenError(f"cannot read revision '{revision}': {archive.stderr.decode().strip()}", code="BG403")
    _extract(archive.stdout, scratch)
    project, _ = load_project(scratch)
    if project is not None and project.settings.date is not None:
        return project, label, str(project.settings.date), "briefing"  # an edition is known by its briefing date
    return project, label, date, "commit"


def _extract(data: bytes, into: Path) -> None:
    """Unpack git's archive: regular files and folders only, and only inside `into`."""
    root = into.resolve()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar:
            target = (root / member.name).resolve()
            if not target.is_relative_to(root):
                continue
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                target.write_bytes(source.read() if source else b"")


def _fact_fields(fact: Fact) -> dict[str, Any]:
    values = {name: getattr(fact, name) for name in FACT_FIELDS}
    values["sources"] = [(c.source, c.quote, c.attribution) for c in fact.sources]
    values["as_of"] = str(fact.as_of)
    return values


def _source_fields(source: Source) -> dict[str, Any]:
    values = {name: getattr(source, name) for name in SOURCE_FIELDS}
    values["published"] = str(source.published) if source.published else None
    return values


def _differences(old: dict[str, Any], new: dict[str, Any], names: tuple[str, ...]) -> list[FieldChange]:
    return [FieldChange(name, old[name], new[name]) for name in names if old[name] != new[name]]


def compare(old: Project | None, new: Project, revision: str, label: str, date: str, dated_by: str = "briefing") -> Changes:
    """Facts and sources added, removed and changed between two loaded fact bases (matched by id)."""
    changes = Changes(revision, label, date, dated_by)
    changes.added, changes.removed, changes.changed = _compare_by_id(
        old.facts if old else {}, new.facts, _fact_fields, FACT_FIELDS
    )
    changes.sources_added, changes.sources_removed, changes.sources_changed = _compare_by_id(
        old.sources if old else {}, new.sources, _source_fields, SOURCE_FIELDS
    )
    return changes


def _compare_by_id(
    old: dict[str, Any], new: dict[str, Any], fields: Callable[[Any], dict[str, Any]], names: tuple[str, ...]
) -> tuple[list, list, list]:
    """Items added, removed, and changed (each with its field changes) between two id-keyed collections."""
    added = [item for ident, item in new.items() if ident not in old]
    removed = [item for ident, item in old.items() if ident not in new]
    changed = []
    for ident, item in new.items():
        if ident in old:
            found = _differences(fields(old[ident]), fields(item), names)
            if found:
                changed.append((item, found))
    return added, removed, changed


def changes_since(project: Project, revision: str | None) -> Changes:
    """What changed in `project` (the working tree) since a revision (default: the last edition)."""
    revision = revision or default_revision(project.root)
    with tempfile.TemporaryDirectory(prefix="briefgen-edition-") as scratch:
        old, label, date, dated_by = project_at(project.root, revision, Path(scratch))
    return compare(old, project, revision, label, date, dated_by)


def describe(change: FieldChange) -> str:
    """`value: 3000 → 4000`, readable for every kind of field."""
    if change.name == "sources":
        old = {(s, q) for s, q, _ in change.old}
        new = {(s, q) for s, q, _ in change.new}
        parts = [f"+{s}" for s, _ in sorted(new - old) if s not in {o for o, _ in old}]
        parts += [f"-{s}" for s, _ in sorted(old - new) if s not in {n for n, _ in new}]
        requoted = sorted({s for s, _ in new - old} & {s for s, _ in old - new})
        parts += [f"new quote from {s}" for s in requoted]
        attributions = {s: a for s, _, a in change.old} != {s: a for s, _, a in change.new}
        if attributions and not parts:
            parts.append("attribution changed")
        return f"sources: {', '.join(parts)}"
    return f"{change.name}: {_show(change.old)} → {_show(change.new)}"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str) and " " in value:
        return f"“{value}”"
    return str(value)
