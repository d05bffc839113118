"""Property-based tests: arbitrary Unicode in claims, quotes, titles and publishers never crashes loading,
checking or rendering, and whatever is accepted appears literally in what a reader sees."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from briefgen.loading import load_project
from briefgen.markup import to_html
from briefgen.templating import escape_md, render_markdown
from briefgen.verify import verify_project

# Any Unicode text, surrogates aside (they cannot be written to a UTF-8 file)...
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60)
# ...and text without control characters, which the model refuses and so would seldom reach the page.
PRINTABLE = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=60)


def write_project(root: Path, claim: str, quote: str, title: str, publisher: str) -> None:
    (root / "facts").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "briefgen.yaml").write_text("title: Property\ndate: 2025-01-20\ncategories:\n  main: Main\n")
    (root / "seeds" / "a.txt").write_text(f"Headline\n{quote}\nThe end.\n", encoding="utf-8")
    (root / "seeds" / "sources.yaml").write_text(encoding="utf-8", data=
        f"- id: a\n  file: a.txt\n  title: {json.dumps(title, ensure_ascii=False)}\n  publisher: {json.dumps(publisher, ensure_ascii=False)}\n"
        "  url: null\n  published: 2025-01-10\n  reliability: C\n"
    )
    (root / "facts" / "main.yaml").write_text(encoding="utf-8", data=
        f"- id: f\n  claim: {json.dumps(claim, ensure_ascii=False)}\n  as_of: 2025-01\n"
        f"  sources:\n    - source: a\n      quote: {json.dumps(quote, ensure_ascii=False)}\n"
    )


def visible_text(fragment: str) -> str:
    """What a reader sees of an HTML fragment: tags removed, entities decoded, white space single."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def flat(text: str) -> str:
    return " ".join(text.split())


def check_and_render(claim: str, quote: str, title: str, publisher: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root, claim, quote, title, publisher)
        project, diagnostics = load_project(root)  # never raises: problems come back as diagnostics
        assert project is not None
        if not project.complete:
            assert all(d.path and d.message for d in diagnostics)
            event(f"refused: {diagnostics[0].code}")
            return
        event("rendered")
        verify_project(project, dt.date(2025, 1, 20))
        rendered = render_markdown(project, dt.date(2025, 1, 20))
        seen = visible_text(to_html(rendered.document))
        fact, source = project.facts["f"], project.sources["a"]
        for text in (fact.claim, source.title, source.publisher):
            assert flat(text) in seen, text
        assert _nested(fact.sources[0].quote) in seen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claim=TEXT, quote=TEXT, title=TEXT, publisher=TEXT)
def test_any_text_loads_and_checks_without_crashing(claim: str, quote: str, title: str, publisher: str) -> None:
    check_and_render(claim, quote, title, publisher)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claim=PRINTABLE, quote=PRINTABLE, title=PRINTABLE, publisher=PRINTABLE)
def test_printable_text_renders_literally(claim: str, quote: str, title: str, publisher: str) -> None:
    check_and_render(claim, quote, title, publisher)


def _nested(text: str) -> str:
    """Quotes print with inner double quotation marks made single (see templating.nest_quotes)."""
    from briefgen.templating import nest_quotes

    return flat(nest_quotes(text))


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_escaped_text_is_always_literal_in_html(text: str) -> None:
    shown = flat(re.sub(r"[\x00-\x1f\x7f-\x9f]", "\ufffd", flat(text)))  # controls cannot be shown: U+FFFD
    if not shown:
        return
    assert visible_text(to_html(escape_md(text))) == shown


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_any_yaml_text_parses_or_fails_cleanly(text: str) -> None:
    from briefgen.loading import YamlProblem, parse_yaml

    try:
        parse_yaml(text, "facts/x.yaml")
    except YamlProblem as problem:
        assert problem.diag.path == "facts/x.yaml" and problem.diag.message
