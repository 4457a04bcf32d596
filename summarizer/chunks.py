"""Articles longer than the model's context: split into overlapping chunks, and back.

`split` sizes chunks in tokens (summarizer.tokens) and cuts the text at
paragraph breaks where it can, at sentence ends otherwise, and only as a last
resort mid-sentence; each chunk starts a little before the previous one
ended, so a fact stated across a cut is whole in at least one chunk. A chunk is a span of the article, so a quote found in a chunk
is located in the whole text by adding the chunk's start.

`combine` folds the per-chunk summaries of one article back into a single
`ArticleSummary`, removing what the overlap (or a repeated fact) made appear
twice. Extraction itself lives in summarizer.extract.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .align import fold_text
from .merge import same_entity
from .schemas import ArticleSummary, Quote
from .tokens import TokenCounter, estimate_tokens

#: Tokens of the prompt that are not article text (instructions, title, tags).
PROMPT_OVERHEAD_TOKENS = 600
#: Share of a chunk's tokens repeated at the start of the next one.
OVERLAP_SHARE = 0.1

_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]?\s+|\n")


@dataclass(frozen=True)
class Chunk:
    index: int
    total: int
    start: int  # offset of the chunk's first character in the article text
    end: int
    text: str


def budget_tokens(context_tokens: int, reply_tokens: int) -> int:
    """How many tokens of article fit in one request, leaving room for the reply and the instructions."""
    return max(500, context_tokens - reply_tokens - PROMPT_OVERHEAD_TOKENS)


def split(text: str, max_tokens: int, count: TokenCounter = estimate_tokens) -> list[Chunk]:
    """Chunks of at most `max_tokens` (as `count` counts), overlapping by about a tenth."""
    # Each token of the estimate covers a character at least: a text no longer than the budget fits
    # without being counted (counting was 3% of our time per article, for news that always fits).
    if len(text) <= max_tokens or estimate_tokens(text) <= max_tokens or count(text) <= max_tokens:
        return [Chunk(0, 1, 0, len(text), text)]
    points, paragraph_ends = _cut_points(text, max_tokens, count)
    # Tokens from the start of the text to each cut point, summed segment by segment.
    before = [0]
    for a, b in zip(points, points[1:]):
        before.append(before[-1] + count(text[a:b]))
    overlap = int(max_tokens * OVERLAP_SHARE)
    spans: list[tuple[int, int]] = []
    first = 0
    while True:
        last = max(first + 1, bisect.bisect_right(before, before[first] + max_tokens) - 1)
        if last < len(points) - 1:
            # Prefer to end at a paragraph, unless that leaves the chunk less than half full.
            half = bisect.bisect_left(before, before[first] + max_tokens // 2)
            roomy = [j for j in range(last, max(half, first + 1) - 1, -1) if points[j] in paragraph_ends]
            last = roomy[0] if roomy else last
        spans.append((points[first], points[last]))
        if last == len(points) - 1:
            break
        # Start the next chunk a little before this one ends, at a cut point.
        back = bisect.bisect_left(before, before[last] - overlap, first + 1, last)
        first = min(last, back)
    return [Chunk(i, len(spans), a, b, text[a:b]) for i, (a, b) in enumerate(spans)]


def _cut_points(text: str, max_tokens: int, count: TokenCounter) -> tuple[list[int], set[int]]:
    """Offsets where a chunk may end: sentence ends and paragraph breaks, and inside a
    sentence too long to fit, spaces every quarter budget or so."""
    paragraph_ends = {m.end() for m in _PARAGRAPH.finditer(text)}
    points = sorted({0, len(text), *paragraph_ends, *(m.end() for m in _SENTENCE_END.finditer(text))})
    finer = []
    for a, b in zip(points, points[1:]):
        tokens = count(text[a:b])
        if tokens > max_tokens // 2:
            step = max(1, (b - a) * (max_tokens // 4) // tokens)
            at = a + step
            while at < b:
                space = text.rfind(" ", a + 1, at)
                cut = space + 1 if space > a else at
                finer.append(cut)
                at = max(cut, at) + step
    return sorted(set(points) | set(finer)), paragraph_ends


def shift(summary: ArticleSummary, chunk: Chunk) -> ArticleSummary:
    """Move every quote's span from chunk offsets to article offsets."""

    def moved(quotes: list[Quote]) -> list[Quote]:
        return [q.model_copy(update={"start": q.start + chunk.start, "end": q.end + chunk.start}) for q in quotes]

    for item in [*summary.actors, *summary.measures, *summary.deadlines, *summary.open_questions]:
        item.evidence = moved(item.evidence)
    return summary


def combine(parts: list[ArticleSummary]) -> ArticleSummary:
    """One summary from an article's chunk summaries (already shifted), without duplicates."""
    first = parts[0]
    combined = first.model_copy(deep=True)
    combined.actors, combined.measures, combined.deadlines, combined.open_questions = [], [], [], []
    for part in parts:
        for actor in part.actors:
            twin = next((a for a in combined.actors if same_entity(a.name, actor.name)), None)
            if twin is None:
                combined.actors.append(actor)
            else:
                twin.role = twin.role or actor.role
                twin.affiliation = twin.affiliation or actor.affiliation
                twin.evidence = _union(twin.evidence, actor.evidence)
        for measure in part.measures:
            if not any(fold_text(m.name) == fold_text(measure.name) for m in combined.measures):
                combined.measures.append(measure)
        for deadline in part.deadlines:
            if not any(
                d.date == deadline.date and _same_span(d.evidence, deadline.evidence) for d in combined.deadlines
            ):
                combined.deadlines.append(deadline)
        for question in part.open_questions:
            if not any(fold_text(q.question) == fold_text(question.question) for q in combined.open_questions):
                combined.open_questions.append(question)
    # A news article leads with its news: the first chunk's summary speaks for
    # the article, and the later chunks' facts are in the lists above.
    combined.summary = first.summary
    combined.dropped = sum(p.dropped for p in parts)
    combined.dropped_reasons = [r for p in parts for r in p.dropped_reasons]
    combined.attempts = sum(p.attempts for p in parts)
    combined.chunks = len(parts)
    return combined


def _union(a: list[Quote], b: list[Quote], limit: int = 3) -> list[Quote]:
    spans = {(q.start, q.end) for q in a}
    return (a + [q for q in b if (q.start, q.end) not in spans])[:limit]


def _same_span(a: list[Quote], b: list[Quote]) -> bool:
    return any(x.start < y.end and y.start < x.end for x in a for y in b)
