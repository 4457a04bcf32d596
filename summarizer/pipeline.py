"""The pipeline, end to end: load -> extract -> ground -> merge -> synthesize.

Rendering is left to the caller (summarizer.render). Articles are extracted
concurrently; the backend bounds the requests in flight (summarizer.ratelimit)
by `concurrency` and by what the provider serves at once. One article's
failure is recorded and the others go on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .articles import Article, load_articles
from .backends import build_backend
from .calls import Backend, ModelCallError
from .extract import summarize
from .fillcache import RememberedFills
from .ratelimit import Throttled
from .schemas import ArticleSummary, Briefing, Failure, RunMetadata
from .settings import ModelSettings
from .structured import Filler, StructuredClient
from .synthesize import assemble, narrate
from .templates import Template, load_template

ProgressCallback = Callable[[str, str], None]  # (event, article id): "start" | "done" | "failed"


@dataclass
class Run:
    """What one run uses: a backend, a template, and the counters of the calls made."""

    settings: ModelSettings = field(default_factory=ModelSettings)
    template: Template = field(default_factory=load_template)
    backend: Backend | None = None
    owns_backend: bool = True  # False when the backend is shared (the HTTP service): closing the run leaves it open
    fills_cache: Any = None  # the cache of finished fills (summarizer.fillcache); set when the run builds its backend

    def __post_init__(self) -> None:
        if self.backend is None:
            self.backend = build_backend(self.settings)
            self.fills_cache = fills_cache_for(self.settings)
        elif self.owns_backend and not isinstance(self.backend, Throttled):
            # A backend handed in (a fake, a custom stack) obeys --concurrency too.
            self.backend = Throttled(self.backend, self.settings.concurrency)
        client = StructuredClient(self.backend, mode=self.settings.instructor_mode(), max_retries=self.settings.max_retries)
        self.client: Filler = client if self.fills_cache is None else RememberedFills(client, self.fills_cache)

    def for_template(self, template: Template) -> Run:
        """Another run over this one's backend and fill cache, with its own template and counters.

        The HTTP service keeps one run (one embedded server) and answers each request with one of these.
        """
        return Run(settings=self.settings, template=template, backend=self.backend, owns_backend=False,
                   fills_cache=self.fills_cache)

    @property
    def constrain_quotes(self) -> bool:
        return self.settings.quotes_constrained()

    async def aclose(self) -> None:
        assert self.backend is not None
        if self.owns_backend:
            await self.backend.aclose()

    # `async with Run(...) as run:` stops the embedded server however the run ends.
    async def __aenter__(self) -> Run:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def startup_seconds(self) -> float:
        """Time the provider spent getting ready (client import, embedded server start)."""
        backend = self.backend
        while hasattr(backend, "inner"):  # the layers around the provider
            backend = backend.inner
        return self.client.startup_seconds + float(getattr(backend, "startup_seconds", 0.0))

    def metadata(
        self, started: float, failures: list[Failure], dropped: int, duplicates: dict[str, str], reasks: int
    ) -> RunMetadata:
        stats = self.client.stats
        assert self.backend is not None
        return RunMetadata(
            provider=self.backend.identity,
            model=self.backend.model,
            template=self.template.name,
            template_hash=self.template.hash,
            prompt_tokens=stats.prompt_tokens,
            completion_tokens=stats.completion_tokens,
            model_calls=stats.model_calls,
            cache_hits=stats.cache_hits,
            reasks=reasks,
            transport_retries=stats.transport_retries,
            tokens_by_stage=stats.by_stage,
            dropped_ungrounded=dropped,
            duplicates=duplicates,
            failures=failures,
            elapsed_seconds=round(time.monotonic() - started, 3),
            summarizer_version=__version__,
        )


def fills_cache_for(settings: ModelSettings):
    """The cache of finished fills, when the run uses a cache and is not recording or replaying.

    A recording must see every call, and a replay answers from fixtures only.
    """
    if not settings.use_cache or settings.fixture_mode != "off":
        return None
    from .cache import CacheUnusable, open_cache

    try:
        return open_cache(settings.cache_dir)
    except CacheUnusable:
        return None  # build_backend has said so already


async def summarize_articles(
    run: Run, articles: Sequence[Article], progress: ProgressCallback | None = None
) -> tuple[list[ArticleSummary], list[Failure]]:
    assert run.backend is not None
    # The backend bounds the requests in flight (summarizer.ratelimit). This
    # bound keeps the articles in progress at twice that, so the next prompts
    # are ready when a slot frees, without rendering thousands ahead.
    limit = asyncio.Semaphore(max(1, 2 * run.backend.max_concurrency))

    async def one(article: Article) -> ArticleSummary | Failure:
        async with limit:
            if progress:
                progress("start", article.id)
            try:
                summary = await summarize(
                    article, run.client, run.template, run.constrain_quotes,
                    context_tokens=run.settings.context_window(), count_tokens=run.settings.token_counter(),
                )
            except ModelCallError as error:
                if progress:
                    progress("failed", article.id)
                return Failure(article_id=article.id, stage="article", reason=str(error))
            if progress:
                progress("done", article.id)
            return summary

    results = await asyncio.gather(*(one(a) for a in articles))
    summaries = [r for r in results if isinstance(r, ArticleSummary)]
    failures = [r for r in results if isinstance(r, Failure)]
    return summaries, failures


async def brief_articles(
    run: Run,
    articles: Sequence[Article],
    day: dt.date | None = None,
    progress: ProgressCallback | None = None,
    load_failures: Sequence[Failure] = (),
    duplicates: dict[str, str] | None = None,
) -> Briefing:
    started = time.monotonic()
    # Start-up this run pays (a shared backend, as in the service, pays it once, for the first run).
    startup_before = run.startup_seconds()
    by_id = {a.id: a for a in articles}
    day = day or max((a.published for a in articles if a.published), default=None) or dt.date.today()
    summaries, failures = await summarize_articles(run, articles, progress)
    articles_done = time.monotonic()
    failures = [*load_failures, *failures]
    dropped = sum(s.dropped for s in summaries)
    reasks = sum(max(0, s.attempts - 1) for s in summaries)  # 0 attempts: read by rules, no call
    reply = None
    if summaries:
        try:
            reply, briefing_dropped, calls = await narrate(
                summaries, {s.article_id: by_id[s.article_id] for s in summaries},
                run.client, run.template, day, run.constrain_quotes,
            )
            dropped += briefing_dropped
            reasks += calls - 1
        except ModelCallError as error:
            # The merged facts stand without the narrative; say why it is missing.
            failures.append(Failure(stage="briefing", reason=str(error)))
    used = {s.article_id: by_id[s.article_id] for s in summaries}
    startup = run.startup_seconds() - startup_before
    timings = {
        "model_startup": startup,
        # Start-up happens inside the first call; it is counted once, on its own.
        "articles": max(0.0, articles_done - started - startup),
        "briefing": time.monotonic() - articles_done,
    }
    briefing = assemble(summaries, used, day, reply, run.metadata(started, failures, dropped, duplicates or {}, reasks))
    briefing.metadata.timings = {k: round(v, 3) for k, v in timings.items()}
    return briefing


def load(paths: Sequence[str | Path], published: dt.date | None = None) -> tuple[list[Article], list[Failure], dict[str, str]]:
    """Load articles; unreadable files become failures, not exceptions (a missing path still raises)."""
    result = load_articles(paths, default_published=published)
    failures = [Failure(article_id=None, stage="load", reason=str(e)) for e in result.errors]
    return result.articles, failures, result.duplicates


__all__ = ["Run", "brief_articles", "load", "summarize_articles"]
