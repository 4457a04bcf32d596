"""The remote path over real HTTP: openai client + instructor against a FAKE OpenAI-compatible server.

The server's replies are scripted from the hand-written reference (named fakes),
so these tests check the wiring, not a model: modes, headers, secrets.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from summarizer import ModelSettings, build_briefing
from summarizer.align import sentences

from .fake_openai_server import FakeOpenAIServer, article_of
from .test_briefing_with_gold_fakes import fake_article_reply

SECRET = "sk-test-" + "x" * 24


def scripted(gold, articles):
    by_id = {a.id: a for a in articles}

    def answer(body):
        subject = article_of(body)
        if subject != "briefing":
            return json.dumps(fake_article_reply(by_id[subject], gold))
        quote = sentences(by_id["000_ca7bab2cb521082e"].text)[0]
        return json.dumps({"headline": "Talks resume", "executive_summary": quote,
                           "key_developments": [{"text": quote, "evidence": [quote]}]})

    return answer


@pytest.mark.parametrize("mode", ["json_schema", "tools"])
def test_briefing_through_an_openai_compatible_server(gold, seed_articles, tmp_path, mode):
    with FakeOpenAIServer(scripted(gold, seed_articles)) as server:
        settings = ModelSettings(
            base_url=server.base_url, model="fake-model", api_key=SECRET, mode=mode, cache_dir=tmp_path / "cache"
        )
        briefing = build_briefing(seed_articles, date=dt.date(2025, 10, 26), settings=settings)
    assert {a.name for a in briefing.actors} >= {"Scott Bessent", "Jamieson Greer", "Xi Jinping"}
    assert briefing.metadata.model == "fake-model"
    assert briefing.metadata.provider == f"openai-compatible:{server.base_url}"
    bodies = [r["body"] for r in server.requests]
    assert len(bodies) == 6
    if mode == "json_schema":
        assert all(b["response_format"]["type"] == "json_schema" for b in bodies)
    else:
        assert all(b["tools"][0]["type"] == "function" for b in bodies)
    if mode == "json_schema":
        # Remote models quote freely: the article-sentence enum is for the embedded model only.
        schema = bodies[0]["response_format"]["json_schema"]["schema"]
        assert "enum" not in json.dumps(schema["$defs"]["ActorReply"]["properties"]["evidence"])
    headers = [{k.lower(): v for k, v in r["headers"].items()} for r in server.requests]
    assert all(h["authorization"] == f"Bearer {SECRET}" for h in headers)


def test_the_api_key_never_reaches_the_cache(gold, seed_articles, tmp_path):
    with FakeOpenAIServer(scripted(gold, seed_articles)) as server:
        settings = ModelSettings(base_url=server.base_url, model="fake-model", api_key=SECRET, cache_dir=tmp_path / "cache")
        build_briefing(seed_articles[:1], date=dt.date(2025, 10, 26), settings=settings)
    stored = b"".join(p.read_bytes() for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert stored and SECRET.encode() not in stored


def test_the_proxy_the_environment_names_is_used_unless_no_proxy_excludes_the_host(monkeypatch):
    from summarizer.providers import proxy_for

    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert proxy_for("https://api.openai.com/v1/chat/completions") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert proxy_for("https://api.openai.com/v1/chat/completions") == "http://proxy.internal:3128"
    assert proxy_for("http://127.0.0.1:8080/v1/chat/completions") is None  # and plain http has no proxy named
