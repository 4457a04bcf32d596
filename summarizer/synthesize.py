"""Stage 5: the briefing. Deterministic merge, plus one model call for the narrative.

The model sees the per-article summaries as compact JSON (never the raw texts)
and writes the headline, executive summary, key developments, source
differences and open questions. Its items are grounded against the article
texts like any other; consolidated actors, measures and the timeline come from
`summarizer.merge`, so the model cannot undo them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from .align import fold_text
from .articles import Article
from .choices import constrain_choices, grammar_safe
from .grounding import BriefingGrounder
from .merge import day_differences, figure_differences, merge_actors, merge_deadlines, merge_measures
from .prose import Source, Sources, check_sentence, checked_prose, source, sources_of
from .questions import build_questions, distinct
from .schemas import (
    ArticleSummary,
    Briefing,
    BriefingQuestion,
    BriefingReply,
    CitedSentence,
    Claim,
    ConsolidatedActor,
    ConsolidatedMeasure,
    DroppedSentence,
    KeyDevelopment,
    Quote,
    RunMetadata,
    SourceDifference,
    SourceRef,
    TimelineEntry,
)
from .structured import Filler
from .templates import Template

BRIEFING_MAX_TOKENS = 1500


#: For a small model, the briefing call's input per article: what a 135M model can take in. Given all
#: of the seeds' items with their quotes (4,000 tokens), it wrote "{" for a summary.
SMALL_INPUT = {"actors": 4, "measures": 3, "deadlines": 3}


def compact_summaries(summaries: list[ArticleSummary], small: bool = False) -> str:
    """The briefing call's input: short keys, no spans, no empty fields.

    A small model gets plain lines with fewer items and no quotes: shown JSON,
    SmolLM2 wrote JSON into the executive summary's string.
    """
    if small:
        return "\n\n".join(_plain_summary(s) for s in summaries)
    rows = []
    for s in summaries:
        limit = SMALL_INPUT if small else {}
        row = {
            "id": s.article_id,
            "published": s.published.isoformat() if s.published else None,
            "summary": s.summary,
            "actors": [f"{a.name} ({a.role})" if a.role else a.name for a in s.actors[: limit.get("actors")]],
            "measures": [
                {"name": m.name, "status": m.status, **({} if small else {"quote": m.evidence[0].text})}
                for m in s.measures[: limit.get("measures")]
            ],
            "deadlines": [
                {"date": d.date.isoformat() if d.date else d.date_text, "event": d.event,
                 **({} if small else {"quote": d.evidence[0].text})}
                for d in s.deadlines[: limit.get("deadlines")]
            ],
            "questions": [q.question for q in s.open_questions],
        }
        rows.append({k: v for k, v in row.items() if v})
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _plain_summary(s: ArticleSummary) -> str:
    lines = [f"Article {s.article_id}" + (f", published {s.published.isoformat()}" if s.published else "") + ":", s.summary]
    if s.actors:
        lines.append("People: " + "; ".join(f"{a.name} ({a.role})" if a.role else a.name for a in s.actors[: SMALL_INPUT["actors"]]))
    if s.measures:
        lines.append("Measures: " + "; ".join(f"{m.name} ({m.status.replace('_', ' ')})" for m in s.measures[: SMALL_INPUT["measures"]]))
    for d in s.deadlines[: SMALL_INPUT["deadlines"]]:
        lines.append(f"On {d.date.isoformat() if d.date else d.date_text}: {d.event}")
    return "\n".join(line for line in lines if line)


def _quote_pool(summaries: list[ArticleSummary]) -> list[str]:
    # The grounded quotes of the articles' measures, events and questions: what a constrained
    # model may cite (an actor's introducing sentence adds length to the grammar, not facts).
    pool = []
    for s in summaries:
        for group in (s.measures, s.deadlines, s.open_questions):
            for item in group:
                pool.extend(grammar_safe(q.text) for q in item.evidence)
    return list(dict.fromkeys(pool))


async def narrate(
    summaries: list[ArticleSummary],
    articles: dict[str, Article],
    client: Filler,
    template: Template,
    day: dt.date,
    constrain_quotes: bool,
) -> tuple[BriefingReply, int, int]:
    """One model call (plus re-asks): the grounded reply, the items dropped, the calls made."""
    reply_model: type[BriefingReply] = BriefingReply
    if constrain_quotes:
        pool = _quote_pool(summaries)
        ids = [s.article_id for s in summaries]
        reply_model = constrain_choices(
            BriefingReply,
            {"evidence": pool, "article_id": ids},
            min_items={"key_developments": 1} if pool else {},
            # Questions and source differences are built from the merged items
            # (summarizer.questions, merge.day_differences and figure_differences): a
            # 135M model's own were near-repeats ("What is the purpose of the talks?").
            max_items={"key_developments": 4, "source_differences": 0, "open_questions": 0, "evidence": 1, "claims": 2},
            min_length={"executive_summary": 120, "headline": 20},
        )
    grounder = BriefingGrounder({i: a.text for i, a in articles.items()})
    filled = await client.fill(
        reply_model,
        template.messages("briefing", date=day.isoformat(), summaries_json=compact_summaries(summaries, small=constrain_quotes)),
        context={"grounder": grounder},
        labels={"stage": "briefing", "template": template.name, "template_hash": template.hash},
        max_tokens=BRIEFING_MAX_TOKENS,
    )
    return filled.value, grounder.report.dropped, filled.calls  # type: ignore[return-value]


def fallback_narrative(summaries: list[ArticleSummary], day: dt.date) -> tuple[str, str]:
    """Headline and summary when the briefing call failed: built from the articles' own summaries."""
    first_sentences = [s.summary.split(". ")[0].rstrip(".") + "." for s in summaries if s.summary]
    headline = f"Briefing for {day.isoformat()}: {len(summaries)} source(s)"
    return headline, " ".join(first_sentences[:5])


def _backed_by_its_quotes(text: str, quotes: list[Quote], day: dt.date, dropped: list[DroppedSentence]) -> str:
    """A key development in the model's words if its own quotes carry them, else the quote itself."""
    own = [source(q, day) for q in quotes]
    verdict = check_sentence(text if text.rstrip()[-1:] in ".!?" else text.rstrip() + ".", own, day)
    if verdict.problem is None or not quotes:
        return text
    dropped.append(DroppedSentence(section="key_development", text=text, reason=f"{verdict.problem}; its quote is shown instead"))
    return " ".join(quotes[0].text.split())


def _narrative(
    summaries: list[ArticleSummary],
    reply: BriefingReply | None,
    key_developments: list[KeyDevelopment],
    sources: list,
    day: dt.date,
    dropped: list[DroppedSentence],
) -> tuple[CitedSentence, list[CitedSentence], str]:
    """The headline and the summary that can be shown: the model's checked sentences, or stand-ins that say so."""
    fallback_headline, fallback_summary = fallback_narrative(summaries, day)
    written = reply.executive_summary if reply is not None else ""
    summary, lost = checked_prose(written, "executive_summary", sources, day)
    dropped.extend(lost)
    note = ""
    if not summary:
        if key_developments:
            best = sorted(key_developments, key=lambda k: -len(k.article_ids))[:3]  # the most widely reported first
            summary = [CitedSentence(text=k.text, citations=k.evidence) for k in best]
            stand_in = "the key developments, each with its quote"
        else:
            summary, _ = checked_prose(fallback_summary, "executive_summary", sources, day)
            stand_in = "the opening sentences of the articles"
        if reply is None:
            note = f"The model's summary is missing (the briefing call failed); shown instead: {stand_in}."
        elif not lost:
            note = f"The model wrote no summary sentence; shown instead: {stand_in}."
        else:
            note = (f"None of the model's summary sentences could be checked against the sources "
                    f"({len(lost)} left out, see prose_dropped); shown instead: {stand_in}.")
    headline = None
    if reply is not None and reply.headline.strip():
        first = reply.headline.strip().splitlines()[0]
        candidate = first if first.rstrip()[-1:] in ".!?" else first.rstrip() + "."
        verdict = check_sentence(candidate, sources, day)
        if verdict.problem is None:
            headline = CitedSentence(text=first.rstrip(), citations=verdict.citations)
        else:
            dropped.append(DroppedSentence(section="headline", text=first, reason=verdict.problem))
    if headline is None:
        # A checked sentence stands in for a headline that could not be checked (and is not said twice).
        if summary:
            headline, summary = summary[0], summary[1:] or summary
        else:
            headline = CitedSentence.model_construct(text=fallback_headline, citations=[])
    return headline, summary, note


@dataclass
class DayParts:
    """What the briefing takes from the articles and their summaries alone, not from the briefing
    reply: merged while the briefing call is out (seconds of CPU for 2,000 articles)."""

    sources: Sources
    actors: list[ConsolidatedActor]
    spelling: list[SourceDifference]
    timeline: list[TimelineEntry]
    date_differences: list[SourceDifference]
    measures: list[ConsolidatedMeasure]
    differences: list[SourceDifference]  # of days and of figures
    questions: list[BriefingQuestion]  # the articles' own
    refs: list[SourceRef]


def day_parts(summaries: list[ArticleSummary], articles: dict[str, Article],
              read: dict[str, list[Source]] | None = None) -> DayParts:
    """`read`: the sentences of some articles, read already (prose.article_sources)."""
    sources = sources_of(articles, read)
    actors, spelling = merge_actors(summaries)
    timeline, date_differences = merge_deadlines(summaries)
    return DayParts(
        sources=sources,
        actors=actors,
        spelling=spelling,
        timeline=timeline,
        date_differences=date_differences,
        measures=merge_measures(summaries),
        differences=day_differences(timeline) + figure_differences(s for s in sources.sources if s.figures_written),
        questions=[BriefingQuestion(question=q.question, article_ids=[s.article_id], evidence=q.evidence)
                   for s in summaries for q in s.open_questions],
        refs=[
            SourceRef(
                article_id=a.id, title=a.title, source=a.source, url=a.url, path=a.path,
                # The run's --date stood in for a date the article does not carry: not shown as its date.
                published=None if a.published_assumed else a.published,
            )
            for a in articles.values()
        ],
    )


def assemble(
    summaries: list[ArticleSummary],
    articles: dict[str, Article],
    day: dt.date,
    reply: BriefingReply | None,
    metadata: RunMetadata,
    parts: DayParts | None = None,
) -> Briefing:
    """The briefing from its parts; `parts`: what `day_parts` read of the articles, if read already."""
    if parts is None:
        parts = day_parts(summaries, articles)
    sources = parts.sources
    dropped: list[DroppedSentence] = []
    key_developments, questions, model_differences = [], [], []
    if reply is not None:
        seen: set[str] = set()
        for k in reply.key_developments:
            text = _backed_by_its_quotes(k.text, k._quotes, day, dropped)
            if fold_text(text) in seen:
                continue  # two items that came down to the same quote
            seen.add(fold_text(text))
            key_developments.append(
                KeyDevelopment(text=text, article_ids=sorted({q.article_id for q in k._quotes}), evidence=k._quotes)
            )
        model_differences = [
            SourceDifference(
                topic=d.topic,
                claims=[Claim(article_id=c.article_id, claim=c.claim, evidence=c._quotes) for c in d.claims],
            )
            for d in reply.source_differences
        ]
        questions = [
            BriefingQuestion(question=q.question, article_ids=sorted({x.article_id for x in q._quotes}), evidence=q._quotes)
            for q in reply.open_questions
        ]
    headline, summary, note = _narrative(summaries, reply, key_developments, sources, day, dropped)
    # The per-article questions are grounded already; add those the model did not restate.
    questions = distinct(questions + parts.questions)
    questions += build_questions(parts.measures, parts.timeline, day, asked=[q.question for q in questions])
    return Briefing(
        date=day,
        headline=headline.text,
        headline_citations=headline.citations,
        executive_summary=" ".join(sentence.text for sentence in summary),
        summary=summary,
        summary_note=note,
        prose_dropped=dropped,
        key_developments=key_developments,
        actors=parts.actors,
        measures=parts.measures,
        timeline=parts.timeline,
        source_differences=parts.spelling + parts.date_differences + parts.differences + model_differences,
        open_questions=questions,
        sources=parts.refs,
        articles=summaries,
        metadata=metadata,
    )
