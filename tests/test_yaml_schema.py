"""One YAML reading: briefgen reads project files as YAML 1.2's core schema does, which is what editors and the
JSON Schemas assume, so that what the schema accepts `check` accepts, and the other way round."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from briefgen.loading import _CORE, parse_yaml
from briefgen.model import SCHEMA_DATE_PATTERN, Fact, Judgment, Source
from briefgen.schema import schemas
from conftest import ProjectDir, run


class _Dumper(yaml.SafeDumper):
    """Writes YAML as a YAML 1.2 reader expects: quotes exactly the text that the core schema would read as
    something else ("no" stays plain, "0o17" is quoted)."""

    yaml_implicit_resolvers: dict = {}


for _tag, (_pattern, _first) in _CORE.items():
    _Dumper.add_implicit_resolver(_tag, __import__("re").compile(_pattern), list(_first))


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


# Text as analysts type it: letters, digits, punctuation, spaces, the odd accent, tab and line break, quotes.
TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ019 .,;:'\"-–—()/%&éü中\t\n")), max_size=24)


def from_schema(schema: dict[str, Any], root: dict[str, Any] | None = None) -> st.SearchStrategy[Any]:
    """Documents the JSON Schema accepts, for the parts of JSON Schema briefgen's schemas use. (hypothesis-jsonschema
    does this in general, but does not run on the Hypothesis this project tests with.)"""
    root = root or schema
    if "$ref" in schema:
        return st.deferred(lambda: from_schema(root["definitions"][schema["$ref"].rsplit("/", 1)[1]], root))
    if "anyOf" in schema:
        return st.one_of([from_schema(option, root) for option in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string" and schema.get("pattern") == SCHEMA_DATE_PATTERN:  # real dates: a schema cannot know February
        return st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31)).flatmap(
            lambda d: st.sampled_from([f"{d:%Y}", f"{d:%Y-%m}", d.isoformat()])
        )
    if kind == "string":
        strings = st.from_regex(schema["pattern"], fullmatch=True) if "pattern" in schema and "\\s" not in schema["pattern"] else TEXT
        pattern = __import__("re").compile(schema.get("pattern", ""))
        return strings.filter(lambda t: len(t) >= schema.get("minLength", 0) and pattern.search(t))
    if kind == "integer":
        return st.integers(schema.get("minimum", -(10**6)), schema.get("maximum", 10**6))
    if kind == "number":  # as a source prints a figure: briefgen refuses more than 15 digits, which no schema can say
        return st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(from_schema(schema["items"], root), min_size=schema.get("minItems", 0), max_size=3)
    if kind == "object":
        return _object(schema, root)
    raise AssertionError(f"no strategy for {schema}")


def _object(schema: dict[str, Any], root: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    if not properties:  # a mapping: keys by pattern, values by schema
        (pattern, values), = schema["patternProperties"].items()
        return st.dictionaries(st.from_regex(pattern, fullmatch=True), from_schema(values, root),
                               min_size=schema.get("minProperties", 0), max_size=3)
    required = set(schema.get("required", []))

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        chosen = [n for n in properties if n in required or draw(st.booleans())]
        return {n: draw(from_schema(properties[n], root)) for n in chosen}

    return build()


SCHEMAS = schemas()
EXAMPLES = 100  # per schema and test: 600 documents in all
MODELS = {"facts.schema.json": Fact, "sources.schema.json": Source, "judgments.schema.json": Judgment}


def loader_accepts(name: str, items: list[Any]) -> bool:
    """Whether briefgen reads these items from YAML without a problem of shape or type."""
    data = parse_yaml(dump(items), "generated.yaml").data
    try:
        for item in data:
            MODELS[name].model_validate(item)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", list(MODELS))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_schema_valid_document_loads(name: str, data: st.DataObject) -> None:
    items = data.draw(from_schema(SCHEMAS[name]))
    assert loader_accepts(name, items), dump(items)


# Values a hand-edited field may hold: what YAML 1.1 would have read differently, and plain wrong types.
ODD_VALUES = st.sampled_from(
    ["no", "yes", "on", "off", "y", "true", "True", "0o17", "010", "1_000", "~", "null", "2025-01-02", "3.0", "1e3"]
) | st.booleans() | st.integers(-5, 5000) | st.floats(-1e6, 1e6).map(lambda f: round(f, 3)) | st.none()


@pytest.mark.parametrize("name", list(MODELS))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_loader_and_the_schema_agree_on_every_field_value(name: str, data: st.DataObject) -> None:
    items = data.draw(from_schema(SCHEMAS[name]).filter(lambda x: len(x) > 0))
    item = items[0]
    field = data.draw(st.sampled_from(sorted(SCHEMAS[name]["definitions"][MODELS[name].__name__]["properties"])))
    raw = data.draw(ODD_VALUES)
    # The field's value as written in YAML, read back by briefgen's own reader.
    item[field] = parse_yaml(f"v: {raw if isinstance(raw, str) else json.dumps(raw)}\n", "v.yaml").data["v"]
    valid = jsonschema.Draft7Validator(SCHEMAS[name]).is_valid([item])
    if valid:  # the schema cannot check that a date is real or an id unique: only shape and type are compared
        assert loader_accepts(name, [item]), (field, raw)
    elif not loader_accepts(name, [item]):
        return
    else:
        pytest.fail(f"the loader accepts {field}: {raw!r}, which the schema refuses")


def test_yes_and_no_are_read_as_every_editor_reads_them(tiny: ProjectDir) -> None:
    tiny.replace("briefgen.yaml", "title: Tiny briefing\n", "title: Tiny briefing\nlang: no\n")  # Norwegian
    assert run("check").exit_code == 0
    tiny.replace("seeds/sources.yaml", "  date_inferred: true\n", "  date_inferred: yes\n")
    assert run("check").stdout.splitlines()[0] == (
        "seeds/sources.yaml:16:18: error: field 'date_inferred' of source 'blog-two' must be true or false, got text "
        "('yes') [BG022 wrong-type]"
    )


def test_check_jsonschema_agrees(tiny: ProjectDir) -> None:
    assert run("schema").exit_code == 0

    def validate(schema: str, document: str) -> int:
        return subprocess.run(
            [sys.executable, "-m", "check_jsonschema", "--schemafile", f"schemas/{schema}", document],
            cwd=tiny.root, capture_output=True, text=True,
        ).returncode

    tiny.replace("briefgen.yaml", "title: Tiny briefing\n", "title: Tiny briefing\nlang: no\n")
    assert validate("settings.schema.json", "briefgen.yaml") == 0
    assert validate("sources.schema.json", "seeds/sources.yaml") == 0
    tiny.replace("seeds/sources.yaml", "  date_inferred: true\n", "  date_inferred: yes\n")
    assert validate("sources.schema.json", "seeds/sources.yaml") == 1
