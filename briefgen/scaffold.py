"""Starting a project (`init`) and getting an article in (`add-source`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import ValidationError

from briefgen.diagnostics import display_path
from briefgen.errors import BriefgenError
from briefgen.files import inside
from briefgen.ingest import FETCH_TIMEOUT, read_document
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
    settings = (STARTER / SETTINGS_FILE).read_text(encoding="utf-8").replace("{title}", yaml_text(" ".join(title.split())))
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


def yaml_text(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value`, whatever it is (JSON strings are valid YAML)."""
    return _YAML_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


# The command-line option that gives each field of a new source, for messages about its value.
_OPTIONS = {"title": "--title", "publisher": "--publisher", "url": "--url", "published": "--published",
            "reliability_note": "--reliability-note", "note": "--note", "id": "--id"}


def _new_source(fields: dict[str, object]) -> Source:
    """The source add-source registers, validated as `check` validates sources.yaml; a bad value is a usage
    error naming its option (or, for what the document stated, the field)."""
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


# The order fields are written in, as the README lists them.
_FIELDS = ("original_file", "sha256", "title", "publisher", "author", "url", "published", "date_inferred", "accessed",
           "lang", "reliability", "reliability_note", "note")


def _registry_entry(source: Source) -> str:
    """The lines that register `source` in sources.yaml: every text quoted, so no value can change the YAML."""
    lines = [f"- id: {source.id}", f"  file: {source.file}"]
    for name in _FIELDS:
        if not source.has(name):
            continue
        value = getattr(source, name)
        if value is None:
            lines.append(f"  {name}: null")
        elif isinstance(value, bool):
            lines.append(f"  {name}: {'true' if value else 'false'}")
        elif name in ("published", "accessed", "reliability", "original_file"):
            lines.append(f"  {name}: {value}")
        else:
            lines.append(f"  {name}: {yaml_text(str(value))}")
    return "\n".join(lines) + "\n"


@dataclass
class Registered:
    """What add-source did: the files it wrote, the source it registered, and where each field came from."""

    source: Source
    archived: Path
    original: Path | None
    registry: Path
    from_document: list[str]  # the fields the document stated
    missing: list[str]  # the fields check will ask for
    notes: list[str]


def add_source(
    root: Path,
    location: str,
    *,
    source_id: str | None = None,
    given: dict[str, object] | None = None,
    timeout: float = FETCH_TIMEOUT,
    today: dt.date | None = None,
    waiting: Callable[[str], None] = lambda _: None,
) -> Registered:
    """Read an article (a file or an http(s) URL), archive its text as seeds/<id>.txt and the web page or PDF
    beside it, and register it in seeds/sources.yaml with the SHA-256 of the text; never overwrite.

    `given` holds the fields the user gave (title, publisher, url, published, date_inferred, reliability,
    reliability_note, note); publisher or url "" records that the article states none (written as null). The
    rest comes from the document alone, and a field neither gives is left out for `check` to ask for.
    """
    given = {name: value for name, value in (given or {}).items() if value is not None}
    if source_id is not None and not re.fullmatch(ID_PATTERN, source_id):
        raise BriefgenError(f"'{source_id}' is not a valid id",
                            hint="use lower-case letters, digits and single hyphens, e.g. 'rferl-2025-03-27'", code="BG900")
    fetched = bool(re.match(r"(?i)https?://", location))
    document = read_document(location, timeout=timeout)  # before the lock: a slow server holds up no build

    stated = {"title": document.title, "publisher": document.publisher, "author": document.author,
              "url": document.url, "published": document.published, "lang": document.lang}
    fields: dict[str, object] = {name: value for name, value in stated.items() if value is not None and name not in given}
    from_document = sorted(fields)
    for name, value in given.items():
        fields[name] = (value or None) if name in ("publisher", "url") else value
    if fetched:
        fields["accessed"] = (today or dt.date.today()).isoformat()
    if "title" not in fields:
        raise BriefgenError(f"{location} states no title", hint="give the article's title with --title", code="BG900")
    ident = source_id or _default_id(fields, document.url or (location if fetched else None))
    fields.update({"id": ident, "file": f"{ident}.txt"})
    if document.original is not None:
        fields["original_file"] = f"{ident}{document.suffix}"
    text = document.text
    fields["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    source = _new_source(fields)
    with project_lock(root.resolve(), waiting):
        archived, original, registry = _register(root.resolve(), source, text, document.original, chosen=source_id is not None)
    missing = [name for name in ("publisher", "url", "published", "reliability") if not source.has(name)]
    return Registered(source, archived, original, registry, from_document, missing, document.notes)


def _default_id(fields: dict[str, object], url: str | None) -> str:
    """An id from who published the article and when ('harbour-gazette-2025-04-02'), else from its title."""
    who = fields.get("publisher")
    if not who and url:
        who = (urlsplit(url).hostname or "").removeprefix("www.").split(".")[0]
    when = str(fields.get("published") or "")
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", str(who or "")).lower())
    if not words or not when:
        words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", str(fields["title"])).lower())[:6]
    ident = "-".join(words[:4] + ([when] if when else []))
    return ident or "source"


def _register(root: Path, source: Source, text: str, original_bytes: bytes | None, *, chosen: bool) -> tuple[Path, Path | None, Path]:
    """Archive the text (and the original) and append the source to the registry, holding the project's lock."""
    registry = root / SOURCES_FILE
    archived = root / SEEDS_DIR / source.file
    original = root / SEEDS_DIR / source.original_file if source.original_file else None
    if not registry.exists():
        raise BriefgenError(f"{display_path(registry)} does not exist: is this a briefgen project?", code="BG005")
    if not inside(archived.parent.resolve(), [root]):
        raise BriefgenError(f"{display_path(archived.parent)} leads out of the project; briefgen does not write through it",
                            path=display_path(archived.parent), code="BG401")
    try:
        existing = read_text(registry, display_path(registry), DEFAULT_MAX_INPUT_BYTES, roots=[root])
    except YamlProblem as problem:
        raise BriefgenError(problem.diag.message, hint=problem.diag.hint, code=problem.diag.code) from None
    again = None if chosen else "give it another id with --id"
    if re.search(rf"^\s*-?\s*id:\s*['\"]?{re.escape(source.id)}['\"]?\s*$", existing, flags=re.M):
        raise BriefgenError(f"source '{source.id}' is already registered in {display_path(registry)}", hint=again, code="BG030")
    for path in (archived, original):
        if path is not None and os.path.lexists(path):
            raise BriefgenError(f"{display_path(path)} already exists; briefgen never overwrites an archived text",
                                hint=again, code="BG900")

    block = _registry_entry(source)
    separator = "" if existing.endswith("\n\n") or not existing.strip() else ("\n" if existing.endswith("\n") else "\n\n")

    # The files are archived first, with exclusive creation; the registry is rewritten atomically after them.
    written: list[Path] = []
    try:
        for path, data in ((archived, text.encode("utf-8")), (original, original_bytes)):
            if path is not None and data is not None:
                with open(path, "xb") as handle:
                    written.append(path)
                    handle.write(data)
        write_file(registry, (existing + separator + block).encode("utf-8"))
    except OSError as exc:
        for path in written:
            path.unlink(missing_ok=True)
        raise BriefgenError(f"cannot write {display_path(Path(exc.filename or archived))}: {exc.strerror or exc}", code="BG401") from None
    except BriefgenError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return archived, original, registry
