"""How many requests are in flight, and how fast they start: a layer around the provider.

`--concurrency` bounds the requests in flight, here at the call rather than
around a whole article: the slot is given back as soon as the reply arrives,
so the next request goes out while this reply is still being validated and
grounded. (Held around the whole article, the slot would make every request
wait for that work, and replies that arrive together would queue their
successors behind each other's grounding.)

`--rpm` spaces request starts evenly (60 / rpm seconds apart) rather than in
a burst at the top of each minute, so a provider that counts over a sliding
window never sees more than `rpm` in any minute.

The layer sits inside the retries: a retried request waits its turn too.
Cache hits never reach it.
"""

from __future__ import annotations

import asyncio
import time

from .calls import Backend, ChatReply, ChatRequest


class Throttled:
    def __init__(self, inner: Backend, concurrency: int, requests_per_minute: float | None = None) -> None:
        if requests_per_minute is not None and requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive")
        self.inner = inner
        self.identity = inner.identity
        self.model = inner.model
        self.max_concurrency = min(concurrency, inner.max_concurrency)
        self.interval = 60.0 / requests_per_minute if requests_per_minute else 0.0
        self._slots = asyncio.Semaphore(max(1, self.max_concurrency))
        self._next_start = 0.0
        self._clock = asyncio.Lock()

    async def _wait_for_start(self) -> None:
        if not self.interval:
            return
        async with self._clock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + self.interval
        if start > now:
            await asyncio.sleep(start - now)

    async def complete(self, request: ChatRequest) -> ChatReply:
        async with self._slots:
            await self._wait_for_start()
            return await self.inner.complete(request)

    def describe_error(self, error: BaseException) -> str:
        describe = getattr(self.inner, "describe_error", None)
        return describe(error) if describe else f"{type(error).__name__}: {error}"

    async def aclose(self) -> None:
        await self.inner.aclose()
