"""The disk cache that makes reruns free.

It stores raw chat completions keyed by `ChatRequest.key` (endpoint, model,
template hash, schema, article text, generation parameters), so that a rerun
replays the exact same replies through the same validation and grounding, and
a re-ask sequence is replayed call by call. Entries hold the request labels and
the reply, never a key or header.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import diskcache
import platformdirs

from .calls import Backend, ChatReply, ChatRequest
from .providers import check_reply

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    return Path(
        os.environ.get("SUMMARIZER_CACHE_DIR") or platformdirs.user_cache_dir("summarizer", appauthor=False)
    )


def open_cache(folder: Path | str | None = None) -> diskcache.Cache:
    path = Path(folder) if folder else default_cache_dir()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return diskcache.Cache(str(path), size_limit=2**31)


class Cached:
    """Answers from the disk cache when it can, and stores what the model answers."""

    def __init__(self, inner: Backend, cache: diskcache.Cache) -> None:
        self.inner = inner
        self.cache = cache
        self.identity = inner.identity
        self.model = inner.model
        self.max_concurrency = inner.max_concurrency

    async def complete(self, request: ChatRequest) -> ChatReply:
        key = request.key(self.identity)
        try:
            hit = self.cache.get(key)
        except Exception as error:  # a damaged entry is a miss, not a failed run
            log.warning("cache entry %s unreadable (%s); asking the model", key[:12], error)
            hit = None
        if isinstance(hit, dict) and isinstance(hit.get("reply"), dict):
            return ChatReply(hit["reply"], source="cache")
        reply = check_reply(await self.inner.complete(request))
        try:
            self.cache.set(key, {"labels": request.labels, "reply": reply.data})
        except Exception as error:  # a full or read-only disk costs the cache, not the run
            log.warning("could not cache reply %s (%s)", key[:12], error)
        return reply

    async def aclose(self) -> None:
        await self.inner.aclose()


def cache_stats(cache: diskcache.Cache) -> dict[str, object]:
    return {
        "directory": cache.directory,
        "entries": len(cache),
        "size_bytes": cache.volume(),
    }
