"""The disk cache that makes reruns free.

It stores raw chat completions keyed by `ChatRequest.key` (endpoint, model,
template hash, schema, article text, generation parameters), so that a rerun
replays the exact same replies through the same validation and grounding, and
a re-ask sequence is replayed call by call. Entries hold the request labels and
the reply, never a key or header.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
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


#: One writer thread for every cache of the process (the service opens one per request).
_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summarizer-cache")


class WriteBehind:
    """A diskcache.Cache written from a thread of its own, each batch of entries one transaction.

    Each write used to be a sqlite transaction on the event loop, and an article makes two (its
    reply, its fill): 100 articles at 500 ms a call took 0.5 s longer with a fresh cache than
    with none, the loop waiting on sqlite while replies queued. sqlite lets other threads run
    while it writes, and entries that arrive meanwhile go in the next transaction together. A
    caller awaits its entry's write (`store`), so an answer counts as done only once it is on
    disk: a run killed with SIGKILL still keeps every article it finished.
    """

    def __init__(self, cache: diskcache.Cache, kind: str) -> None:
        self.cache = cache
        # A warning per kind of entry ("reply", "result"): each kind is held back after a few on its own.
        self._warning = f"could not cache the %s {kind} (%s)"
        # key -> (value, whose entry it is for a warning, the future its writer awaits)
        self._pending: dict[str, tuple[str, str, Future[None]]] = {}
        self._lock = threading.Lock()
        self._draining = False

    def get(self, key: str) -> str | None:
        with self._lock:
            waiting = self._pending.get(key)
        return waiting[0] if waiting is not None else self.cache.get(key)

    async def store(self, key: str, value: str, whose: str) -> None:
        written: Future[None] = Future()
        with self._lock:
            self._pending[key] = (value, whose, written)
            start = not self._draining
            self._draining = True
        if start:
            _writer.submit(self._drain)
        await asyncio.wrap_future(written)

    def flush(self) -> None:
        _writer.submit(lambda: None).result()  # after any drain under way: one worker, in order

    def _drain(self) -> None:
        while True:
            with self._lock:
                batch = dict(self._pending)
                if not batch:
                    self._draining = False
                    return
            try:
                with self.cache.transact():
                    for key, (value, _, _) in batch.items():
                        self.cache.set(key, value)
            except Exception:
                self._one_by_one(batch)
            with self._lock:
                for key, entry in batch.items():
                    if self._pending.get(key) is entry:
                        del self._pending[key]
            for _, _, written in batch.values():
                written.set_result(None)

    def _one_by_one(self, batch: dict[str, tuple[str, str, Future[None]]]) -> None:
        for key, (value, whose, _) in batch.items():
            try:
                self.cache.set(key, value)
            except Exception as error:  # a full or read-only disk costs the cache, not the run
                log.warning(self._warning, whose, error)


class Cached:
    """Answers from the disk cache when it can, and stores what the model answers."""

    def __init__(self, inner: Backend, cache: diskcache.Cache, secrets: tuple[str | None, ...] = ()) -> None:
        self.inner = inner
        self.cache = cache
        self.stored = WriteBehind(cache, "reply")
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
        # Stored as JSON text, not pickled: an entry is data, never code to run.
        entry = json.dumps({"labels": request.labels, "reply": reply.data}, ensure_ascii=False)
        await self.stored.store(key, redact_stored(entry, *self.secrets), subject(request.labels))
        return reply

    def _read(self, key: str, request: ChatRequest) -> dict | None:
        """The cached reply, or None; a damaged entry is a miss that the next reply replaces."""
        try:
            raw = self.stored.get(key)
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
        self.stored.flush()
        await self.inner.aclose()


def cache_stats(cache: diskcache.Cache) -> dict[str, object]:
    return {
        "directory": cache.directory,
        "entries": len(cache),
        "size_bytes": cache.volume(),
    }
