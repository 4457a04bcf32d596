"""Retries of transient transport failures, owned by tenacity.

Only failures that a second try can fix are retried: lost connections,
timeouts, a reply that broke off or trickled past the timeout, 408/409/429 and
5xx answers, and a 200 that carries no choice. A 400 is final for its call; a
401/403/404 or a 429 `insufficient_quota` is final for the run
(EndpointRefused: summarizer.pipeline stops at the first). A Retry-After
header (seconds or an HTTP-date) is obeyed as asked; when it asks for more
than the call has left, the call fails at once and says so.

Two bounds hold whatever the server does: at most `attempts` tries, and at
most `max_seconds` for the whole call, waits and hung requests included (an
attempt still in flight when the time is up is cancelled).
Re-asking a model whose reply failed validation is a different thing, and
instructor owns it (summarizer.structured).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

from .calls import Backend, ChatReply, ChatRequest, EndpointUnreachable, ModelCallError, TransientCallError, Unreachable
from .offload import within
from .providers import StatusError, refusal

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}


class OutOfTime(ModelCallError):
    """The call's time budget ran out while an attempt was in flight."""


def is_transient(error: BaseException) -> bool:
    if isinstance(error, TransientCallError):
        return True
    if isinstance(error, StatusError):
        if refusal(error) is not None:
            return False
        return error.status_code in RETRYABLE_STATUS or error.status_code >= 500
    return False


def retry_after_seconds(error: BaseException | None) -> float | None:
    """The wait a server asked for in its Retry-After header, in seconds: delay-seconds or an HTTP-date."""
    value = error.headers.get("retry-after") if isinstance(error, StatusError) else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    max_seconds: float = 900.0  # the whole call, retries and waits included
    backoff_base: float = 0.5
    backoff_max: float = 20.0


def _hint(message: str) -> str:
    if any(host in message for host in ("://127.", "://localhost", "://[::1]", "://0.0.0.0")):
        return "; is the server (Ollama, llama.cpp, vLLM...) running on that port?"
    return "; check --base-url and the network"


class WaitTooLong(ModelCallError):
    """The server asked for a wait longer than what is left of the call's budget."""


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

    def _remaining(self, state: RetryCallState) -> float:
        return self.policy.max_seconds - (state.seconds_since_start or 0.0)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(error)
        # The server's Retry-After is obeyed as asked (_retry has checked it fits the budget);
        # otherwise backoff, never sleeping past the budget: the next attempt would have no time left.
        wait = asked if asked is not None else self._backoff(state)
        return max(0.0, min(wait, self._remaining(state)))

    def _retry(self, state: RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        if error is None or not is_transient(error):
            return False
        asked = retry_after_seconds(error)
        if asked is not None and asked > self._remaining(state):
            # Waiting less than asked would be refused again; waiting as asked would break the budget.
            raise WaitTooLong(
                f"the server asked to wait {asked:,.0f}s before trying again (Retry-After), more than the "
                f"{max(0.0, self._remaining(state)):,.0f}s left of this call's budget (--call-budget)"
            )
        return True

    async def complete(self, request: ChatRequest) -> ChatReply:
        attempts = 0
        deadline = time.monotonic() + self.policy.max_seconds

        async def attempt() -> ChatReply:
            nonlocal attempts
            attempts += 1
            remaining = deadline - time.monotonic()
            try:
                return await within(self.inner.complete(request), max(remaining, 0.001))
            except TimeoutError:
                raise OutOfTime(f"no reply within the {self.policy.max_seconds:g}s budget for one call") from None

        retrying = AsyncRetrying(
            retry=self._retry,
            stop=stop_after_attempt(self.policy.attempts) | stop_after_delay(self.policy.max_seconds),
            wait=self._wait,
            reraise=True,
        )
        try:
            reply = await retrying(attempt)
        except (OutOfTime, TransientCallError) as error:
            tries = f" after {attempts} attempts" if attempts > 1 else ""
            if isinstance(error, Unreachable):
                # Nobody answers there: every other article would wait out the same retries.
                raise EndpointUnreachable(f"{error}{tries}{_hint(str(error))}") from None
            raise ModelCallError(f"model call failed{tries}: {error}") from None
        except ModelCallError:
            raise
        except Exception as error:
            describe = getattr(self.inner, "describe_error", None)
            reason = describe(error) if describe else f"{type(error).__name__}: {error}"
            tries = f" after {attempts} attempts" if attempts > 1 else ""
            raise ModelCallError(f"model call failed{tries}: {reason}") from None
        finally:
            # tenacity keeps the last step's actions, bound to `retrying`, in `retrying`'s own state:
            # a reference cycle of 36 objects a call that only the cycle collector could free. At
            # 10,000 calls its passes took 1.8 s of a run (one of them 0.75 s, every call waiting).
            retrying.iter_state.reset()
        reply.transport_attempts = attempts
        return reply

    async def aclose(self) -> None:
        await self.inner.aclose()
