"""Concurrency as the user sets it: bounded, rate-limited, serialised for the embedded model, with truthful progress.

The endpoint is the FAKE server (tests/fake_openai_server.py) answering with
the FAKE echo model (tests/echo_model.py); nothing here times the machine,
only counts what the server saw at once and how far apart.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from bench.synthetic import write_articles
from summarizer import ModelSettings, abuild_briefing, build_briefing
from summarizer.fakes import FunctionModel

from .echo_model import echo_reply
from .fake_openai_server import FakeOpenAIServer, Reply

DAY = dt.date(2025, 10, 26)


def articles(tmp_path, count):
    return write_articles(tmp_path / "in", count)


def slow_echo(body):
    return Reply(echo_reply(body), delay=0.1)


def settings(server, **extra):
    return ModelSettings(base_url=server.base_url, model="echo", mode="json_schema", use_cache=False, **extra)


def test_no_more_requests_in_flight_than_the_concurrency(tmp_path):
    paths = articles(tmp_path, 12)
    with FakeOpenAIServer(slow_echo) as server:
        briefing = build_briefing(paths, date=DAY, settings=settings(server), concurrency=3)
    assert len(briefing.articles) == 12
    assert server.max_in_flight == 3


def test_a_rate_limit_spaces_the_requests(tmp_path):
    paths = articles(tmp_path, 5)
    with FakeOpenAIServer(echo_reply) as server:
        build_briefing(paths, date=DAY, settings=settings(server, requests_per_minute=600), concurrency=8)
    arrivals = [s.at for s in server.seen]
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    # 600 per minute: one every 0.1 s, even with 8 slots. The first gap is left
    # out: the first call imports the openai client, which delays it alone.
    assert len(arrivals) == 6 and min(gaps[1:]) >= 0.09


def test_a_backend_that_serves_one_at_a_time_gets_one_at_a_time(tmp_path):
    # The embedded server answers one request at a time; asking more would only queue in its socket.
    paths = articles(tmp_path, 6)
    now, most = 0, 0

    async def one_at_a_time(request):
        nonlocal now, most
        now += 1
        most = max(most, now)
        await asyncio.sleep(0.01)
        now -= 1
        return echo_reply(request.body)

    model = FunctionModel(one_at_a_time)
    model.max_concurrency = 1
    asyncio.run(abuild_briefing(paths, date=DAY, settings=ModelSettings(model="x", mode="json_schema"), backend=model, concurrency=16))
    assert most == 1 and len(model.requests) == 7


def test_progress_reports_every_article_once_and_the_briefing_waits_for_all(tmp_path):
    paths = articles(tmp_path, 8)
    events = []
    with FakeOpenAIServer(slow_echo) as server:
        build_briefing(paths, date=DAY, settings=settings(server), concurrency=4,
                       progress=lambda event, article_id: events.append((event, article_id)))
        briefing_arrival = next(s.at for s in server.seen if s.article == "briefing")
        last_article = max(s.at for s in server.seen if s.article != "briefing")
    done = [a for e, a in events if e == "done"]
    assert sorted(done) == sorted(p.stem for p in paths) and len(done) == len(set(done))
    assert [e for e, _ in events].count("start") == 8
    assert briefing_arrival > last_article


def test_requests_waiting_for_a_slot_go_out_before_the_replies_that_freed_it_are_read():
    # A burst of replies (calls sent together come back together) must not keep the next requests
    # waiting while each reply is validated and grounded: the slots would idle for the whole burst.
    from summarizer.calls import ChatRequest
    from summarizer.ratelimit import Throttled

    events: list[str] = []

    async def main() -> None:
        burst = asyncio.Event()

        async def answer(request):
            events.append(f"sent {request.labels['n']}")
            if request.labels["n"] in ("1", "2"):
                await burst.wait()  # the first two come back together
            return {"ok": True}

        throttled = Throttled(FunctionModel(answer), concurrency=2)

        async def call(n: int) -> None:
            await throttled.complete(ChatRequest({"messages": []}, {"n": str(n)}))
            events.append(f"read {n}")

        calls = [asyncio.ensure_future(call(n)) for n in (1, 2, 3, 4)]
        await asyncio.sleep(0.01)
        burst.set()
        await asyncio.gather(*calls)

    asyncio.run(main())
    assert events[:2] == ["sent 1", "sent 2"]
    assert events.index("sent 3") < events.index("read 1") and events.index("sent 4") < events.index("read 1")


def test_a_run_uses_the_shared_embedded_server_while_it_is_busy_rather_than_starting_another(tmp_path, monkeypatch):
    # Two runs at once: the first starts the shared server and sends its request; the server,
    # generating, answers nothing else for a while. The second run must still take that server
    # (it is alive and listening), not start a second one on the same cores.
    import json
    import os
    import socket
    import subprocess

    import pytest

    pytest.importorskip("llama_cpp", reason="needs the 'local' extra")
    from summarizer import embedded

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(8)  # accepts connections, never answers a request: a server busy generating
    port = busy.getsockname()[1]
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "server.json").write_text(json.dumps({"pid": os.getpid(), "port": port, "model": str(embedded.gguf_path())}))

    def no_second_server(*args, **kwargs):
        raise AssertionError("started a second embedded server")

    monkeypatch.setattr(subprocess, "Popen", no_second_server)
    server = embedded.SharedServer(folder)
    try:
        server.start()
        assert (server.port, server.pid) == (port, os.getpid())
    finally:
        busy.close()


def test_the_first_request_goes_out_before_every_other_prompt_is_rendered(tmp_path, monkeypatch):
    # A day of 60 articles with 64 allowed in flight: the first request must not wait for the
    # other 59 prompts to be rendered (it did: all were, before the first connection was made).
    from summarizer.templates import Template

    rendered = [0]
    at_first_request: list[int] = []
    messages = Template.messages

    def counted(self, *args, **kwargs):
        rendered[0] += 1
        return messages(self, *args, **kwargs)

    def answer(body):
        if not at_first_request:
            at_first_request.append(rendered[0])
        return echo_reply(body)

    monkeypatch.setattr(Template, "messages", counted)
    paths = articles(tmp_path, 60)
    with FakeOpenAIServer(answer) as server:
        briefing = build_briefing(paths, date=DAY, settings=settings(server), concurrency=64)
    assert len(briefing.articles) == 60 and rendered[0] >= 60
    assert at_first_request[0] <= 10, at_first_request
