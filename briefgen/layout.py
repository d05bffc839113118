"""Page-bottom footnotes that cannot be lost: a correction to WeasyPrint's line layout, and the proof after layout.

WeasyPrint 70.0 loses or moves footnotes in one branch of `_linebox_layout` (weasyprint/layout/block.py,
added for upstream issue #2432 by PR #2437, released in v66). When a line overflows the page and the
paragraph may break after it but not before it, the branch moves the page's last notes to the next page to
make room. When the line then fits, the loop stops before the line's own footnote calls are laid out, so
their notes are never placed anywhere (lost, silently), and the notes it moved ignore
`footnote-policy: line` (moved a page away from their calls). `corrected_footnote_layout()` replaces the
function, for the one release it was written for, with a copy that:

- moves only notes whose `footnote-policy` is `auto` (a `line` note stays with its call, as CSS GCPM says);
- lays out the kept line's own notes, and if they do not fit either, breaks before the line instead;
- puts the moved notes back when moving them did not make the line fit;
- asks whether a box is a footnote call before searching the list of pending notes (the stock code searches
  the whole list for every inline box of every line: a tenth of the PDF time at 5,000 facts).

Whatever the renderer does, `prove_footnotes()` then reads the laid-out pages and reports every note that is
missing or not on the page of its call.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# The stock function this correction replaces, by WeasyPrint version and the SHA-256 of its source.
# Another release (or a patched one) is left alone: the proof after layout still guards it.
_STOCK = {"70.0": "e07bbe000974787ee370be1f419a01a21b327a1a1e3025a65afd47589060883d"}


def is_stock(functions: tuple, expected: dict[str, str]) -> bool:
    """Whether WeasyPrint's `functions` are exactly those a correction was written for: its version is in
    `expected`, and the SHA-256 of their joined sources is the one recorded for that version."""
    import weasyprint

    digest = expected.get(weasyprint.__version__)
    try:
        source = "".join(inspect.getsource(f) for f in functions)
    except (OSError, TypeError):  # no source to compare: do not touch what we cannot see
        return False
    return digest is not None and hashlib.sha256(source.encode()).hexdigest() == digest


def correction_applies() -> bool:
    """Whether this WeasyPrint is the release the footnote correction was written for."""
    from weasyprint.layout import block

    return is_stock((block._linebox_layout,), _STOCK)


@contextmanager
def corrected_footnote_layout(enabled: bool = True) -> Iterator[bool]:
    """Lay out with the corrected `_linebox_layout` while inside; yields whether the correction is on."""
    from weasyprint.layout import block

    if not enabled or not correction_applies():
        yield False
        return
    stock = block._linebox_layout
    block._linebox_layout = _linebox_layout
    try:
        yield True
    finally:
        block._linebox_layout = stock


def _restore_reported(context, reported: list) -> None:  # noqa: ANN001 - WeasyPrint's LayoutContext
    """Bring notes moved to the next page back to this page, in their order."""
    for footnote in reported:
        context.reported_footnotes.remove(footnote)
    context.current_page_footnotes.extend(reversed(reported))
    context._update_footnote_area()


def _linebox_layout(context, box, index, child, new_children, page_is_empty,  # noqa: ANN001, ANN202, C901
                    absolute_boxes, fixed_boxes, adjoining_margins,
                    bottom_space, position_y, skip_stack, first_letter_style,
                    first_line_style, draw_bottom_decoration, max_lines):
    """WeasyPrint 70.0's `_linebox_layout`, corrected where marked "briefgen:"; otherwise unchanged."""
    from weasyprint.layout.block import _break_line, collapse_margin, iter_line_boxes, remove_placeholders

    abort = stop = False
    resume_at = None
    new_footnotes = []

    assert len(box.children) == 1, 'line box with siblings before layout'

    if adjoining_margins:
        position_y += collapse_margin(adjoining_margins)
    new_containing_block = box
    lines_iterator = iter_line_boxes(
        context, child, position_y, bottom_space, skip_stack, new_containing_block,
        absolute_boxes, fixed_boxes, first_letter_style, first_line_style)
    for _i, (line, resume_at) in enumerate(lines_iterator):
        # Break box if we reached max-lines
        if max_lines is not None:
            if max_lines == 0:
                new_children[-1].block_ellipsis = box.style['block_ellipsis']
                break
            max_lines -= 1

        # Update line resume_at and position_y
        line.resume_at = resume_at
        new_position_y = line.position_y + line.height

        # Add bottom padding and border to the bottom position of the
        # box if needed
        draw_bottom_decoration |= resume_at is None
        if draw_bottom_decoration:
            offset_y = box.border_bottom_width + box.padding_bottom
        else:
            offset_y = 0

        # briefgen: the footnote calls of this line, found without searching the pending list for every box.
        line_footnotes = [
            descendant.footnote for descendant in line.descendants()
            if descendant.footnote is not None and descendant.footnote in context.footnotes]

        # Allow overflow if the first line of the page is higher than the page itself so
        # that we put *something* on this page and can advance in the context.
        overflow = (
            (new_children or not page_is_empty) and
            context.overflows_page(bottom_space, new_position_y + offset_y))
        if overflow:
            # If we couldn’t break the line before but can break now, first try to
            # report footnotes and see if we don’t overflow.
            could_break_before = can_break_now = True
            needed = box.style['widows'] - 1
            for next_line, _ in lines_iterator:
                needed -= 1
                remove_placeholders(
                    context, next_line.children, absolute_boxes, fixed_boxes)
                # Don’t iterate over all lines as it can be long.
                if needed == -1:
                    break
            if len(new_children) + 1 < box.style['orphans']:
                can_break_now = False
            elif needed >= 0:
                can_break_now = False
            if len(new_children) < box.style['orphans']:
                could_break_before = False
            elif needed > 0:
                could_break_before = False
            needed = max(0, needed)
            report = not context.in_column and can_break_now and not could_break_before
            # briefgen: move only the page's last notes whose policy allows it, and keep the line only
            # when it fits together with its own notes; otherwise undo every move and break the line.
            reported = []
            fits = False
            while report and context.current_page_footnotes:
                last = context.current_page_footnotes[-1]
                if last.style['footnote_policy'] != 'auto':
                    break
                context.report_footnote(last)
                reported.append(last)
                if not context.overflows_page(bottom_space, new_position_y + offset_y):
                    fits = True
                    break
            if fits and line_footnotes:
                area_overflows = False
                for footnote in line_footnotes:
                    area_overflows |= context.layout_footnote(footnote)
                    new_footnotes.append(footnote)
                if area_overflows or context.overflows_page(bottom_space, new_position_y + offset_y):
                    for footnote in line_footnotes:
                        context.unlayout_footnote(footnote)
                    new_footnotes.clear()
                    fits = False
            if fits:
                new_children.append(line)
                position_y = new_position_y
                stop = True
            else:
                if reported:
                    _restore_reported(context, reported)
                abort, stop, resume_at = _break_line(
                    context, box, line, new_children, needed, page_is_empty, index,
                    skip_stack, resume_at, absolute_boxes, fixed_boxes)
            break

        # TODO: this is incomplete.
        # See https://drafts.csswg.org/css-page-3/#allowed-pg-brk
        # "When an unforced page break occurs here, both the adjoining
        #  ‘margin-top’ and ‘margin-bottom’ are set to zero."
        # See issue #115.
        elif page_is_empty and context.overflows_page(bottom_space, new_position_y):
            # Remove the top border when a page is empty and the box is
            # too high to be drawn in one page
            new_position_y -= box.margin_top
            line.translate(0, -box.margin_top)
            box.margin_top = 0

        if line_footnotes:
            break_linebox = False
            for footnote in line_footnotes:
                overflow = context.layout_footnote(footnote)
                new_footnotes.append(footnote)
                overflow = (
                    overflow or
                    context.reported_footnotes or
                    context.overflows_page(bottom_space, new_position_y + offset_y))
                if overflow:
                    context.report_footnote(footnote)
                    # If we've put other content on this page, then we may want
                    # to push this line or block to the next page. Otherwise,
                    # we can't (and would loop forever if we tried), so don't
                    # even try.
                    if new_children or not page_is_empty:
                        if footnote.style['footnote_policy'] == 'line':
                            if needed := box.style['widows'] - 1:
                                for _ in lines_iterator:
                                    needed -= 1
                                    # Don’t iterate over all lines as it can be long.
                                    if needed == 0:
                                        break
                            abort, stop, resume_at = _break_line(
                                context, box, line, new_children, needed, page_is_empty,
                                index, skip_stack, resume_at, absolute_boxes,
                                fixed_boxes)
                            break_linebox = True
                            break
                        elif footnote.style['footnote_policy'] == 'block':
                            abort = break_linebox = True
                            break
            if break_linebox:
                break

        new_children.append(line)
        position_y = new_position_y
        skip_stack = resume_at

    if new_children:
        resume_at = {index: new_children[-1].resume_at}

    return abort, stop, resume_at, position_y, new_footnotes, max_lines


# --- the proof after layout ----------------------------------------------------------------------


@dataclass(frozen=True)
class FootnoteFault:
    """A note that is not printed once, at the foot of the page of its call."""

    number: str  # the note's printed number
    call_page: int | None  # 1-based; None for a note printed without a call
    note_pages: tuple[int, ...]  # every page whose footnote area holds the note

    def describe(self) -> str:
        if not self.note_pages:
            return f"footnote {self.number} is missing: its call is on page {self.call_page}, its note on no page"
        if self.call_page is None:
            return f"footnote {self.number} is printed on page {self.note_pages[0]} without a call in the text"
        if len(self.note_pages) > 1:
            pages = ", ".join(map(str, self.note_pages))
            return f"footnote {self.number} is printed on pages {pages}; its call is on page {self.call_page}"
        return f"footnote {self.number} is on page {self.note_pages[0]}, not on page {self.call_page} with its call"


@dataclass
class FootnoteProof:
    """What the laid-out pages show: each note's printed number with its call's page, and every fault."""

    calls: dict[str, int]  # printed number -> page of its call
    faults: list[FootnoteFault]


def prove_footnotes(document) -> FootnoteProof:  # noqa: ANN001 - a weasyprint Document
    """Read the laid-out pages: every footnote call must have its note in the footnote area of the same page,
    and every note must be printed exactly once.

    A call box (`…::footnote-call`) and the note it calls share the note's element; notes are told apart by
    that element, and named by their printed number (`data-n`).
    """
    from weasyprint.formatting_structure.boxes import FootnoteAreaBox

    call_page: dict[int, int] = {}
    note_pages: dict[int, list[int]] = {}
    label: dict[int, str] = {}
    for page_number, page in enumerate(document.pages, start=1):
        for top in page._page_box.children:
            if isinstance(top, FootnoteAreaBox):
                for note in top.children:
                    key = id(note.element)
                    note_pages.setdefault(key, []).append(page_number)
                    label.setdefault(key, _label(note.element))
                continue
            stack = [top]
            while stack:
                box = stack.pop()
                footnote = getattr(box, "footnote", None)
                if footnote is not None:
                    key = id(footnote.element)
                    call_page.setdefault(key, page_number)
                    label.setdefault(key, _label(footnote.element))
                children = getattr(box, "children", None)
                if children:
                    stack.extend(children)
    faults = [
        FootnoteFault(label[key], call_page.get(key), tuple(note_pages.get(key, ())))
        for key in {**call_page, **note_pages}
        if key not in call_page or note_pages.get(key) != [call_page[key]]
    ]
    faults.sort(key=lambda f: _sort_number(f.number))
    return FootnoteProof({label[key]: page for key, page in call_page.items()}, faults)


def _label(element) -> str:  # noqa: ANN001 - an ElementTree element
    return element.get("data-n") or "?"


def _sort_number(label: str) -> tuple[int, str]:
    return (int(label), "") if label.isdigit() else (0, label)
