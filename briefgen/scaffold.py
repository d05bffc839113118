"""Starting a project (`init`) and registering a new article (`add-source`)."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from briefgen.diagnostics import display_path
from briefgen.errors import BriefgenError
from briefgen.files import inside
from briefgen.loading import (
    DEFAULT_MAX_INPUT_BYTES,
    FACTS_DIR,
    SEEDS_DIR,
    SETTINGS_FILE,
    SOURCES_FILE,
    TEMPLATES_DIR,
    YamlProblem,
    read_text,
)
from briefgen.model import ID_PATTERN, Source
from briefgen.publish import project_lock, write_file
from briefgen.schema import write_schemas
from briefgen.templating import BUILTIN_TEMPLATES

STARTER = Path(__file__).parent / "starter"


def init_project(folder: Path, title: str | None = None) -> list[Path]:
    """Start a project in `folder` (new or empty) with nothing in it to delete: settings with the title, an
    empty source registry, a facts/ folder, the default briefing template to edit, and the editor's schemas.

    The title defaults to the folder's name as words ("air-defence" gives "Air defence").
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BriefgenError(
            f"{display_path(folder)} already exists and is not empty; briefgen init starts a project in a new folder",
            path=display_path(folder),
            code="BG900",
        )
    if title is None:
        words = re.sub(r"[-_\s]+", " ", folder.resolve().name).strip()
        title = words[:1].upper() + words[1:] if words else "Briefing"
    if not title.strip():
        raise BriefgenError("--title is empty", code="BG900")
    settings = (STARTER / SETTINGS_FILE).read_text(encoding="utf-8").replace("{title}", _yaml_text(" ".join(title.split())))
    try:
        (folder / SEEDS_DIR).mkdir(parents=True, exist_ok=True)
        (folder / FACTS_DIR).mkdir()
        (folder / TEMPLATES_DIR).mkdir()
        (folder / SETTINGS_FILE).write_text(settings, encoding="utf-8")
        shutil.copyfile(STARTER / SOURCES_FILE, folder / SOURCES_FILE)
        shutil.copyfile(STARTER / "gitignore", folder / ".gitignore")
        shutil.copyfile(BUILTIN_TEMPLATES / "briefing.md.j2", folder / TEMPLATES_DIR / "briefing.md.j2")
        write_schemas(folder / "schemas")
    except OSError as exc:
        raise BriefgenError(f"cannot create {display_path(folder)}: {exc.strerror or exc}", code="BG401") from None
    return sorted(p for p in folder.rglob("*") if p.is_file())


# What a YAML double-quoted scalar must not hold raw, beyond what json.dumps escapes: YAML reads U+0085, U+2028
# and U+2029 as line breaks, refuses U+FFFE, U+FFFF and lone surrogates, and means U+FEFF to start a stream.
_YAML_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value`, whatever it is (JSON strings are valid YAML)."""
    return _YAML_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


# The command-line option that gives each field of a new source, for messages about its value.
_OPTIONS = {"title": "--title", "publisher": "--publisher", "url": "--url", "published": "--published"}


def _new_source(fields: dict[str, object]) -> Source:
    """The source add-source registers, validated as `check` validates sources.yaml; a bad value is a usage
    error naming its option."""
    try:
        return Source.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        option = _OPTIONS.get(str(error["loc"][0]), str(error["loc"][0]))
        if error["type"] == "string_too_short":
            message = f"{option} is empty"
        elif error["type"] == "bad_date":
            message = error["msg"]  # it quotes the value: "'March 2025' is not a date: …"
        else:
            message = f"{option}: {error['msg']}"
        raise BriefgenError(message, code="BG900") from None


def _registry_entry(source: Source) -> str:
    """The lines that register `source` in sources.yaml: every text quoted, so no value can change the YAML."""
    lines = [f"- id: {source.id}", f"  file: {source.file}", f"  title: {_yaml_text(source.title)}"]
    for name in ("publisher", "url"):
        if source.has(name):
            value = getattr(source, name)
            lines.append(f"  {name}: {_yaml_text(value) if value else 'null'}")
    if source.published is not None:
        lines.append(f"  published: {source.published}")
    if source.date_inferred:
        lines.append("  date_inferred: true")
    lines.append(f"  reliability: {source.reliability}")
    return "\n".join(lines) + "\n"


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
    waiting: Callable[[str], None] = lambda _: None,
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
    fields = {"id": source_id, "file": f"{source_id}.txt", "title": title, "reliability": reliability}
    fields.update({name: value or None for name, value in (("publisher", publisher), ("url", url)) if value is not None})
    if published is not None:
        fields["published"] = published
    if date_inferred:
        fields["date_inferred"] = True
    source = _new_source(fields)
    with project_lock(root.resolve(), waiting):
        return _register(root.resolve(), source, text_file)


def _register(root: Path, source: Source, text_file: Path) -> tuple[Path, Path]:
    """Archive the text and append the source to the registry, holding the project's lock."""
    registry = root / SOURCES_FILE
    archived = root / SEEDS_DIR / source.file
    if not registry.exists():
        raise BriefgenError(f"{display_path(registry)} does not exist: is this a briefgen project?", code="BG005")
    if not inside(archived.parent.resolve(), [root]):
        raise BriefgenError(f"{display_path(archived.parent)} leads out of the project; briefgen does not write through it",
                            path=display_path(archived.parent), code="BG401")
    try:
        existing = read_text(registry, display_path(registry), DEFAULT_MAX_INPUT_BYTES, roots=[root])
        text = read_text(text_file, display_path(text_file), 20_000_000)
    except YamlProblem as problem:
        raise BriefgenError(problem.diag.message, hint=problem.diag.hint, code=problem.diag.code) from None
    if re.search(rf"^\s*-?\s*id:\s*['\"]?{re.escape(source.id)}['\"]?\s*$", existing, flags=re.M):
        raise BriefgenError(f"source '{source.id}' is already registered in {display_path(registry)}", code="BG030")
    if os.path.lexists(archived):
        raise BriefgenError(f"{display_path(archived)} already exists; briefgen never overwrites an archived text", code="BG900")

    block = _registry_entry(source)
    separator = "" if existing.endswith("\n\n") or not existing.strip() else ("\n" if existing.endswith("\n") else "\n\n")

    # The text is archived first, with exclusive creation; the registry is rewritten atomically after it.
    try:
        with open(archived, "x", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise BriefgenError(f"cannot write {display_path(archived)}: {exc.strerror or exc}", code="BG401") from None
    try:
        write_file(registry, (existing + separator + block).encode("utf-8"))
    except BriefgenError:
        archived.unlink(missing_ok=True)
        raise
    return archived, registry
