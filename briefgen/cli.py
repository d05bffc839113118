"""The command line: the only module that prints, chooses exit codes or imports click."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import click

from briefgen import __version__
from briefgen.diagnostics import (
    Diagnostic,
    did_you_mean,
    display_path,
    format_github,
    format_summary,
    format_text,
    json_report,
    json_text,
    plural,
    safe_line,
    shown,
    shown_to_people,
    sort_key,
    strict,
)
from briefgen.errors import BriefgenError, CheckFailed

FORMATS = ("md", "html", "pdf", "docx")


class _Command(click.Command):
    """A command whose optional-value options (`--since [REV]`) cannot be handed an option as their value.

    Click gives an option whose value is optional its explicit value back to the parser, which takes one
    starting with '-' for an option: `--since=--output=DIR` would write to DIR. Such a value is refused first,
    as a usage error."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        optional = {name: p for p in self.params if getattr(p, "_flag_needs_value", False) for name in p.opts}
        for arg in args[: args.index("--") if "--" in args else len(args)]:
            name, equals, value = arg.partition("=")
            if equals and name in optional:
                _revision(ctx, optional[name], value)
        return super().parse_args(ctx, args)


class _Group(click.Group):
    """Turns every BriefgenError into clean `file:line:col: …` lines and exit 1; bugs keep their traceback."""

    command_class = _Command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BriefgenError as exc:
            _print_problems(exc.diagnostics())
            ctx.exit(1)


# Every print goes through one of these three, so nothing a fact base holds reaches a terminal or a CI log raw.


def _say(line: str = "", err: bool = False) -> None:
    """Print one line: control characters shown as escapes, and no way to start a GitHub workflow command."""
    click.echo(safe_line(line), err=err)


def _say_json(doc: Any) -> None:
    """Print a JSON document: the data exact, its unprintable characters written as \\u escapes."""
    click.echo(json_text(doc))


def _annotate(d: Diagnostic) -> None:
    """Print a diagnostic as a GitHub workflow command: the one line briefgen means to start with '::'."""
    click.echo(format_github(d))


def _print_problems(diagnostics: list[Diagnostic]) -> None:
    errors = [d for d in diagnostics if d.level == "error"]
    for d in sorted(shown_to_people(errors or diagnostics), key=sort_key):
        _say(format_text(d), err=True)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD") from None


def _revision(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A git revision never starts with '-': one that does is an option slipped in (`diff -- --output=x`)."""
    if value and value.startswith("-"):
        raise click.BadParameter(
            f"'{shown(value)}' is not a git revision: a revision never starts with '-'", ctx=ctx, param=param
        )
    return value


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [v for v in chosen if v not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"{value!r}: choose from {', '.join(FORMATS)} (comma-separated)")
    return chosen


_project_option = click.option(
    "--project",
    "-p",
    "project",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder (it holds briefgen.yaml).",
)
_date_option = click.option(
    "--date", callback=_date, metavar="YYYY-MM-DD", help="Briefing date (default: `date` in briefgen.yaml, else SOURCE_DATE_EPOCH, else today)."
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="briefgen")
def main() -> None:
    """Turn a sourced fact base into a footnoted briefing.

    Every fact cites an archived article and quotes it word for word; `briefgen check` proves the quotes
    and numbers, `briefgen build` writes output/briefing.md, .html and .pdf with a footnote for every fact.
    """


@main.command()
@_project_option
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), help="Output folder [default: PROJECT/output].")
@click.option(
    "--format", "formats", default="md,html,pdf", show_default=True, callback=_formats,
    help="Formats to write, comma-separated: md, html, pdf, and docx (Word, with the extra briefgen[docx]).",
)
@_date_option
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.option("--force", is_flag=True, help="Rebuild even if no input changed since the last build.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Lay out several briefings' PDFs in parallel processes.")
@click.option("--keep-html", is_flag=True, help="Also write the HTML handed to the PDF renderer (<name>.print.html).")
@click.option("--profile", is_flag=True, help="Say how long each stage took.")
@click.option(
    "--since",
    metavar="REV",
    is_flag=False,
    flag_value="",
    default=None,
    callback=_revision,
    help="Add a 'What changed' section against a git revision (alone: the last tag, else the previous commit).",
)
def build(
    project: Path,
    output: Path | None,
    formats: tuple[str, ...],
    date: dt.date | None,
    quiet: bool,
    force: bool,
    jobs: int,
    keep_html: bool,
    profile: bool,
    since: str | None,
) -> None:
    """Check the fact base, then write the briefing.

    Nothing is written unless every check passes and every format renders, so a mistake never costs the
    last good briefing. When no input changed since the last build (facts, seeds, templates, settings,
    briefgen itself), it says so and stops; --force rebuilds. Progress goes to stderr.
    """
    from briefgen import stamp

    started = time.perf_counter()
    out_dir = output if output is not None else project / "output"
    current = stamp.fingerprint(project, formats, date.isoformat() if date else None, since, keep_html)
    if not force and stamp.up_to_date(out_dir, current, None if output is not None else project, read_from=project):
        if not quiet:
            _say(f"briefgen: {display_path(out_dir)} is up to date: no input changed (--force rebuilds)", err=True)
        return

    from briefgen import build as pipeline

    progress = (lambda _: None) if quiet else (lambda message: _say(f"briefgen: {message}", err=True))
    outcome = pipeline.build(project, output, formats, date, progress, since, keep_html, jobs)
    for d in sorted(shown_to_people(outcome.diagnostics), key=sort_key):
        _say(format_text(d), err=True)
    for warning in outcome.renderer_warnings:
        _say(f"briefgen: warning: PDF renderer: {warning}", err=True)
    if profile:
        stages = ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in outcome.timings.items())
        _say(f"briefgen: time by stage: {stages}", err=True)
    if not quiet:
        names = ", ".join(display_path(p) for p in outcome.written)
        _say(f"briefgen: wrote {names} in {time.perf_counter() - started:.1f} s", err=True)


@main.command()
@_project_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)
@click.option("--strict", "strict_mode", is_flag=True, help="Treat warnings as errors.")
@click.option("--coverage", "with_coverage", is_flag=True,
              help="Also say how many sentences with a figure or a date the facts quote (see sources --uncovered).")
@_date_option
def check(project: Path, output_format: str, strict_mode: bool, with_coverage: bool, date: dt.date | None) -> None:
    """Prove the fact base: quotes in their sources, numbers in their quotes, ids that resolve.

    Exit 0 when there are no errors (warnings allowed), 1 when there are errors (or warnings, with
    --strict), 2 on a usage error.
    """
    from briefgen import build as pipeline

    outcome = pipeline.check(project, date)
    diagnostics = sorted(outcome.diagnostics, key=sort_key)
    if strict_mode:
        diagnostics = strict(diagnostics)
    if output_format == "json":
        _say_json(json_report(diagnostics))
    elif output_format == "github":
        for d in shown_to_people(diagnostics):
            _annotate(d)
    else:
        for d in shown_to_people(diagnostics):
            _say(format_text(d))
        facts = len(outcome.project.facts) if outcome.project else None
        sources = len(outcome.project.sources) if outcome.project else None
        _say(format_summary(diagnostics, facts, sources))
        if with_coverage and outcome.project is not None:
            from briefgen.coverage import coverage

            found = coverage(outcome.project)
            _say(f"coverage: {found.covered} of {plural(found.total, 'sentence')} with a figure or a date in the archived "
                 f"texts are quoted by a fact ({found.percent}%); `briefgen sources --uncovered` lists the rest")
    if any(d.level == "error" for d in diagnostics):
        raise SystemExit(1)


def _checked(project: Path):  # noqa: ANN202 - a build.Outcome, imported lazily
    """The project, checked and rendered; its errors end the command as they would end a build."""
    from briefgen import build as pipeline

    outcome = pipeline.check(project)
    if outcome.project is None or outcome.rendered is None or any(d.level == "error" for d in outcome.diagnostics):
        raise CheckFailed(outcome.diagnostics)
    return outcome


_data_format = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)


@main.command("sources")
@click.argument("source_ids", metavar="[SOURCE]...", nargs=-1)
@click.option("--uncovered", is_flag=True, help="List the sentences with a figure or a date that no fact quotes.")
@_project_option
@_data_format
def sources_command(source_ids: tuple[str, ...], uncovered: bool, project: Path, output_format: str) -> None:
    """List each source with the facts that rest on it; with --uncovered, what no fact has captured yet.

    --uncovered lists, by source and line, the sentences of the archived texts (of SOURCE, or of all) that
    state a number, a date or a quantity in words that no fact quotes: the to-do list after adding an
    article.
    """
    from briefgen.impact import source_uses
    from briefgen.templating import plain_text, source_reference

    outcome = _checked(project)
    for source_id in source_ids:
        if source_id not in outcome.project.sources:
            raise click.BadParameter(
                f"no source '{shown(source_id)}'{did_you_mean(source_id, outcome.project.sources)}", param_hint="SOURCE"
            )
    if uncovered:
        _say_uncovered(outcome.project, list(source_ids) or None, output_format)
        return
    uses = [u for u in source_uses(outcome.project) if not source_ids or u.source.id in source_ids]
    if output_format == "json":
        _say_json(
            [
                {
                    "source": u.source.id,
                    "reference": plain_text(source_reference(u.source)),
                    "reliability": u.source.reliability,  # null when not graded
                    "facts": [f.id for f in u.facts],
                    "sole_source_of": [f.id for f in u.sole],
                }
                for u in uses
            ]
        )
        return
    for use in uses:
        _say(f"{use.source.id}  (reliability {use.source.reliability or 'not graded'})")
        _say(f"  {plain_text(source_reference(use.source))}")
        _say(f"  {plural(len(use.facts), 'fact')}, {len(use.sole)} resting on this source alone:")
        width = max((len(f.id) for f in use.facts), default=0)
        for fact in use.facts:
            others = [sid for sid in dict.fromkeys(c.source for c in fact.sources) if sid != use.source.id]
            _say(f"    {fact.id:<{width}}  {'also ' + ', '.join(others) if others else 'only this source'}")
        _say()


def _say_uncovered(project, only: list[str] | None, output_format: str) -> None:  # noqa: ANN001 - a loading.Project
    from briefgen.coverage import coverage

    found = coverage(project, only)
    if output_format == "json":
        _say_json({
            "sentences_with_figures": found.total, "quoted": found.covered, "percent": found.percent,
            "uncovered": [{"source": s.source, "path": s.path, "line": s.line, "page": s.page, "text": s.text}
                          for s in found.uncovered],
        })
        return
    for sentence in found.uncovered:
        page = f" (page {sentence.page})" if sentence.page else ""
        _say(f"{sentence.path}:{sentence.line}:{page} {shown(sentence.text)}")
    _say(f"{found.covered} of {plural(found.total, 'sentence')} with a figure or a date are quoted by a fact "
         f"({found.percent}%); {len(found.uncovered)} not yet")


# Below this likeness (in %) the closest passage is a coincidence of common words, not the one remembered.
QUOTE_LIKENESS = 65


@main.command("quote")
@click.argument("source_id", metavar="SOURCE")
@click.argument("words", nargs=-1, required=True)
@_project_option
def quote_command(source_id: str, words: tuple[str, ...], project: Path) -> None:
    """Print the exact passage of SOURCE's archived text that WORDS (as you remember them) come closest to,
    with its line (and page, for a PDF), ready to paste into a fact.

    It reads only the sources: a fact base with errors elsewhere can still be quoted from.
    """
    from briefgen.loading import SEEDS_DIR, load_project
    from briefgen.scaffold import yaml_text
    from briefgen.verify import normalise, passage

    loaded, diagnostics = load_project(project)
    sources = loaded.sources if loaded else {}
    if source_id not in sources:
        if loaded is None:
            raise CheckFailed([d for d in diagnostics if d.level == "error"])
        raise click.BadParameter(f"no source '{shown(source_id)}'{did_you_mean(source_id, sources)}", param_hint="SOURCE")
    text = loaded.texts.get(source_id)
    if text is None:
        raise CheckFailed([d for d in diagnostics if d.level == "error" and (d.path or "").startswith(SEEDS_DIR)])
    remembered = " ".join(words)
    found = passage(remembered, text)
    path = display_path(loaded.root / SEEDS_DIR / sources[source_id].file)
    if found is None or found.score < QUOTE_LIKENESS:
        raise BriefgenError(f"nothing in {path} comes close to “{shown(remembered)}”", code="BG101",
                            hint="try fewer words, or words from another sentence of the article")
    line = text.count("\n", 0, found.start) + 1
    page = f", page {text.count(chr(12), 0, found.start) + 1}" if "\f" in text else ""
    if found.words == normalise(remembered):
        alike = "exact"
    else:
        alike = f"{found.score:.0f}% alike: the source's words, not yours; keep the part you need"
    _say(f"{path}:{line}{page} ({alike})")
    _say(f"    - source: {source_id}")
    words_found = " ".join(text[found.start : found.end].split()).rstrip(",;:–—- ")
    _say(f"      quote: {yaml_text(words_found)}")


@main.command("impact")
@click.argument("source_id")
@_project_option
@_data_format
def impact_command(source_id: str, project: Path, output_format: str) -> None:
    """Show what discrediting SOURCE_ID would take out of the briefing.

    Lists every fact that cites the source, which of them would be left with no source at all, and the
    briefing sections that cite them.
    """
    from briefgen.impact import impact
    from briefgen.templating import plain_text, source_reference

    outcome = _checked(project)
    if source_id not in outcome.project.sources:
        raise click.BadParameter(
            f"no source '{shown(source_id)}'{did_you_mean(source_id, outcome.project.sources)}", param_hint="SOURCE_ID"
        )
    found = impact(outcome.project, outcome.documents, source_id)
    if output_format == "json":
        _say_json(
            {
                "source": source_id,
                "facts": [f.id for f in found.facts],
                "left_without_source": [f.id for f in found.orphaned],
                "still_backed_by": {fid: others for fid, others in found.others.items() if others},
                "sections": found.sections,
            }
        )
        return
    _say(f"If {source_id} were discredited:")
    _say(f"  {plain_text(source_reference(found.source))}")
    _say()
    orphaned = found.orphaned
    backed = [f for f in found.facts if found.others[f.id]]
    _say(f"{plural(len(found.facts), 'fact')} cite it; {len(orphaned)} would be left with no source:")
    for fact in orphaned:
        _say(f"  {fact.id} ({fact.category})")
    if backed:
        _say(f"{len(backed)} would still rest on other sources:")
        for fact in backed:
            _say(f"  {fact.id} ({fact.category}): {', '.join(found.others[fact.id])}")
    _say()
    _say("Briefing sections that cite these facts:")
    for section, facts in found.sections.items():
        _say(f"  {section}: {', '.join(facts)}")


@main.command("diff")
@click.argument("revision", required=False, callback=_revision)
@_project_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="markdown suits a pull-request comment.",
)
def diff_command(revision: str | None, project: Path, output_format: str) -> None:
    """List what changed in the fact base since REVISION.

    REVISION is any git revision; by default the last edition: the most recent tag, else the previous
    commit. Facts and sources added, removed and changed (claim, value, sources, date, …) are compared by id.
    """
    from briefgen.editions import changes_since, describe

    outcome = _checked(project)
    changes = changes_since(outcome.project, revision)
    since = f"{changes.label} ({'briefing date' if changes.dated_by == 'briefing' else 'committed'} {changes.date})"
    groups = [
        ("Facts added", "+", [(f.id, f"({f.category}) {f.claim}") for f in changes.added]),
        ("Facts removed", "-", [(f.id, f"({f.category}) {f.claim}") for f in changes.removed]),
        ("Facts changed", "~", [(f.id, "; ".join(describe(c) for c in found)) for f, found in changes.changed]),
        ("Sources added", "+", [(s.id, f"“{s.title}”") for s in changes.sources_added]),
        ("Sources removed", "-", [(s.id, f"“{s.title}”") for s in changes.sources_removed]),
        ("Sources changed", "~", [(s.id, "; ".join(describe(c) for c in found)) for s, found in changes.sources_changed]),
    ]
    if output_format == "json":

        def changed(pairs: list) -> list[dict[str, Any]]:
            return [
                {"id": item.id, "changes": [{"field": c.name, "old": c.old, "new": c.new} for c in found]}
                for item, found in pairs
            ]

        facts = {"added": changes.added, "removed": changes.removed}
        sources = {"added": changes.sources_added, "removed": changes.sources_removed}
        doc = {
            "revision": changes.revision,
            "label": changes.label,
            "date": changes.date,
            "dated_by": changes.dated_by,
            "facts": {
                **{k: [{"id": f.id, "category": f.category, "claim": f.claim} for f in v] for k, v in facts.items()},
                "changed": changed(changes.changed),
            },
            "sources": {
                **{k: [{"id": s.id, "title": s.title} for s in v] for k, v in sources.items()},
                "changed": changed(changes.sources_changed),
            },
        }
        _say_json(doc)
        return
    if not len(changes):
        _say(f"No changes to facts or sources since {_md_text(since) if output_format == 'markdown' else since}.")
        return
    if output_format == "markdown":
        _say_markdown(since, groups)
        return
    _say(f"{plural(len(changes), 'change')} since {since}:")
    for title, mark, items in groups:
        if items:
            _say(f"{title}:")
            for ident, text in items:
                _say(f"  {mark} {ident} {text}")


def _say_markdown(since: str, groups: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
    """What changed, as Markdown for a pull-request comment or a run summary: every piece of the fact base
    escaped, so it shows as text and never becomes a tag, an image, a link or a table."""
    _say(f"### What changed since {_md_text(since)}")
    _say()
    for title, _, items in groups:
        if items:
            _say(f"**{title} ({len(items)})**")
            _say()
            for ident, text in items:
                _say(f"- {_md_code(ident)}: {_md_text(text)}")
            _say()


def _md_text(text: str) -> str:
    """Text for GitHub's Markdown: control characters shown, Markdown and HTML escaped, nothing linked."""
    from briefgen.templating import escape_md, unlink_emails

    return unlink_emails(str(escape_md(shown(text))))


def _md_code(text: str) -> str:
    """A Markdown code span that its text cannot close: fenced with more backticks than any run it holds."""
    text = shown(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


@main.command("schema")
@_project_option
@click.option(
    "--output", "-o", type=click.Path(file_okay=False, path_type=Path), help="Folder to write to [default: PROJECT/schemas]."
)
def schema_command(project: Path, output: Path | None) -> None:
    """Write JSON Schemas (draft-07) for the fact files, the sources file and briefgen.yaml.

    Editors with the YAML language server then complete field names and flag mistakes as you type; each
    project file names its schema in its first line, e.g. `# yaml-language-server: $schema=../schemas/facts.schema.json`.
    """
    from briefgen.schema import write_schemas

    folder = output if output is not None else project / "schemas"
    try:
        written = write_schemas(folder)
    except OSError as exc:
        raise BriefgenError(f"cannot write {display_path(folder)}: {exc.strerror or exc}", code="BG401") from None
    for path in written:
        _say(f"briefgen: wrote {display_path(path)}", err=True)


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", help="The briefing's title [default: the folder's name as words].")
def init_command(folder: Path, title: str | None) -> None:
    """Start a new project in FOLDER, with nothing in it to delete: settings, an empty source registry, a facts/
    folder and the default briefing template to edit.

    It builds as it is; then archive your first article with `briefgen add-source`.
    """
    from briefgen.scaffold import init_project

    files = init_project(folder, title)
    where = display_path(folder)
    _say(f"briefgen: created {where} ({len(files)} files): settings, an empty source registry, facts/, templates/briefing.md.j2", err=True)
    _say(f"briefgen: next: cd {where} && briefgen add-source SAVED-PAGE.html (or a PDF, a URL, a .txt)", err=True)


@main.command("add-source")
@click.argument("location", metavar="FILE_OR_URL")
@click.option("--id", "source_id", help="A kebab-case id [default: the publisher and date, else the title's words].")
@click.option("--title", help="The article's title [default: the one the page or PDF states].")
@click.option("--publisher", help="The publisher the article names [default: the site name the page states].")
@click.option("--no-publisher", is_flag=True, help="Record that the article names no publisher.")
@click.option("--url", help="The article's URL [default: the canonical URL the page states, or the URL fetched].")
@click.option("--no-url", is_flag=True, help="Record that no URL is known.")
@click.option("--published", metavar="DATE", help="YYYY, YYYY-MM or YYYY-MM-DD [default: the date the page's markup states].")
@click.option("--date-inferred", is_flag=True, help="The date is worked out, not stated (say how in --note).")
@click.option("--reliability", type=click.Choice(list("ABCDEF")), help="Admiralty source reliability; none is written unless given.")
@click.option("--reliability-note", metavar="TEXT", help="What the grade rests on.")
@click.option("--note", metavar="TEXT", help="Anything a reader of the sources should know.")
@click.option("--timeout", type=click.FloatRange(min=1, max=300), default=20, show_default=True, help="Seconds to wait for a URL.")
@_project_option
def add_source_command(
    location: str,
    source_id: str | None,
    title: str | None,
    publisher: str | None,
    no_publisher: bool,
    url: str | None,
    no_url: bool,
    published: str | None,
    date_inferred: bool,
    reliability: str | None,
    reliability_note: str | None,
    note: str | None,
    timeout: float,
    project: Path,
) -> None:
    """Archive an article and register it in seeds/sources.yaml: a saved web page, a PDF, an http(s) URL or
    plain text.

    The article's text is archived as seeds/ID.txt (a PDF's pages separated by form feeds), the web page or
    PDF itself beside it, and the registry records the text's SHA-256 so that check notices a later edit.
    Title, publisher, author, date, URL and language come from the document itself when it states them;
    options override them. A URL is fetched once, now: the only time briefgen uses the network. Fields
    neither gives are left out, so that `briefgen check` reminds you of them; --no-publisher and --no-url
    record that the article states none.
    """
    from briefgen.scaffold import add_source

    if (publisher and no_publisher) or (url and no_url):
        raise click.UsageError("give a value or its --no- option, not both")
    given = {"title": title, "publisher": "" if no_publisher else publisher, "url": "" if no_url else url,
             "published": published, "date_inferred": date_inferred or None, "reliability": reliability,
             "reliability_note": reliability_note, "note": note}
    done = add_source(project, location, source_id=source_id, given=given, timeout=timeout,
                      waiting=lambda message: _say(f"briefgen: {message}", err=True))
    source = done.source
    kept = f" and {display_path(done.original)}" if done.original else ""
    _say(f"briefgen: archived {shown(location)} as {display_path(done.archived)}{kept}; "
         f"registered '{source.id}' in {display_path(done.registry)}", err=True)
    if done.from_document:
        stated = ", ".join(f"{name} {_shown_value(getattr(source, name))}" for name in done.from_document)
        _say(f"briefgen: from the document: {stated}", err=True)
    for line in done.notes:
        _say(f"briefgen: note: {line}", err=True)
    if done.missing:
        _say(f"briefgen: not stated, for you to add (check will ask): {', '.join(done.missing)}", err=True)


def _shown_value(value: object) -> str:
    return f"“{shown(str(value))}”" if isinstance(value, str) else shown(str(value))


@main.command("serve")
@_project_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on; 0 takes any free one.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on: only this machine unless you name another.")
def serve_command(project: Path, port: int, host: str) -> None:
    """Preview the briefing in a browser, rebuilt on every save; Ctrl-C stops.

    Watches facts/, seeds/, templates/, briefgen.yaml and judgments.yaml; the page reloads itself after each
    save and shows any problems at its top, above the last good briefing. The PDF is rebuilt in the
    background (/briefing.pdf). output/ is not touched.
    """
    from briefgen.serve import serve

    serve(project, host, port, say=lambda line: _say(line, err=True))
