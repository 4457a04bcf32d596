"""The `summarizer` command: a thin layer over the Python API.

Exit codes: 0 done; 1 the run failed and wrote nothing; 2 bad usage or input;
3 a briefing was written but some articles (or the narrative) failed.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import inspect
import logging
import os
import signal
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional, get_args

import typer

from .errors import EXIT_FAILED, EXIT_PARTIAL, EXIT_USAGE, SummarizerError
from .offload import run_sync
from .retry import RetryPolicy
from .settings import FixtureMode, ModelSettings, StructuredMode
from .stories import STORY_THRESHOLD
from .templates import available, load_template

app = typer.Typer(no_args_is_help=True, help="Grounded daily briefings from news articles.")

# typer's help shows "<bool>" beside every flag (--quiet, --no-cache, --help): a flag takes no value,
# so nothing is shown for it, as click's own help does.
_display_type = typer.core.TyperOption.display_type_rich


def _flags_as_flags(self, ctx):
    return None if getattr(self, "is_flag", False) else _display_type(self, ctx)


typer.core.TyperOption.display_type_rich = _flags_as_flags
cache_app = typer.Typer(no_args_is_help=True, help="Inspect or empty the disk cache.")
app.add_typer(cache_app, name="cache")
templates_app = typer.Typer(help="List, show and start prompt templates.")
app.add_typer(templates_app, name="templates")


class _Console:
    """rich's Console, made when first used: importing rich is 20 ms that a quiet run, which prints
    nothing before its last line, would otherwise spend before its first request."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console = None

    def real(self):
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


# soft_wrap: an error stays one line however long its path, so scripts can grep it.
err = _Console(stderr=True, soft_wrap=True)
out = _Console(soft_wrap=True)


class Format(str, Enum):
    md = "md"
    json = "json"
    html = "html"
    both = "both"


class SummaryFormat(str, Enum):
    """What `article` can print: one article's summary has no HTML report."""

    md = "md"
    json = "json"


def _version(value: bool) -> None:
    if value:
        from . import __version__

        out.print(f"summarizer {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """Grounded daily briefings from news articles."""


def fail(message: str, code: int = EXIT_FAILED) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def command(*args, **kwargs):
    """`app.command`, with every SummarizerError turned into its one line and exit code, here only."""

    def register(func):
        @functools.wraps(func)  # typer reads the options off the wrapped function's signature
        def run(*a, **kw):
            try:
                return func(*a, **kw)
            except SummarizerError as error:
                _list(error.label, error.details)
                raise fail(str(error), error.exit_code) from None

        return (kwargs.pop("app", None) or app).command(*args, **kwargs)(run)

    return register


# --- the options of every command that calls a model, written once (as simonw/llm does with click):
# `@model_options()` adds them to a command and hands it one ModelSettings, built here only.

def _option(name: str, kind: Any, default: Any, *decls: str, panel: str = "Model", **info: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default,
        annotation=Annotated[kind, typer.Option(*decls, rich_help_panel=panel, **info)],
    )


def _choices(name: str, literal: Any) -> type[Enum]:
    """An Enum of a Literal's values, which typer offers as choices: the values are written once, in settings."""
    return Enum(name, {value: value for value in get_args(literal)}, type=str)  # type: ignore[return-value]


_default = ModelSettings.default
ModeChoice = _choices("ModeChoice", StructuredMode)
FixtureModeChoice = _choices("FixtureModeChoice", FixtureMode)
_CACHE = "Cache and fixtures"
_RELIABILITY = "Reliability"
_PERFORMANCE = "Performance"
_IO = "Input and output"
MODEL_OPTIONS = [
    _option("model", Optional[str], None, "--model", "-m", help="Model name (default: the embedded SmolLM2, or $SUMMARIZER_MODEL)."),
    _option("base_url", Optional[str], None, help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 ($OPENAI_BASE_URL)."),
    _option("mode", Optional[ModeChoice], None,
            help="Structured-output mode (default: tools for OpenAI, json_schema elsewhere)."),
    _option("max_retries", Optional[int], None, panel=_RELIABILITY, min=0, max=10, show_default=str(_default("max_retries")),
            help="Re-asks when a reply fails validation."),
    _option("timeout", Optional[float], None, panel=_RELIABILITY, min=0.1, show_default=str(_default("timeout")),
            help="Seconds to wait for one whole reply before trying again."),
    _option("attempts", int, _default("retry").attempts, panel=_RELIABILITY, min=1, max=20,
            help="Tries per model call on transient errors (429, 5xx, timeouts, resets)."),
    _option("call_budget", float, _default("retry").max_seconds, panel=_RELIABILITY, min=0.1,
            help="Most seconds one model call may take, retries and waits included."),
    _option("context_tokens", Optional[int], None, min=1024,
            help="The model's context window in tokens; longer articles are split into chunks "
                 f"(default: 8192 embedded, {ModelSettings.DEFAULT_REMOTE_CONTEXT} remote, or $SUMMARIZER_CONTEXT_TOKENS)."),
    _option("rpm", Optional[float], None, "--rpm", panel=_PERFORMANCE, min=0.1,
            help="Requests per minute the provider allows; requests are spaced to stay under it ($SUMMARIZER_RPM)."),
    _option("concurrency", Optional[int], None, panel=_PERFORMANCE, min=1, max=256, show_default=str(_default("concurrency")),
            help="Model requests in flight at once (the embedded model serves one at a time)."),
    _option("max_calls_per_article", Optional[int], None, "--max-calls-per-article", panel=_PERFORMANCE, min=1,
            show_default=str(_default("max_calls_per_article")),
            help="An article longer than this many model calls (chunks) fails before any is sent."),
    _option("verbose", bool, False, "--verbose", "-v", panel="Output",
            help="Show each model call on stderr: endpoint, model, tokens, seconds, and whether the cache answered."),
    _option("cache_dir", Optional[Path], None, panel=_CACHE, help="Cache folder (default: the user cache folder)."),
    _option("no_cache", bool, False, "--no-cache", panel=_CACHE, help="Neither read nor write the cache."),
]
FIXTURE_OPTIONS = [
    _option("fixtures", Optional[Path], None, panel=_CACHE, help="Folder of recorded model exchanges."),
    _option("fixture_mode", Optional[FixtureModeChoice], None, "--fixture-mode", panel=_CACHE, show_default="off",
            help="record: call the model and save exchanges; replay: answer only from them."),
]
RECORD_OPTIONS = [
    _option("fixtures", Path, Path("fixtures/seeds"), panel=_CACHE, help="Where to write the exchanges."),
]
BATCH_OPTIONS = [
    _option("batch", bool, _default("batch"), "--batch", panel="Batch API",
            help="Send the model calls through the OpenAI Batch API (cheaper, answers within 24 h); "
                 "rerun the same command to resume."),
    _option("batch_poll", float, _default("batch_poll"), "--batch-poll", min=0.01, panel="Batch API",
            help="With --batch: seconds before the first status check; later checks back off up to a minute."),
    _option("batch_id", Optional[str], None, "--batch-id", panel="Batch API",
            help="Collect this batch, submitted earlier, instead of submitting one (implies --batch)."),
]


def settings_from_options(
    model, base_url, mode, max_retries, timeout, attempts, call_budget, context_tokens, rpm, concurrency,
    max_calls_per_article, cache_dir, no_cache, fixtures=None, fixture_mode="off", batch=False, batch_poll=None, batch_id=None,
) -> ModelSettings:
    """The one ModelSettings of a command, from its options and the environment."""
    return ModelSettings.from_env(
        model=model, base_url=base_url, mode=mode, max_retries=max_retries, timeout=timeout,
        retry=RetryPolicy(attempts=attempts, max_seconds=call_budget), context_tokens=context_tokens,
        requests_per_minute=rpm, concurrency=concurrency, max_calls_per_article=max_calls_per_article,
        cache_dir=cache_dir, use_cache=not no_cache,
        fixtures=fixtures, fixture_mode=fixture_mode, batch=batch or bool(batch_id), batch_poll=batch_poll,
        batch_id=batch_id,
    ).check()


def model_options(fixtures: str = "choose", batch: bool = False):
    """Give a command the model options; it receives them as `settings: ModelSettings`.

    fixtures: "choose" adds --fixtures and --fixture-mode; "record" adds
    --fixtures only and records into it. batch: add --batch and --batch-poll.
    """
    bundle = MODEL_OPTIONS + (RECORD_OPTIONS if fixtures == "record" else FIXTURE_OPTIONS)
    bundle += BATCH_OPTIONS if batch else []

    def decorate(func):
        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "settings"]

        @functools.wraps(func)
        def run(*args, **kwargs):
            values = {p.name: kwargs.pop(p.name) for p in bundle}
            values = {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}
            if values.pop("verbose"):
                logging.getLogger("summarizer").setLevel(logging.INFO)
            if fixtures == "record":
                values["fixture_mode"] = "record"
            return func(*args, settings=settings_from_options(**values), **kwargs)

        run.__signature__ = signature.replace(parameters=own + bundle)  # what typer reads
        return run

    return decorate


# Options that are not about the model, shared by several commands.
CacheDir = Annotated[Path | None, typer.Option(help="Cache folder (default: the user cache folder).")]
TemplateOpt = Annotated[Optional[str], typer.Option("--template", "-t", rich_help_panel="Input and output", show_default="default, or the settings file's", help="Template name (see `summarizer templates`) or folder.")]


def _template(name: Optional[str]):
    """The template a command uses: the flag, else the settings file's, else "default"."""
    from .settings import read_config

    return load_template(name or read_config().get("template") or "default")
NoLog = Annotated[bool, typer.Option("--no-log", rich_help_panel="Output", help="Do not add this run to the run log (`summarizer logs`).")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", rich_help_panel="Output", help="No progress on stderr (errors and warnings still show).")]
Published = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], rich_help_panel="Input and output", help="Publication date for articles that carry none.")]


def _working(what: str, enabled: bool):
    """A spinner on stderr while one long step runs, on a terminal only."""
    from contextlib import nullcontext

    if not enabled or not err.is_terminal:
        return nullcontext()
    return err.status(what)


def _progress(total: int, enabled: bool):
    """A rich progress bar on a terminal; nothing when piped."""
    from contextlib import nullcontext

    if not enabled or total == 0:
        return nullcontext(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err.real(), transient=False,
    )


def _list(label: str, lines: list[str], limit: int = 10) -> None:
    """One stderr line per item, at most `limit` of them: a folder of 5,000 bad files must not flood the terminal."""
    colour = {"failed": "red"}.get(label, "yellow")
    for line in lines[:limit]:
        err.print(f"[{colour}]{label}:[/{colour}] {line}", highlight=False)
    if len(lines) > limit:
        err.print(f"[{colour}]{label}:[/{colour}] ... and {len(lines) - limit} more (all listed in the briefing's metadata)", highlight=False)


def _wrote(paths: list[Path]) -> list[str]:
    for path in paths:
        if str(path) != "-":  # standard output speaks for itself
            err.print(f"wrote {path}", highlight=False)
    return [str(p) for p in paths]


def _eval_target(out_path: Optional[Path]) -> Path:
    """Where `--gold` writes its report: beside the briefing file, or briefing.eval.json when it went to a stream."""
    from .outputs import is_stream

    if out_path is None or is_stream(out_path):
        return Path("briefing.eval.json")
    return out_path.with_suffix(".eval.json")


@command()
@model_options(batch=True)
def brief(
    paths: Annotated[list[Path], typer.Argument(help="Article files and folders (.txt .md .json .jsonl .html).")],
    out_path: Annotated[Optional[Path], typer.Option("--out", "-o", rich_help_panel=_IO, help="Output file (default briefing.md / briefing.json).")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", rich_help_panel=_IO, help="md, json, html (a self-contained report), or both (md and json).")] = Format.md,
    date: Annotated[Optional[dt.datetime], typer.Option(rich_help_panel=_IO, formats=["%Y-%m-%d"], help="Briefing date (default: newest article).")] = None,
    published: Published = None,
    template: TemplateOpt = None,
    one_story: Annotated[bool, typer.Option("--one-story", rich_help_panel=_IO, help="Brief every article as one story, even when they tell several.")] = False,
    story_threshold: Annotated[float, typer.Option(min=0.0, max=1.0, rich_help_panel=_IO, help="How far apart (cosine distance of their terms) two articles may be and still be one story; lower splits more.")] = STORY_THRESHOLD,
    since: Annotated[Optional[Path], typer.Option("--since", metavar="EARLIER.json", rich_help_panel=_IO, help="An earlier run's JSON (front page or briefing, -f json/both): mark in each story what changed since, and which stories are new.")] = None,
    allow_partial: Annotated[bool, typer.Option("--allow-partial", rich_help_panel=_RELIABILITY, help="Exit 0 even when some articles failed (they are still listed).")] = False,
    gold: Annotated[Optional[Path], typer.Option("--gold", rich_help_panel=_IO, help="Also score the briefing against this reference annotation (see `summarizer eval`).")] = None,
    quiet: Quiet = False,
    no_log: NoLog = False,
    *,
    settings: ModelSettings,
) -> None:
    """Summarise every article, then write the day's briefing.

    Exit codes: 0 done; 1 nothing written (the model failed for every article);
    2 bad usage or no readable article; 3 briefing written, but some articles,
    files or the narrative failed (listed in it); 130 interrupted.
    """
    _brief_and_write(
        paths, settings, template, date.date() if date else None, published.date() if published else None,
        fmt.value, out_path, gold, quiet, no_log, allow_partial, "brief",
        None if one_story else story_threshold, since,
    )


def _brief_and_write(paths, settings, template, day, published, fmt, out_path, gold, quiet, no_log,
                     allow_partial, command_name, story_threshold: Optional[float] = None,
                     since: Optional[Path] = None) -> None:
    """What `brief` and `record` do: load, brief with the library, write, report."""
    from .outputs import briefing_targets, check_writable, is_stream, write_briefing, write_front_page
    from .pipeline import Run, load

    tpl = _template(template)
    earlier = None
    if since is not None:  # a bad --since fails before any model work
        from .changes import read_earlier

        earlier = read_earlier(since)
    loaded = load(paths, published or day).require()
    targets = [target for _, target in briefing_targets(fmt, out_path)]
    if gold is not None:
        targets.append(_eval_target(out_path))
    check_writable(targets)  # before any model work, not after it
    _list("skipped", [f.reason for f in loaded.failures])
    _list("warning", [f"{a.path or a.id}: {w}" for a in loaded.articles for w in a.warnings])

    with _progress(len(loaded.articles), not quiet and err.is_terminal) as bar:
        task = bar.add_task("articles", total=len(loaded.articles)) if bar else None

        finished = 0

        def progress(event: str, article_id: str) -> None:
            nonlocal finished
            if event in ("done", "failed"):
                finished += 1
                _settle(finished, len(loaded.articles))
                if bar is not None:
                    bar.advance(task)

        async def run_briefing():
            notify = lambda line: err.print(line, highlight=False)  # noqa: E731  (batch status lines)
            async with Run(settings=settings, template=tpl, notify=notify) as run:
                if bar is not None:
                    calls = run.planned_calls(loaded.articles)
                    err.print(f"{len(loaded.articles)} article(s): about {calls} model call(s) to "
                              f"{run.backend.model}, fewer where the cache answers", highlight=False)
                if story_threshold is not None and len(loaded.articles) > 1:
                    page, briefed = await run.brief_stories(
                        loaded.articles, day, progress, loaded.failures, loaded.duplicates, story_threshold, earlier
                    )
                    if len(briefed) > 1:
                        return page, briefed
                    return briefed[0][1]  # one story: the briefing, exactly as ever
                return await run.brief(loaded.articles, day, progress, loaded.failures, loaded.duplicates, earlier)

        briefing = run_sync(run_briefing())

    by_id = {a.id: a for a in loaded.articles}
    if isinstance(briefing, tuple):
        page, briefed = briefing
        written = _wrote(write_front_page(page, briefed, by_id, fmt, out_path))
        err.print(f"{len(briefed)} stories from {len(loaded.articles)} article(s), {page.metadata.model_calls} "
                  f"model call(s), {page.metadata.cache_hits} cache hit(s)", highlight=False)
        _log(command_name, page.metadata, sum(len(b.articles) for _, b in briefed), written,
             page.stories[0].headline, no_log)
        _list("failed", [f"{f.stage} {f.article_id or ''}: {f.reason}" for _, b in briefed for f in b.metadata.failures if f.stage != "load"])
        if gold is not None:
            err.print(f"[yellow]warning:[/yellow] --gold scores one briefing, and these articles tell {len(briefed)} "
                      "stories: pass --one-story to score them as one", highlight=False)
        if any(b.metadata.failures for _, b in briefed) and not allow_partial:
            raise typer.Exit(EXIT_PARTIAL)
        return
    written = _wrote(write_briefing(briefing, by_id, fmt, out_path))
    meta = briefing.metadata
    _log(command_name, meta, len(briefing.articles), written, briefing.headline, no_log)
    if gold is not None:
        # The scores go to stderr when the briefing itself went to standard output.
        _score(briefing, gold, None, _eval_target(out_path), err if out_path and is_stream(out_path) else out)
    err.print(
        f"{len(briefing.articles)} article(s), {meta.model_calls} model call(s), {meta.cache_hits} cache hit(s), "
        f"{meta.dropped_ungrounded} item(s) dropped as ungrounded, {meta.elapsed_seconds:.1f}s",
        highlight=False,
    )
    _list("failed", [f"{f.stage} {f.article_id or ''}: {f.reason}" for f in meta.failures if f.stage != "load"])
    if meta.failures and not allow_partial:
        raise typer.Exit(EXIT_PARTIAL)


def _score(briefing, gold: Path, articles: Optional[Path], target: Path, console: Any = out) -> dict:
    from .evaluate import headline_figures, misses, score
    from .outputs import write_json

    report = score(briefing, gold, articles)
    from rich.table import Table

    table = Table("measure", "score", title=f"{briefing.metadata.template} against {gold}")
    for label, value in headline_figures(report):
        table.add_row(label, "n/a" if value is None else (f"{value:.2f}" if isinstance(value, float) else str(value)))
    console.print(table)
    for label, items in misses(report).items():
        console.print(f"{label}: {'; '.join(items)}", highlight=False)
    _wrote([write_json(target, report)])
    return report


@command("eval")
def eval_command(
    briefing_path: Annotated[Path, typer.Argument(metavar="BRIEFING.json", help="A briefing written with --format json.")],
    gold: Annotated[Path, typer.Option("--gold", help="Reference annotation (format: fixtures/README.md).")],
    articles: Annotated[Optional[Path], typer.Option(help="Folder of the articles, to check quotes (default: the paths in the briefing).")] = None,
    out_path: Annotated[Optional[Path], typer.Option("--out", "-o", help="JSON report (default: BRIEFING.eval.json).")] = None,
) -> None:
    """Score a briefing against a hand-written reference: recall, precision, grounding."""
    from pydantic import ValidationError

    from .schemas import Briefing

    try:
        briefing = Briefing.model_validate_json(briefing_path.read_text(encoding="utf-8"))
    except OSError as error:
        raise fail(f"{briefing_path}: {error.strerror or error}", EXIT_USAGE) from None
    except ValidationError as error:
        raise fail(f"{briefing_path}: not a briefing JSON ({error.error_count()} problem(s), first: {error.errors()[0]['msg']})", EXIT_USAGE) from None
    _score(briefing, gold, articles, out_path or briefing_path.with_suffix(".eval.json"))


@command()
@model_options()
def compare(
    paths: Annotated[list[Path], typer.Argument(help="Article files and folders.")],
    templates_: Annotated[list[str], typer.Option("--template", "-t", help="Two templates to compare (give the option twice).")],
    gold: Annotated[Optional[Path], typer.Option("--gold", help="Score both against this reference annotation.")] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Markdown report.")] = Path("compare.md"),
    date: Annotated[Optional[dt.datetime], typer.Option(rich_help_panel=_IO, formats=["%Y-%m-%d"], help="Briefing date (default: newest article).")] = None,
    published: Published = None,
    quiet: Quiet = False,
    no_log: NoLog = False,
    *,
    settings: ModelSettings,
) -> None:
    """Brief the same articles with two templates (from the cache where possible) and set the results side by side."""
    from rich.markdown import Markdown

    from .compare import compare_templates, to_markdown
    from .outputs import write_output

    if len(templates_) != 2:
        raise fail("give exactly two templates: --template A --template B", EXIT_USAGE)

    def started(template) -> None:
        if not quiet:
            err.print(f"briefing with template {template.name} ({template.hash[:8]})...", highlight=False)

    left, right = run_sync(compare_templates(
        paths, templates_, settings, date.date() if date else None, published.date() if published else None,
        gold, started,
    ))
    for side in (left, right):
        for failure in side.briefing.metadata.failures:
            err.print(f"[red]failed:[/red] {side.label}: {failure.stage} {failure.article_id or ''}: {failure.reason}", highlight=False)
    report = to_markdown(left, right)
    out.print(Markdown(report))
    write_output(out_path, report)
    written = _wrote([out_path])
    for side in (left, right):
        _log("compare", side.briefing.metadata, len(side.briefing.articles), written, side.briefing.headline, no_log)


@command()
@model_options(fixtures="record")
def record(
    paths: Annotated[list[Path], typer.Argument(help="Article files and folders.")],
    date: Annotated[Optional[dt.datetime], typer.Option(formats=["%Y-%m-%d"])] = None,
    published: Published = None,
    template: TemplateOpt = None,
    quiet: Quiet = False,
    *,
    settings: ModelSettings,
) -> None:
    """Run the briefing against a real model (the embedded one by default) and record every exchange.

    Replies already in the cache came from that same model and are recorded as
    they are; pass --no-cache to ask the model afresh. The briefing goes to
    FIXTURES/briefing.json.
    """
    assert settings.fixtures is not None  # --fixtures has a default
    _brief_and_write(
        paths, settings, template, date.date() if date else None, published.date() if published else None,
        "json", settings.fixtures / "briefing.json", None, quiet, False, False, "record", STORY_THRESHOLD,
    )


@command()
@model_options()
def article(
    path: Annotated[Path, typer.Argument(help="One article file.")],
    fmt: Annotated[SummaryFormat, typer.Option("--format", "-f", help="md or json.")] = SummaryFormat.json,
    published: Published = None,
    template: TemplateOpt = None,
    quiet: Quiet = False,
    no_log: NoLog = False,
    *,
    settings: ModelSettings,
) -> None:
    """Summarise one article and print its grounded summary."""
    import time

    from .pipeline import Run, load
    from .render import summary_to_markdown

    tpl = _template(template)
    loaded = load([path], published.date() if published else None).require()
    article = loaded.articles[0]

    async def one():
        started = time.monotonic()
        async with Run(settings=settings, template=tpl) as run:
            with _working(f"summarising {article.id}", not quiet):
                summary = await run.summarize(article)
            return summary, run.metadata(started, [], summary.dropped, {}, max(0, summary.attempts - 1))

    summary, metadata = run_sync(one())
    sys.stdout.write(summary_to_markdown(summary) if fmt == SummaryFormat.md else summary.model_dump_json(indent=2) + "\n")
    _log("article", metadata, 1, ["-"], summary.title or "", no_log)


def _log(command: str, metadata, articles: int, outputs: list[str], headline: str, disabled: bool) -> None:
    if disabled:
        return
    from .runlog import log_run

    try:
        log_run(command, metadata, articles, outputs, headline)
    except Exception as error:  # the run's outputs matter more than its log line
        err.print(f"[yellow]warning:[/yellow] run not logged ({error})", highlight=False)


@command()
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
    from rich.table import Table

    table = Table("id", "when", "command", "articles", "template", "model", "calls", "cached", "re-asks", "dropped", "tokens", "seconds", title=str(default_log_path()))
    for r in runs:
        table.add_row(
            str(r["id"]), r["started_at"], r["command"], str(r["articles"]), f"{r['template']} {r['template_hash'][:8]}",
            r["model"], str(r["model_calls"]), str(r["cache_hits"]), str(r["reasks"]), str(r["dropped"]),
            f"{r['prompt_tokens']}+{r['completion_tokens']}", f"{r['elapsed_seconds']:.1f}",
        )
    _tables().print(table)


@command()
def config(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The settings in force and where each comes from: default, the settings file, or the environment.

    The settings file is TOML (model, base_url, mode, template, concurrency, timeout, context_tokens,
    requests_per_minute, max_retries); flags and the environment take precedence over it.
    """
    import json as json_module

    from .settings import config_path, read_config, sources

    read_config()  # a broken file is reported as such, in one line
    shown = sources()
    if as_json:
        data = {"file": str(config_path()), "settings": {k: {"value": v, "from": f} for k, (v, f) in shown.items()}}
        sys.stdout.write(json_module.dumps(data, indent=2, default=str) + "\n")
        return
    from rich.table import Table

    table = Table("setting", "value", "from", title=f"settings file: {config_path()}")
    for key, (value, origin) in shown.items():
        table.add_row(key, "" if value is None else str(value), origin)
    _tables().print(table)


def _tables():
    """stdout for tables: as wide as the terminal, and never cut to 80 columns when piped."""
    from rich.console import Console

    return out.real() if out.is_terminal else Console(soft_wrap=True, width=400)


@templates_app.callback(invoke_without_command=True)
def templates_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The templates a run can use: built-in ones and your own (`templates new`)."""
    if ctx.invoked_subcommand is not None:
        return
    import json as json_module

    rows = [{"name": name, "hash": load_template(folder).hash, "folder": str(folder)} for name, folder in available().items()]
    if as_json:
        sys.stdout.write(json_module.dumps(rows, indent=2) + "\n")
        return
    from rich.table import Table

    table = Table("name", "hash", "folder")
    for row in rows:
        table.add_row(row["name"], row["hash"], row["folder"])
    _tables().print(table)


@command("show", app=templates_app)
def templates_show(name: Annotated[str, typer.Argument(help="A template name or folder.")]) -> None:
    """Print a template's files (its four prompts and template.yaml), each under its name."""
    template = load_template(name)
    for part, source in template.sources.items():
        sys.stdout.write(f"==> {template.folder / (part + '.j2')} <==\n{source.rstrip()}\n\n")
    if template.settings_source:
        sys.stdout.write(f"==> {template.folder / 'template.yaml'} <==\n{template.settings_source.rstrip()}\n")


@command("new", app=templates_app)
def templates_new(
    name: Annotated[str, typer.Argument(help="The new template's name (letters, digits, - and _).")],
    source: Annotated[str, typer.Option("--from", help="The template to start from.")] = "default",
) -> None:
    """Start a template of your own from a copy of another; `-t NAME` then uses it."""
    import re
    import shutil

    from .places import user_templates

    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", name):
        raise fail(f"template name {name!r}: use letters, digits, - and _", EXIT_USAGE)
    if name in available():
        raise fail(f"a template named {name!r} exists already ({available()[name]})", EXIT_USAGE)
    origin = load_template(source)
    target = user_templates() / name
    shutil.copytree(origin.folder, target, ignore=shutil.ignore_patterns("__pycache__"))
    err.print(f"created {target} from {origin.name}; edit it, then: summarizer brief ARTICLES -t {name}", highlight=False)


@command()
def schema(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the JSON Schema files.")] = Path("schemas"),
    check: Annotated[bool, typer.Option(help="Only check that the files are up to date (exit 1 if not).")] = False,
) -> None:
    """Export the output models as JSON Schema, and the HTTP service's OpenAPI document."""
    from .outputs import write_atomically
    from .schemas import json_schemas
    from .service import openapi_document

    stale = []
    for name, text in {**json_schemas(), "openapi.json": openapi_document()}.items():
        target = out_dir / name
        if check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(str(target))
        else:
            write_atomically(target, text)
            err.print(f"wrote {target}", highlight=False)
    if stale:
        raise fail(f"out of date: {', '.join(stale)}; run: summarizer schema --out {out_dir}")


@command()
@model_options(batch=True)
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    max_body: Annotated[int, typer.Option(min=1024, help="Largest request body in bytes (413 above it).")] = 5 * 1024 * 1024,
    templates_dir: Annotated[Optional[list[Path]], typer.Option("--templates-dir", help="A folder of template folders callers may name too (besides the built-in ones); give it again for more.")] = None,
    max_connections: Annotated[Optional[int], typer.Option(min=16, help="Connections open at once (default 512, at most half the file descriptor limit); the oldest idle one makes room for a new one.")] = None,
    request_timeout: Annotated[float, typer.Option(min=1.0, help="Seconds a client has to send a whole request, headers and body.")] = 20.0,
    max_jobs: Annotated[int, typer.Option(min=1, help="Jobs queued or running at once (429 beyond).")] = 16,
    *,
    settings: ModelSettings,
) -> None:
    """Serve the pipeline over HTTP (FastAPI). Needs $SUMMARIZER_API_TOKEN: callers send it as a bearer token.

    With --batch, briefings are jobs only (?async=true) whose model calls go through the Batch API.
    """
    from .service import TOKEN_ENV, Limits, create_app
    from .service import serve as serve_app

    token = os.environ.get(TOKEN_ENV, "")
    if len(token) < 16:
        raise fail(f"set {TOKEN_ENV} to a secret of 16 characters or more; every call but /healthz must carry it", EXIT_USAGE)
    if not settings.use_cache:
        raise fail("the service keeps its jobs in the cache folder; it cannot run with --no-cache", EXIT_USAGE)
    for folder in templates_dir or []:
        if not folder.is_dir():
            raise fail(f"--templates-dir {folder}: no such folder", EXIT_USAGE)
    app = create_app(settings, token, templates_dirs=templates_dir or [],
                     limits=Limits(max_body=max_body, max_jobs=max_jobs))
    serve_app(app, host, port, max_connections, request_timeout)


@command("stats", app=cache_app)
def cache_stats_command(cache_dir: CacheDir = None) -> None:
    """Where the cache is and how big."""
    from .cache import cache_stats, open_cache

    with open_cache(cache_dir) as cache:
        for key, value in cache_stats(cache).items():
            out.print(f"{key}: {value}", highlight=False)


@command("clear", app=cache_app)
def cache_clear_command(cache_dir: CacheDir = None) -> None:
    """Remove every cached reply."""
    from .cache import open_cache

    with open_cache(cache_dir) as cache:
        removed = cache.clear()
    out.print(f"removed {removed} entries", highlight=False)


class _Lines(logging.Formatter):
    """Warnings as "warning: ..."; --verbose's lines as they are."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        return f"warning: {message}" if record.levelno >= logging.WARNING else message


class RepeatCap(logging.Filter):
    """Each kind of warning at most `limit` times: a full disk under the cache warned 394 times in one run."""

    def __init__(self, limit: int = 3) -> None:
        super().__init__()
        self.limit = limit
        self.seen: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True  # --verbose asked for every call
        count = self.seen[str(record.msg)] = self.seen.get(str(record.msg), 0) + 1
        if count == self.limit:
            record.msg = f"{record.msg} (further warnings like this one are not shown)"
        return count <= self.limit


def _interrupt(signum, frame) -> None:
    # SIGTERM (a service manager, `kill`) ends the run like Ctrl-C does: the
    # embedded server is stopped and no output file is half-written. It is
    # turned into SIGINT rather than raised here, so that a running asyncio
    # loop cancels its tasks in order instead of a KeyboardInterrupt landing
    # in the middle of one of them.
    signal.raise_signal(signal.SIGINT)


def _tune_collector() -> None:
    """Fewer, cheaper passes of the cycle collector for this process (the CLI and the service it serves).

    A run keeps every summary and every sentence index alive until the briefing is written, so
    Python's default thresholds (a full pass every few hundred thousand allocations) walked them
    again and again: at 2,000 articles, 8 full passes took 1.0 s and the young ones 0.4 s more,
    a fifth of the run. What was imported before now is frozen out of every pass (it lives as
    long as the process), and a pass runs every 50,000 allocations, not 700. Memory is freed
    by reference counting as before; only cycles wait a little longer.
    """
    global _settling
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    _settling = True


#: Articles finished between two freezes of what they leave alive (_settle).
_SETTLE_EVERY = 100
_settling = False  # set by _tune_collector: in a process of its own (main), not in a caller's


def _settle(finished: int, total: int) -> None:
    """Freeze what the articles finished so far left alive out of the cycle collector's passes.

    What outlives an article is the day's own (its summary, its sentences, its grouping
    counts): alive until the briefing is written. Left in the collector's generations, 10,000
    articles' worth was walked pass after pass: 1.4 s of the run, the older passes 0.5 s at
    once while every reply waited. Every 100 finished articles, the young generations are
    collected (a re-ask or a failure leaves its exception's frames in a cycle: frozen
    uncollected, a day of 10,000 failing articles peaked at 514 MB rather than 377) and what
    survives is frozen, walked no more. Freezing joins two lists; a frozen object is still
    freed when its last reference goes. 10,000 articles: 0.75 s in the collector, in pauses
    of at most 80 ms.
    """
    if _settling and (finished % _SETTLE_EVERY == 0 or finished == total):
        gc.collect(1)
        gc.freeze()


#: glibc's mallopt parameter for the size from which an allocation gets pages of its own.
_M_MMAP_THRESHOLD = -3


def _tune_allocator() -> None:
    """Give every allocation of 4 MB or more pages of its own, returned when it is freed.

    glibc raises that threshold by itself each time such a block is freed, up to 32 MB, after
    which the day's large arrays (the distances of grouping, the prompt of 10,000 summaries,
    the 44 MB JSON) came from its heaps, were freed there, and stayed in the process: the
    10,000-article run peaked at 562 MB, 445 MB with the threshold held. Held at 1 MB, every
    product of grouping's distance stripes (a few MB each, hundreds of them) was new pages to
    fault in: 0.3 s of grouping 10,000 articles; at 4 MB, 0.05 s, for 4 MB more at the peak.
    Elsewhere than glibc, nothing is changed.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 4 << 20)
    except (OSError, AttributeError):  # no glibc: musl, macOS, Windows
        pass


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    # Everything this process creates (outputs, cache entries, the run log) is the user's alone.
    os.umask(0o077)
    # Our warnings (a damaged cache entry, a cache that cannot open) reach the user as one line each;
    # other libraries' log records stay out of the user's terminal.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Lines())
    handler.addFilter(RepeatCap())
    ours = logging.getLogger("summarizer")
    ours.addHandler(handler)
    ours.setLevel(logging.WARNING)
    ours.propagate = False
    _tune_collector()
    _tune_allocator()
    try:
        app()  # typer turns Ctrl-C (and our SIGTERM) into a silent exit 130
    except SystemExit as done:
        if done.code == 130:
            err.print("interrupted; outputs already written are kept, nothing was half-written")
        raise
    except KeyboardInterrupt:  # an interrupt outside typer's reach (before or after the command)
        err.print("interrupted; outputs already written are kept, nothing was half-written")
        sys.exit(130)
