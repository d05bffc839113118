"""JSON Schemas (draft-07) for the project files, generated from the model, for editors' completion and checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from briefgen.model import Fact, Judgment, Settings, Source

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
PACKAGE_SCHEMAS = Path(__file__).parent / "schemas"
# Which schema each project file uses, and the line that tells the YAML language server so.
FILES = {
    "facts.schema.json": "facts/*.yaml",
    "sources.schema.json": "seeds/sources.yaml",
    "settings.schema.json": "briefgen.yaml",
    "judgments.schema.json": "judgments.yaml",
}


def _definitions(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The model's schema with draft-07 `definitions` instead of draft 2020-12 `$defs`."""
    schema = model.model_json_schema(ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    return schema, definitions


def _list_of(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    schema, definitions = _definitions(model)
    definitions[model.__name__] = schema
    return {
        "$schema": DRAFT_07,
        "title": title,
        "description": description,
        "type": "array",
        "items": {"$ref": f"#/definitions/{model.__name__}"},
        "definitions": dict(sorted(definitions.items())),
    }


def schemas() -> dict[str, dict[str, Any]]:
    """Every schema by file name."""
    settings, definitions = _definitions(Settings)
    settings = {"$schema": DRAFT_07, **settings, "title": "briefgen.yaml"}
    if definitions:
        settings["definitions"] = definitions
    return {
        "facts.schema.json": _list_of(Fact, "briefgen facts", "A fact file: facts/<category>.yaml."),
        "sources.schema.json": _list_of(Source, "briefgen sources", "The registered articles: seeds/sources.yaml."),
        "settings.schema.json": settings,
        "judgments.schema.json": _list_of(Judgment, "briefgen judgments", "The analyst's judgments: judgments.yaml."),
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into a folder; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = folder / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def header(name: str, depth: int) -> str:
    """The `# yaml-language-server: $schema=…` line for a file `depth` folders below the project root."""
    return f"# yaml-language-server: $schema={'../' * depth}schemas/{name}"

