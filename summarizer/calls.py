"""The single model call that every stage goes through, and the layers around it.

A stage builds a `ChatRequest` and awaits `backend.complete(request)`. What
answers (an OpenAI-compatible server, the embedded model, the disk cache, a
recorded fixture, a scripted fake) is decided once when the backend is composed
(`summarizer.backends.build_backend`); no stage knows which of them is in play.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from .errors import SummarizerError

ReplySource = Literal["model", "cache", "fixture", "fake"]

#: Request fields that are sent to the endpoint and decide its answer.
SENT_FIELDS = ("model", "messages", "response_format", "tools", "tool_choice")
PARAM_FIELDS = ("temperature", "top_p", "max_tokens", "seed", "stop")


@dataclass
class ChatRequest:
    """One chat completion request, in OpenAI's wire shape, plus labels.

    `labels` never reach the endpoint: they name the request in fixtures, logs
    and metrics (stage, article id, template name and hash).
    """

    body: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)

    def key(self, endpoint_identity: str) -> str:
        """Cache and fixture key: endpoint, model, template, schema, text, parameters.

        The rendered messages carry the article text and the template's output;
        the schema travels in response_format/tools; the template hash is added
        explicitly so that two templates never share an entry by accident. The
        API key is not part of the request and so never part of the key.
        """
        material = {
            "endpoint": endpoint_identity,
            "template_hash": self.labels.get("template_hash", ""),
            **{k: self.body.get(k) for k in SENT_FIELDS + PARAM_FIELDS if k in self.body},
        }
        blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass
class ChatReply:
    """A chat completion as JSON (OpenAI's shape), and where it came from."""

    data: dict[str, Any]
    source: ReplySource = "model"
    transport_attempts: int = 1

    @property
    def usage(self) -> tuple[int, int]:
        usage = self.data.get("usage") or {}
        return int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)


def subject(labels: dict[str, str]) -> str:
    """What a request is about, for messages: "article 000_ca7b..." or "briefing"."""
    stage = labels.get("stage", "model")
    article = labels.get("article_id")
    return f"{stage} {article}" if article else stage


class Backend(Protocol):
    """Anything that answers a ChatRequest."""

    #: Stable name of what answers, used in cache keys and run metadata
    #: (never a loopback port or a secret).
    identity: str
    model: str
    #: How many requests it serves at once (the embedded server serialises).
    max_concurrency: int

    async def complete(self, request: ChatRequest) -> ChatReply: ...

    async def aclose(self) -> None: ...


class ModelCallError(SummarizerError):
    """A model call that failed for good (after retries); the message is user-facing."""


class TransientCallError(ModelCallError):
    """A failure a second try may not meet: worth retrying (summarizer.retry)."""


class EmptyReply(TransientCallError):
    """A 200 answer with no choice in it: a server hiccup worth one more try."""


class SlowReply(TransientCallError):
    """No whole reply within the timeout, however the bytes trickled in."""


class Unreachable(TransientCallError):
    """The endpoint could not be reached (connection refused, DNS, reset before an answer)."""


class EndpointRefused(ModelCallError):
    """An answer that no retry and no other article can change (a bad key, an unknown model,
    no quota left): the run stops at the first one instead of asking again for every article."""


class EndpointUnreachable(EndpointRefused):
    """Still unreachable after every attempt: the same for every article, so the run stops."""


class NotAnOpenAIServer(EndpointRefused):
    """A 200 whose body is not a chat completion (an HTML page, a proxy's login form)."""


class ReplyTooLarge(ModelCallError):
    """A reply over the size bound: refused before it is read whole, never cached."""


@dataclass
class CallStats:
    """Counters for the run metadata, filled as calls go by."""

    model_calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    transport_retries: int = 0
    by_stage: dict[str, dict[str, int]] = field(default_factory=dict)

    def add_remembered(self, labels: dict[str, str], calls: int) -> None:
        """A fill answered from the cache as a whole: its calls count as cache hits."""
        stage = self.by_stage.setdefault(
            labels.get("stage", "other"), {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0}
        )
        stage["calls"] += calls
        self.cache_hits += calls

    def add(self, request: ChatRequest, reply: ChatReply) -> None:
        prompt, completion = reply.usage
        stage = self.by_stage.setdefault(
            request.labels.get("stage", "other"),
            {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0},
        )
        stage["calls"] += 1
        if reply.source == "cache":
            self.cache_hits += 1
            return
        self.model_calls += 1
        self.transport_retries += reply.transport_attempts - 1
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        stage["prompt_tokens"] += prompt
        stage["completion_tokens"] += completion
