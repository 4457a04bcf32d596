"""A lean FAKE OpenAI-compatible endpoint for the benchmark: asyncio, fixed latency, precomputed replies.

The test suite's fake server (tests/fake_openai_server.py) acts out faults
and builds each reply from the prompt; both cost CPU that the benchmark would
then count against `summarizer` on a small machine. This one only waits the
set latency and answers from replies computed before the clock starts, found
by the article id in the prompt, so what is measured is our side.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable

_ARTICLE_ID = re.compile(rb'<article id=\\?"([^"\\]+)\\?">')


def completion(content: str) -> bytes:
    return json.dumps({
        "id": "bench", "object": "chat.completion", "created": 0, "model": "bench",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 400, "completion_tokens": 120, "total_tokens": 520},
    }).encode()


class FakeEndpoint:
    """Serves POST /v1/chat/completions on 127.0.0.1 from a thread of its own."""

    def __init__(self, replies: dict[str, str], briefing_reply: str, latency: float,
                 other: Callable[[bytes], str] | None = None) -> None:
        """`other`: the reply content for a request that names no article (another tool's prompt)."""
        self.replies = {key.encode(): completion(value) for key, value in replies.items()}
        self.briefing = completion(briefing_reply)
        self.other = other
        self.latency = latency
        self.calls = 0
        self.first_request_at: float | None = None  # time.monotonic(), the same clock in every process
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # keep-alive: one connection, many requests
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                if self.first_request_at is None:
                    self.first_request_at = time.monotonic()
                body = await reader.readexactly(length)
                self.calls += 1
                match = _ARTICLE_ID.search(body)
                if match:
                    data = self.replies.get(match.group(1), self.briefing)
                else:
                    data = completion(self.other(body)) if self.other else self.briefing
                if self.latency:
                    await asyncio.sleep(self.latency)
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(data)).encode() + b"\r\n\r\n" + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def __enter__(self) -> FakeEndpoint:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)


def precomputed(articles: dict[str, str], reply: Callable[[str], str]) -> dict[str, str]:
    """article id -> reply content, computed once before the clock starts."""
    return {article_id: reply(text) for article_id, text in articles.items()}
