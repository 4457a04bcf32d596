"""Re-asking (instructor) and per-item grounding, with SCRIPTED FAKE replies in sequence."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

from summarizer.articles import Article
from summarizer.backends import ModelSettings
from summarizer.fakes import ScriptedModel
from summarizer.pipeline import Run
from summarizer.render import to_markdown

TEXT = (
    "Treasury Secretary Scott Bessent met Vice Premier He Lifeng in Kuala Lumpur on Saturday.\n"
    "The US-China tariff truce is set to expire on November 10.\n"
    "Washington has threatened 100% tariffs on Chinese goods from November 1."
)
ARTICLE = Article(id="kl", text=TEXT, published=dt.date(2025, 10, 26))

GOOD = {
    "summary": "Scott Bessent met He Lifeng in Kuala Lumpur.",
    "actors": [{"name": "Scott Bessent", "role": "Treasury Secretary", "evidence": ["Treasury Secretary Scott Bessent met Vice Premier He Lifeng"]}],
    "deadlines": [{"date_text": "November 10", "event": "tariff truce expires", "kind": "expiry", "evidence": ["The US-China tariff truce is set to expire on November 10."]}],
}
INVENTED = {
    "summary": "Jay Z performed.",
    "actors": [
        {"name": "Jay Z", "role": "Dreamer", "evidence": ["Jay Z performed at the summit"]},
        {"name": "Beyonce", "evidence": ["Beyonce sang too"]},
        GOOD["actors"][0],
    ],
}
BRIEFING = {"headline": "Bessent meets He Lifeng", "executive_summary": "Scott Bessent met He Lifeng in Kuala Lumpur."}


def run_with(answers: list) -> tuple:
    model = ScriptedModel([json.dumps(a) if isinstance(a, dict) else a for a in answers])
    # The fake stands in for a remote model, which writes the article schema itself (extraction: fill).
    run = Run(settings=ModelSettings(model="fake", base_url="http://127.0.0.1:9/v1"), backend=model)
    briefing = asyncio.run(run.brief([ARTICLE], dt.date(2025, 10, 26)))
    return briefing, model


def test_mostly_invented_reply_is_reasked_and_the_better_one_kept():
    briefing, model = run_with([INVENTED, GOOD, BRIEFING])
    (summary,) = briefing.articles
    assert summary.attempts == 2 and briefing.metadata.reasks == 1
    assert [a.name for a in summary.actors] == ["Scott Bessent"]
    assert [str(d.date) for d in summary.deadlines] == ["2025-11-10"]
    # The re-ask told the model what was wrong.
    reask = json.dumps(model.requests[1].body["messages"])
    assert "not supported by the text" in reask and "Jay Z" in reask


def test_malformed_json_is_reasked():
    briefing, _ = run_with(['{"summary": "Scott Bessent met', GOOD, BRIEFING])
    assert briefing.articles[0].attempts == 2
    assert briefing.articles[0].actors[0].name == "Scott Bessent"


def test_when_reasks_run_out_the_grounded_items_stay_and_the_rest_is_counted():
    briefing, _ = run_with([INVENTED, INVENTED, INVENTED, BRIEFING])
    (summary,) = briefing.articles
    assert summary.attempts == 3
    assert [a.name for a in summary.actors] == ["Scott Bessent"]
    assert summary.dropped == 2 and briefing.metadata.dropped_ungrounded >= 2
    shown = to_markdown(briefing)
    assert "Jay Z" not in shown and "Beyonce" not in shown  # not even the invented summary sentence
    assert any("Jay Z" in r for r in summary.dropped_reasons)  # but the user can see why it went


def test_a_failed_briefing_call_keeps_the_merged_facts():
    briefing, _ = run_with([GOOD, "not json", "still not json", "never json"])
    assert [a.name for a in briefing.actors] == ["Scott Bessent"]
    assert [f.stage for f in briefing.metadata.failures] == ["briefing"]
    # The narrative is missing, and the briefing says so; a checked sentence of the article stands in.
    assert "the briefing call failed" in briefing.summary_note
    assert briefing.headline == "Scott Bessent met He Lifeng in Kuala Lumpur." and briefing.headline_citations
