"""Editor support: JSON Schemas generated from the model, kept current, named by every project file."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from briefgen import model
from briefgen.loading import load_project, parse_yaml
from briefgen.schema import PACKAGE_SCHEMAS, render, schemas
from conftest import REPO, ProjectDir, run


@pytest.mark.parametrize("folder", [REPO / "schemas", PACKAGE_SCHEMAS], ids=["repository", "package"])
def test_committed_schemas_are_current(folder: Path) -> None:
    for name, schema in schemas().items():
        assert (folder / name).read_text() == render(schema), f"{folder / name} is stale: run `briefgen schema`"


def project_files() -> list[tuple[Path, str]]:
    files = [(REPO / "briefgen.yaml", "schemas/settings.schema.json"), (REPO / "seeds" / "sources.yaml", "../schemas/sources.schema.json")]
    files += [(p, "../schemas/facts.schema.json") for p in sorted((REPO / "facts").glob("*.yaml"))]
    return files


@pytest.mark.parametrize(("path", "schema"), project_files(), ids=lambda v: getattr(v, "name", v))
def test_every_project_file_names_its_schema_and_satisfies_it(path: Path, schema: str) -> None:
    first = path.read_text().splitlines()[0]
    assert first == f"# yaml-language-server: $schema={schema}"
    document = json.loads((path.parent / schema).read_text())
    jsonschema.Draft7Validator.check_schema(document)
    jsonschema.validate(parse_yaml(path.read_text(), path.name).data, document, cls=jsonschema.Draft7Validator)


def test_the_schema_catches_what_check_catches() -> None:
    facts = schemas()["facts.schema.json"]
    good = {"id": "a-fact", "claim": "A claim.", "as_of": "2025-03", "sources": [{"source": "s", "quote": "words"}]}
    jsonschema.validate([good], facts, cls=jsonschema.Draft7Validator)
    for bad in (
        {**good, "qoute": "typo"},
        {**good, "as_of": "March 2025"},
        {**good, "qualifier": "roughly"},
        {**good, "sources": []},
        {k: v for k, v in good.items() if k != "claim"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([bad], facts, cls=jsonschema.Draft7Validator)


def test_schema_command_writes_the_schemas(tiny: ProjectDir) -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tiny.root / "schemas").iterdir()) == [
        "facts.schema.json", "judgments.schema.json", "settings.schema.json", "sources.schema.json"
    ]
    assert "briefgen: wrote schemas/facts.schema.json" in result.stderr


def test_a_renamed_field_says_what_it_is_called_now(tiny: ProjectDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "RENAMED", {2: {("Citation", "quotation"): "quote"}})
    tiny.replace("facts/beta.yaml", '      quote: "The writer', '      quotation: "The writer')
    _, diags = load_project(tiny.root)
    assert [(d.message, d.hint) for d in diags if d.code == "BG020"] == [
        ("field 'sources[0].quotation' of fact 'convoys-north' was renamed to 'quote' in format version 2", "rename it to 'quote'")
    ]
