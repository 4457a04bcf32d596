"""What the embedded model's recorded briefings hold, scored against the hand-written references.

The replies are the ones SmolLM2-135M gave (fixtures/seeds, fixtures/dev-story);
the references are hand-written (fixtures/*.gold.json). The floors are the
goals of the briefing's quality work: a change that makes the default
briefing find less fails here, on the seeds and on a story from another domain.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from summarizer import ModelSettings, build_briefing
from summarizer.articles import load_articles
from summarizer.evaluate import evaluate, load_gold

from .conftest import FIXTURES, ROOT, SEEDS

STORIES = {
    "seeds": (SEEDS, FIXTURES / "seeds", FIXTURES / "seeds.gold.json"),
    "dev-story": (ROOT / "tests" / "corpus" / "dev-story", FIXTURES / "dev-story", FIXTURES / "dev-story.gold.json"),
    "dev-story-2": (ROOT / "tests" / "corpus" / "dev-story-2", FIXTURES / "dev-story-2", FIXTURES / "dev-story-2.gold.json"),
}


def scored(story: str) -> tuple[dict, object]:
    articles, fixtures, gold_path = STORIES[story]
    gold = load_gold(gold_path)
    day = dt.date.fromisoformat(gold["briefing_date"])
    settings = ModelSettings(fixtures=fixtures, fixture_mode="replay", use_cache=False)
    briefing = build_briefing([articles], date=day, settings=settings)
    texts = {a.id: a.text for a in load_articles([articles]).articles}
    return evaluate(briefing, gold, texts), briefing


@pytest.mark.parametrize("story", sorted(STORIES))
def test_the_default_briefing_finds_the_actors_with_their_roles_and_every_deadline(story):
    report, _ = scored(story)
    assert report["actors"]["recall"] >= 0.8, report["actors"]["missed"]
    assert report["actors"]["precision"] >= 0.8, report["actors"]["unknown"]
    assert report["roles"]["share"] >= 0.8, report["roles"]["without"]
    assert report["deadlines"]["recall"] == 1.0, report["deadlines"]["missed"]
    assert report["deadlines"]["false_deadlines"] == []
    assert report["measures"]["recall"] >= 0.4
    assert report["open_questions"]["near_duplicate_pairs"] == 0
    assert report["open_questions"]["naming_an_item"] == 1.0
    assert report["grounding"]["aligned_share"] == 1.0 and report["grounding"]["per_article_support"] == 1.0


def test_the_seeds_briefing_shows_the_call_placed_on_two_days_and_the_misspelt_name():
    report, briefing = scored("seeds")
    assert "day of the call" in report["source_differences"]["reported"]
    assert report["measures"]["recall"] >= 0.6
    assert report["open_questions"]["recall"] >= 0.5
    assert any("November 10" in q.question for q in briefing.open_questions)


def test_the_dev_story_briefing_shows_the_funds_reported_as_different_figures():
    _, briefing = scored("dev-story")
    figures = [d for d in briefing.source_differences if d.topic.startswith("figures given for")]
    assert any(len({c.article_id for c in d.claims}) >= 3 and "contingency" in d.topic for d in figures)


@pytest.mark.parametrize("story", ["dev-story", "dev-story-2"])
def test_the_same_replies_give_the_same_briefing_in_any_process(tmp_path, story):
    # Python orders sets by a hash seeded per process: nothing shown may depend on it.
    import os
    import subprocess
    import sys

    articles, fixtures, gold_path = STORIES[story]
    day = {"dev-story": "2025-11-04", "dev-story-2": "2025-11-08"}[story]
    outputs = []
    for seed in ("1", "2", "3"):
        target = tmp_path / f"briefing-{seed}.json"
        result = subprocess.run(
            [sys.executable, "-m", "summarizer", "brief", str(articles), "--date", day, "-f", "json", "-o",
             str(target), "--fixture-mode", "replay", "--fixtures", str(fixtures), "--no-log"],
            capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert result.returncode == 0, result.stderr
        shown = json.loads(target.read_text(encoding="utf-8"))
        outputs.append({k: v for k, v in shown.items() if k != "metadata"})
    assert outputs[0] == outputs[1]
