"""The command line: the only module that prints, chooses exit codes or imports click."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import click

from briefgen import __version__
from briefgen import build as pipeline
from briefgen.diagnostics import Diagnostic, format_github, format_json, format_summary, format_text, sort_key, strict
from briefgen.errors import BriefgenError
from briefgen.loading import display_path


class _Group(click.Group):
    """Turns every BriefgenError into clean `file:line:col: …` lines and exit 1; bugs keep their traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BriefgenError as exc:
            _print_problems(exc.diagnostics())
            ctx.exit(1)


def _print_problems(diagnostics: list[Diagnostic]) -> None:
    errors = [d for d in diagnostics if d.level == "error"]
    for d in sorted(errors or diagnostics, key=sort_key):
        click.echo(format_text(d), err=True)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD") from None


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    unknown = [v for v in chosen if v not in pipeline.FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"{value!r}: choose from {', '.join(pipeline.FORMATS)} (comma-separated)")
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
    "--format", "formats", default="md,html,pdf", show_default=True, callback=_formats, help="Formats to write, comma-separated."
)
@_date_option
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
def build(project: Path, output: Path | None, formats: tuple[str, ...], date: dt.date | None, quiet: bool) -> None:
    """Check the fact base, then write the briefing.

    Nothing is written unless every check passes and every format renders, so a mistake never costs the
    last good briefing. Progress goes to stderr.
    """
    started = time.perf_counter()
    progress = (lambda _: None) if quiet else (lambda message: click.echo(f"briefgen: {message}", err=True))
    outcome = pipeline.build(project, output, formats, date, progress)
    for d in sorted(outcome.diagnostics, key=sort_key):
        click.echo(format_text(d), err=True)
    for warning in outcome.renderer_warnings:
        click.echo(f"briefgen: warning: PDF renderer: {warning}", err=True)
    if not quiet:
        names = ", ".join(display_path(p) for p in outcome.written)
        pages = f" ({outcome.pages} pages)" if outcome.pages else ""
        click.echo(f"briefgen: wrote {names}{pages} in {time.perf_counter() - started:.1f} s", err=True)


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
@_date_option
def check(project: Path, output_format: str, strict_mode: bool, date: dt.date | None) -> None:
    """Prove the fact base: quotes in their sources, numbers in their quotes, ids that resolve.

    Exit 0 when there are no errors (warnings allowed), 1 when there are errors (or warnings, with
    --strict), 2 on a usage error.
    """
    outcome = pipeline.check(project, date)
    diagnostics = sorted(outcome.diagnostics, key=sort_key)
    if strict_mode:
        diagnostics = strict(diagnostics)
    if output_format == "json":
        click.echo(format_json(diagnostics))
    else:
        line = format_github if output_format == "github" else format_text
        for d in diagnostics:
            click.echo(line(d))
        if output_format == "text":
            facts = len(outcome.project.facts) if outcome.project else None
            sources = len(outcome.project.sources) if outcome.project else None
            click.echo(format_summary(diagnostics, facts, sources))
    if any(d.level == "error" for d in diagnostics):
        raise SystemExit(1)

