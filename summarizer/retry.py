"""Retries of transient transport failures, owned by tenacity.

Only failures that a second try can fix are retried: lost connections,
timeouts, 408/409/429 and 5xx answers, and a 200 that carries no choice. A 400
or a 401 is final. A 429 that says how long to wait (Retry-After) is obeyed,
within the same bound as backoff.

Two bounds hold whatever the server does: at most `attempts` tries, and at
most `max_seconds` for the whole call, waits and hung requests included (an
attempt still in flight when the time is up is cancelled).
Re-asking a model whose reply failed validation is a different thing, and
instructor owns it (summarizer.structured).
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from .calls import Backend, ChatReply, ChatRequest, EmptyReply, ModelCallError

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}


class OutOfTime(ModelCallError):
    """The call's time budget ran out while an attempt was in flight."""


def is_transient(error: BaseException) -> bool:
    if isinstance(error, EmptyReply):
        return True
    openai = sys.modules.get("openai")  # not imported means no openai error can be in play
    if openai is None:
        return False
    if isinstance(error, (openai.APIConnectionError, openai.APITimeoutError)):
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in RETRYABLE_STATUS or error.status_code >= 500
    return False


def retry_after_seconds(error: BaseException | None) -> float | None:
    """The wait a server asked for in its Retry-After header, if any (seconds form)."""
    response = getattr(error, "response", None)
    if response is None:
        return None
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # the HTTP-date form is rare from model APIs; fall back to backoff


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    max_seconds: float = 900.0  # the whole call, retries and waits included
    backoff_base: float = 0.5
    backoff_max: float = 20.0


class Retrying:
    """Wraps a backend; retries its transient failures with jittered backoff."""

    def __init__(self, inner: Backend, policy: RetryPolicy | None = None) -> None:
        self.inner = inner
        self.policy = policy or RetryPolicy()
        self.identity = inner.identity
        self.model = inner.model
        self.max_concurrency = inner.max_concurrency
        self._backoff = wait_random_exponential(
            multiplier=self.policy.backoff_base, max=self.policy.backoff_max
        )

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(error)
        wait = min(asked, self.policy.backoff_max) if asked is not None else self._backoff(state)
        # Never sleep past the call's budget: the next attempt would have no time left.
        remaining = self.policy.max_seconds - (state.seconds_since_start or 0.0)
        return max(0.0, min(wait, remaining))

    async def complete(self, request: ChatRequest) -> ChatReply:
        attempts = 0
        deadline = time.monotonic() + self.policy.max_seconds
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception(is_transient),
                stop=stop_after_attempt(self.policy.attempts) | stop_after_delay(self.policy.max_seconds),
                wait=self._wait,
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    remaining = deadline - time.monotonic()
                    try:
                        reply = await asyncio.wait_for(self.inner.complete(request), max(remaining, 0.001))
                    except TimeoutError:
                        raise OutOfTime(
                            f"no reply within the {self.policy.max_seconds:g}s budget for one call"
                        ) from None
        except (OutOfTime, EmptyReply) as error:
            tries = f" after {attempts} attempts" if attempts > 1 else ""
            raise ModelCallError(f"model call failed{tries}: {error}") from None
        except ModelCallError:
            raise
        except Exception as error:
            describe = getattr(self.inner, "describe_error", None)
            reason = describe(error) if describe else f"{type(error).__name__}: {error}"
            tries = f" after {attempts} attempts" if attempts > 1 else ""
            raise ModelCallError(f"model call failed{tries}: {reason}") from None
        reply.transport_attempts = attempts
        return reply

    async def aclose(self) -> None:
        await self.inner.aclose()
