"""Up-to-date builds: a fingerprint of every input, kept beside the outputs it produced.

Deliberately light (no pydantic, Jinja or WeasyPrint), so that a build with nothing to do answers at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path

from briefgen import __version__
from briefgen.files import PACKAGE, Unreadable, inside, project_roots, read_bytes

STAMP = ".briefgen-stamp.json"
DEFAULT_MAX_INPUT_BYTES = 20_000_000  # as in the model; a test keeps the two the same
OUTPUT_BYTES = 1 << 31
INPUT_FOLDERS = ("facts", "seeds", "templates")


def _files(root: Path) -> list[Path]:
    """Every file a build reads: settings, facts, seeds, the project's templates and briefgen's own.

    Linked folders are not walked into: the build does not read through them either."""
    found = [root / "briefgen.yaml", root / "judgments.yaml"]
    for folder in INPUT_FOLDERS:
        for parent, _, names in os.walk(root / folder):
            found += [Path(parent, name) for name in names]
    found += [p for p in (PACKAGE / "templates").iterdir() if p.is_file()]
    return sorted(found)


def _settings(root: Path) -> dict[str, str]:
    """The plain top-level values of briefgen.yaml, read without trusting it: under the file rule, composed
    but never constructed (an alias is not expanded, a tag never runs), and no more than the build reads."""
    import yaml

    try:
        text = read_bytes(root / "briefgen.yaml", DEFAULT_MAX_INPUT_BYTES, project_roots(root)).decode("utf-8")
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (Unreadable, UnicodeDecodeError, yaml.YAMLError):
        return {}  # the build will say what is wrong
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v.value for k, v in node.value if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}


def _briefing_date(settings: dict[str, str], option: str | None) -> str:
    """What decides the briefing date, mirroring build.briefing_date without loading the model."""
    if option:
        return f"option:{option}"
    if settings.get("date") not in (None, "", "null", "~"):
        return "settings"  # the file's hash covers it
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return f"epoch:{epoch[:40]!r}" if epoch else f"today:{dt.date.today().isoformat()}"


def _max_bytes(settings: dict[str, str]) -> int:
    value = settings.get("max_input_bytes", "")
    return int(value) if value.isdigit() and len(value) < 12 else DEFAULT_MAX_INPUT_BYTES


def fingerprint(
    root: Path, formats: tuple[str, ...], date_option: str | None, since: str | None = None, keep_html: bool = False
) -> str:
    """A hash of everything that decides the outputs (a --since build also depends on git history)."""
    digest = hashlib.sha256()
    settings = _settings(root)
    options = f"{','.join(formats)}{' keep-html' if keep_html else ''}"
    digest.update(f"briefgen {__version__}\n{options}\n{_briefing_date(settings, date_option)}\n".encode())
    if since is not None:
        digest.update(f"since {since} {dt.datetime.now().isoformat()}\n".encode())  # never reused
    roots, limit = project_roots(root), _max_bytes(settings)
    for path in _files(root):
        try:
            data = read_bytes(path, limit, roots)
        except Unreadable as problem:
            data = f"<{problem.kind}>".encode()  # the build reports it
        digest.update(f"{path.relative_to(root) if path.is_relative_to(root) else path.name}\n".encode())
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _digest(path: Path, roots: list[Path]) -> str | None:
    try:
        return hashlib.sha256(read_bytes(path, OUTPUT_BYTES, roots)).hexdigest()
    except Unreadable:
        return None


def up_to_date(out_dir: Path, inputs: str, project_root: Path | None = None, read_from: Path | None = None) -> bool:
    """Whether the outputs in out_dir were built from exactly these inputs and are still as written, and the
    other files the build read (in the project `read_from`) are as they were.

    Only files inside out_dir are read, and, for the project's own output folder (`project_root` given), only
    when that folder is inside the project: the build refuses it otherwise. The other files are read under the
    file rule, inside the project only."""
    roots = [out_dir.resolve()]
    if project_root is not None and not inside(roots[0], project_roots(project_root)[:1]):
        return False
    stamp = _read_stamp(out_dir)
    if stamp is None or stamp.get("inputs") != inputs:
        return False
    if not all(_digest(out_dir / str(name), roots) == digest for name, digest in stamp["outputs"].items()):
        return False
    also = stamp.get("also_read", {})
    if not isinstance(also, dict) or (also and read_from is None):
        return False
    sources = project_roots(read_from) if read_from is not None else []
    return all(isinstance(name, str) and _digest(read_from / name, sources) == digest for name, digest in also.items())


def _read_stamp(out_dir: Path) -> dict | None:
    """The stamp in out_dir, read only from inside it, when it is a mapping with a mapping of outputs."""
    try:
        stamp = json.loads(read_bytes(out_dir / STAMP, 1 << 20, [out_dir.resolve()]))
    except (Unreadable, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and isinstance(stamp.get("outputs"), dict) else None


def previous_outputs(out_dir: Path) -> set[str]:
    """The outputs the last build in out_dir wrote, by its stamp: Markdown, HTML and PDF files only, since
    the stamp is a file like any other and must not be able to name what a build removes."""
    stamp = _read_stamp(out_dir)
    names = [name for name in (stamp["outputs"] if stamp else {}) if isinstance(name, str)]
    files = {
        name for name in names
        if name == Path(name).name and name.endswith((".md", ".html", ".pdf", ".docx"))
        and (out_dir / name).is_file() and not (out_dir / name).is_symlink()
    }
    # A briefing's figures: a folder `<name>-figures` of images and nothing else, which goes as a whole.
    folders = {name.split("/", 1)[0] for name in names if re.fullmatch(r"[a-z0-9-]+-figures/[a-z0-9-]+\.[a-z]+", name)}
    return files | {name for name in folders if _only_figures(out_dir / name)}


def _only_figures(folder: Path) -> bool:
    if folder.is_symlink() or not folder.is_dir():
        return False
    images = (".svg", ".png", ".jpg", ".gif", ".webp")
    return all(entry.is_file(follow_symlinks=False) and entry.name.endswith(images) for entry in os.scandir(folder))


def record(inputs: str, outputs: dict[str, bytes], also_read: dict[str, bytes] | None = None) -> bytes:
    """The stamp to write beside the outputs (the caller writes it, last and atomically). `also_read` are the
    files the build read beyond the fingerprinted ones (a template's images), by their path in the project."""
    stamp = {
        "briefgen": __version__,
        "inputs": inputs,
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outputs.items())},
        "also_read": {name: hashlib.sha256(data).hexdigest() for name, data in sorted((also_read or {}).items())},
    }
    return (json.dumps(stamp, indent=2) + "\n").encode()
