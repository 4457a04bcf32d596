"""The first request of a fill is built and read without instructor: it must be the very request
instructor would send, and a reply instructor would refuse must still reach instructor.

Replies are SCRIPTED FAKES from the hand-written reference (tests/test_remote_endpoint.py).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer import ModelSettings, build_briefing, structured
from tests.fake_openai_server import FakeOpenAIServer
from tests.test_remote_endpoint import scripted

ROOT = Path(__file__).resolve().parent.parent


def bodies_sent(gold, articles, mode: str, tmp_path: Path) -> list[str]:
    with FakeOpenAIServer(scripted(gold, articles)) as server:
        settings = ModelSettings(base_url=server.base_url, model="fake-model", mode=mode, use_cache=False)
        build_briefing(articles, date=dt.date(2025, 10, 26), settings=settings)
    return sorted(json.dumps(r["body"], sort_keys=True) for r in server.requests)


@pytest.mark.parametrize("mode", structured.DIRECT_MODES)
def test_the_first_request_is_byte_for_byte_the_one_instructor_sends(gold, seed_articles, tmp_path, monkeypatch, mode):
    # Every reply model the stages fill (articles, the briefing), in each mode built here: the same
    # bodies as instructor builds, so cache keys and recorded fixtures are unchanged.
    direct = bodies_sent(gold, seed_articles[:3], mode, tmp_path)
    monkeypatch.setattr(structured, "direct_request", lambda *args, **kwargs: None)
    through_instructor = bodies_sent(gold, seed_articles[:3], mode, tmp_path)
    assert len(direct) == 4
    assert direct == through_instructor


def test_a_tool_definition_matches_instructors_own():
    from instructor.v2.core.function_calls import response_schema
    from instructor.v2.providers.openai.schema import generate_openai_schema

    from summarizer.schemas import ArticleSummary, Briefing

    for model in (ArticleSummary, Briefing):
        assert structured._function(model) == generate_openai_schema(response_schema(model))


def test_a_run_whose_replies_validate_never_loads_the_openai_package(gold, seed_articles, tmp_path):
    # The openai package costs 0.6-0.9 s to import, which every run paid before its first
    # request; only instructor's re-ask path needs it now.
    script = f"""
import datetime as dt, json, sys
sys.path.insert(0, {str(ROOT)!r})
from summarizer import ModelSettings, build_briefing
from summarizer.articles import load_articles
from tests.fake_openai_server import FakeOpenAIServer
from tests.test_remote_endpoint import scripted
gold = json.load(open({str(ROOT / 'fixtures' / 'seeds.gold.json')!r}))
articles = load_articles([{str(ROOT / 'seeds')!r}]).articles[:2]
with FakeOpenAIServer(scripted(gold, articles)) as server:
    settings = ModelSettings(base_url=server.base_url, model="fake-model", use_cache=False)
    briefing = build_briefing(articles, date=dt.date(2025, 10, 26), settings=settings)
print(len(briefing.articles), briefing.metadata.reasks, "openai" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["2", "0", "False"]


def test_finished_summaries_share_their_field_sets_and_read_as_before():
    # pydantic gives every model its own set of the names of the fields it was given: half the
    # memory of a summary, 50 MB of a day of 10,000 held until the briefing is written.
    import copy

    from summarizer.schemas import Actor, ArticleSummary, Quote, settle

    quote = Quote(article_id="a1", text="Greer said", start=0, end=10, score=100)
    given = ArticleSummary(article_id="a1", summary="Talks go on.", actors=[Actor(name="Jamieson Greer", evidence=[quote])])
    text = given.model_dump_json()
    first, second = (settle(ArticleSummary.model_validate_json(text)) for _ in range(2))
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    assert first.actors[0].__pydantic_fields_set__ is second.actors[0].__pydantic_fields_set__
    assert first.actors[0].evidence[0].__pydantic_fields_set__ is second.actors[0].evidence[0].__pydantic_fields_set__
    assert first == given and first.model_dump_json() == text

    # Still a model like any other: set a field, copy, change the copy; the other summary is untouched.
    first.actors[0].role = "trade representative"
    changed = first.model_copy(update={"dropped": 2})
    deep = copy.deepcopy(first)
    deep.actors[0].name = "Greer"
    assert (changed.dropped, first.dropped, "dropped" in changed.model_fields_set) == (2, 0, True)
    assert second.actors[0].role == "" and first.actors[0].name == "Jamieson Greer" and deep.actors[0].name == "Greer"
    assert settle(copy.deepcopy(second)) == second
