"""Starting a project (`init`) and registering a new article (`add-source`)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from briefgen.build import write_atomically
from briefgen.diagnostics import display_path
from briefgen.errors import BriefgenError
from briefgen.loading import SEEDS_DIR, SOURCES_FILE, TEMPLATES_DIR, YamlProblem, read_text
from briefgen.model import ID_PATTERN, PartialDate
from briefgen.schema import write_schemas
from briefgen.templating import BUILTIN_TEMPLATES

STARTER = Path(__file__).parent / "starter"


def init_project(folder: Path) -> list[Path]:
    """Create a working project in `folder` (new or empty): settings, one source, two facts, the templates."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BriefgenError(
            f"{display_path(folder)} already exists and is not empty; briefgen init starts a project in a new folder",
            path=display_path(folder),
            code="BG900",
        )
    try:
        shutil.copytree(STARTER, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns("gitignore", "__pycache__"))
        shutil.copyfile(STARTER / "gitignore", folder / ".gitignore")
        shutil.copytree(BUILTIN_TEMPLATES, folder / TEMPLATES_DIR, ignore=shutil.ignore_patterns("__pycache__"))
        write_schemas(folder / "schemas")
    except OSError as exc:
        raise BriefgenError(f"cannot create {display_path(folder)}: {exc.strerror or exc}", code="BG401") from None
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def add_source(
    root: Path,
    text_file: Path,
    source_id: str,
    title: str,
    publisher: str | None,
    url: str | None,
    published: str | None,
    reliability: str,
    date_inferred: bool,
) -> tuple[Path, Path]:
    """Archive an article's text as seeds/<id>.txt and register it in seeds/sources.yaml; never overwrite.

    `publisher` and `url` may be "" to record that the article states none (written as null); None leaves
    the field out, and `check` will ask for it.
    """
    if not re.fullmatch(ID_PATTERN, source_id):
        raise BriefgenError(
            f"'{source_id}' is not a valid id",
            hint="use lower-case letters, digits and single hyphens, e.g. 'rferl-2025-03-27'",
            code="BG900",
        )
    if published is not None:
        try:
            PartialDate.parse(published)
        except ValueError as exc:
            raise BriefgenError(str(exc), code="BG900") from None
    registry = root / SOURCES_FILE
    archived = root / SEEDS_DIR / f"{source_id}.txt"
    if not registry.exists():
        raise BriefgenError(f"{display_path(registry)} does not exist: is this a briefgen project?", code="BG005")
    existing = registry.read_text(encoding="utf-8")
    if re.search(rf"^\s*-?\s*id:\s*['\"]?{re.escape(source_id)}['\"]?\s*$", existing, flags=re.M):
        raise BriefgenError(f"source '{source_id}' is already registered in {display_path(registry)}", code="BG030")
    if archived.exists():
        raise BriefgenError(f"{display_path(archived)} already exists; briefgen never overwrites an archived text", code="BG900")
    try:
        text = read_text(text_file, display_path(text_file), 20_000_000)
    except YamlProblem as problem:
        raise BriefgenError(problem.diag.message, hint=problem.diag.hint, code=problem.diag.code) from None

    lines = [f"- id: {source_id}", f"  file: {archived.name}", f"  title: {_yaml_text(title)}"]
    for name, value in (("publisher", publisher), ("url", url)):
        if value is not None:
            lines.append(f"  {name}: {_yaml_text(value) if value else 'null'}")
    if published is not None:
        lines.append(f"  published: {published}")
    if date_inferred:
        lines.append("  date_inferred: true")
    lines.append(f"  reliability: {reliability}")
    block = "\n".join(lines) + "\n"
    separator = "" if existing.endswith("\n\n") or not existing.strip() else ("\n" if existing.endswith("\n") else "\n\n")

    # The text is archived first, with exclusive creation; the registry is rewritten atomically after it.
    try:
        with open(archived, "x", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise BriefgenError(f"cannot write {display_path(archived)}: {exc.strerror or exc}", code="BG401") from None
    try:
        write_atomically(registry, (existing + separator + block).encode("utf-8"))
    except BriefgenError:
        archived.unlink(missing_ok=True)
        raise
    return archived, registry
