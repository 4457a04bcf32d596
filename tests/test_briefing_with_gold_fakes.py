"""End-to-end merge checks with FAKE model replies scripted from the hand-written reference.

The replies here are written by this test from fixtures/seeds.gold.json, not by
a model: they are what a perfect extractor would say, so these tests check
what summarizer does with good answers (grounding, alias merging, the
timeline, source differences), independent of how good the model is.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from summarizer import ModelSettings, abuild_briefing
from summarizer.align import mentions, sentences
from summarizer.dates import find_date_phrases, resolve_date
from summarizer.fakes import FunctionModel


def first_sentence_with(text: str, phrase: str) -> str | None:
    return next((s for s in sentences(text) if mentions(phrase, s)), None)


def written_variant(text: str, actor: dict) -> str | None:
    # The spelling this article uses: the reference name if written, else its longest alias that is.
    for name in [actor["name"], *sorted(actor["aliases"], key=len, reverse=True)]:
        if name.startswith("@"):
            continue
        if name in text:
            return name
    return None


def fake_article_reply(article, gold: dict) -> dict:
    actors, deadlines = [], []
    for actor in gold["actors"]:
        if article.id in actor["articles"] and (name := written_variant(article.text, actor)):
            actors.append({"name": name, "role": actor["role"], "evidence": [first_sentence_with(article.text, name)]})
    for deadline in gold["deadlines"]:
        if article.id not in deadline["articles"]:
            continue
        for _, _, phrase in find_date_phrases(article.text):
            if str(resolve_date(phrase, article.published).date) == deadline["date"]:
                deadlines.append(
                    {
                        "date_text": phrase,
                        "event": first_sentence_with(article.text, phrase)[:150],
                        "kind": deadline["kind"] if deadline["kind"] != "expiry" else "expiry",
                        "evidence": [first_sentence_with(article.text, phrase)],
                    }
                )
                break
    return {"summary": sentences(article.text)[0], "actors": actors, "deadlines": deadlines}


@pytest.fixture
def fake_model(gold, seed_articles):
    by_id = {a.id: a for a in seed_articles}

    def reply(request):
        if request.labels["stage"] == "article":
            return fake_article_reply(by_id[request.labels["article_id"]], gold)
        quote = sentences(by_id["000_ca7bab2cb521082e"].text)[0]
        return {
            "headline": "US and China agree to new round of trade talks",
            "executive_summary": quote,
            "key_developments": [{"text": quote, "evidence": [quote]}],
        }

    return FunctionModel(reply, identity="fake:gold")


def build(seed_articles, fake_model, gold):
    import asyncio

    day = dt.date.fromisoformat(gold["briefing_date"])
    # The fake stands in for a capable remote model: it writes the whole article schema.
    settings = ModelSettings(model="fake:gold", base_url="http://127.0.0.1:9/v1")
    return asyncio.run(abuild_briefing(seed_articles, date=day, backend=fake_model, settings=settings))


def test_aliases_merge_into_the_reference_actors(seed_articles, fake_model, gold):
    briefing = build(seed_articles, fake_model, gold)
    by_name = {a.name: a for a in briefing.actors}
    for actor in gold["actors"]:
        assert actor["name"] in by_name, f"{actor['name']} missing or split: {sorted(by_name)}"
        assert by_name[actor["name"]].article_ids == sorted(actor["articles"])
    # One entry per reference actor: no split and no wrong merge.
    assert len(briefing.actors) == len(gold["actors"])
    assert any("Besent" in alias for alias in by_name["Scott Bessent"].aliases)
    assert any("Grier" in alias for alias in by_name["Jamieson Greer"].aliases)


def test_timeline_has_the_reference_dates_in_order(seed_articles, fake_model, gold):
    briefing = build(seed_articles, fake_model, gold)
    dates = [str(t.date) for t in briefing.timeline]
    assert dates == sorted(dates)
    for deadline in gold["deadlines"]:
        assert deadline["date"] in dates
    for wrong in gold["not_deadlines"]:
        assert wrong["date"] not in dates


def test_spelling_differences_are_reported(seed_articles, fake_model, gold):
    briefing = build(seed_articles, fake_model, gold)
    topics = {d.topic: {c.article_id for c in d.claims} for d in briefing.source_differences}
    assert "002_7a3739aae1c47e77" in topics["spelling of Scott Bessent"]
    assert "003_40d841f78d54dc5d" in topics["spelling of Jamieson Greer"]


def test_every_quote_is_verbatim_at_its_span(seed_articles, fake_model, gold):
    briefing = build(seed_articles, fake_model, gold)
    texts = {a.id: a.text for a in seed_articles}
    data = json.loads(briefing.model_dump_json())
    quotes = []

    def walk(node):
        if isinstance(node, dict):
            if {"article_id", "text", "start", "end"} <= node.keys():
                quotes.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    assert len(quotes) > 20
    for q in quotes:
        assert texts[q["article_id"]][q["start"] : q["end"]] == q["text"]
    assert briefing.metadata.dropped_ungrounded == 0
    assert briefing.metadata.provider == "fake:gold"
