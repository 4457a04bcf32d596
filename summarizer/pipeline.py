"""The pipeline, end to end: load -> extract -> ground -> merge -> synthesize.

Rendering is left to the caller (summarizer.render). Articles are extracted
concurrently; the backend bounds the requests in flight (summarizer.ratelimit)
by `concurrency` and by what the provider serves at once. One article's
failure is recorded and the others go on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import __version__, daycache
from .articles import Article, load_articles
from .backends import build_backend
from .batch import BatchRun, Deferred
from .calls import Backend, CallStats, EndpointRefused, ModelCallError
from .errors import UsageError
from .extract import planned_calls, summarize
from .fillcache import RememberedFills
from .offload import ahead, fetched, off_loop
from .prose import Source, article_sources
from .ratelimit import Throttled
from .schemas import ArticleSummary, Briefing, Failure, FrontPage, FrontPageStory, RunMetadata, settle
from .settings import ModelSettings, SettingsError
from .stories import STORY_THRESHOLD, Story, TermCounts, article_terms, group_stories, preload
from .structured import Filler, StructuredClient
from .synthesize import assemble, day_parts, narrate
from .templates import Template, load_template

if TYPE_CHECKING:  # --since only: 10 ms of import on the way to the first request otherwise
    from .changes import EarlierRun

ProgressCallback = Callable[[str, str], None]  # (event, article id): "start" | "done" | "failed"
T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class Run:
    """What one run uses: a backend, a template, and the counters of the calls made."""

    settings: ModelSettings = field(default_factory=ModelSettings)
    template: Template = field(default_factory=load_template)
    backend: Backend | None = None
    owns_backend: bool = True  # False when the backend is shared (the HTTP service): closing the run leaves it open
    fills_cache: Any = None  # the cache of finished fills (summarizer.fillcache); set when the run builds its backend
    notify: Callable[[str], None] = log.info  # batch mode: one line per change of a batch's status

    def __post_init__(self) -> None:
        self._batch: BatchRun | None = None
        if self.backend is None:
            self.backend = build_backend(self.settings)
            self.fills_cache = fills_cache_for(self.settings)
            if self.settings.batch:
                self._batch = BatchRun.over(self.backend, self.settings, attach=self.settings.batch_id, report=self.notify)
        elif self.settings.batch:
            raise SettingsError("batch mode answers through its own backend; none can be handed in")
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
        if isinstance(self.client, RememberedFills):
            self.client.flush()
        if self._batch is not None:
            await self._batch.client.aclose()
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


    # --- what a run does: one verb per idea

    async def summarize(self, article: Article) -> ArticleSummary:
        """One article -> its grounded summary (stage 2, chunked if it outgrows the context)."""
        if self.settings.batch:
            return await self._in_batches(lambda: self._summarize(article))
        return await self._summarize(article)

    async def brief(
        self,
        articles: Sequence[Article],
        day: dt.date | None = None,
        progress: ProgressCallback | None = None,
        load_failures: Sequence[Failure] = (),
        duplicates: dict[str, str] | None = None,
        since: EarlierRun | None = None,
    ) -> Briefing:
        """Articles -> the day's briefing: each summarised, merged, narrated once; with `since`, what
        changed since the earlier run's briefing of the story (summarizer.changes)."""
        if self.settings.batch:
            briefing = await self._in_batches(lambda: self._brief(articles, day, None, load_failures, duplicates))
            self._batch.account(briefing.metadata)
        else:
            briefing = await self._remembered(
                "briefing", articles, day, load_failures, duplicates,
                lambda: self._brief(articles, day, progress, load_failures, duplicates),
                daycache.briefing_value, daycache.briefing_from, lambda briefing: briefing.metadata.failures,
            )
        if since is not None:
            from .changes import track

            tracked, _ = await off_loop(track, [("", briefing)], since)
            briefing.changes = tracked[""]
        return briefing

    def planned_calls(self, articles: Sequence[Article]) -> int:
        """Model calls a briefing of `articles` takes at first ask: each article's, then the briefing's
        (re-asks not counted; the cache answers some of them)."""
        return 1 + sum(
            planned_calls(a, self.template, self.constrain_quotes, self.settings.context_window(),
                          self.settings.token_counter())
            for a in articles
        )

    async def _summarize(self, article: Article) -> ArticleSummary:
        return await summarize(
            article, self.client, self.template, self.constrain_quotes,
            context_tokens=self.settings.context_window(), count_tokens=self.settings.token_counter(),
            max_calls=self.settings.max_calls_per_article,
        )

    async def _summarize_each(
        self, articles: Sequence[Article], progress: ProgressCallback | None = None, reading: Reading | None = None
    ) -> tuple[list[ArticleSummary], list[Failure]]:
        assert self.backend is not None
        # The backend bounds the requests in flight (summarizer.ratelimit). This
        # bound keeps the articles in progress at twice that, so the next prompts
        # are ready when a slot frees, without rendering thousands ahead.
        limit = asyncio.Semaphore(max(1, 2 * self.backend.max_concurrency))

        async def one(article: Article) -> ArticleSummary | Failure:
            async with limit:
                if progress:
                    progress("start", article.id)
                try:
                    summary = await self._summarize(article)
                except EndpointRefused:
                    raise  # the same for every article: stop the run (below)
                except ModelCallError as error:
                    if progress:
                        progress("failed", article.id)
                    if reading is not None:
                        reading.read(article, None)
                    return Failure(article_id=article.id, stage="article", reason=str(error))
                if progress:
                    progress("done", article.id)
                if reading is not None:
                    reading.read(article, summary)
                return summary

        tasks: list[asyncio.Future] = []
        try:
            for article in articles:
                tasks.append(asyncio.ensure_future(one(article)))
                if len(tasks) <= self.backend.max_concurrency:
                    # One turn of the loop between the first requests: started all at once, every
                    # article's prompt was rendered before the first request could go out (100
                    # articles: 45 ms from the run's start to its first request, now a few).
                    await asyncio.sleep(0)
            results = await asyncio.gather(*tasks)
        except EndpointRefused:
            # A bad key or an unknown model: the articles not yet sent stay unsent (the finished
            # ones are in the cache for the rerun), rather than one refused request each.
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        except BaseException:  # cancelled, perhaps while the first requests went out: no article goes on alone
            for task in tasks:
                task.cancel()
            raise
        summaries = [r for r in results if isinstance(r, ArticleSummary)]
        failures = [r for r in results if isinstance(r, Failure)]
        return summaries, failures

    async def _brief(self, articles, day, progress, load_failures, duplicates) -> Briefing:
        started = time.monotonic()
        # Start-up this run pays (a shared backend, as in the service, pays it once, for the first run).
        startup_before = self.startup_seconds()
        day = day or _newest(articles)
        reading = Reading(grouped=False)
        summaries, failures = await self._summarize_each(articles, progress, reading)
        articles_done = time.monotonic()
        return await self._briefing_of(
            articles, summaries, [*load_failures, *failures], day, duplicates, started, startup_before, articles_done,
            reading.sources,
        )

    async def _briefing_of(
        self, articles, summaries, failures, day, duplicates, started, startup_before, articles_done, read=None
    ) -> Briefing:
        """Stage 4 and 5 for articles already summarised: narrate once, merge, assemble."""
        by_id = {a.id: a for a in articles}
        failures = list(failures)
        dropped = sum(s.dropped for s in summaries)
        reasks = sum(max(0, s.attempts - 1) for s in summaries)  # 0 attempts: read by rules, no call
        reply = None
        used = {s.article_id: by_id[s.article_id] for s in summaries}
        # What the briefing takes from the articles alone (every sentence indexed for the prose
        # check, actors, measures and the timeline merged): in the worker thread, while the
        # briefing call is out.
        parts = ahead(day_parts, summaries, used, read)
        if summaries:
            try:
                reply, briefing_dropped, calls = await narrate(
                    summaries, {s.article_id: by_id[s.article_id] for s in summaries},
                    self.client, self.template, day, self.constrain_quotes,
                )
                dropped += briefing_dropped
                reasks += calls - 1
            except EndpointRefused:
                raise
            except ModelCallError as error:
                # The merged facts stand without the narrative; say why it is missing.
                failures.append(Failure(stage="briefing", reason=str(error)))
        startup = self.startup_seconds() - startup_before
        metadata = self.metadata(started, failures, dropped, duplicates or {}, reasks)
        # Merging hundreds of articles takes seconds of CPU: not on the event loop the service answers from.
        briefing = await off_loop(assemble, summaries, used, day, reply, metadata, await fetched(parts))
        # Timed once the briefing is assembled: merging and the prose check are part of the run
        # (they were left out of elapsed_seconds and of "briefing" before, 1-2 s at 2,000 articles).
        finished = time.monotonic()
        briefing.metadata.elapsed_seconds = round(finished - started, 3)
        timings = {
            "model_startup": startup,
            # Start-up happens inside the first call; it is counted once, on its own.
            "articles": max(0.0, articles_done - started - startup),
            "briefing": finished - articles_done,
        }
        briefing.metadata.timings = {k: round(v, 3) for k, v in timings.items()}
        return briefing

    async def brief_stories(
        self,
        articles: Sequence[Article],
        day: dt.date | None = None,
        progress: ProgressCallback | None = None,
        load_failures: Sequence[Failure] = (),
        duplicates: dict[str, str] | None = None,
        threshold: float = STORY_THRESHOLD,
        since: EarlierRun | None = None,
    ) -> tuple[FrontPage, list[tuple[Story, Briefing]]]:
        """A day of many stories: every article summarised once, grouped into stories
        (summarizer.stories), and each story briefed on its own, the largest first. With
        `since`, each story says what changed since the earlier run (summarizer.changes)."""
        if self.settings.batch:
            # Every article's call in one batch, then every story's briefing call in the next.
            page, briefed = await self._in_batches(
                lambda: self._brief_stories(articles, day, None, load_failures, duplicates, threshold))
            for metadata in (page.metadata, *(b.metadata for _, b in briefed)):
                self._batch.account(metadata)
        else:
            page, briefed = await self._remembered(
                "front page", articles, day, load_failures, duplicates,
                lambda: self._brief_stories(articles, day, progress, load_failures, duplicates, threshold),
                lambda found: daycache.stories_value(*found), daycache.stories_from,
                lambda found: found[0].metadata.failures, threshold=threshold,
            )
        if since is not None:
            # After the day's result is stored: the same day compared with another earlier run reuses it.
            matching = time.monotonic()
            from .changes import track

            tracked, quiet = await off_loop(track, [(s.id, b) for s, b in briefed], since)
            page.metadata.timings["changes"] = round(time.monotonic() - matching, 3)
            for entry, (story, briefing) in zip(page.stories, briefed):
                briefing.changes = tracked[story.id]
                entry.status = briefing.changes.status
                entry.continues = briefing.changes.match
                entry.changes = [f"{c.kind.replace('_', ' ')}: {c.text}" for c in briefing.changes.changes]
            page.since = since.date
            page.new_stories = [s.id for s in page.stories if s.status == "new"]
            page.quiet_stories = quiet
        return page, briefed

    async def _remembered(self, kind: str, articles, day, load_failures, duplicates, make: Callable[[], Awaitable[T]],
                          stored: Callable[[T], Any], read: Callable[[bytes, float], T],
                          failures: Callable[[T], Sequence[Failure]], **more: Any) -> T:
        """The day's finished result from the day cache (summarizer.daycache), or `make()`'s, stored
        there unless a failure other than an unreadable file should make the next run try again."""
        started = time.monotonic()
        day_key = self._day_key(kind, articles, day, load_failures, duplicates, **more)
        found = daycache.get(
            self.fills_cache, day_key, lambda raw: read(raw, time.monotonic() - started)
        ) if day_key else None
        if found is not None:
            return found
        result = await make()
        if day_key and daycache.storable(failures(result)):
            daycache.put(self.fills_cache, day_key, stored(result))
        return result

    def _day_key(self, kind: str, articles, day, load_failures, duplicates, **more) -> str | None:
        """The key of this day's finished result (summarizer.daycache), when this run keeps a cache."""
        if self.fills_cache is None or not articles:
            return None
        assert self.backend is not None
        return daycache.key(
            kind, articles, load_failures, duplicates, day=(day or _newest(articles)).isoformat(),
            template=self.template.hash, endpoint=self.backend.identity, model=self.backend.model,
            settings={name: getattr(self.settings, name) for name in daycache.OUTPUT_SETTINGS}, **more,
        )

    async def _brief_stories(self, articles, day, progress, load_failures, duplicates, threshold):
        started = time.monotonic()
        if len(articles) > 1:
            # numpy and scipy (0.3 s to import; scikit-learn's 0.8 s before grouping stopped using
            # it) load while the articles are summarised: at the first answer, or 0.3 s after the
            # first article starts if that comes first. Not during start-up, which is CPU-bound
            # too: started at once, the import held the first request back 0.16 s. Started at the
            # first answer only, 100 articles at 500 ms a call waited for it before grouping.
            told = progress
            timed: list[asyncio.TimerHandle] = []

            def progress(event: str, article_id: str) -> None:
                if event == "start" and not timed:
                    timed.append(asyncio.get_running_loop().call_later(0.3, preload))
                elif event in ("done", "failed"):
                    preload()
                if told is not None:
                    told(event, article_id)
        startup_before = self.startup_seconds()
        day = day or _newest(articles)
        reading = Reading(grouped=len(articles) > 1)
        summaries, failures = await self._summarize_each(articles, progress, reading)
        articles_done = time.monotonic()
        by_id = {s.article_id: s for s in summaries}
        stories = await off_loop(group_stories, list(articles), by_id, threshold, reading.counts)
        reading.counts = None  # grouped: no longer needed
        grouped = time.monotonic()

        async def brief(story: Story) -> Briefing:
            members = set(story.article_ids)
            return await self._briefing_of(
                [a for a in articles if a.id in members], [s for s in summaries if s.article_id in members],
                [*load_failures, *(f for f in failures if f.article_id in members)],
                day, duplicates, started, startup_before, articles_done, reading.sources,
            )

        # Every story's briefing call at once (the backend bounds how many are in flight): a day of
        # 50 stories on a provider taking 2 s a call waited 100 s for them one after another.
        tasks = [asyncio.ensure_future(brief(story)) for story in stories]
        try:
            briefings = await asyncio.gather(*tasks)
        except BaseException:  # a refused key, or the run cancelled: the other stories' calls stop too
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        for briefing in briefings:
            # Calls, cache hits and tokens are the run's: shared calls cannot be told apart by story,
            # and a running total would depend on which story's reply came first.
            _run_totals(briefing.metadata, self.client.stats)
        briefed = list(zip(stories, briefings))
        page = FrontPage(
            date=day,
            stories=[
                FrontPageStory(
                    id=story.id, headline=briefing.headline, summary=" ".join(s.text for s in briefing.summary[:2]),
                    sources=len(story.article_ids), article_ids=story.article_ids, grouped_by=story.shared_terms,
                )
                for story, briefing in briefed
            ],
            metadata=self.metadata(started, [*load_failures, *failures], sum(b.metadata.dropped_ungrounded for _, b in briefed),
                                   duplicates or {}, sum(b.metadata.reasks for _, b in briefed)),
        )
        page.metadata.timings = {"articles": round(articles_done - started, 3), "grouping": round(grouped - articles_done, 3)}
        return page, briefed

    async def _in_batches(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """Run `attempt` in rounds, the calls it could not get answered sent as batches between them.

        See summarizer.batch. Article calls go first: the briefing request
        depends on their summaries. A call deferred to a batch fails its
        article (or the whole attempt) for that round only.
        """
        batch = self._batch
        for _ in range(batch.policy.max_rounds):
            try:
                result: T | None = await attempt()
            except Deferred:
                result = None
            pending = batch.collector.take()
            if not pending:
                if result is None:
                    raise ModelCallError("a batch round ended with no reply and nothing left to ask")
                return result
            articles_pending = {k: r for k, r in pending.items() if r.labels.get("stage") != "briefing"}
            await batch.settle(articles_pending or pending)
        raise ModelCallError(f"still waiting for replies after {batch.policy.max_rounds} batch rounds")


def _run_totals(metadata: RunMetadata, stats: CallStats) -> None:
    metadata.prompt_tokens, metadata.completion_tokens = stats.prompt_tokens, stats.completion_tokens
    metadata.model_calls, metadata.cache_hits = stats.model_calls, stats.cache_hits
    metadata.transport_retries = stats.transport_retries
    metadata.tokens_by_stage = {stage: dict(counts) for stage, counts in stats.by_stage.items()}


class Reading:
    """What later stages read from each article's own text, read as its summary arrives: on the
    event loop, while the other calls are out, rather than all at once after the last one.

    A day of 2,000 articles at 64 calls in flight leaves the loop idle two thirds of the time,
    and the day's tail (grouping, merging, the prose check) was seconds of CPU after the last
    reply. (Not in the worker thread: it would hold the GIL for 5 ms at a time while replies
    wait, measured 10% slower.) What is not read here is read where it is needed.
    """

    def __init__(self, grouped: bool) -> None:
        self.sources: dict[str, list[Source]] = {}  # the sentences the prose check cites (prose.article_sources)
        self.counts: TermCounts | None = TermCounts() if grouped else None  # the features grouping compares

    def read(self, article: Article, summary: ArticleSummary | None) -> None:
        """Read the article whose summary has arrived (None: it failed; it is in no briefing, but it is grouped)."""
        if summary is not None:
            settle(summary)  # held until the briefing is written, unchanged: half its memory shared
            self.sources[article.id] = article_sources(article.id, article)
        if self.counts is not None:
            self.counts.add(article.id, article_terms(article), summary)


def _newest(articles: Sequence[Article]) -> dt.date:
    return max((a.published for a in articles if a.published), default=None) or dt.date.today()


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


class NoArticles(UsageError):
    """No file in the given paths held a readable article."""


@dataclass
class Loaded:
    """Stage 1's outcome: the articles, the files that could not be read, the duplicates dropped."""

    articles: list[Article]
    failures: list[Failure]  # stage "load"; they go into the briefing's metadata
    duplicates: dict[str, str]  # dropped id -> kept id

    def require(self) -> Loaded:
        """Raise NoArticles when nothing could be read; one unreadable file is named with its reason."""
        if self.articles:
            return self
        if len(self.failures) == 1:
            raise NoArticles(self.failures[0].reason)
        raise NoArticles(
            f"no readable article in the given paths ({len(self.failures)} file(s) skipped)",
            details=[f.reason for f in self.failures], label="skipped",
        )


def load(paths: Sequence[str | Path], published: dt.date | None = None) -> Loaded:
    """Load articles; unreadable files become failures, not exceptions (a missing path still raises)."""
    result = load_articles(paths, default_published=published)
    failures = [Failure(article_id=None, stage="load", reason=str(e)) for e in result.errors]
    return Loaded(result.articles, failures, result.duplicates)


__all__ = ["Loaded", "NoArticles", "Run", "load"]
