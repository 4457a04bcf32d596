"""Faults from the model endpoint, injected on the wire by the FAKE server, and what the user gets.

Each test runs the real pipeline (openai client, tenacity, instructor,
grounding) against tests/fake_openai_server.py. The "model" there answers from
the hand-written reference (named fakes); the faults are scripted per article:
the first requests about article A fail in the listed way, later ones are
answered. Article B is never faulted, so every test also shows that one
article's trouble stays with that article.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from summarizer import ModelSettings, build_briefing
from summarizer.calls import EndpointRefused
from summarizer.retry import RetryPolicy

from .fake_openai_server import (
    CutBody,
    EchoHeaders,
    FakeOpenAIServer,
    Hang,
    Html,
    Huge,
    NoChoices,
    Reply,
    Reset,
    Status,
    Trickle,
    scripted_faults,
)
from .test_remote_endpoint import SECRET, scripted

DAY = dt.date(2025, 10, 26)
A, B = "000_ca7bab2cb521082e", "001_19300aa6ee5f6738"


def fast_settings(server: FakeOpenAIServer, **overrides) -> ModelSettings:
    """Tight bounds so faults play out in a second: 0.5 s per reply, 3 tries, 10 s per call."""
    values = dict(
        base_url=server.base_url, model="fake-model", api_key=SECRET, mode="json_schema",
        timeout=0.5, use_cache=False, max_retries=2,
        retry=RetryPolicy(attempts=3, max_seconds=10.0, backoff_base=0.01, backoff_max=2.0),
    )
    values.update(overrides)
    return ModelSettings(**values)


def run_with_faults(gold, seed_articles, faults, **overrides):
    articles = [a for a in seed_articles if a.id in (A, B)]
    good = scripted(gold, seed_articles)
    with FakeOpenAIServer(scripted_faults(faults, good)) as server:
        started = time.monotonic()
        briefing = build_briefing(articles, date=DAY, settings=fast_settings(server, **overrides))
        elapsed = time.monotonic() - started
    return briefing, server, elapsed


def summary_of(briefing, article_id):
    return next(s for s in briefing.articles if s.article_id == article_id)


# --- transient faults: retried by tenacity, then the article succeeds

TRANSIENT = {
    "429 with Retry-After": Status(429, retry_after="1"),
    "429 without Retry-After": Status(429),
    "500 Internal Server Error": Status(500),
    "502 Bad Gateway": Status(502),
    "503 Service Unavailable": Status(503),
    "connection reset": Reset(),
    "hang past the client timeout": Hang(5.0),
    "HTTP body cut short": CutBody(),
    "empty choices list": NoChoices(),
}


@pytest.mark.parametrize("name", list(TRANSIENT))
def test_a_transient_fault_is_retried_and_the_article_succeeds(gold, seed_articles, name, reliability):
    reliability("fault", name, "retried once, article succeeded; 1 transport retry in the run metadata")
    briefing, server, _ = run_with_faults(gold, seed_articles, {A: [TRANSIENT[name]]})
    assert briefing.metadata.failures == []
    assert {s.article_id for s in briefing.articles} == {A, B}
    assert briefing.metadata.transport_retries == 1
    assert server.calls_by_article()[A] == 2 and server.calls_by_article()[B] == 1
    if name == "429 with Retry-After":
        first, second = [s.at for s in server.seen if s.article == A]
        assert second - first >= 1.0  # the server's "wait 1 s" was obeyed


def test_latency_within_the_timeout_costs_nothing_but_time(gold, seed_articles, reliability):
    reliability("fault", "added latency (0.3 s, under the timeout)", "answered on the first try")
    slow = lambda body: Reply(scripted(gold, seed_articles)(body), delay=0.3)  # noqa: E731
    briefing, server, _ = run_with_faults(gold, seed_articles, {"*": [slow]})
    assert briefing.metadata.failures == [] and briefing.metadata.transport_retries == 0
    assert len(server.seen) == 3  # two articles and the briefing, once each


# --- persistent faults: a clear failure of that one article, within the bounds


def test_an_endpoint_that_keeps_failing_fails_that_article_after_the_attempt_bound(gold, seed_articles, reliability):
    reliability("fault", "500 on every try", "article failed after 3 attempts (the bound), others succeeded")
    briefing, server, _ = run_with_faults(gold, seed_articles, {A: [Status(500)] * 50})
    assert server.calls_by_article()[A] == 3  # attempts=3: no endless retry
    [failure] = briefing.metadata.failures
    assert failure.article_id == A and failure.stage == "article"
    assert failure.reason.startswith("model call failed after 3 attempts: HTTP 500 Internal Server Error")
    assert [s.article_id for s in briefing.articles] == [B]


def test_a_hanging_endpoint_is_cut_off_by_the_call_budget(gold, seed_articles, reliability):
    reliability("fault", "hang on every try", "article failed when its call budget (1.5 s) ran out")
    briefing, server, elapsed = run_with_faults(
        gold, seed_articles, {A: [Hang(30.0)] * 50},
        timeout=1.0, retry=RetryPolicy(attempts=10, max_seconds=1.5, backoff_base=0.01, backoff_max=0.1),
    )
    [failure] = briefing.metadata.failures
    assert failure.article_id == A
    assert "budget" in failure.reason or "timed out" in failure.reason.lower()
    assert server.calls_by_article()[A] <= 2  # a 1 s timeout fits at most twice in 1.5 s
    assert elapsed < 10  # bounded by configuration, not by the 30 s hang
    assert [s.article_id for s in briefing.articles] == [B]


def test_a_client_error_is_not_retried(gold, seed_articles, reliability):
    reliability("fault", "400 Bad Request", "not retried (1 request), article failed with the server's reason")
    briefing, server, _ = run_with_faults(gold, seed_articles, {A: [Status(400, message="context too long")] * 5})
    assert server.calls_by_article()[A] == 1
    [failure] = briefing.metadata.failures
    assert "400" in failure.reason and "context too long" in failure.reason


def test_an_error_that_echoes_the_key_is_reported_without_it(gold, seed_articles, reliability):
    reliability("fault", "401 whose body echoes the API key", "the run stops with one line; the key is redacted from it")
    echo = Status(401, message=f"Incorrect API key provided: {SECRET}. Header was Bearer {SECRET}")
    with pytest.raises(EndpointRefused) as stopped:
        run_with_faults(gold, seed_articles, {A: [echo] * 5})
    reason = str(stopped.value)
    assert "401" in reason and SECRET not in reason and "sk-" not in reason


# --- answers that no retry can change: the run stops at the first


REFUSALS = {
    "401 Unauthorized (a bad key)": Status(401, message="Incorrect API key provided"),
    "403 Forbidden": Status(403, message="not allowed"),
    "404 Not Found (an unknown model)": Status(404, message="The model `gpt-9` does not exist"),
    "429 insufficient_quota": Status(429, message="You exceeded your current quota", error_code="insufficient_quota"),
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_an_answer_no_retry_can_change_stops_the_run_at_once(gold, seed_articles, name, reliability):
    reliability("fault", f"{name} on every request", "one request, no retry; the run stops with one clear line")
    good = scripted(gold, seed_articles)
    with FakeOpenAIServer(scripted_faults({"*": [REFUSALS[name]] * 100}, good)) as server:
        started = time.monotonic()
        with pytest.raises(EndpointRefused) as stopped:
            build_briefing(seed_articles, date=DAY, settings=fast_settings(server, concurrency=1))
        elapsed = time.monotonic() - started
    assert len(server.seen) == 1 and elapsed < 5
    assert "refused" in str(stopped.value) and str(REFUSALS[name].code) in str(stopped.value)


def test_a_200_that_is_an_html_page_stops_the_run_naming_the_endpoint(gold, seed_articles, reliability):
    reliability("fault", "a 200 whose body is an HTML page", "one line: not an OpenAI-compatible server, naming the URL, not the key")
    good = scripted(gold, seed_articles)
    with FakeOpenAIServer(scripted_faults({"*": [Html()] * 100}, good)) as server:
        with pytest.raises(EndpointRefused) as stopped:
            build_briefing(seed_articles, date=DAY, settings=fast_settings(server, concurrency=1))
    reason = str(stopped.value)
    assert "did not answer as an OpenAI-compatible server" in reason and server.base_url in reason
    assert "text/html" in reason and SECRET not in reason and len(server.seen) == 1


def test_a_reply_that_trickles_in_is_cut_off_by_the_timeout(gold, seed_articles, reliability):
    reliability("fault", "a reply trickling in at 2 bytes a second", "--timeout bounds the whole reply; retried, then that article failed")
    slow = lambda body: Trickle(scripted(gold, seed_articles)(body))  # noqa: E731
    briefing, server, elapsed = run_with_faults(gold, seed_articles, {A: [slow] * 5}, timeout=1.0)
    [failure] = briefing.metadata.failures
    assert failure.article_id == A and "timeout" in failure.reason
    assert server.calls_by_article()[A] == 3 and elapsed < 8  # three attempts of about a second each
    assert [s.article_id for s in briefing.articles] == [B]


@pytest.mark.parametrize("declared", [True, False])
def test_a_reply_too_large_is_refused_and_never_cached(gold, seed_articles, tmp_path, declared, reliability):
    size = 300 * 1024 * 1024 if declared else 40 * 1024 * 1024
    reliability("fault", f"a 200 of {size // 2**20} MB ({'with' if declared else 'without'} Content-Length)",
                "refused past 8 MB as it is read; that article failed; nothing of it cached")
    import resource

    briefing, _, elapsed = run_with_faults(
        gold, seed_articles, {A: [Huge(size, declared)] * 5}, use_cache=True, cache_dir=tmp_path / "cache"
    )
    [failure] = briefing.metadata.failures
    assert failure.article_id == A and "refused and not cached" in failure.reason
    assert elapsed < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1_500_000  # KB: the 300 MB were never held
    stored = sum(p.stat().st_size for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert stored < 2 * 1024 * 1024


def test_a_reply_that_echoes_the_key_never_reaches_the_cache(gold, seed_articles, tmp_path, reliability):
    reliability("cache", "a 200 that echoes the request headers (Authorization: Bearer <key>)",
                "the key and the bearer token are redacted from the cache entry")
    echo = lambda body: EchoHeaders(scripted(gold, seed_articles)(body))  # noqa: E731
    briefing, _, _ = run_with_faults(gold, seed_articles, {"*": [echo] * 10}, use_cache=True, cache_dir=tmp_path / "cache")
    assert not briefing.metadata.failures
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert SECRET.encode() not in blob and b"Bearer sk-" not in blob


# --- bad replies: re-asked by instructor with the validation errors


def half(text: str) -> str:
    return text[: len(text) // 2]


def test_truncated_json_is_re_asked(gold, seed_articles, reliability):
    reliability("fault", "truncated JSON in the reply", "re-asked once, article succeeded (attempts=2)")
    cut = lambda body: Reply(half(scripted(gold, seed_articles)(body)))  # noqa: E731
    briefing, server, _ = run_with_faults(gold, seed_articles, {A: [cut]})
    assert briefing.metadata.failures == [] and briefing.metadata.reasks == 1
    assert summary_of(briefing, A).attempts == 2 and summary_of(briefing, A).actors
    # The re-ask carries the broken reply and what was wrong with it.
    first, second = [s.body["messages"] for s in server.seen if s.article == A]
    assert len(second) > len(first) and "json" in json.dumps(second[len(first):]).lower()


def test_json_that_violates_the_schema_is_re_asked(gold, seed_articles, reliability):
    reliability("fault", "JSON that violates the schema", "re-asked once, article succeeded (attempts=2)")
    wrong = Reply(json.dumps({"summary": 42, "actors": "nobody", "deadlines": [{"when": "soon"}]}))
    briefing, server, _ = run_with_faults(gold, seed_articles, {A: [wrong]})
    assert briefing.metadata.failures == []
    assert summary_of(briefing, A).attempts == 2 and summary_of(briefing, A).actors
    assert server.calls_by_article()[A] == 2


def test_a_reply_cut_off_at_max_tokens_is_re_asked(gold, seed_articles, reliability):
    reliability("fault", "finish_reason: length", "re-asked once, article succeeded (attempts=2)")
    cut = lambda body: Reply(half(scripted(gold, seed_articles)(body)), finish_reason="length")  # noqa: E731
    briefing, server, _ = run_with_faults(gold, seed_articles, {A: [cut]})
    assert briefing.metadata.failures == []
    assert summary_of(briefing, A).attempts == 2 and server.calls_by_article()[A] == 2


def test_a_reply_always_cut_off_keeps_its_complete_items(gold, seed_articles, reliability):
    reliability("fault", "finish_reason: length on every try", "asked 3 times, then the cut reply's complete items kept")
    full = json.loads(scripted(gold, seed_articles)(fake_body(A)))
    cut = lambda body: Reply(half(scripted(gold, seed_articles)(body)), finish_reason="length")  # noqa: E731
    briefing, server, _ = run_with_faults(gold, seed_articles, {A: [cut] * 10})
    assert briefing.metadata.failures == []
    assert server.calls_by_article()[A] == 3  # the first try and max_retries=2 more, each asking for less
    assert "cut off" in json.dumps([s for s in server.seen if s.article == A][1].body["messages"])
    kept = summary_of(briefing, A).actors
    assert 0 < len(kept) < len(full["actors"])  # the items before the cut, not the one it broke
    assert all(q.text in next(x.text for x in seed_articles if x.id == A) for a in kept for q in a.evidence)


def test_a_reply_cut_before_any_item_fails_that_article_clearly(gold, seed_articles, reliability):
    reliability("fault", "finish_reason: length, nothing complete", "article failed: 'reply cut off at max_tokens'")
    briefing, server, _ = run_with_faults(gold, seed_articles, {A: [Reply('{"summ', finish_reason="length")] * 10})
    [failure] = briefing.metadata.failures
    assert failure.article_id == A and "cut off at max_tokens" in failure.reason
    assert server.calls_by_article()[A] == 3


def fake_body(article_id: str) -> dict:
    return {"messages": [{"role": "user", "content": f'<article id="{article_id}">'}]}


def invented(article_id: str) -> str:
    # FAKE reply: people and quotes that appear nowhere in the article.
    return json.dumps({
        "summary": "Officials met.",
        "actors": [
            {"name": "Jay Z", "role": "rapper", "evidence": ["Jay Z announced a 500% tariff on pianos."]},
            {"name": "Mickey Mouse", "role": "mouse", "evidence": ["Mickey Mouse cancelled the truce."]},
        ],
        "deadlines": [{"date_text": "December 25", "event": "truce cancelled", "evidence": ["The truce ends on December 25."]}],
    })


def test_quotes_not_in_the_article_are_re_asked(gold, seed_articles, reliability):
    reliability("fault", "quotes that are not in the article", "re-asked with the grounding errors, article succeeded")
    briefing, server, _ = run_with_faults(gold, seed_articles, {A: [Reply(invented(A))]})
    assert briefing.metadata.failures == [] and summary_of(briefing, A).attempts == 2
    names = {a.name for a in briefing.actors}
    assert "Jay Z" not in names and "Mickey Mouse" not in names and "Scott Bessent" in names
    reask = [s for s in server.seen if s.article == A][1].body["messages"]
    assert "not supported by the text" in json.dumps(reask)


def test_quotes_never_in_the_article_are_dropped_and_counted(gold, seed_articles, reliability):
    reliability("fault", "quotes not in the article, on every try", "every invented item dropped and counted; none shown")
    briefing, _, _ = run_with_faults(gold, seed_articles, {A: [Reply(invented(A))] * 10})
    a = summary_of(briefing, A)
    assert a.actors == [] and a.deadlines == [] and a.dropped >= 3
    assert briefing.metadata.dropped_ungrounded >= 3
    shown = briefing.model_dump_json(exclude={"articles": {"__all__": {"dropped_reasons"}}})
    assert "Jay Z" not in shown and "Mickey Mouse" not in shown and "December 25" not in shown


def test_the_briefing_call_failing_keeps_the_merged_facts(gold, seed_articles, reliability):
    reliability("fault", "503 on every try of the briefing call", "briefing written from the merged facts; narrative failure listed")
    briefing, _, _ = run_with_faults(gold, seed_articles, {"briefing": [Status(503)] * 10})
    [failure] = briefing.metadata.failures
    assert failure.stage == "briefing" and "503" in failure.reason
    assert {s.article_id for s in briefing.articles} == {A, B} and briefing.actors and briefing.timeline
