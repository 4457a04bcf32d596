"""The disk cache that makes reruns free.

It stores raw chat completions keyed by `ChatRequest.key` (endpoint, model,
template hash, schema, article text, generation parameters), so that a rerun
replays the exact same replies through the same validation and grounding, and
a re-ask sequence is replayed call by call. Entries hold the request labels and
the reply, never a key or header.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import diskcache
import platformdirs

from .calls import Backend, ChatReply, ChatRequest, subject
from .errors import SummarizerError
from .providers import check_reply, redact_stored

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    return Path(
        os.environ.get("SUMMARIZER_CACHE_DIR") or platformdirs.user_cache_dir("summarizer", appauthor=False)
    )


class CacheUnusable(SummarizerError):
    """The cache folder cannot be opened at all (not a folder, a damaged database...)."""


def open_cache(folder: Path | str | None = None) -> diskcache.Cache:
    path = Path(folder) if folder else default_cache_dir()
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.stat().st_uid == os.getuid():
            path.chmod(0o700)  # replies quote the user's articles: no one else reads them
        cache = diskcache.Cache(str(path), size_limit=2**31)
        cache.get("")  # a damaged database fails here rather than mid-run
        return cache
    except Exception as error:
        raise CacheUnusable(
            f"cache folder {path} unusable ({type(error).__name__}: {error}); delete it to start afresh"
        ) from None


class Cached:
    """Answers from the disk cache when it can, and stores what the model answers."""

    def __init__(self, inner: Backend, cache: diskcache.Cache, secrets: tuple[str | None, ...] = ()) -> None:
        self.inner = inner
        self.cache = cache
        self.secrets = secrets  # never stored, even when an endpoint echoes them in its reply
        self.identity = inner.identity
        self.model = inner.model
        self.max_concurrency = inner.max_concurrency

    async def complete(self, request: ChatRequest) -> ChatReply:
        key = request.key(self.identity)
        hit = self._read(key, request)
        if hit is not None:
            return ChatReply(hit, source="cache")
        reply = check_reply(await self.inner.complete(request))
        try:
            # Stored as JSON text, not pickled: an entry is data, never code to run.
            entry = json.dumps({"labels": request.labels, "reply": reply.data}, ensure_ascii=False)
            self.cache.set(key, redact_stored(entry, *self.secrets))
        except Exception as error:  # a full or read-only disk costs the cache, not the run
            log.warning("could not cache the %s reply (%s)", subject(request.labels), error)
        return reply

    def _read(self, key: str, request: ChatRequest) -> dict | None:
        """The cached reply, or None; a damaged entry is a miss that the next reply replaces."""
        try:
            raw = self.cache.get(key)
            if raw is None:
                return None
            entry = json.loads(raw)
            if not (isinstance(entry, dict) and isinstance(entry.get("reply"), dict) and entry["reply"].get("choices")):
                raise ValueError("not a stored reply")
            return entry["reply"]
        except Exception as error:
            log.warning(
                "cache entry for the %s request is damaged (%s: %s); asking the model again",
                subject(request.labels), type(error).__name__, str(error)[:80],
            )
            return None

    async def aclose(self) -> None:
        await self.inner.aclose()


def cache_stats(cache: diskcache.Cache) -> dict[str, object]:
    return {
        "directory": cache.directory,
        "entries": len(cache),
        "size_bytes": cache.volume(),
    }
