"""Up-to-date builds: a fingerprint of every input, kept beside the outputs it produced.

Deliberately light (no pydantic, Jinja or WeasyPrint), so that a build with nothing to do answers at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from briefgen import __version__

STAMP = ".briefgen-stamp.json"
PACKAGE = Path(__file__).parent
INPUT_FOLDERS = ("facts", "seeds", "templates")


def _files(root: Path) -> list[Path]:
    """Every file a build reads: settings, facts, seeds, the project's templates and briefgen's own."""
    found = [root / "briefgen.yaml"]
    for folder in INPUT_FOLDERS:
        base = root / folder
        if base.is_dir():
            found += [p for p in base.rglob("*") if p.is_file()]
    found += [p for p in (PACKAGE / "templates").iterdir() if p.is_file()]
    return sorted(found)


def _briefing_date(root: Path, option: str | None) -> str:
    """What decides the briefing date, mirroring build.briefing_date without loading the model."""
    if option:
        return f"option:{option}"
    import yaml

    try:
        text = (root / "briefgen.yaml").read_text(encoding="utf-8")
        settings = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        settings = None  # the build will say what is wrong; today's date keeps the stamp from matching tomorrow
    if isinstance(settings, dict) and settings.get("date"):
        return f"settings:{settings['date']}"  # the file's hash covers it
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return f"epoch:{epoch}" if epoch else f"today:{dt.date.today().isoformat()}"


def fingerprint(
    root: Path, formats: tuple[str, ...], date_option: str | None, since: str | None = None, keep_html: bool = False
) -> str:
    """A hash of everything that decides the outputs (a --since build also depends on git history)."""
    digest = hashlib.sha256()
    options = f"{','.join(formats)}{' keep-html' if keep_html else ''}"
    digest.update(f"briefgen {__version__}\n{options}\n{_briefing_date(root, date_option)}\n".encode())
    if since is not None:
        digest.update(f"since {since} {dt.datetime.now().isoformat()}\n".encode())  # never reused
    for path in _files(root):
        try:
            data = path.read_bytes()
        except OSError:
            data = b"<unreadable>"
        digest.update(f"{path.relative_to(root) if path.is_relative_to(root) else path.name}\n".encode())
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def up_to_date(out_dir: Path, inputs: str) -> bool:
    """Whether the outputs in out_dir were built from exactly these inputs and are still as written."""
    try:
        stamp = json.loads((out_dir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict) or stamp.get("inputs") != inputs or not isinstance(stamp.get("outputs"), dict):
        return False
    return all(_digest(out_dir / name) == digest for name, digest in stamp["outputs"].items())


def record(inputs: str, outputs: dict[str, bytes]) -> bytes:
    """The stamp to write beside the outputs (the caller writes it, last and atomically)."""
    stamp = {
        "briefgen": __version__,
        "inputs": inputs,
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(outputs.items())},
    }
    return (json.dumps(stamp, indent=2) + "\n").encode()
