"""Filling a reply model through instructor, over whatever backend is in play.

instructor owns the loop "send, validate against the reply model, re-ask with
the errors". Our validators (summarizer.extract, summarizer.synthesize) ground
each item against the article text carried in instructor's validation
context, drop the items that fail, and reject the whole reply only when it is
malformed or when most of its items fail, which triggers a re-ask. When the
re-asks are spent, the last reply is parsed once more in lenient mode: what is
grounded is kept, the rest is dropped and counted, never shown.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import re
import sys
import textwrap
import time
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import instructor
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ValidationError

from .calls import Backend, CallStats, ChatRequest, ModelCallError, subject
from .lenient import loosely, salvage
from .schemas import validation_context

T = TypeVar("T", bound=BaseModel)

# instructor logs every failed attempt at ERROR level; a re-ask is routine here,
# and the outcome is reported in the run metadata instead.
logging.getLogger("instructor").setLevel(logging.CRITICAL)
log = logging.getLogger(__name__)

#: Our mode names -> instructor's mode, and whether the request needs the
#: llama-cpp-python rewrite (done by the backend that talks to such a server).
MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}

@dataclass
class _FillState:
    """What one fill has done so far: calls made, and the text of the last reply."""

    calls: int = 0
    last_content: str | None = None


_fill_state: contextvars.ContextVar[_FillState] = contextvars.ContextVar("fill_state")


class Filler(Protocol):
    """Anything that fills a reply model: StructuredClient, or a layer over it (summarizer.fillcache)."""

    stats: CallStats
    startup_seconds: float

    async def fill(
        self, reply_model: type[T], messages: list[dict[str, str]], context: dict[str, Any],
        labels: dict[str, str], max_tokens: int,
    ) -> Filled: ...


def protect_from_templating(text: str) -> str:
    """Text as it was handed to instructor's templating, when it was: now only part of fill-cache keys.

    instructor used to get a validation context and render every message as a
    Jinja template, so each "{" became an expression rendering back to "{".
    It gets no context now (see `as_sent`); the fill cache still keys on this
    form so that fills remembered before stay found.
    """
    return text.replace("{", "{{ '{' }}")


def protected(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{**m, "content": protect_from_templating(m["content"])} for m in messages]


_NEWLINE = re.compile(r"\r\n|\r|\n")


def as_sent(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The messages exactly as instructor's templating would have sent them, without rendering them.

    Given a validation context, instructor renders each message as a Jinja template and dedents
    it: newlines become "\n", one trailing newline goes, common indentation and whitespace-only
    lines go. Rendering costs 1.6 ms a call (a template compiled per message), so the grounding
    context now travels in a context variable and instructor gets none; the messages are
    transformed here the same way, so the requests (and every cache key and fixture) are
    unchanged.
    """
    out = []
    for message in messages:
        lines = _NEWLINE.split(message["content"])
        if lines and lines[-1] == "":
            del lines[-1]
        out.append({**message, "content": textwrap.dedent("\n".join(lines))})
    return out



@dataclass
class Filled:
    """A validated reply and how it was obtained."""

    value: BaseModel
    calls: int
    content: str | None = None  # the reply text it was read from
    how: str = "strict"  # strict | lenient (after the re-asks) | salvaged (cut off at max_tokens)


class StructuredClient:
    """Fills reply models; every call goes through `backend.complete`."""

    def __init__(
        self,
        backend: Backend,
        mode: str = "json_schema",
        max_retries: int = 2,
        params: dict[str, Any] | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self.backend = backend
        self.mode = mode
        self.max_retries = max_retries
        self.params = {"temperature": 0.0, **(params or {})}
        self.stats = CallStats()
        self.startup_seconds = 0.0
        self._create = instructor.patch(create=self._complete, mode=MODES[mode])

    async def _complete(self, **kwargs: Any) -> Any:
        labels = kwargs.pop("summarizer_labels", {})
        body = {key: value for key, value in kwargs.items() if value is not None}
        request = ChatRequest(body=body, labels=labels)
        state = _fill_state.get(None)
        if state is not None:
            state.calls += 1
        started = time.perf_counter()
        reply = await self.backend.complete(request)
        self.stats.add(request, reply)
        prompt, completion = reply.usage
        # --verbose: one line per call, never the messages or a header (so never a key).
        log.info("call %s: %s %s, %d+%d tokens, %.2fs, from the %s", subject(labels), self.backend.identity,
                 body.get("model") or self.backend.model, prompt, completion, time.perf_counter() - started,
                 reply.source)
        if state is not None:
            state.last_content = _content_of(reply.data)
        from openai.types.chat import ChatCompletion  # instructor has imported openai by now

        return ChatCompletion.model_validate(reply.data)

    async def fill(
        self,
        reply_model: type[T],
        messages: list[dict[str, str]],
        context: dict[str, Any],
        labels: dict[str, str],
        max_tokens: int,
    ) -> Filled:
        """Send, validate, re-ask; a reply cut off at max_tokens is asked again more briefly.

        instructor does not re-ask a reply that hit the token limit, and
        asking the same thing again would get the same cut. So the request
        is repeated with a note asking for fewer, shorter items; if every try
        is cut, the complete items of the last reply are kept (grounded as
        usual) rather than losing the article.
        """
        self._load_model_client()
        return await self._fill_uncached(reply_model, messages, as_sent(messages), context, labels, max_tokens)

    def _load_model_client(self) -> None:
        """Import what a real call needs (instructor's path imports the openai package), once, timed.

        A fully cached run never gets here and never pays for it; a run that
        calls the model pays once, and the run metadata shows it as start-up
        rather than smeared over the first article.
        """
        if "openai.types.chat" in sys.modules:
            return
        started = time.perf_counter()
        import importlib

        # What the first call would otherwise import on the way (measured with
        # instructor 1.17 and openai 3.3, whose transport is httpx2/httpcore2):
        # named here so that the cost shows as start-up, not as the first article's.
        for module in (
            "openai.types.chat", "openai.types.completion_usage",
            "instructor.v2.providers.openai.handlers", "instructor.v2.core.remote", "httpcore2",
        ):
            try:
                importlib.import_module(module)
            except ImportError:  # another version lays out its modules differently; it will import what it needs
                pass
        self.startup_seconds += time.perf_counter() - started

    async def _fill_uncached(self, reply_model, messages, safe_messages, context, labels, max_tokens) -> Filled:
        state = _FillState()
        _fill_state.set(state)
        cut: IncompleteOutputException | None = None
        for _ in range(self.max_retries + 1):
            try:
                return await self._fill_once(reply_model, safe_messages, context, labels, max_tokens, state)
            except IncompleteOutputException as error:
                cut = error
                safe_messages = [*safe_messages[:len(messages)], *as_sent([{"role": "user", "content": CUT_OFF_NOTE}])]
        content = _reply_text(cut.last_completion) if cut else None
        value = salvage(reply_model, content, context)
        if value is None:
            raise ModelCallError(
                f"reply cut off at max_tokens={max_tokens} on all {state.calls} attempts, with no complete item"
            )
        return Filled(value, state.calls, content, "salvaged")

    async def _fill_once(self, reply_model, safe_messages, context, labels, max_tokens, state: _FillState) -> Filled:
        try:
            token = validation_context.set({**context, "lenient": False})
            try:
                value = await self._create(
                    response_model=_prepared(reply_model),
                    messages=safe_messages,
                    max_retries=self.max_retries,
                    summarizer_labels=labels,
                    max_tokens=max_tokens,
                    **self.params,
                )
            finally:
                validation_context.reset(token)
            return Filled(value, state.calls, state.last_content)
        except InstructorRetryException as error:
            # instructor wraps every failure; a failed call (not a bad reply) is ours to report as is.
            cause = error.__cause__ or error.__context__
            if isinstance(cause, ModelCallError):
                raise cause from None
            content = _reply_text(error.last_completion)
            if content is None:
                raise ModelCallError(f"no usable reply after {state.calls} attempts") from None
            try:
                value = reply_model.model_validate_json(content, context={**context, "lenient": True})
            except ValidationError as invalid:
                # Small models put raw newlines inside JSON strings, which strict
                # JSON forbids; read that way, the reply is often fine.
                value = loosely(reply_model, content, context)
                if value is not None:
                    return Filled(value, state.calls, content, "lenient")
                first = invalid.errors()[0]
                where = ".".join(str(p) for p in first.get("loc", ())) or "reply"
                raise ModelCallError(
                    f"reply still invalid after {state.calls} attempts ({where}: {first.get('msg')})"
                ) from None
            return Filled(value, state.calls, content, "lenient")


def _check_async_validators_once_per_class() -> None:
    """instructor walks the whole reply model on every call, twice, to refuse async validators
    (2.5 ms a call, the largest single cost at zero latency). The answer depends on the class
    only: ask once per class. Reply models are never changed after they are made."""
    try:
        from instructor.v2.core import patch as instructor_patch
        from instructor.v2.validation import async_validators
    except ImportError:  # another instructor layout: it keeps its own check
        return
    check = async_validators.reject_async_validators
    if getattr(check, "__summarizer_once__", False):
        return
    import weakref

    passed: weakref.WeakSet[type] = weakref.WeakSet()  # a class narrowed for one article may go

    def once(response_model: Any) -> None:
        if isinstance(response_model, type) and response_model in passed:
            return
        check(response_model)
        if isinstance(response_model, type):
            passed.add(response_model)

    once.__summarizer_once__ = True  # type: ignore[attr-defined]
    async_validators.reject_async_validators = once
    if getattr(instructor_patch, "reject_async_validators", None) is check:
        instructor_patch.reject_async_validators = once


_check_async_validators_once_per_class()


@functools.lru_cache(maxsize=16)
def _prepared_once(reply_model: type[T]) -> type[T]:
    try:
        from instructor.v2.core.function_calls import response_schema
    except ImportError:  # another instructor layout: let it wrap on each call
        return reply_model
    return response_schema(reply_model)


def _prepared(reply_model: type[T]) -> type[T]:
    """The reply model as instructor wants it, built once per model class.

    instructor derives a new pydantic class from the reply model on every
    call (3 ms, a fifth of our per-article cost). For the fixed reply models
    that class is made once here; a model narrowed for one article (see
    constrain_choices) is used once anyway and is left to instructor.
    """
    if getattr(reply_model, "__summarizer_one_off__", False):
        return reply_model
    return _prepared_once(reply_model)


CUT_OFF_NOTE = (
    "Your previous reply was cut off at the length limit. "
    "Reply again with the same JSON fields, but fewer and shorter items, and no repeated items."
)


def _content_of(data: dict[str, Any]) -> str | None:
    """The JSON text of a raw completion (OpenAI's shape), as content or as a tool call."""
    try:
        message = data["choices"][0]["message"]
    except (KeyError, IndexError, TypeError):
        return None
    calls = message.get("tool_calls")
    if calls:
        return calls[0].get("function", {}).get("arguments")
    return message.get("content")


def _reply_text(completion: Any) -> str | None:
    """The JSON text of a completion object (instructor hands back the openai type)."""
    return _content_of(completion.model_dump(mode="json")) if completion is not None else None
