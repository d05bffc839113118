"""Markdown → HTML: endnotes on screen, inline footnotes for print."""

from __future__ import annotations

import re

from briefgen.markup import to_html

DOC = """## Section

First claim.[^1] Second claim.[^2]

| Date | Event |
|---|---|
| 2025 | Again the first.[^1] |

[^1]: Example Wire, “Title”, 10 January 2025, <https://example.org/a>: “quoted words”.
[^2]: Publisher not stated, “Other”, 2025: “more words”.
"""


def test_screen_html_has_endnotes_with_back_links() -> None:
    html = to_html(DOC)
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in html
    assert '<sup id="fnref2:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in html
    assert '<li id="fn:1">' in html and '<li id="fn:2">' in html
    assert 'class="footnote-backref" href="#fnref:1"' in html
    assert 'class="footnote-backref" href="#fnref2:1"' in html
    assert '<h2 id="section">Section</h2>' in html


def test_print_html_moves_each_note_to_its_first_call() -> None:
    html = to_html(DOC, for_print=True)
    assert 'class="footnote"' in html
    assert "<ol>" not in html and "footnote-backref" not in html
    first = (
        '<a class="footnote-anchor" id="fn:1"></a><span class="footnote" data-n="1">Example Wire, “Title”, 10 January 2025, '
        '<a href="https://example.org/a">https://example.org/a</a>: “quoted words”.</span>'
    )
    assert f"First claim.\u2060{first} Second claim." in html
    assert '<a class="footnote-anchor" id="fn:2"></a><span class="footnote" data-n="2">Publisher not stated, “Other”, 2025: “more words”.</span>' in html
    # The second call of note 1 keeps its number and links to the note.
    assert '<td>Again the first.\u2060<a class="footnote-again" href="#fn:1">1</a></td>' in html


def test_print_notes_hold_no_block_elements_or_line_breaks() -> None:
    html = to_html(DOC, for_print=True)
    for chunk in html.split('<span class="footnote"')[1:]:
        note = chunk.split("</span>")[0]
        assert "<p>" not in note and "<div" not in note and "\n" not in note


def test_markdown_without_notes_is_unchanged_for_print() -> None:
    assert to_html("Just text.", for_print=True) == to_html("Just text.") == "<p>Just text.</p>"


def test_a_paragraph_introducing_a_table_is_kept_with_it() -> None:
    html = to_html("Intro to the table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter.")
    assert html.startswith('<p class="lead-in">Intro to the table:</p>\n<table>')
    assert "<p>After.</p>" in html


def test_footnote_calls_are_numbered_as_python_markdown_numbers_them() -> None:
    """briefgen looks call numbers up instead of searching for them; the HTML must not change."""
    import markdown
    from markdown.extensions.footnotes import FootnoteExtension

    from briefgen.markup import _FOOTNOTES

    text = (
        "Second defined, cited first.[^b] First defined.[^a] Again.[^b] Unknown.[^zz]\n\n"
        "| a | b |\n|---|---|\n| cell[^c] | [^a][^c] |\n\n"
        "[^a]: Note a.\n[^b]: Note b with *emphasis*.\n[^c]: Note c.\n"
    )
    stock = markdown.markdown(
        text,
        extensions=[FootnoteExtension(**_FOOTNOTES), "tables", "sane_lists", "toc"],
        output_format="html",
    )
    ours = to_html(text)
    strip = re.compile(r' class="lead-in"| aria-label="[^"]*"| \(\d+ of \d+\)')  # what briefgen adds
    assert strip.sub("", ours) == stock
    assert 'aria-label="Back to reference 1 (2 of 2)"' in ours
    assert "[^zz]" in ours
