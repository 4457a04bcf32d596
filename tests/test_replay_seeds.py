"""End to end on the five seeds, answered by replies the embedded model really gave.

fixtures/seeds/ was recorded with:
    summarizer record seeds/ --fixtures fixtures/seeds --date 2025-10-26 --no-cache
(see README, "Fixtures"). Replay needs no server, no network and no model.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil

from summarizer import ModelSettings, build_briefing, summarize_article
from summarizer.articles import load_articles
from summarizer.cache import Cached, open_cache
from summarizer.embedded import IDENTITY, MODEL_NAME
from summarizer.fixtures import Replaying
from summarizer.pipeline import Run
from summarizer.schemas import Briefing
from summarizer.templates import load_template

from .conftest import SEED_DATE, SEED_FIXTURES, SEEDS
from .test_cli import run

DAY = dt.date.fromisoformat(SEED_DATE)
REPLAY = ModelSettings(fixture_mode="replay", fixtures=SEED_FIXTURES)


def quotes_of(node) -> list[dict]:
    found = []
    if isinstance(node, dict):
        if {"article_id", "text", "start", "end"} <= node.keys():
            found.append(node)
        for value in node.values():
            found += quotes_of(value)
    elif isinstance(node, list):
        for value in node:
            found += quotes_of(value)
    return found


def recorded_briefing() -> dict:
    return json.loads((SEED_FIXTURES / "briefing.json").read_text(encoding="utf-8"))


def test_cli_brief_in_replay_writes_markdown_and_json(tmp_path):
    result = run(
        "brief", str(SEEDS), "--date", SEED_DATE, "--fixture-mode", "replay", "--fixtures", str(SEED_FIXTURES),
        "-f", "both", "-o", str(tmp_path / "briefing"),
    )
    assert result.returncode == 0, result.stderr
    briefing = Briefing.model_validate_json((tmp_path / "briefing.json").read_text(encoding="utf-8"))
    markdown = (tmp_path / "briefing.md").read_text(encoding="utf-8")
    assert markdown.startswith(f"# {briefing.headline}")
    assert briefing.metadata.model == MODEL_NAME and briefing.metadata.provider == IDENTITY
    assert [s.article_id for s in briefing.sources] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    # The run is in the log a user can query.
    logged = run("logs", "--json")
    (entry,) = json.loads(logged.stdout)
    assert (entry["command"], entry["articles"], entry["model_calls"]) == ("brief", 5, briefing.metadata.model_calls)
    assert entry["dropped"] == briefing.metadata.dropped_ungrounded


def test_replay_reproduces_the_recorded_briefing():
    briefing = json.loads(build_briefing([SEEDS], date=DAY, settings=REPLAY).model_dump_json())
    recorded = recorded_briefing()
    for key in ("headline", "executive_summary", "actors", "measures", "timeline", "source_differences", "open_questions"):
        assert briefing[key] == recorded[key], key
    assert briefing["metadata"]["dropped_ungrounded"] == recorded["metadata"]["dropped_ungrounded"]


def test_every_shown_item_of_the_embedded_model_is_grounded():
    briefing = build_briefing([SEEDS], date=DAY, settings=REPLAY)
    texts = {a.id: a.text for a in load_articles([SEEDS]).articles}
    data = json.loads(briefing.model_dump_json())
    quotes = quotes_of(data)
    assert quotes, "the recorded run produced no grounded item at all"
    for q in quotes:
        assert texts[q["article_id"]][q["start"] : q["end"]] == q["text"]
    # Items that quote nothing (actors, measures, timeline entries) cannot exist.
    for section in ("actors", "measures", "timeline", "key_developments"):
        for item in data[section]:
            assert item["evidence"], f"{section} item without evidence: {item}"
            assert set(item["article_ids"]) <= set(texts)
    # Each actor is named, as the article writes it, in the sentence it cites;
    # each measure's name is words of its sentence; each date is in its sentence.
    for actor in data["actors"]:
        assert any(n in q["text"] for q in actor["evidence"] for n in (actor["name"], *actor["aliases"])), actor["name"]
    for measure in data["measures"]:
        assert any(measure["name"] in q["text"] for q in measure["evidence"]), measure["name"]
    for entry in data["timeline"]:
        assert any(t in q["text"] for q in entry["evidence"] for t in entry["date_texts"]), entry["event"]
    # The 2017 photo caption of article 003 is background, never a date of the story.
    assert all(not e["date"] or e["date"] >= "2025" for e in data["timeline"])


def test_api_summarize_article_in_replay():
    summary = summarize_article(
        SEEDS / "000_ca7bab2cb521082e.txt", published=DAY, settings=REPLAY
    )
    recorded = next(a for a in recorded_briefing()["articles"] if a["article_id"] == "000_ca7bab2cb521082e")
    assert summary.summary == recorded["summary"]
    assert [a.name for a in summary.actors] == [a["name"] for a in recorded["actors"]]


def _cached_run(cache_dir, template=None) -> Run:
    identity = IDENTITY
    backend = Cached(Replaying(SEED_FIXTURES, identity, MODEL_NAME), open_cache(cache_dir))
    return Run(settings=ModelSettings(), template=load_template(template), backend=backend)


def test_second_run_is_served_from_the_cache(tmp_path):
    articles = load_articles([SEEDS], default_published=DAY).articles
    first = asyncio.run(_cached_run(tmp_path).brief(articles, DAY))
    second = asyncio.run(_cached_run(tmp_path).brief(articles, DAY))
    assert first.metadata.cache_hits == 0 and first.metadata.model_calls > 0
    assert second.metadata.model_calls == 0
    assert second.metadata.cache_hits == first.metadata.model_calls
    assert second.actors == first.actors and second.timeline == first.timeline


def test_another_template_recomputes_and_coming_back_hits_the_cache(tmp_path):
    mine = tmp_path / "mine"
    shutil.copytree(load_template().folder, mine)
    # The embedded model's only call is the briefing's (its articles are read off by rules).
    (mine / "briefing.system.j2").write_text("Write a briefing as JSON.", encoding="utf-8")
    articles = load_articles([SEEDS], default_published=DAY).articles
    cache = tmp_path / "cache"
    asyncio.run(_cached_run(cache).brief(articles, DAY))
    # A changed template is a new request: the cache does not answer it (nor do the fixtures).
    changed = asyncio.run(_cached_run(cache, mine).brief(articles, DAY))
    assert [f.stage for f in changed.metadata.failures] == ["briefing"]
    assert "no recorded reply" in changed.metadata.failures[0].reason
    back = asyncio.run(_cached_run(cache).brief(articles, DAY))
    assert back.metadata.model_calls == 0 and back.metadata.cache_hits > 0
