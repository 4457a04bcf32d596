"""Composes the backend for a run: provider, then retries, cache and fixtures around it."""

from __future__ import annotations

import logging

from .cache import Cached, CacheUnusable, open_cache
from .calls import Backend
from .fixtures import Recording, Replaying
from .ratelimit import Throttled
from .retry import Retrying
from .settings import ModelSettings

log = logging.getLogger(__name__)


def provider(settings: ModelSettings) -> Backend:
    if settings.embedded:
        from .embedded import EmbeddedModel
        from .places import embedded_server_dir

        return EmbeddedModel(timeout=settings.timeout, idle=settings.embedded_idle,
                             shared=embedded_server_dir() if settings.embedded_shared else None)
    from .providers import OpenAICompatible

    identity, model = settings.endpoint_identity()
    return OpenAICompatible(
        model=model, base_url=settings.base_url, api_key=settings.api_key, timeout=settings.timeout, identity=identity,
    )


def build_backend(settings: ModelSettings) -> Backend:
    """provider -> concurrency and rate limit -> retries -> cache -> recording; or fixtures alone in replay.

    In batch mode the provider is `Collecting` under the cache: what the cache
    cannot answer waits for a batch (summarizer.batch).
    """
    settings.check()
    identity, model = settings.endpoint_identity()
    if settings.batch:
        from .batch import Collecting

        return Cached(Collecting(identity, model), open_cache(settings.cache_dir), secrets=(settings.api_key,))
    if settings.fixture_mode == "replay":
        assert settings.fixtures is not None  # settings.check()
        return Replaying(settings.fixtures, identity, model)
    inner = Throttled(provider(settings), settings.concurrency, settings.requests_per_minute)
    backend: Backend = Retrying(inner, settings.retry)
    if settings.use_cache:
        try:
            backend = Cached(backend, open_cache(settings.cache_dir), secrets=(settings.api_key,))
        except CacheUnusable as error:
            # The run is worth more than its cache: go on without, and say so.
            log.warning("%s; running without a cache", error)
    if settings.fixture_mode == "record":
        assert settings.fixtures is not None
        backend = Recording(backend, settings.fixtures, secrets=(settings.api_key,))
    return backend
