"""Open questions built from the briefing's items, and differences found across sources without a model."""

from __future__ import annotations

import datetime as dt

from rapidfuzz import fuzz

from summarizer.merge import day_differences, figure_differences
from summarizer.questions import build_questions, distinct
from summarizer.schemas import BriefingQuestion, ConsolidatedMeasure, Quote, TimelineEntry

TEXT_A = "Ottawa has threatened a 25% levy on imported steel from March 1. The fishing truce is set to expire on April 30."
TEXT_B = "Ministers will meet in Lyon on April 2 to discuss the quota talks. The fishing truce expires on April 30."


def quote(article_id: str, text: str, sentence: str) -> Quote:
    start = text.index(sentence)
    return Quote(article_id=article_id, text=sentence, start=start, end=start + len(sentence), score=100.0)


LEVY = quote("a", TEXT_A, "Ottawa has threatened a 25% levy on imported steel from March 1.")
TRUCE_A = quote("a", TEXT_A, "The fishing truce is set to expire on April 30.")
TRUCE_B = quote("b", TEXT_B, "The fishing truce expires on April 30.")
MEETING = quote("b", TEXT_B, "Ministers will meet in Lyon on April 2 to discuss the quota talks.")
DAY = dt.date(2026, 2, 20)


def measures() -> list[ConsolidatedMeasure]:
    return [
        ConsolidatedMeasure(name="25% levy on imported steel", kind="tariff", status="threatened", article_ids=["a"], evidence=[LEVY]),
        ConsolidatedMeasure(name="fishing truce", kind="truce", status="in_effect", article_ids=["a", "b"], evidence=[TRUCE_A, TRUCE_B]),
    ]


def timeline() -> list[TimelineEntry]:
    return [
        TimelineEntry(date=dt.date(2026, 3, 1), date_texts=["March 1"], event=LEVY.text, kind="deadline", article_ids=["a"], evidence=[LEVY]),
        TimelineEntry(date=dt.date(2026, 4, 2), date_texts=["April 2"], event=MEETING.text, kind="scheduled_event", article_ids=["b"], evidence=[MEETING]),
        TimelineEntry(date=dt.date(2026, 4, 30), date_texts=["April 30"], event=TRUCE_A.text, kind="expiry", article_ids=["a", "b"], evidence=[TRUCE_A, TRUCE_B]),
    ]


def test_questions_name_their_measure_and_date_and_cite_every_source():
    asked = {q.question: q for q in build_questions(measures(), timeline(), DAY)}
    assert "Will the 25% levy on imported steel go ahead from March 1?" in asked
    assert "Will the fishing truce be extended beyond April 30?" in asked
    assert any("meet in Lyon on April 2" in q for q in asked)
    truce = asked["Will the fishing truce be extended beyond April 30?"]
    assert truce.article_ids == ["a", "b"] and {q.article_id for q in truce.evidence} == {"a", "b"}


def test_no_question_repeats_another_or_asks_about_the_past():
    questions = build_questions(measures(), timeline(), dt.date(2026, 4, 10))
    texts = [q.question for q in questions]
    assert not any("April 2" in q for q in texts)  # the meeting is past
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert fuzz.token_set_ratio(a, b) <= 80, (a, b)


def test_near_repeated_questions_are_shown_once():
    repeated = [
        BriefingQuestion(question="What is the purpose of this round of trade talks?"),
        BriefingQuestion(question="What is the purpose of the trade talks?"),
        BriefingQuestion(question="Will the truce be extended?"),
    ]
    assert [q.question for q in distinct(repeated)] == [
        "What is the purpose of this round of trade talks?", "Will the truce be extended?",
    ]


def test_one_event_on_neighbouring_days_is_a_source_difference():
    text_a = "Finance Minister Ana Ruiz held a video call with her Brazilian counterpart on Friday evening."
    text_b = "Ana Ruiz and her Brazilian counterpart held a video call on Saturday morning, Brasilia time."
    entries = [
        TimelineEntry(date=dt.date(2026, 2, 13), date_texts=["Friday"], event=text_a, article_ids=["a"], evidence=[quote("a", text_a, text_a)]),
        TimelineEntry(date=dt.date(2026, 2, 14), date_texts=["Saturday"], event=text_b, article_ids=["b"], evidence=[quote("b", text_b, text_b)]),
    ]
    (difference,) = day_differences(entries)
    assert {c.article_id for c in difference.claims} == {"a", "b"}
    assert any("Friday" in c.claim for c in difference.claims) and any("Saturday" in c.claim for c in difference.claims)
    # Two unrelated events a day apart are not one.
    other = "The central bank left rates unchanged on Saturday."
    entries[1] = TimelineEntry(date=dt.date(2026, 2, 14), date_texts=["Saturday"], event=other, article_ids=["b"], evidence=[quote("b", other, other)])
    assert day_differences(entries) == []


def test_one_quantity_given_as_different_figures_is_a_source_difference():
    texts = {
        "a": "The reserve holds $5.3 billion in the emergency fund, officials said.",
        "b": "About $6 billion sits in the emergency fund. Officials expect a $2 billion shortfall.",
        "c": "Roughly $5.3 billion remains in the emergency fund.",
    }
    (difference,) = figure_differences(_sentences(texts))
    assert "emergency" in difference.topic or "fund" in difference.topic
    claims = {c.article_id: c.claim for c in difference.claims}
    assert claims == {"a": "$5.3 billion", "b": "$6 billion", "c": "$5.3 billion"}
    for c in difference.claims:
        assert texts[c.article_id][c.evidence[0].start:c.evidence[0].end] == c.evidence[0].text
    # Sources that agree are no difference.
    assert figure_differences(_sentences({"a": texts["a"], "c": texts["c"]})) == []


def _sentences(texts):
    from summarizer.articles import Article
    from summarizer.prose import sources_of

    return sources_of({article_id: Article(id=article_id, text=text) for article_id, text in texts.items()}).sources
