"""Articles longer than the model's context: split into overlapping chunks, and back.

`split` cuts the text at paragraph breaks where it can, at sentence ends
otherwise, and only as a last resort mid-sentence; each chunk starts a little
before the previous one ended, so a fact stated across a cut is whole in at
least one chunk. A chunk is a span of the article, so a quote found in a chunk
is located in the whole text by adding the chunk's start.

`combine` folds the per-chunk summaries of one article back into a single
`ArticleSummary`, removing what the overlap (or a repeated fact) made appear
twice. Extraction itself lives in summarizer.extract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .grounding import fold_text
from .merge import same_entity
from .schemas import ArticleSummary, Quote

#: Characters per token assumed when sizing chunks. English news runs at about
#: four per token with current BPE vocabularies; three leaves room for names,
#: numbers and non-English text, which tokenise worse.
CHARS_PER_TOKEN = 3.0
#: Tokens of the prompt that are not article text (instructions, title, tags).
PROMPT_OVERHEAD_TOKENS = 600
#: Share of a chunk repeated at the start of the next one.
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


def budget_chars(context_tokens: int, reply_tokens: int) -> int:
    """How many characters of article fit in one request, leaving room for the reply."""
    room = context_tokens - reply_tokens - PROMPT_OVERHEAD_TOKENS
    return max(2000, int(room * CHARS_PER_TOKEN))


def split(text: str, max_chars: int, overlap_chars: int | None = None) -> list[Chunk]:
    if len(text) <= max_chars:
        return [Chunk(0, 1, 0, len(text), text)]
    overlap = int(max_chars * OVERLAP_SHARE) if overlap_chars is None else overlap_chars
    paragraphs = sorted({m.end() for m in _PARAGRAPH.finditer(text)})
    sentence_ends = sorted({m.end() for m in _SENTENCE_END.finditer(text)})
    spans: list[tuple[int, int]] = []
    start = 0
    while True:
        limit = start + max_chars
        if limit >= len(text):
            spans.append((start, len(text)))
            break
        floor = start + max_chars // 2  # never cut so early that chunks multiply
        end = _last_in(paragraphs, floor, limit) or _last_in(sentence_ends, floor, limit)
        if end is None:  # one endless sentence: cut at a space, or anywhere
            space = text.rfind(" ", floor, limit)
            end = space + 1 if space > floor else limit
        spans.append((start, end))
        # Restart at a sentence start inside the overlap, so no chunk opens mid-sentence.
        restart = _first_in(sentence_ends, end - overlap, end - 1)
        start = restart if restart is not None and restart > start else max(start + 1, end - overlap)
    return [Chunk(i, len(spans), a, b, text[a:b]) for i, (a, b) in enumerate(spans)]


def _last_in(points: list[int], low: int, high: int) -> int | None:
    found = [p for p in points if low < p <= high]
    return found[-1] if found else None


def _first_in(points: list[int], low: int, high: int) -> int | None:
    found = [p for p in points if low <= p <= high]
    return found[0] if found else None


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
