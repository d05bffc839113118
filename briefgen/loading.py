"""Project files → validated model, keeping a key-path → line map so every problem has `file:line:col`."""

from __future__ import annotations

import difflib
import gc
import hashlib
import math
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from briefgen.diagnostics import Diagnostic, diagnostic, did_you_mean, display_path, plural
from briefgen.files import HINTS, Unreadable, read_bytes
from briefgen.model import FORMAT_VERSION, ID_PATTERN, Fact, Judgment, Settings, Source, renamed

SETTINGS_FILE = "briefgen.yaml"
SOURCES_FILE = "seeds/sources.yaml"
JUDGMENTS_FILE = "judgments.yaml"
FACTS_DIR = "facts"
SEEDS_DIR = "seeds"
TEMPLATES_DIR = "templates"
DEFAULT_MAX_INPUT_BYTES = Settings.model_fields["max_input_bytes"].default

KeyPath = tuple[str | int, ...]
Mark = tuple[int, int]

class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML read as YAML 1.2's core schema reads it, which is what editors and the JSON Schemas assume:
    `yes`, `no`, `on`, `off` are text, not booleans; `010` is ten; `0o17` is octal; dates stay text."""

    yaml_implicit_resolvers: dict = {}


_CORE = {
    "tag:yaml.org,2002:bool": (r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    "tag:yaml.org,2002:null": (r"^(?:~|null|Null|NULL|)$", "~nN"),
    "tag:yaml.org,2002:int": (r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    "tag:yaml.org,2002:float": (
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
}
for _tag, (_pattern, _first) in _CORE.items():
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first) + ([""] if _tag.endswith("null") else []))


def _core_int(node: yaml.ScalarNode) -> int:
    text = node.value
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _core_float(node: yaml.ScalarNode) -> float:
    text = node.value.lower()
    if text.endswith(("inf", "nan")):
        return float(text.replace(".", ""))
    return float(text)


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str": lambda node: node.value,
    "tag:yaml.org,2002:int": _core_int,
    "tag:yaml.org,2002:float": _core_float,
    "tag:yaml.org,2002:bool": lambda node: node.value.lower() == "true",
    "tag:yaml.org,2002:null": lambda node: None,
}


@dataclass
class YamlDocument:
    """A parsed YAML file: its data, and the node tree that knows where every key and value is."""

    path: str
    data: Any
    root: yaml.Node | None = None

    def at(self, keypath: KeyPath, *, key: bool = False) -> dict[str, Any]:
        """Where a key path is (its key, with key=True), as diagnostic keywords.

        Walks the node tree only when asked, which is when there is something to report: loading stays
        fast. A path that does not exist resolves to its nearest enclosing node.
        """
        node = found = self.root
        for position, part in enumerate(keypath):
            last = position == len(keypath) - 1
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                pair = next(((k, v) for k, v in node.value if k.value == part), None)
                if pair is None:
                    break
                found = pair[0] if key and last else pair[1]
                node = pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = found = node.value[part]
            else:
                break
        line, column = _mark(found) if found is not None else (1, 1)
        return {"path": self.path, "line": line, "column": column}


@dataclass
class Project:
    """A loaded project: settings, sources with their archived texts, facts, and where each came from."""

    root: Path
    settings: Settings
    sources: dict[str, Source]
    facts: dict[str, Fact]
    texts: dict[str, str]
    documents: dict[str, YamlDocument]
    origins: dict[tuple[str, str], tuple[str, KeyPath]]
    # False when loading found errors: the project then holds only the facts and sources that are valid.
    complete: bool = True
    judgments: dict[str, Judgment] = field(default_factory=dict)  # judgments.yaml, when the project has one

    def where(self, kind: str, ident: str, *subpath: str | int, key: bool = False) -> dict[str, Any]:
        """Location of a fact's or source's field, e.g. `where("fact", id, "sources", 0, "quote")`."""
        path, keypath = self.origins[(kind, ident)]
        return self.documents[path].at(keypath + subpath, key=key)

    @property
    def settings_path(self) -> str:
        """briefgen.yaml as messages show it, and as `documents` knows it."""
        return display_path(self.root / SETTINGS_FILE)

    def source_path(self, source: Source) -> str:
        return display_path(self.root / SEEDS_DIR / source.file)


class YamlProblem(Exception):
    def __init__(self, diag: Diagnostic) -> None:
        super().__init__(diag.message)
        self.diag = diag


@contextmanager
def gc_relaxed() -> Iterator[None]:
    """Let the cyclic garbage collector run rarely while a layout engine builds a page tree.

    WeasyPrint's boxes live until the PDF is written, so frequent collections only rescan them: the
    default thresholds cost a few per cent of a PDF's time. Unlike pausing, this still bounds garbage.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    A fact base of 10,000 facts is about a million YAML nodes, dicts and model objects, none of them in
    reference cycles; left on, the collector rescans the growing heap again and again, which more than
    doubled the time `check` took.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_text(
    path: Path, shown: str, max_bytes: int, *, where: dict[str, Any] | None = None, roots: Sequence[Path] | None = None
) -> str:
    """Read a UTF-8 text file under the file rule (files.py), or raise YamlProblem saying exactly what is wrong.

    `roots` are the folders the file may really be in (see `project_roots`); None is for a file the user
    names on the command line."""
    at = where or {"path": shown}
    try:
        raw = read_bytes(path, max_bytes, roots)
    except Unreadable as problem:
        raise YamlProblem(diagnostic(_UNREADABLE[problem.kind], f"{shown} {problem.detail}", hint=_UNREADABLE_HINTS.get(problem.kind), **at)) from None
    if not raw.strip():
        raise YamlProblem(diagnostic("BG008", f"{shown} is empty", **at))
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        raise YamlProblem(
            diagnostic("BG007", f"{shown} is binary, not text (NUL byte at offset {offset})", **_byte_where(raw, offset, shown, at))
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start]
        raise YamlProblem(
            diagnostic(
                "BG007",
                f"{shown} is not UTF-8: byte 0x{bad:02x} at offset {exc.start} cannot be decoded",
                hint="save the file as UTF-8",
                **_byte_where(raw, exc.start, shown, at),
            )
        ) from None
    return text.removeprefix("\ufeff")


_UNREADABLE = {"missing": "BG005", "too-large": "BG006", "folder": "BG007", "denied": "BG007", "outside": "BG009", "special": "BG009"}
_UNREADABLE_HINTS = {**HINTS, "too-large": "raise max_input_bytes in briefgen.yaml if the file is genuine"}


def _byte_where(raw: bytes, offset: int, shown: str, at: dict[str, Any]) -> dict[str, Any]:
    if at.get("path") != shown:  # the problem is reported where the file is named, not inside it
        return at
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return {"path": shown, "line": line, "column": column}


def parse_yaml(text: str, shown: str) -> YamlDocument:
    """Parse YAML safely: no tags beyond the core schema, no duplicate keys, bounded alias expansion."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        context = ""
        if exc.context:
            started = exc.context_mark
            context = f" {exc.context}"
            if started is not None and mark is not None and started.line != mark.line:
                context += f" that starts at line {started.line + 1}"
        hint = "indent with spaces, not tabs" if "tab" in problem else "check the indentation and quoting around here"
        if mark is not None:
            first = exc.context_mark.line + 1 if exc.context_mark else max(mark.line - 30, 1)
            opened = _unclosed_quote(text, first, mark.line + 1)
            if opened is not None and opened != mark.line + 1:
                hint = f"the double quote opened at line {opened} may not be closed"
        raise YamlProblem(
            diagnostic(
                "BG001",
                f"YAML syntax error: {problem}{context}",
                hint=hint,
                path=shown,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(diagnostic("BG001", f"YAML syntax error: {exc}", path=shown)) from None
    doc = YamlDocument(path=shown, data=None, root=root)
    if root is None:
        return doc
    doc.data = _convert(root, doc, len(text) + 10_000)
    return doc


def _unclosed_quote(text: str, first: int, last: int) -> int | None:
    """The first line in a range with an odd number of double quotes: a likely unclosed string."""
    lines = text.splitlines()
    for number in range(first, min(last, len(lines)) + 1):
        if re.sub(r"\\.", "", lines[number - 1]).count('"') % 2:
            return number
    return None


def _mark(node: yaml.Node) -> Mark:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


def _convert(root: yaml.Node, doc: YamlDocument, budget: int) -> Any:
    """Node tree → plain data (str, int, float, bool, None, list, dict), refusing what a fact base never needs.

    At most `budget` nodes are produced, so an alias bomb fails fast. It is reported at the field of the
    top-level item being expanded, since an aliased node keeps the position of its anchor.
    """
    left = budget
    scalar, sequence = yaml.ScalarNode, yaml.SequenceNode
    open_nodes: set[int] = set()  # the nodes being converted, outermost to here: an alias to one is a loop

    def too_large(node: yaml.Node, message: str, hint: str) -> YamlProblem:
        line, column = _mark(node)
        return YamlProblem(diagnostic("BG004", message, hint=hint, path=doc.path, line=line, column=column))

    def convert(node: yaml.Node, depth: int, field: yaml.Node | None) -> Any:
        nonlocal left
        left -= 1
        if left < 0:
            raise too_large(field or node, "YAML aliases expand to far more nodes than the file holds (an alias bomb?)",
                            "write the data out instead of nesting anchors")
        if depth > MAX_DEPTH:
            raise too_large(node, f"the data is nested more than {MAX_DEPTH} levels deep", "a fact base needs a few levels")
        tag = node.tag
        kind = type(node)
        if kind is scalar:
            if tag == _STR:
                return node.value
            return _scalar(node, doc)
        if id(node) in open_nodes:
            raise too_large(node, "a YAML alias refers to a list or mapping that contains it", "write the data out instead")
        open_nodes.add(id(node))
        try:
            return convert_collection(node, depth, field)
        finally:
            open_nodes.discard(id(node))

    def convert_collection(node: yaml.Node, depth: int, field: yaml.Node | None) -> Any:
        tag = node.tag
        if type(node) is sequence:
            if tag != _SEQ:
                _unsupported(node, doc, f"the YAML tag {_tag_name(tag)} is not allowed in a fact base")
            return [convert(child, depth + 1, field) for child in node.value]
        if tag != _MAP:
            _unsupported(node, doc, f"the YAML tag {_tag_name(tag)} is not allowed in a fact base")
        result: dict[str, Any] = {}
        key_nodes: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not scalar:
                _unsupported(key_node, doc, "a mapping key must be plain text")
            if key_node.value == "<<" and not key_node.style:  # YAML 1.1's merge key: plain text in YAML 1.2
                _unsupported(key_node, doc, "YAML merge keys (<<) are not supported: write the fields out")
            key = key_node.value
            if key in key_nodes:
                line, column = _mark(key_node)
                raise YamlProblem(
                    diagnostic(
                        "BG002",
                        f"duplicate key '{key}' (first at line {_mark(key_nodes[key])[0]}); "
                        "YAML would silently keep only the last",
                        path=doc.path,
                        line=line,
                        column=column,
                    )
                )
            key_nodes[key] = key_node
            result[key] = convert(value_node, depth + 1, key_node if depth <= 1 else field)
        return result

    return convert(root, 0, None)


# How deep data may nest (a fact's citations are three levels down), and how large a number may be: beyond
# 15 digits a number is no longer exact as a float, and no figure in a fact base has that many.
MAX_DEPTH = 32
MAX_DIGITS = 15


def _scalar(node: yaml.ScalarNode, doc: YamlDocument) -> Any:
    construct = _SCALAR_TAGS.get(node.tag)
    if construct is None:
        _unsupported(node, doc, f"the YAML tag {_tag_name(node.tag)} is not allowed in a fact base")
    if node.tag in (_INT, _FLOAT) and len(re.sub(r"[^0-9]", "", node.value.split("e")[0].split("E")[0])) > MAX_DIGITS:
        _bad_number(node, doc, f"the number {_shorten(node.value)} has more than {MAX_DIGITS} digits")
    try:
        value = construct(node)
    except (ValueError, OverflowError, yaml.constructor.ConstructorError):
        _unsupported(node, doc, f"{_shorten(node.value)!r} is not a valid {node.tag.rsplit(':', 1)[-1]}")
    if isinstance(value, float) and not math.isfinite(value):
        _bad_number(node, doc, f"{_shorten(node.value)} is not a finite number")
    return value


def _bad_number(node: yaml.Node, doc: YamlDocument, message: str) -> None:
    line, column = _mark(node)
    raise YamlProblem(diagnostic("BG023", message, hint="write the figure as the source gives it", path=doc.path, line=line, column=column))


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tag_name(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _unsupported(node: yaml.Node, doc: YamlDocument, message: str) -> None:
    line, column = _mark(node)
    raise YamlProblem(diagnostic("BG003", message, path=doc.path, line=line, column=column))


def load_yaml(path: Path, max_bytes: int, root: Path) -> YamlDocument:
    """Read and parse one YAML file of the project at `root` (resolved); raises YamlProblem."""
    shown = display_path(path)
    return parse_yaml(read_text(path, shown, max_bytes, roots=[root]), shown)


# --- validation --------------------------------------------------------------------------------

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"text ({value[:40]!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _field_name(loc: KeyPath) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _clean_loc(data: Any, loc: tuple) -> tuple[KeyPath, bool]:
    """Keep the parts of a pydantic error location that exist in the data (drop union/type tags)."""
    cleaned: list[str | int] = []
    current = data
    is_key = False
    for i, part in enumerate(loc):
        if part == "[key]":
            is_key = True
            continue
        if isinstance(current, dict) and isinstance(part, str) and part in current:
            cleaned.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            cleaned.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and i == len(loc) - 1:
            cleaned.append(part)  # a missing field
            current = None
        # anything else is a type tag pydantic adds for unions and constrained types
    return tuple(cleaned), is_key


def _value_at(data: Any, loc: KeyPath) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _model_at(model: type[BaseModel], loc: KeyPath) -> type[BaseModel] | None:
    """The model class a (cleaned) location points into, to suggest its field names."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return current


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def validation_diagnostics(
    exc: ValidationError, model: type[BaseModel], data: Any, doc: YamlDocument, base: KeyPath, what: str
) -> list[Diagnostic]:
    """Turn pydantic's errors into one diagnostic per problem, each at the right line."""
    out: list[Diagnostic] = []
    seen: dict[KeyPath, int] = {}
    errors = exc.errors()
    # A misspelled required field is one mistake, not two: report the unknown name with its suggestion and
    # not also the missing field it was meant to be.
    meant: set[KeyPath] = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc, _ = _clean_loc(data, err["loc"])
            parent = _model_at(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), list(parent.model_fields) if parent else [], n=1, cutoff=0.6)
            if close:
                meant.add(loc[:-1] + (close[0],))
    for err in errors:
        loc, is_key = _clean_loc(data, err["loc"])
        if err["type"] == "missing" and loc in meant:
            continue
        kind = err["type"]
        name = _field_name(loc)
        value = _value_at(data, loc)
        if loc in seen and kind in _EXPECTED:
            # One wrong value breaks every member of a union (int | float): say it once.
            if kind in ("int_type", "float_type"):
                prev = out[seen[loc]]
                out[seen[loc]] = Diagnostic(**{**prev.__dict__, "message": f"field '{name}' of {what} must be a number, got {_describe(value)}"})
            continue
        where = doc.at(base + loc, key=kind == "extra_forbidden" or is_key)
        if kind == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            fields = list(parent.model_fields) if parent else []
            moved = renamed(parent.__name__, str(loc[-1])) if parent else None
            if moved:
                d = diagnostic(
                    "BG020",
                    f"field '{name}' of {what} was renamed to '{moved[0]}' in format version {moved[1]}",
                    hint=f"rename it to '{moved[0]}'",
                    **where,
                )
            else:
                d = diagnostic("BG020", f"unknown field '{name}' in {what}{did_you_mean(loc[-1], fields)}", **where)
        elif kind == "missing":
            where = doc.at(base + loc[:-1])
            d = diagnostic("BG021", f"{what} is missing the required field '{name}'", **where)
        elif kind == "bad_date":
            d = diagnostic("BG024", f"field '{name}' of {what}: {err['msg']}", **where)
        elif kind in _EXPECTED:
            if kind in ("model_type", "dict_type") and not loc:
                d = diagnostic("BG010", f"{what} must be a mapping of fields, got {_describe(value)}", **where)
            else:
                d = diagnostic("BG022", f"field '{name}' of {what} must be {_EXPECTED[kind]}, got {_describe(value)}", **where)
        elif kind == "literal_error":
            choices = re.findall(r"'([^']*)'", err["ctx"]["expected"])
            d = diagnostic(
                "BG023",
                f"field '{name}' of {what} must be one of {', '.join(choices)}; got {value!r}{did_you_mean(value, choices)}",
                **where,
            )
        elif kind == "string_pattern_mismatch":
            shown = loc[-1] if is_key else value
            d = diagnostic(
                "BG023",
                f"{shown!r} is not a valid {what.split(' ')[0]} id"
                if loc == ("id",)
                else f"{shown!r} in field '{name}' of {what} is not a valid id",
                hint="use lower-case letters, digits and single hyphens, e.g. 'nk-troops-2025'",
                **where,
            )
        elif kind == "string_too_short":
            d = diagnostic("BG023", f"field '{name}' of {what} is empty", **where)
        elif kind == "too_short":
            d = diagnostic("BG023", f"field '{name}' of {what} must list at least one item", **where)
        else:
            d = diagnostic("BG023", f"field '{name}' of {what}: {err['msg']}", **where)
        seen[loc] = len(out)
        out.append(d)
    return out


# --- the project ---------------------------------------------------------------------------------


def load_project(root: Path) -> tuple[Project | None, list[Diagnostic]]:
    """Load and cross-check every project file; returns the project and all problems.

    The project is None only when the settings are unusable; after other errors it is marked incomplete
    and holds what was valid, so that the facts that did load can still be checked in the same run.
    """
    root = root.resolve()
    diags: list[Diagnostic] = []
    documents: dict[str, YamlDocument] = {}
    origins: dict[tuple[str, str], tuple[str, KeyPath]] = {}

    settings = _load_settings(root, diags, documents)
    max_bytes = settings.max_input_bytes if settings else DEFAULT_MAX_INPUT_BYTES
    sources, named_sources = _load_sources(root, max_bytes, diags, documents, origins)
    facts = _load_facts(root, settings, sources, named_sources, max_bytes, diags, documents, origins)
    texts = _load_texts(root, sources, max_bytes, diags, documents, origins)
    judgments = _load_judgments(root, facts, max_bytes, diags, documents, origins)

    if settings is None:
        return None, diags
    complete = not any(d.level == "error" for d in diags)
    return Project(root, settings, sources, facts, texts, documents, origins, complete, judgments), diags


def _load_settings(root: Path, diags: list[Diagnostic], documents: dict[str, YamlDocument]) -> Settings | None:
    path = root / SETTINGS_FILE
    if not path.exists():
        diags.append(
            diagnostic(
                "BG005",
                f"{display_path(path)} does not exist: this folder is not a briefgen project",
                hint="run briefgen in a project folder, pass --project DIR, or start one with `briefgen init DIR`",
                path=display_path(path),
            )
        )
        return None
    try:
        doc = load_yaml(path, DEFAULT_MAX_INPUT_BYTES, root)
    except YamlProblem as problem:
        diags.append(problem.diag)
        return None
    documents[doc.path] = doc
    if not isinstance(doc.data, dict):
        diags.append(diagnostic("BG010", f"{doc.path} must be a mapping of settings, got {_describe(doc.data)}", **doc.at(())))
        return None
    version = doc.data.get("version", FORMAT_VERSION)
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        diags.append(
            diagnostic(
                "BG025",
                f"{doc.path} has format version {version}; this briefgen reads version {FORMAT_VERSION}",
                hint="upgrade briefgen",
                **doc.at(("version",)),
            )
        )
        return None
    try:
        return Settings.model_validate(doc.data)
    except ValidationError as exc:
        diags.extend(validation_diagnostics(exc, Settings, doc.data, doc, (), display_path(path)))
        return None


def _category_hint(stem: str, categories: dict[str, str]) -> str:
    """What to do about a fact file named after no category: declare the category, or rename the file."""
    rename = f"name fact files after a category in briefgen.yaml: {', '.join(categories)}"
    if did_you_mean(stem, categories) or not re.fullmatch(ID_PATTERN, stem):
        return rename if categories else "name the file in lower-case letters, digits and hyphens, and declare it under categories in briefgen.yaml"
    add = f"add `{stem}: {stem.replace('-', ' ').capitalize()}` under categories in briefgen.yaml"
    return f"{add}, or {rename}" if categories else add


def _load_list(
    root: Path, path: Path, what: str, max_bytes: int, diags: list[Diagnostic], documents: dict[str, YamlDocument]
) -> YamlDocument | None:
    """Load a YAML file that must hold a list."""
    try:
        doc = load_yaml(path, max_bytes, root)
    except YamlProblem as problem:
        diags.append(problem.diag)
        return None
    documents[doc.path] = doc
    if doc.data is None:  # nothing but comments yet, as in a new project
        doc.data = []
    if not isinstance(doc.data, list):
        hint = "start each item with '- '" if isinstance(doc.data, dict) else None
        diags.append(diagnostic("BG010", f"{doc.path} must be a list of {what}, got {_describe(doc.data)}", hint=hint, **doc.at(())))
        return None
    return doc


def _items(doc: YamlDocument, model: type[BaseModel], noun: str, diags: list[Diagnostic]) -> Iterator[tuple[int, Any]]:
    """Validate each item of a list file on its own, so one bad item does not hide the others."""
    for index, data in enumerate(doc.data):
        ident = data.get("id") if isinstance(data, dict) else None
        what = f"{noun} '{ident}'" if isinstance(ident, str) and ident else f"{noun} #{index + 1}"
        try:
            yield index, model.model_validate(data)
        except ValidationError as exc:
            diags.extend(validation_diagnostics(exc, model, data, doc, (index,), what))


def _load_sources(
    root: Path, max_bytes: int, diags: list[Diagnostic], documents: dict[str, YamlDocument], origins: dict
) -> tuple[dict[str, Source], set[str] | None]:
    """The valid sources, and every id the file names (None if it could not be read): a fact citing a source
    that is registered but invalid, or a file that is broken, is not also told the source is unknown."""
    path = root / SOURCES_FILE
    if not path.exists():
        diags.append(diagnostic("BG005", f"{display_path(path)} does not exist: register the archived articles there", path=display_path(path)))
        return {}, None
    doc = _load_list(root, path, "sources", max_bytes, diags, documents)
    sources: dict[str, Source] = {}
    if doc is None:
        return sources, None
    named = {item["id"] for item in doc.data if isinstance(item, dict) and isinstance(item.get("id"), str)}
    for index, source in _items(doc, Source, "source", diags):
        if source.id in sources:
            first = doc.at(origins[("source", source.id)][1] + ("id",))
            diags.append(
                diagnostic(
                    "BG030",
                    f"duplicate source id '{source.id}' (also at {first['path']}:{first['line']})",
                    **doc.at((index, "id")),
                )
            )
            continue
        sources[source.id] = source
        origins[("source", source.id)] = (doc.path, (index,))
    return sources, named


def _load_facts(
    root: Path,
    settings: Settings | None,
    sources: dict[str, Source],
    named_sources: set[str] | None,
    max_bytes: int,
    diags: list[Diagnostic],
    documents: dict[str, YamlDocument],
    origins: dict,
) -> dict[str, Fact]:
    folder = root / FACTS_DIR
    if not folder.is_dir():  # a new project has no facts yet (and git keeps no empty folder)
        return {}
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))
    facts: dict[str, Fact] = {}
    for path in files:
        doc = _load_list(root, path, "facts", max_bytes, diags, documents)
        if doc is None:
            continue
        # A file named after no category: one message for the file, not one for each fact that takes its name.
        unnamed = settings is not None and path.stem not in settings.categories
        defaulted = [i for i, item in enumerate(doc.data) if not (isinstance(item, dict) and "category" in item)]
        if unnamed and defaulted:
            diags.append(diagnostic(
                "BG032",
                f"{doc.path} is named after no category, so its {plural(len(defaulted), 'fact')} without a category "
                f"{'has' if len(defaulted) == 1 else 'have'} the unknown category '{path.stem}'"
                f"{did_you_mean(path.stem, settings.categories)}",  # type: ignore[union-attr]
                hint=_category_hint(path.stem, settings.categories),  # type: ignore[union-attr]
                path=doc.path, line=1, column=1,
            ))
        for index, fact in _items(doc, Fact, "fact", diags):
            fact = fact.with_category(path.stem)
            if fact.id in facts:
                first_path, first_keys = origins[("fact", fact.id)]
                first = documents[first_path].at(first_keys + ("id",))
                diags.append(
                    diagnostic(
                        "BG030",
                        f"duplicate fact id '{fact.id}' (also at {first['path']}:{first['line']})",
                        fact_id=fact.id,
                        **doc.at((index, "id")),
                    )
                )
                continue
            if settings is not None and fact.category not in settings.categories and not (unnamed and index in defaulted):
                at = doc.at((index, "category") if "category" in doc.data[index] else (index,))
                diags.append(
                    diagnostic(
                        "BG032",
                        f"fact '{fact.id}' has unknown category '{fact.category}'{did_you_mean(fact.category, settings.categories)}",
                        hint=f"categories in briefgen.yaml: {', '.join(settings.categories)}",
                        fact_id=fact.id,
                        **at,
                    )
                )
            for i, citation in enumerate(fact.sources):
                if named_sources is not None and citation.source not in named_sources:
                    diags.append(
                        diagnostic(
                            "BG031",
                            f"fact '{fact.id}' cites unknown source '{citation.source}'{did_you_mean(citation.source, sources)}",
                            hint="register it in seeds/sources.yaml",
                            fact_id=fact.id,
                            **doc.at((index, "sources", i, "source")),
                        )
                    )
            facts[fact.id] = fact
            origins[("fact", fact.id)] = (doc.path, (index,))
    return facts


def _load_judgments(
    root: Path, facts: dict[str, Fact], max_bytes: int, diags: list[Diagnostic], documents: dict, origins: dict
) -> dict[str, Judgment]:
    """The analyst's judgments, if the project has judgments.yaml: each resting on facts that exist."""
    path = root / JUDGMENTS_FILE
    if not os.path.lexists(path):
        return {}
    doc = _load_list(root, path, "judgments", max_bytes, diags, documents)
    judgments: dict[str, Judgment] = {}
    if doc is None:
        return judgments
    for index, judgment in _items(doc, Judgment, "judgment", diags):
        if judgment.id in judgments:
            first = doc.at(origins[("judgment", judgment.id)][1] + ("id",))
            diags.append(diagnostic("BG030", f"duplicate judgment id '{judgment.id}' (also at {first['path']}:{first['line']})",
                                    **doc.at((index, "id"))))
            continue
        for i, fid in enumerate(judgment.rests_on):
            if fid not in facts:
                diags.append(diagnostic(
                    "BG034", f"judgment '{judgment.id}' rests on unknown fact '{fid}'{did_you_mean(fid, facts)}",
                    hint="rests_on lists fact ids from facts/", **doc.at((index, "rests_on", i)),
                ))
        judgments[judgment.id] = judgment
        origins[("judgment", judgment.id)] = (doc.path, (index,))
    return judgments


def _load_texts(
    root: Path, sources: dict[str, Source], max_bytes: int, diags: list[Diagnostic], documents: dict, origins: dict
) -> dict[str, str]:
    texts: dict[str, str] = {}
    for source in sources.values():
        path, keypath = origins[("source", source.id)]
        where = documents[path].at(keypath + ("file",))
        file = root / SEEDS_DIR / source.file
        try:
            texts[source.id] = read_text(file, display_path(file), max_bytes, where=where, roots=[root])
        except YamlProblem as problem:
            diags.append(problem.diag)
            continue
        if source.sha256 is not None:
            digest = hashlib.sha256(texts[source.id].encode("utf-8")).hexdigest()
            if digest != source.sha256:
                diags.append(diagnostic(
                    "BG011",
                    f"{display_path(file)} has changed since source '{source.id}' was registered: its quotes were checked "
                    "against a text that is no longer the article",
                    hint=f"restore it from git; if the change is a deliberate correction, say so in `note` and set sha256: {digest}",
                    **documents[path].at(keypath + ("sha256",)),
                ))
        if source.original_file is not None:
            original = root / SEEDS_DIR / source.original_file
            if not original.is_file():
                diags.append(diagnostic(
                    "BG005", f"{display_path(original)} does not exist: it is the original of source '{source.id}'",
                    hint="restore it from git, or remove original_file", **documents[path].at(keypath + ("original_file",)),
                ))
    return texts
