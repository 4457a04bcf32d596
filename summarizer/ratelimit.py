"""A requests-per-minute limit for providers that set one, as a layer around the provider.

Requests are spaced evenly (60 / rpm seconds apart) rather than sent in a
burst at the top of each minute: a provider that counts over a sliding
window then never sees more than `rpm` in any minute, and latency stays
smooth. The layer sits inside the retries, so a retried request waits its
turn too.
"""

from __future__ import annotations

import asyncio
import time

from .calls import Backend, ChatReply, ChatRequest


class RateLimited:
    def __init__(self, inner: Backend, requests_per_minute: float) -> None:
        if requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive")
        self.inner = inner
        self.interval = 60.0 / requests_per_minute
        self.identity = inner.identity
        self.model = inner.model
        self.max_concurrency = inner.max_concurrency
        self._next_slot = 0.0
        self._lock = asyncio.Lock()

    async def _wait_for_slot(self) -> None:
        async with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)

    async def complete(self, request: ChatRequest) -> ChatReply:
        await self._wait_for_slot()
        return await self.inner.complete(request)

    def describe_error(self, error: BaseException) -> str:
        describe = getattr(self.inner, "describe_error", None)
        return describe(error) if describe else f"{type(error).__name__}: {error}"

    async def aclose(self) -> None:
        await self.inner.aclose()
