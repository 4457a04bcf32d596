"""The `summarizer` command: a thin layer over the Python API.

Exit codes: 0 done; 1 the run failed and wrote nothing; 2 bad usage or input;
3 a briefing was written but some articles (or the narrative) failed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from .articles import ArticleLoadError
from .backends import ModelSettings
from .calls import ModelCallError
from .templates import TemplateError, available, load_template

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Grounded daily briefings from news articles.")
cache_app = typer.Typer(no_args_is_help=True, help="Inspect or empty the disk cache.")
app.add_typer(cache_app, name="cache")
# soft_wrap: an error stays one line however long its path, so scripts can grep it.
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)

EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 1, 2, 3


class Format(str, Enum):
    md = "md"
    json = "json"
    both = "both"


class FixtureMode(str, Enum):
    off = "off"
    record = "record"
    replay = "replay"


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


# Options shared by the commands that call a model.
Model = Annotated[Optional[str], typer.Option(help="Model name (default: the embedded SmolLM2, or $SUMMARIZER_MODEL).")]
BaseUrl = Annotated[Optional[str], typer.Option(help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 ($OPENAI_BASE_URL).")]
Mode = Annotated[Optional[str], typer.Option(help="Structured-output mode: tools, json_schema, json, md_json (default: per provider).")]
TemplateOpt = Annotated[str, typer.Option("--template", "-t", help="Template name (see `summarizer templates`) or folder.")]
CacheDir = Annotated[Optional[Path], typer.Option(help="Cache folder (default: the user cache folder).")]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the cache.")]
Fixtures = Annotated[Optional[Path], typer.Option(help="Folder of recorded model exchanges.")]
FixtureModeOpt = Annotated[FixtureMode, typer.Option("--fixture-mode", help="record: call the model and save exchanges; replay: answer only from them.")]
MaxRetries = Annotated[int, typer.Option(min=0, max=10, help="Re-asks when a reply fails validation.")]
NoLog = Annotated[bool, typer.Option("--no-log", help="Do not add this run to the run log (`summarizer logs`).")]
Published = Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="Publication date for articles that carry none.")]


def settings_from(model, base_url, mode, cache_dir, no_cache, fixtures, fixture_mode, max_retries) -> ModelSettings:
    if fixture_mode != FixtureMode.off and fixtures is None:
        raise fail("--fixture-mode needs --fixtures FOLDER", EXIT_USAGE)
    return ModelSettings.from_env(
        model=model, base_url=base_url, mode=mode, cache_dir=cache_dir, use_cache=not no_cache,
        fixtures=fixtures, fixture_mode=fixture_mode.value, max_retries=max_retries,
    )


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` only once the new content is complete: an interrupted run leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o600 if path.name.startswith(".") else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _progress(total: int, enabled: bool):
    """A rich progress bar on a terminal; nothing when piped."""
    from contextlib import nullcontext

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not enabled or total == 0:
        return nullcontext(None)
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=False,
    )


@app.command()
def brief(
    paths: Annotated[list[Path], typer.Argument(help="Article files and folders (.txt .md .json .jsonl .html).")],
    out_path: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output file (default briefing.md / briefing.json).")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="md, json, or both.")] = Format.md,
    date: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"], help="Briefing date (default: newest article).")] = None,
    published: Published = None,
    template: TemplateOpt = "default",
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Articles extracted at once.")] = 4,
    model: Model = None,
    base_url: BaseUrl = None,
    mode: Mode = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    fixtures: Fixtures = None,
    fixture_mode: FixtureModeOpt = FixtureMode.off,
    max_retries: MaxRetries = 2,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    no_log: NoLog = False,
) -> None:
    """Summarise every article, then write the day's briefing."""
    from .pipeline import Run, brief_articles, load
    from .render import render
    from .schemas import Briefing

    settings = settings_from(model, base_url, mode, cache_dir, no_cache, fixtures, fixture_mode, max_retries)
    day = date.date() if date else None
    try:
        tpl = load_template(template)
        articles, failures, duplicates = load(paths, published.date() if published else day)
    except (ArticleLoadError, TemplateError) as error:
        raise fail(str(error), EXIT_USAGE) from None
    for failure in failures:
        err.print(f"[yellow]skipped:[/yellow] {failure.reason}", highlight=False)
    if not articles:
        raise fail("no readable article in the given paths", EXIT_USAGE)

    show = not quiet and err.is_terminal
    with _progress(len(articles), show) as bar:
        task = bar.add_task("articles", total=len(articles)) if bar else None

        def progress(event: str, article_id: str) -> None:
            if bar is not None and event in ("done", "failed"):
                bar.advance(task)

        async def run_briefing() -> Briefing:
            # Files that could not be read and duplicates go into the briefing's metadata.
            async with Run(settings=settings, template=tpl, concurrency=concurrency) as run:
                return await brief_articles(run, articles, day, progress, failures, duplicates)

        try:
            briefing = asyncio.run(run_briefing())
        except ModelCallError as error:
            raise fail(str(error)) from None

    formats = ["md", "json"] if fmt == Format.both else [fmt.value]
    written = []
    for kind in formats:
        target = out_path or Path(f"briefing.{kind}")
        if out_path and len(formats) > 1:
            target = out_path.with_suffix(f".{kind}")
        write_atomically(target, render(briefing, kind))
        written.append(str(target))
        err.print(f"wrote {target}", highlight=False)
    meta = briefing.metadata
    _log("brief", meta, len(briefing.articles), written, briefing.headline, no_log)
    err.print(
        f"{len(briefing.articles)} article(s), {meta.model_calls} model call(s), {meta.cache_hits} cache hit(s), "
        f"{meta.dropped_ungrounded} item(s) dropped as ungrounded, {meta.elapsed_seconds:.1f}s",
        highlight=False,
    )
    model_failures = [f for f in meta.failures if f.stage != "load"]
    for failure in model_failures:
        err.print(f"[red]failed:[/red] {failure.stage} {failure.article_id or ''}: {failure.reason}", highlight=False)
    if meta.failures:
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def record(
    paths: Annotated[list[Path], typer.Argument(help="Article files and folders.")],
    fixtures: Annotated[Path, typer.Option(help="Where to write the exchanges.")] = Path("fixtures/seeds"),
    date: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"])] = None,
    published: Published = None,
    template: TemplateOpt = "default",
    model: Model = None,
    base_url: BaseUrl = None,
    mode: Mode = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    max_retries: MaxRetries = 2,
) -> None:
    """Run the briefing against a real model (the embedded one by default) and record every exchange.

    Replies already in the cache came from that same model and are recorded as
    they are; pass --no-cache to ask the model afresh.
    """
    brief(
        paths, out_path=fixtures / "briefing.json", fmt=Format.json, date=date, published=published,
        template=template, concurrency=1, model=model, base_url=base_url, mode=mode, cache_dir=cache_dir,
        no_cache=no_cache, fixtures=fixtures, fixture_mode=FixtureMode.record, max_retries=max_retries, quiet=False,
        no_log=False,
    )


@app.command()
def article(
    path: Annotated[Path, typer.Argument(help="One article file.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="md or json.")] = Format.json,
    published: Published = None,
    template: TemplateOpt = "default",
    model: Model = None,
    base_url: BaseUrl = None,
    mode: Mode = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    fixtures: Fixtures = None,
    fixture_mode: FixtureModeOpt = FixtureMode.off,
    max_retries: MaxRetries = 2,
) -> None:
    """Summarise one article and print its grounded summary."""
    from . import asummarize_article
    from .render import summary_to_markdown

    settings = settings_from(model, base_url, mode, cache_dir, no_cache, fixtures, fixture_mode, max_retries)
    try:
        summary = asyncio.run(
            asummarize_article(path, published=published.date() if published else None, settings=settings, template=template)
        )
    except (ArticleLoadError, TemplateError) as error:
        raise fail(str(error), EXIT_USAGE) from None
    except ModelCallError as error:
        raise fail(str(error)) from None
    sys.stdout.write(summary_to_markdown(summary) if fmt == Format.md else summary.model_dump_json(indent=2) + "\n")


def _log(command: str, metadata, articles: int, outputs: list[str], headline: str, disabled: bool) -> None:
    if disabled:
        return
    from .runlog import log_run

    try:
        log_run(command, metadata, articles, outputs, headline)
    except Exception as error:  # the run's outputs matter more than its log line
        err.print(f"[yellow]warning:[/yellow] run not logged ({error})", highlight=False)


@app.command()
def logs(
    count: Annotated[int, typer.Option("--count", "-n", min=1, help="How many recent runs.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Recent runs: template, model, calls, cache hits, items dropped. The table's title is the SQLite file."""
    import json as json_module

    from .runlog import default_log_path, recent_runs

    runs = recent_runs(count)
    if as_json:
        sys.stdout.write(json_module.dumps(runs, indent=2) + "\n")
        return
    table = Table("id", "when", "command", "articles", "template", "model", "calls", "cached", "re-asks", "dropped", "tokens", "seconds", title=str(default_log_path()))
    for r in runs:
        table.add_row(
            str(r["id"]), r["started_at"], r["command"], str(r["articles"]), f"{r['template']} {r['template_hash'][:8]}",
            r["model"], str(r["model_calls"]), str(r["cache_hits"]), str(r["reasks"]), str(r["dropped"]),
            f"{r['prompt_tokens']}+{r['completion_tokens']}", f"{r['elapsed_seconds']:.1f}",
        )
    out.print(table)


@app.command()
def templates() -> None:
    """List the built-in prompt templates."""
    table = Table("name", "hash", "folder")
    for name, folder in available().items():
        table.add_row(name, load_template(name).hash, str(folder))
    out.print(table)


@app.command()
def schema(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the JSON Schema files.")] = Path("schemas"),
    check: Annotated[bool, typer.Option(help="Only check that the files are up to date (exit 1 if not).")] = False,
) -> None:
    """Export the output models as JSON Schema."""
    from .schemas import json_schemas

    stale = []
    for name, text in json_schemas().items():
        target = out_dir / name
        if check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
        else:
            write_atomically(target, text)
            err.print(f"wrote {target}", highlight=False)
    if stale:
        raise fail(f"out of date: {', '.join(stale)}; run: summarizer schema --out {out_dir}")


@cache_app.command("stats")
def cache_stats_command(cache_dir: CacheDir = None) -> None:
    """Where the cache is and how big."""
    from .cache import cache_stats, open_cache

    with open_cache(cache_dir) as cache:
        for key, value in cache_stats(cache).items():
            out.print(f"{key}: {value}", highlight=False)


@cache_app.command("clear")
def cache_clear_command(cache_dir: CacheDir = None) -> None:
    """Remove every cached reply."""
    from .cache import open_cache

    with open_cache(cache_dir) as cache:
        removed = cache.clear()
    out.print(f"removed {removed} entries", highlight=False)


def _interrupt(signum, frame) -> None:
    # SIGTERM (a service manager, `kill`) ends the run like Ctrl-C does: the
    # embedded server is stopped and no output file is half-written.
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted; outputs already written are kept, nothing was half-written")
        sys.exit(130)
