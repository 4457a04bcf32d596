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

from rapidfuzz import fuzz

from .articles import Article
from .grounding import BriefingGrounder, fold_text, grammar_safe
from .merge import day_differences, figure_differences, merge_actors, merge_deadlines, merge_measures
from .questions import DUPLICATE_RATIO, build_questions
from .schemas import (
    ArticleSummary,
    Briefing,
    BriefingQuestion,
    BriefingReply,
    Claim,
    KeyDevelopment,
    RunMetadata,
    SourceDifference,
    SourceRef,
)
from .structured import StructuredClient, constrain_choices
from .templates import Template

BRIEFING_MAX_TOKENS = 1500


def compact_summaries(summaries: list[ArticleSummary]) -> str:
    """The briefing call's input: short keys, no spans, no empty fields."""
    rows = []
    for s in summaries:
        row = {
            "id": s.article_id,
            "published": s.published.isoformat() if s.published else None,
            "summary": s.summary,
            "actors": [f"{a.name} ({a.role})" if a.role else a.name for a in s.actors],
            "measures": [{"name": m.name, "status": m.status, "quote": m.evidence[0].text} for m in s.measures],
            "deadlines": [
                {"date": d.date.isoformat() if d.date else d.date_text, "event": d.event, "quote": d.evidence[0].text}
                for d in s.deadlines
            ],
            "questions": [q.question for q in s.open_questions],
        }
        rows.append({k: v for k, v in row.items() if v})
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _quote_pool(summaries: list[ArticleSummary]) -> list[str]:
    # The grounded quotes of all articles: what a constrained model may cite.
    pool = []
    for s in summaries:
        for group in (s.actors, s.measures, s.deadlines, s.open_questions):
            for item in group:
                pool.extend(grammar_safe(q.text) for q in item.evidence)
    return list(dict.fromkeys(pool))


async def narrate(
    summaries: list[ArticleSummary],
    articles: dict[str, Article],
    client: StructuredClient,
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
        )
    grounder = BriefingGrounder({i: a.text for i, a in articles.items()})
    filled = await client.fill(
        reply_model,
        template.messages("briefing", date=day.isoformat(), summaries_json=compact_summaries(summaries)),
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


def _distinct(questions: list[BriefingQuestion]) -> list[BriefingQuestion]:
    """Questions without near-repeats ("the purpose of the talks" / "... of the negotiations")."""
    kept: list[BriefingQuestion] = []
    for question in questions:
        folded = fold_text(question.question)
        if not any(fuzz.token_set_ratio(folded, fold_text(k.question)) > DUPLICATE_RATIO for k in kept):
            kept.append(question)
    return kept


def assemble(
    summaries: list[ArticleSummary],
    articles: dict[str, Article],
    day: dt.date,
    reply: BriefingReply | None,
    metadata: RunMetadata,
) -> Briefing:
    actors, spelling = merge_actors(summaries)
    timeline, date_differences = merge_deadlines(summaries)
    headline, executive_summary = fallback_narrative(summaries, day)
    if reply is not None:
        # A summary whose every sentence failed grounding is replaced, not shown empty.
        headline = reply.headline or headline
        executive_summary = reply.executive_summary or executive_summary
    key_developments, questions, model_differences = [], [], []
    if reply is not None:
        seen: set[str] = set()
        for k in reply.key_developments:
            if fold_text(k.text) in seen:
                continue  # two items that came down to the same quote
            seen.add(fold_text(k.text))
            key_developments.append(
                KeyDevelopment(text=k.text, article_ids=sorted({q.article_id for q in k._quotes}), evidence=k._quotes)
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
    # The per-article questions are grounded already; add those the model did not restate.
    for s in summaries:
        for q in s.open_questions:
            questions.append(BriefingQuestion(question=q.question, article_ids=[s.article_id], evidence=q.evidence))
    questions = _distinct(questions)
    measures = merge_measures(summaries)
    questions += build_questions(measures, timeline, day, asked=[q.question for q in questions])
    return Briefing(
        date=day,
        headline=headline,
        executive_summary=executive_summary,
        key_developments=key_developments,
        actors=actors,
        measures=measures,
        timeline=timeline,
        source_differences=spelling + date_differences + day_differences(timeline) + figure_differences({i: a.text for i, a in articles.items()}) + model_differences,
        open_questions=questions,
        sources=[
            SourceRef(
                article_id=a.id, title=a.title, source=a.source, url=a.url, published=a.published, path=a.path
            )
            for a in articles.values()
        ],
        articles=summaries,
        metadata=metadata,
    )
