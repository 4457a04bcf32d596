"""Filling a reply model through instructor, over whatever backend is in play.

instructor owns the loop "send, validate against the reply model, re-ask with
the errors". The first try is made here, the way instructor makes it, so that
a reply that validates never reaches instructor (see `StructuredClient.fill`).
Our validators (summarizer.extract, summarizer.synthesize) ground each item
against the article text carried in the validation context
(schemas.validation_context), drop the items that fail, and reject the whole reply only when it is
malformed or when most of its items fail, which triggers a re-ask. When the
re-asks are spent, the last reply is parsed once more in lenient mode: what is
grounded is kept, the rest is dropped and counted, never shown.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import re
import sys
import textwrap
import time
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from .calls import Backend, CallStats, ChatRequest, ModelCallError, subject
from .lenient import loosely, salvage
from .schemas import validation_context

T = TypeVar("T", bound=BaseModel)

# instructor logs every failed attempt at ERROR level; a re-ask is routine here,
# and the outcome is reported in the run metadata instead.
logging.getLogger("instructor").setLevel(logging.CRITICAL)
log = logging.getLogger(__name__)

#: Our mode names -> the names of instructor's modes (instructor.Mode, looked up when instructor loads).
MODES = {"tools": "TOOLS", "json_schema": "JSON_SCHEMA", "json": "JSON", "md_json": "MD_JSON"}

#: The modes whose first request is built and read here, without instructor (see `StructuredClient.fill`).
DIRECT_MODES = ("tools", "json_schema")

@dataclass
class _FillState:
    """What one fill has done so far: calls made, and the text of the last reply."""

    calls: int = 0
    last_content: str | None = None
    #: The first request, already sent and answered by `fill`, and its reply: instructor's first
    #: call is answered from it instead of being sent again.
    primed: tuple[dict[str, Any], Any] | None = None


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
        self._instructor_create: Any = None

    @property
    def _create(self) -> Any:
        """instructor's create over our backend, made when a fill first needs it (see `fill`)."""
        if self._instructor_create is None:
            import instructor

            self._instructor_create = instructor.patch(create=self._complete, mode=instructor.Mode[MODES[self.mode]])
        return self._instructor_create

    async def _send(self, body: dict[str, Any], labels: dict[str, str], state: _FillState | None) -> Any:
        """One call through the backend, counted and logged."""
        request = ChatRequest(body=body, labels=labels)
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
        return reply

    async def _complete(self, **kwargs: Any) -> Any:
        """instructor's create: sends its request, or answers its first one from the reply `fill` already has."""
        labels = kwargs.pop("summarizer_labels", {})
        body = {key: value for key, value in kwargs.items() if value is not None}
        state = _fill_state.get(None)
        primed = state.primed if state is not None else None
        if primed is not None:
            state.primed = None
            sent, reply = primed
            if sent == body:
                state.last_content = _content_of(reply.data)
                return _completion(reply.data)
            log.debug("instructor asked differently than the request sent first; sending its request")
        reply = await self._send(body, labels, state)
        return _completion(reply.data)

    async def fill(
        self,
        reply_model: type[T],
        messages: list[dict[str, str]],
        context: dict[str, Any],
        labels: dict[str, str],
        max_tokens: int,
    ) -> Filled:
        """Send, validate, re-ask; a reply cut off at max_tokens is asked again more briefly.

        The first request is built, sent and read here, the way instructor
        would build and read it (tests/test_structured.py holds the two
        equal): most replies validate at once and never touch instructor,
        whose import brings the openai package (0.6-0.9 s before the first
        request could go) and whose per-call work was a third of our CPU per
        article. A reply that does not validate, or is cut off, goes to
        instructor with that first reply already in hand, and instructor
        re-asks as it always has.

        instructor does not re-ask a reply that hit the token limit, and
        asking the same thing again would get the same cut. So the request
        is repeated with a note asking for fewer, shorter items; if every try
        is cut, the complete items of the last reply are kept (grounded as
        usual) rather than losing the article.
        """
        sent = as_sent(messages)
        state = _FillState()
        _fill_state.set(state)
        body = direct_request(self.mode, reply_model, sent, max_tokens, self.params)
        if body is not None:
            try:
                reply = await self._send(body, labels, state)
            except ModelCallError:
                raise
            except Exception as error:  # a backend handed in by a caller, failing its own way
                raise ModelCallError(f"model call failed: {type(error).__name__}: {error}") from None
            value = self._read(reply_model, reply.data, context)
            if value is not None:
                return Filled(value, state.calls, state.last_content)
            state.primed = (body, reply)
        self._load_model_client()
        return await self._fill_uncached(reply_model, messages, sent, context, labels, max_tokens, state)

    def _read(self, reply_model: type[T], data: dict[str, Any], context: dict[str, Any]) -> T | None:
        """The reply validated (and grounded) as instructor would on its first try; None wherever
        instructor would do anything else (re-ask, cut off, refusal), which it then does."""
        text = direct_reply_text(self.mode, data)
        if text is None:
            return None
        token = validation_context.set({**context, "lenient": False})
        try:
            return reply_model.model_validate_json(text)
        except ValidationError:
            return None
        finally:
            validation_context.reset(token)

    def _load_model_client(self) -> None:
        """Import what instructor's path needs (it imports the openai package), once, timed.

        Only a fill whose first reply does not validate gets here; the run
        metadata shows the import as start-up rather than smeared over that
        article.
        """
        if "openai.types.chat" in sys.modules:
            return
        started = time.perf_counter()
        import importlib

        # What instructor's first call would otherwise import on the way (measured with
        # instructor 1.17 and openai 3.3): named here so that the cost shows as start-up.
        for module in (
            "openai.types.chat", "openai.types.completion_usage",
            "instructor.v2.providers.openai.handlers", "instructor.v2.core.remote",
        ):
            try:
                importlib.import_module(module)
            except ImportError:  # another version lays out its modules differently; it will import what it needs
                pass
        _check_async_validators_once_per_class()
        self.startup_seconds += time.perf_counter() - started

    async def _fill_uncached(self, reply_model, messages, safe_messages, context, labels, max_tokens,
                             state: _FillState) -> Filled:
        from instructor.core.exceptions import IncompleteOutputException

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
        from instructor.core.exceptions import InstructorRetryException

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


def _completion(data: dict[str, Any]) -> Any:
    """A reply as the openai type instructor reads (imported by instructor's path by now)."""
    from openai.types.chat import ChatCompletion

    # A server that leaves out the bookkeeping fields is still read (the provider checks the choices).
    return ChatCompletion.model_validate(
        {"id": "", "object": "chat.completion", "created": 0, "model": "", **data}
    )


@functools.lru_cache(maxsize=64)
def _schema_once(reply_model: type[BaseModel]) -> dict[str, Any]:
    return reply_model.model_json_schema()


def reply_schema(reply_model: type[BaseModel]) -> dict[str, Any]:
    """The reply model's JSON schema, built once per fixed model class (pydantic builds it anew
    on every call, about 1 ms for an article's model). Treat it as read-only."""
    if getattr(reply_model, "__summarizer_one_off__", False):
        return reply_model.model_json_schema()
    return _schema_once(reply_model)


@functools.lru_cache(maxsize=64)
def _function_once(reply_model: type[BaseModel]) -> dict[str, Any]:
    return _function(reply_model)


def _function(reply_model: type[BaseModel]) -> dict[str, Any]:
    """The tool definition instructor's TOOLS mode sends for a reply model: its name, a
    description (the docstring's first paragraph, or a stock sentence), and its schema as
    parameters with the docstring's parameter notes added where a field has no description."""
    from docstring_parser import parse  # instructor's own dependency, light to import

    schema = reply_model.model_json_schema()  # a fresh dict: the notes below are added to it
    docstring = parse(reply_model.__doc__ or "")
    parameters = {key: value for key, value in schema.items() if key not in ("title", "description")}
    for note in docstring.params:
        field = parameters["properties"].get(note.arg_name)
        if field is not None and note.description and "description" not in field:
            field["description"] = note.description
    parameters["required"] = sorted(schema.get("required", []))
    description = schema["description"] if "description" in schema else (docstring.short_description or (
        f"Correctly extracted `{reply_model.__name__}` with all the required parameters with correct types"
    ))
    return {"name": schema["title"], "description": description, "parameters": parameters}


def direct_request(
    mode: str, reply_model: type[BaseModel], messages: list[dict[str, str]], max_tokens: int, params: dict[str, Any],
) -> dict[str, Any] | None:
    """The request instructor's first try would send in `mode`, built without it; None for the
    modes that add a system message of their own (json, md_json), which instructor builds."""
    if mode not in DIRECT_MODES:
        return None
    body: dict[str, Any] = {"messages": list(messages), "max_tokens": max_tokens}
    body.update((key, value) for key, value in params.items() if value is not None)
    if mode == "json_schema":
        body["response_format"] = {
            "type": "json_schema", "json_schema": {"name": reply_model.__name__, "schema": reply_schema(reply_model)},
        }
    else:
        function = _function(reply_model) if getattr(reply_model, "__summarizer_one_off__", False) \
            else _function_once(reply_model)
        body["tools"] = [{"type": "function", "function": function}]
        body["tool_choice"] = {"type": "function", "function": {"name": function["name"]}}
    return body


def direct_reply_text(mode: str, data: dict[str, Any]) -> str | None:
    """The JSON text instructor would validate from a reply in `mode`; None where it would not
    validate at all (cut off at the length limit, a refusal, no tool call)."""
    try:
        choice = data["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError):
        return None
    if choice.get("finish_reason") == "length" or not isinstance(message, dict):
        return None
    if mode == "json_schema":
        content = message.get("content")
        return content if isinstance(content, str) else ("" if content is None else None)
    if message.get("refusal") is not None:
        return None
    calls = message.get("tool_calls") or []
    call = calls[0].get("function") if calls and isinstance(calls[0], dict) else message.get("function_call")
    arguments = call.get("arguments") if isinstance(call, dict) else None
    if arguments is None:
        return None
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def _reply_text(completion: Any) -> str | None:
    """The JSON text of a completion object (instructor hands back the openai type)."""
    return _content_of(completion.model_dump(mode="json")) if completion is not None else None
