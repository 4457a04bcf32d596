"""Composes the backend for a run: provider, then retries, cache and fixtures around it."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .cache import Cached, CacheUnusable, open_cache
from .calls import Backend
from .errors import UsageError
from .fixtures import Recording, Replaying
from .ratelimit import Throttled
from .retry import Retrying, RetryPolicy

log = logging.getLogger(__name__)


class SettingsError(UsageError):
    """Settings that cannot work together; the message is user-facing."""

FixtureMode = Literal["off", "record", "replay"]


@dataclass
class ModelSettings:
    """Which model answers, and how. Nothing here is ever written to disk but `model` and `base_url`."""

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    mode: str | None = None  # tools | json_schema | json | md_json; chosen per provider when None
    timeout: float = 600.0
    max_retries: int = 2  # re-asks after a reply fails validation
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    cache_dir: Path | None = None
    use_cache: bool = True
    fixtures: Path | None = None
    fixture_mode: FixtureMode = "off"
    constrain_quotes: bool | None = None  # offer article sentences as an enum; default: embedded only
    context_tokens: int | None = None  # the model's context window; longer articles are chunked
    requests_per_minute: float | None = None  # the provider's rate limit, if it sets one
    concurrency: int = 4  # requests in flight at once
    batch: bool = False  # answer model calls through the OpenAI Batch API (summarizer.batch)

    #: What a remote model is assumed to hold when nobody says (most current
    #: hosted models hold more; a local Ollama model may hold less: set it).
    DEFAULT_REMOTE_CONTEXT = 32768

    @classmethod
    def from_env(cls, **overrides) -> ModelSettings:
        values = {
            "model": os.environ.get("SUMMARIZER_MODEL"),
            "base_url": os.environ.get("OPENAI_BASE_URL"),
            "api_key": os.environ.get("OPENAI_API_KEY"),
            "context_tokens": _number(os.environ.get("SUMMARIZER_CONTEXT_TOKENS")),
            "requests_per_minute": _number(os.environ.get("SUMMARIZER_RPM")),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def embedded(self) -> bool:
        """Nothing configured means the embedded local model."""
        return not (self.base_url or self.api_key or self.model)

    @property
    def is_openai(self) -> bool:
        return not self.embedded and (not self.base_url or "api.openai.com" in self.base_url)

    def instructor_mode(self) -> str:
        if self.mode:
            return self.mode
        return "tools" if self.is_openai else "json_schema"

    def context_window(self) -> int:
        if self.context_tokens:
            return self.context_tokens
        if self.embedded:
            from .embedded import CONTEXT_TOKENS

            return CONTEXT_TOKENS
        return self.DEFAULT_REMOTE_CONTEXT

    def token_counter(self):
        """Exact counts from the embedded model's own vocabulary; an estimate for any other model."""
        from .tokens import embedded_tokens, estimate_tokens

        return embedded_tokens if self.embedded else estimate_tokens

    def quotes_constrained(self) -> bool:
        return self.embedded if self.constrain_quotes is None else self.constrain_quotes


def _number(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def provider(settings: ModelSettings) -> Backend:
    if settings.embedded:
        from .embedded import EmbeddedModel

        return EmbeddedModel(timeout=settings.timeout)
    from .providers import OpenAICompatible

    return OpenAICompatible(
        model=settings.model or "gpt-4o-mini",
        base_url=settings.base_url,
        api_key=settings.api_key,
        timeout=settings.timeout,
    )


def endpoint_identity(settings: ModelSettings) -> tuple[str, str]:
    """(identity, model) without starting anything: replay needs no server."""
    if settings.embedded:
        from .embedded import IDENTITY, MODEL_NAME

        return IDENTITY, MODEL_NAME
    base = (settings.base_url or "https://api.openai.com/v1").rstrip("/")
    return f"openai-compatible:{base}", settings.model or "gpt-4o-mini"


def build_backend(settings: ModelSettings) -> Backend:
    """provider -> concurrency and rate limit -> retries -> cache -> recording; or fixtures alone in replay."""
    if settings.batch:
        from .batch import Collecting

        if not settings.use_cache:
            raise SettingsError("--batch keeps the batch's replies in the cache; it cannot run with --no-cache")
        if settings.embedded:
            raise SettingsError("--batch needs an endpoint with the Batch API (--base-url or OPENAI_API_KEY)")
        identity, model = endpoint_identity(settings)
        return Cached(Collecting(identity, model), open_cache(settings.cache_dir))
    if settings.fixture_mode == "replay":
        if settings.fixtures is None:
            raise ValueError("replay needs a fixtures folder")
        identity, model = endpoint_identity(settings)
        return Replaying(settings.fixtures, identity, model)
    inner = Throttled(provider(settings), settings.concurrency, settings.requests_per_minute)
    backend: Backend = Retrying(inner, settings.retry)
    if settings.use_cache:
        try:
            backend = Cached(backend, open_cache(settings.cache_dir))
        except CacheUnusable as error:
            # The run is worth more than its cache: go on without, and say so.
            log.warning("%s; running without a cache", error)
    if settings.fixture_mode == "record":
        if settings.fixtures is None:
            raise ValueError("record needs a fixtures folder")
        backend = Recording(backend, settings.fixtures)
    return backend
