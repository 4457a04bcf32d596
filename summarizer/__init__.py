"""summarizer: grounded daily briefings from a folder of news articles.

Python API (the CLI and the HTTP service are thin layers over it):

    from summarizer import build_briefing, summarize_article
    briefing = build_briefing(["seeds/"])            # -> summarizer.schemas.Briefing
    summary = summarize_article("seeds/000_x.txt")   # -> summarizer.schemas.ArticleSummary

Both take `settings=ModelSettings(...)` (model, base URL, cache, fixtures,
batch) and `template=` (a name or a folder); `abuild_briefing` and
`asummarize_article` are the async variants. Every error meant for a user is
a `SummarizerError` with a one-line message.
"""

from __future__ import annotations

__version__ = "0.1.0"

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .articles import Article
from .calls import Backend
from .errors import SummarizerError
from .offload import run_sync
from .schemas import ArticleSummary, Briefing, FrontPage

ProgressCallback = Callable[[str, str], None]  # (event, article id): "start" | "done" | "failed"
#: An earlier run to compare with: the JSON file `brief` wrote (front page or briefing), the
#: {story id: briefing} `build_front_page` returned, or a list of briefings.
Since = str | Path | Mapping[str, Briefing] | Sequence[Briefing] | None
from .settings import ModelSettings


def _earlier(since: Since):
    from .changes import earlier_run, read_earlier

    if since is None:
        return None
    if isinstance(since, (str, Path)):
        return read_earlier(since)
    return earlier_run(since)


def _run(settings: ModelSettings | None, template: str | Path | None, backend: Backend | None, concurrency: int | None):
    import dataclasses

    from .pipeline import Run
    from .templates import load_template

    settings = settings or ModelSettings.from_env()
    if concurrency is not None:  # the keyword is a shorthand for the setting
        settings = dataclasses.replace(settings, concurrency=concurrency)
    return Run(settings=settings, template=load_template(template), backend=backend)


async def abuild_briefing(
    paths: Sequence[str | Path] | Sequence[Article],
    *,
    date: dt.date | None = None,
    published: dt.date | None = None,
    settings: ModelSettings | None = None,
    template: str | Path | None = None,
    backend: Backend | None = None,
    concurrency: int | None = None,
    progress: ProgressCallback | None = None,
    since: Since = None,
) -> Briefing:
    """`build_briefing`, awaitable. With `settings.batch`, the model calls go through the OpenAI
    Batch API (summarizer.batch), and this returns once every batch has answered."""
    from .pipeline import Loaded, load

    if paths and all(isinstance(p, Article) for p in paths):
        loaded = Loaded(list(paths), [], {})  # type: ignore[arg-type]
    else:
        loaded = load(paths, published or date)  # type: ignore[arg-type]
    earlier = _earlier(since)
    async with _run(settings, template, backend, concurrency) as run:
        return await run.brief(loaded.articles, date, progress, loaded.failures, loaded.duplicates, earlier)


def build_briefing(
    paths: Sequence[str | Path] | Sequence[Article],
    *,
    date: dt.date | None = None,
    published: dt.date | None = None,
    settings: ModelSettings | None = None,
    template: str | Path | None = None,
    backend: Backend | None = None,
    concurrency: int | None = None,
    progress: ProgressCallback | None = None,
    since: Since = None,
) -> Briefing:
    """The day's briefing of the articles in `paths`: files, folders, or Article objects.

    date: the briefing's date (default: the newest article's); also the
        publication date of articles that carry none, unless `published` is given.
    settings: which model answers and how (default: `ModelSettings.from_env()`,
        the embedded model when nothing is configured).
    template: a template name (see `summarizer templates`) or folder.
    backend: a backend of your own (a fake in tests, see summarizer.fakes).
    concurrency: shorthand for `settings.concurrency`.
    progress: called as `progress(event, article_id)`, event "start", "done" or "failed".
    since: an earlier run (its JSON file, or briefings); sets `briefing.changes`,
        what changed since the earlier briefing of this story.

    Raises a `SummarizerError` (one line, for the user) when nothing can be
    briefed; an article that fails is listed in `briefing.metadata.failures`.
    """
    return run_sync(abuild_briefing(
        paths, date=date, published=published, settings=settings, template=template, backend=backend,
        concurrency=concurrency, progress=progress, since=since,
    ))


async def abuild_front_page(
    paths: Sequence[str | Path] | Sequence[Article],
    *,
    date: dt.date | None = None,
    published: dt.date | None = None,
    settings: ModelSettings | None = None,
    template: str | Path | None = None,
    backend: Backend | None = None,
    story_threshold: float | None = None,
    since: Since = None,
) -> tuple[FrontPage, dict[str, Briefing]]:
    """`build_front_page`, awaitable."""
    from .pipeline import Loaded, load
    from .stories import STORY_THRESHOLD

    if paths and all(isinstance(p, Article) for p in paths):
        loaded = Loaded(list(paths), [], {})  # type: ignore[arg-type]
    else:
        loaded = load(paths, published or date)  # type: ignore[arg-type]
    earlier = _earlier(since)
    async with _run(settings, template, backend, None) as run:
        page, briefed = await run.brief_stories(
            loaded.articles, date, None, loaded.failures, loaded.duplicates,
            STORY_THRESHOLD if story_threshold is None else story_threshold, earlier,
        )
    return page, {story.id: briefing for story, briefing in briefed}


def build_front_page(
    paths: Sequence[str | Path] | Sequence[Article],
    *,
    date: dt.date | None = None,
    published: dt.date | None = None,
    settings: ModelSettings | None = None,
    template: str | Path | None = None,
    backend: Backend | None = None,
    story_threshold: float | None = None,
    since: Since = None,
) -> tuple[FrontPage, dict[str, Briefing]]:
    """A day of many stories: the front page (stories ranked by how many sources cover them) and
    each story's own briefing, by story id. A folder of one story gives one entry.

    story_threshold: how far apart two articles may be and still be one story
        (summarizer.stories.STORY_THRESHOLD by default; lower splits more).
    since: an earlier run: the JSON `brief` wrote (front page or briefing), or the
        {id: briefing} this function returned for it. Each story then says what
        changed (`briefing.changes`), and the front page which stories are new.
    Other arguments as for `build_briefing`.
    """
    return run_sync(abuild_front_page(
        paths, date=date, published=published, settings=settings, template=template, backend=backend,
        story_threshold=story_threshold, since=since,
    ))


async def asummarize_article(
    article: str | Path | Article,
    *,
    published: dt.date | None = None,
    settings: ModelSettings | None = None,
    template: str | Path | None = None,
    backend: Backend | None = None,
) -> ArticleSummary:
    """One article (a file, or an Article) -> its grounded summary."""
    from .articles import ArticleLoadError, load_articles

    if not isinstance(article, Article):
        result = load_articles([article], default_published=published)
        if result.errors:
            raise result.errors[0]
        if not result.articles:
            raise ArticleLoadError(str(article), "no article in file")
        article = result.articles[0]
    async with _run(settings, template, backend, None) as run:
        return await run.summarize(article)


def summarize_article(
    article: str | Path | Article,
    *,
    published: dt.date | None = None,
    settings: ModelSettings | None = None,
    template: str | Path | None = None,
    backend: Backend | None = None,
) -> ArticleSummary:
    """One article (a file, or an Article) -> its grounded summary: actors, measures, deadlines, each
    with the quote it came from.

    published: the publication date when the file carries none (relative dates such
        as "Friday" resolve against it).
    settings, template, backend: as for `build_briefing`.
    """
    return run_sync(asummarize_article(
        article, published=published, settings=settings, template=template, backend=backend,
    ))


__all__ = [
    "Article",
    "ArticleSummary",
    "Briefing",
    "FrontPage",
    "ModelSettings",
    "SummarizerError",
    "__version__",
    "abuild_briefing",
    "abuild_front_page",
    "asummarize_article",
    "build_briefing",
    "build_front_page",
    "summarize_article",
]
