"""Diagnostics: the stable codes `check` and `build` report, and their text, JSON and GitHub forms."""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Code:
    """A stable diagnostic code: its number, short name, default level and what it means."""

    code: str
    name: str
    level: Level
    summary: str


_CODES = [
    # Reading files and YAML.
    Code("BG001", "yaml-syntax", "error", "The file is not valid YAML."),
    Code("BG002", "duplicate-key", "error", "A mapping repeats a key (YAML loaders silently keep the last one)."),
    Code("BG003", "unsupported-yaml", "error", "A YAML tag or merge key that a fact base never needs."),
    Code("BG004", "yaml-too-large", "error", "YAML aliases expand beyond the allowed number of nodes."),
    Code("BG005", "file-missing", "error", "A file or folder the project needs does not exist."),
    Code("BG006", "file-too-large", "error", "An input file is larger than `max_input_bytes`."),
    Code("BG007", "file-not-text", "error", "An input file is binary or not UTF-8."),
    Code("BG008", "file-empty", "error", "An input file is empty."),
    Code("BG009", "file-not-allowed", "error", "An input file is a symlink out of the project, a device, a FIFO or a socket."),
    Code("BG010", "wrong-shape", "error", "A file holds a mapping where a list is expected, or the reverse."),
    Code("BG011", "text-changed", "error", "An archived text no longer has the SHA-256 it had when it was registered: a quote checked against an edited text proves nothing."),
    Code("BG012", "no-text", "error", "`add-source` found no text to archive: a PDF of images or with a password, a page with no article text."),
    Code("BG013", "fetch-failed", "error", "`add-source` could not fetch a URL: no answer in time, an HTTP error, too large, not a page, PDF or text, or a redirect to another scheme."),
    # The data model.
    Code("BG020", "unknown-field", "error", "A field the format does not have (often a typo)."),
    Code("BG021", "missing-field", "error", "A required field is missing."),
    Code("BG022", "wrong-type", "error", "A field has the wrong type (text where a number is expected, …)."),
    Code("BG023", "bad-value", "error", "A field's value is not allowed (empty text, unknown choice, bad id)."),
    Code("BG024", "bad-date", "error", "A date is not YYYY, YYYY-MM or YYYY-MM-DD, or is not a real date."),
    Code("BG025", "unsupported-version", "error", "`briefgen.yaml` declares a format version this briefgen cannot read."),
    # References between files.
    Code("BG030", "duplicate-id", "error", "Two facts or two sources share an id."),
    Code("BG031", "unknown-source", "error", "A citation names a source that `seeds/sources.yaml` does not register."),
    Code("BG032", "unknown-category", "error", "A fact's category is not one of the categories in `briefgen.yaml`."),
    Code("BG033", "unknown-topic", "error", "A fact's topic is not one of the `topics` declared in `briefgen.yaml`: correct it (the message suggests the closest) or declare it."),
    Code("BG034", "unknown-fact", "error", "A judgment's `rests_on` names a fact id that does not exist: correct it (the message suggests the closest)."),
    # Verifying facts against their sources.
    Code("BG101", "quote-not-found", "error", "A quote does not occur in the archived text of its source."),
    Code("BG102", "value-not-in-quote", "error", "A fact's `value` appears as a number in none of its quotes."),
    Code("BG103", "short-quote", "warning", "A quote shorter than `min_quote_words` proves little."),
    Code("BG104", "claim-number-unsupported", "warning", "A number in the claim appears in none of the quotes."),
    Code("BG105", "as-of-after-publication", "error", "A fact's `as_of` is later than the publication date of a source it cites."),
    Code("BG106", "qualifier-unsupported", "warning", "A fact's `qualifier` is missing or stronger than the words around its number in the quote (\"around 2,000\" is `about`, \"up to\" is `up-to`): write the qualifier the message names."),
    Code("BG107", "hedge-dropped", "warning", "Every quote hedges (\"suggests\", \"may\", \"reportedly\", \"ability to\") and the claim does not: keep the hedge in the claim, or mark a judgment `kind: assessment`."),
    # The fact base as a whole.
    Code("BG201", "topic-disagreement", "warning", "Facts in one topic give different values for overlapping periods, without a `note`."),
    Code("BG202", "stale-topic", "warning", "The latest fact of a topic is older than `stale_after_days` before the briefing date."),
    Code("BG203", "uncited-fact", "warning", "The briefing template never cites this fact."),
    Code("BG204", "unused-source", "warning", "No fact cites this source."),
    Code("BG205", "weak-source-reference", "warning", "A source omits its publisher, URL or date; write `null` where the article states none."),
    Code("BG206", "briefing-date-too-early", "error", "The briefing date is before the newest source's publication or the newest fact's `as_of`: correct `date` (or `--date`)."),
    Code("BG207", "lonely-topic", "warning", "A topic only one fact uses, with a name close to another topic's (a typo that splits a topic): correct it, or declare `topics:` to make unknown topics errors."),
    Code("BG208", "review-unused", "warning", "A fact's `reviewed:` acknowledges a warning `check` no longer reports for it: remove the entry."),
    Code("BG209", "confidence-above-evidence", "warning", "A judgment's confidence is above what its facts allow under `confidence_policy`: lower it, add corroboration, or say why in `rationale`."),
    Code("BG210", "uncited-judgment", "warning", "No briefing template prints this judgment."),
    Code("BG212", "ungraded-source", "warning", "A source has no `reliability` grade; it counts as F (cannot be judged) until graded."),
    Code("BG211", "reliability-unexplained", "warning", "A source graded A to E gives no `reliability_note` saying why."),
    # Templates.
    Code("BG301", "template-syntax", "error", "A Jinja syntax error in a template."),
    Code("BG302", "unknown-fact-id", "error", "A template cites a fact id (or names a category, topic or source) that does not exist."),
    Code("BG303", "undefined-variable", "error", "A template uses a variable that is not defined."),
    Code("BG304", "template-not-found", "error", "A template, include or stylesheet does not exist."),
    Code("BG305", "template-error", "error", "A template failed while rendering."),
    Code("BG306", "template-not-allowed", "error", "A template reached for what the sandbox keeps from templates: Python internals, files, data changes, huge values."),
    Code("BG307", "template-stopped", "error", "A template ran too long, printed too much, or called itself without end."),
    # Writing the briefing.
    Code("BG401", "output-not-writable", "error", "The output folder or a file in it cannot be written."),
    Code("BG402", "blocked-resource", "error", "A template or stylesheet refers to the network or to a file outside the project."),
    Code("BG403", "revision-missing", "error", "A git revision asked for is not in this clone, or the project is not in git."),
    Code("BG404", "footnote-misplaced", "error", "A PDF footnote is missing or not on the page of its call (a layout fault; the PDF is not written)."),
    Code("BG405", "markup-not-allowed", "error", "A template writes markup briefgen never writes: a script, a frame, an event handler, a `<link>`, `<base>` or `<meta http-equiv>`, a `javascript:` link."),
    Code("BG900", "usage", "error", "Any other problem the user can fix."),
]

CODES: dict[str, Code] = {c.code: c for c in _CODES}


@dataclass(frozen=True)
class Diagnostic:
    """One finding: what, where, how bad, and for which fact."""

    code: str
    level: Level
    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    fact_id: str | None = None
    hint: str | None = None
    # A warning a person has judged wrong for this fact, with their reason (`reviewed:` on the fact): kept in
    # the JSON and counted, never printed as a warning or failing --strict.
    acknowledged: str | None = None

    @property
    def name(self) -> str:
        return CODES[self.code].name

    def location(self) -> str:
        """`path:line:col`, as much of it as is known."""
        parts = [self.path or "briefgen"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    rel = os.path.relpath(path)
    return path.as_posix() if rel.startswith("..") else Path(rel).as_posix()


def did_you_mean(word: str, choices: list[str] | Any) -> str:
    """`; did you mean 'x'?` when a choice is close, or the only one that starts with `word`, else nothing."""
    names = [str(c) for c in choices]
    close = difflib.get_close_matches(str(word), names, n=1, cutoff=0.6)
    started = [name for name in names if word and name.startswith(str(word))]
    if not close and len(started) == 1:  # an id typed in part: 'rferl-kim' for 'rferl-kim-drones-2025-03'
        close = started
    return f"; did you mean '{close[0]}'?" if close else ""


def diagnostic(code: str, message: str, *, level: Level | None = None, **where: object) -> Diagnostic:
    """Make a diagnostic at the code's default level."""
    return Diagnostic(code=code, level=level or CODES[code].level, message=message, **where)  # type: ignore[arg-type]


def strict(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Warnings promoted to errors, for `--strict`; acknowledged ones stay as they are."""
    return [d if d.acknowledged else replace(d, level="error") for d in diagnostics]


def shown_to_people(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics to print as lines: each once, and none a person has acknowledged."""
    return [d for d in dict.fromkeys(diagnostics) if not d.acknowledged]


def sort_key(d: Diagnostic) -> tuple:
    return (d.path or "", d.line or 0, d.column or 0, d.code)


def count(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings), not counting acknowledged warnings."""
    errors = warnings = 0
    for d in diagnostics:
        if d.level == "error":
            errors += 1
        elif not d.acknowledged:
            warnings += 1
    return errors, warnings


def format_text(d: Diagnostic) -> str:
    """`path:line:col: level: message (hint) [BG101 quote-not-found]` on one line, whatever the message holds."""
    return safe_line(f"{d.location()}: {d.level}: {_with_hint(d)} [{d.code} {d.name}]")


def format_summary(diagnostics: list[Diagnostic], facts: int | None = None, sources: int | None = None) -> str:
    errors, warnings = count(diagnostics)
    checked = ""
    if facts is not None and sources is not None:
        checked = f"checked {plural(facts, 'fact')} against {plural(sources, 'source')}: "
    acknowledged = sum(1 for d in diagnostics if d.acknowledged)
    reviewed = f", {acknowledged} acknowledged" if acknowledged else ""
    return f"{checked}{plural(errors, 'error')}, {plural(warnings, 'warning')}{reviewed}"


def format_json(diagnostics: list[Diagnostic]) -> str:
    """A stable JSON document: format version, diagnostics, and counts."""
    return json_text(json_report(diagnostics))


def json_report(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    """What `check --format json` prints, as data."""
    errors, warnings = count(diagnostics)
    items = []
    for d in diagnostics:
        item = asdict(d)
        item["name"] = d.name
        keys = ("code", "name", "level", "path", "line", "column", "message", "hint", "fact_id", "acknowledged")
        items.append({k: item[k] for k in keys if k != "acknowledged" or item[k]})
    acknowledged = sum(1 for d in diagnostics if d.acknowledged)
    return {"version": 1, "diagnostics": items, "summary": {"errors": errors, "warnings": warnings, "acknowledged": acknowledged}}


def format_github(d: Diagnostic) -> str:
    """A GitHub Actions workflow command, so CI shows the problem on the line of the diff."""
    props = []
    if d.path:
        props.append(f"file={_escape_property(d.path)}")
    if d.line is not None:
        props.append(f"line={d.line}")
    if d.column is not None:
        props.append(f"col={d.column}")
    props.append(f"title={_escape_property(f'{d.code} {d.name}')}")
    return f"::{d.level} {','.join(props)}::{_escape_data(_with_hint(d))}"


def _with_hint(d: Diagnostic) -> str:
    return d.message if not d.hint else f"{d.message} (hint: {d.hint})"


def _escape_data(text: str) -> str:
    """A workflow command's data: line breaks as GitHub's %0D and %0A, every other control character shown,
    and no '##[' for the runner's older syntax to find."""
    data = shown(text, keep="\r\n").replace("##[", "\\x23#[")
    return data.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# --- what reaches a terminal or a CI log -----------------------------------------------------------

# Characters that must never reach a terminal or a CI log raw: C0 controls (tab and line breaks included), DEL,
# C1 controls, the line and paragraph separators, bidirectional embeddings, overrides and isolates, and lone
# surrogates (a file name that is not UTF-8). Raw, they could end a line, move the cursor, recolour or clear
# the screen, hide a link, ring the bell, or make text read in an order other than the one it is in.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# GitHub Actions runs a line of a step's output as a workflow command when it starts with '::' (blanks
# aside), or when it holds '##[' anywhere (the runner's older syntax).
_COMMAND_START = re.compile(r"\s*::")
# json.dumps escapes C0 controls but leaves these raw; \u escapes keep every string's value the same.
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]|##\\[")


def escaped(char: str) -> str:
    """One character as a visible escape: `\\n`, `\\x1b`, `\\u202e`."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str, keep: str = "") -> str:
    """Text as it may reach a terminal or a CI log: every unprintable character (but those in `keep`) a
    visible escape, so one message stays one line and cannot act on the terminal."""
    return UNPRINTABLE.sub(lambda m: m.group() if m.group() in keep else escaped(m.group()), text)


def safe_line(text: str) -> str:
    """One line of output: `shown`, and unable to run a GitHub Actions workflow command (its ':' or '#' escaped)."""
    line = shown(text).replace("##[", "\\x23#[")
    start = _COMMAND_START.match(line)
    if start:
        line = line[: start.end() - 2] + escaped(":") + line[start.end() - 1 :]
    return line


def json_text(doc: Any) -> str:
    """JSON for output: the same data, with what json.dumps leaves raw and a terminal or CI log would act on
    (C1 controls, separators, bidirectional controls, '##[') written as \\u escapes."""
    text = json.dumps(doc, indent=2, ensure_ascii=False, default=str)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()[0]):04x}" + m.group()[1:], text)


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """`1 source`, `2 sources`; give the plural form when adding s is wrong."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
