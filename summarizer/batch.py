"""Batch mode: the same pipeline, with its model calls sent through the OpenAI Batch API.

For daily runs of thousands of articles, the Batch API answers within 24 h
at half the price and without rate limits. Nothing about validation or
grounding changes; only who answers the calls.

The run goes in rounds:

1. The pipeline runs with `Collecting` in place of the provider, under the
   cache. Calls the cache can answer are answered; the others are noted and
   fail with `Deferred`, which fails that article (or the briefing) for this
   round only.
2. The noted requests are written as JSONL, uploaded and submitted as one
   batch, which is polled with backoff. Its id is kept in the cache, so that
   a rerun after a crash or Ctrl-C resumes polling it instead of submitting
   again (`--batch-id` attaches to a batch explicitly).
3. Every reply the batch returns goes into the cache under the request's own
   key, exactly where an online call would have put it.
4. The pipeline runs again. Replies now come from the cache and are
   validated and grounded as in the online path; a reply that needs a
   re-ask produces a new request, hence another round.

Article calls go first; the briefing call is sent only once every article is
settled, since its request depends on their summaries. Rounds are bounded.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .calls import CallStats, ChatReply, ChatRequest, ModelCallError
from .providers import redact, redact_stored

log = logging.getLogger(__name__)

ENDPOINT = "/v1/chat/completions"
FINISHED = {"completed", "failed", "expired", "cancelled"}


class Deferred(ModelCallError):
    """A call that will be answered by a batch, not now."""


class Collecting:
    """Stands in for the provider: notes each request it is asked and defers it to the batch."""

    max_concurrency = 1024

    def __init__(self, identity: str, model: str) -> None:
        self.identity = identity
        self.model = model
        self.pending: dict[str, ChatRequest] = {}
        self.failed: dict[str, str] = {}  # request key -> why its batch request failed

    async def complete(self, request: ChatRequest) -> ChatReply:
        key = request.key(self.identity)
        if key in self.failed:
            raise ModelCallError(self.failed[key])  # not sent again and again: it failed in its batch
        body = dict(request.body)
        body.setdefault("model", self.model)
        self.pending[key] = ChatRequest(body, request.labels)
        raise Deferred("waiting for the batch")

    def take(self) -> dict[str, ChatRequest]:
        taken, self.pending = self.pending, {}
        return taken

    async def aclose(self) -> None:
        return None


@dataclass
class BatchPolicy:
    poll_first: float = 2.0  # seconds before the first look
    poll_max: float = 60.0  # the longest wait between looks
    timeout: float = 26 * 3600.0  # the API promises 24 h
    max_rounds: int = 8


@dataclass
class BatchOutcome:
    batch_id: str
    replies: dict[str, dict[str, Any]] = field(default_factory=dict)  # request key -> completion
    errors: dict[str, str] = field(default_factory=dict)  # request key -> why it failed


def to_jsonl(requests: dict[str, ChatRequest]) -> bytes:
    lines = [
        json.dumps({"custom_id": key, "method": "POST", "url": ENDPOINT, "body": request.body}, ensure_ascii=False)
        for key, request in sorted(requests.items())
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def fingerprint(keys: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:24]


class BatchClient:
    """The Batch API endpoints, through the openai client (files, batches)."""

    def __init__(self, base_url: str | None, api_key: str | None, timeout: float = 120.0) -> None:
        import openai

        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout)
        self.api_key = api_key

    async def submit(self, requests: dict[str, ChatRequest]) -> str:
        uploaded = await self._client.files.create(file=("requests.jsonl", to_jsonl(requests)), purpose="batch")
        batch = await self._client.batches.create(
            input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window="24h",
            metadata={"source": "summarizer"},
        )
        return batch.id

    async def status(self, batch_id: str) -> Any:
        return await self._client.batches.retrieve(batch_id)

    async def lines(self, file_id: str | None) -> list[dict[str, Any]]:
        if not file_id:
            return []
        content = await self._client.files.content(file_id)
        return [json.loads(line) for line in content.text.splitlines() if line.strip()]

    async def aclose(self) -> None:
        await self._client.close()


async def wait_for(
    client: BatchClient, batch_id: str, policy: BatchPolicy, report: Callable[[str], None]
) -> BatchOutcome:
    """Poll with backoff until the batch is finished; its replies and per-request errors."""
    started, delay, last = time.monotonic(), policy.poll_first, None
    while True:
        batch = await client.status(batch_id)
        counts = getattr(batch, "request_counts", None)
        done = f", {counts.completed + counts.failed}/{counts.total} done" if counts else ""
        line = f"batch {batch_id}: {batch.status}{done}"
        if line != last:
            report(line)
            last = line
        if batch.status in FINISHED:
            break
        if time.monotonic() - started > policy.timeout:
            raise ModelCallError(f"batch {batch_id} still {batch.status} after {policy.timeout:.0f}s; "
                                 f"resume later with --batch-id {batch_id}")
        await asyncio.sleep(delay)
        delay = min(delay * 1.5, policy.poll_max)
    outcome = BatchOutcome(batch_id)
    if batch.status != "completed" and not getattr(batch, "output_file_id", None):
        reason = f"batch {batch_id} {batch.status}"
        errors = getattr(getattr(batch, "errors", None), "data", None) or []
        if errors:
            reason += f": {errors[0].message}"
        raise ModelCallError(reason)
    for line in await client.lines(getattr(batch, "output_file_id", None)):
        response = line.get("response") or {}
        if response.get("status_code") == 200 and (response.get("body") or {}).get("choices"):
            outcome.replies[line["custom_id"]] = response["body"]
        else:
            outcome.errors[line["custom_id"]] = _line_error(line)
    for line in await client.lines(getattr(batch, "error_file_id", None)):
        outcome.errors.setdefault(line["custom_id"], _line_error(line))
    return outcome


def _line_error(line: dict[str, Any]) -> str:
    error = line.get("error") or (line.get("response") or {}).get("body", {}).get("error") or {}
    status = (line.get("response") or {}).get("status_code")
    message = error.get("message") if isinstance(error, dict) else str(error)
    return f"batch request failed ({status or 'no status'}): {message or 'no reason given'}"


@dataclass
class BatchRun:
    """What the pipeline needs to run in rounds (Run.brief): the collector, the cache, the API."""

    collector: Collecting
    cache: Any  # diskcache.Cache, shared with the Cached layer
    client: BatchClient
    policy: BatchPolicy = field(default_factory=BatchPolicy)
    attach: str | None = None  # --batch-id: a batch submitted earlier
    report: Callable[[str], None] = print
    batch_ids: list[str] = field(default_factory=list)
    stats: CallStats = field(default_factory=CallStats)  # what the batches answered, by stage

    @classmethod
    def over(cls, backend: Any, settings: Any, attach: str | None = None,
             report: Callable[[str], None] = print) -> BatchRun:
        """The batch machinery for a backend built in batch mode: `Collecting` right under `Cached`
        (summarizer.backends.build_backend)."""
        collector, cache = backend.inner, backend.cache
        if not isinstance(collector, Collecting):
            raise TypeError("batch mode needs the backend build_backend composes for it")
        return cls(
            collector=collector, cache=cache, client=BatchClient(settings.base_url, settings.api_key),
            policy=BatchPolicy(poll_first=settings.batch_poll), attach=attach, report=report,
        )

    def account(self, meta: Any) -> None:
        """Set a briefing's counters to what the batches answered.

        The last round read every reply from the cache; the batches are where they came from.
        """
        meta.batches = list(self.batch_ids)
        meta.model_calls = self.stats.model_calls
        meta.cache_hits = max(0, meta.cache_hits - self.stats.model_calls)
        meta.prompt_tokens, meta.completion_tokens = self.stats.prompt_tokens, self.stats.completion_tokens
        for stage, counts in self.stats.by_stage.items():
            mine = meta.tokens_by_stage.setdefault(stage, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0})
            mine["prompt_tokens"] += counts["prompt_tokens"]
            mine["completion_tokens"] += counts["completion_tokens"]

    async def settle(self, requests: dict[str, ChatRequest]) -> dict[str, str]:
        """Get `requests` answered through one batch; their replies land in the cache. Errors by key."""
        try:
            return await self._settle(requests)
        except ModelCallError:
            raise
        except Exception as error:  # the Batch API's own failures (auth, not found...), in one line
            raise ModelCallError(f"batch API: {redact(f'{type(error).__name__}: {error}')}") from None

    async def _settle(self, requests: dict[str, ChatRequest]) -> dict[str, str]:
        key = "batch:pending:" + fingerprint(list(requests))
        batch_id = self.attach or self.cache.get(key)
        self.attach = None
        if batch_id:
            self.report(f"batch {batch_id}: resuming")
        else:
            batch_id = await self.client.submit(requests)
            self.cache.set(key, batch_id)
            self.report(f"batch {batch_id}: submitted {len(requests)} request(s); "
                        f"if interrupted, rerun the same command to resume it")
        self.batch_ids.append(batch_id)
        outcome = await wait_for(self.client, batch_id, self.policy, self.report)
        for request_key, completion in outcome.replies.items():
            request = requests.get(request_key, ChatRequest({}, {}))
            entry = json.dumps({"labels": request.labels, "reply": completion}, ensure_ascii=False)
            self.cache.set(request_key, redact_stored(entry, self.client.api_key))
            self.stats.add(request, ChatReply(completion))
        self.cache.delete(key)
        self.collector.failed.update(outcome.errors)
        return outcome.errors
