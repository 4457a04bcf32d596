"""A disk cache of finished fills: a layer over `StructuredClient.fill`, as `Cached` is over a call.

The call-level cache (summarizer.cache) already makes every model call of a
rerun free, but the rerun still goes through instructor, which imports the
openai package (0.7 s) and rebuilds its reply classes. This layer keeps, per
fill, the reply text it ended with, how it was read (strict, lenient,
salvaged) and how many calls it took; a rerun validates and grounds that text
again, so a change in the grounding rules is applied, and asks afresh when it
no longer validates. Recording and replaying runs never use it: a recording
must see every call, a replay answers from fixtures only.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .cache import WriteBehind
from .calls import CallStats, subject
from .lenient import loosely, salvage
from .providers import redact_stored
from .structured import Filled, StructuredClient, protected

T = TypeVar("T", bound=BaseModel)
log = logging.getLogger(__name__)


class RememberedFills:
    """Answers a fill from the cache when it can, and stores what the client filled."""

    def __init__(self, inner: StructuredClient, cache: Any) -> None:
        self.inner = inner
        self.cache = cache  # diskcache.Cache, the run's cache folder
        self.stored = WriteBehind(cache, "result")

    @property
    def stats(self) -> CallStats:
        return self.inner.stats

    @property
    def startup_seconds(self) -> float:
        return self.inner.startup_seconds

    async def fill(
        self,
        reply_model: type[T],
        messages: list[dict[str, str]],
        context: dict[str, Any],
        labels: dict[str, str],
        max_tokens: int,
    ) -> Filled:
        key = self.key(reply_model, messages, labels, max_tokens)
        remembered = self._recall(key, reply_model, context, labels)
        if remembered is not None:
            return remembered
        filled = await self.inner.fill(reply_model, messages, context, labels, max_tokens)
        if filled.content is not None:
            entry = {"labels": labels, "content": filled.content, "calls": filled.calls, "how": filled.how}
            await self.stored.store(key, redact_stored(json.dumps(entry, ensure_ascii=False)), subject(labels))
        return filled

    def flush(self) -> None:
        """Wait until every fill of the run is on disk."""
        self.stored.flush()

    def key(self, reply_model: type[BaseModel], messages: list[dict[str, str]], labels: dict[str, str], max_tokens: int) -> str:
        # Everything that decides the outcome of a fill: who answers, how it is
        # asked (mode, schema with its enums, messages, parameters) and how
        # often it may be re-asked.
        client = self.inner
        material = {
            "endpoint": client.backend.identity, "model": client.backend.model, "mode": client.mode,
            "max_retries": client.max_retries, "params": client.params, "max_tokens": max_tokens,
            "template_hash": labels.get("template_hash", ""), "messages": protected(messages),
            "schema": reply_model.model_json_schema(),
        }
        blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return "fill:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _recall(self, key: str, reply_model: type[T], context: dict[str, Any], labels: dict[str, str]) -> Filled | None:
        """The remembered fill, validated (and grounded) again; None if absent or no longer valid."""
        try:
            raw = self.stored.get(key)
            if raw is None:
                return None
            entry = json.loads(raw)
            content, calls, how = entry["content"], int(entry["calls"]), entry["how"]
        except Exception as error:
            log.warning("cache entry for the %s request is damaged (%s); asking again",
                        subject(labels), type(error).__name__)
            return None
        if how == "strict":
            try:
                value = reply_model.model_validate_json(content, context={**context, "lenient": False})
            except ValidationError:
                return None  # the grounding rules changed since: do it properly
        elif how == "lenient":
            value = loosely(reply_model, content, context)
        else:
            value = salvage(reply_model, content, context)
        if value is None:
            return None
        self.stats.add_remembered(labels, calls)
        log.info("call %s: from the cache of finished replies (%d call(s) saved)", subject(labels), calls)
        return Filled(value, calls, content, how)
