"""Transient failures are retried by tenacity (and only those); rendering shows what users read."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from summarizer.calls import ChatRequest, ModelCallError, Unreachable
from summarizer.fakes import FunctionModel
from summarizer.providers import StatusError
from summarizer.render import to_markdown
from summarizer.retry import Retrying, RetryPolicy
from summarizer.schemas import (
    Actor,
    ArticleSummary,
    Briefing,
    ConsolidatedActor,
    Quote,
    RunMetadata,
    TimelineEntry,
)

REQUEST = ChatRequest(body={"messages": []}, labels={"stage": "article"})
FAST = RetryPolicy(attempts=4, max_seconds=10, backoff_base=0.001, backoff_max=0.01)


def failing(errors: list[Exception]):
    def answer(request):
        if errors:
            raise errors.pop(0)
        return {"ok": True}

    return FunctionModel(answer)


def status_error(code: int, retry_after: str | None = None) -> StatusError:
    """What the provider raises for a non-2xx answer (summarizer.providers)."""
    headers = {"Retry-After": retry_after} if retry_after else {}
    reason = {429: "Too Many Requests", 500: "Internal Server Error", 401: "Unauthorized"}[code]
    return StatusError(code, reason, f"status {code}", headers=headers)


def test_transient_errors_are_retried_and_counted():
    connection = Unreachable("could not reach http://127.0.0.1/v1/chat/completions (ConnectionRefusedError)")
    backend = Retrying(failing([connection, status_error(500), status_error(429, "0")]), FAST)
    reply = asyncio.run(backend.complete(REQUEST))
    assert reply.transport_attempts == 4 and reply.data["choices"]


def test_a_call_leaves_no_reference_cycle_behind():
    # A cycle is freed only by the cycle collector, whose passes walk everything alive: with
    # tenacity's state left bound to each call's retrier, 10,000 calls left 360,000 such
    # objects (46 MB), and the passes that found them took 1.8 s of the run.
    import gc

    async def calls() -> None:
        backend = Retrying(failing([]), FAST)
        for _ in range(50):
            assert (await backend.complete(REQUEST)).transport_attempts == 1

    async def baseline() -> None:
        await asyncio.sleep(0)

    def cycles_left(run) -> int:
        gc.collect()
        gc.disable()
        try:
            asyncio.run(run())
            return gc.collect()
        finally:
            gc.enable()

    # (A retried call keeps its failure's traceback, a cycle of its frames: rare, and left as it is.)
    assert cycles_left(calls) == cycles_left(baseline)


def test_attempts_are_bounded():
    backend = Retrying(failing([status_error(500)] * 10), FAST)
    with pytest.raises(ModelCallError, match="after 4 attempts"):
        asyncio.run(backend.complete(REQUEST))


def test_auth_errors_are_not_retried_and_keys_are_redacted():
    fake = failing([status_error(401)] * 3)
    backend = Retrying(fake, FAST)
    with pytest.raises(ModelCallError) as error:
        asyncio.run(backend.complete(REQUEST))
    assert len(fake.requests) == 1
    assert "HTTP 401 Unauthorized" in str(error.value)


def test_retry_after_is_honoured_as_asked_within_the_call_budget(reliability):
    reliability("fault", "Retry-After of 86,400 s, and Retry-After as an HTTP-date",
                "both forms obeyed; a wait longer than the call's budget fails that call at once, saying so")
    import email.utils
    import time

    from tenacity import RetryCallState

    from summarizer.retry import WaitTooLong

    backend = Retrying(failing([]), RetryPolicy(backoff_max=5, max_seconds=900))
    state = RetryCallState(None, None, (), {})
    state.set_exception((StatusError, status_error(429, "3"), None))
    assert backend._retry(state) and backend._wait(state) == 3
    # Asked for more than the backoff ceiling, within the budget: waited as asked (another request
    # sooner would only be refused again).
    state.set_exception((StatusError, status_error(429, "120"), None))
    assert backend._retry(state) and backend._wait(state) == 120
    in_a_minute = email.utils.formatdate(time.time() + 60, usegmt=True)
    state.set_exception((StatusError, status_error(429, in_a_minute), None))
    assert 55 <= backend._wait(state) <= 61
    state.set_exception((StatusError, status_error(429, "86400"), None))
    with pytest.raises(WaitTooLong, match="asked to wait 86,400s"):
        backend._retry(state)


def test_markdown_shows_quotes_with_their_spans_and_the_run():
    quote = Quote(article_id="a1", text="The truce expires on November 10.", start=10, end=43, score=100)
    briefing = Briefing(
        date=dt.date(2025, 10, 26),
        headline="Truce nears its end",
        executive_summary="Talks continue.",
        actors=[ConsolidatedActor(name="Scott Bessent", aliases=["Besent"], role="Treasury Secretary", article_ids=["a1", "a2"], evidence=[quote])],
        timeline=[TimelineEntry(date=dt.date(2025, 11, 10), date_texts=["November 10"], event="Truce expires", kind="expiry", article_ids=["a1"], evidence=[quote])],
        metadata=RunMetadata(provider="fake", model="m", template="default", template_hash="abc", dropped_ungrounded=2),
    )
    md = to_markdown(briefing)
    assert md.startswith("# Truce nears its end")
    assert "**2025-11-10**: Truce expires" in md
    assert '> "The truce expires on November 10." [a1 @10-43]' in md
    # The affiliation column is empty for every actor: left out rather than shown empty.
    assert "| Actor | Role | Also written | Sources |" in md
    assert "| Scott Bessent | Treasury Secretary | Besent | 2 |" in md
    assert "items dropped as ungrounded: 2" in md


def test_a_briefing_file_holds_exactly_what_render_gives_written_as_utf8(tmp_path):
    # The JSON file is written from pydantic's bytes, and long text in pieces (44 MB at 10,000
    # articles was held twice over). The files must hold what `render` returns, to the byte:
    # non-ASCII text, a piece boundary inside a run of multi-byte characters, and the briefing
    # with and without `changes`.
    from summarizer import outputs
    from summarizer.render import render, render_for_file
    from summarizer.schemas import StoryChanges, json_pieces

    quote = Quote(article_id="a1", text="Gespräche in Genf – 北京 said “no” 🙂", start=0, end=30, score=100)
    briefing = Briefing(
        date=dt.date(2025, 10, 26), headline="Überblick: " + "é" * 3000, executive_summary="Talks continue.",
        actors=[ConsolidatedActor(name="Zoë Ñúñez", article_ids=["a1"], evidence=[quote])],
        metadata=RunMetadata(provider="fake", model="m", template="default", template_hash="abc"),
    )
    with_changes = briefing.model_copy(update={"changes": StoryChanges(since=dt.date(2025, 10, 25))})
    # The JSON's articles are written one by one (a day's 44 MB was made whole): laid out as in the whole.
    summaries = [
        ArticleSummary(article_id=f"a{i}", title="Zoë’s day" if i else None, published=dt.date(2025, 10, 25),
                       summary="北京 said “no”.\nA second line.", actors=[Actor(name="Zoë Ñúñez", evidence=[quote])] * i)
        for i in range(3)
    ]
    with_articles = [briefing.model_copy(update={"articles": summaries[:n]}) for n in (1, 3)]
    for b in (briefing, with_changes, *with_articles, with_articles[1].model_copy(update={"changes": StoryChanges(since=dt.date(2025, 10, 25))})):
        for kind in ("json", "md", "html"):
            target = tmp_path / f"out.{kind}"
            outputs.write_output(target, render_for_file(b, kind, {}))
            assert target.read_bytes() == render(b, kind, {}).encode("utf-8"), kind
        # The compact JSON the day cache stores, in the same pieces.
        assert b"".join(json_pieces(b)) == b.model_dump_json().encode("utf-8")
    assert '"changes"' not in render(briefing, "json") and '"changes"' in render(with_changes, "json")
    outputs._PIECE = 1000  # pieces that end inside "é" runs and multi-byte characters
    try:
        outputs.write_output(tmp_path / "small.md", render_for_file(briefing, "md", {}))
    finally:
        outputs._PIECE = 1 << 20
    assert (tmp_path / "small.md").read_bytes() == render(briefing, "md", {}).encode("utf-8")
