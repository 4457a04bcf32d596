"""Stage 2: one article in, its grounded `ArticleSummary` out (one model call, plus re-asks)."""

from __future__ import annotations

import datetime as dt

from . import chunks
from .articles import Article
from .calls import ModelCallError
from .candidates import summarize_from_candidates
from .choices import article_choices, constrain_choices
from .dates import HISTORY_DAYS, resolve_date
from .grounding import ArticleGrounder
from .offload import off_loop
from .schemas import (
    Actor,
    ArticleReply,
    ArticleSummary,
    Deadline,
    Measure,
    OpenQuestion,
)
from .structured import Filler
from .templates import Template
from .tokens import TokenCounter, estimate_tokens

ARTICLE_MAX_TOKENS = 1800


class TooManyCalls(ModelCallError):
    """An article so long that extracting it would take more calls than the user allows."""


#: List bounds for a grammar-constrained (embedded) model: left free, a 135M
#: model closes the object after the summary, or repeats one item to the limit.
CONSTRAINED_MIN_ITEMS = {"actors": 4, "measures": 1, "deadlines": 1, "open_questions": 1}
CONSTRAINED_MAX_ITEMS = {"actors": 6, "measures": 3, "deadlines": 3, "open_questions": 2, "evidence": 1}


def reply_model_for(article: Article, constrain_quotes: bool, template: Template | None = None) -> type[ArticleReply]:
    """The reply model for one article: enums of its own sentences, names and dates for a
    constrained model, and the list bounds the template asks for (template.yaml)."""
    wanted_min = template.article_setting("min_items", {}) if template else {}
    wanted_max = template.article_setting("max_items", {}) if template else {}
    if not constrain_quotes:
        if not (wanted_min or wanted_max):
            return ArticleReply
        return constrain_choices(ArticleReply, {}, min_items=wanted_min, max_items=wanted_max)
    return constrain_choices(
        ArticleReply,
        article_choices(article.text),
        min_items={**CONSTRAINED_MIN_ITEMS, **wanted_min},
        max_items={**CONSTRAINED_MAX_ITEMS, **wanted_max},
    )


def planned_calls(
    article: Article, template: Template, constrain_quotes: bool, context_tokens: int | None,
    count_tokens: TokenCounter = estimate_tokens,
) -> int:
    """How many model calls extracting `article` takes at first ask (re-asks not counted): one per
    chunk, or none when the article is read by rules."""
    if template.extraction(small_model=constrain_quotes) == "candidates":
        return 0
    if not context_tokens:
        return 1
    max_tokens = template.article_setting("max_tokens", ARTICLE_MAX_TOKENS)
    return len(chunks.split(article.text, chunks.budget_tokens(context_tokens, max_tokens), count_tokens))


async def summarize(
    article: Article,
    client: Filler,
    template: Template,
    constrain_quotes: bool = False,
    max_tokens: int | None = None,
    context_tokens: int | None = None,
    count_tokens: TokenCounter = estimate_tokens,
    max_calls: int | None = None,
) -> ArticleSummary:
    """Extract one article; one that does not fit the context is extracted chunk by chunk.

    Chunks are extracted one after the other, not at once: the calls of other
    articles already fill the concurrency the backend allows. An article that
    would need more than `max_calls` model calls fails before any is sent (a
    50 MB file is 559 calls that nobody asked for).
    """
    max_tokens = max_tokens or template.article_setting("max_tokens", ARTICLE_MAX_TOKENS)
    if context_tokens:
        parts = chunks.split(article.text, chunks.budget_tokens(context_tokens, max_tokens), count_tokens)
    else:
        parts = [chunks.Chunk(0, 1, 0, len(article.text), article.text)]
    asks_model = template.extraction(small_model=constrain_quotes) != "candidates"
    if max_calls and asks_model and len(parts) > max_calls:
        raise TooManyCalls(
            f"{len(article.text):,} characters need {len(parts)} model calls, more than --max-calls-per-article "
            f"{max_calls}; nothing was sent (pass --max-calls-per-article {len(parts)} to send them)"
        )
    if len(parts) == 1:
        return await _summarize_text(article, client, template, constrain_quotes, max_tokens)
    summaries = []
    for chunk in parts:
        piece = article.model_copy(update={"text": chunk.text})
        summary = await _summarize_text(piece, client, template, constrain_quotes, max_tokens, chunk)
        summaries.append(chunks.shift(summary, chunk))
    return chunks.combine(summaries)


async def _summarize_text(
    article: Article,
    client: Filler,
    template: Template,
    constrain_quotes: bool,
    max_tokens: int,
    chunk: chunks.Chunk | None = None,
) -> ArticleSummary:
    labels = {
        "stage": "article",
        "article_id": article.id,
        "template": template.name,
        "template_hash": template.hash,
    }
    if chunk is not None:
        labels["chunk"] = f"{chunk.index + 1}/{chunk.total}"
    if template.extraction(small_model=constrain_quotes) == "candidates":
        # Reading by rules is CPU work (tens of ms an article): in a thread, the event loop
        # stays free for the service's other callers and the model calls in flight.
        return await off_loop(summarize_from_candidates, article)
    grounder = ArticleGrounder(article.id, article.text)
    filled = await client.fill(
        reply_model_for(article, constrain_quotes, template),
        template.messages("article", article=article, chunk=chunk),
        context={"grounder": grounder},
        labels=labels,
        max_tokens=max_tokens,
    )
    summary = to_summary(article, filled.value, dropped=grounder.report.dropped, attempts=filled.calls)
    summary.dropped_reasons[:0] = grounder.report.reasons
    return summary


def to_summary(article: Article, reply: ArticleReply, dropped: int = 0, attempts: int = 1) -> ArticleSummary:
    """Turn a grounded reply into the output model: quotes with spans, dates resolved."""
    deadlines, history = [], []
    for item in reply.deadlines:
        resolved = resolve_date(item.date_text, article.published)
        if _is_history(resolved.date, article.published):
            dropped += 1
            history.append(f"deadline: {item.date_text!r} is long past, background rather than a deadline")
            continue
        deadlines.append(
            Deadline(
                date=resolved.date,
                precision=resolved.precision,
                date_text=item.date_text,
                event=item.event,
                kind=item.kind,
                certainty=item.certainty,
                evidence=item._quotes,
            )
        )
    measures = []
    for item in reply.measures:
        effective = resolve_date(item.effective_date_text, article.published) if item.effective_date_text else None
        measures.append(
            Measure(
                name=item.name,
                kind=item.kind,
                imposed_by=item.imposed_by,
                imposed_on=item.imposed_on,
                status=item.status,
                effective_date=effective.date if effective and effective.precision == "day" else None,
                effective_date_text=item.effective_date_text,
                evidence=item._quotes,
            )
        )
    return ArticleSummary(
        article_id=article.id,
        title=article.title,
        source=article.source,
        published=None if article.published_assumed else article.published,
        summary=reply.summary,
        actors=[
            Actor(name=a.name, role=a.role, affiliation=a.affiliation, evidence=a._quotes) for a in reply.actors
        ],
        measures=measures,
        deadlines=deadlines,
        open_questions=[OpenQuestion(question=q.question, evidence=q._quotes) for q in reply.open_questions],
        dropped=dropped,
        dropped_reasons=history,
        attempts=attempts,
    )


def _is_history(day: dt.date | None, published: dt.date | None) -> bool:
    return day is not None and published is not None and (published - day).days > HISTORY_DAYS
